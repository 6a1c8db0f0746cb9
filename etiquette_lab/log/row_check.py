"""A few rows in the kit's own form, validated one by one: an append in well under a millisecond.

pandas costs milliseconds a call whatever the size of the table, so one appended row checked
by the vectorised reader (:mod:`etiquette_lab.log.validation`) took about 5 ms of CPU. Rows
exactly as the kit writes them (:func:`~etiquette_lab.csvsafe.format_row` gives their bytes
back), with times and scores in the form the kit writes, are checked here row by row against
the same rules (:mod:`etiquette_lab.log.format`) and the same state, and taken only when every
rule holds. Everything else, and every row that breaks a rule, is left to the vectorised
reader, which names the problem: so the two can never disagree on a row this module takes
(``tests/test_log_row_check.py`` holds them against each other), and every error message has
one source.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

from ..csvsafe import format_row, restore
from ..timestamps import YEARS
from .format import COLUMNS, EVENTS, FORMAT_VERSION, REQUIRED, TEXT_COLUMNS
from .state import Rows

__all__: list[str] = []

#: Data up to this size is tried row by row (about 150 rows: the break-even with pandas).
ROW_BY_ROW_BYTES = 16 * 1024

# The stored form the writer gives (timestamps.format_time, to the second): ASCII digits, hours
# to 23, minutes and seconds to 59, an offset of hours and minutes.
_STORED_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9][+-][0-9]{2}:[0-5][0-9]"
)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)
_POSITION = {column: position for position, column in enumerate(COLUMNS)}
_TEXT_POSITIONS = [_POSITION[c] for c in COLUMNS if c in TEXT_COLUMNS]


def accept_rows(data: bytes, state: Any, first_line: int, delimiter: str) -> Rows | None:
    """Validate *data* row by row and add its events to *state*; None (and *state* unchanged)
    when any row is not in the kit's own form or breaks a rule: the vectorised reader then
    reads it, and says what is wrong."""
    if delimiter != "," or not data.endswith(b"\n") or b"\r" in data or b"\x00" in data:
        return None
    try:
        text = data.decode("utf-8")
        records = list(csv.reader(io.StringIO(text, newline="\n"), delimiter=delimiter))
    except (UnicodeDecodeError, csv.Error):
        return None
    pieces = [format_row(cells, delimiter) for cells in records]
    if any(len(cells) != len(COLUMNS) for cells in records) or "".join(pieces) != text:
        return None  # not the kit's own form: pandas may read it differently
    rows = Rows()
    declared: dict[str, list[str]] = {}  # declarations in these rows, on top of the state's
    sent: dict[str, tuple[int, str]] = {}  # sends in these rows: id -> (ns, kind)
    outcomes: list[str] = []
    line = first_line
    for cells, piece in zip(records, pieces, strict=True):
        event = cells[_POSITION["event"]]
        if cells[_POSITION["log_format"]] != FORMAT_VERSION or event not in EVENTS:
            return None
        for position in _TEXT_POSITIONS:
            cells[position] = restore(cells[position])
        if any(_blank(cells[_POSITION[column]]) for column in REQUIRED[event]):
            return None
        at_us = _stored_time(cells[_POSITION["at"]])
        score = _score(cells[_POSITION["score"]])
        if at_us is None or score is None:
            return None
        request_id = cells[_POSITION["request_id"]]
        experiment, variant = cells[_POSITION["experiment"]], cells[_POSITION["variant"]]
        if event == "sent":
            if request_id in sent or request_id in state.sent:
                return None
            allowed = declared.get(experiment, state.declared.get(experiment))
            if allowed and variant not in allowed:
                return None
            sent[request_id] = (at_us * 1000, cells[_POSITION["kind"]])
        elif event == "declared":
            earlier = declared.get(experiment, state.declared.get(experiment, []))
            declared[experiment] = list(dict.fromkeys([*earlier, *variant.split("|")]))
        else:  # a follow-up: of a request sent on an earlier line, and not dated before it
            send = sent.get(request_id) or state.sent.get(request_id)
            if send is None or at_us * 1000 < send[0]:
                return None
            if event == "responded":
                outcomes.append(cells[_POSITION["outcome"]])
        rows.lines.append(line)
        rows.cells.append(cells)
        rows.at_us.append(at_us)
        rows.scores.append(score)
        line += piece.count("\n")
    # Every row holds: record them, as the vectorised reader would.
    if sent:
        import numpy as np

        ids = np.array(list(sent), dtype=object)
        state.add_sent(
            ids,
            np.array([ns for ns, _ in sent.values()], dtype=np.int64),
            np.array([kind for _, kind in sent.values()], dtype=object),
        )
    state.outcomes.update(outcomes)
    for experiment, names in declared.items():
        state.declared[experiment] = names
    state.lines_read = line - 1
    state.event_count += len(rows)
    state.chunks.append(rows)
    return rows


def _blank(text: str) -> bool:
    return text == "" or text.isspace()


def _stored_time(text: str) -> int | None:
    """UTC microseconds since the epoch of a time in the stored form, within the kit's years."""
    if len(text) != 25 or not _STORED_TIME.fullmatch(text):
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:  # no such day, an offset of a day or more
        return None
    if not YEARS[0] <= moment.astimezone(dt.UTC).year <= YEARS[1]:
        return None
    return (moment - _EPOCH) // _MICROSECOND


def _score(text: str) -> float | None:
    """A score as the writer stores it (``repr`` of a float from 0 to 1), NaN for none."""
    if text == "":
        return float("nan")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if repr(value) == text and 0 <= value <= 1 else None
