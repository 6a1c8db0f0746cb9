"""The tables and paragraphs a notebook shows: rounded as the sentences round, control first.

Each table is checked against the counts it comes from (counted here by hand) and, where it
shows a statistic, against an independent computation named in the comment.
"""

from __future__ import annotations

import html
import math
import re

import mpmath
import pandas as pd
import pytest
from statsmodels.stats.contingency_tables import StratifiedTable
from test_outcomes import make_requests

from etiquette_lab.analyse.outcomes import arm_overview, compare_requests, count_outcomes
from etiquette_lab.analyse.timing import time_to_response_from_durations
from etiquette_lab.planning.power import exact_power, power_curve
from etiquette_lab.results import Paragraphs
from etiquette_lab.stats import compare_counts

ARTICLE = {"default": (1, 5), "personalised": (4, 5)}


def test_the_notebook_display_shows_the_rounded_table_the_text_shows():
    report = compare_counts(ARTICLE)
    page = report._repr_html_()
    # The same words as the printed table and the verdict: 3.6% to 62.4%, +60.0 points.
    for shown in ("3.6% to 62.4%", "37.6% to 96.4%", "+60.0", "-0.03 to +83.2", "0.109"):
        assert shown in page and shown in str(report)
    assert "0.03604" not in page and "0.6" not in re.findall(r">([0-9.]+)<", page)
    assert report.rounded_summary.equals(report._text_frame())


def test_a_single_figure_result_shows_no_stray_row_label():
    page = exact_power(5, 5, 0.2, 0.8)._repr_html_()
    assert "<th>0</th>" not in page and "37.6%" in page


def test_a_numbered_table_shows_no_row_numbers_in_a_notebook():
    curve = power_curve(0.2, 0.8, n=[5, 6, 7])
    page = curve._repr_html_()
    assert "<th>0</th>" not in page and "<th>1</th>" not in page and "37.6%" in page
    assert str(curve).splitlines()[3].split()[0] == "0"  # the printed text keeps them


def test_paragraphs_wrap_when_printed_and_are_paragraphs_in_a_notebook():
    words = "word " * 60
    text = Paragraphs((words.strip(), "a <b> & c"))
    printed = str(text).split("\n\n")
    assert len(printed) == 2 and all(len(line) <= 100 for line in printed[0].splitlines())
    assert text._repr_html_().endswith("<p>a &lt;b&gt; &amp; c</p>")


def test_the_verdict_text_is_the_verdict_in_paragraphs():
    report = compare_counts({"default": (10, 100), "a": (25, 100), "b": (12, 100)})
    shown = report.verdict_text
    assert shown.paragraphs == report.verdict_paragraphs and len(shown.paragraphs) == 3
    page = shown._repr_html_()
    assert page.count("<p>") == 3
    for paragraph in report.verdict_paragraphs:
        assert f"<p>{html.escape(paragraph)}</p>" in page
    assert " ".join(str(shown).split()) == " ".join(report.verdict.split())
    assert max(len(line) for line in str(shown).splitlines()) <= 100


def test_successes_beside_any_responses_count_the_declines():
    rows = (
        [("new", {"respond_day": 1})] * 3
        + [("new", {"respond_day": 2, "outcome": "declined"})] * 2
        + [("new", {})]
        + [("default", {"respond_day": 3})]
        + [("default", {"respond_day": 1, "outcome": "declined"})]
        + [("default", {})] * 3
    )
    report = compare_requests(make_requests(rows), as_of="2025-06-01T00:00Z", timing=False)
    table = report.responses_table()
    assert table.index.tolist() == ["default", "new"]  # the control first
    # By hand: default 5 evaluated, 1 yes, 2 answers; new 6 evaluated, 3 yes, 5 answers.
    assert table.loc["default"].tolist() == [5, 1, 2, 1, "20%", "40%"]
    assert table.loc["new"].tolist() == [6, 3, 5, 2, "50%", "83.3%"]


def test_without_declines_both_counts_agree():
    table = compare_counts(ARTICLE).responses_table()
    assert (table["successes"] == table["any response"]).all()
    assert (table["not a success"] == 0).all()


def test_the_bayes_table_matches_an_independent_integral():
    report = compare_counts(ARTICLE)
    table = report.bayes_table()
    # P(p1 > p0) for Beta(5, 2) against Beta(2, 5) (uniform priors), by mpmath quadrature:
    # integral of f1(x) * F0(x) dx.
    mpmath.mp.dps = 30
    beta0 = mpmath.beta(2, 5)
    better = mpmath.quad(
        lambda x: x**4 * (1 - x) / mpmath.beta(5, 2) * mpmath.betainc(2, 5, 0, x) / beta0, [0, 1]
    )
    assert float(better) == pytest.approx(report.comparisons[0].bayes.prob_better, abs=1e-9)
    assert table.loc["personalised", "P(better)"] == f"{float(better):.2f}" == "0.96"
    low, high = (report.comparisons[0].bayes.ci_low, report.comparisons[0].bayes.ci_high)
    assert table.loc["personalised", "95% credible interval (points)"] == (
        f"{100 * low:+.1f} to {100 * high:+.1f}"
    )
    assert table.index.tolist() == ["personalised"]


