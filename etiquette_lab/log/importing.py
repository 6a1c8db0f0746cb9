"""Turn a spreadsheet with one row per request into log events.

People keep outreach in spreadsheets or export it from outreach tools: one row per person,
with the date sent and the date answered. :func:`import_requests` maps such columns (found by
common names, or named explicitly) onto sends, responses and withdrawals, validates every row,
and only then appends them all in one write: an import either lands whole or not at all.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..csvsafe import records_by_line
from ..errors import InvalidInputError, LogError, shown
from ..timestamps import parse_time
from ..userfiles import decode_text, read_limited
from .file import Origin
from .format import canonical_kind
from .privacy import check_not_named, pseudonymise

__all__ = ["import_requests"]

# Column names people use, lower-cased; the first match wins.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "recipient": ("recipient", "name", "to", "person", "contact", "full name"),
    "variant": ("variant", "wording", "message type", "arm", "version", "template"),
    "at": ("sent", "sent_at", "sent at", "date sent", "sent date", "date", "sent on"),
    "responded_at": (
        "responded",
        "responded_at",
        "responded at",
        "response date",
        "date responded",
        "replied",
        "replied at",
        "answered",
    ),
    # Not "status": trackers use it for "pending" or "sent", which is no outcome.
    "outcome": ("outcome", "result", "response"),
    "withdrawn_at": ("withdrawn", "withdrawn_at", "withdrawn at", "date withdrawn"),
    "kind": ("kind", "request kind", "type", "request type"),
    "channel": ("channel", "medium", "via"),
    "message": ("message", "text", "message text"),
    "stratum": ("stratum", "closeness", "relationship", "group"),
    "note": ("note", "notes", "comment", "comments"),
}
REQUIRED_COLUMNS = ("recipient", "variant", "at")
# Left out of the log when recipients are pseudonymised: they are likely to name the person.
PERSONAL_COLUMNS = ("message", "note")
# Kept exactly as typed: a message's line breaks and spacing are part of it.
FREE_TEXT = ("message", "note")
# Stored as typed beside a pseudonym, so they must not name the person.
_STORED_BESIDE_NAME = ("variant", "kind", "channel", "stratum")
# What Excel, LibreOffice and Google Sheets put in a cell whose formula failed.
_SPREADSHEET_ERROR = re.compile(
    r"^(?:#(?:NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A|GETTING_DATA|SPILL!|CALC!|FIELD!|"
    r"BLOCKED!|CONNECT!|BUSY!|UNKNOWN!|ERROR!)|Err:\d{3})$"
)


def import_requests(
    table: pd.DataFrame | str | os.PathLike[str],
    log: Any,
    *,
    columns: Mapping[str, str] | None = None,
    dayfirst: bool | None = None,
    kind: str = "recommendation",
    channel: str = "linkedin",
    pseudonym_key: bytes | None = None,
    allow_repeat: bool = False,
    new_outcomes: bool = False,
) -> list[str]:
    """Append one request per row of *table* to *log*; returns the new request ids.

    Parameters
    ----------
    table : DataFrame or path of a CSV file
        One row per request. Needed columns: recipient, variant, date sent; optional: date
        responded, outcome (which needs the date responded), date withdrawn, kind, channel,
        message, stratum, note. Kinds typed in any case (``Recommendation``) are stored in
        the kit's spelling (``recommendation``). Errors name the sheet's physical line, as a
        text editor shows it (the header is line 1).
    log : LogFile
        An open log (:func:`etiquette_lab.open_log`).
    columns : mapping, optional
        Explicit column names, e.g. ``{"recipient": "Who", "at": "Asked on"}``, overriding the
        names found automatically (see ``COLUMN_ALIASES``).
    dayfirst : bool, optional
        How to read numeric dates such as ``03.11.2026`` or ``03/11/2026``: True day first
        (Norway, most of Europe), False month first (US). By default the sheet decides: a
        first number above 12 means day first, a second one above 12 month first, and dotted
        dates (``03.11.2026``) are day first; slashed dates that could be either are refused
        rather than guessed. ISO dates (``2026-11-03``) are always read as such.
    kind, channel : str
        Used for rows whose table has no such column or leaves it empty.
    pseudonym_key : bytes, optional
        If given, recipients are stored as :func:`etiquette_lab.pseudonymise` ids, and the
        sheet's message and note columns are not stored: they are likely to name the person.
    allow_repeat : bool
        Import a row even when the log already has a request to the same person with the same
        wording sent at the same time (by default that is an earlier import of the same sheet,
        and refused).
    new_outcomes : bool
        Accept outcomes the kit does not know and the log has not used (by default refused,
        so that a typo is not counted as a success).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from etiquette_lab import create_log
    >>> log = create_log(pathlib.Path(tempfile.mkdtemp()) / "log.csv")
    >>> sheet = pd.DataFrame({"Name": ["Ada", "Bo"], "Wording": ["default", "personalised"],
    ...                       "Date sent": ["2026-11-02", "2026-11-02"],
    ...                       "Responded": ["2026-11-04", ""]})
    >>> import_requests(sheet, log)
    ['r0001', 'r0002']
    >>> log.requests()["outcome"].tolist()
    ['recommended', nan]
    """
    source = str(table) if not isinstance(table, pd.DataFrame) else "the table"
    frame, lines = _load(table)
    mapping = _match_columns(frame, columns or {}, source)
    if pseudonym_key is not None:
        mapping = {f: c for f, c in mapping.items() if f not in PERSONAL_COLUMNS}
    date_columns = [mapping[f] for f in ("at", "responded_at", "withdrawn_at") if f in mapping]
    if dayfirst is None:
        dayfirst = _infer_dayfirst(frame, date_columns, source, lines)
    origin_columns: dict[str, str]
    origin_columns = {"recipient": mapping["recipient"], "variant": mapping["variant"],
                      **{f: mapping[f] for f in ("kind", "channel", "message", "stratum", "note")
                         if f in mapping}, "at": mapping["at"]}  # fmt: skip
    follow_up_columns = {
        "responded": {"at": mapping.get("responded_at", ""), "outcome": mapping.get("outcome", "")},
        "withdrawn": {"at": mapping.get("withdrawn_at", "")},
    }
    sends, origins = [], []
    for line, (_, row) in zip(lines, frame.iterrows(), strict=True):
        spec: dict[str, Any] = {"kind": kind, "channel": channel}
        for field, column in mapping.items():
            value = row[column]
            raw = "" if pd.isna(value) else str(value)
            if _SPREADSHEET_ERROR.match(raw.strip()):
                raise LogError(
                    f"holds the spreadsheet error {shown(raw.strip())} (a formula that failed), "
                    "not a value; fix it in the sheet and save it again",
                    path=source,
                    line=line,
                    field=column,
                )
            # Free text is kept as typed, line breaks and spaces included; the other cells
            # are names, wordings and dates, where stray spaces are noise.
            text = raw if field in FREE_TEXT else raw.strip()
            if field in ("at", "responded_at", "withdrawn_at") and text:
                text = _date_text(text, dayfirst, source, line, column)
            if text or field not in ("kind", "channel"):
                spec[field] = text
        for field in REQUIRED_COLUMNS:
            if not spec.get(field):
                raise LogError("is empty", path=source, line=line, field=mapping[field])
        if spec.get("outcome") and not spec.get("responded_at"):
            date = mapping.get("responded_at")
            raise LogError(
                f"outcome {shown(spec['outcome'])} has no response date"
                + (f" in column {date!r}" if date else " (the sheet has no such column; name it"
                   " with columns={'responded_at': 'NAME'})")
                + "; an outcome needs its date, or leave the outcome empty",
                path=source, line=line, field=mapping["outcome"],
            )  # fmt: skip
        spec["kind"] = canonical_kind(spec["kind"])
        if pseudonym_key is not None:
            others = {mapping[f]: spec[f] for f in _STORED_BESIDE_NAME if f in mapping and spec[f]}
            check_not_named(spec["recipient"], others, path=source, line=line)
            spec["recipient"] = pseudonymise(spec["recipient"], pseudonym_key)
        sends.append(spec)
        origins.append(Origin(source, line, origin_columns, follow_up_columns))
    if not sends:
        raise LogError("has no rows to import", path=source)
    if not allow_repeat:
        _refuse_reimport(log, sends, origins, mapping)
    return log.send_many(sends, origins=origins, new_outcomes=new_outcomes)


def _refuse_reimport(
    log: Any, sends: list[dict[str, Any]], origins: list[Origin], mapping: Mapping[str, str]
) -> None:
    """A row whose person, wording and send time the log already has was imported before."""

    existing = log.requests()
    if existing.empty:
        return
    seen = {
        (r, v, t.value): rid
        for r, v, t, rid in zip(existing["recipient"], existing["variant"],
                                existing["first_sent_at"], existing["request_id"], strict=True)
    }  # fmt: skip
    for spec, origin in zip(sends, origins, strict=True):
        moment = pd.Timestamp(parse_time(spec["at"])).tz_convert("UTC").as_unit("ns")
        rid = seen.get((spec["recipient"], spec["variant"], moment.value))
        if rid is not None:
            raise LogError(
                f"is already in the log as {rid} (same person, wording and time: imported "
                "before?); nothing was imported (allow_repeat=True to import "
                "it again)",
                path=origin.path,
                line=origin.line,
                field=mapping["recipient"],
            )


def _load(table: pd.DataFrame | str | os.PathLike[str]) -> tuple[pd.DataFrame, list[int]]:
    """The table and the sheet line of each of its rows (for a DataFrame: position + 2, as if
    it had been read from a file with a header line and no line breaks inside cells).

    A file is read record by record with the :mod:`csv` module, so every row keeps the line
    it starts on (a text editor's count, ``\n`` ending a line), a row with more cells than the
    header is refused rather than shifted, and rows with nothing in them (the empty rows
    Excel leaves at the end of a sheet) are not taken for data.
    """
    if isinstance(table, pd.DataFrame):
        return table, list(range(2, len(table) + 2))

    path = str(table)
    data = read_limited(table, what="sheet")
    text = decode_text(data, path=path, what="sheet")
    if "\n" not in text and "\r" in text.rstrip("\r"):
        raise LogError(
            "ends its lines with a carriage return alone (an old Mac format); save it as CSV "
            "with LF or CRLF line ends",
            path=path,
            line=1,
        )
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise LogError("contains a NUL byte (a damaged or binary file?)", path=path, line=line)
    header_line = next((t for t in text.split("\n") if t.strip("\r")), "")
    if not header_line.strip():
        raise LogError("is empty: no header row with column names", path=path, line=1)
    try:
        # Sniffed from the header, as spreadsheets in comma-decimal locales write ';'.
        delimiter = csv.Sniffer().sniff(header_line, delimiters=",;\t|").delimiter
    except csv.Error:  # a single column: no delimiter to find
        delimiter = ","
    try:
        records = list(records_by_line(text, delimiter))
    except csv.Error as error:
        raise LogError(
            f"cannot be read as a CSV table ({error})", path=path, line=getattr(error, "line", None)
        ) from None
    (header_at, header), rows = records[0], records[1:]
    names = [name.strip() or f"Unnamed: {i}" for i, name in enumerate(header)]
    doubled = next((n for n in names if names.count(n) > 1), None)
    if doubled is not None:
        raise LogError(f"has two columns named {shown(doubled)}", path=path, line=header_at)
    kept, lines = [], []
    for line, cells in rows:
        if len(cells) > len(names):
            extra = "empty " if not any(c.strip() for c in cells[len(names) :]) else ""
            raise LogError(
                f"has {len(cells)} cells where the header has {len(names)} columns ("
                + ("a delimiter at the end of the row?" if extra else "a cell holding the "
                   f"delimiter {delimiter!r} without quotes?")
                + "); nothing was imported, as the columns would be shifted",
                path=path,
                line=line,
            )  # fmt: skip
        if not any(cell.strip() for cell in cells):
            continue  # a row of nothing but delimiters (Excel's empty rows): no request
        kept.append([*cells, *[""] * (len(names) - len(cells))])
        lines.append(line)
    return pd.DataFrame(kept, columns=names, dtype=object), lines


def _match_columns(frame: pd.DataFrame, explicit: Mapping[str, str], source: str) -> dict[str, str]:
    by_lower = {str(c).strip().lower(): c for c in frame.columns}
    mapping: dict[str, str] = {}
    for field, aliases in COLUMN_ALIASES.items():
        if field in explicit:
            if explicit[field] not in frame.columns:
                raise LogError(
                    f"has no column {explicit[field]!r} (for {field})",
                    path=source,
                    line=1,
                    field=explicit[field],
                )
            mapping[field] = explicit[field]
            continue
        found = next((by_lower[a] for a in aliases if a in by_lower), None)
        if found is not None and found not in mapping.values():
            mapping[field] = found
    unknown = set(explicit) - set(COLUMN_ALIASES)
    if unknown:
        raise InvalidInputError(
            f"unknown field(s) {', '.join(sorted(unknown))}; known: {', '.join(COLUMN_ALIASES)}"
        )
    for field in REQUIRED_COLUMNS:
        if field not in mapping:
            raise LogError(
                f"no column for {field} (tried: {', '.join(COLUMN_ALIASES[field])}); "
                f"name it with columns={{{field!r}: 'NAME'}}",
                path=source,
                line=1,
            )
    return mapping


_NUMERIC_DATE = re.compile(
    r"^(\d{1,2})([./-])(\d{1,2})\2(\d{2}|\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)


def _infer_dayfirst(frame: pd.DataFrame, columns: list[str], source: str, lines: list[int]) -> bool:
    """Day first or month first, as the sheet's own numeric dates show; refuse to guess."""
    day_first = month_first = dotted = False
    ambiguous: tuple[int, str, str] | None = None
    for column in columns:
        for line, value in zip(lines, frame[column], strict=True):
            match = _NUMERIC_DATE.match("" if pd.isna(value) else str(value).strip())
            if match is None:
                continue
            first, second = int(match.group(1)), int(match.group(3))
            day_first |= first > 12
            month_first |= second > 12
            dotted |= match.group(2) == "."
            if first <= 12 and second <= 12 and ambiguous is None:
                ambiguous = (line, column, match.group(0))
    if day_first and month_first:
        raise LogError(
            "mixes day-first and month-first dates; fix the sheet or say dayfirst=True/False",
            path=source,
        )
    if day_first or month_first:
        return day_first
    if ambiguous is not None and not dotted:
        line, column, text = ambiguous
        raise LogError(
            f"{shown(text)} could be day first or month first; say dayfirst=True/False",
            path=source,
            line=line,
            field=column,
        )
    return True  # dotted dates (03.11.2026) are day first wherever they are written


def _date_text(text: str, dayfirst: bool, source: str, line: int, column: str) -> str:
    """ISO text for a spreadsheet date; a date without a time becomes midnight local time."""

    match = _NUMERIC_DATE.match(text)
    try:
        if match is None:
            return parse_time(text).isoformat()
        first, _, second, year, hour, minute, second_of_minute = match.groups()
        day, month = (first, second) if dayfirst else (second, first)
        full_year = int(year) + (2000 if len(year) == 2 else 0)
        moment = dt.datetime(
            full_year,
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second_of_minute or 0),
        )
        return parse_time(moment).isoformat()
    except (InvalidInputError, ValueError):
        raise LogError(
            f"{shown(text)} is not a date (use 2026-11-03, 03.11.2026 or 2026-11-03 09:30)",
            path=source,
            line=line,
            field=column,
        ) from None
