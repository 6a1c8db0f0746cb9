"""Parsing and validating log rows: the one gate every event passes, read or about to be written.

Parsing is vectorised (pandas' C reader and column operations), because reading a log of a
million events must cost little more than ``pandas.read_csv`` itself. Checks that need what was
logged before (does this request exist? is this response dated before its send?) look it up in
a :class:`LogState`, which grows as the file is read and is never rebuilt for an append.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from . import csvsafe
from .errors import LogError, TornLineError
from .log_format import COLUMNS, EVENTS, FOLLOW_UPS, FORMAT_VERSION, REQUIRED, TEXT_COLUMNS
from .timestamps import STORED_TIME_PATTERN

__all__: list[str] = []

_NS_PER_SECOND = 1_000_000_000


@dataclass
class LogState:
    """What is known of a log so far: enough to validate the next rows without re-reading."""

    path: str
    lines_read: int = 1  # physical lines consumed, header included
    event_count: int = 0
    sent: dict[str, tuple[int, str]] = field(default_factory=dict)  # id -> (send time ns, kind)
    declared: dict[str, list[str]] = field(default_factory=dict)  # experiment -> variants
    next_request_number: int = 1
    chunks: list[pd.DataFrame] = field(default_factory=list)
    _events: pd.DataFrame | None = None

    def events(self) -> pd.DataFrame:
        if self._events is None or len(self._events) != self.event_count:
            frames = [c for c in self.chunks if len(c)]
            self._events = (
                pd.concat(frames, ignore_index=True)
                if len(frames) > 1
                else frames[0].reset_index(drop=True)
                if frames
                else _empty_events()
            )
            self.chunks = [self._events]
        return self._events

    def pending(self) -> PendingState:
        """A state to validate a write against; cheap, because only the new rows are added."""
        return PendingState(self)


class PendingState:
    """A view of a LogState plus rows not yet written, so an append never copies the state."""

    def __init__(self, base: LogState) -> None:
        self.base = base
        self.path = base.path
        self.lines_read = base.lines_read
        self.event_count = base.event_count
        self.sent: _Overlay = _Overlay(base.sent)
        self.declared = {k: list(v) for k, v in base.declared.items()}
        self.next_request_number = base.next_request_number
        self.chunks: list[pd.DataFrame] = []

    def commit(self) -> LogState:
        base = self.base
        base.lines_read = self.lines_read
        base.event_count = self.event_count
        base.sent.update(self.sent.added)
        base.declared = self.declared
        base.next_request_number = self.next_request_number
        base.chunks.extend(self.chunks)
        return base


class _Overlay(dict):
    """Reads fall through to the base mapping; writes stay here until committed."""

    def __init__(self, base: dict[str, tuple[int, str]]) -> None:
        super().__init__()
        self.base_map = base
        self.added: dict[str, tuple[int, str]] = {}

    def __contains__(self, key: object) -> bool:
        return key in self.added or key in self.base_map

    def get(self, key: Any, default: Any = None) -> Any:
        return self.added.get(key, self.base_map.get(key, default))

    def update(self, other: Any = (), **kwargs: Any) -> None:
        self.added.update(other, **kwargs)

    def __bool__(self) -> bool:
        return bool(self.added) or bool(self.base_map)


def parse_events(
    data: bytes,
    *,
    state: Any,
    first_line: int,
    delimiter: str = ",",
    rejected: bool = False,
) -> pd.DataFrame:
    """Parse CSV rows (no header) into validated events and add them to *state*.

    Raises :class:`LogError` for the first bad row, by line; *state* is then unchanged.
    """
    path = state.path
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    if not data.strip():
        state.lines_read = first_line - 1 + lines
        return _empty_events()
    torn_possible = not data.endswith(b"\n")
    frame = _read_rows(data, delimiter, path, first_line, torn_possible)
    if len(frame) == lines:
        frame.insert(0, "line", np.arange(first_line, first_line + lines))
    else:  # quoted line breaks or blank lines: ask the csv module where each record starts
        frame.insert(0, "line", _record_start_lines(data, delimiter, first_line))
    try:
        events = _validate(frame, state=state, path=path, torn_possible=torn_possible)
    except LogError as error:
        if not rejected:
            raise
        raise LogError(
            error.message, path=error.path, line=error.line, field=error.field, rejected=True
        ) from None
    state.lines_read = first_line - 1 + lines
    state.event_count += len(events)
    state.chunks.append(events)
    return events


def _read_rows(
    data: bytes, delimiter: str, path: str, first_line: int, torn_possible: bool
) -> pd.DataFrame:
    try:
        return pd.read_csv(
            io.BytesIO(data),
            sep=delimiter,
            header=None,
            names=list(COLUMNS),
            index_col=False,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            encoding="utf-8",
            skip_blank_lines=True,
            engine="c",
        )
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError):
        _locate_unreadable_row(data, delimiter, path, first_line, torn_possible)
        raise  # pragma: no cover - _locate_unreadable_row always raises


def _locate_unreadable_row(
    data: bytes, delimiter: str, path: str, first_line: int, torn_possible: bool
) -> None:
    """The slow path after the fast reader failed: find the line and say what is wrong."""
    line_no = first_line
    for raw in data.split(b"\n"):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as error:
            if torn_possible and error.reason == "unexpected end of data":
                raise TornLineError(
                    TORN_MESSAGE, path=path, line=_last_record_line(data, delimiter, first_line)
                ) from None
            raise LogError(
                "not UTF-8 text (is this a log file?)", path=path, line=line_no
            ) from None
        line_no += 1
    text = data.decode("utf-8")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    start = first_line
    try:
        for record in reader:
            if len(record) > len(COLUMNS):
                raise LogError(
                    f"{len(record)} fields where the log has {len(COLUMNS)}",
                    path=path,
                    line=start,
                    field=None,
                )
            start = first_line + reader.line_num
    except csv.Error as error:
        # A quoted field still open at the end of the data is a write that was cut off.
        if torn_possible or "end of data" in str(error):
            raise TornLineError(TORN_MESSAGE, path=path, line=start) from None
        raise LogError(f"not valid CSV ({error})", path=path, line=start) from None
    raise LogError("could not be read as CSV", path=path, line=start)


TORN_MESSAGE = (
    "the last line is incomplete (a write was cut off); "
    "'etiquette-lab repair LOG' moves it aside so the log can be used again"
)


def _last_record_line(data: bytes, delimiter: str, first_line: int) -> int:
    """Where the last record starts, for data whose tail may be cut inside a character."""
    text = data.decode("utf-8", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = last = first_line
    try:
        for _ in reader:
            last, start = start, first_line + reader.line_num
    except csv.Error:
        return start
    return last


def _record_start_lines(data: bytes, delimiter: str, first_line: int) -> np.ndarray:
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=delimiter)
    starts, start = [], first_line
    for record in reader:
        if record:
            starts.append(start)
        start = first_line + reader.line_num
    return np.asarray(starts, dtype=np.int64)


# -- checks ----------------------------------------------------------------------------------


class _Problems:
    """Collects the first failing row of each check; the earliest line wins."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.best: tuple[int, int, str, str] | None = None  # (line, column order, field, message)

    def add(self, mask: Any, column: str, message: Any) -> None:
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        position = int(np.argmax(mask))
        line = int(self.frame["line"].iat[position])
        text = message(position) if callable(message) else message
        key = (line, COLUMNS.index(column) if column in COLUMNS else -1, column, text)
        if self.best is None or key[:2] < self.best[:2]:
            self.best = key


