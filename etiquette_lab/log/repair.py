"""Repairing a log after a crash: a torn last line, or a write of many rows cut off part-way.

Repair only ever removes what a crash left unfinished, and keeps it in a file beside the log
(readable by you only). It refuses, changing nothing, whenever the bytes it would remove could
be more than that: several complete rows, or a line end outside quotes (a stray quote typed by
hand looks like an unfinished row but is followed by real events), or a rest of the log that
would not read cleanly either.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import csvsafe, userfiles
from ..errors import LogError, TornLineError
from ..results import Result
from ..timestamps import now
from . import index as log_index
from . import journal as log_journal
from .file import LogFile, open_log
from .validation import holds_later_rows

__all__ = ["Repair", "repair_log"]


@dataclass(frozen=True)
class Repair(Result):
    """What :func:`repair_log` took out of a log, and where it keeps it.

    Attributes
    ----------
    log : Path
        The log repaired.
    aside : Path
        The file beside the log that holds the removed bytes, exactly as they were.
    what : str
        ``"torn line"`` (the start of one row, a write cut off) or ``"unfinished write"``
        (the rows of a write of many, such as an import, that was cut off part-way).
    line : int
        The log line where the removed bytes began.
    rows : int
        Complete rows among them (0 for a torn line).
    """

    log: Path
    aside: Path
    what: str
    line: int
    rows: int

    _title = "Repair"

    def _summary_frame(self) -> Any:
        return self._fields_frame("what", "line", "rows", "aside")

    def __str__(self) -> str:
        if self.what == "torn line":
            return f"moved the torn last line (line {self.line}) to {self.aside}"
        return (
            f"took back an unfinished write: {self.rows:,} row{'s' if self.rows != 1 else ''} "
            f"from line {self.line} on, kept in {self.aside}; the log is as it was before "
            "that write, so it can be made again"
        )


def repair_log(path: str | os.PathLike[str]) -> Repair | None:
    """Move what a crash left unfinished aside, so the log can be used again.

    Two things are repaired: a torn last line (a write cut off inside a row) and a write of
    several rows (an import, ``send-planned``) cut off part-way, whose rows are all taken back
    so that it landed not at all. The bytes removed are kept in ``<log>.torn-<time>`` or
    ``<log>.unfinished-<time>`` beside the log. A log with any other problem is left as it is
    (the error names it). Returns what was done, or None when there was nothing to repair.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from etiquette_lab import create_log
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "asks.csv"
    >>> _ = create_log(path).send("Ada", "default", at="2026-11-02T09:00+01:00")
    >>> with open(path, "ab") as f:  # a crash half-way through the next row
    ...     _ = f.write(b"2026-11-02T10:00:00+01:00,sent,r0002,,Bo,def")
    >>> repair_log(path).what
    'torn line'
    >>> repair_log(path) is None
    True
    """
    log = LogFile(path)
    with log._locked(exclusive=True) as handle:
        journal = log_journal.read(log.path)
        held = log_journal.written_part(journal, handle) if journal is not None else None
        if journal is not None and held is not None:
            repair = _take_back(log, handle, journal.offset, held)
            log_journal.finish(journal.path)
        else:
            try:
                log._catch_up(handle)  # also forgets a stale journal
                return None
            except TornLineError as error:
                torn_line = error.line or 2
            handle.seek(0)
            data = handle.read()
            cut = _offset_of_line(data, torn_line)
            _refuse_more_than_one_row(data[cut:], log, torn_line)
            _check_remainder_reads(data[:cut], log)
            aside = _put_aside(log.path, "torn", data[cut:])
            _truncate(handle, cut)
            repair = Repair(log.path, aside, "torn line", torn_line, 0)
        log_index.remove(log.path)  # the log changed: its index describes it no longer
    open_log(path)  # what is left reads cleanly (checked before, asserted after)
    return repair


def _take_back(log: LogFile, handle: Any, offset: int, held: bytes) -> Repair:
    """Remove the part of a cut-off write of many rows that reached the log."""
    handle.seek(0)
    line = handle.read(offset).count(b"\n") + 1
    starts, _ = csvsafe.record_starts(held)
    rows = len(starts) - (0 if held.endswith(b"\n") else 1)
    aside = _put_aside(log.path, "unfinished", held)
    _truncate(handle, offset)
    return Repair(log.path, aside, "unfinished write", line, max(rows, 0))


def _refuse_more_than_one_row(tail: bytes, log: LogFile, line: int) -> None:
    """The bytes to move must be the start of one row: no later complete row, no line end
    outside quotes."""
    starts, open_quote = csvsafe.record_starts(tail)
    outside = len(starts) > 1 or (tail.endswith(b"\n") and not open_quote)
    if outside or holds_later_rows(tail, log._delimiter):
        raise LogError(
            "the incomplete row starting here is followed by more lines, which may hold "
            "events; repair moves only a torn last row, so nothing was changed: check the "
            "quotes on this line by hand",
            path=str(log.path),
            line=line,
        )


def _check_remainder_reads(data: bytes, log: LogFile) -> None:
    """The log without its torn tail must read cleanly, or nothing is touched."""
    probe = userfiles.temporary_beside(log.path)
    try:
        probe.write_bytes(data)
        open_log(probe)
    except LogError as error:
        raise LogError(
            f"besides the torn last line, the log has another problem ({error.message}); "
            "nothing was changed: fix that first",
            path=str(log.path),
            line=error.line,
            field=error.field,
        ) from None
    finally:
        probe.unlink(missing_ok=True)


def _put_aside(path: Path, kind: str, data: bytes) -> Path:
    """``<log>.<kind>-<time>`` (or ``-2``, ``-3``, ... when taken), readable by you only."""
    base = path.with_name(f"{path.name}.{kind}-{now().strftime('%Y%m%dT%H%M%S')}")
    number = 1
    while True:
        candidate = base if number == 1 else base.with_name(f"{base.name}-{number}")
        try:
            return userfiles.write_private(candidate, data)
        except FileExistsError:
            number += 1


def _truncate(handle: Any, size: int) -> None:
    os.ftruncate(handle.fileno(), size)
    os.fsync(handle.fileno())


def _offset_of_line(data: bytes, line: int) -> int:
    """Byte offset where physical *line* starts (1-based, the header is line 1, ``\\n`` ends a
    line: the same count every error message uses)."""
    offset = 0
    for _ in range(line - 1):
        offset = data.index(b"\n", offset) + 1
    return offset
