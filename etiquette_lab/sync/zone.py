"""The user's time zone, and the one rule for export times that name a span of time.

LinkedIn writes some times without a zone (``5/12/21, 3:14 PM``) and some without a time
(``12 Mar 2019``). The rule, documented in ``docs/sync.md``:

* A time without a zone is the user's local time (the zone given, else the machine's).
* A value names a span: a date names a day, ``3:14 PM`` names a minute, ``15:33:58`` a second.
  It counts as *on or after* a send when the span ends at or after the send, and it is recorded
  at the span's last whole second (a date-only acceptance at 23:59:59 of that day).

Recording the end of the span is the conservative choice for the outcome window: a response is
counted inside a 7-day window only when all of its span lies inside, and a time to response is
never shorter than it may have been.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from ..errors import InvalidInputError

__all__ = ["UserZone", "user_zone"]

#: How long the span named by a value of each precision lasts.
SPANS: dict[str, dt.timedelta] = {
    "day": dt.timedelta(days=1),
    "minute": dt.timedelta(minutes=1),
    "second": dt.timedelta(seconds=1),
}
_ONE_SECOND = dt.timedelta(seconds=1)


class UserZone:
    """The zone in which zone-less export times are read (the machine's zone by default).

    Examples
    --------
    >>> zone = user_zone("Europe/Oslo")
    >>> zone.span_end(dt.datetime(2026, 1, 9), "day").isoformat()
    '2026-01-09T22:59:59+00:00'
    >>> zone.span_end(dt.datetime(2026, 7, 9, 15, 14), "minute").isoformat()
    '2026-07-09T13:14:59+00:00'
    """

    def __init__(self, tzinfo: dt.tzinfo | None, name: str) -> None:
        self.tzinfo = tzinfo  # None: the machine's local zone, with the offset of each date
        self.name = name

    def __repr__(self) -> str:
        return f"UserZone({self.name!r})"

    def to_utc(self, local: dt.datetime) -> dt.datetime:
        """A naive local wall-clock time as an aware UTC datetime."""
        if self.tzinfo is None:
            return local.astimezone(dt.UTC)  # naive means local time to astimezone()
        return local.replace(tzinfo=self.tzinfo).astimezone(dt.UTC)

    def local(self, moment: dt.datetime) -> dt.datetime:
        """An aware time (datetime or pandas Timestamp) in this zone."""
        if hasattr(moment, "to_pydatetime"):
            moment = moment.to_pydatetime()
        return moment.astimezone(self.tzinfo) if self.tzinfo else moment.astimezone()

    def span_end(self, start: dt.datetime, precision: str) -> dt.datetime:
        """The last whole second (UTC) of the span of *precision* that starts at *start*.

        *start* is naive local time, or aware (then the zone is its own, as for UTC times).
        """
        end = start + SPANS[precision] - _ONE_SECOND
        return end.astimezone(dt.UTC) if end.tzinfo is not None else self.to_utc(end)


def user_zone(timezone: Any = None) -> UserZone:
    """The user's zone from an IANA name (``"Europe/Oslo"``), a tzinfo, or None (local time).

    Examples
    --------
    >>> user_zone("Europe/Oslo").name
    'Europe/Oslo'
    """
    if isinstance(timezone, UserZone):
        return timezone
    if timezone is None:
        name = os.environ.get("TZ") or dt.datetime.now().astimezone().tzname() or "local"
        return UserZone(None, f"local time ({name})")
    if isinstance(timezone, dt.tzinfo):
        return UserZone(timezone, str(timezone))
    if isinstance(timezone, str):
        import zoneinfo

        try:
            return UserZone(zoneinfo.ZoneInfo(timezone.strip()), timezone.strip())
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise InvalidInputError(
                f"unknown time zone {timezone!r} (use a name such as Europe/Oslo)"
            ) from None
    raise InvalidInputError(f"{timezone!r} is not a time zone")