def test_the_stratified_table_matches_statsmodels():
    strata = {
        "close": {"default": (2, 10), "new": (6, 10)},
        "far": {"default": (1, 10), "new": (3, 10)},
    }
    report = compare_counts({"default": (3, 20), "new": (9, 20)}, strata=strata)
    row = report.stratified_table().loc["new"]
    # statsmodels: each stratum as [[new yes, new no], [control yes, control no]].
    reference = StratifiedTable([[[6, 4], [2, 8]], [[3, 7], [1, 9]]])
    pooled = report.stratified["new"]
    assert reference.oddsratio_pooled == pytest.approx(5.0)  # 3.75 / 0.75 by hand
    low, high = reference.oddsratio_pooled_confint(alpha=0.05)
    assert row["Mantel-Haenszel odds ratio"] == f"{reference.oddsratio_pooled:.3g}"
    assert row["95% CI"] == f"{low:.3g} to {high:.3g}"
    p = reference.test_null_odds(correction=pooled.correction).pvalue
    assert row["CMH p"] == f"{p:.3g}"
    assert row["odds ratio, ignoring strata"] == f"{report.comparisons[0].odds_ratio.estimate:.3g}"


def test_no_strata_gives_an_empty_stratified_table():
    assert compare_counts(ARTICLE).stratified_table().empty


def test_the_curve_differences_say_what_is_missing_instead_of_nan():
    young = time_to_response_from_durations(
        {"default": ([1, 2], [False, False]), "new": ([0.5, 3], [False, False])}, window=7
    )
    row = young.differences_table().loc["new"].tolist()
    assert row[:3] == ["not estimable yet", "-", "not defined yet"] and row[3]
    assert "nan" not in young.differences_table().to_string().lower()


def test_the_curve_differences_match_a_log_rank_computed_by_hand():
    report = time_to_response_from_durations(
        {
            "default": ([3, 9, 9, 9], [False, False, False, False]),
            "personal": ([1, 2, 9, 9], [True, True, False, False]),
        },
        window=7,
    )
    # By hand (R's survdiff, rho = 0): at day 1, 4 + 4 at risk, 1 answer: E = 1/2,
    # V = 4 * 4 * 1 * 7 / (8^2 * 7) = 1/4; at day 2, 3 + 4 at risk: E = 3/7, V = 12/49.
    observed_minus_expected = 2 - (1 / 2 + 3 / 7)
    chi2 = observed_minus_expected**2 / (1 / 4 + 12 / 49)
    p = math.erfc(math.sqrt(chi2 / 2))  # chi-square with 1 df
    row = report.differences_table().loc["personal"]
    assert row["log-rank p"] == f"{p:.3g}" == "0.128"
    d = report.differences[0]
    assert row["difference by day 7 (points)"] == f"{100 * d.difference:+.1f}" == "+50.0"


def test_counts_list_the_control_first():
    rows = [("personalised", {"respond_day": 1}), ("default", {}), ("short", {})]
    table = make_requests(rows)
    counts = count_outcomes(table, as_of="2025-06-01T00:00Z")
    assert [a.name for a in counts.arms] == ["default", "personalised", "short"]
    chosen = count_outcomes(table, as_of="2025-06-01T00:00Z", control="short")
    assert [a.name for a in chosen.arms] == ["short", "personalised", "default"]
    assert counts.summary.index.tolist()[0] == "default"


def test_the_strata_table_counts_each_cell():
    rows = (
        [("new", {"respond_day": 1, "stratum": "close"})] * 2
        + [("new", {"stratum": "far"})]
        + [("default", {"stratum": "close"})] * 3
        + [("default", {"respond_day": 2, "stratum": "far"})]
    )
    counts = count_outcomes(make_requests(rows), as_of="2025-06-01T00:00Z", strata=True)
    table = counts.strata_table()
    assert table.columns.tolist() == ["default", "new"]
    assert table.loc["close"].tolist() == ["0 of 3 (0%)", "2 of 2 (100%)"]
    assert table.loc["far"].tolist() == ["1 of 1 (100%)", "0 of 1 (0%)"]
    assert count_outcomes(make_requests(rows), as_of="2025-06-01T00:00Z").strata_table().empty


def test_the_arm_overview_counts_the_whole_log():
    rows = (
        [("new", {"respond_day": 1})] * 2
        + [("new", {"respond_day": 1, "outcome": "declined"})]
        + [("new", {"withdraw_day": 3})]
        + [("default", {})] * 2
    )
    table = make_requests(rows)
    table.loc[4, "reminders"] = 1
    overview = arm_overview(table)
    assert overview.index.tolist() == ["default", "new"]
    assert overview.loc["new"].to_dict() == {
        "declined": 1,
        "recommended": 2,
        "no answer yet": 1,
        "reminded": 0,
        "withdrawn": 1,
        "requests": 4,
    }
    assert overview.loc["default"].to_dict() == {
        "declined": 0,
        "recommended": 0,
        "no answer yet": 2,
        "reminded": 1,
        "withdrawn": 0,
        "requests": 2,
    }
    assert isinstance(overview, pd.DataFrame)
