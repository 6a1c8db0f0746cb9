"""Reading mbox files: headers, automatic replies, bounces, progress and every bad file."""

from __future__ import annotations

import datetime as dt
import email.policy
import io
import json
import mailbox
import os
import tracemalloc

import pytest
import sync_fixtures as fx

from etiquette_lab import InvalidInputError, LogError
from etiquette_lab.sync import SyncInputError, iter_mbox, read_mailbox
from etiquette_lab.sync import mbox as mbox_module
from etiquette_lab.sync.mbox import stderr_progress

UTC = dt.UTC
ME = "Kim Avsender <kim.avsender@example.net>"


def at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, 1, day, hour, 0, 5, tzinfo=dt.timezone(dt.timedelta(hours=1)))


def varied_mails() -> list[bytes]:
    """Mails with what real mailboxes have: encoded words, folded headers, 8-bit names,
    several recipients, escaped From lines in bodies, an attachment-like body."""
    return [
        fx.mail(
            sender=ME,
            to='"Eksempel, Ada" <Ada.Eksempel@Example.org>, bo@example.org',
            subject="Kaffe?",
            at=at(5),
            message_id="m1@example.net",
            labels="Sent",
            body="Hei!\n\nFrom the notes I took:\n- kaffe\n",
        ),
        fx.mail(
            sender="=?UTF-8?B?w5hyamFu?= Lid <orjan@example.org>",
            to=ME,
            subject="=?ISO-8859-1?Q?Re=3A_Fr=E5nvaro?= og =?UTF-8?Q?k=C3=A5l?=",
            at=at(6),
            message_id="m2@example.org",
            in_reply_to="m1@example.net",
            references=["m1@example.net"],
            labels='Inbox,"Category Personal",Opened',
        ),
        fx.mail(
            sender="Åse Prøve <ase@example.org>",
            to=ME,
            subject="Lang emne som\n brettes",
            at=at(7),
            message_id="m3@example.org",
            references=["m1@example.net", "m2@example.org"],
            body="x" * 20000 + "\n",
        ),
        fx.mail(
            sender="bo@example.org",
            to=ME,
            subject="",
            at=at(8),
            message_id="m4@example.org",
            extra=["Cc: =?UTF-8?Q?Zo=C3=AB?= <zoe@example.org>"],
        ),
    ]


