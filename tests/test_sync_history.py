"""import --linkedin / --mbox (import_history): your past invitations, messages and sent mails as
the sends of an observational experiment; a dry run that never writes, twice adds nothing,
pseudonyms, what the source cannot show, and one line with exit 2 for every bad input."""

from __future__ import annotations

import datetime as dt

import pytest
import sync_fixtures as fx
from test_cli_sync import one_line, run  # the command line's helpers, shared

from etiquette_lab import create_log, is_observational, open_log, read_requests, sync_log
from etiquette_lab.errors import InvalidInputError
from etiquette_lab.log.privacy import pseudonymise, pseudonymise_contact
from etiquette_lab.sync import history_caveat, import_history, sync_example_paths
from etiquette_lab.sync.wording import WordingRule

PATHS = sync_example_paths()
ME = {"from": "Kim Avsender", "inviter": fx.url("kim-avsender-000")}
OSLO = dt.timezone(dt.timedelta(hours=1))  # January in Oslo


def invitation_export(tmp_path, *, with_urls=True, connections=True):
    files = {
        "Invitations.csv": fx.invitations(
            [
                {**ME, "to": "Ada Eksempel", "at": dt.datetime(2026, 1, 5, 10, 0),
                 "message": "Hi Ada, we met at the meetup!", "invitee": fx.url("ada-eksempel-0a1")},
                {**ME, "to": "Bo Prøve", "at": dt.datetime(2026, 1, 5, 11, 30),
                 "invitee": fx.url("bo-prove-0b2")},
                {"from": "Una Oppdiktet", "to": "Kim Avsender", "at": dt.datetime(2026, 1, 6, 9),
                 "direction": "INCOMING"},
            ],
            with_urls=with_urls,
        )
    }  # fmt: skip
    if connections:
        files["Connections.csv"] = fx.connections(
            [{"first": "Ada", "last": "Eksempel", "slug": "ada-eksempel-0a1",
              "on": dt.date(2026, 1, 7)}]
        )  # fmt: skip
    return fx.write_zip(tmp_path / "Basic_LinkedInDataExport_02-10-2026.zip", files)


def test_outgoing_invitations_become_observational_sends(tmp_path, capsys):
    export, log = invitation_export(tmp_path), tmp_path / "asks.csv"
    code, out, err = run(capsys, "import", "--linkedin", export, log, "--experiment",
                         "history-2025", "--timezone", "Europe/Oslo", "--write")  # fmt: skip
    assert code == 0, err
    assert "2 written to the log" in out and "1 invitations sent to you (INCOMING)" in out
    table = read_requests(log).set_index("recipient")
    # The note decides the wording; the time is the end of the minute LinkedIn names, in Oslo.
    assert table.loc["Ada Eksempel", "variant"] == "with-note"
    assert table.loc["Bo Prøve", "variant"] == "without-note"
    assert table.loc["Ada Eksempel", "first_sent_at"] == dt.datetime(
        2026, 1, 5, 9, 0, 59, tzinfo=dt.UTC
    )
    assert (table["assignment"] == "observational").all() and (table["kind"] == "connection").all()
    assert table.loc["Bo Prøve", "profile_url"] == fx.url("bo-prove-0b2")
    assert table.loc["Ada Eksempel", "message"] == "Hi Ada, we met at the meetup!"
    assert is_observational(log, "history-2025")
    notes = open_log(log).events().query("event == 'sent'")["note"].tolist()
    assert notes[0] == "history import: Invitations.csv line 2; wording rule note"


def test_old_invitations_without_url_columns(tmp_path):
    export = invitation_export(tmp_path, with_urls=False)
    found = import_history(tmp_path / "asks.csv", "h", linkedin=export, timezone="Europe/Oslo")
    assert found.sends["recipient"].tolist() == ["Ada Eksempel", "Bo Prøve"]


