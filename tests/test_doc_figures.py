"""Every figure the documentation quotes is what the kit computes, so the two stop drifting.

Each entry of FIGURES is (document, quoted text, the call that produces that text). The test
asserts both that the document contains the quoted text (line breaks and runs of spaces count
as one space) and that the call, run now, produces exactly it. A figure that changes in the
code therefore fails here until the document says the new figure; a document edited by hand
fails until the figure is true.

Left out on purpose, with the reason: timings (docs/benchmarks.md and "about 2 ms" in
planning.md: they are measurements of a machine, re-measured by ``make bench``); R's own
floating-point output quoted as such ("0.05 + 2e-17 in R"); the saw-tooth excesses in
planning.md (a scan over 12 designs up to n = 200, checked by tests/test_planning.py); the
example log's generator settings in docs/datasets.md (inputs, not results).

The README's printed command outputs are compared whole with what the commands print.
"""

from __future__ import annotations

import importlib
import json
import math
import re
from fractions import Fraction
from functools import partial
from pathlib import Path

import pytest
import scipy.stats as st
from test_stats_compare import _boschloo_sup

from etiquette_lab.analyse.timing import time_to_response_from_durations
from etiquette_lab.formatting import p_text, points_number
from etiquette_lab.lessons.datasets import published_experiment
from etiquette_lab.lessons.simulation import (
    simulate_null_experiments,
    simulate_peeking,
    simulate_winners_curse,
)
from etiquette_lab.planning.power import bayes_assurance, exact_power, sample_size
from etiquette_lab.stats import (
    bayes_compare,
    boschloo_test,
    compare_counts,
    difference_interval,
    fisher_test,
    odds_ratio_interval,
    omnibus_test,
    per_arm_sample_size,
    rate_interval,
    risk_ratio_interval,
    wald_test,
)

ROOT = Path(__file__).resolve().parent.parent
# etiquette_lab.cli re-exports the main() function under the module's name.
cli_main = importlib.import_module("etiquette_lab.cli.main")
Z = st.norm.isf(0.025)


def pct(value: float, digits: int = 1) -> str:
    return f"{100 * value:.{digits}f}%"


def article():
    return compare_counts({"default": (1, 5), "personalised": (4, 5)})


def katz(x1, n1, x0, n0):
    """Katz's log interval by its formula (what the kit no longer uses at 100%)."""
    centre = math.log((x1 / n1) / (x0 / n0))
    half = Z * math.sqrt(1 / x1 - 1 / n1 + 1 / x0 - 1 / n0)
    return math.exp(centre - half), math.exp(centre + half)


def boschloo_fisher_ordered(x1, n1, x0, n0):
    """Boschloo ordered by Fisher's two-sided p: sup over the common rate, by brute force."""

    def fisher(a, b):
        return st.fisher_exact([[a, n1 - a], [b, n0 - b]]).pvalue

    return _boschloo_sup(x1, n1, x0, n0, fisher, grid=801)


def greenwood_wald(x1, n1, x0, n0):
    """The old day-7 difference interval: Wald with Greenwood's variance (binomial without
    censoring), clipped to [-1, 1]."""
    p1, p0 = x1 / n1, x0 / n0
    half = Z * math.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
    return max(-1.0, p1 - p0 - half), min(1.0, p1 - p0 + half)


def day7_difference(arm, control):
    def durations(x, n):
        return [2.0] * x + [10.0] * (n - x), [True] * x + [False] * (n - x)

    report = time_to_response_from_durations(
        {"control": durations(*control), "arm": durations(*arm)}, window=7
    )
    return report.differences[0]


def minus(text: str) -> str:
    """time-to-response.md writes negative numbers with the typographic minus sign."""
    return text.replace("-", "\u2212")


def winners(n):
    return simulate_winners_curse(0.3, 0.45, n=n, experiments=10)


# -- the calls behind the quoted figures, one per quotation -----------------------------------


def readme_intro():
    return (
        f"(Fisher's exact p = {fisher_test(4, 5, 1, 5).p_value:.2f}; had the effect really been "
        f"20% to 80%, five per wording would have found it only "
        f"{pct(exact_power(5, 5, 0.2, 0.8).power, 0)} of the time; telling 20% from 50% takes "
        f"{sample_size(0.2, 0.5).n_per_arm} per wording)"
    )


