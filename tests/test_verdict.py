"""Every verdict template, rendered for a grid of tables, against reviewed rules.

The rules (docs/methods.md, "The verdict"): a p-value is read as how surprising the data would
be if the wordings did not differ, never as how likely a difference is to be real; no "nan" in
any text; every number in a paragraph is one of the result's fields as the kit formats it; the
strength words come from the primary test (after Holm) alone; the naive z-test "overstates" only
when it does.
"""

from __future__ import annotations

import functools
import html
import math
import re
from dataclasses import replace

import pytest

import etiquette_lab.stats.report as report_module
import etiquette_lab.stats.verdict as verdict_module
from etiquette_lab.formatting import p_number, pct_text, points_number, prob_text
from etiquette_lab.planning.bayes import probability_new_better
from etiquette_lab.planning.kernels import normal_sample_size
from etiquette_lab.stats import STRENGTH_WORDS, compare_counts
from etiquette_lab.stats.bayes import BayesComparison
from etiquette_lab.stats.verdict import comparison_sentence, naive_overstates, strength

#: Phrases that read a p-value the wrong way round, claim certainty, or leak a missing number.
FORBIDDEN = [
    r"\bchance\b",
    r"\breal\b",
    r"\bproven?\b",
    r"\bproves\b",
    r"\blikely\b",
    r"\bnan\b",
    r"\binf\b",
    r"\bsignificant difference\b",
    r"\bconfirm",
]
NUMBER = re.compile(r"(?<![\w'])[-+]?\d+(?:,\d{3})*(?:\.\d+)?(?:e[-+]?\d+)?")


@pytest.fixture
def fast_engine(monkeypatch):
    """The real engine, minus two slow figures whose own correctness is tested elsewhere
    (test_stats_report, test_planning): the Bayesian credible interval, which no sentence
    quotes, is skipped and P(better) comes from the closed form for whole-number Beta
    parameters (planning.bayes, an independent implementation); the repeat's sample sizes come
    from the normal approximation instead of the exact search. The templates see real tests."""

    def bayes(x0, n0, x1, n1, *, prior="uniform", alpha=0.05):  # control first, as the engine
        return BayesComparison(probability_new_better(x0, n0, x1, n1), -1.0, 1.0, prior, 1 - alpha)

    @functools.cache
    def sample_size(p_control, p_arm, *, alpha=0.05, power=0.8):
        if p_arm == p_control:
            return None
        n = math.ceil(normal_sample_size(p_control, p_arm, power, alpha, "two-sided", 1.0))
        return n, "normal approximation"

    monkeypatch.setattr(report_module, "bayes_compare", bayes)
    monkeypatch.setattr(verdict_module, "repeat_sample_size", sample_size)