def test_a_dry_run_never_writes_and_twice_adds_nothing(tmp_path, capsys):
    export, log = invitation_export(tmp_path), tmp_path / "asks.csv"
    argv = ["import", "--linkedin", export, log, "--experiment", "h", "--timezone", "Europe/Oslo"]
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert out.startswith("Past requests found in your history (dry run: nothing written)")
    assert "Invitations.csv line 2" in out and "--write" in out
    assert not log.exists()  # a dry run does not even create the log
    assert run(capsys, *argv, "--write")[0] == 0
    written = log.read_bytes()
    code, out, err = run(capsys, *argv)
    assert code == 0 and log.read_bytes() == written  # byte for byte
    code, out, err = run(capsys, *argv, "--write")
    assert code == 0 and "(0 written to the log)" in out and "2 already in the log" in out
    assert log.read_bytes() == written


def test_a_send_logged_by_hand_is_not_imported_again(tmp_path):
    log = create_log(tmp_path / "asks.csv", experiment="randomised", variants=["a", "b"])
    log.send("Ada Eksempel", "a", kind="connection", at="2026-01-05T10:03+01:00")
    found = import_history(log, "h", linkedin=invitation_export(tmp_path), timezone="Europe/Oslo")
    assert found.sends["recipient"].tolist() == ["Bo Prøve"] and found.already_logged == 1


def test_messages_that_open_a_conversation_are_the_requests(tmp_path):
    at = dt.datetime(2026, 1, 19, 8, 0, 10)
    rows = [
        # Opened by you, one recipient: a request (long enough to count as with a note).
        {"conversation": "c1", "from": "Kim Avsender", "from_slug": "kim-avsender-000",
         "to": ["Hans Innbilt"], "to_slugs": ["hans-innbilt-1b2"], "at": at,
         "content": "Hi Hans, " + "x" * 40, "folder": "SENT"},
        {"conversation": "c1", "from": "Hans Innbilt", "from_slug": "hans-innbilt-1b2",
         "to": ["Kim Avsender"], "at": at + dt.timedelta(hours=3), "content": "Sure!"},
        {"conversation": "c1", "from": "Kim Avsender", "from_slug": "kim-avsender-000",
         "to": ["Hans Innbilt"], "at": at + dt.timedelta(hours=4), "content": "Great",
         "folder": "SENT"},
        # Opened by them: your later message is an answer, not a request.
        {"conversation": "c2", "from": "Ida Tenkt", "from_slug": "ida-tenkt-1c3",
         "to": ["Kim Avsender"], "at": at - dt.timedelta(days=60), "content": "Congrats!"},
        {"conversation": "c2", "from": "Kim Avsender", "from_slug": "kim-avsender-000",
         "to": ["Ida Tenkt"], "at": at, "content": "Coffee?", "folder": "SENT"},
        # A group conversation, and a draft.
        {"conversation": "c3", "from": "Kim Avsender", "from_slug": "kim-avsender-000",
         "to": ["Jon Eksempel", "Mia Fiktiv"], "at": at, "content": "Hi both", "folder": "SENT"},
        {"conversation": "c4", "from": "Kim Avsender", "from_slug": "kim-avsender-000",
         "to": ["Liv Oppdiktet"], "at": at, "content": "Hi", "folder": "DRAFTS", "draft": True},
        # Short: without a note by longer:40.
        {"conversation": "c5", "from": "Kim Avsender", "from_slug": "kim-avsender-000",
         "to": ["Pia Oppdiktet"], "to_slugs": ["pia-oppdiktet-2a2"], "at": at,
         "content": "Coffee?", "folder": "SENT"},
    ]  # fmt: skip
    export = fx.write_folder(
        tmp_path / "export", {"messages.csv": fx.messages(rows, separator="; ")}
    )
    log = tmp_path / "asks.csv"
    found = import_history(log, "h", linkedin=export, messages=True, wording_rule="longer:40",
                           write=True)  # fmt: skip
    table = read_requests(log).set_index("recipient")
    assert sorted(table.index) == ["Hans Innbilt", "Pia Oppdiktet"]
    assert table.loc["Hans Innbilt", "variant"] == "with-note"
    assert table.loc["Pia Oppdiktet", "variant"] == "without-note"
    assert (table["kind"] == "message").all() and (table["channel"] == "linkedin").all()
    assert found.skipped == {
        "drafts": 1,
        "conversations the other person opened": 1,
        "conversations with several people (or nobody) as recipients": 1,
    }
    # Then sync fills in the reply, as for any send.
    synced = sync_log(log, linkedin=export, write=True)
    assert synced.written == 1 and read_requests(log).set_index("recipient").loc[
        "Hans Innbilt", "outcome"] == "replied"  # fmt: skip