def readme_naive_and_fisher():
    return (
        f"The same table gives p = {wald_test(4, 5, 1, 5).p_value:.2g} from the naive z-test and "
        f"{fisher_test(4, 5, 1, 5).p_value:.2g} from Fisher's exact test"
    )


def readme_power():
    return f'find a real 20% to 80% effect?": {pct(exact_power(5, 5, 0.2, 0.8).power)}'


def methods_wilson():
    r = rate_interval(1, 5)
    return f"For 1 of 5 the Wilson interval runs from {pct(r.ci_low)} to {pct(r.ci_high, 0)}"


def methods_newcombe():
    d = difference_interval(4, 5, 1, 5)
    return (
        f"the difference is {100 * d.estimate:+.0f} points with a Newcombe interval from "
        f"{points_number(d.ci_low)} to {100 * d.ci_high:+.0f} points"
    )


SENSITIVITY = {
    "Wald z (unpooled)": lambda c: f"{c.tests.wald.p_value:.3f}",
    "Pearson chi-square": lambda c: f"{c.tests.chi2.p_value:.3f}",
    "chi-square with Yates' correction": lambda c: f"{c.tests.chi2_yates.p_value:.3f}",
    "Fisher exact": lambda c: f"{c.tests.fisher.p_value:.3f}",
    "Boschloo exact": lambda c: f"{c.tests.boschloo.p_value:.3f}",
    "Bayes P(personalised beats default)": lambda c: f"{c.bayes.prob_better:.2f}",
}


def methods_sensitivity_row(label):
    return f"| {label} | {SENSITIVITY[label](article().comparisons[0])} |"


def methods_wald_interval():
    return (
        f"its interval for the difference runs to {100 * wald_test(4, 5, 1, 5).ci_high:.0f} points"
    )


def methods_bayes():
    p = bayes_compare(4, 5, 1, 5).prob_better
    return f"P(personalised beats default) = {Fraction(p).limit_denominator(1000)} = {p:.2f}"


def methods_repeat():
    return (
        f"For the article: {per_arm_sample_size(0.2, 0.8)} per arm, or "
        f"{per_arm_sample_size(0.2, 0.5)} if the true difference is half as large."
    )


def methods_katz_collapses():
    one, many = katz(1, 1, 1, 1), katz(199, 200, 1, 1)
    return (
        f"1 of 1 against 1 of 1 would give the interval [{one[0]:.0f}, {one[1]:.0f}], "
        f"199 of 200 against 1 of 1 [{many[0]:.3f}, {many[1]:.3f}]"
    )


def methods_score_at_100_percent():
    one, five = risk_ratio_interval(1, 1, 1, 1), risk_ratio_interval(5, 5, 5, 5)
    return (
        f"[{one.ci_low:.2f}, {one.ci_high:.1f}] for 1 of 1 against 1 of 1, "
        f"[{five.ci_low:.2f}, {five.ci_high:.2f}] for 5 of 5 against 5 of 5"
    )


def methods_score_at_0_percent():
    from statsmodels.stats.proportion import confint_proportions_2indep

    r = risk_ratio_interval(5, 5, 0, 5)
    adjusted = confint_proportions_2indep(5, 5, 0, 5, compare="ratio", method="log-adjusted")[1]
    assert math.isinf(r.estimate) and math.isinf(r.ci_high)
    return (
        f"(for 5 of 5 against 0 of 5 the estimate is infinite and the interval is "
        f"{r.ci_low:.2f} to infinity; adding 0.5 to the counts instead, statsmodels' "
        f'"log-adjusted", would stop at {adjusted:.0f}'
    )


def methods_all_answered():
    c = compare_counts({"default": (1, 1), "b": (1, 1)}).comparisons[0]
    half = Fraction(c.bayes.prob_better).limit_denominator(10)
    return (
        f"| both arms all answered | difference {c.difference.estimate:.0f} with its interval, "
        f"all p-values {c.p_value:.0f}, P(better) = {half}, risk ratio "
        f"{c.risk_ratio.estimate:.0f} with the score interval (about {c.risk_ratio.ci_low:.2f} "
        f"to {c.risk_ratio.ci_high:.1f} for 1 of 1 against 1 of 1)"
    )


