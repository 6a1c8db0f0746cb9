"""A log's report end to end: window outcome, time to response, JSON and the plot agree."""

from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from etiquette_lab import (
    compare_counts,
    compare_requests,
    create_log,
    example_log_as_of,
    example_log_path,
    plot_report,
    read_requests,
)
from etiquette_lab.cli import main


@pytest.fixture
def finished_log(log_path):
    """Every request either answered within a week or silent for over a week: nothing pending."""
    log = create_log(log_path, variants=["default", "personalised"])
    start = pd.Timestamp("2026-01-05T09:00+01:00")
    delays = {"default": [1.5, None, None, None, 9.0], "personalised": [0.0, 2.0, 2.0, 6.5, None]}
    for variant, days in delays.items():
        for i, delay in enumerate(days):
            rid = log.send(f"{variant} {i}", variant, at=start + pd.Timedelta(hours=i))
            if delay is not None:
                log.respond(rid, at=start + pd.Timedelta(hours=i) + pd.Timedelta(days=delay))
    return log_path


def test_window_outcome_and_kaplan_meier_agree_when_nothing_is_pending(finished_log):
    as_of = "2026-03-01T00:00+01:00"
    report = compare_requests(read_requests(finished_log), window="7d", as_of=as_of)
    assert report.pending == 0
    by_arm = {a.name: a for a in report.arms}
    curves = {a.name: a for a in report.time_to_response.arms}
    # Hand count: default 1 of 5 within 7 days (the day-9 answer is late), personalised 4 of 5.
    assert (by_arm["default"].responded, by_arm["personalised"].responded) == (1, 4)
    for name in ("default", "personalised"):
        # No censoring before day 7, so Kaplan-Meier's P(by day 7) is the plain proportion.
        assert curves[name].p_by_window == pytest.approx(by_arm[name].rate, abs=1e-12)


def test_pending_requests_are_censored_not_failures(finished_log):
    # As of day 3, the windows are open: the window outcome waits, the curves use what is known.
    report_as_of = "2026-01-08T09:00+01:00"
    table = read_requests(finished_log)
    with pytest.raises(Exception, match="nothing to report"):
        compare_requests(table, window="7d", as_of=report_as_of)
    later = compare_requests(table, window="2d", as_of=report_as_of)
    assert later.time_to_response is not None and later.time_to_response.window_days == 2.0


def test_the_article_table_and_its_json(capsys):
    assert main(["compare", "default=1/5", "personalised=4/5", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    tests = data["comparisons"][0]["tests"]
    # The figures, each checked against its reference in tests/test_stats_*.py.
    assert round(tests["fisher"]["p_value"], 3) == 0.206
    assert round(tests["boschloo"]["p_value"], 3) == 0.109
    assert round(tests["chi2"]["p_value"], 3) == 0.058
    assert data["time_to_response"] is None  # counts have no times


def test_report_json_has_the_time_to_response_section(capsys, tmp_path):
    as_of = example_log_as_of().isoformat()
    plot = tmp_path / "report.png"
    code = main(
        ["report", str(example_log_path()), "--as-of", as_of, "--json", "--plot", str(plot)]
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    section = data["time_to_response"]
    assert {a["name"] for a in section["arms"]} == {a["name"] for a in data["arms"]}
    for arm in section["arms"]:
        assert {"median_days", "p_by_window", "p_by_window_ci_low", "n", "responded"} <= set(arm)
    assert 0 <= section["logrank"]["p_value"] <= 1 and section["window_days"] == 7.0
    assert data["arms"][0]["name"] == data["control"] == "default"  # the control leads
    assert plot.stat().st_size > 10_000


def test_report_text_shows_both_sections(capsys):
    main(["report", str(example_log_path()), "--as-of", example_log_as_of().isoformat()])
    out = capsys.readouterr().out
    assert (
        "Response rates by arm" in out
        and "Time to first response, any answer (Kaplan-Meier)" in out
    )
    assert "Log-rank test" in out


def test_plot_report_draws_one_or_two_panels():
    counts_only = compare_counts({"default": (1, 5), "personalised": (4, 5)})
    assert len(plot_report(counts_only)) == 1
    full = compare_requests(read_requests(example_log_path()), as_of=example_log_as_of())
    axes = plot_report(full)
    assert len(axes) == 2 and axes[1].get_title().startswith("Time to first response")
    plt.close("all")


def test_window_status_lists_the_rows_behind_the_counts(finished_log):
    from etiquette_lab import count_outcomes, window_status

    table = read_requests(finished_log)
    as_of = "2026-01-09T09:00+01:00"  # day 4: every window still open
    status = window_status(table, as_of=as_of)
    assert (status["status"] == "pending").all() and len(status) == 10
    assert not status["responded"].any()  # pending: not counted yet ...
    # ... but four answers had come by day 4 (1.5 days default; 0, 2, 2 days personalised).
    assert status["answered_so_far"].sum() == 4
    later = window_status(table, as_of="2026-03-01")
    counts = count_outcomes(table, as_of="2026-03-01")
    for arm in counts.arms:
        rows = later[later["variant"] == arm.name]
        assert (rows["status"] == "evaluated").sum() == arm.evaluated
        assert rows["succeeded"].sum() == arm.succeeded


def test_strata_without_groups_is_said_not_faked(finished_log, capsys):
    report = compare_requests(read_requests(finished_log), as_of="2026-03-01", strata=True)
    assert report.stratified is None
    assert any("no strata" in note for note in report.notes)


def test_report_with_strata_prints_the_pooled_odds_ratios(capsys):
    code = main(
        [
            "report",
            str(example_log_path()),
            "--as-of",
            example_log_as_of().isoformat(),
            "--strata",
            "--json",
        ]
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data["stratified"]) == {"personalised", "personalised_short"}


def test_an_as_of_before_any_send_says_so(finished_log, capsys):
    assert main(["report", str(finished_log), "--as-of", "2025-01-01"]) == 2
    assert "no request had been sent" in capsys.readouterr().err


def test_a_success_outcome_typo_is_refused(finished_log, capsys):
    code = main(["report", str(finished_log), "--as-of", "2026-03-01", "--success", "recomended"])
    assert code == 2 and "did you mean 'recommended'" in capsys.readouterr().err


def test_withdrawn_then_answered_in_the_window_counts_in_rates_and_curves(log_path):
    log = create_log(log_path)
    start = pd.Timestamp("2026-01-05T09:00+01:00")
    rid = log.send("Ada", "default", at=start)
    log.withdraw(rid, at=start + pd.Timedelta(days=2))
    log.respond(rid, at=start + pd.Timedelta(days=3))  # a late yes is still a yes
    log.send("Bo", "default", at=start)
    report = compare_requests(read_requests(log_path), as_of="2026-03-01")
    arm = report.arms[0]
    assert (arm.responded, arm.n) == (1, 2)
    assert report.time_to_response.arms[0].p_by_window == pytest.approx(arm.rate)
