"""The date formats of LinkedIn's export, parsed exactly (never guessed from the text).

Each parser returns the start of the span the value names and its precision (see
:mod:`etiquette_lab.sync.zone`), or raises ValueError saying which form was expected.
Month names are English whatever the machine's locale (``strptime``'s ``%b`` is not).
"""

from __future__ import annotations

import datetime as dt
import re

__all__: list[str] = []

MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
# re.ASCII: \d would also take full-width and other scripts' digits, which LinkedIn never writes.
_DAY_MONTH_YEAR = re.compile(r"\s*(\d{1,2}) ([A-Za-z]{3,9}) (\d{4}|\d{2})\s*", re.ASCII)
_MONTH_DAY_YEAR_TIME = re.compile(
    r"\s*(\d{1,2})/(\d{1,2})/(\d{4}|\d{2}),?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])\s*",
    re.ASCII,
)
_ISO_UTC = re.compile(r"\s*(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?: ?UTC)?\s*", re.ASCII)
#: The form messages.csv writes, which a table of 100,000 messages may parse in one go:
#: a value of this form is read with PLAIN_UTC_FORMAT by pandas (the calendar still checked).
PLAIN_UTC = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?: UTC)?", re.ASCII)
PLAIN_UTC_FORMAT = "%Y-%m-%d %H:%M:%S"

#: How each parser's form is named in an error.
DAY_MONTH_YEAR = "a date such as 12 Mar 2019 (or 12 Mar 19)"
MONTH_DAY_YEAR_TIME = "a US date and time such as 5/12/21, 3:14 PM"
ISO_UTC = "a UTC time such as 2023-06-11 15:33:58 UTC"


def year(text: str) -> int:
    """A year written with two digits is in this century: LinkedIn began in 2003."""
    number = int(text)
    return 2000 + number if len(text) == 2 else number


def parse_day_month_year(text: str) -> tuple[dt.datetime, str]:
    """``12 Mar 2019`` or ``12 Mar 19``: the day, as a naive local midnight.

    Examples
    --------
    >>> parse_day_month_year("12 Mar 19")
    (datetime.datetime(2019, 3, 12, 0, 0), 'day')
    """
    match = _DAY_MONTH_YEAR.fullmatch(text)
    month = MONTHS.get(match.group(2)[:3].casefold()) if match else None
    if match is None or month is None or not _is_month_name(match.group(2)):
        raise ValueError(DAY_MONTH_YEAR)
    return _datetime(DAY_MONTH_YEAR, year(match.group(3)), month, int(match.group(1))), "day"


def _is_month_name(word: str) -> bool:
    """``Mar`` and ``March`` name a month; ``Marx`` does not."""
    folded = word.casefold()
    full = (
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    )
    return len(folded) == 3 or folded in full or folded == "sept"


def parse_month_day_year_time(text: str) -> tuple[dt.datetime, str]:
    """``5/12/21, 3:14 PM`` (month first, 12-hour clock, no zone): naive local time.

    Examples
    --------
    >>> parse_month_day_year_time("08/30/22, 05:51 PM")
    (datetime.datetime(2022, 8, 30, 17, 51), 'minute')
    >>> parse_month_day_year_time("12/1/2021, 12:05 AM")
    (datetime.datetime(2021, 12, 1, 0, 5), 'minute')
    """
    match = _MONTH_DAY_YEAR_TIME.fullmatch(text)
    if match is None:
        raise ValueError(MONTH_DAY_YEAR_TIME)
    month, day, year_text, hour, minute, second, half = match.groups()
    clock = int(hour)
    if not 1 <= clock <= 12:
        raise ValueError(MONTH_DAY_YEAR_TIME)
    clock = clock % 12 + (12 if half.upper() == "PM" else 0)
    moment = _datetime(
        MONTH_DAY_YEAR_TIME,
        year(year_text),
        int(month),
        int(day),
        clock,
        int(minute),
        int(second or 0),
    )
    return moment, "second" if second else "minute"


def parse_utc_time(text: str) -> tuple[dt.datetime, str]:
    """``2023-06-11 15:33:58 UTC``, or the same without `` UTC`` (still UTC): aware UTC.

    Examples
    --------
    >>> parse_utc_time("2023-06-11 15:33:58")
    (datetime.datetime(2023, 6, 11, 15, 33, 58, tzinfo=datetime.timezone.utc), 'second')
    """
    match = _ISO_UTC.fullmatch(text)
    if match is None:
        raise ValueError(ISO_UTC)
    try:  # the pattern checks the form; fromisoformat checks the calendar
        moment = dt.datetime.fromisoformat(f"{match[1]} {match[2]}")
    except ValueError as error:
        raise ValueError(f"{ISO_UTC}; {error}") from None
    return moment.replace(tzinfo=dt.UTC), "second"


def _datetime(
    form: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> dt.datetime:
    """The datetime of these parts, or a ValueError naming the expected *form* and the problem."""
    try:
        return dt.datetime(year, month, day, hour, minute, second)
    except ValueError as error:  # 31 Feb, month 30 (a day-first date), hour 25
        raise ValueError(f"{form}; {error}") from None