def test_an_export_without_a_sent_folder_is_owned_by_the_one_person_in_every_conversation(
    tmp_path,
):
    at = dt.datetime(2026, 1, 19, 8)
    rows = [
        {"conversation": "c1", "from": "Kim Avsender", "to": ["Hans Innbilt"], "at": at,
         "content": "Hi", "folder": ""},
        {"conversation": "c2", "from": "Ida Tenkt", "to": ["Kim Avsender"], "at": at,
         "content": "Hi", "folder": ""},
    ]  # fmt: skip
    export = fx.write_folder(tmp_path / "export", {"messages.csv": fx.messages(rows)})
    found = import_history(tmp_path / "asks.csv", "h", linkedin=export, messages=True)
    assert found.sends["recipient"].tolist() == ["Hans Innbilt"]


def test_sent_mails_that_start_a_thread_and_the_wording_rule(tmp_path):
    me, at = "Kim Avsender <kim.avsender@example.net>", dt.datetime(2026, 1, 19, 10, tzinfo=OSLO)
    takeout = fx.mbox(
        [
            fx.mail(sender=me, to="Jon Eksempel <jon.eksempel@example.org>", subject="Kaffe?",
                    at=at, message_id="a@x", body="Hei Jon,\n\nkaffe?\n", labels="Sent"),
            fx.mail(sender=me, to="mia.fiktiv@example.org", subject="Kaffe?", at=at,
                    message_id="b@x", body="Hei,\n\nkaffe?\n", labels="Sent"),
            # A reply of yours, and a mail to two people: not requests.
            fx.mail(sender=me, to="ola@example.org", subject="Re: x", at=at, message_id="c@x",
                    in_reply_to="z@x", labels="Sent"),
            fx.mail(sender=me, to="a@example.org, b@example.org", subject="Hei", at=at,
                    message_id="d@x", labels="Sent"),
            fx.mail(sender="Jon Eksempel <jon.eksempel@example.org>", to=me, subject="Re: Kaffe?",
                    at=at + dt.timedelta(hours=2), message_id="e@x", in_reply_to="a@x",
                    labels="Inbox"),
        ],
        crlf=True,
    )  # fmt: skip
    box = tmp_path / "All mail Including Spam and Trash.mbox"
    box.write_bytes(takeout)
    log = tmp_path / "asks.csv"
    found = import_history(log, "mail", mailboxes=[box], wording_rule="contains:{first_name}",
                           write=True)  # fmt: skip
    table = read_requests(log).set_index("email")
    assert table.loc["jon.eksempel@example.org", "variant"] == "with-note"
    assert table.loc["mia.fiktiv@example.org", "variant"] == "without-note"
    assert table.loc["mia.fiktiv@example.org", "recipient"] == "mia.fiktiv@example.org"
    assert table.loc["jon.eksempel@example.org", "first_sent_at"] == at
    assert (table["channel"] == "email").all() and (table["kind"] == "cold email").all()
    assert found.skipped == {
        "replies (not the start of a thread)": 1,
        "mails to several people (or only to yourself)": 1,
    }
    assert sync_log(log, mailboxes=[box], write=True).written == 1