def _validate(frame: pd.DataFrame, *, state: Any, path: str, torn_possible: bool) -> pd.DataFrame:
    problems = _Problems(frame)
    last = len(frame) - 1

    version = frame["log_format"].to_numpy()
    bad_version = version != FORMAT_VERSION
    if torn_possible and bad_version[last] and not bad_version[:last].any():
        raise TornLineError(TORN_MESSAGE, path=path, line=int(frame["line"].iat[last]))
    problems.add(
        bad_version,
        "log_format",
        lambda i: (
            f"expected {FORMAT_VERSION!r}, found {version[i]!r} "
            "(a row with missing or extra fields?)"
        ),
    )

    event = frame["event"].to_numpy()
    known_event = np.isin(event, EVENTS)
    problems.add(
        ~known_event, "event", lambda i: f"unknown event {event[i]!r} (one of: {', '.join(EVENTS)})"
    )

    for name, columns in REQUIRED.items():
        is_event = event == name
        for column in columns:
            problems.add(
                is_event & (frame[column].to_numpy() == ""),
                column,
                f"is empty (required for a {name!r} event)",
            )

    at_text = frame["at"]
    well_formed = at_text.str.fullmatch(STORED_TIME_PATTERN).to_numpy(dtype=bool)
    at = pd.to_datetime(
        at_text.where(well_formed, None), format="ISO8601", utc=True, errors="coerce"
    )
    problems.add(
        ~well_formed,
        "at",
        lambda i: (
            f"{at_text.iat[i]!r} is not an ISO 8601 time with a UTC offset "
            "(e.g. 2026-11-03T09:30:00+01:00)"
        ),
    )
    problems.add(
        well_formed & at.isna().to_numpy(),
        "at",
        lambda i: f"{at_text.iat[i]!r} is not a possible date and time",
    )

    score_text = frame["score"]
    score = pd.to_numeric(score_text.where(score_text != "", None), errors="coerce")
    bad_score = (score_text != "").to_numpy() & ~((score >= 0) & (score <= 1)).to_numpy()
    problems.add(bad_score, "score", lambda i: f"{score_text.iat[i]!r} is not a number from 0 to 1")

    for column in TEXT_COLUMNS:
        frame[column] = csvsafe.restore_column(frame[column])
    if problems.best is None:
        _check_against_history(frame, event, at, state, problems)
    if problems.best is not None:
        line, _, column, message = problems.best
        raise LogError(message, path=path, line=line, field=column)

    frame["at"] = at
    frame["score"] = score.astype(float)
    _record_history(frame, event, at, state)
    return frame


