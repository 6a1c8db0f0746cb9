"""compare_counts end to end: the article's table, degenerate data, k arms, strata, JSON."""

from __future__ import annotations

import json
import math
import re
from itertools import product

import pytest
import scipy.stats as st

from etiquette_lab.errors import InvalidInputError
from etiquette_lab.stats import compare_counts, per_arm_sample_size
from etiquette_lab.stats.results import ComparisonReport

ARTICLE = {"default": (1, 5), "personalised": (4, 5)}


def _strict(report: ComparisonReport) -> dict:
    def reject(token):
        raise AssertionError(f"non-strict JSON token {token}")

    return json.loads(report.to_json(), parse_constant=reject)


def test_article_report_numbers_and_verdict():
    r = compare_counts(ARTICLE)
    assert r.control == "default"
    (c,) = r.comparisons
    # scipy.stats.fisher_exact / boschloo_exact and the figures
    assert c.tests.fisher.p_value == pytest.approx(0.2063492063, rel=1e-9)
    assert c.tests.boschloo.p_value == pytest.approx(0.109375, rel=1e-9)
    assert c.tests.chi2.p_value == pytest.approx(st.chi2.sf(3.6, 1), rel=1e-12)
    assert c.primary_test == "Boschloo" and c.p_value == c.p_holm == c.tests.boschloo.p_value
    # Boschloo p = 0.109 is above twice alpha: no strength words, whatever the naive z-test says
    assert "No clear difference yet" in r.verdict and "Suggestive" not in r.verdict
    assert "12 requests per arm" in r.verdict
    assert [row.method for row in c.sensitivity][:2] == ["Wald z (unpooled)", "Pearson chi-square"]


def test_json_has_the_documented_schema_and_is_strict():
    d = _strict(compare_counts({"default": (0, 5), "a": (5, 5), "b": (0, 5)}))
    assert set(d["arms"][0]) >= {"name", "n", "responded", "rate", "ci_low", "ci_high"}
    c = d["comparisons"][0]
    assert set(c) >= {
        "treatment",
        "control",
        "difference",
        "risk_ratio",
        "odds_ratio",
        "tests",
        "bayes",
    }
    assert set(c["difference"]) >= {"estimate", "ci_low", "ci_high", "method"}
    assert set(c["odds_ratio"]) >= {"estimate", "ci_low", "ci_high"}
    assert set(c["tests"]["fisher"]) == {"p_value", "p_value_greater"}
    assert set(c["tests"]["chi2"]) >= {"statistic", "p_value"}
    assert set(c["bayes"]) >= {"prob_better", "ci_low", "ci_high"}
    assert set(d["omnibus"]) >= {"statistic", "df", "p_value", "method"}
    assert isinstance(d["pending"], int) and isinstance(d["verdict"], str)
    assert "time_to_response" in d and d["time_to_response"] is None
    # 5/5 vs 0/5: the odds ratio is infinite, written as null with a note
    assert c["odds_ratio"]["estimate"] is None and c["odds_ratio"]["note"]


def test_boschloo_above_its_limit_is_null_with_a_reason():
    d = _strict(compare_counts({"default": (100, 1000), "b": (130, 1000)}))
    tests = d["comparisons"][0]["tests"]
    assert tests["boschloo"] is None and "skipped" in tests["boschloo_reason"]
    assert d["comparisons"][0]["primary_test"] == "Fisher"


def test_clear_large_effect_is_called_clear():
    r = compare_counts({"default": (100, 1000), "b": (160, 1000)})
    assert "would be surprising if the wordings were answered equally often" in r.verdict


def test_no_difference_says_so():
    r = compare_counts({"default": (2, 10), "b": (3, 10)})
    assert "No clear difference yet" in r.verdict


