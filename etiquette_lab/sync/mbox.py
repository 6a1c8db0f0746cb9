"""Streaming an mbox file: one record of headers per mail, memory flat in the file's size.

Gmail's Takeout writes one mbox file (``X-Gmail-Labels``, CRLF line ends); Thunderbird keeps
each folder as an extension-less mbox file. Both are read the same way: the file is scanned in
1 MiB chunks with byte searches, only each mail's header block is parsed, and a body is read
only when it is a delivery report (up to 1 MiB of it). A line ``From ...`` starts a new mail
when it follows an empty line and carries a time (``... 10:04:05 2026``), as mbox writers put
it; a body line "From here on" is not cut.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

from . import mail_headers as headers
from .errors import SyncInputError
from .mail_rules import automatic_reason, is_delivery_report, read_delivery_report

__all__ = ["MailHeaders", "iter_mbox"]

CHUNK = 1 << 20
#: A header block longer than this is not a mail's (a binary file, a wrong format).
HEADER_LIMIT = 1 << 20
#: How much of a delivery report's body is kept to read it (the status comes early).
REPORT_LIMIT = 1 << 20
#: Bytes always kept at the end of the buffer: more than a closing MIME boundary (at most 70
#: characters) and the line ends after it.
TAIL = 4096

_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
SEPARATOR_LINE = re.compile(rb"From [^\r\n]*\d:\d\d")
_BOUNDARY = re.compile(r"""boundary\s*=\s*(?:"([^"]+)"|([^\s;]+))""", re.IGNORECASE)
_NEEDLE = b"\nFrom "

#: ``progress(bytes_read, total_bytes, messages_so_far)``, called about once per MiB read.
Progress = Callable[[int, int, int], None]


@dataclass(frozen=True, slots=True)
class MailHeaders:
    """What the kit reads of one mail: its headers, classified.

    ``number`` is the mail's position in its file (1 for the first), ``offset`` the byte
    where its ``From`` line starts. Addresses are lower case; ``at`` is UTC (None when the
    Date header is missing or unreadable). ``automatic`` says why the mail is not a person's
    answer (``""`` when it is one); ``bounce`` marks a delivery failure report, whose
    ``failed_recipients`` and ``bounced_message_id`` say what did not arrive.
    """

    source: str
    number: int
    offset: int
    message_id: str
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    from_address: str
    from_name: str
    to_addresses: tuple[str, ...]
    to_names: tuple[str, ...]
    at: dt.datetime | None
    subject: str
    labels: tuple[str, ...]
    automatic: str
    bounce: bool
    failed_recipients: tuple[str, ...]
    bounced_message_id: str