def methods_boschloo_two_sided():
    return (
        f"for 0 of 3 against 2 of 7 the kit's (doubled) p-value is "
        f"{boschloo_test(0, 3, 2, 7).p_value:.3f}, the Fisher-ordered one "
        f"{boschloo_fisher_ordered(0, 3, 2, 7):.1f}."
    )


def methods_monte_carlo_bound():
    o = omnibus_test([(0, 200), (0, 200), (1, 200), (30, 200), (40, 200), (1, 3)])
    return f'it is printed as "p {p_text(o.p_value, bound=o.p_value_is_bound)}"'


def methods_article_strength():
    return f"The article's table is here (Boschloo p = {article().comparisons[0].p_value:.3f})."


def methods_article_naive():
    c = article().comparisons[0]
    return f"(the article: {c.tests.wald.p_value:.3f} against {c.p_value:.3f};"


def planning_anchor():
    return (
        f"detects even a jump from 20% to 80% response only "
        f"{pct(exact_power(5, 5, 0.2, 0.8).power)} of the time"
    )


def planning_plan_comment():
    s = sample_size(0.2, 0.5)
    return f"# {s.n_per_arm} requests per wording ({s.n_total} in all)"


def planning_python_comment():
    s = sample_size(0.2, 0.5)
    return (
        f"sample_size(0.2, 0.5) # n_per_arm={s.n_per_arm}, n_per_arm_stable="
        f"{s.n_per_arm_stable}, power {s.power:.3f}"
    )


def planning_normal():
    normal = exact_power(5, 5, 0.2, 0.8, test="normal").power
    return (
        f"for 5 per arm and 20% vs 80% it says {pct(normal, 0)} instead of "
        f"{pct(exact_power(5, 5, 0.2, 0.8).power)}"
    )


def planning_tie():
    p = fisher_test(3, 3, 0, 3).p_value_greater
    return f"3 of 3 against 0 of 3 has Fisher p = {Fraction(p).limit_denominator(100)} = {p:.2f}"


def planning_tie_plan():
    n = sample_size(0.02, 0.95, alternative="greater").n_per_arm
    return f"`plan --baseline 0.02 --target 0.95 --alternative greater` says {n} per arm"


def planning_sawtooth():
    return (
        f"power is {pct(exact_power(5, 5, 0.2, 0.8).power)} at 5 per arm and "
        f"{pct(exact_power(6, 6, 0.2, 0.8).power)} at 6"
    )


def planning_one_request():
    def power(n_control, n_new):
        return pct(exact_power(n_control, n_new, 0.102, 0.152).power)

    return (
        f"255 requests on the control wording and 254 on the new one give {power(255, 254)}, "
        f"but 254 on the control and 255 on the new one give {power(254, 255)}, and 255 and "
        f"255 give {power(255, 255)}"
    )


def planning_perfect():
    return (
        f"With 5 per arm even a perfect 100% is detected only "
        f"{pct(exact_power(5, 5, 0.2, 1.0).power, 0)} of the time"
    )


def planning_assurance():
    return (
        f"For 5 per arm, 20% vs 80%, that happens "
        f"{pct(bayes_assurance(5, 5, 0.2, 0.8).assurance)} of the time, against "
        f"{pct(exact_power(5, 5, 0.2, 0.8).power)} for Fisher's"
    )


def null_experiments():
    return simulate_null_experiments(5, 0.5, experiments=10)


def simulation_null_comment():
    return (
        f"simulate_null_experiments(5, 0.5) # 4-to-1 or more by chance: "
        f"{pct(null_experiments().exact_as_extreme)} (exact)"
    )


def peeking():
    return simulate_peeking(0.5, per_day=2, days=30, experiments=10)


def simulation_peeking_comment():
    return (
        f"simulate_peeking(0.5, per_day=2, days=30) # daily looks: "
        f"{pct(peeking().exact_daily[-1])} false alarms, not 5%"
    )


def simulation_as_extreme():
    p = null_experiments().exact_as_extreme
    return f"{round(p * 1024)}/1024 = {pct(p)}"


def simulation_significant():
    p = null_experiments().exact_significant
    return (
        f"it calls only {pct(p)} ({round(p * 1024)}/1024) of these experiments significant, and "
        f"the article's 4-to-1 table has p = {fisher_test(4, 5, 1, 5).p_value:.2f}."
    )


