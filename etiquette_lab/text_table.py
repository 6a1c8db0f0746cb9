"""Text tables exactly as :meth:`pandas.DataFrame.to_string` prints them, ten times faster.

pandas formats a table cell by cell through several layers (about 10 µs a cell), so the
table of 200,000 requests or the to-do list of a large log took seconds to print. The tables
the kit prints hold only text and whole numbers under a plain index; for those this module
builds the same text with a few string operations a cell. Any other table (floats, dates, a
named or non-default index, options set away from their defaults) goes to pandas unchanged,
so the output never depends on which path printed it (``tests/test_text_table.py`` holds the
two against each other).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["TextTable", "frame_to_text"]

_ESCAPES = str.maketrans({"\t": r"\t", "\n": r"\n", "\r": r"\r"})  # as pandas' pprint_thing


def frame_to_text(
    frame: pd.DataFrame, *, index: bool = True, na_rep: str = "NaN", float_format: Any = None
) -> str:
    """``frame.to_string(index=index, na_rep=na_rep, float_format=float_format)``, the same
    text (*float_format* only matters to tables pandas prints: these have no numbers but whole
    ones).

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"id": ["r0001", "r0002"], "sends": [1, 12]})
    >>> print(frame_to_text(table, index=False))
       id  sends
    r0001      1
    r0002     12
    >>> frame_to_text(table) == table.to_string()
    True
    """
    columns = _plain_columns(frame, index)
    if columns is None:
        return frame.to_string(index=index, na_rep=na_rep, float_format=float_format)
    lead = " " if index else ""
    text_columns = []
    if index:
        text_columns.append(_label_column([str(i) for i in range(len(frame))]))
    for name, values, numbers in columns:
        if numbers:
            cells = [f"{v: d}" if index else f"{v:d}" for v in values]
            header = " " + name
        else:
            text = [v for v in values if isinstance(v, str)]
            if _has_escapes(text):  # (rare: a translate a cell costs a second a million)
                values = [v.translate(_ESCAPES) if isinstance(v, str) else v for v in values]
            cells = [lead + v if isinstance(v, str) else lead + na_rep for v in values]
            header = name
        text_columns.append(_fixed_width(cells, header))
    return _joined(text_columns)


def _label_column(labels: Sequence[str]) -> list[str]:
    """The row labels, left-aligned under an empty header, as pandas prints an index."""
    width = max(map(len, labels))
    return ["".ljust(width), *(label.ljust(width) for label in labels)]


def _joined(columns: list[list[str]]) -> str:
    """Columns of equal-width cells (header first), one space apart, as lines."""
    return "\n".join(" ".join(cells) for cells in zip(*columns, strict=True))


def _float_text(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.4g}"


@dataclass(frozen=True)
class TextTable:
    """A small table of whole numbers, floats and words, printed without pandas.

    :meth:`to_string` gives what ``DataFrame.to_string(na_rep="-", float_format="{:.4g}")``
    gives for the same table (the printed form of every result), without importing pandas:
    about a third of a second, most of a short command such as ``plan``. Without ``labels``
    the table has no row labels (pandas' ``index=False``). ``tests/test_results.py`` compares
    the two on random tables.

    Examples
    --------
    >>> print(TextTable(("n", "power"), ((44, "80.2%"),), labels=("reaching",)).to_string())
                  n  power
    reaching     44  80.2%
    """

    columns: tuple[str, ...]
    rows: tuple[tuple[int | float | str, ...], ...]
    labels: tuple[str, ...] | None = None

    def to_frame(self) -> pd.DataFrame:
        """The same table as a :class:`pandas.DataFrame`."""
        import pandas as pd

        return pd.DataFrame(
            [list(row) for row in self.rows], columns=list(self.columns), index=self.labels
        )

    def to_string(self) -> str:
        """The table as pandas prints it: numbers' headers take a space for the sign; with
        row labels, whole numbers and words take one too; columns are right-aligned, labels
        left-aligned, one space apart."""
        labels = self.labels
        spaced = labels is not None
        columns = []
        if labels is not None:
            columns.append(_label_column(labels))
        for i, name in enumerate(self.columns):
            values = [row[i] for row in self.rows]
            # type() rather than isinstance(): a bool is not a whole number here.
            ints = [v for v in values if isinstance(v, int) and type(v) is int]
            floats = [v for v in values if isinstance(v, float)]
            words = [v for v in values if isinstance(v, str)]
            if len(ints) == len(values):
                header, cells = " " + name, [f"{v: d}" if spaced else f"{v:d}" for v in ints]
            elif len(floats) == len(values):
                header, cells = " " + name, [_float_text(v) for v in floats]
            elif len(words) == len(values):
                header, cells = name, [f" {v}" if spaced else v for v in words]
            else:
                raise TypeError(f"column {name!r} mixes kinds of cell: {values!r}")
            columns.append(_fixed_width(cells, header))
        return _joined(columns)


def _has_escapes(texts: list[str]) -> bool:
    """Whether any text holds a tab or a line break (pandas prints them as \\t, \\n, \\r)."""
    joined = "".join(texts)
    return "\t" in joined or "\n" in joined or "\r" in joined


def _fixed_width(cells: list[str], header: str) -> list[str]:
    """The header and the cells right-justified to the widest (``to_string`` cuts none)."""
    width = max(max(map(len, cells)), len(header))
    return [header.rjust(width), *(c.rjust(width) for c in cells)]


def _plain_columns(frame: Any, index: bool) -> list[tuple[str, list[Any], bool]] | None:
    """(name, values, is_whole_number) per column when this module prints *frame* as pandas
    does; None when pandas must print it."""
    import numpy as np
    import pandas as pd

    options = ("display.unicode.east_asian_width", "display.colheader_justify")
    if (
        frame.empty
        or pd.get_option(options[0])
        or pd.get_option(options[1]) != "right"
        or type(frame.columns) is not pd.Index
        or frame.columns.name is not None
        # pandas trims and escapes labels in ways not worth copying: plain names only.
        or not all(
            isinstance(n, str) and n and n == n.strip().translate(_ESCAPES) for n in frame.columns
        )
        or (index and not frame.index.equals(pd.RangeIndex(len(frame))))
        or (index and frame.index.name is not None)
    ):
        return None
    columns = []
    for position, name in enumerate(frame.columns):
        series = frame.iloc[:, position]
        dtype = series.dtype
        if isinstance(dtype, np.dtype) and dtype.kind in "iu":
            columns.append((name, series.tolist(), True))
            continue
        if not (
            (isinstance(dtype, np.dtype) and dtype.kind == "O") or isinstance(dtype, pd.StringDtype)
        ):
            return None
        values = series.tolist()
        # Text, or NaN (pandas' missing text); anything else (None, numbers) goes to pandas.
        if not all(isinstance(v, str) or (type(v) is float and v != v) for v in values):
            return None
        columns.append((name, values, False))
    return columns


# -- times as text -------------------------------------------------------------------------

_DAY_US = 86_400 * 10**6


def local_minutes_text(times: Any, zone: Any, na_rep: str = "-") -> Any:
    """``times.dt.tz_convert(zone).dt.strftime("%Y-%m-%d %H:%M").fillna(na_rep)``, the same
    text, without converting each time through *zone* one by one (seconds for a large log with
    a zone such as the machine's own, which pandas can only ask time by time).

    A zone's offset changes only a few times a year, so it is asked at the start and the end of
    each day the times fall on; the times of the rare day on which the two differ are converted
    one by one.

    Examples
    --------
    >>> import pandas as pd
    >>> times = pd.Series(pd.to_datetime(["2026-03-29T00:59Z", "2026-03-29T01:00Z", None],
    ...                                  utc=True))
    >>> local_minutes_text(times, "Europe/Oslo").tolist()
    ['2026-03-29 01:59', '2026-03-29 03:00', '-']
    """
    import numpy as np
    import pandas as pd

    utc = _utc_microseconds(times)
    if utc is None:
        return times.dt.tz_convert(zone).dt.strftime("%Y-%m-%d %H:%M").fillna(na_rep)
    known = utc != np.iinfo(np.int64).min
    instants = utc[known]
    day = np.floor_divide(instants, _DAY_US)
    days = np.unique(day)
    starts = days * _DAY_US
    offset_at_start = _offsets(starts, zone)
    offset_at_end = _offsets(starts + _DAY_US - 1, zone)
    which = np.searchsorted(days, day)
    wall = instants + offset_at_start[which]
    changing = (offset_at_start != offset_at_end)[which]
    if changing.any():
        wall[changing] = instants[changing] + _offsets(instants[changing], zone)
    text = np.full(len(utc), na_rep, dtype=object)
    if len(wall):  # (numpy's string functions fail on empty arrays)
        minutes = np.datetime_as_string(wall.astype("datetime64[us]"), unit="m")
        text[known] = np.strings.replace(minutes, "T", " ", count=1).astype(object)
    return pd.Series(text, index=times.index, dtype="str")


def utc_iso_text(times: Any) -> Any:
    """``times.map(lambda t: "" if pd.isna(t) else t.isoformat())`` for UTC times, the same
    text (``2026-11-02T09:00:00+00:00``, fractions of a second only where there are some).

    Examples
    --------
    >>> import pandas as pd
    >>> times = pd.Series(pd.to_datetime(["2026-11-02T09:00:00Z", "2026-11-02T09:00:00.5Z",
    ...                                   None], utc=True, format="ISO8601"))
    >>> utc_iso_text(times).tolist()
    ['2026-11-02T09:00:00+00:00', '2026-11-02T09:00:00.500000+00:00', '']
    """
    import pandas as pd

    return pd.Series(utc_iso_cells(times), index=times.index, dtype="str")


def utc_iso_cells(times: Any) -> list[str]:
    """:func:`utc_iso_text` as a list (for a CSV writer, which wants nothing more)."""
    import numpy as np
    import pandas as pd

    utc = _utc_microseconds(times) if str(times.dt.tz) == "UTC" else None
    cells: list[str]
    if utc is None:
        cells = times.map(lambda t: "" if pd.isna(t) else t.isoformat()).tolist()
    else:
        cells = _iso_cells(utc, times, np.arange(len(utc))).tolist()
    return cells


class UtcIsoColumns:
    """:func:`utc_iso_cells` for the time columns of one table in turn (a CSV writer's
    ``as_text``): where a column holds the instant the previous one held on the same row (a
    request's first and last send, or response, are mostly one), the text is taken from it.
    """

    def __init__(self) -> None:
        self._previous: tuple[Any, Any] | None = None  # (microseconds, texts) of the last

    def __call__(self, times: Any) -> list[str]:
        import numpy as np

        utc = _utc_microseconds(times) if str(times.dt.tz) == "UTC" else None
        if utc is None:
            self._previous = None
            return utc_iso_cells(times)
        previous = self._previous
        if previous is None or len(previous[0]) != len(utc):
            text = _iso_cells(utc, times, np.arange(len(utc)))
        else:
            same = previous[0] == utc
            text = np.empty(len(utc), dtype=object)
            text[same] = previous[1][same]
            rows = np.flatnonzero(~same)
            text[rows] = _iso_cells(utc[rows], times, rows)
        self._previous = (utc, text)
        cells: list[str] = text.tolist()
        return cells


def _iso_cells(utc: Any, times: Any, rows: Any) -> Any:
    """The isoformat text of the UTC microseconds *utc* (rows *rows* of *times*), "" for NaT."""
    import numpy as np
    import pandas as pd

    known = utc != np.iinfo(np.int64).min
    whole = known & (utc % 10**6 == 0)
    text = np.full(len(utc), "", dtype=object)
    if whole.any():
        # The text of each day, and of each of the 86,400 seconds of a day, is made once;
        # every time is then two lookups and a concatenation (in C).
        day, second = np.divmod(utc[whole] // 1_000_000, 86_400)
        first, last = int(day.min()), int(day.max())
        if last - first < 4096:  # (a span of years: a table of the days in it)
            days, which = np.arange(first, last + 1), day - first
        else:  # (a stray date decades off: the days that occur)
            which, days = pd.factorize(day)
        names = np.datetime_as_string(days.astype("M8[D]")).tolist()
        day_text = np.array([d + "T" for d in names], dtype=object)
        text[whole] = day_text[which] + _seconds_of_day()[second]
    for position in np.flatnonzero(known & ~whole):  # fractions of a second: rare
        text[position] = times.iloc[rows[position]].isoformat()
    return text


@functools.cache
def _seconds_of_day() -> Any:
    """ "HH:MM:SS+00:00" of each of the 86,400 seconds of a day, made once."""
    import numpy as np

    return np.array(
        [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}+00:00" for s in range(86_400)],
        dtype=object,
    )


def _utc_microseconds(times: Any) -> Any:
    """UTC times as int64 microseconds since the epoch (NaT as the smallest int64), or None
    when a time has a part below the microsecond (a log's times never do)."""
    import numpy as np

    values = times.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()
    as_us = values.astype("datetime64[us]")
    if not np.array_equal(as_us, values, equal_nan=True):
        return None
    return as_us.view(np.int64)


def _offsets(instants: Any, zone: Any) -> Any:
    """The zone's UTC offset at each instant (microseconds since the epoch), in microseconds,
    as pandas converts them."""
    import numpy as np
    import pandas as pd

    utc = pd.DatetimeIndex(instants.astype("datetime64[us]")).tz_localize("UTC")
    wall = utc.tz_convert(zone).tz_localize(None)
    return wall.as_unit("us").asi8 - np.asarray(instants, dtype=np.int64)
