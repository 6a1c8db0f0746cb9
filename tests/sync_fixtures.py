"""Builders of LinkedIn exports and mbox files in every format variant the readers accept.

The formats follow the facts of issue 15 (confirmed by independent open-source parsers): the
Connections.csv preamble, old exports without URL columns, two-digit years, messages without
``IS MESSAGE DRAFT`` / ``RECIPIENT PROFILE URLS``, dates with or without `` UTC``, recipient
lists separated by commas or semicolons; Gmail Takeout mbox (CRLF, ``X-Gmail-Labels``) and
Thunderbird folder files; automatic replies and RFC 3464 delivery reports. Every name is
invented.
"""

from __future__ import annotations

import csv
import datetime as dt
import email.utils
import io
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

BOM = "\ufeff"
PREAMBLE = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses '
    "are missing. You will only see email addresses for connections who have allowed their "
    'connections to see or download their email address."\n'
    "\n"
)
CONNECTIONS_HEADER = [
    "First Name",
    "Last Name",
    "URL",
    "Email Address",
    "Company",
    "Position",
    "Connected On",
]
INVITATIONS_HEADER = [
    "From",
    "To",
    "Sent At",
    "Message",
    "Direction",
    "inviterProfileUrl",
    "inviteeProfileUrl",
]
MESSAGES_HEADER = [
    "CONVERSATION ID",
    "CONVERSATION TITLE",
    "FROM",
    "SENDER PROFILE URL",
    "TO",
    "RECIPIENT PROFILE URLS",
    "DATE",
    "SUBJECT",
    "CONTENT",
    "FOLDER",
    "IS MESSAGE DRAFT",
]
RECOMMENDATIONS_HEADER = [
    "First Name",
    "Last Name",
    "Company",
    "Job Title",
    "Text",
    "Creation Date",
    "Status",
]


def url(slug: str) -> str:
    return f"https://www.linkedin.com/in/{slug}"


