"""The tables of LinkedIn's export the kit reads, recognised by their header, not their name.

File names drift between exports (``Recommendations Received.csv``, ``messages.csv`` or
``Messages.csv``), so each CSV file is identified by its header row. A header matches a table
when it has all of that table's required columns; columns LinkedIn added later are ignored.
Two tables share a header (recommendations *received* and *given*): only there does the file
name decide, and a name that says neither is an error.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ..csvsafe import record_start_lines
from .errors import SyncInputError

__all__: list[str] = []


@dataclass(frozen=True)
class TableSchema:
    """One table of the export: its name, its usual file name and its columns (folded)."""

    name: str
    usual_file: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    def describe(self) -> str:
        return f"{self.usual_file} ({', '.join(self.required)})"


CONNECTIONS = TableSchema(
    "connections",
    "Connections.csv",
    ("first name", "last name", "connected on"),
    ("url", "email address", "company", "position"),
)
INVITATIONS = TableSchema(
    "invitations",
    "Invitations.csv",
    ("from", "to", "sent at", "direction"),
    ("message", "inviterprofileurl", "inviteeprofileurl"),
)
MESSAGES = TableSchema(
    "messages",
    "messages.csv",
    ("conversation id", "from", "to", "date", "content"),
    ("conversation title", "sender profile url", "recipient profile urls", "subject", "folder",
     "is message draft", "attachments"),
)  # fmt: skip
RECOMMENDATIONS = TableSchema(
    "recommendations_received",
    "Recommendations_Received.csv",
    ("first name", "last name", "text", "creation date", "status"),
    ("company", "job title"),
)
SCHEMAS: tuple[TableSchema, ...] = (CONNECTIONS, INVITATIONS, MESSAGES, RECOMMENDATIONS)

#: Non-empty records a file may have before its header (Connections.csv has two: "Notes:" and a
#: quoted sentence whose wording varies).
PREAMBLE_LIMIT = 5
#: The csv module refuses longer fields by default (128 KiB); a long InMail may be longer.
FIELD_LIMIT = 64 * 1024 * 1024


def fold_column(name: str) -> str:
    """A column name as compared: case, underscores and repeated spaces do not matter.

    Examples
    --------
    >>> fold_column("\\ufeffIS_MESSAGE  DRAFT ")
    'is message draft'
    """
    return " ".join(name.replace("\ufeff", "").replace("_", " ").split()).casefold()


def fold_file_name(name: str) -> str:
    """A file's name as compared: no folder, no ``.csv``, no case, spaces or underscores.

    Examples
    --------
    >>> fold_file_name("Basic/Recommendations Received.CSV")
    'recommendationsreceived'
    """
    stem = re.split(r"[\\/]", name)[-1]
    stem = re.sub(r"\.csv$", "", stem, flags=re.IGNORECASE)
    return re.sub(r"[\s_\-]+", "", stem).casefold()


def recognise(header: list[str]) -> TableSchema | None:
    """The table whose required columns are all in *header*, if any."""
    folded = {fold_column(c) for c in header}
    for schema in SCHEMAS:
        if folded.issuperset(schema.required):
            return schema
    return None


def expected_table(file_name: str) -> TableSchema | None:
    """The table a file's name promises (used only to name an unrecognised header)."""
    stem = fold_file_name(file_name)
    for schema in SCHEMAS:
        if stem == fold_file_name(schema.usual_file):
            return schema
    return None


@dataclass
class CsvTable:
    """A recognised table: its schema, where it came from, its header and its cells."""

    schema: TableSchema
    path: str
    header_line: int
    columns: list[str]  # as written in the file
    lines: list[int] = field(default_factory=list)  # the physical line each row starts on
    cells: list[list[str]] = field(default_factory=list)  # one list per column

    def column(self, name: str) -> int | None:
        """The position of the column whose folded name is *name*, or None."""
        folded = [fold_column(c) for c in self.columns]
        return folded.index(name) if name in folded else None

    def values(self, name: str) -> list[str] | None:
        """The cells of the column whose folded name is *name*, or None when there is none."""
        position = self.column(name)
        return None if position is None else self.cells[position]


