"""Spreadsheet hygiene for the log: byte-order mark, delimiter sniffing, formula neutralising.

A cell that begins with ``= + - @``, a tab or a carriage return is run as a formula by Excel,
LibreOffice and Google Sheets (CSV injection, OWASP). The log stores such text with a leading
apostrophe, which spreadsheets show as plain text. To make the mapping reversible, text that
itself begins with an apostrophe gets one more. Reading strips exactly one leading apostrophe,
so every text comes back exactly as typed.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

__all__: list[str] = []

BOM = "\ufeff"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_ESCAPE = "'"
_NEEDS_ESCAPE = frozenset((*FORMULA_TRIGGERS, _ESCAPE))  # first characters neutralise() changes
_FIRST_CHARACTER = operator.itemgetter(slice(0, 1))


def neutralise(text: str) -> str:
    """The stored form of a free-text cell.

    Examples
    --------
    >>> neutralise("=HYPERLINK(1)"), neutralise("'quoted"), neutralise("Ørjan")
    ("'=HYPERLINK(1)", "''quoted", 'Ørjan')
    """
    if text and (text[0] in FORMULA_TRIGGERS or text[0] == _ESCAPE):
        return _ESCAPE + text
    return text


def restore(text: str) -> str:
    """The inverse of :func:`neutralise`."""
    return text[1:] if text.startswith(_ESCAPE) else text


def neutralise_frame(frame: Any) -> Any:
    """A copy of *frame* with every text cell as the log stores it (``=1+1`` -> ``'=1+1``),
    for CSV files the kit writes besides the log (exports, plans).

    Only the cells that need it are changed, and a column is looked at cell by cell only when
    its text holds such a cell at all (calling :func:`neutralise` on every cell of a large
    export took seconds).
    """
    import pandas as pd

    out = frame.copy(deep=False)  # (copy-on-write: columns changed below are replaced)
    for column in out.columns:
        series = out[column]
        kind = pd.api.types.infer_dtype(series, skipna=True)
        if kind not in ("string", "mixed", "empty") or series.dtype.kind != "O":
            continue  # (numbers, times: nothing a spreadsheet would run)
        if kind == "string":  # text, or missing: first rule out the usual column without any
            if not _any_to_neutralise(series.to_numpy(dtype=object, na_value="")):
                continue
        texts = series.to_numpy()
        change = [i for i, v in enumerate(texts) if isinstance(v, str) and v[:1] in _NEEDS_ESCAPE]
        if change:
            values = series.tolist()
            for i in change:
                values[i] = _ESCAPE + values[i]
            out[column] = pd.Series(values, index=out.index, dtype=series.dtype)
    return out


def _any_to_neutralise(texts: Any) -> bool:
    """Whether any of *texts* (all text) starts with a character :func:`neutralise` escapes:
    one look at each first character (a set of them), no call a cell."""
    return bool(set(map(_FIRST_CHARACTER, texts)) & _NEEDS_ESCAPE)


def frame_to_csv(
    frame: Any,
    *,
    lineterminator: str = "\n",
    rows: int = 20_000,
    neutralise: bool = False,
    as_text: Mapping[str, Callable[[Any], list[str]]] | None = None,
) -> Iterator[str]:
    r"""``frame.to_csv(index=False, lineterminator=...)`` in pieces of *rows* rows, the same text
    (with *neutralise*, the text of ``neutralise_frame(frame).to_csv(...)``). *as_text* gives
    the cells of some columns as text, written as given (quoted if needed, not neutralised):
    ``as_text={"at": f}`` writes what ``to_csv`` writes of the frame with ``at`` replaced by
    ``f(frame["at"])``, taken a piece at a time.

    pandas hands every cell to the :mod:`csv` module; here a column is checked once for
    anything that needs quotes (usually only the message does) and the rows are joined in
    bulk, about twice as fast. Text, whole-number and float columns are written here; a table
    with anything else (times, a single column) is written by pandas.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"id": ["r0001"], "message": ['Hi, "Zoë"'], "score": [0.5]})
    >>> "".join(frame_to_csv(table)) == table.to_csv(index=False, lineterminator="\n")
    True
    """
    import numpy as np
    import pandas as pd

    as_text = dict(as_text or {})
    kinds = [
        "given" if name in as_text else _csv_kind(frame.iloc[:, i])
        for i, name in enumerate(frame.columns)
    ]
    if len(kinds) < 2 or None in kinds:  # (one column: pandas quotes an empty row as "")
        written = neutralise_frame(frame) if neutralise else frame.copy(deep=False)
        for name, cells in as_text.items():
            written[name] = cells(frame[name])
        yield written.to_csv(index=False, lineterminator=lineterminator)
        return
    specials = _quoted_characters(lineterminator)
    yield _csv_lines([[str(name)] for name in frame.columns], specials, lineterminator)
    for start in range(0, len(frame), rows):
        part = frame.iloc[start : start + rows]
        columns = []
        for position, kind in enumerate(kinds):
            values = part.iloc[:, position]
            if kind == "given":
                columns.append(as_text[frame.columns[position]](values))
            elif kind == "float":  # as pandas writes them: numpy's shortest repr, NaN empty
                numbers = values.to_numpy()
                given = ~np.isnan(numbers)
                text = np.full(len(numbers), "", dtype=object)
                text[given] = numbers[given].astype(str)
                columns.append(text.tolist())
            elif kind == "integer":  # each distinct number written once (counts repeat)
                codes, distinct = pd.factorize(values.to_numpy())
                texts = np.array([str(v) for v in distinct.tolist()], dtype=object)
                columns.append(texts[codes].tolist() if len(texts) else [])
            else:
                texts = values.to_numpy(dtype=object, na_value="").tolist()
                if neutralise and _any_to_neutralise(texts):
                    texts = [_ESCAPE + t if t[:1] in _NEEDS_ESCAPE else t for t in texts]
                columns.append(texts)
        yield _csv_lines(columns, specials, lineterminator)


_DELIMITER = ","


def _quoted_characters(lineterminator: str) -> tuple[str, ...]:
    """The characters that make the csv module (which pandas writes with) quote a cell: the
    delimiter, the quote, the line terminator's characters, and whichever line break
    characters this Python's csv module also quotes (3.11 leaves a lone \r bare)."""
    import csv
    import io

    found = {_DELIMITER, '"', *lineterminator}
    for character in "\r\n":
        probe = io.StringIO()
        csv.writer(probe, lineterminator=lineterminator).writerow([character, ""])
        if probe.getvalue().startswith('"'):
            found.add(character)
    return tuple(sorted(found))


