"""Requests table -> counts: window, as-of, pending, withdrawn, re-sent, success, strata."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from etiquette_lab.analyse.outcomes import (
    compare_requests,
    count_outcomes,
    parse_window,
    window_status,
)
from etiquette_lab.errors import InvalidInputError

T0 = pd.Timestamp("2025-03-01T09:00", tz="UTC")
LATER = "2025-06-01T00:00Z"


def make_requests(rows):
    """A requests table in the contract's layout from (variant, dict of overrides) rows."""
    records = []
    for i, (variant, spec) in enumerate(rows):
        sent = T0 + pd.Timedelta(days=spec.get("sent_day", 0))
        first = spec.get("respond_day")
        first_at = sent + pd.Timedelta(days=first) if first is not None else pd.NaT
        last_day = spec.get("last_day", first)
        last_at = sent + pd.Timedelta(days=last_day) if last_day is not None else pd.NaT
        withdrawn = spec.get("withdraw_day")
        records.append(
            {
                "request_id": f"r{i}",
                "experiment": spec.get("experiment", ""),
                "recipient": f"p{i}",
                "variant": variant,
                "kind": "recommendation",
                "channel": "linkedin",
                "stratum": spec.get("stratum", ""),
                "assignment": "",
                "score": float("nan"),
                "message": "",
                "first_sent_at": sent,
                "last_sent_at": sent + pd.Timedelta(days=spec.get("resend_day", 0)),
                "sends": 1 + ("resend_day" in spec),
                "reminders": 0,
                "last_reminded_at": pd.NaT,
                "withdrawn_at": sent + pd.Timedelta(days=withdrawn)
                if withdrawn is not None
                else pd.NaT,
                "responses": int(first is not None),
                "first_response_at": first_at,
                "first_outcome": spec.get("outcome", "recommended") if first is not None else pd.NA,
                "last_response_at": last_at,
                "outcome": spec.get("last_outcome", spec.get("outcome", "recommended"))
                if first is not None
                else pd.NA,
                "thanked_at": pd.NaT,
            }
        )
    return pd.DataFrame(records)


def article_rows():
    yes, no = {"respond_day": 2}, {}
    return (
        [("default", yes)]
        + [("default", no)] * 4
        + [("personalised", yes)] * 4
        + [("personalised", no)]
    )


def test_article_log_gives_the_article_counts_and_p_values():
    table = make_requests(article_rows())
    counts = count_outcomes(table, as_of=LATER)
    assert counts.success_counts == {"default": (1, 5), "personalised": (4, 5)}
    report = compare_requests(table, as_of=LATER)
    # Fisher two-sided for 4/5 vs 1/5 is 13/63 (hypergeometric by hand; R fisher.test)
    assert report.comparisons[0].tests.fisher.p_value == pytest.approx(13 / 63, rel=1e-12)
    assert report.window == "7d" and report.pending == 0 and report.any_response is None


def test_response_after_the_window_is_a_non_response():
    table = make_requests([("a", {"respond_day": 8}), ("a", {"respond_day": 6.9})])
    assert count_outcomes(table, as_of=LATER).success_counts == {"a": (1, 2)}
    assert count_outcomes(table, window="9d", as_of=LATER).success_counts == {"a": (2, 2)}
    assert count_outcomes(table, window=None, as_of=LATER).success_counts == {"a": (2, 2)}


def test_open_windows_are_pending_even_if_already_answered():
    table = make_requests([("a", {"respond_day": 1}), ("a", {}), ("a", {"sent_day": -30})])
    as_of = T0 + pd.Timedelta(days=3)
    counts = count_outcomes(table, as_of=as_of)
    (arm,) = counts.arms
    assert (arm.sent, arm.pending, arm.evaluated, arm.succeeded) == (3, 2, 1, 0)
    report = compare_requests(table, as_of=as_of)
    assert report.pending == 2 and report.arms[0].pending == 2
    assert "2 requests are still pending" in report.verdict


