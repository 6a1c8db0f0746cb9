"""The request log: one CSV file of events, appended under a file lock, never rewritten.

Each row is one event: a request ``sent`` (or ``resent``), ``reminded``, ``withdrawn``,
``responded`` or ``thanked``; a ``declared`` row names an experiment's variants. The format is
documented in ``docs/log-format.md``. Every event, whether read from the file or about to be
appended, passes through the same validation (:mod:`etiquette_lab.log_validation`), so a log
the kit wrote is always a log the kit can read, and a bad row is named by file, line and field.
"""

from __future__ import annotations

import contextlib
import difflib
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import csvsafe
from .errors import InvalidInputError, LogError, TornLineError
from .log_format import (
    COLUMNS,
    DEFAULT_OUTCOMES,
    FORMAT_VERSION,
    HEADER_LINE,
    OUTCOMES,
    TEXT_COLUMNS,
    canonical_kind,
)
from .log_validation import LogState, parse_events
from .timestamps import format_time, now, parse_time

__all__ = ["LogFile", "Origin", "create_log", "open_log", "read_events", "repair_log"]

_TAIL = 64  # bytes remembered before the read offset, to notice a file rewritten behind our back


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
        Where to create the file (its folder is created too). An existing file is never
        overwritten.
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
    target = Path(path)
    names = [v.strip() for v in (variants or [])]
    if any(not v or "|" in v for v in names) or len(set(names)) != len(names):
        raise InvalidInputError("variants must be distinct, non-empty names without '|'")
    if experiment and not names:
        raise InvalidInputError(
            f"experiment {experiment!r} needs its variants (e.g. --variants default,personalised)"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise LogError("already exists; open it instead of creating it", path=str(target)) from None
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        # A byte-order mark, so that Excel shows names such as Ørjan and Zoë correctly.
        handle.write(csvsafe.BOM + HEADER_LINE)
    log = LogFile(target)
    if names:
        try:
            log._append([_row("declared", at, experiment=experiment, variant="|".join(names))])
        except BaseException:
            target.unlink(missing_ok=True)  # a log that failed to be created is not left behind
            raise
    return log


def open_log(path: str | os.PathLike[str]) -> LogFile:
    """Open an existing log, reading and validating it once.

    Raises :class:`~etiquette_lab.errors.LogError` naming the file, line and field of the first
    problem found.
    """
    log = LogFile(path)
    log.refresh()
    return log


def read_events(path: str | os.PathLike[str]) -> Any:
    """The validated events of a log as a DataFrame (see ``docs/log-format.md``)."""
    return open_log(path).events()


class LogFile:
    """An open log. It keeps what it has read and reads only what other writers append since.

    Every record method takes the lock, catches up with the file, validates the new event
    against everything logged so far, appends it as one complete line, flushes and syncs it.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
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

    def refresh(self) -> LogFile:
        """Read whatever other writers have appended since the last read."""
        with self._locked(exclusive=False) as handle:
            self._catch_up(handle)
        return self

    def events(self) -> Any:
        """All events as a DataFrame, one row per event, in file order (refreshes first).

        A copy: changing it never changes what the open log knows.
        """
        self.refresh()
        return self._state.events().copy()

    def requests(self) -> Any:
        """One row per request (see :func:`etiquette_lab.requests.requests_from_events`)."""
        from .requests import requests_from_events

        self.refresh()
        count = self._state.event_count
        if self._requests_cache is None or self._requests_cache[0] != count:
            self._requests_cache = (count, requests_from_events(self._state.events()))
        return self._requests_cache[1].copy()

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
    ) -> str:
        """Record a new request and return its id (``r0001``, ``r0002``, ...)."""
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
            experiment=self.experiment if experiment is None else experiment,
            score="" if score is None else repr(float(score)),
        )
        return self._append([row])[0]

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
                    experiment=self.experiment if experiment is None else experiment,
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

    # -- the machinery -------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self, *, exclusive: bool) -> Iterator[Any]:
        try:
            handle = open(self.path, "r+b" if exclusive else "rb")
        except FileNotFoundError:
            raise LogError(
                "no such log file (create it with 'etiquette-lab new')", path=str(self.path)
            ) from None
        except IsADirectoryError:
            raise LogError("is a folder, not a log file", path=str(self.path)) from None
        with handle:
            _lock(handle, exclusive=exclusive)
            try:
                yield handle
            finally:
                _unlock(handle)

    def _catch_up(self, handle: Any) -> None:
        """Read and validate the bytes appended since the last read (all of them the first time)."""
        info = os.fstat(handle.fileno())
        identity = (info.st_dev, info.st_ino)
        if self._offset and not self._still_ours(handle, identity, info):
            self._reset()  # replaced or edited behind our back: read it all again
        self._identity = identity
        if info.st_size == 0:
            raise LogError(
                "is empty: not an etiquette-lab log (create one with 'etiquette-lab new')",
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
            self._delimiter, start, self._ends_with_newline = _read_header(handle, str(self.path))
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

    def _still_ours(self, handle: Any, identity: tuple[int, int], info: os.stat_result) -> bool:
        if identity != self._identity or info.st_size < self._offset:
            return False
        if info.st_size == self._offset and info.st_mtime_ns != self._mtime_ns:
            return False  # same length but written since: edited in place
        handle.seek(self._offset - len(self._tail))
        return handle.read(len(self._tail)) == self._tail

    def _append(self, rows: list[dict[str, Any]], *, new_outcomes: bool = False) -> list[str]:
        with self._locked(exclusive=True) as handle:
            self._catch_up(handle)
            ids = self._assign_ids(rows)
            rows = list(_expand_follow_ups(rows))
            for row in rows:
                with _at_origin(row):
                    row["at"] = self._stamp(row["at"])
            for row in rows:
                if row["event"] == "sent":
                    row["kind"] = canonical_kind(row["kind"])
            self._fill_default_outcomes(rows)
            if not new_outcomes:
                self._check_outcomes(rows)
            row_texts = [csvsafe.format_row(_cells(r), self._delimiter) for r in rows]
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
            _write_all(handle, self._offset, data)
            pending.commit()
            self._offset += len(data)
            self._ends_with_newline = True
            self._tail = (self._tail + data)[-_TAIL:]
            info = os.fstat(handle.fileno())
            self._identity, self._mtime_ns = (info.st_dev, info.st_ino), info.st_mtime_ns
        return ids

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
                        f"unknown outcome {outcome!r}{hint}; known: {', '.join(sorted(known))}; "
                        "to use a new one, say so (new_outcome=True, --new-outcome)",
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
        if key not in COLUMNS and key not in ("_follow", "_origin"):
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


def _cells(row: Mapping[str, Any]) -> list[str]:
    cells = []
    for column in COLUMNS:
        value = "" if row[column] is None else str(row[column])
        if "\x00" in value:
            raise InvalidInputError(f"field {column!r} contains a NUL character")
        cells.append(csvsafe.neutralise(value) if column in TEXT_COLUMNS else value)
    return cells


def default_outcome(kind: str) -> str:
    """The outcome a response records when none is given, by request kind."""
    return DEFAULT_OUTCOMES.get(kind, "replied")


# -- the file --------------------------------------------------------------------------------


def _read_header(handle: Any, path: str) -> tuple[str, int, bool]:
    """Check the header line at the handle's start: (delimiter, where rows begin, whether the
    header has its line end; Google Sheets leaves a header-only file without one)."""
    raw = handle.readline(_HEADER_LIMIT)
    size, ended = len(raw), raw.endswith(b"\n")
    if raw.startswith(csvsafe.BOM.encode()):
        raw = raw[3:]
    try:
        header = raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        raise LogError("not an etiquette-lab log (not UTF-8 text)", path=path, line=1) from None
    delimiter = csvsafe.sniff_delimiter(header)
    names = [name.strip().strip('"') for name in header.split(delimiter)]
    if names != list(COLUMNS):
        raise LogError(_header_problem(names), path=path, line=1, field=_header_field(names))
    return delimiter, size, ended


_HEADER_LIMIT = 4096  # a longer first line is not our header (a binary or foreign file)


def _header_problem(names: list[str]) -> str:
    expected = ",".join(COLUMNS)
    if set(names) == set(COLUMNS):
        return f"columns are reordered; expected the header {expected}"
    if not set(names) & set(COLUMNS):
        return f"not an etiquette-lab log (expected the header {expected})"
    missing = [c for c in COLUMNS if c not in names]
    extra = [c for c in names if c not in COLUMNS]
    parts = ([f"missing column(s) {', '.join(missing)}"] if missing else []) + (
        [f"unknown column(s) {', '.join(extra)}"] if extra else []
    )
    return "; ".join(parts) + f" (expected the header {expected})"


def _header_field(names: list[str]) -> str | None:
    for got, want in zip(names, COLUMNS, strict=False):
        if got != want:
            return want
    return COLUMNS[len(names)] if len(names) < len(COLUMNS) else None


def _write_all(handle: Any, offset: int, data: bytes) -> None:
    """Write *data* at the end of the file as one unit: fully, flushed and synced, or not at all."""
    fd = handle.fileno()
    written = 0
    try:
        while written < len(data):
            written += os.pwrite(fd, data[written:], offset + written)
        os.fsync(fd)
    except BaseException:
        # Disk full or interrupted: take back the partial row, so no torn line is left behind.
        with contextlib.suppress(OSError):
            os.ftruncate(fd, offset)
        raise


def _lock(handle: Any, *, exclusive: bool) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
        return
    fcntl.flock(handle.fileno(), fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)


def _unlock(handle: Any) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        return
    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def repair_log(path: str | os.PathLike[str]) -> Path | None:
    """Move a torn last line (a write cut off by a crash) aside, so the log can be used again.

    The torn bytes are kept in ``<log>.torn-<time>`` beside the log; nothing else is touched,
    and a log with any other problem is left as it is (the error names it). Returns the path
    of the file holding the torn bytes, or None when the log was not torn.
    """
    log = LogFile(path)
    with log._locked(exclusive=True) as handle:
        try:
            log._catch_up(handle)
            return None
        except TornLineError as error:
            torn_line = error.line or 2
        handle.seek(0)
        data = handle.read()
        cut = _offset_of_line(data, torn_line)
        aside = _unused_name(log.path, f".torn-{now().strftime('%Y%m%dT%H%M%S')}")
        with open(aside, "xb") as out:
            out.write(data[cut:])
            out.flush()
            os.fsync(out.fileno())
        os.ftruncate(handle.fileno(), cut)
        os.fsync(handle.fileno())
    open_log(path)  # what is left must read cleanly
    return aside


def _unused_name(path: Path, suffix: str) -> Path:
    """``<path><suffix>``, or with ``-2``, ``-3``, ... if that exists (two repairs a second)."""
    candidate, number = path.with_name(path.name + suffix), 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.name}{suffix}-{number}")
    return candidate


def _offset_of_line(data: bytes, line: int) -> int:
    """Byte offset where physical *line* (1-based, header is line 1) starts."""
    offset = 0
    for _ in range(line - 1):
        offset = data.index(b"\n", offset) + 1
    return offset
