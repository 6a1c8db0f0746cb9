"""Every etiquette check on hand-built requests tables: fires at its threshold, not before."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest

from etiquette_lab.design.messages import builtin_template
from etiquette_lab.errors import InvalidInputError
from etiquette_lab.followup.etiquette import (
    CHECKS,
    EtiquetteSettings,
    check_etiquette,
    short_ids,
    short_names,
    todo_list,
)
from etiquette_lab.timestamps import parse_as_of

T0 = pd.Timestamp("2026-03-01T09:00Z")
DEFAULT_NOTE = "I'd like to add you to my professional network on LinkedIn."


def day(n: float) -> pd.Timestamp:
    return T0 + pd.Timedelta(days=n)


def request(n: int = 1, *, sent: float = 0, **changes) -> dict:
    """One row of the requests table as the contract describes it (a pending request)."""
    row = dict(
        request_id=f"r{n:04d}", experiment="", recipient=f"Person {n}", variant="personalised",
        kind="recommendation", channel="linkedin", stratum="", assignment="", score=0.8,
        message="Hi, about our project...", first_sent_at=day(sent), last_sent_at=day(sent),
        sends=1, reminders=0, last_reminded_at=pd.NaT, withdrawn_at=pd.NaT, responses=0,
        first_response_at=pd.NaT, first_outcome=None, last_response_at=pd.NaT, outcome=None,
        thanked_at=pd.NaT,
    )  # fmt: skip
    row.update(changes)
    return row


def answered(n: int = 1, *, sent: float = 0, at: float = 1, outcome="recommended", **changes):
    """An answered request, thanked the same day unless ``thanked_at`` says otherwise."""
    fields = dict(
        responses=1, first_response_at=day(at), last_response_at=day(at), first_outcome=outcome,
        outcome=outcome, thanked_at=day(at),
    )  # fmt: skip
    return request(n, sent=sent, **{**fields, **changes})


def table(*rows: dict) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows))
    for column in [c for c in frame.columns if c.endswith("_at")]:
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def checks(rows, *, as_of=None, **kwargs) -> list[tuple[str, str]]:
    report = check_etiquette(table(*rows), as_of=day(1) if as_of is None else as_of, **kwargs)
    return [(f.check, f.recipient) for f in report.findings]


# -- repeat-request (rule 3) ---------------------------------------------------------------


def test_a_request_sent_twice_is_fine_and_a_third_time_is_a_finding():
    assert checks([answered(sends=2)]) == []
    assert checks([answered(sends=3)]) == [("repeat-request", "Person 1")]


def test_separate_requests_of_one_kind_to_one_person_add_up():
    first = answered(1, withdrawn_at=day(0.5), recipient="Zoë Berg", sends=2)
    again = answered(2, sent=0.6, recipient="  zoë berg ")
    report = check_etiquette(table(first, again), as_of=day(2))
    finding = report.findings[0]
    assert (finding.check, finding.request_ids) == ("repeat-request", ("r0001", "r0002"))
    assert "3 times in 2 separate requests" in finding.message
    # A different kind to the same person is a different request.
    assert (
        checks([answered(1, recipient="Zoë"), answered(2, recipient="Zoë", kind="connection")])
        == []
    )


def test_max_sends_is_a_setting():
    strict = EtiquetteSettings(max_sends=1)
    assert checks([answered(sends=2)], settings=strict) == [("repeat-request", "Person 1")]


# -- request-burst (rule 9) ------------------------------------------------------------------


def test_two_recommendation_requests_a_month_are_fine_three_are_a_burst():
    assert checks([answered(1, sent=0), answered(2, sent=29)], as_of=day(40)) == []
    found = check_etiquette(
        table(answered(1, sent=0), answered(2, sent=10), answered(3, sent=29.9)), as_of=day(40)
    ).findings
    assert [(f.check, f.request_ids) for f in found] == [
        ("request-burst", ("r0001", "r0002", "r0003"))
    ]
    assert "3 recommendation requests between 2026-03-01 and 2026-03-31" in found[0].message


def test_the_window_is_thirty_days_half_open():
    # Exactly 30 days apart: the first has left the window when the third is sent.
    assert (
        checks([answered(1, sent=0), answered(2, sent=10), answered(3, sent=30)], as_of=day(40))
        == []
    )


def test_a_long_burst_is_one_finding_and_separate_bursts_are_two():
    rows = [answered(n, sent=n) for n in range(1, 7)] + [
        answered(n, sent=100 + n) for n in range(7, 10)
    ]
    found = check_etiquette(table(*rows), as_of=day(200)).findings
    assert [len(f.request_ids) for f in found] == [6, 3]
    assert "up to 6 within 30 days" in found[0].message


def test_the_article_experiment_ten_requests_at_once_is_a_burst_and_strict_reading_is_one():
    rows = [answered(n, sent=0) for n in range(1, 11)]
    assert [c for c, _ in checks(rows, as_of=day(7))].count("request-burst") == 1
    strict = EtiquetteSettings(max_recommendation_requests=1)
    assert checks([answered(1, sent=0), answered(2, sent=29)], as_of=day(40), settings=strict) == [
        ("request-burst", "Person 1, Person 2")
    ]


def test_connection_requests_do_not_count_towards_a_burst():
    rows = [answered(n, sent=0, kind="connection", outcome="accepted") for n in range(1, 6)]
    assert checks(rows, as_of=day(2)) == []


# -- remind and withdraw (rule 7) -----------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "expected"),
    [(13.9, []), (14, ["remind"]), (59.9, ["remind"]), (60, ["withdraw"]), (400, ["withdraw"])],
)
def test_pending_recommendation_requests_by_age(age, expected):
    assert [c for c, _ in checks([request()], as_of=day(age))] == expected


def test_age_counts_from_the_last_send_and_a_reminder_is_sent_once():
    assert checks([request(last_sent_at=day(10))], as_of=day(20)) == []
    reminded = request(reminders=1, last_reminded_at=day(15))
    assert checks([reminded], as_of=day(40)) == []
    assert checks([reminded], as_of=day(60)) == [("withdraw", "Person 1")]
    twice = EtiquetteSettings(max_reminders=2)
    assert checks([reminded], as_of=day(28), settings=twice) == []
    assert checks([reminded], as_of=day(29), settings=twice) == [("remind", "Person 1")]


def test_answered_or_withdrawn_or_other_kinds_are_not_followed_up():
    assert checks([answered(outcome="declined")], as_of=day(100)) == []
    assert checks([request(withdrawn_at=day(3))], as_of=day(100)) == []
    assert checks([request(kind="connection")], as_of=day(100)) == []
    both = EtiquetteSettings(follow_up_kinds=("recommendation", "connection"))
    assert checks([request(kind="connection")], as_of=day(100), settings=both) == [
        ("withdraw", "Person 1")
    ]


def test_remind_only_people_you_know_well_when_strata_are_given():
    close = EtiquetteSettings(remind_strata=("close colleague",))
    rows = [request(1, stratum="close colleague"), request(2, stratum="senior")]
    assert checks(rows, as_of=day(20), settings=close) == [("remind", "Person 1")]
    assert checks(rows, as_of=day(61), settings=close) == [
        ("withdraw", "Person 1"),
        ("withdraw", "Person 2"),
    ]


# -- early-reminder (rule 7) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("reminded", "early"),
    # T0 is 09:00 UTC; day(13.5) is 22:00 in Oslo on 14 March: by that evening 13.6 days.
    [(0, True), (3, True), (13.5, True), (14, False), (30, False)],
)
def test_a_reminder_before_a_couple_of_weeks_is_early(reminded, early):
    row = request(reminders=1, last_reminded_at=day(reminded))
    found = checks([row], as_of=day(reminded))
    assert (("early-reminder", "Person 1") in found) is early


def test_an_early_reminder_says_when_and_how_soon():
    row = request(reminders=1, last_reminded_at=day(3))
    (found,) = check_etiquette(table(row), as_of=day(4)).findings
    assert found.message == (
        "recommendation request to Person 1 reminded on 2026-03-04, 3 days after it was sent "
        "(on 2026-03-01); the article reminds after a couple of weeks (14 days)"
    )
    assert found.detail == "reminded 3 days after the send (2026-03-04)"
    assert (found.action, found.since, found.age_days) == ("", day(0), 3.0)
    assert found.rule == CHECKS["early-reminder"].rule
    same_day = request(reminders=1, last_reminded_at=day(0.25))
    (found,) = check_etiquette(table(same_day), as_of=day(1)).findings
    assert found.detail == "reminded less than a day after the send (2026-03-01)"


@pytest.mark.parametrize("sent", ["2026-03-01T00:00+01:00", "2026-03-01T09:00+01:00",
                                  "2026-03-01T23:30+01:00", "2026-03-25T12:00+01:00"])  # fmt: skip
def test_a_reminder_is_early_exactly_when_that_days_todo_list_did_not_ask_for_it(sent):
    # The two never contradict: remind on the day the list says, and the check is clean.
    # (25 March: the clocks go forward on the 29th, so the days are not all 24 hours.)
    sent_at = pd.Timestamp(sent)
    pending = request(first_sent_at=sent_at, last_sent_at=sent_at)
    seen = set()
    for hours in range(12 * 24, 16 * 24, 5):
        at = sent_at + pd.Timedelta(hours=hours)
        that_day = str(at.tz_convert("Europe/Oslo").date())
        asked = [i.action for i in todo_list(table(pending), as_of=that_day).items] == ["remind"]
        reminded = {**pending, "reminders": 1, "last_reminded_at": at}
        found = check_etiquette(table(reminded), as_of=at).findings
        early = [f.check for f in found] == ["early-reminder"]
        assert early is not asked, (at, asked, [f.check for f in found])
        seen.add(early)
    assert seen == {True, False}


def test_early_reminders_follow_the_settings():
    row = request(reminders=1, last_reminded_at=day(3))
    assert checks([row], as_of=day(4), settings=EtiquetteSettings(remind_after_days=3)) == []
    nudged = request(kind="connection", reminders=1, last_reminded_at=day(2))
    assert checks([nudged], as_of=day(3)) == []  # LinkedIn reminds connection invitations
    both = EtiquetteSettings(follow_up_kinds=("recommendation", "connection"))
    assert checks([nudged], as_of=day(3), settings=both) == [("early-reminder", "Person 1")]


def test_from_a_table_the_last_reminder_is_judged_against_the_sends_it_shows():
    # Resent on day 10 after a reminder on day 5: the table shows the first send, so day 5
    # is 5 days after it was sent.
    resent = request(sends=2, last_sent_at=day(10), reminders=1, last_reminded_at=day(5))
    assert checks([resent], as_of=day(11)) == [("early-reminder", "Person 1")]
    # Resent on day 10, reminded on day 12: 2 days after the resend.
    found = check_etiquette(
        table(request(sends=2, last_sent_at=day(10), reminders=1, last_reminded_at=day(12))),
        as_of=day(13),
    ).findings
    assert [(f.check, f.detail) for f in found] == [
        ("early-reminder", "reminded 2 days after the resend (2026-03-13)")
    ]


# -- not-thanked (rule 8) ------------------------------------------------------------------


def test_a_recommendation_received_must_be_thanked():
    found = check_etiquette(table(answered(at=3, thanked_at=pd.NaT)), as_of=day(5)).findings
    assert [(f.check, f.action, f.since) for f in found] == [("not-thanked", "thank", day(3))]
    assert found[0].age_days == pytest.approx(2.0)
    assert checks([answered(at=3, thanked_at=day(4))], as_of=day(5)) == []
    assert checks([answered(at=3, outcome="declined")], as_of=day(5)) == []
    # "Yes, soon" first, the recommendation later: the latest outcome counts too.
    later = answered(at=3, thanked_at=pd.NaT, first_outcome="replied", outcome="recommended")
    assert checks([later], as_of=day(5)) == [("not-thanked", "Person 1")]


# -- default-connection-note (rule 1) ------------------------------------------------------


def connection(n=1, **changes):
    fields = dict(kind="connection", outcome="accepted", message=DEFAULT_NOTE, score=0.0)
    return answered(n, **{**fields, **changes})


def test_the_default_connection_note_outside_a_control_arm_is_a_finding():
    assert DEFAULT_NOTE == builtin_template("linkedin-connection-default")
    assert checks([connection()]) == [("default-connection-note", "Person 1")]
    # A word changed is still the default note; a real note is not.
    assert checks([connection(message=DEFAULT_NOTE.replace("LinkedIn", "Linkedin!"))]) != []
    assert checks([connection(message="Hi Zoë, great to meet you at the Bergen meetup!")]) == []


def test_the_control_arm_of_an_experiment_may_use_the_default_note():
    in_control = connection(experiment="notes", variant="default")
    assert checks([in_control]) == []
    assert checks([in_control], controls={"notes": "generic"}) == [
        ("default-connection-note", "Person 1")
    ]
    assert (
        checks([connection(experiment="notes", variant="generic")], controls={"notes": "generic"})
        == []
    )
    # Without an experiment there is no control arm, whatever the variant is called.
    assert checks([connection(experiment="", variant="default")]) != []


def test_without_a_logged_message_the_score_decides():
    assert checks([connection(message="", score=0.05)]) == [("default-connection-note", "Person 1")]
    assert checks([connection(message="", score=0.6)]) == []
    assert checks([connection(message="", score=float("nan"))]) == []


# -- the report, the to-do list, as-of and settings -------------------------------------------


def test_clean_log_and_empty_log():
    assert check_etiquette(table(answered(thanked_at=day(2))), as_of=day(3)).ok
    empty = check_etiquette(table(request()).iloc[:0], as_of=day(3))
    assert empty.ok and empty.n_requests == 0
    assert "No findings among 0 requests" in str(empty)
    assert todo_list(table(request()).iloc[:0], as_of=day(3)).to_frame().empty


def test_requests_sent_after_as_of_are_ignored():
    assert checks([request(sent=10)], as_of=day(5)) == []


def test_the_todo_list_orders_thank_remind_withdraw_with_reasons():
    rows = [
        request(1, sent=0),
        request(2, sent=-100),
        answered(3, at=-1, thanked_at=pd.NaT),
        request(4, sent=-20),
    ]
    todo = todo_list(table(*rows), as_of=day(15))
    frame = todo.to_frame()
    assert frame[["action", "recipient"]].values.tolist() == [
        ["thank", "Person 3"],
        ["remind", "Person 4"],
        ["remind", "Person 1"],
        ["withdraw", "Person 2"],
    ]
    assert frame.loc[3, "reason"].startswith(
        "recommendation request to Person 2 unanswered for 115 days"
    )
    assert list(frame.columns) == [
        "action",
        "recipient",
        "request_ids",
        "kind",
        "since",
        "age_days",
        "reason",
        "detail",
        "rule",
    ]
    text = str(todo)
    assert text.startswith("To do") and "4 things to do as of 2026-03-16" in text
    assert "<table" in todo._repr_html_()


def test_report_prints_rules_and_serialises_to_strict_json():
    report = check_etiquette(table(answered(sends=3)), as_of=day(2))
    assert "repeat-request: Do not send the same request more than twice" in str(report)
    data = json.loads(report.to_json())
    assert data["findings"][0]["check"] == "repeat-request"
    assert data["findings"][0]["age_days"] is None  # NaN becomes null
    assert report.findings[0].rule == CHECKS["repeat-request"].rule


def test_every_check_documents_its_settings():
    names = {f for c in CHECKS.values() for f in c.settings}
    assert names == set(EtiquetteSettings.__dataclass_fields__)


def test_as_of_parsing():
    assert parse_as_of("2026-03-05T10:00+01:00") == pd.Timestamp("2026-03-05T09:00Z")
    # A bare date is the end of that day, local time (Europe/Oslo in the tests).
    assert parse_as_of("2026-03-05") == pd.Timestamp("2026-03-05T22:59:59.999999Z")
    with pytest.raises(InvalidInputError, match="not an ISO 8601"):
        parse_as_of("yesterday")


@pytest.mark.parametrize(
    "bad",
    [
        dict(max_sends=-1),
        dict(max_sends=1.5),
        dict(remind_after_days=0),
        dict(max_default_distance=2),
        dict(withdraw_after_days=10),
        dict(burst_window_days=float("nan")),
    ],
)
def test_bad_settings_are_refused(bad):
    with pytest.raises(InvalidInputError):
        EtiquetteSettings(**bad)


def test_a_table_without_a_needed_column_is_named():
    with pytest.raises(InvalidInputError, match="no 'thanked_at' column"):
        check_etiquette(table(request()).drop(columns="thanked_at"), as_of=day(1))


def test_the_documentation_lists_every_check_and_setting_with_its_default():
    text = (Path(__file__).resolve().parents[1] / "docs" / "etiquette.md").read_text(
        encoding="utf-8"
    )
    for check in CHECKS:
        assert f"| `{check}` |" in text, check
    for field in dataclasses.fields(EtiquetteSettings):
        default = field.default
        shown = ", ".join(default) if isinstance(default, tuple) else f"{default:g}"
        if isinstance(default, tuple) and not default:
            shown = "everyone"
        assert f"`{field.name}` ({shown})" in text, field.name


def test_printed_tables_shorten_ids_and_names_but_to_frame_keeps_all():
    rows = [request(n, sent=n / 24, recipient=f"Person Number {n}") for n in range(1, 41)]
    report = check_etiquette(table(*rows), as_of=day(2))
    burst = report.findings[0]
    assert burst.check == "request-burst" and len(burst.recipients) == 40
    summary = report.summary
    assert list(summary.columns) == ["check", "requests", "recipient", "finding"]
    assert summary.loc[0, "requests"] == "r0001, r0002, ... (+38)"
    # As many names as fit in 30 characters with the count: "Person Number 1 and 39 more".
    assert summary.loc[0, "recipient"] == "Person Number 1 and 39 more"
    assert summary.loc[0, "finding"] == "40 requests, up to 40 within 30 days (max 2)"
    frame = report.to_frame()
    assert frame.loc[0, "request_ids"] == ", ".join(f"r{n:04d}" for n in range(1, 41))
    assert frame.loc[0, "recipient"] == ", ".join(f"Person Number {n}" for n in range(1, 41))
    assert frame.loc[0, "message"].startswith("40 recommendation requests between 2026-03-01")
    assert max(len(line) for line in str(report).splitlines()) <= 120


def test_repeat_requests_to_one_person_show_their_request_ids():
    rows = [answered(1, recipient="Zoë Berg", sends=2), answered(2, sent=40, recipient="Zoë Berg")]
    report = check_etiquette(table(*rows), as_of=day(50))
    assert report.summary.values.tolist() == [
        [
            "repeat-request",
            "r0001, r0002",
            "Zoë Berg",
            "sent 3 times in 2 separate requests (max 2)",
        ]
    ]


def test_short_names_and_ids_edge_cases():
    assert short_ids([]) == "" and short_ids(["r1"]) == "r1"
    assert short_ids(["a", "b", "c", "d"], keep=1) == "a, ... (+3)"
    long = "A" * 50
    assert short_names([long]) == long  # one name is never cut
    assert short_names([long, "B"]) == f"{long} and 1 more"
    assert short_names(["Ada", "Bo", "Cy"], width=30) == "Ada, Bo, Cy"