def test_requests_sent_after_as_of_are_ignored():
    table = make_requests([("a", {"respond_day": 1}), ("a", {"sent_day": 50})])
    counts = count_outcomes(table, as_of=T0 + pd.Timedelta(days=20))
    assert counts.success_counts == {"a": (1, 1)} and counts.sent_after_as_of == 1


def test_withdrawn_within_the_window_is_left_out_after_it_is_not():
    table = make_requests(
        [
            ("a", {"withdraw_day": 2}),
            ("a", {"withdraw_day": 10}),
            ("a", {"respond_day": 1, "withdraw_day": 3}),
        ]
    )
    (arm,) = count_outcomes(table, as_of=LATER).arms
    assert (arm.withdrawn, arm.evaluated, arm.succeeded) == (1, 2, 1)


def test_resending_does_not_restart_the_window():
    # sent on day 0, re-sent on day 5, answered on day 9: outside 7 days from the first send
    table = make_requests([("a", {"resend_day": 5, "respond_day": 9})])
    assert count_outcomes(table, as_of=LATER).success_counts == {"a": (0, 1)}


def test_declines_are_responses_not_successes_and_both_comparisons_are_reported():
    rows = (
        [("default", {"respond_day": 1})]
        + [("default", {})] * 4
        + [("pushy", {"respond_day": 1, "outcome": "declined"})] * 3
        + [("pushy", {"respond_day": 1})]
    )
    table = make_requests([*rows, ("pushy", {})])
    counts = count_outcomes(table, as_of=LATER)
    assert counts.success_counts["pushy"] == (1, 5) and counts.response_counts["pushy"] == (4, 5)
    assert counts.outcomes == {"declined": 3, "recommended": 2}
    report = compare_requests(table, as_of=LATER)
    assert report.comparisons[0].difference.estimate == pytest.approx(0.0)
    assert report.any_response is not None
    assert report.any_response.comparisons[0].difference.estimate == pytest.approx(0.6)
    assert "any response" in report.any_response.outcome


def test_a_later_positive_response_within_the_window_counts():
    table = make_requests(
        [
            (
                "a",
                {
                    "respond_day": 1,
                    "outcome": "replied",
                    "last_day": 3,
                    "last_outcome": "recommended",
                },
            )
        ]
    )
    assert count_outcomes(table, success=["recommended"], as_of=LATER).success_counts == {
        "a": (1, 1)
    }
    assert count_outcomes(table, success="accepted", as_of=LATER).success_counts == {"a": (0, 1)}


def test_strata_are_counted_and_compared():
    rows = [
        ("default", {"stratum": "close", "respond_day": 1}),
        ("default", {"stratum": "close"}),
        ("default", {"stratum": "far"}),
        ("b", {"stratum": "close", "respond_day": 1}),
        ("b", {"stratum": "far", "respond_day": 1}),
        ("b", {}),
    ]
    counts = count_outcomes(make_requests(rows), as_of=LATER, strata=True)
    assert counts.strata_success == {
        "(none)": {"b": (0, 1)},
        "close": {"b": (1, 1), "default": (1, 2)},
        "far": {"b": (1, 1), "default": (0, 1)},
    }
    report = compare_requests(make_requests(rows), as_of=LATER, strata=True)
    assert report.stratified["b"].strata == 2  # the "(none)" stratum has one request only


def test_arm_without_closed_windows_is_left_out_with_a_note():
    table = make_requests([*article_rows(), ("new", {"sent_day": 90})])
    report = compare_requests(table, as_of=T0 + pd.Timedelta(days=92))
    assert [a.name for a in report.arms] == ["default", "personalised"]
    assert any("'new' is left out" in note for note in report.notes)
    assert report.sample_ratio.observed == {"default": 5, "personalised": 5}