def _check_against_history(
    frame: pd.DataFrame, event: np.ndarray, at: pd.Series, state: Any, problems: _Problems
) -> None:
    request_id = frame["request_id"].to_numpy()
    lines = frame["line"].to_numpy()
    at_ns = _nanoseconds(at)
    is_sent = event == "sent"

    sent_ids = pd.Series(request_id[is_sent])
    duplicate = sent_ids.duplicated().to_numpy(copy=True)
    if state.sent:
        duplicate |= np.fromiter((rid in state.sent for rid in sent_ids), bool, len(sent_ids))
    dup_mask = np.zeros(len(frame), dtype=bool)
    dup_mask[np.flatnonzero(is_sent)[duplicate]] = True
    problems.add(
        dup_mask,
        "request_id",
        lambda i: f"request id {request_id[i]!r} is already used by an earlier request",
    )

    # Declared variants: a send must use one of its experiment's declared spellings.
    declared = {k: list(v) for k, v in state.declared.items()}
    for position in np.flatnonzero(event == "declared"):
        names = frame["variant"].iat[position].split("|")
        experiment = frame["experiment"].iat[position]
        declared[experiment] = list(dict.fromkeys([*declared.get(experiment, []), *names]))
    experiment_col = frame["experiment"].to_numpy()
    variant_col = frame["variant"].to_numpy()
    for experiment, names in declared.items():
        bad = is_sent & (experiment_col == experiment) & ~np.isin(variant_col, names)
        problems.add(
            bad,
            "variant",
            lambda i, n=names: (
                f"variant {variant_col[i]!r} is not declared for this "
                f"experiment (declared: {', '.join(n)})"
            ),
        )

    # Follow-ups must name a request sent on an earlier line, and not be dated before it.
    follow = np.isin(event, list(FOLLOW_UPS))
    if not follow.any():
        return
    first_sent = pd.DataFrame({"rid": sent_ids, "line": lines[is_sent], "at": at_ns[is_sent]})
    first_sent = first_sent.drop_duplicates("rid").set_index("rid")
    follow_ids = pd.Series(request_id[follow])
    send_line = follow_ids.map(first_sent["line"]).to_numpy(dtype=float)
    send_at = follow_ids.map(first_sent["at"]).to_numpy(dtype=float)
    unknown_here = np.isnan(send_line) | (send_line > lines[follow])
    if state.sent:
        earlier = [state.sent.get(rid) for rid in follow_ids]
        known_before = np.array([e is not None for e in earlier], dtype=bool)
        send_at = np.where(
            known_before, [e[0] if e is not None else np.nan for e in earlier], send_at
        )
        unknown_here &= ~known_before
    unknown = np.zeros(len(frame), dtype=bool)
    unknown[follow] = unknown_here
    problems.add(
        unknown,
        "request_id",
        lambda i: f"no request {request_id[i]!r} was sent before this {event[i]!r} event",
    )
    too_early = np.zeros(len(frame), dtype=bool)
    too_early[follow] = ~unknown_here & (at_ns[follow] < send_at)
    problems.add(
        too_early, "at", lambda i: f"the {event[i]!r} event is dated before its request was sent"
    )


def _record_history(frame: pd.DataFrame, event: np.ndarray, at: pd.Series, state: Any) -> None:
    is_sent = event == "sent"
    if is_sent.any():
        ids = frame["request_id"].to_numpy()[is_sent]
        at_ns = _nanoseconds(at)[is_sent]
        state.sent.update(
            zip(
                ids,
                zip(at_ns.tolist(), frame["kind"].to_numpy()[is_sent], strict=True),
                strict=True,
            )
        )
        numbers = pd.Series(ids).str.extract(r"^r(\d+)$", expand=False).dropna()
        if len(numbers):
            state.next_request_number = max(
                state.next_request_number, int(numbers.astype(np.int64).max()) + 1
            )
    for position in np.flatnonzero(event == "declared"):
        experiment = frame["experiment"].iat[position]
        names = frame["variant"].iat[position].split("|")
        state.declared[experiment] = list(
            dict.fromkeys([*state.declared.get(experiment, []), *names])
        )


def _nanoseconds(at: pd.Series) -> np.ndarray:
    """UTC times as int64 nanoseconds since the epoch (NaT as the smallest int64)."""
    return at.dt.as_unit("ns").dt.tz_localize(None).to_numpy().view(np.int64)


def _empty_events() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=str) for c in COLUMNS})
    frame.insert(0, "line", pd.Series(dtype=np.int64))
    frame["at"] = pd.Series(dtype="datetime64[ns, UTC]")
    frame["score"] = pd.Series(dtype=float)
    return frame