def test_the_shipped_mailbox_then_sync_leaves_the_bounce_out(tmp_path, capsys):
    log = tmp_path / "asks.csv"
    boxes = [a for box in PATHS["mailboxes"] for a in ("--mbox", box)]
    code, out, err = run(capsys, "import", *boxes, log, "--experiment", "mail", "--write")
    assert code == 0, err
    assert "(5 written to the log)" in out
    sync_log(log, mailboxes=PATHS["mailboxes"], write=True)
    table = read_requests(log).set_index("recipient")
    # As test_cli_sync finds for the same mails: Jon, Mia and Pia replied, Nils bounced.
    assert table["outcome"].eq("replied").sum() == 3
    assert table["undelivered_at"].notna().tolist() == [
        name == "Nils Prøve" for name in table.index
    ]
    assert history_caveat(read_requests(log), "mail") is None


def test_a_pseudonymised_import_stores_no_name_url_or_address(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ETIQUETTE_LAB_KEY", "the-key-of-this-test-0123")
    key = b"the-key-of-this-test-0123"
    export, log = invitation_export(tmp_path), tmp_path / "hidden.csv"
    argv = ["import", "--linkedin", export, log, "--experiment", "h", "--pseudonymise"]
    code, _, err = run(capsys, *argv, "--write")
    assert code == 0, err
    text = log.read_text(encoding="utf-8")
    for private in ("Ada", "Eksempel", "ada-eksempel", "meetup"):
        assert private not in text
    table = read_requests(log).set_index("recipient")
    assert table.loc[pseudonymise("Ada Eksempel", key), "profile_url"] == pseudonymise_contact(
        "profile_url", fx.url("ada-eksempel-0a1"), key
    )
    # Twice is nothing new, by the pseudonyms; and sync matches them with the key.
    assert "(0 written to the log)" in run(capsys, *argv, "--write")[1]
    assert sync_log(log, linkedin=export, timezone="Europe/Oslo", write=True).written == 1
    # Names into a log of pseudonyms: refused.
    code, _, err = run(capsys, "import", "--linkedin", export, log, "--experiment", "h")
    one_line(code, err, "holds pseudonyms", "--pseudonymise")


def test_what_the_export_cannot_show_is_said(tmp_path, capsys):
    export = invitation_export(tmp_path, connections=False)
    log = tmp_path / "asks.csv"
    code, out, _ = run(capsys, "import", "--linkedin", export, log, "--experiment", "h", "--write")
    assert code == 0
    assert "cannot show these outcomes: the export has no Connections.csv (2 requests)" in out
    sentence = history_caveat(read_requests(log), "h")
    assert sentence.startswith("The export cannot show whether these 2 connection requests")
    assert "Invitations.csv may list only invitations still pending" in sentence
    # With Connections.csv, Ada's acceptance shows: the report may show a rate.
    other = tmp_path / "with"
    other.mkdir()
    sync_log(log, linkedin=invitation_export(other), timezone="Europe/Oslo", write=True)
    assert history_caveat(read_requests(log), "h") is None


def test_history_caveat_speaks_only_of_observational_requests():
    import pandas as pd

    table = pd.DataFrame(
        {"experiment": ["r", "h"], "kind": ["connection", "cold email"],
         "assignment": ["seed=1", "observational"], "outcome": [None, None]}
    )  # fmt: skip
    assert history_caveat(table, "r") is None  # 0 of 1 in a randomised experiment is a result
    assert history_caveat(table, "h").startswith("This cold email request from your history")


@pytest.mark.parametrize(
    ("spec", "text", "variant"),
    [
        ("note", "", "without-note"),
        ("note", " Hi ", "with-note"),
        ("longer:5", "Hi  you", "with-note"),  # 6 characters once spaces are collapsed
        ("longer:6", "Hi  you", "without-note"),
        ("contains:{first_name}", "hei ØRJAN!", "with-note"),
        ("contains:{last_name}", "Hi Ørjan", "without-note"),
    ],
)
def test_wording_rules(spec, text, variant):
    assert WordingRule.parse(spec).variant(text, name="Ørjan Lid") == variant


def test_bad_inputs_are_one_line_with_exit_2(tmp_path, capsys):
    export, log = invitation_export(tmp_path), tmp_path / "asks.csv"
    base = ["import", "--linkedin", export, log, "--experiment", "h"]
    one_line(*run(capsys, *base, "--wording-rule", "shorter:3")[::2], "unknown wording rule")
    one_line(*run(capsys, "import", "--linkedin", export, log)[::2], "--experiment")
    one_line(*run(capsys, *base, "--dayfirst")[::2], "--dayfirst", "spreadsheet")
    one_line(*run(capsys, *base, "--kind", "recommendation")[::2], "connection requests")
    # A randomised experiment of that name.
    create_log(log, experiment="h", variants=["a", "b"])
    one_line(*run(capsys, *base)[::2], "declared in this log as randomised")
    # A date in another format, named by file, line and field.
    one = [{**ME, "to": "Ada", "at": dt.datetime(2026, 1, 5)}]
    iso = fx.invitations(one).replace(b"01/05/26", b"2026-01-05")
    bad = fx.write_folder(tmp_path / "bad", {"Invitations.csv": iso})
    one_line(*run(capsys, "import", "--linkedin", bad, tmp_path / "x.csv", "--experiment",
                  "h")[::2], "Invitations.csv, line 2, field 'Sent At'")  # fmt: skip
    # A profile URL the log would refuse, named by its row.
    spaced_url = fx.invitations([{**one[0], "invitee": "linkedin.com/in/a b"}])
    spaced = fx.write_folder(tmp_path / "spaced", {"Invitations.csv": spaced_url})
    one_line(*run(capsys, "import", "--linkedin", spaced, tmp_path / "x.csv", "--experiment",
                  "h")[::2], "Invitations.csv, line 2", "holds a space")  # fmt: skip
    # No messages.csv to import messages from; a mail without headers.
    one_line(*run(capsys, *base[:-2], "--messages", "--experiment", "h2")[::2], "no messages.csv")
    box = tmp_path / "Sent"
    box.write_bytes(b"From - Mon Jan 19 10:00:00 2026\nno header here\n\n")
    one_line(*run(capsys, "import", "--mbox", box, tmp_path / "x.csv", "--experiment",
                  "h")[::2], "Sent, message 1")  # fmt: skip
    assert not (tmp_path / "x.csv").exists()


def test_one_source_per_experiment():
    with pytest.raises(InvalidInputError, match="either a LinkedIn export or mailboxes"):
        import_history("x.csv", "h", linkedin="a", mailboxes=["b"])


def test_a_mail_text_is_its_own_plain_or_html_part_whatever_its_size(tmp_path):
    from etiquette_lab.sync import iter_mbox
    from etiquette_lab.sync.mail_text import mail_text

    at = dt.datetime(2026, 1, 19, 10, tzinfo=OSLO)
    html_only = fx.mail(sender="a@example.net", to="b@example.org", subject="x", at=at,
                        message_id="h@x", body="<p>Hei&nbsp;Bo, =C3=B8l?</p>\n").replace(
        b"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit",
        b"Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable",
    )  # fmt: skip
    long = "ord " * 40_000  # 160 kB: the next mail begins after several reads
    box = tmp_path / "Sent"
    box.write_bytes(fx.mbox([
        fx.mail(sender="a@example.net", to="b@example.org", subject="x", at=at,
                message_id="l@x", body=long + "\nFrom here on, a body line\n"),
        html_only,
        fx.mail(sender="a@example.net", to="c@example.org", subject="x", at=at,
                message_id="n@x", body="the next one\n"),
    ], crlf=True))  # fmt: skip
    texts = [mail_text(box, m.offset) for m in iter_mbox(box)]
    assert texts[0] == long + "\nFrom here on, a body line\n" and "next one" not in texts[0]
    assert " ".join(texts[1].split()) == "Hei Bo, øl?"
    assert texts[2] == "the next one\n"