def simulation_low_power():
    return (
        f"({pct(exact_power(5, 5, 0.2, 0.8).power)} for 20% against 80%; "
        f"{pct(exact_power(5, 5, 0.3, 0.45).power)} for 30% against 45%)"
    )


def simulation_sawtooth():
    return (
        f"({pct(exact_power(5, 5, 0.2, 0.8).power)} at 5, "
        f"{pct(exact_power(6, 6, 0.2, 0.8).power)} at 6)"
    )


def simulation_winners_20():
    r = winners([20])
    d = r.distribution(20)
    mean_gap = sum(abs(x) * p for x, p in zip(d.difference, d.exact_significant, strict=True))
    return (
        f"With 20 per wording, only {pct(r.exact_power[0], 0)} of experiments are significant, "
        f"and those report on average a {100 * mean_gap / r.exact_power[0]:.0f}-point "
        f"difference, {r.exact_exaggeration[0]:.1f} times the true {100 * r.true_difference:.0f}."
    )


def simulation_winners_5_and_200():
    r = winners([5, 200])
    return (
        f"With 5 per wording the ratio is {r.exact_exaggeration[0]:.1f}. Only when power is "
        f"high ({pct(r.exact_power[1], 0)} at 200 per wording)"
    )


def simulation_type_s():
    r = winners([5, 20])
    return f"{pct(r.exact_type_s[0])} with 5 per wording, {pct(r.exact_type_s[1])} with 20."


def simulation_peeking():
    r = peeking()
    return (
        f"one look after 30 days ({r.n_per_arm[-1]} per wording) gives a false alarm "
        f"{pct(r.exact_single[-1])} of the time (Fisher's test is conservative: below the "
        f"nominal 5%); looking every day gives {pct(r.exact_daily[-1])}"
    )


def timing_old_interval():
    low, high = greenwood_wald(0, 4, 3, 4)
    zero = greenwood_wald(0, 5, 0, 9)
    return minus(
        f"(0 of 4 against 3 of 4 gave {100 * low:.0f} to {100 * high:.1f} points, 0 of 5 against "
        f"0 of 9 gave [{zero[0]:.0f}, {zero[1]:.0f}])"
    )


def timing_new_interval():
    a, b = day7_difference((0, 4), (3, 4)), day7_difference((0, 5), (0, 9))
    return minus(
        f"0 of 4 against 3 of 4 gives {100 * a.difference:.0f} points, 95% CI "
        f"{points_number(a.ci_low)} to {points_number(a.ci_high)}, and 0 of 5 against 0 of 9 "
        f"gives {points_number(b.ci_low)} to {points_number(b.ci_high)}."
    )


def datasets_row(arm, label):
    x, n = published_experiment()["counts"][arm]
    return f"| {label} | {n} | {x} ({pct(x / n)}) |"


def datasets_odds_ratios():
    woolf = odds_ratio_interval(30, 254, 26, 255, method="woolf")
    exact = odds_ratio_interval(30, 254, 26, 255)
    return (
        f"{woolf.estimate:.4f} ({woolf.ci_low:.4f} to {woolf.ci_high:.4f}). The conditional-MLE "
        f"interval ({exact.ci_low:.2f} to {exact.ci_high:.2f})"
    )