@pytest.mark.parametrize(
    "arms",
    [
        {"default": (0, 5), "b": (0, 5)},
        {"default": (5, 5), "b": (5, 5)},
        {"default": (0, 5), "b": (5, 5)},
        {"default": (5, 5), "b": (0, 5)},
        {"default": (0, 1), "b": (1, 1)},
    ],
)
def test_degenerate_data_give_defined_results(arms):
    r = compare_counts(arms)
    d = _strict(r)
    c = r.comparisons[0]
    for value in (
        c.difference.ci_low,
        c.difference.ci_high,
        c.tests.fisher.p_value,
        c.tests.chi2.p_value,
        c.bayes.prob_better,
        c.bayes.ci_low,
        c.bayes.ci_high,
    ):
        assert math.isfinite(value)
    assert d["verdict"]
    assert str(r) and r._repr_html_()


def test_both_arms_without_response():
    r = compare_counts({"default": (0, 5), "b": (0, 5)})
    assert "No arm has a response yet" in r.verdict
    assert r.comparisons[0].p_value == 1.0 and r.comparisons[0].bayes.prob_better == pytest.approx(
        0.5
    )


def test_single_arm_is_a_defined_report():
    r = compare_counts({"only": (2, 5)})
    assert r.comparisons == () and r.omnibus is None and r.sample_ratio is None
    assert "nothing to compare" in r.verdict
    assert _strict(r)["comparisons"] == []


@pytest.mark.parametrize(
    ("arms", "kwargs", "message"),
    [
        ({"default": (1, 5), "b": (0, 0)}, {}, "n = 0"),
        ({}, {}, "at least one arm"),
        ({"default": (6, 5)}, {}, "more than all"),
        ({"default": (1, 5)}, {"control": "x"}, "not one of"),
        ({"a": (1, 5), "b": (2, 5)}, {"ci_method": "wald"}, "unknown"),
        ({"a": (1, 5), "b": (2, 5)}, {"prior": "flat"}, "prior"),
        ({"a": "1/5"}, {}, "expected"),
    ],
)
def test_bad_input_is_a_clear_error(arms, kwargs, message):
    with pytest.raises(InvalidInputError, match=message):
        compare_counts(arms, **kwargs)


def test_control_defaults_to_default_then_to_the_first_arm():
    assert compare_counts({"b": (1, 5), "default": (2, 5)}).control == "default"
    assert compare_counts({"b": (1, 5), "c": (2, 5)}).control == "b"
    assert compare_counts({"b": (1, 5), "c": (2, 5)}, control="c").comparisons[0].treatment == "b"


def test_three_arms_get_holm_and_an_omnibus_test():
    r = compare_counts({"default": (10, 100), "a": (25, 100), "b": (12, 100)})
    ps = [c.p_value for c in r.comparisons]
    # Holm by hand for two p-values: the smaller doubled, the larger kept (monotone)
    smallest = min(ps)
    assert min(c.p_holm for c in r.comparisons) == pytest.approx(2 * smallest)
    assert r.omnibus is not None and r.omnibus.df == 2
    assert "Across all 3 arms" in r.verdict


def test_strata_add_mantel_haenszel_and_must_add_up():
    strata = {
        "close": {"default": (1, 2), "b": (2, 2)},
        "acquaintance": {"default": (0, 3), "b": (2, 3)},
    }
    r = compare_counts({"default": (1, 5), "b": (4, 5)}, strata=strata)
    assert set(r.stratified) == {"b"} and r.stratified["b"].strata == 2
    with pytest.raises(InvalidInputError, match="add up"):
        compare_counts({"default": (1, 5), "b": (3, 5)}, strata=strata)


