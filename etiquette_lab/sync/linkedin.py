"""LinkedIn's "Get a copy of your data" archive as typed tables.

The archive is a ZIP (``Basic_LinkedInDataExport_MM-DD-YYYY.zip`` or ``Complete_...``) of CSV
files, or the folder it unpacks to. Each table is recognised by its header
(:mod:`etiquette_lab.sync.linkedin_tables`); times follow the one rule of
:mod:`etiquette_lab.sync.zone`. The formats, their old variants and what the export cannot
show are described in ``docs/sync.md``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..results import Result
from . import linkedin_dates as dates
from .errors import SyncInputError
from .linkedin_tables import (
    CONNECTIONS,
    INVITATIONS,
    MESSAGES,
    RECOMMENDATIONS,
    SCHEMAS,
    CsvTable,
    fold_file_name,
    read_table,
)
from .zone import UserZone, user_zone

__all__ = ["LinkedInExport", "read_linkedin_export"]

Parser = Callable[[str], tuple[dt.datetime, str]]
_EXPORT_DATE = re.compile(r"(\d{2})-(\d{2})-(\d{4})")  # MM-DD-YYYY in the archive's name
_TRUE = frozenset({"yes", "true", "1", "y"})


@dataclass(frozen=True, eq=False)
class LinkedInExport(Result):
    """The tables of a LinkedIn export the kit reads (``None`` for a table not in it).

    Every table has ``file`` (the CSV file, inside the ZIP when there is one) and ``line``
    (the physical line its row starts on, as a spreadsheet numbers it). Every ``*_at`` column
    is a UTC time: the last second of the span the export names (see ``docs/sync.md``).

    Attributes
    ----------
    connections : DataFrame or None
        ``first_name``, ``last_name``, ``name``, ``profile_url`` (``""`` in old exports),
        ``email`` (usually ``""``), ``company``, ``position``, ``connected_on`` (the date as
        written), ``connected_at`` (the end of that day in the user's zone).
    invitations : DataFrame or None
        ``from_name``, ``to_name``, ``sent_at``, ``message`` (``""`` without a note),
        ``direction`` (``OUTGOING`` or ``INCOMING``), ``inviter_profile_url`` and
        ``invitee_profile_url`` (``""`` in old exports). Not used to decide acceptance.
    messages : DataFrame or None
        ``conversation_id``, ``conversation_title``, ``from_name``, ``sender_profile_url``,
        ``to_names`` and ``recipient_profile_urls`` (tuples), ``at``, ``subject``, ``content``,
        ``folder``, ``is_draft``.
    recommendations_received : DataFrame or None
        ``first_name``, ``last_name``, ``name``, ``company``, ``job_title``, ``text``,
        ``created_at``, ``status`` (``VISIBLE`` or ``HIDDEN``).
    files : dict
        Table name -> the file it was read from.
    not_used : tuple of str
        CSV files of the archive that hold no table the kit reads (profile, skills, ...).
    export_date : date or None
        The date in the archive's name, when it has one: nothing after it can be in the export.
    """

    source: str
    timezone: str
    export_date: dt.date | None
    connections: Any = None
    invitations: Any = None
    messages: Any = None
    recommendations_received: Any = None
    files: dict[str, str] = field(default_factory=dict)
    not_used: tuple[str, ...] = ()
    zone: UserZone | None = field(default=None, repr=False)  # how zone-less times were read

    _title = "LinkedIn data export"

    def table(self, name: str) -> Any:
        """The table called *name* (``"connections"``, ``"messages"``, ...) or None."""
        return getattr(self, name)

    def _summary_frame(self):
        import pandas as pd

        rows = [
            {
                "table": schema.name,
                "file": self.files.get(schema.name, "-"),
                "rows": 0 if self.table(schema.name) is None else len(self.table(schema.name)),
            }
            for schema in SCHEMAS
        ]
        return pd.DataFrame(rows).set_index("table")

    def _notes(self) -> list[str]:
        made = f"made {self.export_date.isoformat()}" if self.export_date else "date unknown"
        notes = [f"{self.source} ({made}); times without a zone read as {self.timezone}"]
        absent = [s.usual_file for s in SCHEMAS if self.table(s.name) is None]
        if absent:
            notes.append("not in the export: " + ", ".join(absent))
        if self.not_used:
            notes.append(f"{len(self.not_used)} other CSV files not used")
        return notes

    def to_dict(self) -> dict[str, Any]:
        """Where each table came from and how many rows it has (the rows stay in Python)."""
        return {
            "source": self.source,
            "timezone": self.timezone,
            "export_date": None if self.export_date is None else self.export_date.isoformat(),
            "files": dict(self.files),
            "rows": {
                s.name: None if self.table(s.name) is None else len(self.table(s.name))
                for s in SCHEMAS
            },
            "not_used": list(self.not_used),
        }


def read_linkedin_export(path: str | os.PathLike[str], *, timezone: Any = None) -> LinkedInExport:
    """Read LinkedIn's data export: the ZIP, the folder it unpacks to, or one of its CSV files.

    Parameters
    ----------
    path : path-like
        ``Basic_LinkedInDataExport_MM-DD-YYYY.zip`` (or ``Complete_...``), the unpacked folder,
        or a single table such as ``Connections.csv``.
    timezone : str or tzinfo, optional
        The zone of times the export writes without one (``5/12/21, 3:14 PM``); the machine's
        zone by default.

    Returns
    -------
    LinkedInExport

    Raises
    ------
    SyncInputError
        One line naming the file (and line and column) of the first problem: not a ZIP, a
        truncated ZIP, no LinkedIn table in it, a table with an unknown header, a date in
        another format, a row with more or fewer fields than its header.

    Examples
    --------
    >>> from etiquette_lab.sync import sync_example_paths
    >>> export = read_linkedin_export(sync_example_paths()["linkedin"], timezone="Europe/Oslo")
    >>> export.connections.loc[0, ["name", "connected_on"]].tolist()
    ['Ada Eksempel', datetime.date(2026, 1, 6)]
    >>> export.connections.loc[0, "connected_at"]
    Timestamp('2026-01-06 22:59:59+0000', tz='UTC')
    """
    zone = user_zone(timezone)
    source = Path(path)
    tables: dict[str, CsvTable] = {}
    not_used: list[str] = []
    count = 0
    with _csv_files(source) as files:
        for shown, load in files:
            count += 1
            table = read_table(load(), shown)
            if table is None or _is_given(table):
                not_used.append(shown)
                continue
            name = table.schema.name
            if name in tables:
                raise SyncInputError(
                    f"holds LinkedIn's {table.schema.usual_file} table, and so does "
                    f"{tables[name].path}: give one export at a time",
                    path=shown,
                )
            tables[name] = table
    if not tables:
        what = f"none of its {count} CSV files" if count else "it holds no CSV file and"
        raise SyncInputError(
            f"is not a LinkedIn data export: {what} has the header of "
            + ", ".join(s.usual_file for s in SCHEMAS),
            path=str(source),
        )
    builders: dict[str, Callable[[CsvTable, UserZone], Any]] = {
        CONNECTIONS.name: _connections,
        INVITATIONS.name: _invitations,
        MESSAGES.name: _messages,
        RECOMMENDATIONS.name: _recommendations,
    }
    frames = {name: builders[name](table, zone) for name, table in tables.items()}
    return LinkedInExport(
        source=str(source),
        timezone=zone.name,
        export_date=_export_date(source.name),
        files={name: table.path for name, table in tables.items()},
        not_used=tuple(not_used),
        zone=zone,
        **frames,
    )


def _is_given(table: CsvTable) -> bool:
    """Recommendations *given* share the header of those received: here the name decides."""
    if table.schema is not RECOMMENDATIONS:
        return False
    stem = fold_file_name(table.path)
    if "given" in stem:
        return True
    if "received" in stem:
        return False
    raise SyncInputError(
        "holds recommendations, but its name says neither 'Received' nor 'Given' (the two "
        "tables have the same columns); rename it as in the export",
        path=table.path,
    )


@contextmanager
def _csv_files(source: Path) -> Iterator[list[tuple[str, Callable[[], bytes]]]]:
    """(name shown in errors, loader of the bytes) for each CSV file of the export."""
    if source.is_dir():
        paths = sorted(p for p in source.rglob("*") if p.suffix.casefold() == ".csv")
        yield [(str(p), _file_loader(p)) for p in paths if p.is_file()]
        return
    if not source.exists():
        raise SyncInputError("does not exist", path=str(source))
    if source.suffix.casefold() == ".csv":
        yield [(str(source), _file_loader(source))]
        return
    try:
        archive = zipfile.ZipFile(source)
    except zipfile.BadZipFile:
        raise SyncInputError(
            "is not a ZIP file, or it was cut off while downloading (download it again)",
            path=str(source),
        ) from None
    except OSError as error:
        raise SyncInputError(
            f"cannot be read: {error.strerror or error}", path=str(source)
        ) from None
    with archive:
        members = sorted(
            (m for m in archive.infolist() if not m.is_dir()), key=lambda m: m.filename
        )
        yield [
            (f"{source}/{m.filename}", _member_loader(archive, m, f"{source}/{m.filename}"))
            for m in members
            if m.filename.casefold().endswith(".csv")
        ]


def _file_loader(path: Path) -> Callable[[], bytes]:
    def load() -> bytes:
        try:
            return path.read_bytes()
        except OSError as error:
            raise SyncInputError(
                f"cannot be read: {error.strerror or error}", path=str(path)
            ) from None

    return load


def _member_loader(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, shown: str
) -> Callable[[], bytes]:
    def load() -> bytes:
        if member.flag_bits & 0x1:  # zipfile would raise a RuntimeError asking for a password
            raise SyncInputError(
                "is encrypted in the ZIP: LinkedIn's export is not; unpack it yourself and give "
                "the folder",
                path=shown,
            )
        try:
            return archive.read(member)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as error:
            raise SyncInputError(
                f"is damaged or cut off in the ZIP ({error}); download the export again",
                path=shown,
            ) from None

    return load


def _export_date(name: str) -> dt.date | None:
    match = _EXPORT_DATE.search(name)
    if match is None:
        return None
    month, day, year = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


# -- typed tables ----------------------------------------------------------------------------


def _text(table: CsvTable, name: str) -> list[str]:
    """The stripped cells of the column whose folded name is *name* (``""`` if absent)."""
    values = table.values(name)
    return [""] * len(table.lines) if values is None else list(map(str.strip, values))


def _parsed(table: CsvTable, line: int, text: str, name: str, parse: Parser) -> Any:
    """*parse* of one cell, or the error naming its file, line and column."""
    try:
        return parse(text)
    except ValueError as error:
        shown = repr(text) if text else "an empty cell"
        column = table.columns[table.column(name) or 0]
        raise SyncInputError(
            f"{shown} is not {error}", path=table.path, line=line, field=column
        ) from None


def _times(
    table: CsvTable, name: str, parse: Parser, zone: UserZone
) -> tuple[list[dt.datetime], list[dt.datetime]]:
    """The column parsed by *parse*: each value's span end (UTC) and its start as written."""
    seen: dict[str, tuple[dt.datetime, dt.datetime]] = {}  # dates repeat: parse each once
    ends, starts = [], []
    for line, text in zip(table.lines, _text(table, name), strict=True):
        parsed = seen.get(text)
        if parsed is None:
            start, precision = _parsed(table, line, text, name, parse)
            parsed = seen[text] = (zone.span_end(start, precision), start)
        ends.append(parsed[0])
        starts.append(parsed[1])
    return ends, starts


def _utc_times(table: CsvTable, name: str) -> Any:
    """A column of UTC times to the second (messages.csv's DATE), parsed by pandas in one go
    where it has the usual form; any other value by the exact parser, which names a bad one."""
    import pandas as pd

    texts = _text(table, name)
    plain = [dates.PLAIN_UTC.fullmatch(text) is not None for text in texts]
    cores = pd.Series([text[:19] if ok else None for text, ok in zip(texts, plain, strict=True)])
    times = pd.to_datetime(cores, format=dates.PLAIN_UTC_FORMAT, utc=True, errors="coerce")
    for row in times.index[times.isna()]:  # another accepted form, 31 February, or an error
        moment, _ = _parsed(table, table.lines[row], texts[row], name, dates.parse_utc_time)
        times.iat[row] = moment
    return times


def _frame(table: CsvTable, columns: dict[str, Any]) -> Any:
    import pandas as pd

    frame = pd.DataFrame(columns)
    for name, values in columns.items():
        if name.endswith("_at") or name == "at":
            frame[name] = (
                pd.to_datetime(values, utc=True)
                if len(values)
                else pd.Series([], dtype="datetime64[ns, UTC]")
            )
    if "is_draft" in frame.columns:  # a table without rows still needs a boolean column
        frame["is_draft"] = frame["is_draft"].astype(bool)
    frame["file"] = table.path
    frame["line"] = pd.Series(table.lines, dtype="int64")
    return frame


def _names(table: CsvTable) -> dict[str, list[str]]:
    """``first_name``, ``last_name`` and the full ``name`` the matching compares."""
    first, last = _text(table, "first name"), _text(table, "last name")
    full = [f"{f} {n}".strip() for f, n in zip(first, last, strict=True)]
    return {"first_name": first, "last_name": last, "name": full}


def _connections(table: CsvTable, zone: UserZone) -> Any:
    connected_at, day_start = _times(table, "connected on", dates.parse_day_month_year, zone)
    return _frame(
        table,
        {
            **_names(table),
            "profile_url": _text(table, "url"),
            "email": _text(table, "email address"),
            "company": _text(table, "company"),
            "position": _text(table, "position"),
            "connected_on": [d.date() for d in day_start],
            "connected_at": connected_at,
        },
    )


def _invitations(table: CsvTable, zone: UserZone) -> Any:
    sent_at, _ = _times(table, "sent at", dates.parse_month_day_year_time, zone)
    return _frame(
        table,
        {
            "from_name": _text(table, "from"),
            "to_name": _text(table, "to"),
            "sent_at": sent_at,
            "message": _text(table, "message"),
            "direction": [d.upper() for d in _text(table, "direction")],
            "inviter_profile_url": _text(table, "inviterprofileurl"),
            "invitee_profile_url": _text(table, "inviteeprofileurl"),
        },
    )


def _messages(table: CsvTable, zone: UserZone) -> Any:
    at = _utc_times(table, "date")
    return _frame(
        table,
        {
            "conversation_id": _text(table, "conversation id"),
            "conversation_title": _text(table, "conversation title"),
            "from_name": _text(table, "from"),
            "sender_profile_url": _text(table, "sender profile url"),
            "to_names": [split_list(v) for v in _text(table, "to")],
            "recipient_profile_urls": [
                split_list(v) for v in _text(table, "recipient profile urls")
            ],
            "at": at,
            "subject": _text(table, "subject"),
            "content": _text(table, "content"),
            "folder": _text(table, "folder"),
            "is_draft": [v.casefold() in _TRUE for v in _text(table, "is message draft")],
        },
    )


def _recommendations(table: CsvTable, zone: UserZone) -> Any:
    created_at, _ = _times(table, "creation date", dates.parse_month_day_year_time, zone)
    return _frame(
        table,
        {
            **_names(table),
            "company": _text(table, "company"),
            "job_title": _text(table, "job title"),
            "text": _text(table, "text"),
            "created_at": created_at,
            "status": [s.upper() for s in _text(table, "status")],
        },
    )


def split_list(text: str) -> tuple[str, ...]:
    """A recipient list: ``;``-separated when it has a ``;``, else ``,``-separated.

    Examples
    --------
    >>> split_list("Ada Eksempel; Bo Prøve"), split_list("a, b"), split_list("")
    (('Ada Eksempel', 'Bo Prøve'), ('a', 'b'), ())
    """
    separator = ";" if ";" in text else ","
    return tuple(filter(None, map(str.strip, text.split(separator))))
