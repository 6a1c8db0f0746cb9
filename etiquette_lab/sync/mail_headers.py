"""A mail's header block, parsed for what matching needs and nothing more.

Only the fields below are read: finding them with one regular expression over the raw bytes
is what keeps the reader fast on a multi-gigabyte mailbox. Values are unfolded, decoded from
RFC 2047 encoded words (``=?UTF-8?Q?Fr=C3=A5?=``) and, for raw 8-bit bytes, from UTF-8 (or
Latin-1 when they are not UTF-8).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from email.errors import HeaderParseError
from email.header import decode_header, make_header

__all__: list[str] = []

FIELDS: tuple[str, ...] = (
    "message-id", "in-reply-to", "references", "from", "to", "cc", "date", "subject",
    "x-gmail-labels", "auto-submitted", "x-autoreply", "x-autorespond", "precedence",
    "content-type", "x-failed-recipients", "return-path",
)  # fmt: skip
_FIELD = re.compile(
    rb"^(" + b"|".join(re.escape(f.encode()) for f in FIELDS) + rb")[ \t]*:(.*(?:\n[ \t].*)*)",
    re.IGNORECASE | re.MULTILINE,
)
_FOLD = re.compile(rb"\r?\n(?=[ \t])")
_HEADER_LINE = re.compile(rb"[!-9;-~]+[ \t]*:")
_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")


def looks_like_headers(block: bytes) -> bool:
    """True when *block* starts with a header line (``Name: value``)."""
    return _HEADER_LINE.match(block) is not None


def parse_fields(block: bytes) -> dict[str, str]:
    """The wanted fields of a header block, lower-case names to decoded text (first wins).

    Examples
    --------
    >>> parse_fields(b"Subject: =?UTF-8?Q?Frav=C3=A6rsmelding?=\\r\\nTo: a@b,\\r\\n c@d\\r\\n")
    {'subject': 'Fraværsmelding', 'to': 'a@b, c@d'}
    """
    fields: dict[str, str] = {}
    for match in _FIELD.finditer(block):
        name = match.group(1).decode("ascii").casefold()
        if name not in fields:
            fields[name] = _text(_FOLD.sub(b"", match.group(2)).strip())
    return fields


def _text(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")  # an old mailer's raw 8-bit header: every byte is a char
    return decode_words(text) if "=?" in text else text


def decode_words(text: str) -> str:
    """*text* with RFC 2047 encoded words decoded; left as it is when they are malformed.

    Examples
    --------
    >>> decode_words("=?ISO-8859-1?Q?Fr=E5nvaro?= och =?UTF-8?B?w5hyamFu?=")
    'Frånvaro och Ørjan'
    """
    try:
        return str(make_header(decode_header(text)))
    except (HeaderParseError, LookupError, UnicodeError, ValueError):
        return text


def message_ids(value: str) -> tuple[str, ...]:
    """The ``<...>`` message ids in a Message-ID, In-Reply-To or References value.

    Examples
    --------
    >>> message_ids("<a@x> (comment) <b@y>")
    ('a@x', 'b@y')
    """
    return tuple(_MESSAGE_ID.findall(value))


def addresses(*values: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Display names (decoded) and addresses (lower case) of address headers such as To, Cc.

    Examples
    --------
    >>> addresses('"Eksempel, Ada" <Ada@Example.org>, bo@example.org')
    (('Eksempel, Ada', ''), ('ada@example.org', 'bo@example.org'))
    """
    names, found = [], []
    for name, address in email.utils.getaddresses([v for v in values if v]):
        if not address and not name:
            continue
        names.append(decode_words(name).strip() if "=?" in name else name.strip())
        found.append(address.strip().casefold())
    return tuple(names), tuple(found)


def parse_date(value: str) -> dt.datetime | None:
    """A Date header as an aware UTC datetime; None when it is missing or unreadable.

    A date with the zone ``-0000`` (unknown) is taken as UTC, as RFC 5322 says it is written.

    Examples
    --------
    >>> parse_date("Tue, 13 Jan 2026 10:04:05 +0100").isoformat()
    '2026-01-13T09:04:05+00:00'
    """
    if not value:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def labels(value: str) -> tuple[str, ...]:
    """Gmail's labels (``X-Gmail-Labels: Sent,Opened,"Category Personal"``).

    Examples
    --------
    >>> labels('Inbox,"Category Personal",Opened')
    ('Inbox', 'Category Personal', 'Opened')
    """
    return tuple(p.strip().strip('"').strip() for p in value.split(",") if p.strip().strip('"'))