@pytest.mark.parametrize(
    ("arms", "strata", "says"),
    [
        (
            {"default": (0, 5), "b": (5, 5)},
            {"close": {"default": (0, 2), "b": (2, 2)}, "far": {"default": (0, 3), "b": (3, 3)}},
            "at the edge",
        ),
        (
            {"default": (5, 5), "b": (5, 5)},
            {"close": {"default": (2, 2), "b": (2, 2)}, "far": {"default": (3, 3), "b": (3, 3)}},
            "undefined",
        ),
    ],
)
def test_stratified_lines_name_a_missing_odds_ratio_instead_of_printing_nan(arms, strata, says):
    # The pooled odds ratio is infinite (0 of 5 vs 5 of 5 in every stratum) or undefined
    # (everybody answered): the line used to print "odds ratio inf [0, inf]" or "nan [0, inf]".
    text = str(compare_counts(arms, strata=strata))
    line = next(x for x in text.splitlines() if x.startswith("Within strata"))
    assert not re.search(r"\b(nan|inf)\b", line) and says in line and "odds ratio" in line


def test_sample_ratio_mismatch_is_in_the_verdict():
    equal = {"default": 1, "b": 1}
    r = compare_counts({"default": (10, 100), "b": (5, 40)}, allocation=equal)
    assert r.sample_ratio.mismatch and "not split across arms as planned" in r.verdict
    assert r.verdict.count("not split across arms") == 1
    r = compare_counts({"default": (10, 100), "b": (5, 40)}, allocation={"default": 5, "b": 2})
    assert not r.sample_ratio.mismatch
    # Counts typed in without a plan have nothing to be checked against: no false alarm.
    r = compare_counts({"default": (10, 100), "b": (5, 40)})
    assert r.sample_ratio is None and "as planned" not in r.verdict


def test_ten_million_per_arm_is_complete():
    r = compare_counts({"default": (5_000_000, 10_000_000), "b": (5_004_000, 10_000_000)})
    c = r.comparisons[0]
    assert c.tests.boschloo is None
    # independent: the pooled z-test p of scipy's chi2_contingency
    res = st.chi2_contingency([[5_004_000, 4_996_000], [5_000_000, 5_000_000]], correction=False)
    assert c.tests.chi2.p_value == pytest.approx(res.pvalue, rel=1e-8)
    assert c.tests.fisher.p_value == pytest.approx(res.pvalue, rel=0.02)
    assert c.bayes.prob_better == pytest.approx(1 - res.pvalue / 2, abs=1e-4)


def _fisher_power(n, p0, p1, alpha=0.05):
    """Exact power of the two-sided Fisher test with n per arm, by enumerating all tables."""
    power = 0.0
    for x1, x0 in product(range(n + 1), repeat=2):
        if st.fisher_exact([[x1, n - x1], [x0, n - x0]]).pvalue <= alpha:
            power += st.binom.pmf(x1, n, p1) * st.binom.pmf(x0, n, p0)
    return power


def test_suggested_repeat_size_reaches_eighty_percent_exact_power_and_no_less_does():
    # Checked by brute-force enumeration of Fisher's exact power (independent of planning's
    # vectorised search): 12 per arm reaches 80%; 11 does not.
    n = per_arm_sample_size(0.2, 0.8)
    assert n == 12
    assert _fisher_power(n, 0.2, 0.8) >= 0.8 > _fisher_power(n - 1, 0.2, 0.8)
    assert per_arm_sample_size(0.3, 0.3) is None


def test_repeat_size_falls_back_to_the_normal_approximation_for_tiny_differences():
    # R's power.prop.test(p1 = 0.20, p2 = 0.21, power = 0.8) solves
    # qnorm(0.975) sqrt(2 pbar qbar) + qnorm(0.8) sqrt(p1 q1 + p2 q2) = sqrt(n) |p1 - p2|:
    # n = 25582.24, recomputed here with scipy; far past the exact search's cap of 2,000.
    from scipy.stats import norm

    p1, p2, pbar = 0.20, 0.21, 0.205
    n = (
        (
            norm.ppf(0.975) * (2 * pbar * (1 - pbar)) ** 0.5
            + norm.ppf(0.8) * (p1 * (1 - p1) + p2 * (1 - p2)) ** 0.5
        )
        / (p2 - p1)
    ) ** 2
    assert n == pytest.approx(25582.24, abs=0.01)
    assert per_arm_sample_size(p1, p2) == math.ceil(n)