def raw_utf8(text: str) -> str:
    """The standard library keeps raw 8-bit header bytes as surrogates; they are UTF-8."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8")


def write(tmp_path, name, mails, **options):
    path = tmp_path / name
    path.write_bytes(fx.mbox(mails, **options))
    return path


def test_headers_agree_with_the_standard_library(tmp_path):
    # The standard library's mailbox and email packages are the independent reading.
    path = write(tmp_path, "All mail.mbox", varied_mails())
    ours = list(iter_mbox(path))
    box = mailbox.mbox(path)
    try:
        theirs = [email.message_from_bytes(m.as_bytes(), policy=email.policy.default) for m in box]
    finally:
        box.close()
    assert len(ours) == len(theirs) == 4
    for mine, other in zip(ours, theirs, strict=True):
        assert mine.message_id == other["Message-ID"].strip("<>")
        assert mine.subject == str(other["Subject"] or "")
        assert mine.from_address == other["From"].addresses[0].addr_spec.casefold()
        assert mine.from_name == raw_utf8(other["From"].addresses[0].display_name)
        assert mine.at == other["Date"].datetime.astimezone(UTC)
        recipients = [a for h in ("To", "Cc") if other[h] for a in other[h].addresses]
        assert mine.to_addresses == tuple(a.addr_spec.casefold() for a in recipients)
        assert mine.to_names == tuple(raw_utf8(a.display_name) for a in recipients)
    assert ours[1].subject == "Re: Frånvaro og kål"
    assert ours[1].from_name == "Ørjan Lid"
    assert ours[1].in_reply_to == ("m1@example.net",)
    assert ours[2].references == ("m1@example.net", "m2@example.org")
    assert ours[1].labels == ("Inbox", "Category Personal", "Opened")
    assert [m.number for m in ours] == [1, 2, 3, 4]
    data = path.read_bytes()
    assert all(data[m.offset : m.offset + 5] == b"From " for m in ours)


def multipart(message_id: str) -> bytes:
    """A mail with an attachment: its closing boundary is what a cut-off check looks for."""
    text = fx.mail(sender="ada@example.org", to=ME, subject="cv", at=at(9),
                   message_id=message_id, body="")  # fmt: skip
    text = text.replace(b"Content-Type: text/plain; charset=utf-8",
                        b'Content-Type: multipart/mixed; boundary="part"')  # fmt: skip
    return text + (
        b"--part\nContent-Type: text/plain\n\nSee the attachment.\n--part\n"
        b"Content-Type: application/pdf\nContent-Transfer-Encoding: base64\n\n"
        + b"QUFBQUFB\n" * 300
        + b"--part--\n"
    )


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 8, 13, 64, 1000, 4096])
@pytest.mark.parametrize("crlf", [False, True])
def test_every_chunk_boundary_gives_the_same_mails(tmp_path, monkeypatch, chunk, crlf):
    report = fx.delivery_report(to=ME, failed="nils@example.org", original_id="m1@example.net",
                                at=at(9), message_id="dsn@example.net")  # fmt: skip
    for last in (report, multipart("cv@example.org")):  # the last mail is checked for a cut
        path = write(tmp_path, "box", [*varied_mails(), report, last], crlf=crlf)
        monkeypatch.setattr(mbox_module, "CHUNK", 1 << 20)
        expected = list(iter_mbox(path))
        monkeypatch.setattr(mbox_module, "CHUNK", chunk)
        assert list(iter_mbox(path)) == expected
        assert expected[4].bounce and len(expected) == 6


def test_gmail_takeout_crlf_and_thunderbird_files_read_the_same(tmp_path):
    lf = list(iter_mbox(write(tmp_path, "Inbox", varied_mails(), thunderbird=True)))
    crlf = list(iter_mbox(write(tmp_path, "Takeout.mbox", varied_mails(), crlf=True)))
    strip = ("source", "offset")
    for a, b in zip(lf, crlf, strict=True):
        assert {k: getattr(a, k) for k in a.__slots__ if k not in strip} == {
            k: getattr(b, k) for k in b.__slots__ if k not in strip
        }


def test_a_body_line_from_after_an_empty_line_is_not_a_new_mail(tmp_path):
    text = fx.mbox(
        [fx.mail(sender=ME, to="a@example.org", subject="s", at=at(5), message_id="one@x")]
    )
    # An unescaped body line, as some writers leave them: no time on it, so not a separator.
    text = text.replace(b"thanks!\n", b"thanks!\n\nFrom here on we use the new office.\n")
    path = tmp_path / "box"
    path.write_bytes(
        text
        + fx.mbox(
            [fx.mail(sender=ME, to="b@example.org", subject="t", at=at(6), message_id="two@x")]
        )
    )
    assert [m.message_id for m in iter_mbox(path)] == ["one@x", "two@x"]


@pytest.mark.parametrize(
    ("extra", "subject", "reason"),
    [
        (["Auto-Submitted: auto-replied"], "Re: Kaffe?", "Auto-Submitted: auto-replied"),
        (["Auto-Submitted: auto-generated (vacation)"], "Kaffe?", "Auto-Submitted: auto-generated"),
        (["X-Autoreply: yes"], "Re: Kaffe?", "X-Autoreply header"),
        (["X-Autorespond: Out of office"], "Re: Kaffe?", "X-Autorespond header"),
        (["Precedence: auto_reply"], "Re: Kaffe?", "Precedence: auto_reply"),
        (["Precedence: bulk"], "Nyhetsbrev", "Precedence: bulk"),
        (["Precedence: junk"], "Tilbud", "Precedence: junk"),
        (["Return-Path: <>"], "Kvittering", "no return address"),
        ([], "Out of Office: Kaffe?", "subject 'Out of Office: Kaffe?'"),
        ([], "Automatic reply: Kaffe?", "subject 'Automatic reply: Kaffe?'"),
        ([], "SV: Automatisk svar: Kaffe?", "subject 'SV: Automatisk svar: Kaffe?'"),
        ([], "=?UTF-8?Q?Frav=C3=A6rsmelding=3A_Kaffe=3F?=", "subject 'Fraværsmelding: Kaffe?'"),
        ([], "AW: Abwesenheitsnotiz", "subject 'AW: Abwesenheitsnotiz'"),
    ],
)
def test_automatic_replies_are_recognised(tmp_path, extra, subject, reason):
    mail = fx.mail(
        sender="ada@example.org", to=ME, subject=subject, at=at(6), message_id="auto@x", extra=extra
    )
    (found,) = iter_mbox(write(tmp_path, "box", [mail]))
    assert found.automatic.startswith(reason)
    assert not found.bounce


@pytest.mark.parametrize(
    ("extra", "subject"),
    [
        (["Auto-Submitted: no"], "Re: Kaffe?"),
        (["Precedence: list"], "Re: Kaffe?"),
        ([], "Re: Kaffe og fravær neste uke"),
        ([], "Re: about the office move"),
    ],
)
def test_a_persons_mail_is_not_automatic(tmp_path, extra, subject):
    mail = fx.mail(
        sender="ada@example.org",
        to=ME,
        subject=subject,
        at=at(6),
        message_id="human@x",
        extra=extra,
    )
    (found,) = iter_mbox(write(tmp_path, "box", [mail]))
    assert found.automatic == ""


@pytest.mark.parametrize("original_as", ["text/rfc822-headers", "message/rfc822"])
def test_a_delivery_failure_report_is_a_bounce_naming_what_did_not_arrive(tmp_path, original_as):
    report = fx.delivery_report(
        to=ME,
        failed="nils@example.org",
        original_id="m1@example.net",
        at=at(9),
        message_id="dsn@x",
        original_as=original_as,
    )
    (found,) = iter_mbox(write(tmp_path, "box", [report], crlf=True))
    assert found.bounce
    assert found.failed_recipients == ("nils@example.org",)
    assert found.bounced_message_id == "m1@example.net"
    assert found.automatic == "delivery failure report"
    assert found.from_address == "mailer-daemon@mail.example.net"


def test_a_delay_warning_is_automatic_but_not_a_bounce(tmp_path):
    report = fx.delivery_report(
        to=ME,
        failed="nils@example.org",
        original_id="m1@example.net",
        at=at(9),
        message_id="dsn@x",
        action="delayed",
    )
    (found,) = iter_mbox(write(tmp_path, "box", [report]))
    assert not found.bounce and found.failed_recipients == ()
    assert found.automatic  # never an answer


def test_progress_is_reported_and_ends_at_the_file_size(tmp_path, monkeypatch):
    path = write(tmp_path, "box", varied_mails() * 3)
    monkeypatch.setattr(mbox_module, "CHUNK", 4096)
    calls: list[tuple[int, int, int]] = []
    assert len(list(iter_mbox(path, progress=lambda *a: calls.append(a)))) == 12
    size = os.path.getsize(path)
    assert calls[-1] == (size, size, 12)
    assert [c[0] for c in calls] == sorted(c[0] for c in calls) and len(calls) > 5
    out = io.StringIO()
    line = stderr_progress("Inbox", stream=out)
    line(size // 2, size, 3)
    line(size, size, 12)
    assert out.getvalue().startswith("\rInbox:  50% (") and out.getvalue().endswith("12 mails)\n")


def test_memory_stays_flat_whatever_the_size_of_a_mail(tmp_path):
    # One mail with a 12 MB attachment: the reader keeps about one chunk, never the mail.
    big = fx.mail(
        sender="ada@example.org",
        to=ME,
        subject="photos",
        at=at(6),
        message_id="big@x",
        body=("QUFBQUFB" * 9 + "\n") * 170_000,
    )
    path = write(tmp_path, "box", [big, *varied_mails()])
    assert os.path.getsize(path) > 12_000_000
    tracemalloc.start()
    try:
        assert len(list(iter_mbox(path))) == 5
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * mbox_module.CHUNK


def _error(path) -> SyncInputError:
    with pytest.raises(SyncInputError) as caught:
        list(iter_mbox(path))
    assert "\n" not in str(caught.value)
    assert isinstance(caught.value, LogError) and isinstance(caught.value, InvalidInputError)
    return caught.value


def test_bad_files_are_named_with_the_message_number(tmp_path):
    good = fx.mbox(varied_mails())
    separator = b"From x Mon Jan 19 10:00:00 2026\n"
    cases = {
        "not_mbox": (b"Hello, this is a letter\n", None, "does not begin with a 'From ' line"),
        "no_headers": (good + separator + b"\nJust a body\n", 5, "has no headers"),
        "body_first": (good + separator + b"Just a body\n\n", 5, "has no headers"),
        "cut_in_headers": (good[: good.index(b"Subject: Lang")], 3, "inside the mail's headers"),
        "cut_mid_line": (good[:-5], 4, "ends in the middle of a line"),
        "cut_in_from_line": (good + separator[:-3], 5, "ends inside its 'From ' line"),
    }
    for name, (data, number, words) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        error = _error(path)
        assert error.message_number == number, name
        assert words in str(error), name
        assert str(error).startswith(f"{path}, message {number}: " if number else f"{path}: ")


def test_a_multipart_mail_cut_before_its_end(tmp_path):
    report = fx.delivery_report(
        to=ME, failed="n@example.org", original_id="m1@x", at=at(9), message_id="dsn@x"
    )
    data = fx.mbox([report])
    path = tmp_path / "box"
    path.write_bytes(data[: data.index(b"Content-Type: text/rfc822-headers")])
    assert "before the end of the mail's multipart body" in str(_error(path))


def test_folders_fifos_and_missing_files(tmp_path):
    assert "is a folder" in str(_error(tmp_path))
    assert "does not exist" in str(_error(tmp_path / "nope"))
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert "is not a regular file" in str(_error(fifo))
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    assert list(iter_mbox(empty)) == []


def test_a_date_that_cannot_be_read_leaves_the_mail_undated(tmp_path):
    mail = fx.mail(sender="ada@example.org", to=ME, subject="s", at=at(6), message_id="d@x")
    mail = mail.replace(b"Date: Tue, 06 Jan 2026 10:00:05 +0100", b"Date: someday soon")
    (found,) = iter_mbox(write(tmp_path, "box", [mail]))
    assert found.at is None
    box = read_mailbox(tmp_path / "box")
    assert box.summary["no date"].tolist() == [1]


def test_the_mailbox_merges_files_marks_your_mail_and_threads(tmp_path):
    mails = varied_mails()
    takeout = write(tmp_path, "All mail Including Spam and Trash.mbox", mails, crlf=True)
    sent = write(tmp_path, "Sent", mails[:1], thunderbird=True)  # the same sent mail again
    box = read_mailbox([takeout, sent])
    table = box.mails
    assert len(table) == 4 and box.duplicates == 1
    assert box.my_addresses == ("kim.avsender@example.net",)  # learned from the Sent label
    assert table["from_me"].tolist() == [True, False, False, False]
    assert table["thread"].tolist()[:3] == ["m1@example.net"] * 3  # a reply to a reply too
    assert table["thread"].iloc[3] == "m4@example.org"
    assert table["at"].dt.tz is not None
    # Without labels, the Thunderbird Sent folder and your given address say it.
    plain = [m.replace(b"X-Gmail-Labels: Sent\n", b"") for m in mails]
    folder = read_mailbox([write(tmp_path, "Sent", plain[:1]), write(tmp_path, "Inbox", plain[1:])])
    assert folder.mails["from_me"].tolist() == [True, False, False, False]
    given = read_mailbox(write(tmp_path, "box", plain), my_addresses=["BO@example.org"])
    assert given.mails["from_me"].tolist() == [False, False, False, True]
    assert "your addresses: bo@example.org" in str(given)
    json.dumps(given.to_dict(), allow_nan=False)
    assert "<table" in given._repr_html_()


def test_read_mailbox_prints_a_progress_line_per_file(tmp_path, capsys):
    read_mailbox(write(tmp_path, "Inbox", varied_mails()), progress=True)
    assert "Inbox: 100% (" in capsys.readouterr().err
