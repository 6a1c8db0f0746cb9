"""Parsing and validating log rows: the one gate every event passes, read or about to be written.

Parsing is vectorised (pandas' C reader and column operations), because reading a log of a
million events must cost little more than ``pandas.read_csv`` itself. Checks that need what was
logged before (does this request exist? is this response dated before its send?) look it up in
a :class:`LogState`, which grows as the file is read and is never rebuilt for an append.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import warnings
from typing import Any

import numpy as np
import pandas as pd

from .. import csvsafe
from ..errors import LogError, TornLineError, shown
from ..timestamps import STORED_TIME_PATTERN, YEARS, utc_nanoseconds
from .format import COLUMNS, EVENTS, FOLLOW_UPS, REQUIRED, TEXT_COLUMNS
from .row_check import ROW_BY_ROW_BYTES, accept_rows

__all__: list[str] = []


def parse_events(
    data: bytes,
    *,
    state: Any,
    first_line: int,
    delimiter: str = ",",
    rejected: bool = False,
) -> None:
    """Parse CSV rows (no header) into validated events and add them to *state*.

    Raises :class:`LogError` for the first bad row, by line; *state* is then unchanged. A few
    rows in the kit's own form are checked row by row (:mod:`etiquette_lab.log.row_check`),
    everything else, and every problem, here.
    """
    path = state.path
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    if not data or data.isspace():  # (isspace stops at the first other byte: no copy)
        state.lines_read = first_line - 1 + lines
        return
    if len(data) <= ROW_BY_ROW_BYTES:
        if accept_rows(data, state, first_line, delimiter) is not None:
            return
    torn_possible = not data.endswith(b"\n")
    columns = state.columns
    frame = _read_rows(data, delimiter, path, first_line, columns)
    if len(frame) == lines:
        frame.insert(0, "line", np.arange(first_line, first_line + lines))
    else:  # quoted line breaks or blank lines: find where each record starts
        frame.insert(0, "line", _record_lines(data, frame, path, first_line, delimiter, columns))
    try:
        events = _validate(
            frame,
            state=state,
            path=path,
            torn=_TornCheck(data, first_line, delimiter, path, len(columns))
            if torn_possible
            else None,
            escaped_lines=first_line + csvsafe.escaped_lines(data, delimiter),
            delimiter=delimiter,
        )
    except LogError as error:
        if not rejected:
            raise
        raise LogError(
            error.message, path=error.path, line=error.line, field=error.field, rejected=True
        ) from None
    state.lines_read = first_line - 1 + lines
    state.event_count += len(events)
    state.chunks.append(events)


def _read_rows(
    data: bytes, delimiter: str, path: str, first_line: int, columns: tuple[str, ...]
) -> pd.DataFrame:
    if b"\x00" in data:  # a NUL is never text a person typed: a binary or damaged file
        line = first_line + data[: data.index(b"\x00")].count(b"\n")
        raise LogError("contains a NUL byte (a damaged or binary file?)", path=path, line=line)
    try:
        with warnings.catch_warnings():
            # pandas only warns when a first row has more fields than the header, and drops
            # them: an error like any other row with too many fields.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = _read_csv(data, delimiter, columns)
    except (pd.errors.ParserError, pd.errors.ParserWarning, UnicodeDecodeError, ValueError):
        _locate_unreadable_row(data, delimiter, path, first_line, len(columns))
        raise  # pragma: no cover - _locate_unreadable_row always raises
    if columns != COLUMNS:  # an older version's rows: the columns it lacks read as ""
        frame = frame.reindex(columns=list(COLUMNS), fill_value="")
    return frame


def _read_csv(data: bytes, delimiter: str, columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.read_csv(
        io.BytesIO(data),
        sep=delimiter,
        header=None,
        names=list(columns),
        index_col=False,
        dtype=str,
        keep_default_na=False,
        na_filter=False,
        encoding="utf-8",
        skip_blank_lines=True,
        engine="c",
    )


# Lines are counted one way everywhere: a line ends at "\n" (a "\r" before it belongs to it),
# so the line an error names is the line a text editor shows, and the line repair cuts at.


def _locate_unreadable_row(
    data: bytes, delimiter: str, path: str, first_line: int, width: int
) -> None:
    """The slow path after the fast reader failed: find the line and say what is wrong
    (*width*: the number of fields the log's rows have)."""
    ended = data.endswith(b"\n")
    for line_no, raw in enumerate(data.split(b"\n"), start=first_line):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as error:
            if not ended and error.reason == "unexpected end of data" and error.end == len(raw):
                _TornCheck(data, first_line, delimiter, path, width).fail(
                    _last_record_line(data, first_line)
                )
            raise LogError(
                "not UTF-8 text (is this a log file?)", path=path, line=line_no
            ) from None
    starts, open_quote = csvsafe.record_starts(data)
    records = csvsafe.records_by_line(data.decode("utf-8"), delimiter, first_line)
    try:
        for line, record in records:
            if len(record) > width:
                if open_quote and line == first_line + data[: starts[-1]].count(b"\n"):
                    break  # a quote opened and never closed swallowed the rest: below
                raise LogError(
                    f"{len(record)} fields where the log has {width}", path=path, line=line
                )
    except csv.Error as error:
        line = getattr(error, "line", first_line)
        if "new-line character" in str(error):
            raise LogError(
                "a carriage return (\\r) ends a line inside a cell that is not quoted; "
                "remove it or put the cell in quotes",
                path=path,
                line=line,
            ) from None
        raise LogError(f"not valid CSV ({error})", path=path, line=line) from None
    if open_quote:
        _TornCheck(data, first_line, delimiter, path, width).fail(
            _last_record_line(data, first_line)
        )
    raise LogError("could not be read as CSV", path=path, line=first_line)


def _last_record_line(data: bytes, first_line: int) -> int:
    """The line the last record starts on, by quote parity (a cut-off record included)."""
    starts, _ = csvsafe.record_starts(data)
    return first_line + data[: int(starts[-1]) if len(starts) else 0].count(b"\n")


def _record_lines(
    data: bytes,
    frame: pd.DataFrame,
    path: str,
    first_line: int,
    delimiter: str,
    columns: tuple[str, ...],
) -> Any:
    """The line each row of *frame* starts on, when rows and physical lines differ in number.

    Quote parity (vectorised) first; where it disagrees with the reader (a quote inside an
    unquoted cell, a line of spaces), the exact record-by-record reading, which names the
    first row where the two part ways.
    """
    starts = csvsafe.record_start_lines(data, first_line)
    if len(starts) == len(frame):
        return starts
    _locate_blank_looking_line(data, path, first_line)
    try:
        exact = list(csvsafe.records_by_line(data.decode("utf-8"), delimiter, first_line))
    except csv.Error as error:
        raise LogError(
            "a carriage return (\\r) ends a line inside a cell that is not quoted; remove it "
            "or put the cell in quotes"
            if "new-line character" in str(error)
            else f"not valid CSV ({error})",
            path=path,
            line=getattr(error, "line", first_line),
        ) from None
    if len(exact) == len(frame):
        return np.array([line for line, _ in exact], dtype=np.int64)
    values = frame[list(columns)].to_numpy()
    for position, (line, record) in enumerate(exact):
        padded = [*record, *[""] * (len(columns) - len(record))]
        if position >= len(values) or list(values[position]) != padded:
            raise LogError(
                "this row is read differently by different CSV readers (a stray quote or a "
                "line end inside a cell?); check its quotes",
                path=path,
                line=line,
            )
    raise LogError(  # pragma: no cover - the readers agree on every row but not their number
        "the rows could not be matched to their lines", path=path, line=exact[-1][0]
    )


def _locate_blank_looking_line(data: bytes, path: str, first_line: int) -> None:
    """pandas and the line counter disagree on a line of spaces or tabs: name it."""
    for number, line in enumerate(data.split(b"\n"), start=first_line):
        if line.strip() == b"" and line != b"" and line != b"\r":
            raise LogError("a line of only spaces or tabs; delete it", path=path, line=number)


TORN_MESSAGE = (
    "the last line is incomplete (a write was cut off); "
    "repair_log() moves it aside so the log can be used again"
)


class _TornCheck:
    """Tells a torn last row (a write cut off) from a stray quote that swallowed later rows.

    A torn row is the start of one row written by the kit: whatever follows its first line is
    still inside a quoted message. A quote opened by hand and never closed instead runs on
    over lines that start rows of their own. Calling the latter torn would make
    ``repair`` move every later event aside; it is named as what it is instead.
    """

    def __init__(self, data: bytes, first_line: int, delimiter: str, path: str, width: int) -> None:
        self.data, self.first_line, self.delimiter, self.path = data, first_line, delimiter, path
        self.width = width  # the number of fields the log's rows have

    def fail(self, line: int) -> None:
        """Raise for the last record, which starts on *line* and is incomplete."""
        tail = _tail_from_line(self.data, line - self.first_line)
        if _ROW_PREFIX.match(tail.split(b"\n")[0]) and not holds_later_rows(tail, self.delimiter):
            raise TornLineError(TORN_MESSAGE, path=self.path, line=line)
        # Not the start of a row cut off: rows run into each other where a quote opened by
        # hand is never closed. Name the first row that does not have its fields.
        for start, record in csvsafe.records_by_line(
            self.data.decode("utf-8", errors="replace"), self.delimiter, self.first_line
        ):
            if len(record) != self.width:
                line = start
                break
        raise LogError(
            "this row runs on into the lines after it: a quote opened in it is never closed "
            '(a stray " from a hand edit?); correct the quote',
            path=self.path,
            line=line,
        )


def _tail_from_line(data: bytes, lines_before: int) -> bytes:
    offset = 0
    for _ in range(lines_before):
        offset = data.index(b"\n", offset) + 1
    return data[offset:]


# The start of a row as the kit writes it: a time, the delimiter, an event, the delimiter. A
# message line that begins like this is all but impossible; a later event always does.
_ROW_START = (
    rb'^"?[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:.]+(?:Z|[+-][0-9]{2}:?[0-9]{2})?"?'
    rb'%s"?(?:' + "|".join(EVENTS).encode() + rb')"?%s'
)


# What a row cut off anywhere still starts with: a prefix of a row start (a cut may even fall
# inside the time). Anything else at the end of a file is not a write the kit began.
_ROW_PREFIX = re.compile(
    rb'^"?(?:[0-9]{1,4}(?:-[0-9]{0,2}(?:-[0-9]{0,2}(?:[T ][0-9:.+\-Z]*"?(?:[,;]"?[a-z]*"?'
    rb"(?:[,;].*)?)?)?)?)?)?$",
    re.DOTALL,
)


def holds_later_rows(tail: bytes, delimiter: str) -> bool:
    """Whether any line after the first of *tail* starts like a row of its own."""
    mark = re.escape(delimiter.encode())
    pattern = re.compile(_ROW_START % (mark, mark))
    return any(pattern.match(line) for line in tail.split(b"\n")[1:])


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
        line = int(self.frame["line"].to_numpy()[position])
        text = message(position) if callable(message) else message
        # On one line, a wrong format version is named first: it means the row lost or
        # gained fields, which explains every other complaint about it.
        order = -1 if column == "log_format" or column not in COLUMNS else COLUMNS.index(column)
        key = (line, order, column, text)
        if self.best is None or key[:2] < self.best[:2]:
            self.best = key


def _validate(
    frame: pd.DataFrame,
    *,
    state: Any,
    path: str,
    torn: _TornCheck | None,
    escaped_lines: Any,
    delimiter: str,
) -> pd.DataFrame:
    problems = _Problems(frame)
    last = len(frame) - 1

    version = frame["log_format"].to_numpy()
    bad_version = version != state.version
    if torn is not None and bad_version[last] and not bad_version[:last].any():
        torn.fail(int(frame["line"].to_numpy()[last]))
    problems.add(
        bad_version,
        "log_format",
        lambda i: (
            f"expected {state.version!r}, found {shown(version[i])} "
            "(a row with missing or extra fields?)"
        ),
    )

    event_text = frame["event"].to_numpy()
    # Factorise once: every 'event == name' below is then a comparison of small integers.
    codes, kinds = pd.factorize(event_text)
    event = _EventColumn(codes, list(kinds), event_text)
    known_event = event.isin(EVENTS)
    problems.add(
        ~known_event,
        "event",
        lambda i: f"unknown event {shown(event[i])} (one of: {', '.join(EVENTS)})",
    )

    # Restored first, so that a cell holding only the escape mark counts as empty.
    _restore_escaped_cells(frame, escaped_lines)
    for name, columns in REQUIRED.items():
        rows = np.flatnonzero(event == name)
        if not len(rows):
            continue
        for column in columns:
            blank = np.zeros(len(frame), dtype=bool)
            blank[rows] = _blank(frame[column].to_numpy()[rows])  # only the rows it applies to
            problems.add(blank, column, f"is empty (required for a {name!r} event)")

    at_text = frame["at"]
    at, well_formed = _parse_times(at_text)
    problems.add(
        ~well_formed,
        "at",
        lambda i: (
            f"{shown(at_text.iat[i])} is not an ISO 8601 time with a UTC offset "
            "(e.g. 2026-11-03T09:30:00+01:00)"
        ),
    )
    problems.add(
        well_formed & at.isna().to_numpy(),
        "at",
        lambda i: f"{shown(at_text.iat[i])} is not a possible date and time",
    )

    score_text = frame["score"]
    given = (score_text != "").to_numpy()
    score = pd.Series(np.full(len(frame), np.nan))
    if given.any():  # (most logs have few scores: only those cells are parsed)
        texts = score_text[given]
        # A spreadsheet in a comma-decimal locale (the one that saves with ';') writes 0,5.
        decimal = texts.str.replace(",", ".", regex=False) if delimiter == ";" else texts
        score[given] = pd.to_numeric(decimal, errors="coerce").to_numpy(dtype=float)
    bad_score = given & ~((score >= 0) & (score <= 1)).to_numpy()
    problems.add(
        bad_score, "score", lambda i: f"{shown(score_text.iat[i])} is not a number from 0 to 1"
    )

    sent_index, request_rows = None, None
    if problems.best is None:
        sent_index, request_rows = _check_against_history(frame, event, at, state, problems)
    if problems.best is not None:
        line, _, column, message = problems.best
        raise LogError(message, path=path, line=line, field=column)

    frame["at"] = at
    frame["score"] = score.astype(float)
    if not state.event_count and not state.chunks:  # the first rows of a log: the fold's
        state.request_rows = request_rows  # lookup of each event's request is this one
    _record_history(frame, event, at, state, sent_index)
    return frame


def _check_against_history(
    frame: pd.DataFrame, event: _EventColumn, at: pd.Series, state: Any, problems: _Problems
) -> tuple[pd.Index, np.ndarray]:
    """Add the problems found by looking back. Return the index of the sends' ids (its hash
    table built), which the state keeps for the lookups of later appends, and each event's
    request as its position among these rows' sends (-1: none, or sent before these rows)."""
    request_id = frame["request_id"].to_numpy()
    lines = frame["line"].to_numpy()
    at_ns = utc_nanoseconds(at)
    is_sent = event == "sent"

    sent_ids = request_id[is_sent]
    sent_index = pd.Index(sent_ids, dtype=object)
    duplicate = np.zeros(len(sent_ids), dtype=bool)
    if not sent_index.is_unique:
        duplicate = pd.Series(sent_ids).duplicated().to_numpy(copy=True)
    if state.sent_count:
        duplicate |= state.sent.lookup(sent_ids)[0]
    dup_mask = np.zeros(len(frame), dtype=bool)
    dup_mask[np.flatnonzero(is_sent)[duplicate]] = True
    problems.add(
        dup_mask,
        "request_id",
        lambda i: f"request id {shown(request_id[i])} is already used by an earlier request",
    )

    # Declared variants: a send must use one of the spellings its experiment had declared on
    # an earlier line (in file order, so a full read and an incremental one agree).
    experiment_col = frame["experiment"].to_numpy()
    variant_col = frame["variant"].to_numpy()
    declarations: dict[str, list[tuple[int, list[str]]]] = {}
    for position in np.flatnonzero(event == "declared"):
        declarations.setdefault(experiment_col[position], []).append(
            (int(lines[position]), variant_col[position].split("|"))
        )
    for experiment in set(state.declared) | set(declarations):
        allowed = list(state.declared.get(experiment, []))
        sends = is_sent & (experiment_col == experiment)
        edges = [(-1, []), *declarations.get(experiment, []), (np.iinfo(np.int64).max, [])]
        for (start, names), (stop, _) in itertools.pairwise(edges):
            allowed = list(dict.fromkeys([*allowed, *names]))
            if not allowed:  # nothing declared yet: any spelling goes
                continue
            segment = sends & (lines > start) & (lines < stop)
            problems.add(
                segment & ~np.isin(variant_col, allowed),
                "variant",
                lambda i, n=tuple(allowed): (
                    f"variant {shown(variant_col[i])} is not declared for this "
                    f"experiment (declared: {', '.join(n)})"
                ),
            )

    # Follow-ups must name a request sent on an earlier line, and not be dated before it.
    request_rows = np.full(len(frame), -1, dtype=np.int64)
    request_rows[is_sent] = np.arange(len(sent_ids))
    follow = event.isin(FOLLOW_UPS)
    if not follow.any():
        return sent_index, request_rows
    first_of_id = ~duplicate  # with duplicates (reported above) the first send counts
    first_index = sent_index if not duplicate.any() else pd.Index(sent_ids[first_of_id])
    found = first_index.get_indexer(request_id[follow])
    request_rows[follow] = found
    # Pad with one sentinel so that `found == -1` (not sent in these rows) gathers it.
    send_line = np.append(lines[is_sent][first_of_id], np.iinfo(np.int64).max)[found]
    send_at = np.append(at_ns[is_sent][first_of_id], 0)[found]
    unknown_here = send_line > lines[follow]
    if state.sent_count:
        known_before, earlier_at, _ = state.sent.lookup(request_id[follow])
        send_at = np.where(known_before, earlier_at, send_at)
        unknown_here &= ~known_before
    unknown = np.zeros(len(frame), dtype=bool)
    unknown[follow] = unknown_here
    problems.add(
        unknown,
        "request_id",
        lambda i: f"no request {shown(request_id[i])} was sent before this {shown(event[i])} event",
    )
    too_early = np.zeros(len(frame), dtype=bool)
    too_early[follow] = ~unknown_here & (at_ns[follow] < send_at)
    problems.add(
        too_early,
        "at",
        lambda i: f"the {shown(event[i])} event is dated before its request was sent",
    )
    return sent_index, request_rows


def _record_history(
    frame: pd.DataFrame, event: _EventColumn, at: pd.Series, state: Any, sent_index: Any
) -> None:
    is_sent = event == "sent"
    if is_sent.any():
        ids = frame["request_id"].to_numpy()[is_sent]
        at_ns, kinds = utc_nanoseconds(at)[is_sent], frame["kind"].to_numpy()[is_sent]
        state.add_sent(ids, at_ns, kinds, index=sent_index)
    responded = event == "responded"
    if responded.any():
        state.outcomes.update(pd.unique(frame["outcome"].to_numpy()[responded]).tolist())
    experiment_col, variant_col = frame["experiment"].to_numpy(), frame["variant"].to_numpy()
    for position in np.flatnonzero(event == "declared"):
        experiment = experiment_col[position]
        names = variant_col[position].split("|")
        state.declared[experiment] = list(
            dict.fromkeys([*state.declared.get(experiment, []), *names])
        )


def _blank(values: np.ndarray) -> np.ndarray:
    """Cells (text) that are empty or hold only white space: a recipient of spaces names
    nobody."""
    # str.isspace mapped: about 25 ms a million cells, ten times pandas' .str methods.
    return (values == "") | np.fromiter(map(str.isspace, values), bool, len(values))


def _restore_escaped_cells(frame: pd.DataFrame, escaped_lines: np.ndarray) -> None:
    """Undo formula neutralising, only in rows whose raw text has a cell starting with ``'``.

    Checking every cell of a million-row log costs seconds; the raw bytes tell in one pass
    which few rows can hold such a cell.
    """
    if not len(escaped_lines):
        return
    rows = np.unique(np.searchsorted(frame["line"].to_numpy(), escaped_lines, side="right") - 1)
    rows = rows[rows >= 0]
    for column in TEXT_COLUMNS:
        values = frame[column].to_numpy()[rows]
        escaped = [i for i, v in enumerate(values.tolist()) if v[:1] == "'"]
        if escaped:  # (usually one or two columns have any: the others are left alone)
            position = frame.columns.get_loc(column)
            assert isinstance(position, int)  # (the log's column names are unique)
            frame.iloc[rows[escaped], position] = [csvsafe.restore(v) for v in values[escaped]]


def _parse_times(at_text: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Parse stored times to UTC; also say which cells have the stored form at all.

    Times exactly as the writer stores them are computed from their digits (numpy, about a
    fifth of pandas' strptime); every other cell (hand edits, fractions of seconds, ``Z``,
    impossible dates, an offset of 24 hours) is parsed by :func:`_parse_other_times`.
    """
    values = at_text.to_numpy()
    micros = np.zeros(len(values), dtype=np.int64)
    clean = np.zeros(len(values), dtype=bool)
    for start in range(0, len(values), _TIME_CHUNK):  # (chunks: a bounded temporary copy)
        part = slice(start, start + _TIME_CHUNK)
        clean[part], micros[part] = _writer_form_times(values[part])
    micros[~clean] = np.iinfo(np.int64).min  # (NaT)
    well_formed = np.ones(len(values), dtype=bool)
    others = np.flatnonzero(~clean)
    if len(others):
        other_at, well_formed[others] = _parse_other_times(at_text.iloc[others])
        micros[others] = _utc_micros(other_at)
    at = pd.Series(micros.view("M8[us]")).dt.tz_localize("UTC")
    # The kit's own range (timestamps.YEARS, in UTC): outside it a time is a typo, and
    # nanosecond arithmetic would overflow.
    first, after = (np.datetime64(f"{y}-01-01", "us").view(np.int64) for y in _YEAR_EDGES)
    known = micros != np.iinfo(np.int64).min
    out_of_range = known & ((micros < first) | (micros >= after))
    if out_of_range.any():
        at = at.mask(out_of_range)
    return at, well_formed


_YEAR_EDGES = (YEARS[0], YEARS[1] + 1)


_TIME_CHUNK = 1 << 16  # (larger chunks cost memory and gain nothing)
# Positions of the digits in 2026-11-03T09:30:00+01:00, and of the other characters.
_DIGITS = np.array([0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 23, 24])
_MARKS = {4: b"-", 7: b"-", 10: b"T", 13: b":", 16: b":", 22: b":"}
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _writer_form_times(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which cells are times exactly as the writer stores them (ASCII digits, a possible date,
    hours to 23, minutes and seconds to 59, an offset under a day), and their UTC microseconds.
    """
    nothing = np.zeros(len(values), dtype=bool), np.zeros(len(values), dtype=np.int64)
    try:
        raw = values.astype("S26")  # (26: a longer cell shows as a 26th byte)
    except UnicodeEncodeError:  # another script's digits somewhere: all to the other path
        return nothing
    if not len(raw):
        return nothing
    b = raw.view(np.uint8).reshape(len(raw), 26)
    ok = (b[:, 24] != 0) & (b[:, 25] == 0)  # 25 characters (a log holds no NUL)
    for position, mark in _MARKS.items():
        ok &= b[:, position] == mark[0]
    ok &= (b[:, 19] == ord("+")) | (b[:, 19] == ord("-"))
    d = b[:, _DIGITS] - np.uint8(ord("0"))  # (below "0" wraps round to above 9)
    ok &= (d <= 9).all(axis=1)

    def pair(i: int) -> np.ndarray:
        return d[:, i].astype(np.int32) * 10 + d[:, i + 1]

    year = pair(0) * 100 + pair(2)
    month, day, hour, minute, second, off_hours, off_minutes = (pair(i) for i in range(4, 18, 2))
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = _DAYS_IN_MONTH[np.clip(month, 0, 12)] + (leap & (month == 2))
    ok &= (month >= 1) & (month <= 12) & (day >= 1) & (day <= month_days)
    ok &= (hour <= 23) & (minute <= 59) & (second <= 59) & (off_hours <= 23) & (off_minutes <= 59)
    ok &= (year >= 1800) & (year <= 2300)  # (the years check after narrows to the kit's)
    # Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
    y = year - (month <= 2)
    era = y // 400
    of_era = y - era * 400
    of_year = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
    days = (era * 146097 + of_era * 365 + of_era // 4 - of_era // 100 + of_year - 719468).astype(
        np.int64
    )
    sign = np.where(b[:, 19] == ord("-"), -1, 1)
    clock = hour * 3600 + minute * 60 + second - sign * (off_hours * 3600 + off_minutes * 60)
    return ok, np.where(ok, (days * 86400 + clock) * 1_000_000, 0)


def _parse_other_times(at_text: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Times not exactly in the writer's form: pandas' strict strptime for the stored form
    (``%z`` demands an offset, so a naive time cannot slip through as UTC), the regular
    expression of the stored form and ISO 8601 for the rest (fractions of seconds, ``Z``)."""
    # Microseconds throughout: the fast path parses whole seconds, the rest may have fractions.
    at = pd.to_datetime(at_text, format="%Y-%m-%dT%H:%M:%S%z", utc=True, errors="coerce")
    at = at.dt.as_unit("us")
    well_formed = np.ones(len(at_text), dtype=bool)
    # pandas' %z also takes "+1:00" or "+01:0": only the exact 25-character form is trusted.
    stored_form = at.notna().to_numpy() & (at_text.str.len().to_numpy() == 25)
    # strptime also takes other scripts' digits and seconds 60 and 61, which the writer
    # refuses: those cells take the strict path below.
    candidates = np.flatnonzero(stored_form)
    stored_form[candidates] = _plain_digits_and_seconds(at_text.to_numpy()[candidates])
    others = np.flatnonzero(~stored_form)
    if len(others):
        rest = at_text.iloc[others]
        matches = rest.str.fullmatch(STORED_TIME_PATTERN).to_numpy(dtype=bool)
        well_formed[others] = matches
        parsed = pd.to_datetime(
            rest.where(matches, None), format="ISO8601", utc=True, errors="coerce"
        ).dt.as_unit("us")
        # As numbers: through Timestamps (to_numpy), a year the standard library has not
        # (0000) came back as 1972 instead of being refused.
        micros = _utc_micros(at).copy()
        micros[others] = _utc_micros(parsed)
        at = pd.Series(micros.view("M8[us]"), index=at_text.index).dt.tz_localize("UTC")
    return at, well_formed


def _utc_micros(at: pd.Series) -> np.ndarray:
    """UTC times (microseconds) as int64 microseconds since the epoch, NaT the smallest."""
    return at.dt.tz_convert(None).to_numpy().view(np.int64)


def _plain_digits_and_seconds(values: np.ndarray) -> np.ndarray:
    """Which 25-character stored times are ASCII with a second below 60 (vectorised)."""
    try:
        raw = values.astype("S25")
    except UnicodeEncodeError:  # another script's digits somewhere: find them one by one
        plain = np.fromiter((v.isascii() for v in values), bool, len(values))
        plain[plain] = _plain_digits_and_seconds(values[plain])
        return plain
    tens_of_seconds = raw.view(np.uint8).reshape(-1, 25)[:, 17]
    return tens_of_seconds <= ord("5")


class _EventColumn:
    """The event column, factorised: ``==`` and ``isin`` compare codes, ``[i]`` gives text."""

    def __init__(self, codes: np.ndarray, kinds: list[str], values: np.ndarray) -> None:
        self.codes, self.kinds, self.values = codes, kinds, values

    def __eq__(self, name: object) -> np.ndarray:  # type: ignore[override]
        return self.codes == (self.kinds.index(name) if name in self.kinds else -2)

    def isin(self, names: Any) -> np.ndarray:
        wanted = [i for i, kind in enumerate(self.kinds) if kind in set(names)]
        return np.isin(self.codes, wanted)

    def __getitem__(self, index: Any) -> Any:
        return self.values[index]

    def __len__(self) -> int:
        return len(self.codes)

    __hash__ = None  # type: ignore[assignment]
