"""Matching open requests to the export and the mailbox: every rule, ambiguity, idempotence."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import zoneinfo

import pandas as pd
import pytest
import sync_example_spec as example
import sync_fixtures as fx

from etiquette_lab import InvalidInputError, count_outcomes, open_log, pseudonymise, read_requests
from etiquette_lab.sync import (
    match_outcomes,
    read_linkedin_export,
    read_mailbox,
    sync_example_paths,
)

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
ME = "Kim Avsender <kim.avsender@example.net>"


def oslo(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=OSLO)


def requests(*rows: dict) -> pd.DataFrame:
    """A requests table as read_requests gives it (only the columns matching uses)."""
    defaults = {
        "kind": "connection",
        "channel": "linkedin",
        "first_response_at": pd.NaT,
        "withdrawn_at": pd.NaT,
    }
    table = pd.DataFrame(
        [{**defaults, "request_id": f"r{i + 1:04d}", **r} for i, r in enumerate(rows)]
    )
    for column in ("first_sent_at", "first_response_at", "withdrawn_at"):
        table[column] = pd.to_datetime(table[column], utc=True)
    return table


def export_of(tmp_path, files: dict[str, bytes]):
    return read_linkedin_export(fx.write_folder(tmp_path / "export", files), timezone="Europe/Oslo")


def mailbox_of(tmp_path, sent: list[bytes], inbox: list[bytes]):
    (tmp_path / "mail").mkdir(exist_ok=True)
    (tmp_path / "mail" / "Sent").write_bytes(fx.mbox(sent))
    (tmp_path / "mail" / "Inbox").write_bytes(fx.mbox(inbox))
    return read_mailbox([tmp_path / "mail" / "Sent", tmp_path / "mail" / "Inbox"])


def proposed(result) -> list[tuple]:
    frame = result.proposed
    return list(
        zip(frame["request_id"], frame["event"], frame["outcome"], frame["confidence"], strict=True)
    )


def example_proposal(log=None, **options):
    paths = sync_example_paths()
    return match_outcomes(
        read_requests(log or paths["log"]),
        export=read_linkedin_export(paths["linkedin"], timezone="Europe/Oslo"),
        mailbox=read_mailbox(paths["mailboxes"]),
        **options,
    )


# -- the shipped example ----------------------------------------------------------------------


def test_the_shipped_example_is_what_its_builder_writes(tmp_path):
    example.build(tmp_path / "built")
    shipped = sync_example_paths()["log"].parent
    built = sorted(p.relative_to(tmp_path / "built") for p in (tmp_path / "built").rglob("*"))
    assert built == sorted(p.relative_to(shipped) for p in shipped.rglob("*"))
    for relative in built:
        if (shipped / relative).is_file():
            assert (shipped / relative).read_bytes() == (tmp_path / "built" / relative).read_bytes()


def test_the_shipped_example_proposes_exactly_this():
    result = example_proposal()
    assert proposed(result) == [
        ("r0001", "responded", "accepted", "medium"),  # Ada: connected the day after
        ("r0002", "responded", "accepted", "medium"),  # Bjørn: connected the same day
        ("r0004", "responded", "accepted", "medium"),  # Liv
        ("r0008", "responded", "recommended", "medium"),  # Dag
        ("r0010", "responded", "recommended", "medium"),  # Finn: hidden, still written
        ("r0012", "responded", "replied", "medium"),  # Hans: messages.csv
        ("r0014", "responded", "replied", "high"),  # Jon: reply in the thread
        ("r0015", "responded", "replied", "high"),  # Mia: after her automatic reply
        ("r0016", "undelivered", "", "high"),  # Nils: delivery failure report
        ("r0017", "responded", "replied", "low"),  # Pia: a new mail, not in the thread
    ]
    at = dict(zip(result.proposed["request_id"], result.proposed["at"], strict=True))
    assert at["r0001"] == pd.Timestamp(oslo(2026, 1, 6, 23, 59, 59))  # 06 Jan 2026: end of day
    assert at["r0008"] == pd.Timestamp(oslo(2026, 1, 15, 20, 30, 59))  # 08:30 PM: end of minute
    assert at["r0012"] == pd.Timestamp("2026-01-19T15:02:44Z")
    assert at["r0015"] == pd.Timestamp(oslo(2026, 1, 26, 9, 2, 0))  # not the 10:10 auto-reply
    rows = result.proposed.set_index("request_id")
    assert (rows.loc["r0001", "source"].endswith("Connections.csv"), rows.loc["r0001", "row"]) == (
        True,
        5,
    )
    assert (rows.loc["r0016", "row_kind"], rows.loc["r0016", "row"]) == ("message", 4)
    assert result.ambiguous["request_id"].tolist() == ["r0003"]  # two people named Kari Prøve
    reasons = dict(zip(result.unmatched["request_id"], result.unmatched["reason"], strict=True))
    assert list(reasons) == ["r0005", "r0006", "r0009", "r0011", "r0013", "r0018"]
    assert "not among your connections" in reasons["r0005"]
    assert "before the request was sent" in reasons["r0006"]
    assert "written before the request was sent" in reasons["r0009"]
    assert "only automatic replies" in reasons["r0018"] and "Fraværsmelding" in reasons["r0018"]
    assert (result.open_requests, result.closed_requests) == (17, 1)  # r0007 was answered by hand


def test_the_result_prints_renders_and_serialises():
    result = example_proposal()
    text = str(result)
    assert text.startswith("Outcomes found in your archive (dry run: nothing written)")
    assert "Connections.csv line 5" in text and "when (Europe/Oslo)" in text
    assert "Ambiguous: nothing proposed, you decide" in text and "Nothing found (yet)" in text
    assert "A date without a time counts at the end of that day" in text
    html = result._repr_html_()
    assert html.count("<table") == 3
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert data["proposed"][0]["at"] == "2026-01-06T22:59:59+00:00"
    assert data["ambiguous"][0]["request_id"] == "r0003"
    rows = result.log_rows()
    assert rows[0] == {
        "at": "2026-01-06T23:59:59+01:00",
        "event": "responded",
        "request_id": "r0001",
        "outcome": "accepted",
        "note": "sync: Connections.csv line 5 (full name: connected on or after the day of the "
        "send; medium confidence)",
    }


def test_writing_the_proposals_then_running_again_proposes_nothing(tmp_path):
    log_path = tmp_path / "asks.csv"
    shutil.copy(sync_example_paths()["log"], log_path)
    first = example_proposal(log_path)
    log = open_log(log_path)
    for row in first.log_rows():
        if row["event"] == "responded":  # the log gains `undelivered` in the next round
            log.respond(row["request_id"], outcome=row["outcome"], at=row["at"], note=row["note"])
    again = example_proposal(log_path)
    assert proposed(again) == [("r0016", "undelivered", "", "high")]
    table = read_requests(log_path)
    table["undelivered_at"] = pd.Series(pd.NaT, index=table.index, dtype="datetime64[ns, UTC]")
    table.loc[table["request_id"] == "r0016", "undelivered_at"] = first.proposed["at"].iloc[8]
    paths = sync_example_paths()
    third = match_outcomes(
        table,
        export=read_linkedin_export(paths["linkedin"], timezone="Europe/Oslo"),
        mailbox=read_mailbox(paths["mailboxes"]),
    )
    assert third.proposed.empty
    assert third.closed_requests == 11 and third.open_requests == 7
    assert third.ambiguous["request_id"].tolist() == ["r0003"]  # still left to the user


def test_a_pseudonymised_log_matches_with_the_key_and_only_with_it():
    key = b"a key for the test"
    table = read_requests(sync_example_paths()["log"])
    plain = example_proposal()
    table["recipient"] = [pseudonymise(name, key) for name in table["recipient"]]
    paths = sync_example_paths()
    sources = {
        "export": read_linkedin_export(paths["linkedin"], timezone="Europe/Oslo"),
        "mailbox": read_mailbox(paths["mailboxes"]),
    }
    hidden = match_outcomes(table, key=key, **sources)
    assert proposed(hidden) == proposed(plain)
    assert hidden.proposed["rule"].iloc[0].startswith("pseudonymised name")
    assert hidden.ambiguous["request_id"].tolist() == ["r0003"]
    with pytest.raises(InvalidInputError, match=r"pseudonymised .* give the pseudonym key"):
        match_outcomes(table, **sources)
    wrong = match_outcomes(table, key=b"someone else's key", **sources)
    assert wrong.proposed.empty
    assert wrong.unknown_recipients == wrong.open_requests == 17
    assert hidden.unknown_recipients == 2  # Ole (no connection) and Gro (no recommendation)
    assert any("none of the 17 recipients appears in the sources" in n for n in wrong.notes)


# -- connection requests ----------------------------------------------------------------------


def connections_export(tmp_path, people, **options):
    return export_of(tmp_path, {"Connections.csv": fx.connections(people, **options)})


ADA = {"first": "Ada", "last": "Eksempel", "slug": "ada-eksempel-1"}


@pytest.mark.parametrize(
    ("connected", "expected"),
    [
        (dt.date(2026, 1, 5), "accepted"),  # the day of the send (before the send's hour)
        (dt.date(2026, 1, 9), "accepted"),
        (dt.date(2026, 1, 4), "connected on 2026-01-04, before the request was sent"),
    ],
)
def test_connected_on_or_after_the_day_of_the_send(tmp_path, connected, expected):
    export = connections_export(tmp_path, [{**ADA, "on": connected}])
    result = match_outcomes(
        requests({"recipient": "ada  EKSEMPEL", "first_sent_at": oslo(2026, 1, 5, 16)}),
        export=export,
    )
    if expected == "accepted":
        assert proposed(result) == [("r0001", "responded", "accepted", "medium")]
        assert result.proposed["precision"].iloc[0] == "day"
    else:
        assert result.unmatched["reason"].tolist() == [expected]


def test_a_send_late_in_the_evening_uses_the_users_own_day(tmp_path):
    # 23:30 in Oslo on the 5th is 22:30 UTC on the 5th; in UTC+13 it would be the 6th already.
    export = connections_export(tmp_path, [{**ADA, "on": dt.date(2026, 1, 5)}])
    table = requests({"recipient": "Ada Eksempel", "first_sent_at": oslo(2026, 1, 5, 23, 30)})
    assert proposed(match_outcomes(table, export=export))[0][2] == "accepted"


def test_a_withdrawn_request_is_not_accepted_afterwards(tmp_path):
    sent, withdrawn = oslo(2026, 1, 5, 10), oslo(2026, 1, 8, 12)
    cases = [
        (dt.date(2026, 1, 7), "proposed"),
        (dt.date(2026, 1, 8), "ambiguous"),  # the day of the withdrawal: the export has no time
        (dt.date(2026, 1, 9), "after the request was withdrawn"),
    ]
    for on, expected in cases:
        export = connections_export(tmp_path / str(on), [{**ADA, "on": on}])
        table = requests(
            {"recipient": "Ada Eksempel", "first_sent_at": sent, "withdrawn_at": withdrawn}
        )
        result = match_outcomes(table, export=export)
        if expected == "proposed":
            assert len(result.proposed) == 1
        elif expected == "ambiguous":
            assert "the day the request was withdrawn" in result.ambiguous["reason"].iloc[0]
        else:
            assert expected in result.unmatched["reason"].iloc[0]


def test_the_profile_url_decides_before_the_name(tmp_path):
    people = [
        {
            "first": "Ada",
            "last": "Gift-Eksempel",
            "slug": "ada-eksempel-1",
            "on": dt.date(2026, 1, 7),
        },
        {"first": "Ada", "last": "Eksempel", "slug": "ada-eksempel-2", "on": dt.date(2026, 1, 8)},
    ]
    export = connections_export(tmp_path, people)
    sent = oslo(2026, 1, 5, 10)
    by_url = requests(
        {
            "recipient": "Ada Eksempel",
            "first_sent_at": sent,
            "profile_url": "http://linkedin.com/in/Ada-Eksempel-1/",
        }
    )
    result = match_outcomes(by_url, export=export)
    assert proposed(result) == [("r0001", "responded", "accepted", "high")]
    assert result.proposed["row"].iloc[0] == 5  # the first person, renamed since
    # A URL that is nowhere in the export: a namesake with another URL is another person.
    elsewhere = requests(
        {
            "recipient": "Ada Eksempel",
            "first_sent_at": sent,
            "profile_url": "https://www.linkedin.com/in/ada-eksempel-3",
        }
    )
    assert match_outcomes(elsewhere, export=export).proposed.empty
    # An old export without URLs: the name is all there is (medium confidence).
    old = connections_export(tmp_path / "old", people[1:], with_url=False)
    assert proposed(match_outcomes(elsewhere, export=old))[0][3] == "medium"


def test_the_email_address_decides_before_the_name(tmp_path):
    people = [{**ADA, "last": "Nyttnavn", "email": "Ada@Example.org", "on": dt.date(2026, 1, 7)}]
    table = requests(
        {
            "recipient": "Ada Eksempel",
            "first_sent_at": oslo(2026, 1, 5, 10),
            "email": "ada@example.org",
        }
    )
    result = match_outcomes(table, export=connections_export(tmp_path, people))
    assert proposed(result) == [("r0001", "responded", "accepted", "high")]
    assert result.proposed["rule"].iloc[0].startswith("e-mail address")


def test_two_candidates_for_one_request_are_left_to_the_user(tmp_path):
    people = [
        {**ADA, "on": dt.date(2026, 1, 7)},
        {**ADA, "slug": "ada-eksempel-2", "on": dt.date(2019, 3, 12)},
    ]
    result = match_outcomes(
        requests({"recipient": "Ada Eksempel", "first_sent_at": oslo(2026, 1, 5, 10)}),
        export=connections_export(tmp_path, people),
    )
    assert result.proposed.empty
    assert (
        result.ambiguous["candidates"].iloc[0] == "Connections.csv line 5; Connections.csv line 6"
    )


def test_one_candidate_for_two_requests_is_left_to_the_user(tmp_path):
    export = connections_export(tmp_path, [{**ADA, "on": dt.date(2026, 1, 9)}])
    table = requests(
        {"recipient": "Ada Eksempel", "first_sent_at": oslo(2026, 1, 5, 10)},
        {"recipient": "Ada Eksempel", "first_sent_at": oslo(2026, 1, 6, 10)},
        {"recipient": "Bo Fiktiv", "first_sent_at": oslo(2026, 1, 6, 10)},
    )
    result = match_outcomes(table, export=export)
    assert result.proposed.empty
    assert result.ambiguous["request_id"].tolist() == ["r0001", "r0002"]
    assert (
        "the same item answers 2 open requests (r0001, r0002)" in result.ambiguous["reason"].iloc[0]
    )


def test_a_date_only_acceptance_is_counted_honestly_by_the_outcome_window(tmp_path, log_path):
    # Sent 5 Jan 10:00; a 7-day window ends 12 Jan 10:00. "12 Jan" may be after that: the
    # acceptance counts at 23:59:59 and so falls outside; "11 Jan" lies wholly inside.
    from etiquette_lab import create_log

    people = [
        {**ADA, "on": dt.date(2026, 1, 12)},
        {"first": "Bo", "last": "Fiktiv", "slug": "bo", "on": dt.date(2026, 1, 11)},
    ]
    log = create_log(log_path, variants=["a", "b"])
    log.send("Ada Eksempel", "a", kind="connection", at=oslo(2026, 1, 5, 10))
    log.send("Bo Fiktiv", "b", kind="connection", at=oslo(2026, 1, 5, 10))
    result = match_outcomes(log.requests(), export=connections_export(tmp_path, people))
    for row in result.log_rows():
        log.respond(row["request_id"], outcome=row["outcome"], at=row["at"], note=row["note"])
    counts = count_outcomes(log.requests(), window="7d", as_of="2026-03-01")
    assert counts.response_counts == {"a": (0, 1), "b": (1, 1)}
    window_end = dt.datetime(2026, 1, 12, 10, tzinfo=OSLO)
    assert result.proposed["at"].iloc[0] - pd.Timestamp(window_end) == pd.Timedelta(
        hours=13, minutes=59, seconds=59
    )


# -- recommendations and messages -------------------------------------------------------------


def test_the_first_recommendation_after_the_send_hidden_or_not(tmp_path):
    received = [
        {"first": "Ada", "last": "Eksempel", "at": dt.datetime(2025, 1, 3, 9, 0)},
        {
            "first": "Ada",
            "last": "Eksempel",
            "at": dt.datetime(2026, 1, 20, 9, 0),
            "status": "HIDDEN",
        },
        {"first": "Ada", "last": "Eksempel", "at": dt.datetime(2026, 1, 9, 9, 0)},
    ]
    export = export_of(
        tmp_path,
        {
            "Recommendations_Received.csv": fx.recommendations(received),
            "Recommendations_Given.csv": fx.recommendations(received),
        },
    )
    table = requests(
        {
            "recipient": "Ada Eksempel",
            "kind": "recommendation",
            "first_sent_at": oslo(2026, 1, 5, 10),
        }
    )
    result = match_outcomes(table, export=export)
    assert proposed(result) == [("r0001", "responded", "recommended", "medium")]
    assert result.proposed["row"].iloc[0] == 4
    assert result.proposed["at"].iloc[0] == pd.Timestamp(oslo(2026, 1, 9, 9, 0, 59))


def message(sender, slug, moment, **extra):
    return {"from": sender, "from_slug": slug, "to": ["Kim Avsender"], "at": moment, **extra}


def test_a_message_ask_is_answered_by_their_first_message_after_the_send(tmp_path):
    items = [
        message("Ada Eksempel", "ada-1", dt.datetime(2026, 1, 4, 9, 0)),  # before the send
        message("Kim Avsender", "kim", dt.datetime(2026, 1, 5, 9, 0, 5)),  # the ask itself
        message("Ada Eksempel", "ada-1", dt.datetime(2026, 1, 6, 7, 0), draft=True),
        message("Ada Eksempel", "ada-1", dt.datetime(2026, 1, 6, 8, 30, 12)),
        message("Ada Eksempel", "ada-1", dt.datetime(2026, 1, 7, 8, 0)),
    ]
    export = export_of(tmp_path, {"messages.csv": fx.messages(items)})
    table = requests(
        {
            "recipient": "Ada Eksempel",
            "kind": "informational interview",
            "first_sent_at": oslo(2026, 1, 5, 10),
        }
    )
    result = match_outcomes(table, export=export)
    assert proposed(result) == [("r0001", "responded", "replied", "medium")]
    assert result.proposed["at"].iloc[0] == pd.Timestamp("2026-01-06T08:30:12Z")
    by_url = table.assign(profile_url="https://www.linkedin.com/in/ada-1")
    assert proposed(match_outcomes(by_url, export=export))[0][3] == "high"


def test_messages_from_namesakes_are_left_to_the_user(tmp_path):
    items = [
        message("Ada Eksempel", "ada-1", dt.datetime(2026, 1, 6, 8, 0)),
        message("Ada Eksempel", "ada-2", dt.datetime(2026, 1, 7, 8, 0)),
    ]
    export = export_of(tmp_path, {"messages.csv": fx.messages(items)})
    table = requests(
        {
            "recipient": "Ada Eksempel",
            "kind": "informational interview",
            "first_sent_at": oslo(2026, 1, 5, 10),
        }
    )
    result = match_outcomes(table, export=export)
    assert result.proposed.empty and len(result.ambiguous) == 1
    assert "more than one person" in result.ambiguous["reason"].iloc[0]


def test_requests_without_a_rule_or_without_their_source(tmp_path):
    export = connections_export(tmp_path, [{**ADA, "on": dt.date(2026, 1, 9)}])
    table = requests(
        {"recipient": "Ada Eksempel", "kind": "endorsement", "first_sent_at": oslo(2026, 1, 5)},
        {
            "recipient": "Ada Eksempel",
            "kind": "coffee",
            "channel": "phone",
            "first_sent_at": oslo(2026, 1, 5),
        },
        {
            "recipient": "Ada Eksempel",
            "kind": "cold email",
            "channel": "email",
            "first_sent_at": oslo(2026, 1, 5),
        },
        {"recipient": "Ada Eksempel", "kind": "recommendation", "first_sent_at": oslo(2026, 1, 5)},
    )
    reasons = match_outcomes(table, export=export).unmatched["reason"].tolist()
    assert reasons[0].startswith("no rule reads a 'endorsement' on 'linkedin'")
    assert reasons[1].startswith("no rule reads a 'coffee' on 'phone'")
    assert reasons[2] == "an e-mail request: give your mailbox to look for the reply"
    assert reasons[3].startswith("the export has no Recommendations_Received.csv")


# -- e-mail -----------------------------------------------------------------------------------


SENT_AT = oslo(2026, 1, 19, 10, 0, 30)


def ask(to="Ada Eksempel <ada@example.org>", at=SENT_AT, mid="ask@example.net", **extra):
    return fx.mail(sender=ME, to=to, subject="Kaffe?", at=at, message_id=mid, **extra)


def reply(mid, at, *, to_id="ask@example.net", sender="Ada Eksempel <ada@example.org>", **extra):
    refs = {"in_reply_to": to_id, "references": [to_id]} if to_id else {}
    return fx.mail(
        sender=sender, to=ME, subject="Re: Kaffe?", at=at, message_id=mid, **refs, **extra
    )


def email_request(**extra):
    return requests(
        {
            "recipient": "Ada Eksempel",
            "kind": "cold email",
            "channel": "email",
            "first_sent_at": oslo(2026, 1, 19, 10, 0),
            **extra,
        }
    )


def test_the_first_reply_in_the_thread_skipping_automatic_ones(tmp_path):
    inbox = [
        reply("auto@x", oslo(2026, 1, 19, 10, 0, 40), extra=["X-Autoreply: yes"]),
        fx.mail(
            sender="Ada Eksempel <ada@example.org>",
            to=ME,
            subject="Other",
            at=oslo(2026, 1, 20),
            message_id="other@x",
        ),  # from her, but not in the thread: the thread wins
        reply("re@x", oslo(2026, 1, 21, 8, 0)),
        reply("re2@x", oslo(2026, 1, 22, 8, 0), to_id="re@x"),
    ]
    result = match_outcomes(email_request(), mailbox=mailbox_of(tmp_path, [ask()], inbox))
    assert proposed(result) == [("r0001", "responded", "replied", "high")]
    assert result.proposed["row"].iloc[0] == 3
    assert result.proposed["rule"].iloc[0] == "reply in the thread of your mail (Sent message 1)"


def test_a_reply_outside_the_thread_is_low_confidence_and_labelled(tmp_path):
    inbox = [reply("new@x", oslo(2026, 1, 21, 8, 0), to_id=None)]
    result = match_outcomes(email_request(), mailbox=mailbox_of(tmp_path, [ask()], inbox))
    assert proposed(result) == [("r0001", "responded", "replied", "low")]
    assert "not in the thread" in result.proposed["rule"].iloc[0]
    assert any("low confidence" in note for note in result.notes)


def test_a_bounce_marks_the_request_undelivered(tmp_path):
    bounce = fx.delivery_report(
        to=ME,
        failed="ada@example.org",
        original_id="ask@example.net",
        at=oslo(2026, 1, 19, 10, 1),
        message_id="dsn@x",
    )
    result = match_outcomes(email_request(), mailbox=mailbox_of(tmp_path, [ask()], [bounce]))
    assert proposed(result) == [("r0001", "undelivered", "", "high")]
    # A failure report that names only the address (no copy of the mail) is low confidence.
    lone = bounce.replace(b"Message-ID: <ask@example.net>\n", b"")
    result = match_outcomes(email_request(), mailbox=mailbox_of(tmp_path, [ask()], [lone]))
    assert proposed(result) == [("r0001", "undelivered", "", "low")]
    # A delay warning is no bounce, and no answer either.
    delayed = fx.delivery_report(
        to=ME,
        failed="ada@example.org",
        original_id="ask@example.net",
        at=oslo(2026, 1, 19, 14),
        message_id="dsn2@x",
        action="delayed",
    )
    result = match_outcomes(email_request(), mailbox=mailbox_of(tmp_path, [ask()], [delayed]))
    assert result.proposed.empty
    assert (
        result.unmatched["reason"].iloc[0].startswith("no reply to your mail from ada@example.org")
    )


def test_the_sent_mail_is_found_by_address_first_and_near_the_logged_send(tmp_path):
    sent = [ask(to="Someone Else <ada@example.org>")]
    inbox = [reply("re@x", oslo(2026, 1, 21, 8, 0))]
    by_address = email_request(email="ADA@example.org")
    assert (
        proposed(match_outcomes(by_address, mailbox=mailbox_of(tmp_path, sent, inbox)))[0][3]
        == "high"
    )
    # By name, the To: name must be hers; and the mail must be within sent_within of the send.
    far = [ask(at=oslo(2026, 1, 21, 10, 0))]
    later = [reply("re@x", oslo(2026, 1, 22, 8, 0))]
    result = match_outcomes(email_request(), mailbox=mailbox_of(tmp_path, far, later))
    assert "no mail of yours to them within 1 day" in result.unmatched["reason"].iloc[0]
    wide = match_outcomes(
        email_request(), mailbox=mailbox_of(tmp_path, far, later), sent_within="3d"
    )
    assert proposed(wide) == [("r0001", "responded", "replied", "high")]


def test_a_thread_answer_comes_after_the_mail_it_answers(tmp_path):
    # Logged at 10:00, mailed at 10:30 (a wrong clock, or the send logged early): a mail in the
    # thread dated 10:10 cannot be its answer; the fallback finds the later one from her.
    sent = [ask(at=oslo(2026, 1, 19, 10, 30))]
    inbox = [reply("early@x", oslo(2026, 1, 19, 10, 10)), reply("re@x", oslo(2026, 1, 19, 12))]
    result = match_outcomes(email_request(), mailbox=mailbox_of(tmp_path, sent, inbox))
    assert result.proposed["row"].tolist() == [2]


def test_two_separate_sent_mails_are_left_to_the_user(tmp_path):
    sent = [ask(), ask(mid="ask2@example.net", at=oslo(2026, 1, 19, 15))]
    inbox = [reply("re@x", oslo(2026, 1, 21, 8, 0))]
    result = match_outcomes(email_request(), mailbox=mailbox_of(tmp_path, sent, inbox))
    assert result.proposed.empty
    assert result.ambiguous["reason"].iloc[0] == "2 separate mails to them within 1 day of the send"


def test_one_reply_claimed_by_two_requests_is_left_to_the_user(tmp_path):
    table = requests(
        {
            "recipient": "Ada Eksempel",
            "kind": "cold email",
            "channel": "email",
            "first_sent_at": oslo(2026, 1, 19, 10, 0),
            "email": "ada@example.org",
        },
        {
            "recipient": "Ada Eksempel",
            "kind": "cold email",
            "channel": "email",
            "first_sent_at": oslo(2026, 1, 19, 11, 0),
            "email": "ada@example.org",
        },
    )
    inbox = [reply("new@x", oslo(2026, 1, 21, 8, 0), to_id=None)]
    result = match_outcomes(table, mailbox=mailbox_of(tmp_path, [], inbox))
    assert result.proposed.empty and result.ambiguous["request_id"].tolist() == ["r0001", "r0002"]


def test_empty_tables_and_an_empty_mailbox(tmp_path):
    files = {"Connections.csv": fx.connections([]), "messages.csv": fx.messages([]),
             "Recommendations_Received.csv": fx.recommendations([])}  # fmt: skip
    export = export_of(tmp_path, files)
    table = requests(
        {"recipient": "Ada Eksempel", "first_sent_at": oslo(2026, 1, 5)},
        {"recipient": "Ada Eksempel", "kind": "recommendation", "first_sent_at": oslo(2026, 1, 5)},
        {"recipient": "Ada Eksempel", "kind": "coffee", "first_sent_at": oslo(2026, 1, 5)},
        {"recipient": "Ada Eksempel", "kind": "cold email", "channel": "email",
         "first_sent_at": oslo(2026, 1, 5), "email": "ada@example.org"},
    )  # fmt: skip
    result = match_outcomes(table, export=export, mailbox=mailbox_of(tmp_path, [], []))
    assert result.proposed.empty and len(result.unmatched) == 4
    assert match_outcomes(table.iloc[:0], export=export).open_requests == 0


# -- bad input --------------------------------------------------------------------------------


def test_bad_calls_are_one_clear_error(tmp_path):
    export = connections_export(tmp_path, [{**ADA, "on": dt.date(2026, 1, 9)}])
    with pytest.raises(InvalidInputError, match="give a LinkedIn export, a mailbox, or both"):
        match_outcomes(requests({"recipient": "Ada", "first_sent_at": oslo(2026, 1, 5)}))
    with pytest.raises(InvalidInputError, match="lacks the columns: channel"):
        match_outcomes(
            requests({"recipient": "Ada", "first_sent_at": oslo(2026, 1, 5)}).drop(
                columns="channel"
            ),
            export=export,
        )
    with pytest.raises(InvalidInputError, match="not a duration"):
        match_outcomes(
            requests({"recipient": "Ada", "first_sent_at": oslo(2026, 1, 5)}),
            export=export,
            sent_within="soon",
        )