def _two_arm_grid():
    for n in range(1, 9):  # every table with n requests per arm
        for x1 in range(n + 1):
            for x0 in range(n + 1):
                yield {"default": (x0, n), "new": (x1, n)}
    for n in (20, 200, 2000):  # the edges and a few inner counts
        counts = sorted({0, 1, n // 10, n // 2, n // 2 + n // 50, n - 1, n})
        for x1 in counts:
            for x0 in counts:
                yield {"default": (x0, n), "new": (x1, n)}
    yield {"default": (2, 4), "new": (0, 2)}  # the case for the strength words
    yield {"default": (1, 7), "new": (3, 3)}  # unequal arms, one at 100%


def _three_arm_grid():
    for n in (1, 3, 5, 20):
        for xs in [(0, 0, 0), (n, n, n), (0, n, n // 2), (1, 0, n), (n // 2, n // 2, n // 2)]:
            yield dict(zip(("default", "new", "third"), ((x, n) for x in xs), strict=True))
    yield {"default": (0, 200), "b": (0, 200), "c": (1, 200), "d": (30, 200), "f": (1, 3)}


def _allowed_numbers(report) -> set[str]:
    """Every number the verdict may print, formatted as the kit formats it."""
    level = round(100 * (1 - report.alpha))
    parts = [
        f"{level}%",
        "80%",
        f"{report.alpha:g}",
        f"{2 * report.alpha:g}",
        f"{len(report.arms)}",
    ]
    for arm in report.arms:
        parts += [f"{arm.responded:,}", f"{arm.n:,}", pct_text(arm.rate)]
    for c in report.comparisons:
        d = c.difference
        parts += [points_number(v) for v in (d.estimate, d.ci_low, d.ci_high)]
        parts += [p_number(c.p_value), p_number(c.p_holm), p_number(c.tests.wald.p_value)]
        parts += [prob_text(c.bayes.prob_better)]
        by_name = {a.name: a for a in report.arms}
        arm, control = by_name[c.treatment], by_name[c.control]
        parts += [f"{min(arm.n, control.n):,}"]
        for target in (arm.rate, (arm.rate + control.rate) / 2):
            size = verdict_module.per_arm_sample_size(control.rate, target, alpha=report.alpha)
            parts += [f"{size:,}"] if size else []
    if report.omnibus is not None:
        parts.append(p_number(report.omnibus.p_value, bound=report.omnibus.p_value_is_bound))
    if report.sample_ratio is not None:
        parts.append(p_number(report.sample_ratio.p_value))
    parts.append(f"{report.pending:,}")
    return set(NUMBER.findall(" ".join(parts)))


def _check_rules(report, *, render: bool = True):
    """The rules, on the paragraphs and on the text printed under the table (``_notes``); with
    *render*, also on the whole printed text and HTML (pandas tables: slower)."""
    notes = "\n".join(report._notes())
    text, page = (str(report), report._repr_html_()) if render else (notes, "")
    for paragraph in report.verdict_paragraphs:
        for pattern in FORBIDDEN:
            assert not re.search(pattern, paragraph, re.IGNORECASE), (pattern, paragraph)
        assert set(NUMBER.findall(paragraph)) <= _allowed_numbers(report), paragraph
        assert paragraph in notes and paragraph in text
        assert not render or f"<p>{html.escape(paragraph)}</p>" in page
    assert report.verdict == " ".join(report.verdict_paragraphs)
    assert not re.search(r"\bnan\b", text, re.IGNORECASE) and "nan" not in page.lower()
    alike = {x / n for n, x in ((a.n, a.responded) for a in report.arms)} in ({0.0}, {1.0})
    for c in report.comparisons:
        mine = [p for p in report.verdict_paragraphs if p.startswith(f"'{c.treatment}'")]
        if alike:  # nobody, or everybody, answered: one general paragraph says so
            assert mine == [] and "nothing tells the wordings apart" in report.verdict
            continue
        (paragraph,) = mine
        by_name = {a.name: a for a in report.arms}
        arm, control = by_name[c.treatment], by_name[c.control]
        if arm.responded * control.n == control.responded * arm.n:
            assert not any(words in paragraph for words in STRENGTH_WORDS.values())
            continue
        kind = strength(c.p_holm, report.alpha)
        for other, words in STRENGTH_WORDS.items():
            assert (words in paragraph) == (other == kind), (kind, paragraph)
        assert ("overstates" in paragraph) == naive_overstates(c, report.alpha)


@pytest.mark.slow
@pytest.mark.parametrize("arms", list(_two_arm_grid()), ids=str)
def test_two_arm_templates_follow_the_rules(arms, fast_engine):
    report = compare_counts(arms)
    _check_rules(report, render=report.arms[0].n in (1, 2, 2000))
    # One paragraph per wording against the control, and nothing else for two arms at 0 < p.
    if not (all(x == 0 for x, _ in arms.values()) or all(x == n for x, n in arms.values())):
        assert len(report.verdict_paragraphs) == 1


@pytest.mark.parametrize("arms", list(_three_arm_grid()), ids=str)
def test_three_arm_templates_follow_the_rules(arms, fast_engine):
    report = compare_counts(arms)
    _check_rules(report)
    mixed = any(x for x, _ in arms.values()) and not all(x == n for x, n in arms.values())
    if mixed:
        assert report.verdict_paragraphs[0].startswith(f"Across all {len(arms)} arms")


def test_single_arm_empty_control_and_all_answered_follow_the_rules(fast_engine):
    single = compare_counts({"only": (2, 5)})
    _check_rules(single)
    assert "nothing to compare" in single.verdict
    # The control has requests, none counted yet: it stays the control and says so.
    waiting = compare_counts(
        {"new": (2, 5), "third": (0, 4)}, control="default", pending={"default": 3}
    )
    _check_rules(waiting)
    assert waiting.control == "default" and waiting.comparisons == ()
    assert "(control)" not in str(waiting)
    assert waiting.verdict_paragraphs[0].startswith(
        "The control 'default' has no counted request yet (3 still pending)"
    )
    everyone = compare_counts({"default": (5, 5), "new": (5, 5)})
    _check_rules(everyone)
    assert everyone.verdict_paragraphs[0].startswith("Every request in every arm was answered")


def test_the_naive_z_test_alone_never_grants_strength_words():
    # 0 of 2 vs 2 of 4: the naive z-test says p = 0.0455, Boschloo p = 0.41; the old verdict
    # called it "suggestive, not conclusive" on the z-test alone.
    report = compare_counts({"default": (2, 4), "new": (0, 2)})
    (c,) = report.comparisons
    assert c.tests.wald.p_value < 0.05 and c.p_value == pytest.approx(0.4091, abs=1e-4)
    assert STRENGTH_WORDS["unclear"] in report.verdict and "Suggestive" not in report.verdict
    # Whatever the naive test and the Bayesian probability say, the words do not move.
    arm, control = report.arms[1], report.arms[0]
    for wald_p, prob in [(1e-12, 0.9999), (0.9, 0.5), (1e-3, 0.001)]:
        loud = replace(
            c,
            tests=replace(c.tests, wald=replace(c.tests.wald, p_value=wald_p)),
            bayes=replace(c.bayes, prob_better=prob),
        )
        sentence = comparison_sentence(arm, control, loud, alpha=0.05)
        assert STRENGTH_WORDS["unclear"] in sentence and "Suggestive" not in sentence


def test_the_naive_z_test_overstates_only_when_it_does():
    small = compare_counts({"default": (1, 5), "new": (4, 5)})
    assert "The naive z-test's p = 0.0177 overstates the evidence" in small.verdict
    # Thousands per arm: the z-test is accurate (p 0.0495 against Fisher's 0.0533), so nothing
    # is said even though only the naive test is below alpha.
    large = compare_counts({"default": (600, 3000), "new": (662, 3000)})
    (c,) = large.comparisons
    assert c.tests.wald.p_value < 0.05 <= c.p_value < 0.06
    assert "overstates" not in large.verdict and "Suggestive" in large.verdict


def test_strength_reads_the_primary_p_value_after_holm():
    report = compare_counts({"default": (100, 1000), "new": (160, 1000), "third": (125, 1000)})
    for c in report.comparisons:
        paragraph = next(p for p in report.verdict_paragraphs if p.startswith(f"'{c.treatment}'"))
        assert STRENGTH_WORDS[strength(c.p_holm, 0.05)] in paragraph
        assert math.isclose(c.p_holm, min(1.0, 2 * c.p_value)) or c.p_holm >= c.p_value


def test_paragraphs_are_html_paragraphs():
    report = compare_counts({"default": (10, 100), "a": (25, 100), "b": (12, 100)})
    page = report._repr_html_()
    assert len(report.verdict_paragraphs) == 3
    for paragraph in report.verdict_paragraphs:
        assert f"<p>{html.escape(paragraph)}</p>" in page
    assert report.to_dict()["verdict_paragraphs"] == list(report.verdict_paragraphs)