def test_a_control_without_closed_windows_stays_the_control_and_says_so():
    # The control's three requests went out on day 90, so on day 92 none is counted. No other
    # arm may be labelled "(control)" or be compared against in its place.
    rows = [("default", {"sent_day": 90})] * 3
    rows += [("personalised", {"respond_day": 1})] * 2 + [("personalised", {})] * 3
    rows += [("short", {})] * 4
    report = compare_requests(make_requests(rows), as_of=T0 + pd.Timedelta(days=92))
    assert report.control == "default" and report.comparisons == ()
    assert [a.name for a in report.arms] == ["personalised", "short"]
    text = str(report)
    assert "(control)" not in text and "nan" not in text
    assert report.verdict_paragraphs[0].startswith(
        "The control 'default' has no counted request yet (3 still pending): there is nothing "
        "to compare the other wordings with."
    )
    assert not any("'default' is left out" in note for note in report.notes)
    assert report.time_to_response.control == "default"
    # Naming the control explicitly gives the same report, not an error.
    same = compare_requests(
        make_requests(rows), as_of=T0 + pd.Timedelta(days=92), control="default"
    )
    assert same.verdict == report.verdict


def test_withdrawal_wins_over_pending_until_an_answer_comes_in_the_window():
    # docs/methods.md, "From the log to counts": withdrawn on day 2 of a 7-day window.
    rows = [
        ("a", {"withdraw_day": 2}),  # never answered
        ("a", {"withdraw_day": 2, "respond_day": 4}),  # a late yes inside the window
        ("a", {"withdraw_day": 2, "respond_day": 9}),  # answered after the window
        ("a", {}),  # not withdrawn: pending, then a non-response
    ]
    table = make_requests(rows)
    expected = {
        3: ["withdrawn", "withdrawn", "withdrawn", "pending"],
        5: ["withdrawn", "pending", "withdrawn", "pending"],
        8: ["withdrawn", "evaluated", "withdrawn", "evaluated"],
    }
    for day, statuses in expected.items():
        status = window_status(table, as_of=T0 + pd.Timedelta(days=day))
        assert status["status"].tolist() == statuses, day
    counts = count_outcomes(table, as_of=T0 + pd.Timedelta(days=8))
    assert counts.success_counts == {"a": (1, 2)} and counts.arms[0].withdrawn == 2


def test_nothing_closed_yet_is_a_clear_error():
    table = make_requests(article_rows())
    with pytest.raises(InvalidInputError, match="nothing to report"):
        compare_requests(table, as_of=T0 + pd.Timedelta(days=1))


def test_several_experiments_must_be_chosen():
    table = make_requests(
        [("a", {"experiment": "x", "respond_day": 1}), ("a", {"experiment": "y"})]
    )
    with pytest.raises(InvalidInputError, match="several experiments") as caught:
        count_outcomes(table, as_of=LATER)
    assert str(caught.value).endswith(
        "choose one with experiment=NAME (the unnamed one is experiment='')"
    )
    assert count_outcomes(table, experiment="x", as_of=LATER).success_counts == {"a": (1, 1)}


def test_naive_as_of_is_local_time():
    # tests/conftest.py fixes local time to Europe/Oslo (UTC+1 in March)
    if os.environ.get("TZ") != "Europe/Oslo":
        pytest.skip("needs the Europe/Oslo time zone that tests/conftest.py sets")
    table = make_requests([("a", {"respond_day": 1})])
    # the 7-day window closes at 2025-03-08 09:00 UTC = 10:00 in Oslo
    assert count_outcomes(table, as_of="2025-03-08T09:59").arms[0].pending == 1
    assert count_outcomes(table, as_of="2025-03-08T10:01").arms[0].pending == 0
    assert count_outcomes(table, as_of="2025-03-08T09:59Z").arms[0].pending == 0


@pytest.mark.parametrize(("text", "days"), [("7d", 7), ("2w", 14), ("48h", 2), ("7 days", 7)])
def test_window_parsing(text, days):
    assert parse_window(text) == pd.Timedelta(days=days)


@pytest.mark.parametrize("bad", ["seven days", "-3d", "0d", "7x"])
def test_bad_windows_and_times_are_clear_errors(bad):
    with pytest.raises(InvalidInputError):
        parse_window(bad)
    with pytest.raises(InvalidInputError, match="as-of time"):
        count_outcomes(make_requests(article_rows()), as_of="yesterday-ish")


def test_missing_columns_are_named():
    with pytest.raises(InvalidInputError, match="first_sent_at"):
        count_outcomes(pd.DataFrame({"variant": ["a"]}))