def _csv_kind(column: Any) -> str | None:
    """How :func:`frame_to_csv` writes *column*: "float", "integer", "text" (text or missing
    cells), or None when pandas must write it."""
    import numpy as np
    import pandas as pd

    dtype = column.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "f" and dtype.itemsize in (4, 8):
        return "float"
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        return "integer"
    if (isinstance(dtype, np.dtype) and dtype.kind == "O") or isinstance(dtype, pd.StringDtype):
        # Text and missing cells (written empty); other objects pandas writes itself.
        text = pd.api.types.infer_dtype(column, skipna=True) in ("string", "empty")
        return "text" if text else None
    return None


def _csv_lines(columns: list[list[str]], specials: tuple[str, ...], lineterminator: str) -> str:
    """Columns of cell texts as CSV lines, quoting a cell only when it needs quotes."""
    if not columns[0]:
        return ""
    pattern = re.compile("[" + re.escape("".join(specials)) + "]")
    for i, cells in enumerate(columns):
        joined = "\x00".join(cells)
        if any(character in joined for character in specials):  # (a fast scan: most have none)
            columns[i] = [
                '"' + c.replace('"', '""') + '"' if pattern.search(c) else c for c in cells
            ]
    return lineterminator.join(map(_DELIMITER.join, zip(*columns, strict=True))) + lineterminator


def restore_column(column: Any) -> Any:
    """:func:`restore` applied to a pandas Series of text."""
    escaped = column.str.startswith(_ESCAPE)
    if escaped.any():
        column = column.copy()
        column[escaped] = column[escaped].str.slice(1)
    return column


def escaped_lines(data: bytes, delimiter: str) -> Any:
    """0-based indexes of the physical lines of *data* where a cell may start with ``'``.

    A neutralised cell never opens a row (the time does), so it follows the delimiter,
    possibly after an opening quote. A line found here is a candidate, checked cell by cell.
    The bytes are scanned in pieces (a whole-file temporary per comparison cost more in page
    faults than the scan itself), and line breaks are counted only up to the few candidates.
    """
    import numpy as np

    if b"'" not in data:  # memchr speed: most logs have no cell to restore
        return np.empty(0, dtype=np.int64)
    raw = np.frombuffer(data, dtype=np.uint8)
    pieces = [
        np.flatnonzero(raw[start : start + _SCAN] == ord("'")) + start
        for start in range(0, len(raw), _SCAN)
    ]
    quotes = np.concatenate(pieces)
    quotes = quotes[quotes >= 1]
    before = raw[quotes - 1]
    mark = ord(delimiter)
    opened = (before == ord('"')) & (quotes >= 2)
    at_cell_start = (before == mark) | (opened & (raw[np.maximum(quotes - 2, 0)] == mark))
    positions = quotes[at_cell_start].tolist()
    lines, counted, upto = [], 0, 0
    for position in positions:  # (in order) line breaks before each, each byte counted once
        counted += data.count(b"\n", upto, position)
        upto = position
        lines.append(counted)
    return np.unique(np.array(lines, dtype=np.int64))