FIGURES = [
    (
        "README.md",
        "(Fisher's exact p = 0.21; had the effect really been 20% to 80%, five per wording would "
        "have found it only 38% of the time; telling 20% from 50% takes 44 per wording)",
        readme_intro,
    ),
    (
        "README.md",
        "The same table gives p = 0.018 from the naive z-test and 0.21 from Fisher's exact test",
        readme_naive_and_fisher,
    ),
    ("README.md", 'find a real 20% to 80% effect?": 37.6%', readme_power),
    ("docs/methods.md", "For 1 of 5 the Wilson interval runs from 3.6% to 62%", methods_wilson),
    (
        "docs/methods.md",
        "the difference is +60 points with a Newcombe interval from -0.03 to +83 points",
        methods_newcombe,
    ),
    *[
        ("docs/methods.md", f"| {label} | {value} |", partial(methods_sensitivity_row, label))
        for label, value in [
            ("Wald z (unpooled)", "0.018"),
            ("Pearson chi-square", "0.058"),
            ("chi-square with Yates' correction", "0.206"),
            ("Fisher exact", "0.206"),
            ("Boschloo exact", "0.109"),
            ("Bayes P(personalised beats default)", "0.96"),
        ]
    ],
    (
        "docs/methods.md",
        "its interval for the difference runs to 110 points",
        methods_wald_interval,
    ),
    ("docs/methods.md", "P(personalised beats default) = 887/924 = 0.96", methods_bayes),
    (
        "docs/methods.md",
        "For the article: 12 per arm, or 44 if the true difference is half as large.",
        methods_repeat,
    ),
    (
        "docs/methods.md",
        "1 of 1 against 1 of 1 would give the interval [1, 1], 199 of 200 against 1 of 1 "
        "[0.985, 1.005]",
        methods_katz_collapses,
    ),
    (
        "docs/methods.md",
        "[0.12, 8.7] for 1 of 1 against 1 of 1, [0.54, 1.85] for 5 of 5 against 5 of 5",
        methods_score_at_100_percent,
    ),
    (
        "docs/methods.md",
        "(for 5 of 5 against 0 of 5 the estimate is infinite and the interval is 2.17 to "
        'infinity; adding 0.5 to the counts instead, statsmodels\' "log-adjusted", would stop '
        "at 155",
        methods_score_at_0_percent,
    ),
    (
        "docs/methods.md",
        "| both arms all answered | difference 0 with its interval, all p-values 1, "
        "P(better) = 1/2, risk ratio 1 with the score interval (about 0.12 to 8.7 for 1 of 1 "
        "against 1 of 1)",
        methods_all_answered,
    ),
    (
        "docs/methods.md",
        "for 0 of 3 against 2 of 7 the kit's (doubled) p-value is 0.487, the Fisher-ordered one "
        "1.0.",
        methods_boschloo_two_sided,
    ),
    ("docs/methods.md", 'it is printed as "p < 5e-05"', methods_monte_carlo_bound),
    (
        "docs/methods.md",
        "The article's table is here (Boschloo p = 0.109).",
        methods_article_strength,
    ),
    ("docs/methods.md", "(the article: 0.018 against 0.109;", methods_article_naive),
    (
        "docs/planning.md",
        "detects even a jump from 20% to 80% response only 37.6% of the time",
        planning_anchor,
    ),
    ("docs/planning.md", "# 44 requests per wording (88 in all)", planning_plan_comment),
    (
        "docs/planning.md",
        "sample_size(0.2, 0.5) # n_per_arm=44, n_per_arm_stable=44, power 0.802",
        planning_python_comment,
    ),
    (
        "docs/planning.md",
        "for 5 per arm and 20% vs 80% it says 47% instead of 37.6%",
        planning_normal,
    ),
    ("docs/planning.md", "3 of 3 against 0 of 3 has Fisher p = 1/20 = 0.05", planning_tie),
    (
        "docs/planning.md",
        "`plan --baseline 0.02 --target 0.95 --alternative greater` says 5 per arm",
        planning_tie_plan,
    ),
    ("docs/planning.md", "power is 37.6% at 5 per arm and 27.5% at 6", planning_sawtooth),
    (
        "docs/planning.md",
        "255 requests on the control wording and 254 on the new one give 38.5%, but 254 on the "
        "control and 255 on the new one give 35.2%, and 255 and 255 give 34.6%",
        planning_one_request,
    ),
    (
        "docs/planning.md",
        "With 5 per arm even a perfect 100% is detected only 74% of the time",
        planning_perfect,
    ),
    (
        "docs/planning.md",
        "For 5 per arm, 20% vs 80%, that happens 67.8% of the time, against 37.6% for Fisher's",
        planning_assurance,
    ),
    (
        "docs/simulation.md",
        "simulate_null_experiments(5, 0.5) # 4-to-1 or more by chance: 10.9% (exact)",
        simulation_null_comment,
    ),
    (
        "docs/simulation.md",
        "simulate_peeking(0.5, per_day=2, days=30) # daily looks: 13.8% false alarms, not 5%",
        simulation_peeking_comment,
    ),
    ("docs/simulation.md", "112/1024 = 10.9%", simulation_as_extreme),
    (
        "docs/simulation.md",
        "it calls only 2.1% (22/1024) of these experiments significant, and the article's 4-to-1 "
        "table has p = 0.21.",
        simulation_significant,
    ),
    (
        "docs/simulation.md",
        "(37.6% for 20% against 80%; 3.1% for 30% against 45%)",
        simulation_low_power,
    ),
    ("docs/simulation.md", "(37.6% at 5, 27.5% at 6)", simulation_sawtooth),
    (
        "docs/simulation.md",
        "With 20 per wording, only 10% of experiments are significant, and those report on "
        "average a 41-point difference, 2.7 times the true 15.",
        simulation_winners_20,
    ),
    (
        "docs/simulation.md",
        "With 5 per wording the ratio is 5.5. Only when power is high (85% at 200 per wording)",
        simulation_winners_5_and_200,
    ),
    ("docs/simulation.md", "6.7% with 5 per wording, 0.6% with 20.", simulation_type_s),
    (
        "docs/simulation.md",
        "one look after 30 days (60 per wording) gives a false alarm 3.5% of the time (Fisher's "
        "test is conservative: below the nominal 5%); looking every day gives 13.8%",
        simulation_peeking,
    ),
    (
        "docs/time-to-response.md",
        minus(
            "(0 of 4 against 3 of 4 gave -100 to -32.6 points, 0 of 5 against 0 of 9 gave [0, 0])"
        ),
        timing_old_interval,
    ),
    (
        "docs/time-to-response.md",
        minus(
            "0 of 4 against 3 of 4 gives -75 points, 95% CI -95.4 to -8.5, and 0 of 5 against "
            "0 of 9 gives -29.9 to +43.4."
        ),
        timing_new_interval,
    ),
    (
        "docs/datasets.md",
        "| non-personalised (control) | 255 | 26 (10.2%) |",
        partial(datasets_row, "non-personalised", "non-personalised (control)"),
    ),
    (
        "docs/datasets.md",
        "| personalised | 254 | 30 (11.8%) |",
        partial(datasets_row, "personalised", "personalised"),
    ),
    (
        "docs/datasets.md",
        "1.1796 (0.6761 to 2.0579). The conditional-MLE interval (0.65 to 2.15)",
        datasets_odds_ratios,
    ),
]


