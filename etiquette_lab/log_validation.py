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

from . import csvsafe
from .errors import LogError, TornLineError, shown
from .log_format import COLUMNS, EVENTS, FOLLOW_UPS, FORMAT_VERSION, REQUIRED, TEXT_COLUMNS
from .log_row_check import ROW_BY_ROW_BYTES, accept_rows
from .timestamps import STORED_TIME_PATTERN, YEARS, utc_nanoseconds

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
    rows in the kit's own form are checked row by row (:mod:`etiquette_lab.log_row_check`),
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
    frame = _read_rows(data, delimiter, path, first_line)
    if len(frame) == lines:
        frame.insert(0, "line", np.arange(first_line, first_line + lines))
    else:  # quoted line breaks or blank lines: find where each record starts
        frame.insert(0, "line", _record_lines(data, frame, path, first_line, delimiter))
    try:
        events = _validate(
            frame,
            state=state,
            path=path,
            torn=_TornCheck(data, first_line, delimiter, path) if torn_possible else None,
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


def _read_rows(data: bytes, delimiter: str, path: str, first_line: int) -> pd.DataFrame:
    if b"\x00" in data:  # a NUL is never text a person typed: a binary or damaged file
        line = first_line + data[: data.index(b"\x00")].count(b"\n")
        raise LogError("contains a NUL byte (a damaged or binary file?)", path=path, line=line)
    try:
        with warnings.catch_warnings():
            # pandas only warns when a first row has more fields than the header, and drops
            # them: an error like any other row with too many fields.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            return _read_csv(data, delimiter)
    except (pd.errors.ParserError, pd.errors.ParserWarning, UnicodeDecodeError, ValueError):
        _locate_unreadable_row(data, delimiter, path, first_line)
        raise  # pragma: no cover - _locate_unreadable_row always raises


def _read_csv(data: bytes, delimiter: str) -> pd.DataFrame:
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


# Lines are counted one way everywhere: a line ends at "\n" (a "\r" before it belongs to it),
# so the line an error names is the line a text editor shows, and the line repair cuts at.


def _locate_unreadable_row(data: bytes, delimiter: str, path: str, first_line: int) -> None:
    """The slow path after the fast reader failed: find the line and say what is wrong."""
    ended = data.endswith(b"\n")
    for line_no, raw in enumerate(data.split(b"\n"), start=first_line):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as error:
            if not ended and error.reason == "unexpected end of data" and error.end == len(raw):
                _TornCheck(data, first_line, delimiter, path).fail(
                    _last_record_line(data, first_line)
                )
            raise LogError(
                "not UTF-8 text (is this a log file?)", path=path, line=line_no
            ) from None
    starts, open_quote = csvsafe.record_starts(data)
    records = csvsafe.records_by_line(data.decode("utf-8"), delimiter, first_line)
    try:
        for line, record in records:
            if len(record) > len(COLUMNS):
                if open_quote and line == first_line + data[: starts[-1]].count(b"\n"):
                    break  # a quote opened and never closed swallowed the rest: below
                raise LogError(
                    f"{len(record)} fields where the log has {len(COLUMNS)}", path=path, line=line
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
        _TornCheck(data, first_line, delimiter, path).fail(_last_record_line(data, first_line))
    raise LogError("could not be read as CSV", path=path, line=first_line)


def _last_record_line(data: bytes, first_line: int) -> int:
    """The line the last record starts on, by quote parity (a cut-off record included)."""
    starts, _ = csvsafe.record_starts(data)
    return first_line + data[: int(starts[-1]) if len(starts) else 0].count(b"\n")


def _record_lines(
    data: bytes, frame: pd.DataFrame, path: str, first_line: int, delimiter: str
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
    values = frame.to_numpy()
    for position, (line, record) in enumerate(exact):
        padded = [*record, *[""] * (len(COLUMNS) - len(record))]
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

    def __init__(self, data: bytes, first_line: int, delimiter: str, path: str) -> None:
        self.data, self.first_line, self.delimiter, self.path = data, first_line, delimiter, path

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
            if len(record) != len(COLUMNS):
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
        line = int(self.frame["line"].iat[position])
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
    bad_version = version != FORMAT_VERSION
    if torn is not None and bad_version[last] and not bad_version[:last].any():
        torn.fail(int(frame["line"].iat[last]))
    problems.add(
        bad_version,
        "log_format",
        lambda i: (
            f"expected {FORMAT_VERSION!r}, found {shown(version[i])} "
            "(a row with missing or extra fields?)"
        ),
    )

    event = frame["event"].to_numpy()
    # Factorise once: every 'event == name' below is then a comparison of small integers.
    codes, kinds = pd.factorize(event)
    event = _EventColumn(codes, list(kinds), event)
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
    # A spreadsheet in a comma-decimal locale (the one that saves with ';') writes 0,5.
    decimal = score_text.str.replace(",", ".", regex=False) if delimiter == ";" else score_text
    score = pd.to_numeric(decimal.where(score_text != "", None), errors="coerce")
    bad_score = (score_text != "").to_numpy() & ~((score >= 0) & (score <= 1)).to_numpy()
    problems.add(
        bad_score, "score", lambda i: f"{shown(score_text.iat[i])} is not a number from 0 to 1"
    )

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
    at_ns = utc_nanoseconds(at)
    is_sent = event == "sent"

    sent_ids = request_id[is_sent]
    duplicate = np.zeros(len(sent_ids), dtype=bool)
    if not pd.Index(sent_ids).is_unique:
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
        declarations.setdefault(frame["experiment"].iat[position], []).append(
            (int(lines[position]), frame["variant"].iat[position].split("|"))
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
    follow = event.isin(FOLLOW_UPS)
    if not follow.any():
        return
    first_of_id = ~duplicate  # with duplicates (reported above) the first send counts
    sent_index = pd.Index(sent_ids[first_of_id])
    found = sent_index.get_indexer(request_id[follow])
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


def _record_history(frame: pd.DataFrame, event: np.ndarray, at: pd.Series, state: Any) -> None:
    is_sent = event == "sent"
    if is_sent.any():
        ids = frame["request_id"].to_numpy()[is_sent]
        state.add_sent(ids, utc_nanoseconds(at)[is_sent], frame["kind"].to_numpy()[is_sent])
    responded = event == "responded"
    if responded.any():
        state.outcomes.update(pd.unique(frame["outcome"].to_numpy()[responded]).tolist())
    for position in np.flatnonzero(event == "declared"):
        experiment = frame["experiment"].iat[position]
        names = frame["variant"].iat[position].split("|")
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
        position = frame.columns.get_loc(column)
        values = frame.iloc[rows, position]
        frame.iloc[rows, position] = [csvsafe.restore(v) for v in values]


def _parse_times(at_text: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Parse stored times to UTC; also say which cells have the stored form at all.

    The form the kit writes goes through one strict C-level strptime (``%z`` demands an
    offset, so a naive time cannot slip through as UTC); only the cells that fail it (hand
    edits, fractions of seconds, ``Z``, impossible dates) take the slower regex path.
    """
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
        at = at.copy()
        at.iloc[others] = parsed.to_numpy()
    # The kit's own range (timestamps.YEARS): outside it a time is a typo, and nanosecond
    # arithmetic would overflow.
    years = at.dt.year.to_numpy(dtype=float, na_value=np.nan)
    out_of_range = ~np.isnan(years) & ((years < YEARS[0]) | (years > YEARS[1]))
    if out_of_range.any():
        at = at.mask(out_of_range)
    return at, well_formed


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