_SCAN = 1 << 22  # bytes compared at a time


def sniff_delimiter(header_line: str) -> str:
    """``,`` or ``;`` (what spreadsheets in comma-decimal locales write), judged from the header."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def format_row(values: list[str], delimiter: str = ",") -> str:
    """One CSV record ending in ``\n``; a cell is quoted when it holds the delimiter, a quote,
    or a line break of either kind (the csv module leaves a lone ``\r`` bare when the line
    terminator is ``\n``, and readers then split the row there)."""
    specials = (delimiter, '"', "\n", "\r")
    return (
        delimiter.join(
            '"' + v.replace('"', '""') + '"' if any(c in v for c in specials) else v for v in values
        )
        + "\n"
    )


def record_start_lines(data: bytes, first_line: int = 1) -> Any:
    r"""The physical line (counting ``\n`` only) on which each CSV record of *data* starts.

    A line break inside a quoted cell does not end a record: a ``\n`` ends one exactly when
    the number of ``"`` before it is even (an escaped ``""`` adds two). Empty lines hold no
    record, as :func:`pandas.read_csv` skips them. Vectorised, so a million rows with
    multi-line messages cost about as much as a scan of the bytes.

    Examples
    --------
    >>> record_start_lines(b'a,b\nZo\xc3\xab,"two\nlines"\n\n\xc3\x85se,x\n').tolist()
    [1, 2, 5]
    """
    import numpy as np

    raw = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(raw == ord("\n"))
    quotes = np.flatnonzero(raw == ord('"'))
    quotes_before = np.searchsorted(quotes, newlines)  # quotes are few: no cumulative sum
    ends = newlines[quotes_before % 2 == 0]  # the newlines that end a record
    starts = np.concatenate(([0], ends + 1))
    stops = np.concatenate((ends, [len(raw)]))
    # A record holding nothing (an empty line, or a lone "\r" before the "\n") is no record.
    length = stops - starts
    lone_return = (length == 1) & (raw[np.minimum(starts, max(len(raw) - 1, 0))] == ord("\r"))
    keep = (length > 0) & ~lone_return
    line_of_start = np.searchsorted(newlines, starts[keep])  # newlines before each start
    return first_line + line_of_start.astype(np.int64)


def record_starts(data: bytes) -> Any:
    r"""Byte offsets at which the records of *data* start, by quote parity (see
    :func:`record_start_lines`), and whether the data ends inside an open quote.

    Examples
    --------
    >>> starts, open_quote = record_starts(b'a,"b\nc"\nd,"e\n')
    >>> starts.tolist(), open_quote
    ([0, 8], True)
    """
    import numpy as np

    raw = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(raw == ord("\n"))
    quotes = np.flatnonzero(raw == ord('"'))
    ends = newlines[np.searchsorted(quotes, newlines) % 2 == 0]
    starts = np.concatenate(([0], ends + 1))
    starts = starts[starts < len(raw)]
    return starts, bool(len(quotes) % 2)


def records_by_line(
    text: str, delimiter: str = ",", first_line: int = 1
) -> Iterator[tuple[int, list[str]]]:
    r"""Each CSV record of *text* with the physical line it starts on, ``\n`` counting lines.

    The exact, slow reading (the :mod:`csv` module, fed one ``\n``-ended line at a time), for
    when the fast one cannot say where a record starts: a quote inside an unquoted cell counts
    as text here as in :func:`pandas.read_csv`, where quote parity would count it as opening a
    cell. A carriage return is a line end only before a ``\n``; inside quotes it is text, and
    outside them it is an error (pandas would split the row there, and the kit never writes
    one). Empty lines yield no record. A :class:`csv.Error` is re-raised with the line it
    happened on as ``error.line``.

    Examples
    --------
    >>> list(records_by_line('a,b\r\n5" screen,"x\r\ny"\n\nc,d\n'))
    [(1, ['a', 'b']), (2, ['5" screen', 'x\r\ny']), (5, ['c', 'd'])]
    """
    import csv

    pieces = text.split("\n")
    if pieces and pieces[-1] == "":
        pieces.pop()
    consumed = 0

    def lines() -> Iterator[str]:
        nonlocal consumed
        for number, piece in enumerate(pieces, start=1):
            consumed = number
            yield piece + "\n"

    csv.field_size_limit(2**31 - 1)  # a long message is a long cell, not a broken file
    reader = csv.reader(lines(), delimiter=delimiter)
    start = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            error.line = first_line + start  # type: ignore[attr-defined]
            raise
        if record:
            yield first_line + start, record
        start = consumed
