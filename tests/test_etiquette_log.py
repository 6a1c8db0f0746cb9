"""The checks and the to-do list end to end, through a real log file."""

from __future__ import annotations

import pandas as pd

from etiquette_lab.etiquette import check_etiquette, todo_list
from etiquette_lab.log import create_log, open_log

NOTE = "I'd like to add you to my professional network on LinkedIn."


def build(log_path):
    log = create_log(log_path, experiment="recs", variants=["default", "personalised"])
    ada = log.send(
        "Ada Berg", "personalised", at="2026-03-01T09:00+01:00", stratum="close colleague"
    )
    zoe = log.send("Zoë Lid", "default", at="2026-03-02T09:00+01:00", stratum="senior")
    orjan = log.send("Ørjan Dal", "personalised", at="2026-03-03T09:00+01:00")
    log.respond(ada, at="2026-03-05T10:00+01:00")
    log.respond(orjan, outcome="declined", at="2026-03-04T10:00+01:00")
    connect = log.send(
        "Bo Ek",
        "default",
        kind="connection",
        experiment="",
        message=NOTE,
        at="2026-03-02T12:00+01:00",
    )
    log.respond(connect, at="2026-03-03T12:00+01:00")
    return log, ada, zoe


def test_findings_through_a_real_log(log_path):
    log, _, _ = build(log_path)
    report = check_etiquette(log_path, as_of="2026-03-20")
    found = sorted((f.check, f.recipient) for f in report.findings)
    assert found == [
        ("default-connection-note", "Bo Ek"),
        ("not-thanked", "Ada Berg"),
        ("remind", "Zoë Lid"),
        ("request-burst", "Ada Berg, Zoë Lid, Ørjan Dal"),
    ]
    assert report.n_requests == 4
    # The same through an open LogFile and through its requests table.
    assert check_etiquette(log, as_of="2026-03-20").findings == report.findings
    assert check_etiquette(log.requests(), as_of="2026-03-20").findings == report.findings


def test_following_the_todo_list_empties_it(log_path):
    log, ada, zoe = build(log_path)
    todo = todo_list(log_path, as_of="2026-03-20").to_frame()
    assert todo[["action", "recipient"]].values.tolist() == [
        ["thank", "Ada Berg"],
        ["remind", "Zoë Lid"],
    ]
    log.thank(ada, at="2026-03-20T08:00+01:00")
    log.remind(zoe, at="2026-03-20T08:05+01:00")
    assert todo_list(log_path, as_of="2026-03-20").to_frame().empty
    # Two months after the last send, nothing but withdrawing is left for Zoë.
    later = todo_list(log_path, as_of="2026-05-02").to_frame()
    assert later[["action", "recipient"]].values.tolist() == [["withdraw", "Zoë Lid"]]
    log.withdraw(zoe, at="2026-05-02T09:00+02:00")
    assert todo_list(log_path, as_of="2026-05-03").to_frame().empty


def test_as_of_rewinds_the_log(log_path):
    log, ada, _ = build(log_path)
    log.thank(ada, at="2026-03-25T08:00+01:00")
    # On 20 March the thank-you had not happened yet; on 26 March it had.
    assert "not-thanked" in {
        f.check for f in check_etiquette(log_path, as_of="2026-03-20").findings
    }
    assert "not-thanked" not in {
        f.check for f in check_etiquette(log_path, as_of="2026-03-26").findings
    }
    # Before anything was sent there is nothing to check.
    assert check_etiquette(log_path, as_of="2026-02-01").ok


def test_a_resent_request_counts_towards_repeats(log_path):
    log = create_log(log_path)
    rid = log.send(
        "Ada",
        "default",
        kind="connection",
        message="Hi Ada, from the Bergen meetup",
        at="2026-01-01",
    )
    log.resend(rid, at="2026-01-10")
    assert check_etiquette(open_log(log_path), as_of="2026-01-11").ok
    again = log.send("ada", "default", kind="connection", message="Hi again Ada", at="2026-01-20")
    report = check_etiquette(log_path, as_of="2026-01-21")
    assert [(f.check, f.request_ids) for f in report.findings] == [("repeat-request", (rid, again))]
    assert pd.isna(report.to_frame().loc[0, "age_days"])
