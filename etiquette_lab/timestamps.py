"""Times in the log: ISO 8601 with a UTC offset; a time given without a zone is local time."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any

from .errors import InvalidInputError

__all__ = [
    "Window",
    "format_time",
    "now",
    "parse_as_of",
    "parse_duration",
    "parse_time",
    "parse_window",
]

# Strict on purpose: a stored time must carry its offset, so a truncated offset ("+01:0") or a
# missing one is caught instead of being read as some other instant.
# ASCII digits only (\d would take other scripts' digits, which the writer refuses), and no
# hour 24 or second 60: the reader accepts no time the writer would not write.
STORED_TIME_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ](?:[01][0-9]|2[0-3]):[0-5][0-9]"
    r"(?::[0-5][0-9](?:\.[0-9]{1,9})?)?(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)$"
)
_ZERO = dt.timedelta(0)
#: Years a time in a log may have: anything else is a typo (and 1026 would overflow).
YEARS = (1900, 2200)
_DURATION = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*([a-z]*)\s*$", re.IGNORECASE)
_DURATION_UNITS = {
    **dict.fromkeys(("", "d", "day", "days"), dt.timedelta(days=1)),
    **dict.fromkeys(("w", "week", "weeks"), dt.timedelta(weeks=1)),
    **dict.fromkeys(("h", "hour", "hours"), dt.timedelta(hours=1)),
    **dict.fromkeys(("m", "min", "minute", "minutes"), dt.timedelta(minutes=1)),
    **dict.fromkeys(("s", "sec", "second", "seconds"), dt.timedelta(seconds=1)),
}


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
    moment: dt.datetime
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp: a datetime subclass, checked first
        if value != value:  # NaT
            raise InvalidInputError(f"{what} is missing")
        moment = value.to_pydatetime()
    elif isinstance(value, dt.datetime):
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
    else:
        raise InvalidInputError(f"{what} {value!r} is not a date or time")
    if not YEARS[0] <= moment.year <= YEARS[1]:
        raise InvalidInputError(
            f"{what} {value!r} is outside the years {YEARS[0]} to {YEARS[1]} (a typo?)"
        )
    if moment.tzinfo is None:
        local = moment.astimezone()  # naive means local: attach the local offset of that date
        if local.replace(tzinfo=None) != moment:
            raise InvalidInputError(
                f"{what} {value!r} does not exist in local time (the clocks were put forward "
                "that night); give its UTC offset, e.g. 2026-03-29T02:30+01:00"
            )
        other = moment.replace(fold=1).astimezone()
        if other.utcoffset() != local.utcoffset():
            first, second = (local, other) if local < other else (other, local)
            raise InvalidInputError(
                f"{what} {value!r} happened twice in local time (the clocks were put back "
                f"that night); give its UTC offset: {first.isoformat(timespec='minutes')} "
                f"(the first time) or {second.isoformat(timespec='minutes')} (the second)"
            )
        moment = local
    return moment


def format_time(moment: dt.datetime) -> str:
    """The stored form of an aware datetime: ISO 8601, to the second (or finer), with offset."""
    if moment.tzinfo is None:
        raise InvalidInputError("a stored time needs a UTC offset")
    offset = moment.utcoffset()
    if offset is not None and offset.seconds % 60:
        # Historic local mean times have offsets in seconds (+00:19:32), which the stored
        # +HH:MM form cannot write: store the same instant in UTC.
        moment = moment.astimezone(dt.UTC)
    spec = "seconds" if moment.microsecond == 0 else "microseconds"
    return moment.isoformat(timespec=spec)


def parse_duration(value: Any) -> dt.timedelta:
    """A window or age such as ``"7d"``, ``"36h"``, ``"2w"``, ``"90min"``, a number of days, or
    a timedelta. The one duration parser of the kit (outcome windows, time to response, checks).

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
    elif (isinstance(value, (int, float)) and not isinstance(value, bool)) or _is_number(value):
        if not math.isfinite(float(value)):
            raise InvalidInputError(f"{value!r} is not a duration (use e.g. 7d, 36h, 2w)")
        delta = dt.timedelta(days=float(value))
    elif (
        isinstance(value, str)
        and (match := _DURATION.match(value))
        and match.group(2).lower() in _DURATION_UNITS
    ):
        delta = float(match.group(1)) * _DURATION_UNITS[match.group(2).lower()]
    else:
        raise InvalidInputError(f"{value!r} is not a duration (use e.g. 7d, 36h, 2w)")
    if delta < dt.timedelta(0):
        raise InvalidInputError(f"duration {value!r} is negative")
    return delta


def utc_nanoseconds(times: Any) -> Any:
    """A Series of UTC times as int64 nanoseconds since the epoch (NaT as the smallest int64)."""
    import numpy as np

    return times.dt.as_unit("ns").dt.tz_localize(None).to_numpy().view(np.int64)


def _is_number(value: Any) -> bool:
    """A numpy number (has a dtype), without importing numpy."""
    return hasattr(value, "dtype") and getattr(value.dtype, "kind", "") in "iuf"


@dataclass(frozen=True)
class Window:
    """An outcome window: how long after the first send an answer still counts.

    The one form the kit carries a window in once it is parsed (:func:`parse_window`): the
    analysis uses :attr:`length` or :attr:`days`, and the reports print :attr:`text`, the
    window as the user wrote it.

    Examples
    --------
    >>> w = parse_window("36h")
    >>> w.days, w.text, str(w)
    (1.5, '36h', '36h')
    """

    length: dt.timedelta
    text: str

    @property
    def days(self) -> float:
        """The window's length in days."""
        return self.length.total_seconds() / 86400.0

    def __str__(self) -> str:
        return self.text


def parse_window(value: Any) -> Window | None:
    """The outcome window from ``"7d"``, ``"48h"``, ``"2w"``, a number of days, a timedelta or a
    :class:`Window`; None, ``""`` and ``"none"`` mean no window (count any answer so far).

    The kit's one window parser: the command line, the experiment file and the Python API all
    come through here, once, at the entry.

    Examples
    --------
    >>> parse_window("7d").days, parse_window(7).text, parse_window(None)
    (7.0, '7', None)
    """
    if isinstance(value, Window):
        return value
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none")):
        return None
    length = parse_duration(value)
    if length <= dt.timedelta(0):
        raise InvalidInputError(f"the outcome window must be positive, got {value!r}")
    return Window(length, str(value))


def parse_as_of(value: Any = None) -> Any:
    """The moment an analysis or a check looks from, as a UTC :class:`pandas.Timestamp`.

    ``None`` is now. A bare date (``"2026-11-03"``) means the end of that day, local time, so
    that "as of today" includes what you logged today. Anything else as :func:`parse_time`.

    Examples
    --------
    >>> parse_as_of("2026-11-03T12:00+01:00")
    Timestamp('2026-11-03 11:00:00+0000', tz='UTC')
    """
    import pandas as pd

    if isinstance(value, pd.Timestamp) and value.tzinfo is not None and value.utcoffset() == _ZERO:
        return value.tz_convert("UTC")  # parsed already (at the entry): nothing to parse
    if value is None:
        moment = now()
    elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        moment = parse_time(value) + dt.timedelta(days=1, microseconds=-1)
    elif isinstance(value, str) and len(value.strip()) == 10:
        moment = parse_time(value, what="as-of date") + dt.timedelta(days=1, microseconds=-1)
    else:
        try:
            if pd.isna(value):
                raise InvalidInputError("the as-of time is missing")
        except (TypeError, ValueError):
            pass
        moment = parse_time(value, what="as-of time")
    return pd.Timestamp(moment).tz_convert("UTC")