def read_table(data: bytes, path: str) -> CsvTable | None:
    """Read one CSV file of the export; None when its header is no table the kit reads.

    *path* names the file in errors (``export.zip/Connections.csv``). A file whose name
    promises a table but whose header is not that table's is an error, so that a changed
    format is reported instead of silently ignored.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise SyncInputError("is not UTF-8 text", path=path, line=line) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    seen = 0
    start = 1  # the physical line the next record starts on (a quoted cell may span lines)
    try:
        with _field_limit(FIELD_LIMIT):
            for cells in reader:
                line, start = start, reader.line_num + 1
                if _blank(cells):
                    continue
                schema = recognise(cells)
                if schema is not None:
                    columns = [c.replace("\ufeff", "").strip() for c in cells]
                    table = CsvTable(schema, path, line, columns)
                    _check_header(table)
                    found = _fast_rows(data, line, len(columns))
                    table.lines, rows = found if found is not None else _rows(reader, start, table)
                    table.cells = _drop_blank_rows(table.lines, rows, len(columns))
                    return table
                seen += 1
                if seen >= PREAMBLE_LIMIT:
                    break
    except csv.Error as error:
        raise SyncInputError(
            f"is not readable CSV ({error})", path=path, line=reader.line_num + 1
        ) from None
    promised = expected_table(path)
    if promised is not None:
        raise SyncInputError(
            f"has no header of LinkedIn's {promised.usual_file} table (expected the columns "
            f"{', '.join(promised.required)}): an unknown format",
            path=path,
        )
    return None


def _rows(reader: Any, start: int, table: CsvTable) -> tuple[list[int], list[list[str]]]:
    """The rows after the header by the csv module (the exact reader), with their lines."""
    width, lines, rows = len(table.columns), [], []
    for cells in reader:
        line, start = start, reader.line_num + 1
        if len(cells) != width:
            if _blank(cells):  # an empty line
                continue
            raise SyncInputError(
                f"has {len(cells)} fields where the header has {width}", path=table.path, line=line
            )
        lines.append(line)
        rows.append(cells)
    columns = [list(column) for column in zip(*rows, strict=True)] if rows else []
    return lines, columns or [[] for _ in range(width)]


def _fast_rows(
    data: bytes, header_line: int, width: int
) -> tuple[list[int], list[list[str]]] | None:
    """The rows after the header by pandas' C parser (several times faster on a large
    messages.csv), with their lines; None when anything is unusual, and the exact reader
    decides.

    pandas refuses a row with more fields than the header but fills a shorter one; with no
    longer row, the delimiters outside quotes number exactly (width - 1) per record unless a
    row is short.
    """
    import numpy as np
    import pandas as pd

    offset = 0
    for _ in range(header_line):  # the header and what precedes it are lines of their own
        offset = data.find(b"\n", offset) + 1
        if offset == 0:
            return [], [[] for _ in range(width)]
    body = data[offset:]
    if not body:  # (record_start_lines fails on b"")
        return [], [[] for _ in range(width)]
    lines = record_start_lines(body, header_line + 1)
    if not len(lines):
        return [], [[] for _ in range(width)]
    try:
        with warnings.catch_warnings():
            # A longer first row only warns (and loses data): treat it as the error it is.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(
                io.BytesIO(body), header=None, names=range(width), index_col=False, dtype=str,
                keep_default_na=False, na_filter=False, encoding="utf-8", engine="c",
            )  # fmt: skip
    except (pd.errors.ParserError, pd.errors.ParserWarning, ValueError):
        return None
    raw = np.frombuffer(body, dtype=np.uint8)
    quotes, commas = np.flatnonzero(raw == ord('"')), np.flatnonzero(raw == ord(","))
    delimiters = int(np.count_nonzero(np.searchsorted(quotes, commas) % 2 == 0))
    if len(frame) != len(lines) or delimiters != len(frame) * (width - 1):
        return None  # a short row, a line of spaces, a stray quote: the exact reader names it
    return lines.tolist(), [frame[i].tolist() for i in range(width)]


def _drop_blank_rows(lines: list[int], columns: list[list[str]], width: int) -> list[list[str]]:
    """*columns* without the rows made only of commas or spaces (*lines* updated in place)."""
    first = columns[0] if columns else []
    blank = [
        i for i, v in enumerate(first) if not v.strip() and not any(c[i].strip() for c in columns)
    ]
    if not blank:
        return columns
    drop = set(blank)
    lines[:] = [line for i, line in enumerate(lines) if i not in drop]
    return [[v for i, v in enumerate(column) if i not in drop] for column in columns]


def _check_header(table: CsvTable) -> None:
    folded = [fold_column(c) for c in table.columns]
    twice = sorted({c for c in folded if c and folded.count(c) > 1})
    if twice:
        raise SyncInputError(
            f"the column {twice[0]!r} appears twice in the header",
            path=table.path,
            line=table.header_line,
        )


def _blank(cells: list[str]) -> bool:
    return not "".join(cells).strip()


@contextmanager
def _field_limit(limit: int) -> Iterator[None]:
    previous = csv.field_size_limit()
    csv.field_size_limit(max(previous, limit))
    try:
        yield
    finally:
        csv.field_size_limit(previous)
