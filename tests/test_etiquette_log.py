"""The checks and the to-do list end to end, through a real log file."""

from __future__ import annotations

import json

import pandas as pd

from etiquette_lab.cli import main
from etiquette_lab.followup.etiquette import check_etiquette, todo_list
from etiquette_lab.log.file import create_log, open_log

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


def test_every_reminder_of_a_log_is_judged(log_path):
    log = create_log(log_path)
    twice = log.send("Ada", "default", at="2026-03-01T09:00+01:00")
    log.remind(twice, at="2026-03-16T09:00+01:00")  # 15 days: on time
    log.remind(twice, at="2026-03-20T09:00+01:00")  # 4 days after the first reminder
    again = log.send("Zoë", "default", at="2026-03-01T09:00+01:00")
    log.resend(again, at="2026-03-10T09:00+01:00")
    log.remind(again, at="2026-03-20T09:00+01:00")  # 10 days after the resend
    found = check_etiquette(log_path, as_of="2026-03-21").findings
    assert [(f.check, f.recipient, f.detail) for f in found if f.check == "early-reminder"] == [
        ("early-reminder", "Ada", "reminded 4 days after the previous reminder (2026-03-20)"),
        ("early-reminder", "Zoë", "reminded 10 days after the resend (2026-03-20)"),
    ]
    # As of a day before the second reminder, it had not happened.
    assert "early-reminder" not in {
        f.check for f in check_etiquette(log_path, as_of="2026-03-17").findings
    }
    # A requests table no longer shows the first reminder: only the resend case is seen.
    from_table = check_etiquette(log.requests(), as_of="2026-03-21").findings
    assert [f.recipient for f in from_table if f.check == "early-reminder"] == ["Zoë"]


def test_check_reports_an_early_reminder_on_the_command_line(log_path, capsys):
    log = create_log(log_path)
    rid = log.send("Ada Berg", "default", at="2026-03-01T09:00+01:00")
    log.remind(rid, at="2026-03-04T09:00+01:00")
    assert main(["check", str(log_path), "--as-of", "2026-03-05"]) == 1
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if "early-reminder " in line)
    for shown in ("r0001", "Ada Berg", "reminded 3 days after the send (2026-03-04)"):
        assert shown in row, row
    assert 'early-reminder: Use "Remind" once a couple of weeks have passed' in out
    assert main(["check", str(log_path), "--as-of", "2026-03-05", "--json"]) == 1
    (finding,) = json.loads(capsys.readouterr().out)["findings"]
    assert (finding["check"], finding["age_days"]) == ("early-reminder", 3.0)
    assert main(["check", str(log_path), "--as-of", "2026-03-05",
                 "--set", "remind_after_days=3"]) == 0  # fmt: skip
    # todo asks for nothing: the reminder is sent, only its timing was off.
    assert main(["todo", str(log_path), "--as-of", "2026-03-05"]) == 0
    assert "Nothing to do" in capsys.readouterr().out