def table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    bom: bool = False,
    preamble: str = "",
    line_end: str = "\n",
    comma_rows: Sequence[int] = (),
) -> bytes:
    """CSV bytes as LinkedIn writes them; *comma_rows* inserts rows made only of commas
    before the data rows at those positions."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=line_end)
    writer.writerow(header)
    for position, row in enumerate(rows):
        if position in comma_rows:
            out.write("," * (len(header) - 1) + line_end)
        writer.writerow(row)
    if len(rows) in comma_rows:
        out.write("," * (len(header) - 1) + line_end)
    text = preamble.replace("\n", line_end) + out.getvalue()
    return ((BOM if bom else "") + text).encode("utf-8")


def day_month_year(day: dt.date, *, two_digit: bool = False) -> str:
    """``06 Jan 2026`` (or ``06 Jan 26``), with English month names whatever the locale."""
    month = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()[day.month - 1]
    return (
        f"{day.day:02d} {month} {day.year % 100:02d}"
        if two_digit
        else (f"{day.day:02d} {month} {day.year}")
    )


def us_time(moment: dt.datetime, *, short_year: bool = True) -> str:
    """``01/15/26, 08:30 PM`` as Recommendations_Received.csv and Invitations.csv write."""
    half = "PM" if moment.hour >= 12 else "AM"
    hour = moment.hour % 12 or 12
    year = f"{moment.year % 100:02d}" if short_year else str(moment.year)
    return f"{moment.month:02d}/{moment.day:02d}/{year}, {hour:02d}:{moment.minute:02d} {half}"


def connections(
    people: Sequence[Mapping[str, object]],
    *,
    with_url: bool = True,
    two_digit_years: bool = False,
    preamble: str = PREAMBLE,
    bom: bool = True,
    comma_rows: Sequence[int] = (),
    line_end: str = "\n",
) -> bytes:
    """Connections.csv: each person has ``first``, ``last``, ``on`` (a date) and optionally
    ``slug`` (profile), ``email``, ``company``, ``position``."""
    header = [c for c in CONNECTIONS_HEADER if with_url or c != "URL"]
    rows = []
    for p in people:
        cells = {
            "First Name": str(p["first"]),
            "Last Name": str(p["last"]),
            "URL": url(str(p["slug"])) if p.get("slug") else "",
            "Email Address": str(p.get("email", "")),
            "Company": str(p.get("company", "Eksempel AS")),
            "Position": str(p.get("position", "Engineer")),
            "Connected On": p["on"]
            if isinstance(p["on"], str)
            else day_month_year(p["on"], two_digit=two_digit_years),  # type: ignore[arg-type]
        }
        rows.append([cells[c] for c in header])
    return table(header, rows, bom=bom, preamble=preamble, comma_rows=comma_rows, line_end=line_end)


def invitations(items: Sequence[Mapping[str, object]], *, with_urls: bool = True) -> bytes:
    """Invitations.csv: ``from``, ``to``, ``at`` (datetime), ``message``, ``direction``."""
    header = INVITATIONS_HEADER if with_urls else INVITATIONS_HEADER[:5]
    rows = [
        [
            str(i["from"]),
            str(i["to"]),
            us_time(i["at"]),
            str(i.get("message", "")),  # type: ignore[arg-type]
            str(i.get("direction", "OUTGOING")),
            str(i.get("inviter", "")),
            str(i.get("invitee", "")),
        ][: len(header)]
        for i in items
    ]
    return table(header, rows)


def messages(
    items: Sequence[Mapping[str, object]],
    *,
    with_draft: bool = True,
    with_recipient_urls: bool = True,
    utc_suffix: bool = True,
    separator: str = ", ",
    bom: bool = False,
) -> bytes:
    """messages.csv: each item has ``conversation``, ``from`` and ``from_slug``, ``to`` (list
    of names) and ``to_slugs``, ``at`` (UTC datetime), ``content``, optional ``draft``."""
    header = [
        c
        for c in MESSAGES_HEADER
        if (with_draft or c != "IS MESSAGE DRAFT")
        and (with_recipient_urls or c != "RECIPIENT PROFILE URLS")
    ]
    rows = []
    for m in items:
        moment: dt.datetime = m["at"]  # type: ignore[assignment]
        cells = {
            "CONVERSATION ID": str(m.get("conversation", "2-abc")),
            "CONVERSATION TITLE": str(m.get("title", "")),
            "FROM": str(m["from"]),
            "SENDER PROFILE URL": url(str(m["from_slug"])) if m.get("from_slug") else "",
            "TO": separator.join(m.get("to", ())),  # type: ignore[arg-type]
            "RECIPIENT PROFILE URLS": separator.join(url(s) for s in m.get("to_slugs", ())),  # type: ignore[attr-defined]
            "DATE": moment.strftime("%Y-%m-%d %H:%M:%S") + (" UTC" if utc_suffix else ""),
            "SUBJECT": str(m.get("subject", "")),
            "CONTENT": str(m.get("content", "Hi!")),
            "FOLDER": str(m.get("folder", "INBOX")),
            "IS MESSAGE DRAFT": "Yes" if m.get("draft") else "No",
        }
        rows.append([cells[c] for c in header])
    return table(header, rows, bom=bom)


def recommendations(items: Sequence[Mapping[str, object]]) -> bytes:
    """Recommendations_Received.csv: ``first``, ``last``, ``at`` (local datetime), ``status``."""
    rows = [
        [
            str(r["first"]),
            str(r["last"]),
            str(r.get("company", "Eksempel AS")),
            str(r.get("title", "Engineer")),
            str(r.get("text", "A pleasure to work with.")),
            us_time(r["at"]),
            str(r.get("status", "VISIBLE")),
        ]  # type: ignore[arg-type]
        for r in items
    ]
    return table(RECOMMENDATIONS_HEADER, rows)


def write_folder(folder: Path, files: Mapping[str, bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


def write_zip(path: Path, files: Mapping[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


# -- mail ------------------------------------------------------------------------------------


def rfc_date(moment: dt.datetime) -> str:
    return email.utils.format_datetime(moment)


def mail(
    *,
    sender: str,
    to: str,
    subject: str,
    at: dt.datetime,
    message_id: str,
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
    body: str = "Hello,\n\nthanks!\n",
    extra: Sequence[str] = (),
    labels: str | None = None,
) -> bytes:
    """One mail (LF line ends) with the headers the reader uses and some it must skip."""
    lines = [
        f"Received: from mx.example.net by mail.example.net; {rfc_date(at)}",
        f"X-Gmail-Labels: {labels}" if labels is not None else None,
        f"Message-ID: <{message_id}>",
        f"Date: {rfc_date(at)}",
        f"From: {sender}",
        f"To: {to}",
        f"Subject: {subject}",
        f"In-Reply-To: <{in_reply_to}>" if in_reply_to else None,
        "References: " + " ".join(f"<{r}>" for r in references) if references else None,
        *extra,
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
    ]
    head = "\n".join(line for line in lines if line is not None)
    return (head + "\n\n" + body).encode("utf-8")


def delivery_report(
    *,
    to: str,
    failed: str,
    original_id: str,
    at: dt.datetime,
    message_id: str,
    action: str = "failed",
    sender: str = "Mail Delivery Subsystem <MAILER-DAEMON@mail.example.net>",
    original_as: str = "text/rfc822-headers",
) -> bytes:
    """An RFC 3464 delivery status notification on the mail *original_id* sent to *failed*."""
    boundary = "=_report_boundary_7f3a"
    original = (
        f"Message-ID: <{original_id}>\nFrom: Kim Avsender <kim.avsender@example.net>\n"
        f"To: {failed}\nSubject: Kaffe?\n"
    )
    status = "5.1.1" if action == "failed" else "4.4.7"
    text = f"""Message-ID: <{message_id}>
Date: {rfc_date(at)}
From: {sender}
To: {to}
Subject: {"Undelivered Mail Returned to Sender" if action == "failed" else "Delayed Mail"}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
 boundary="{boundary}"

This is a MIME-encapsulated message.

--{boundary}
Content-Type: text/plain; charset=us-ascii

Your message could not be delivered to {failed}.

--{boundary}
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example.net
Arrival-Date: {rfc_date(at)}

Final-Recipient: rfc822; {failed}
Original-Recipient: rfc822; {failed}
Action: {action}
Status: {status}
Diagnostic-Code: smtp; 550 5.1.1 user unknown

--{boundary}
Content-Type: {original_as}

{original}
--{boundary}--
"""
    return text.encode("utf-8")


def mbox(
    mails: Sequence[bytes],
    *,
    crlf: bool = False,
    separator_sender: str = "MAILER-DAEMON",
    thunderbird: bool = False,
) -> bytes:
    """An mbox file: a ``From`` line before each mail, body ``From`` lines escaped, an empty
    line after each mail; CRLF line ends throughout when *crlf* (as Gmail's Takeout)."""
    parts = []
    for number, data in enumerate(mails):
        who = "-" if thunderbird else separator_sender if crlf else f"sender{number}@example.net"
        stamp = "Mon Jan 19 10:00:00 2026" if thunderbird else "Mon Jan 19 10:00:00 +0000 2026"
        body = b"\n".join(
            b">" + line if line.startswith(b"From ") else line for line in data.split(b"\n")
        )
        parts.append(f"From {who} {stamp}\n".encode() + body.rstrip(b"\n") + b"\n\n")
    out = b"".join(parts)
    return out.replace(b"\n", b"\r\n") if crlf else out