def iter_mbox(
    path: str | os.PathLike[str], *, progress: Progress | None = None
) -> Iterator[MailHeaders]:
    """The mails of an mbox file, one :class:`MailHeaders` at a time, in file order.

    Parameters
    ----------
    path : path-like
        A Gmail Takeout ``.mbox`` file or a Thunderbird folder file (no extension).
    progress : callable, optional
        ``progress(bytes_read, total_bytes, messages)``, called about once per MiB; see
        :func:`stderr_progress` for a ready-made progress line.

    Raises
    ------
    SyncInputError
        Naming the file and the message: not an mbox file, a mail without headers, a file cut
        off inside a mail (its headers, its last line, or a multipart body without its end).

    Examples
    --------
    >>> from etiquette_lab.sync import sync_example_paths
    >>> inbox = sync_example_paths()["mailboxes"][0]
    >>> mails = list(iter_mbox(inbox))
    >>> [(m.number, m.from_address, m.automatic) for m in mails[:2]]
    [(1, 'jon.eksempel@example.org', ''),
     (2, 'mia.fiktiv@example.org', 'Auto-Submitted: auto-replied')]
    """
    shown = str(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise SyncInputError("does not exist", path=shown) from None
    except OSError as error:
        raise SyncInputError(f"cannot be read: {error.strerror or error}", path=shown) from None
    if stat.S_ISDIR(info.st_mode):
        raise SyncInputError(
            "is a folder; give the mbox file of each mail folder (Thunderbird: the file "
            "without extension beside the .msf file)",
            path=shown,
        )
    if not stat.S_ISREG(info.st_mode):  # a FIFO or a device would block or never end
        raise SyncInputError("is not a regular file", path=shown)
    try:
        handle = open(path, "rb")
    except OSError as error:
        raise SyncInputError(f"cannot be read: {error.strerror or error}", path=shown) from None
    with handle:
        yield from _Scanner(handle, shown, info.st_size, progress).mails()


def stderr_progress(label: str, *, stream: IO[str] | None = None, every: float = 0.5) -> Progress:
    """A progress callback printing ``label: 45% (90 of 200 MB, 12,345 mails)`` on one line.

    The line is rewritten in place at most every *every* seconds and ended when the file is
    done, so a multi-gigabyte mailbox shows that work goes on.
    """
    out = stream if stream is not None else sys.stderr
    last = [0.0]

    def report(done: int, total: int, mails: int) -> None:
        now = time.monotonic()
        finished = done >= total
        if not finished and now - last[0] < every:
            return
        last[0] = now
        share = 100 * done / total if total else 100
        out.write(
            f"\r{label}: {share:3.0f}% ({done / 1e6:,.0f} of {total / 1e6:,.0f} MB, "
            f"{mails:,} mails)" + ("\n" if finished else "")
        )
        out.flush()

    return report


class _Scanner:
    """The chunked scan of one file. ``buf`` holds the bytes from file offset ``base``."""

    def __init__(self, handle: IO[bytes], shown: str, size: int, progress: Progress | None):
        self.handle, self.shown, self.size, self.progress = handle, shown, size, progress
        self.buf = b""
        self.base = 0
        self.eof = False
        self.count = 0

    def more(self, keep: int) -> bool:
        """Drop ``buf[:keep]`` and read the next chunk; False at the end of the file.

        Callers subtract *keep* from every index they hold into ``buf``.
        """
        self.buf = self.buf[keep:]
        self.base += keep
        if self.eof:
            return False
        chunk = self.handle.read(CHUNK)
        if not chunk:
            self.eof = True
            return False
        self.buf += chunk
        if self.progress is not None:
            self.progress(self.base + len(self.buf), self.size, self.count)
        return True

    def error(self, message: str, number: int | None = None) -> SyncInputError:
        return SyncInputError(message, path=self.shown, message_number=number)

    def mails(self) -> Iterator[MailHeaders]:
        while len(self.buf) < len(b"From ") and self.more(0):
            pass
        if not self.buf:
            return  # an empty folder
        if not self.buf.startswith(b"From "):
            raise self.error(
                "is not an mbox file: it does not begin with a 'From ' line (give the mail "
                "folder's file itself, as Takeout or Thunderbird wrote it)"
            )
        start = 0
        while start >= 0:
            self.count += 1
            mail, start = self.mail(start, self.count)
            yield mail
        if self.progress is not None:
            self.progress(self.size, self.size, self.count)

    def mail(self, start: int, number: int) -> tuple[MailHeaders, int]:
        """The mail whose ``From`` line starts at ``buf[start]``, and where the next starts
        (-1 after the last mail)."""
        eol = self.buf.find(b"\n", start)
        while eol < 0:
            keep, grew = start, self.more(start)
            start -= keep
            if not grew:
                raise self.error("the file ends inside its 'From ' line (cut off?)", number)
            eol = self.buf.find(b"\n", start)
        offset = self.base + start
        head = eol + 1
        blank = _BLANK_LINE.search(self.buf, eol)
        while blank is None:
            if len(self.buf) - head > HEADER_LIMIT:
                raise self.error("has no end of its headers within 1 MiB: not a mail", number)
            keep, searched = start, len(self.buf)
            grew = self.more(keep)
            start, eol, head = start - keep, eol - keep, head - keep
            if not grew:
                raise self.error(
                    "the file ends inside the mail's headers: it was cut off (copy or "
                    "export the mailbox again)",
                    number,
                )
            blank = _BLANK_LINE.search(self.buf, max(eol, searched - keep - 3))
        if blank.start() < head or not headers.looks_like_headers(self.buf[head : blank.start()]):
            raise self.error(
                "has no headers (the line after its 'From ' line is not 'Name: value')", number
            )
        block = self.buf[head : blank.start()]
        fields = headers.parse_fields(block)
        body = blank.end()
        report = is_delivery_report(fields.get("content-type", ""))
        found, body, kept = self.next_separator(body, keep_body=report)
        if found < 0:
            self.check_last_mail(fields, body, number)
        next_start = found + 1 if found >= 0 else -1
        return self.build(fields, block, kept if report else b"", number, offset), next_start

    def next_separator(self, body: int, *, keep_body: bool) -> tuple[int, int, bytes]:
        """(index of the newline before the next ``From`` line or -1, body's index, the body
        kept for a delivery report)."""
        search = body - 1  # an empty body: the blank line's newline precedes the next From
        kept = b""
        while True:
            found, resume = self.find_separator(search)
            if found >= 0:
                if keep_body:
                    kept = self.buf[max(body, 0) : min(found, body + REPORT_LIMIT)]
                return found, body, kept
            if keep_body and len(self.buf) - body >= REPORT_LIMIT:
                kept, keep_body = self.buf[body : body + REPORT_LIMIT], False
            # Keep two bytes before the resume point (the blank line before a separator) and
            # the file's last TAIL bytes (a last mail's closing boundary, to see a cut).
            keep = max(0, min(min(resume, body) if keep_body else resume, len(self.buf) - TAIL) - 2)
            grew = self.more(keep)
            body, search = body - keep, resume - keep
            if not grew and found == -1:
                if keep_body:
                    kept = self.buf[max(body, 0) : body + REPORT_LIMIT]
                return -1, body, kept

    def find_separator(self, search: int) -> tuple[int, int]:
        """(index, _) of the next separator in ``buf``; else (-1 or -2, where to resume):
        -2 when a candidate's line is not complete yet and more bytes must be read."""
        buf = self.buf
        index = buf.find(_NEEDLE, search)
        while index >= 0:
            after_blank = (index >= 1 and buf[index - 1] == 10) or (
                index >= 2 and buf[index - 2 : index] == b"\n\r"
            )
            if after_blank:
                eol = buf.find(b"\n", index + 1)
                if eol < 0 and not self.eof:
                    return -2, index
                if SEPARATOR_LINE.match(buf, index + 1, eol if eol >= 0 else len(buf)):
                    return index, index
            index = buf.find(_NEEDLE, index + 1)
        return -1, max(search, len(buf) - len(_NEEDLE) + 1)

    def check_last_mail(self, fields: dict[str, str], body: int, number: int) -> None:
        """A file cut off inside its last mail: no final line end, or a multipart body
        without its closing boundary."""
        if not self.buf.endswith(b"\n"):
            raise self.error(
                "the file ends in the middle of a line: it was cut off (copy or export the "
                "mailbox again)",
                number,
            )
        content_type = fields.get("content-type", "")
        match = _BOUNDARY.search(content_type)
        if content_type.casefold().strip().startswith("multipart/") and match:
            boundary = (match.group(1) or match.group(2)).encode("utf-8", "replace")
            if b"--" + boundary + b"--" not in self.buf[max(body, 0) :]:
                raise self.error(
                    "the file ends before the end of the mail's multipart body: it was cut "
                    "off (copy or export the mailbox again)",
                    number,
                )

    def build(
        self, fields: dict[str, str], block: bytes, body: bytes, number: int, offset: int
    ) -> MailHeaders:
        from_names, from_addresses = headers.addresses(fields.get("from", ""))
        to_names, to_addresses = headers.addresses(fields.get("to", ""), fields.get("cc", ""))
        sender = from_addresses[0] if from_addresses else ""
        ids = headers.message_ids(fields.get("message-id", ""))
        failed: tuple[str, ...] = ()
        bounced = ""
        bounce = False
        automatic = automatic_reason(fields, sender)
        if body or is_delivery_report(fields.get("content-type", "")):
            report = read_delivery_report(block, body)
            failed = report.failed
            listed = fields.get("x-failed-recipients", "")
            if not failed and listed:
                failed = headers.addresses(listed)[1]
            bounced, bounce = report.original_message_id, bool(failed)
            automatic = (
                "delivery failure report"
                if bounce
                else automatic or "delivery status report (delayed, not failed)"
            )
        return MailHeaders(
            source=self.shown,
            number=number,
            offset=offset,
            message_id=ids[0] if ids else "",
            in_reply_to=headers.message_ids(fields.get("in-reply-to", "")),
            references=headers.message_ids(fields.get("references", "")),
            from_address=sender,
            from_name=from_names[0] if from_names else "",
            to_addresses=to_addresses,
            to_names=to_names,
            at=headers.parse_date(fields.get("date", "")),
            subject=fields.get("subject", "").strip(),
            labels=headers.labels(fields.get("x-gmail-labels", "")),
            automatic=automatic,
            bounce=bounce,
            failed_recipients=failed,
            bounced_message_id=bounced,
        )
