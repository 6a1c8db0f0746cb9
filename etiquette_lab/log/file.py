"""The request log: one CSV file of events, appended under a file lock, never rewritten.

Each row is one event: a request ``sent`` (or ``resent``), ``reminded``, ``withdrawn``,
``responded`` or ``thanked``; a ``declared`` row names an experiment's variants. The format is
documented in ``docs/log-format.md``. Every event, whether read from the file or about to be
appended, passes through the same validation (:mod:`etiquette_lab.log.validation`), so a log
the kit wrote is always a log the kit can read, and a bad row is named by file, line and field.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import csvsafe, userfiles
from ..errors import InvalidInputError, LogError, UnfinishedWriteError, shown
from ..timestamps import format_time, now, parse_time
from . import index as log_index
from . import journal as log_journal
from .contact import check_contacts
from .format import (
    COLUMNS,
    CONTACT_COLUMNS,
    DEFAULT_OUTCOMES,
    FORMAT_VERSION,
    HEADER_LINE,
    LAYOUTS,
    OUTCOMES,
    TEXT_COLUMNS,
    canonical_kind,
)
from .requests import OBSERVATIONAL, fold_events
from .state import LogState
from .validation import parse_events

__all__ = [
    "LogFile",
    "Origin",
    "building_log",
    "create_log",
    "is_observational",
    "open_log",
    "read_events",
    "read_requests",
]

_TAIL = 64  # bytes remembered before the read offset, to notice a file rewritten behind our back
#: The longest text a cell may hold when written: the longest e-mail fits many times over; a
#: file given by mistake (a video, a disk image) does not.
MAX_CELL_CHARACTERS = 1_000_000


def create_log(
    path: str | os.PathLike[str],
    *,
    experiment: str = "",
    variants: Sequence[str] | None = None,
    at: Any = None,
) -> LogFile:
    """Create a new, empty log file and return it open.

    Parameters
    ----------
    path : path-like
        Where to create the file (its folder is created too, readable by you only). An existing
        file is never overwritten.
    experiment : str
        The experiment this log belongs to; sends default to it.
    variants : sequence of str, optional
        The wordings of the experiment, such as ``["default", "personalised"]``. When given, a
        send with any other variant (``personalized``) is rejected.
    at : time, optional
        When the experiment was declared (default: now).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "asks.csv"
    >>> log = create_log(path, variants=["default", "personalised"])
    >>> rid = log.send("Ada", "personalised", at="2026-11-02T10:00+01:00")
    >>> log.respond(rid, at="2026-11-03T08:00+01:00")
    >>> log.requests().loc[0, ["request_id", "outcome"]].tolist()
    ['r0001', 'recommended']
    """
    with building_log(path, experiment=experiment, variants=variants, at=at) as log:
        pass
    return log


@contextlib.contextmanager
def building_log(
    path: str | os.PathLike[str],
    *,
    experiment: str = "",
    variants: Sequence[str] | None = None,
    at: Any = None,
) -> Iterator[LogFile]:
    """A new log, filled inside the ``with`` block and published whole when the block ends.

    Until then the log exists only under a private temporary name beside *path*: no other
    command sees it or writes into it, and if the block raises (a bad row in a sheet, a full
    disk, Ctrl-C) nothing is left behind. This is how an import into a new log lands whole or
    not at all. Arguments as :func:`create_log`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "asks.csv"
    >>> with building_log(path, variants=["default", "personalised"]) as log:
    ...     _ = log.send("Ada", "default", at="2026-11-02T10:00+01:00")
    ...     path.exists()
    False
    >>> len(open_log(path))
    2
    """
    target = Path(path)
    names = _checked_variants(experiment, variants)
    if os.path.lexists(target):
        raise _exists_error(target)
    try:
        temporary = userfiles.temporary_beside(target)
    except OSError as error:  # no such folder and none can be made, no permission, ...
        raise LogError(f"cannot be created: {error.strerror or error}", path=str(target)) from None
    try:
        with open(temporary, "r+b") as handle:
            # A byte-order mark, so that Excel shows names such as Ørjan and Zoë correctly.
            _write_all(handle, 0, (csvsafe.BOM + HEADER_LINE).encode("utf-8"), str(target), 1)
        log = LogFile(target, _location=temporary)
        if names:
            log._append([_row("declared", at, experiment=experiment, variant="|".join(names))])
        yield log
        try:
            userfiles.publish(temporary, target)
        except FileExistsError:
            raise _exists_error(target) from None
        log._location = target
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


def _exists_error(target: Path) -> LogError:
    return LogError("already exists; open it instead of creating it", path=str(target))


def _checked_variants(experiment: str, variants: Sequence[str] | None) -> list[str]:
    names = [v.strip() for v in (variants or [])]
    if any(not v or "|" in v for v in names) or len(set(names)) != len(names):
        raise InvalidInputError("variants must be distinct, non-empty names without '|'")
    if experiment and not names:
        raise InvalidInputError(
            f"experiment {experiment!r} needs its variants "
            "(e.g. variants=['default', 'personalised'])"
        )
    return names


def open_log(path: str | os.PathLike[str]) -> LogFile:
    """Open an existing log, reading and validating it once.

    Raises :class:`~etiquette_lab.errors.LogError` naming the file, line and field of the first
    problem found.
    """
    log = LogFile(path)
    log.refresh()
    return log


def read_requests(path: str | os.PathLike[str]) -> Any:
    """Read a log and return its table of requests (one row per request).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from etiquette_lab import create_log
    >>> log = create_log(pathlib.Path(tempfile.mkdtemp()) / "log.csv")
    >>> rid = log.send("Zoë", "default", at="2026-11-02T09:00+01:00")
    >>> log.remind(rid, at="2026-11-16T09:00+01:00")
    >>> read_requests(log.path)[["recipient", "sends", "reminders", "outcome"]]
      recipient  sends  reminders outcome
    0       Zoë      1          1     NaN
    """
    return open_log(path).requests()


def read_events(path: str | os.PathLike[str]) -> Any:
    """The validated events of a log as a DataFrame (see ``docs/log-format.md``)."""
    return open_log(path).events()


class LogFile:
    """An open log. It keeps what it has read and reads only what other writers append since.

    Every record method takes the lock, catches up with the file, validates the new event
    against everything logged so far, appends it as one complete line, flushes and syncs it.
    ``LogFile(path)`` itself reads nothing: when its first use is to record, on a large log it
    starts from the index beside the log (``docs/log-format.md``), as the command line does.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, _location: str | os.PathLike[str] | None = None
    ) -> None:
        self.path = Path(path)
        # The file actually opened: a log being built lives under a temporary name until it
        # is published (see building_log); errors always name self.path.
        self._location = Path(_location) if _location is not None else self.path
        # True once this object appended before reading anything (a command recording one
        # event): it then works from the index beside a large log and keeps it up to date.
        self._keeps_index = False
        self._reset()

    # -- reading -------------------------------------------------------------------------

    def _reset(self) -> None:
        self._state = LogState(path=str(self.path))
        self._offset = 0  # bytes of the file already read and validated
        self._tail = b""
        self._delimiter = ","
        self._ends_with_newline = True
        self._identity: tuple[int, int] | None = None
        self._mtime_ns = 0  # modification time when we last read or wrote
        self._requests_cache: tuple[int, Any] | None = None
        self._written_rows: list[dict[str, Any]] = []
        self._index_covers: int | None = None  # the log length a valid index describes

    def refresh(self) -> LogFile:
        """Read whatever other writers have appended since the last read."""
        with self._locked(exclusive=False) as handle:
            if self._state.from_index:  # it knows the sends, not the events: read them all
                self._reset()
            self._catch_up(handle)
        return self

    def events(self) -> Any:
        """All events as a DataFrame, one row per event, in file order (refreshes first).

        A copy: changing it never changes what the open log knows (pandas' copy-on-write
        makes a shallow copy enough, and a log of millions is not copied in memory).
        """
        self.refresh()
        return self._state.events().copy(deep=False)

    def requests(self) -> Any:
        """One row per request (see :func:`etiquette_lab.log.requests.requests_from_events`)."""
        self.refresh()
        count = self._state.event_count
        if self._requests_cache is None or self._requests_cache[0] != count:
            rows = self._state.known_request_rows()
            self._requests_cache = (count, fold_events(self._state.events(), rows))
        return self._requests_cache[1].copy(deep=False)  # (copy-on-write: as events())

    @property
    def variants(self) -> dict[str, tuple[str, ...]]:
        """Declared variants per experiment."""
        return {k: tuple(v) for k, v in self._state.declared.items()}

    @property
    def experiment(self) -> str:
        """The experiment sends default to: the first one declared, or ``""``."""
        return next(iter(self._state.declared), "")

    def __len__(self) -> int:
        return self._state.event_count

    def __repr__(self) -> str:
        return f"LogFile({str(self.path)!r}, events={len(self)})"

    # -- recording -----------------------------------------------------------------------

    def send(
        self,
        recipient: str,
        variant: str,
        *,
        kind: str = "recommendation",
        channel: str = "linkedin",
        message: str = "",
        at: Any = None,
        experiment: str | None = None,
        stratum: str = "",
        assignment: str = "",
        score: float | None = None,
        note: str = "",
        request_id: str | None = None,
        profile_url: str = "",
        email: str = "",
    ) -> str:
        """Record a new request and return its id (``r0001``, ``r0002``, ...).

        A named *experiment* must be declared in the log first (:meth:`declare`), so that a
        typo cannot start a new experiment where any wording goes; the default is the log's
        own experiment (:attr:`experiment`). *profile_url* (their LinkedIn profile) and
        *email* (their address) are optional; when given, ``sync`` finds the recipient by them
        before it tries the name (a log of format version 1 has no columns for them).
        """
        check_contacts(str(self.path), profile_url=profile_url, email=email)
        row = _row(
            "sent",
            at,
            request_id=request_id or "",
            recipient=recipient,
            variant=variant,
            kind=kind,
            channel=channel,
            message=message,
            stratum=stratum,
            assignment=assignment,
            note=note,
            experiment=experiment,  # None: the log's own, known once the log is caught up
            score="" if score is None else repr(float(score)),
            profile_url=profile_url.strip(),
            email=email.strip(),
        )
        if experiment:
            row["_named_experiment"] = True
        return self._append([row])[0]

    def declare(
        self,
        experiment: str,
        variants: Sequence[str],
        *,
        at: Any = None,
        assignment: str = "",
    ) -> None:
        """Declare an experiment and its wordings; sends to it are then checked against them.

        Declaring an experiment the log already has adds the new wordings to it (from this
        line on). ``assignment="observational"`` marks an experiment whose wordings were not
        assigned at random (past messages imported from an archive): every report on it says
        so (:func:`etiquette_lab.is_observational`).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> log = create_log(pathlib.Path(tempfile.mkdtemp()) / "asks.csv", variants=["a", "b"])
        >>> log.declare("connections", ["short", "long"], at="2026-11-02T09:00+01:00")
        >>> log.variants["connections"]
        ('short', 'long')
        """
        if not str(experiment).strip():
            raise InvalidInputError("the experiment to declare needs a name")
        names = _checked_variants(experiment, variants)
        self._append(
            [
                _row(
                    "declared",
                    at,
                    experiment=experiment,
                    variant="|".join(names),
                    assignment=assignment,
                )
            ]
        )

    def send_many(
        self,
        sends: Sequence[Mapping[str, Any]],
        *,
        origins: Sequence[Origin] | None = None,
        new_outcomes: bool = False,
    ) -> list[str]:
        """Record several requests at once: all are validated first, then written together.

        Each mapping takes the keyword arguments of :meth:`send`; extra keys ``responded_at``,
        ``outcome`` and ``withdrawn_at`` also record the follow-up events (used by the import).
        ``origins`` (one per send) says where each came from, so that an error names the
        spreadsheet's row and column instead of the log line it would have had.
        """
        rows: list[dict[str, str]] = []
        for position, item in enumerate(sends):
            spec = {"kind": "recommendation", "channel": "linkedin", **item}  # as send()
            follow = {k: spec.pop(k, None) for k in ("responded_at", "outcome", "withdrawn_at")}
            score = spec.pop("score", None)
            experiment = spec.pop("experiment", None)
            rows.append(
                _row(
                    "sent",
                    spec.pop("at", None),
                    request_id=spec.pop("request_id", "") or "",
                    experiment=experiment,
                    score="" if score is None or score == "" else repr(float(score)),
                    **{k: str(v) for k, v in spec.items()},
                )
            )
            rows[-1]["_follow"] = follow  # type: ignore[assignment]
            if origins is not None:
                rows[-1]["_origin"] = origins[position]  # type: ignore[assignment]
        return self._append(rows, new_outcomes=new_outcomes)

    def resend(self, request_id: str, *, at: Any = None, note: str = "") -> None:
        """Record that the same request was sent again to the same person."""
        self._append([_row("resent", at, request_id=request_id, note=note)])

    def remind(self, request_id: str, *, at: Any = None, note: str = "") -> None:
        """Record a reminder (LinkedIn's "Remind")."""
        self._append([_row("reminded", at, request_id=request_id, note=note)])

    def withdraw(self, request_id: str, *, at: Any = None, note: str = "") -> None:
        """Record that the request was withdrawn."""
        self._append([_row("withdrawn", at, request_id=request_id, note=note)])

    def respond(
        self,
        request_id: str,
        *,
        outcome: str | None = None,
        at: Any = None,
        note: str = "",
        new_outcome: bool = False,
    ) -> None:
        """Record a response. The default outcome follows the request's kind.

        ``recommendation`` -> ``recommended``, ``connection`` -> ``accepted``,
        ``endorsement`` -> ``endorsed``, anything else -> ``replied``. A refusal is
        ``declined``: a response, but not a success. An outcome the kit does not know and the
        log has not used before is refused (a typo such as ``declinde`` would otherwise count
        as a success) unless ``new_outcome`` is true.
        """
        self._append(
            [_row("responded", at, request_id=request_id, outcome=outcome or "", note=note)],
            new_outcomes=new_outcome,
        )

    def thank(self, request_id: str, *, at: Any = None, note: str = "") -> None:
        """Record that you thanked the person."""
        self._append([_row("thanked", at, request_id=request_id, note=note)])

    def undelivered(self, request_id: str, *, at: Any = None, note: str = "") -> None:
        """Record that the request never arrived (a bounce): the analysis leaves it out of its
        denominators, since it never had a chance to be answered."""
        self._append([_row("undelivered", at, request_id=request_id, note=note)])

    def record_follow_ups(self, events: Sequence[Mapping[str, Any]]) -> int:
        """Append follow-up events (``responded``, ``undelivered``, ...) in one write.

        Each mapping holds ``event``, ``request_id``, ``at`` and optionally ``outcome`` and
        ``note`` (as :meth:`etiquette_lab.sync.SyncProposal.log_rows` gives them). All are
        validated first; the write goes through ``LOG.writing`` like an import, so it lands
        whole or not at all. Returns the number of events written.
        """
        rows = []
        for item in events:
            event = str(item["event"])
            if event in ("sent", "declared"):
                raise InvalidInputError(f"{event!r} is not a follow-up; use send() or declare()")
            rows.append(
                _row(
                    event,
                    item["at"],
                    request_id=str(item["request_id"]),
                    outcome=str(item.get("outcome") or ""),
                    note=str(item.get("note") or ""),
                )
            )
        if rows:
            self._append(rows)
        return len(rows)

    # -- the machinery -------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self, *, exclusive: bool) -> Iterator[Any]:
        try:
            handle = userfiles.open_regular(self._location, write=exclusive)
        except FileNotFoundError:
            raise LogError(
                "no such log file (create it with create_log())", path=str(self.path)
            ) from None
        except IsADirectoryError:
            raise LogError("is a folder, not a log file", path=str(self.path)) from None
        except OSError as error:  # no permission, ...
            raise LogError(
                f"cannot be opened: {error.strerror or error}", path=str(self.path)
            ) from None
        with handle:
            _lock(handle, exclusive=exclusive)
            try:
                yield handle
            finally:
                _unlock(handle)

    def _catch_up(self, handle: Any, *, from_index: bool = False) -> None:
        """Read and validate the bytes appended since the last read (all of them the first time,
        or, *from_index*, those after the length a valid index beside the log describes)."""
        if self._location == self.path:  # a published log: was a write of many rows cut off?
            self._check_journal(handle)
        info = os.fstat(handle.fileno())
        identity = (info.st_dev, info.st_ino)
        if self._offset and not self._still_ours(handle, identity, info):
            self._reset()  # replaced or edited behind our back: read it all again
        if from_index and not self._offset and self._location == self.path:
            self._restore_from_index(handle, info)
        self._identity = identity
        if info.st_size == 0:
            raise LogError(
                "is empty: not an etiquette-lab log (create one with create_log())",
                path=str(self.path),
                line=1,
            )
        if info.st_size == self._offset:
            return
        self._mtime_ns = info.st_mtime_ns
        start, first_line = self._offset, self._state.lines_read + 1
        handle.seek(start)
        if start == 0:
            # The header is read on its own, so a million rows are read once, never copied.
            header = _read_header(handle, str(self.path))
            self._delimiter, start, self._ends_with_newline, self._state.version = header
            first_line = 2
        data = handle.read(info.st_size - start)
        if data and not self._ends_with_newline:
            if not data.startswith(b"\n"):
                raise LogError(
                    "a row was written onto the end of the line before it",
                    path=str(self.path),
                    line=first_line - 1,
                )
            # Another writer ended our unfinished last line before appending: that line end
            # belongs to the line already read, not to a new one.
            data, start = data[1:], start + 1
        parse_events(data, state=self._state, first_line=first_line, delimiter=self._delimiter)
        self._offset = info.st_size
        if data:
            self._ends_with_newline = data.endswith(b"\n")
        handle.seek(max(0, self._offset - _TAIL))
        self._tail = handle.read(self._offset - max(0, self._offset - _TAIL))

    def _restore_from_index(self, handle: Any, info: os.stat_result) -> None:
        """Start from the index beside the log, when it still describes the log."""
        if info.st_size < log_index.INDEX_FROM_BYTES:
            return
        snapshot = log_index.load(self.path, handle, info)
        if snapshot is None:
            return
        self._state = snapshot.state
        self._offset = self._index_covers = snapshot.covered
        start = max(0, self._offset - _TAIL)
        self._tail = os.pread(handle.fileno(), self._offset - start, start)
        self._delimiter = snapshot.delimiter
        self._ends_with_newline = snapshot.ends_with_newline
        self._mtime_ns = snapshot.mtime_ns

    def _keep_index(self, handle: Any) -> None:
        """Write the index of a large log when there is none, or when much was appended after
        the length it covers (under the log's lock: the state covers the whole file)."""
        covered = self._index_covers
        if self._offset < log_index.INDEX_FROM_BYTES or (
            covered is not None and self._offset - covered <= log_index.REWRITE_AFTER_BYTES
        ):
            return
        self._index_covers = log_index.save(
            self.path,
            handle,
            self._state,
            delimiter=self._delimiter,
            ends_with_newline=self._ends_with_newline,
        )

    def _check_journal(self, handle: Any) -> None:
        """Stop at a write of many rows that was cut off; forget a journal that is stale.

        Called under the log's lock, so the journal's writer is gone (it held the lock).
        """
        journal = log_journal.read(self.path)
        if journal is None:
            return
        held = log_journal.written_part(journal, handle)
        if held is None:
            with contextlib.suppress(OSError):  # a reader without write permission leaves it
                log_journal.finish(journal.path)
            return
        rows = len(csvsafe.record_starts(held)[0]) - (0 if held.endswith(b"\n") else 1)
        handle.seek(0)
        line = handle.read(journal.offset).count(b"\n") + 1
        raise UnfinishedWriteError(
            f"{journal.what} ({journal.rows:,} rows) was cut off after {max(rows, 0):,} of "
            "them (a crash?); repair_log() takes them back out, so that the log "
            "is as it was before, and the write can be made again",
            path=str(self.path),
            line=line,
        )

    def _still_ours(self, handle: Any, identity: tuple[int, int], info: os.stat_result) -> bool:
        if identity != self._identity or info.st_size < self._offset:
            return False
        if info.st_size == self._offset and info.st_mtime_ns != self._mtime_ns:
            return False  # same length but written since: edited in place
        handle.seek(self._offset - len(self._tail))
        tail: bytes = handle.read(len(self._tail))
        return tail == self._tail

    def _append(self, rows: list[dict[str, Any]], *, new_outcomes: bool = False) -> list[str]:
        with self._locked(exclusive=True) as handle:
            if not self._offset and self._location == self.path:
                self._keeps_index = True  # nothing read yet: one event recorded, not a read
            self._catch_up(handle, from_index=self._keeps_index)
            try:
                write = self._checked([dict(row) for row in rows], new_outcomes)
            except LogError:  # (a refusal: nothing is written while the rows are checked)
                if not self._state.from_index:
                    raise
                # Refused on the index's word: the log itself decides (read in full).
                self._reset()
                self._catch_up(handle)
                write = self._checked(rows, new_outcomes)
            self._write_checked(handle, write)
            if self._keeps_index:
                self._keep_index(handle)
        return write.ids

    def _checked(self, rows: list[dict[str, Any]], new_outcomes: bool) -> _CheckedWrite:
        """The rows to append, stamped, numbered and validated against everything logged so
        far exactly as a reader will validate them; nothing is written yet."""
        ids = self._assign_ids(rows)
        rows = list(_expand_follow_ups(rows))
        for row in rows:
            with _at_origin(row):
                row["at"] = self._stamp(row["at"])
        for row in rows:
            row["log_format"] = self._state.version  # an older log is appended in its version
            if row["event"] == "sent":
                row["kind"] = canonical_kind(row["kind"])
                if row["experiment"] is None:
                    row["experiment"] = self.experiment
        self._fill_default_outcomes(rows)
        if not new_outcomes:
            self._check_outcomes(rows)
        self._check_named_experiments(rows)
        row_texts = []
        for row in rows:
            with _at_origin(row):
                row_texts.append(csvsafe.format_row(self._cells(row), self._delimiter))
        text = "".join(row_texts)
        data = text.encode("utf-8")
        if not self._ends_with_newline:
            # The last row was complete but had no line end (as Google Sheets saves):
            # end it, so the new row is not glued onto it.
            data = b"\n" + data
        # Validate exactly as a reader will, against everything logged so far, before a
        # single byte is written; the state is only updated once the write succeeded.
        pending = self._state.pending()
        first_line = pending.lines_read + 1
        try:
            parse_events(
                data.lstrip(b"\n"),
                state=pending,
                first_line=first_line,
                delimiter=self._delimiter,
                rejected=True,
            )
        except LogError as error:
            # Which row failed: rows may span lines (a message with line breaks).
            row_lines = np.cumsum([0] + [c.count("\n") for c in row_texts])
            index = (
                int(
                    np.searchsorted(
                        row_lines, (error.line or first_line) - first_line, side="right"
                    )
                )
                - 1
            )
            with _at_origin(rows[index] if 0 <= index < len(rows) else {}):
                raise
        return _CheckedWrite(ids, rows, data, pending, first_line)

    def _write_checked(self, handle: Any, write: _CheckedWrite) -> None:
        """Append checked rows; the state follows once they are in the file."""
        rows, data = write.rows, write.data
        self._write(handle, data, rows=len(rows), first_line=write.first_line, origin=rows[0])
        self._written_rows = rows  # what this append wrote, as written (the CLI confirms it)
        write.pending.commit()
        self._offset += len(data)
        self._ends_with_newline = True
        self._tail = (self._tail + data)[-_TAIL:]
        info = os.fstat(handle.fileno())
        self._identity, self._mtime_ns = (info.st_dev, info.st_ino), info.st_mtime_ns

    def _write(
        self, handle: Any, data: bytes, *, rows: int, first_line: int, origin: Mapping[str, Any]
    ) -> None:
        """Append *data* whole or not at all; several rows go through the journal, so that even
        a crash part-way cannot leave some of them behind."""
        path = str(self.path)
        journal = None
        try:
            if rows > 1 and self._location == self.path:
                where = origin.get("_origin")
                journal = log_journal.begin(
                    self.path,
                    offset=self._offset,
                    data=data,
                    rows=rows,
                    source=Path(where.path).name if where is not None else "",
                )
            _write_all(handle, self._offset, data, path, first_line)
        except OSError as error:  # the journal could not be saved: nothing was written
            raise _not_saved(error, path, first_line) from None
        finally:
            if journal is not None:
                log_journal.finish(journal)

    def _cells(self, row: Mapping[str, Any]) -> list[str]:
        """The row's cells as stored, in the log's own format version; a NUL, a text too long
        for a cell, or a contact field the log's version has no column for is refused."""
        columns = self._state.columns
        for column in CONTACT_COLUMNS:
            if row[column] and column not in columns:
                raise LogError(
                    f"this log is in format version {self._state.version}, which has no "
                    f"{column} column (logs created since version {FORMAT_VERSION} have it); "
                    "log the request without it, or start a new log for new experiments",
                    path=str(self.path),
                    field=column,
                    rejected=True,
                )
        cells = []
        for column in columns:
            value = "" if row[column] is None else str(row[column])
            if "\x00" in value:
                raise LogError(
                    "contains a NUL character (binary data?)",
                    path=str(self.path),
                    field=column,
                    rejected=True,
                )
            if len(value) > MAX_CELL_CHARACTERS:
                raise LogError(
                    f"is {len(value):,} characters long; a cell holds at most "
                    f"{MAX_CELL_CHARACTERS:,} (the wrong file?)",
                    path=str(self.path),
                    field=column,
                    rejected=True,
                )
            cells.append(csvsafe.neutralise(value) if column in TEXT_COLUMNS else value)
        return cells

    def _check_named_experiments(self, rows: list[dict[str, Any]]) -> None:
        declared = self._state.declared
        for row in rows:
            if row.pop("_named_experiment", False) and row["experiment"] not in declared:
                known = ", ".join(repr(e) for e in declared) or "none"
                close = difflib.get_close_matches(row["experiment"], list(declared), n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                with _at_origin(row):
                    raise LogError(
                        f"experiment {shown(row['experiment'])} is not declared in this log "
                        f"(declared: {known}); {hint}to start a new experiment, declare it "
                        "and its wordings first (LogFile.declare)",
                        path=str(self.path),
                        field="experiment",
                        rejected=True,
                    )

    def _stamp(self, at: Any) -> str:
        try:
            return format_time(now() if at is None else parse_time(at, what="time"))
        except InvalidInputError as error:
            raise LogError(str(error), path=str(self.path), field="at", rejected=True) from None

    def _check_outcomes(self, rows: list[dict[str, Any]]) -> None:
        known = set(OUTCOMES) | self._state.outcomes
        for row in rows:
            outcome = row["outcome"]
            if row["event"] == "responded" and outcome not in known:
                close = difflib.get_close_matches(outcome, sorted(known), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                with _at_origin(row):
                    raise LogError(
                        f"unknown outcome {shown(outcome)}{hint}; "
                        f"known: {', '.join(sorted(known))}; "
                        "to use a new one, say so with new_outcome=True",
                        path=str(self.path),
                        field="outcome",
                        rejected=True,
                    )

    def _fill_default_outcomes(self, rows: list[dict[str, Any]]) -> None:
        kinds = {r["request_id"]: r["kind"] for r in rows if r["event"] == "sent"}
        for row in rows:
            if row["event"] == "responded" and not row["outcome"]:
                known = self._state.sent.get(row["request_id"])
                kind = kinds.get(row["request_id"], known[1] if known else "")
                row["outcome"] = default_outcome(kind)

    def _assign_ids(self, rows: list[dict[str, Any]]) -> list[str]:
        ids = []
        number = self._state.next_request_number
        for row in rows:
            if row["event"] != "sent":
                continue
            if not row["request_id"]:
                row["request_id"] = f"r{number:04d}"
                number += 1
            ids.append(row["request_id"])
        return ids


# -- rows ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _CheckedWrite:
    """Rows ready to append: their ids, the rows as written, their bytes, the state after."""

    ids: list[str]
    rows: list[dict[str, Any]]
    data: bytes
    pending: Any
    first_line: int


@dataclass(frozen=True)
class Origin:
    """Where a row to append came from: a file, its line, and its column for each log field.

    ``follow_up_columns`` gives the columns of the follow-up events made from the same row
    (for example the response's ``at`` is the sheet's "Responded" column).
    """

    path: str
    line: int
    columns: Mapping[str, str]
    follow_up_columns: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def for_event(self, event: str) -> Origin:
        columns = self.follow_up_columns.get(event)
        return self if columns is None else Origin(self.path, self.line, columns)


@contextlib.contextmanager
def _at_origin(row: Mapping[str, Any]) -> Iterator[None]:
    """Re-raise a rejected row's error at its origin (a spreadsheet cell), when it has one."""
    try:
        yield
    except LogError as error:
        origin = row.get("_origin")
        if origin is None or not error.rejected:
            raise
        raise LogError(
            error.message,
            path=origin.path,
            line=origin.line,
            field=origin.columns.get(error.field or "", error.field),
        ) from None


def _row(event: str, at: Any, **fields: Any) -> dict[str, Any]:
    """A row to append; its time stays as given until :meth:`LogFile._append` stamps it."""
    row: dict[str, Any] = dict.fromkeys(COLUMNS, "")
    row.update(fields)
    row["event"] = event
    row["at"] = at
    row["log_format"] = FORMAT_VERSION
    for key in row:
        if key not in COLUMNS and key not in ("_follow", "_origin", "_named_experiment"):
            raise InvalidInputError(f"unknown field {key!r}")
    return row


def _origin_of(origin: Origin | None, event: str) -> dict[str, Any]:
    return {} if origin is None else {"_origin": origin.for_event(event)}


def _expand_follow_ups(rows: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for row in rows:
        follow = row.pop("_follow", None) or {}
        yield row
        origin = row.get("_origin")

        if follow.get("responded_at") not in (None, ""):
            yield _row(
                "responded",
                follow["responded_at"],
                request_id=row["request_id"],
                outcome=str(follow.get("outcome") or ""),
                **_origin_of(origin, "responded"),
            )
        if follow.get("withdrawn_at") not in (None, ""):
            yield _row(
                "withdrawn",
                follow["withdrawn_at"],
                request_id=row["request_id"],
                **_origin_of(origin, "withdrawn"),
            )


def default_outcome(kind: str) -> str:
    """The outcome a response records when none is given, by request kind."""
    return DEFAULT_OUTCOMES.get(kind, "replied")


# -- the file --------------------------------------------------------------------------------


def _read_header(handle: Any, path: str) -> tuple[str, int, bool, str]:
    """Check the header line at the handle's start: (delimiter, where rows begin, whether the
    header has its line end, the format version it shows; Google Sheets leaves a header-only
    file without its line end)."""
    raw = handle.readline(_HEADER_LIMIT)
    size, ended = len(raw), raw.endswith(b"\n")
    if not ended and b"\r" in raw.rstrip(b"\r"):
        raise LogError(
            "ends its lines with a carriage return alone (an old Mac format); save it with "
            "LF or CRLF line ends",
            path=path,
            line=1,
        )
    if raw.startswith(csvsafe.BOM.encode()):
        raw = raw[3:]
    try:
        header = raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        raise LogError("not an etiquette-lab log (not UTF-8 text)", path=path, line=1) from None
    delimiter = csvsafe.sniff_delimiter(header)
    names = [name.strip().strip('"') for name in header.split(delimiter)]
    version = next((v for v, columns in LAYOUTS.items() if names == list(columns)), None)
    if version is None:
        raise LogError(_header_problem(names), path=path, line=1, field=_header_field(names))
    return delimiter, size, ended, version


_HEADER_LIMIT = 4096  # a longer first line is not our header (a binary or foreign file)


def _closest_layout(names: list[str]) -> tuple[str, ...]:
    """The format version's columns a damaged header is most like (a version 1 log with a
    column moved is told about that column, not about the newer version's columns)."""
    return min(LAYOUTS.values(), key=lambda columns: len(set(columns) ^ set(names)))


def _header_problem(names: list[str]) -> str:
    columns = _closest_layout(names)
    expected = ",".join(columns)
    if set(names) == set(columns):
        return f"columns are reordered; expected the header {expected}"
    # (a contacts sheet has an email column too: that alone does not make it a log)
    if not set(names) & (set(COLUMNS) - set(CONTACT_COLUMNS)):
        return f"not an etiquette-lab log (expected the header {expected})"
    missing = [c for c in columns if c not in names]
    extra = [c for c in names if c not in columns]
    parts = ([f"missing column(s) {', '.join(missing)}"] if missing else []) + (
        [f"unknown column(s) {shown(', '.join(extra))}"] if extra else []
    )
    return "; ".join(parts) + f" (expected the header {expected})"


def _header_field(names: list[str]) -> str | None:
    columns = _closest_layout(names)
    for got, want in zip(names, columns, strict=False):
        if got != want:
            return want
    return columns[len(names)] if len(names) < len(columns) else None


def _write_all(handle: Any, offset: int, data: bytes, path: str, first_line: int) -> None:
    """Write *data* at the end of the file as one unit: fully, flushed and synced, or not at all.

    A failure (a full disk) is one line naming the log and the first row that was not written.
    """
    fd = handle.fileno()
    written = 0
    try:
        while written < len(data):
            written += os.pwrite(fd, data[written:], offset + written)
        os.fsync(fd)
    except BaseException as error:
        # Disk full or interrupted: take back the partial row, so no torn line is left behind.
        with contextlib.suppress(OSError):
            os.ftruncate(fd, offset)
        if isinstance(error, OSError):
            raise _not_saved(error, path, first_line) from None
        raise


def _lock(handle: Any, *, exclusive: bool) -> None:
    # (a platform test, not a failed import of fcntl: type checkers then see that each
    # branch's module is there)
    if sys.platform == "win32":  # pragma: no cover - Windows
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
        return
    import fcntl

    fcntl.flock(handle.fileno(), fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)


def _unlock(handle: Any) -> None:
    if sys.platform == "win32":  # pragma: no cover - Windows
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def is_observational(log_or_requests: Any, experiment: str = "") -> bool:
    """Whether *experiment* was declared observational: its wordings were not assigned at
    random (past messages imported from an archive), so a comparison is not an experiment.

    Parameters
    ----------
    log_or_requests : LogFile, path-like or DataFrame
        A log (its ``declared`` row says ``assignment = observational``), or its table of
        requests (each send of such an experiment says so in ``assignment``).
    experiment : str
        The experiment ("" for the unnamed one).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from etiquette_lab import create_log
    >>> log = create_log(pathlib.Path(tempfile.mkdtemp()) / "asks.csv", variants=["a", "b"])
    >>> log.declare("history", ["with note", "without note"], assignment="observational",
    ...             at="2026-01-05T09:00+01:00")
    >>> is_observational(log, "history"), is_observational(log, "")
    (True, False)
    """
    if hasattr(log_or_requests, "columns"):  # a requests table
        table = log_or_requests
        if "assignment" not in table.columns:
            return False
        assignment = table["assignment"].fillna("").astype(str)
        if "experiment" in table.columns:
            assignment = assignment[table["experiment"].fillna("").astype(str) == str(experiment)]
        return bool(assignment.str.startswith(OBSERVATIONAL).any())
    if not hasattr(log_or_requests, "events"):
        log_or_requests = open_log(log_or_requests)
    events = log_or_requests.events()
    declared = events[(events["event"] == "declared") & (events["experiment"] == experiment)]
    return bool((declared["assignment"] == OBSERVATIONAL).any())


def _not_saved(error: OSError, path: str, line: int) -> LogError:
    """The refusal of a write that failed (a full disk, an I/O error) and left the log as it
    was: the partial row was taken back, or the journal kept anything from being written."""
    return LogError(
        f"could not be saved ({error.strerror or error}); the log is unchanged",
        path=path,
        line=line,
        rejected=True,
    )
