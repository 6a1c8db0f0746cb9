"""Times in the log: ISO 8601 with a UTC offset; a time given without a zone is local time."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from .errors import InvalidInputError

__all__ = ["format_time", "now", "parse_duration", "parse_time"]

# Strict on purpose: a stored time must carry its offset, so a truncated offset ("+01:0") or a
# missing one is caught instead of being read as some other instant.
STORED_TIME_PATTERN = (
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)$"
)
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(d|days?|h|hours?|w|weeks?)?\s*$", re.IGNORECASE)


def now() -> dt.datetime:
    """The current local time, with its UTC offset, to the second."""
    return dt.datetime.now().astimezone().replace(microsecond=0)


def parse_time(value: Any, *, what: str = "time") -> dt.datetime:
    """Turn *value* into a timezone-aware datetime.

    Parameters
    ----------
    value : str, datetime.datetime, datetime.date or pandas.Timestamp
        ISO 8601 text such as ``"2026-11-03T09:30"``, ``"2026-11-03 09:30+01:00"`` or
        ``"2026-11-03"`` (midnight). A value without a zone is taken as local time (the
        machine's zone, with the offset in force on that date).
    what : str
        How to name the value in an error message.

    Examples
    --------
    >>> parse_time("2026-11-03T09:30:00+01:00").isoformat()
    '2026-11-03T09:30:00+01:00'
    """
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            raise InvalidInputError(
                f"{what} {value!r} is not an ISO 8601 date or time (e.g. 2026-11-03T09:30+01:00)"
            ) from None
    elif hasattr(value, "to_pydatetime"):
        moment = value.to_pydatetime()
    else:
        raise InvalidInputError(f"{what} {value!r} is not a date or time")
    if moment.tzinfo is None:
        moment = moment.astimezone()  # naive means local: attach the local offset of that date
    return moment


def format_time(moment: dt.datetime) -> str:
    """The stored form of an aware datetime: ISO 8601, to the second (or finer), with offset."""
    if moment.tzinfo is None:
        raise InvalidInputError("a stored time needs a UTC offset")
    spec = "seconds" if moment.microsecond == 0 else "microseconds"
    return moment.isoformat(timespec=spec)


def parse_duration(value: Any) -> dt.timedelta:
    """A window or age such as ``"7d"``, ``"36h"``, ``"2w"``, a number of days, or a timedelta.

    Examples
    --------
    >>> parse_duration("7d")
    datetime.timedelta(days=7)
    >>> parse_duration(1.5)
    datetime.timedelta(days=1, seconds=43200)
    """
    if isinstance(value, dt.timedelta):
        delta = value
    elif hasattr(value, "to_pytimedelta"):
        delta = value.to_pytimedelta()
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        delta = dt.timedelta(days=float(value))
    elif isinstance(value, str) and (match := _DURATION.match(value)):
        amount, unit = float(match.group(1)), (match.group(2) or "d").lower()[0]
        delta = {
            "d": dt.timedelta(days=amount),
            "h": dt.timedelta(hours=amount),
            "w": dt.timedelta(weeks=amount),
        }[unit]
    else:
        raise InvalidInputError(f"{value!r} is not a duration (use e.g. 7d, 36h, 2w)")
    if delta < dt.timedelta(0):
        raise InvalidInputError(f"duration {value!r} is negative")
    return delta
