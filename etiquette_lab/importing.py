"""Turn a spreadsheet with one row per request into log events.

People keep outreach in spreadsheets or export it from outreach tools: one row per person,
with the date sent and the date answered. :func:`import_requests` maps such columns (found by
common names, or named explicitly) onto sends, responses and withdrawals, validates every row,
and only then appends them all in one write: an import either lands whole or not at all.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import InvalidInputError, LogError

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
    "outcome": ("outcome", "result", "response", "status"),
    "withdrawn_at": ("withdrawn", "withdrawn_at", "withdrawn at", "date withdrawn"),
    "kind": ("kind", "request kind", "type", "request type"),
    "channel": ("channel", "medium", "via"),
    "message": ("message", "text", "message text"),
    "stratum": ("stratum", "closeness", "relationship", "group"),
    "note": ("note", "notes", "comment", "comments"),
}
REQUIRED_COLUMNS = ("recipient", "variant", "at")


def import_requests(
    table: pd.DataFrame | str | os.PathLike[str],
    log: Any,
    *,
    columns: Mapping[str, str] | None = None,
    dayfirst: bool = False,
    kind: str = "recommendation",
    channel: str = "linkedin",
    pseudonym_key: bytes | None = None,
) -> list[str]:
    """Append one request per row of *table* to *log*; returns the new request ids.

    Parameters
    ----------
    table : DataFrame or path of a CSV file
        One row per request. Needed columns: recipient, variant, date sent; optional: date
        responded, outcome, date withdrawn, kind, channel, message, stratum, note.
    log : LogFile
        An open log (:func:`etiquette_lab.open_log`).
    columns : mapping, optional
        Explicit column names, e.g. ``{"recipient": "Who", "at": "Asked on"}``, overriding the
        names found automatically (see ``COLUMN_ALIASES``).
    dayfirst : bool
        Read dates such as ``03.11.2026`` or ``03/11/2026`` as day first (Norway, most of Europe).
    kind, channel : str
        Used for rows whose table has no such column or leaves it empty.
    pseudonym_key : bytes, optional
        If given, recipients are stored as :func:`etiquette_lab.pseudonymise` ids.

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
    frame = _load(table)
    mapping = _match_columns(frame, columns or {}, source)
    sends = []
    for position, (_, row) in enumerate(frame.iterrows()):
        line = position + 2  # the header is line 1 of the sheet
        spec: dict[str, Any] = {"kind": kind, "channel": channel}
        for field, column in mapping.items():
            value = row[column]
            text = "" if pd.isna(value) else str(value).strip()
            if field in ("at", "responded_at", "withdrawn_at") and text:
                text = _date_text(value, text, dayfirst, source, line, column)
            if text or field not in ("kind", "channel"):
                spec[field] = text
        for field in REQUIRED_COLUMNS:
            if not spec.get(field):
                raise LogError("is empty", path=source, line=line, field=mapping[field])
        if pseudonym_key is not None:
            from .privacy import pseudonymise

            spec["recipient"] = pseudonymise(spec["recipient"], pseudonym_key)
        sends.append(spec)
    if not sends:
        raise LogError("has no rows to import", path=source)
    return log.send_many(sends)


def _load(table: pd.DataFrame | str | os.PathLike[str]) -> pd.DataFrame:
    if isinstance(table, pd.DataFrame):
        return table
    path = Path(table)
    try:
        return pd.read_csv(
            path, dtype=str, keep_default_na=False, sep=None, engine="python", encoding="utf-8-sig"
        )
    except FileNotFoundError:
        raise LogError("no such file", path=str(path)) from None
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise LogError(f"cannot be read as a CSV table ({error})", path=str(path)) from None


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
                f"name it with --column {field}=NAME",
                path=source,
                line=1,
            )
    return mapping


def _date_text(value: Any, text: str, dayfirst: bool, source: str, line: int, column: str) -> str:
    """ISO text for a spreadsheet date; a date without a time becomes midnight local time."""
    from .timestamps import parse_time

    try:
        return parse_time(text).isoformat()
    except InvalidInputError:
        pass
    parsed = pd.to_datetime(text, dayfirst=dayfirst, errors="coerce")
    if pd.isna(parsed):
        raise LogError(f"{text!r} is not a date", path=source, line=line, field=column)
    return parse_time(parsed.to_pydatetime()).isoformat()