def _doc(name: str) -> str:
    return " ".join((ROOT / name).read_text(encoding="utf-8").split())


@pytest.mark.parametrize(
    ("doc", "quoted", "compute"), FIGURES, ids=[f"{d}: {q[:50]}" for d, q, _ in FIGURES]
)
def test_a_figure_quoted_in_the_docs_is_what_the_kit_computes(doc, quoted, compute):
    assert quoted in _doc(doc), f"{doc} no longer quotes: {quoted}"
    assert compute() == quoted


def test_the_json_schema_example_is_what_compare_prints():
    # docs/json-schema.md shows `compare default=1/5 personalised=4/5 --json`, rounded to 4
    # decimals: every number in it must be the command's, rounded the same way.
    text = (ROOT / "docs/json-schema.md").read_text(encoding="utf-8")
    example = json.loads(text.split("## Example (abridged)")[1].split("```json")[1].split("```")[0])
    actual = article().to_dict()

    def walk(shown, real, path):
        if isinstance(shown, dict):
            for key, value in shown.items():
                walk(value, real[key], f"{path}.{key}")
        elif isinstance(shown, list) and shown != ["..."]:
            for i, value in enumerate(shown):
                walk(value, real[i], f"{path}[{i}]")
        elif isinstance(shown, float):
            assert shown == round(real, 4), path
        elif isinstance(shown, (int, bool)) or shown is None:
            assert shown == real, path
        elif isinstance(shown, str) and "..." not in shown:
            assert shown == real, path

    walk(example, actual, "$")
    assert example["comparisons"][0]["risk_ratio"]["method"] == "katz-log"


def _readme_outputs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(etiquette-lab [^\n]+)\n```\n```\n(.*?)```\n", readme, re.S)


@pytest.mark.parametrize(("command", "printed"), _readme_outputs(), ids=lambda v: v[:40])
def test_the_readme_shows_exactly_what_the_command_prints(command, printed, capsys):
    assert cli_main.main(command.split()[1:]) == 0
    assert capsys.readouterr().out == printed


def test_the_readme_outputs_are_found():
    # A README edit that changes how an output block is fenced must not silently skip it.
    commands = {c for c, _ in _readme_outputs()}
    assert commands >= {
        "etiquette-lab compare default=1/5 personalised=4/5",
        "etiquette-lab plan --baseline 0.2 --target 0.5",
    }
