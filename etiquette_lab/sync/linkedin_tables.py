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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

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
    """A recognised table: its schema, where it came from, its header and its rows."""

    schema: TableSchema
    path: str
    header_line: int
    columns: list[str]  # as written in the file
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # (line, cells)

    def column(self, name: str) -> int | None:
        """The position of the column whose folded name is *name*, or None."""
        folded = [fold_column(c) for c in self.columns]
        return folded.index(name) if name in folded else None


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
                    _read_rows(reader, start, table)
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


def _read_rows(reader: Any, start: int, table: CsvTable) -> None:
    """The rows after the header, each with the physical line it starts on."""
    width, rows = len(table.columns), table.rows
    for cells in reader:  # one tight loop: a messages.csv may have 100,000 rows
        line, start = start, reader.line_num + 1
        if len(cells) != width:
            if _blank(cells):  # an empty line
                continue
            raise SyncInputError(
                f"has {len(cells)} fields where the header has {width}", path=table.path, line=line
            )
        if not "".join(cells).strip():  # a row made only of commas
            continue
        rows.append((line, cells))


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
