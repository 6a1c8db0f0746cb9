"""The shared base of result objects: a ``summary`` DataFrame, ``to_dict()``, text and HTML.

Every result in the kit is a frozen dataclass that also inherits :class:`Result`. A subclass
provides ``_summary_frame()`` (the table a reader wants first) and may override ``_notes()``
(plain-words lines printed under the table, such as a verdict or a reason a test was skipped)
and ``_text_frame()`` (the table as printed text, with figures rounded as its words round them;
public as ``rounded_summary``, and the table a notebook shows). :class:`Paragraphs` shows plain
words as paragraphs, for example a verdict.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import html
import json
import math
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .text_table import TextTable, frame_to_text

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["Result", "json_safe"]

# Printed paragraphs wrap at this width: readable in a terminal and in a notebook's text output.
_TEXT_WIDTH = 100


def json_safe(value: Any) -> Any:
    """Convert *value* into something :func:`json.dumps` writes as strict JSON.

    Non-finite floats become ``None`` (JSON has no NaN or Infinity), numpy scalars become Python
    numbers, timestamps become ISO 8601 strings, nested results and dataclasses become dicts.

    Examples
    --------
    >>> json_safe({"p": float("nan"), "n": 5})
    {'p': None, 'n': 5}
    """
    if type(value).__name__ in ("NaTType", "NAType"):  # pandas' missing values, without pandas
        return None
    if isinstance(value, Result):
        return value.to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: json_safe(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        if all(type(v) is float or type(v) is int for v in value):  # a curve's long columns
            return [v if type(v) is int or math.isfinite(v) else None for v in value]
        return [json_safe(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (_dt.datetime, _dt.date)):
        return value.isoformat()
    if isinstance(value, _dt.timedelta):
        return value.total_seconds()
    # numpy / pandas scalars without importing them: they all have .item() or isoformat().
    # Missing values (NaT, NA, NaN in numpy types) are the only values unequal to themselves.
    try:
        if value != value:
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "isoformat"):
        try:
            return value.isoformat()
        except (TypeError, ValueError):
            return None
    if hasattr(value, "tolist") and getattr(value, "ndim", 0) > 0:  # numpy arrays
        return json_safe(value.tolist())
    if hasattr(value, "to_dict"):
        return json_safe(
            value.to_dict(orient="records") if hasattr(value, "columns") else value.to_dict()
        )
    if hasattr(value, "item"):
        return json_safe(value.item())
    return str(value)


class Result:
    """Mixin for result dataclasses: summary table, JSON-safe dict, text and notebook display."""

    #: A short title shown above the summary table.
    _title: str = "Result"

    #: The fields of the one-row summary, in order; empty: every single figure.
    _fields: tuple[str, ...] = ()

    def _summary_frame(self) -> pd.DataFrame:
        """One row of the result's single figures (numbers, words, flags), or of ``_fields``
        when the result names them; a result with a table of its own overrides this."""
        names = self._fields or tuple(
            f.name
            for f in dataclasses.fields(self)  # type: ignore[arg-type]
            if isinstance(getattr(self, f.name), (int, float, str, bool, type(None)))
        )
        return self._fields_frame(*names)

    def _notes(self) -> list[str]:
        """Lines of plain words printed under the summary table."""
        return []

    def _parts(self) -> list[Result]:
        """Results shown after this one's notes, each with its own table (text and HTML)."""
        return []

    def _fields_frame(self, *names: str) -> pd.DataFrame:
        """A one-row DataFrame of the named fields: the summary of a single-figure result."""
        import pandas as pd

        return pd.DataFrame({name: [getattr(self, name)] for name in names})

    def _text_table(self) -> TextTable | None:
        """The printed table as plain cells, for a result whose text needs no pandas; None
        prints :meth:`_text_frame` instead."""
        return None

    def _text_frame(self) -> pd.DataFrame:
        """The table printed as text: the summary, unless the result's words round its figures
        (rates in %, differences in points), in which case it shows them the same way."""
        plain = self._text_table()
        return self.summary if plain is None else plain.to_frame()

    @property
    def summary(self) -> pd.DataFrame:
        """The result as a :class:`pandas.DataFrame`, the table a reader wants first."""
        return self._summary_frame()

    @property
    def rounded_summary(self) -> pd.DataFrame:
        """The summary as a reader sees it: figures rounded and worded as the result's sentences
        word them (rates in %, differences in points, p-values as the verdict prints them).

        This is the table that ``print(result)`` and the notebook display show; ``summary``
        holds the unrounded numbers.
        """
        return self._text_frame()

    def to_dict(self) -> dict[str, Any]:
        """The result's fields as a JSON-safe dict (non-finite numbers become ``None``)."""
        fields: dict[str, Any] = json_safe(
            {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}  # type: ignore[arg-type]
        )
        return fields

    def to_json(self, **kwargs: Any) -> str:
        """``to_dict()`` as strict JSON text (``allow_nan=False``)."""
        return json.dumps(self.to_dict(), allow_nan=False, **kwargs)

    def _shown_table(self, *, any_length: bool = False) -> tuple[pd.DataFrame, bool]:
        """The table and whether its row labels mean anything: a one-row table of a
        single-figure result would show a stray row label "0" (with *any_length*, so would a
        longer table numbered 0, 1, 2, ...)."""
        import pandas as pd

        frame = self._text_frame()
        numbered = (
            isinstance(frame.index, pd.RangeIndex)
            and frame.index.name is None
            and (len(frame) == 1 or any_length)
        )
        return frame, not numbered

    def __str__(self) -> str:
        plain = self._text_table()
        table = self._frame_text() if plain is None else ["", plain.to_string()]
        notes = self._notes()
        parts = [line for part in self._parts() for line in ("", str(part))]
        return "\n".join([self._title, *table, *(["", *notes] if notes else []), *parts])

    def _frame_text(self) -> list[str]:
        """The lines of :meth:`_text_frame` as pandas prints them, after a blank line."""
        import pandas as pd

        frame, labelled = self._shown_table()
        with pd.option_context("display.width", 120, "display.max_columns", 30):
            # An empty table says nothing a reader needs; the notes say there is nothing.
            # (frame_to_text: to_string's text, fast; a to-do list can have 100,000 lines.)
            return (
                []
                if frame.empty
                else [
                    "",
                    frame_to_text(
                        frame, na_rep="-", float_format=lambda v: f"{v:.4g}", index=labelled
                    ),
                ]
            )

    def _repr_html_(self) -> str:
        # The same table as the printed text, so a notebook shows what the sentences say
        # (25.0%, +14.4 points) instead of a wall of unrounded fractions.
        notes = "".join(f"<p>{html.escape(n)}</p>" for n in self._notes() if n)
        notes += "".join(part._repr_html_() for part in self._parts())
        # The printed text keeps its row numbers (commands print them); a notebook drops them.
        frame, labelled = self._shown_table(any_length=True)
        table = (
            ""
            if frame.empty
            else frame.to_html(float_format=lambda v: f"{v:.4g}", na_rep="-", index=labelled)
        )
        return (
            f"<div class='etiquette-lab-result'><h4>{html.escape(self._title)}</h4>"
            f"{table}{notes}</div>"
        )


@dataclass(frozen=True)
class Paragraphs:
    """Plain-words text shown as paragraphs: separate ``<p>`` in a notebook, and wrapped at
    100 columns with a blank line between two paragraphs when printed.

    Examples
    --------
    >>> text = Paragraphs(("First paragraph.", "Second <one>."))
    >>> print(text)
    First paragraph.
    <BLANKLINE>
    Second <one>.
    >>> text._repr_html_()
    '<p>First paragraph.</p><p>Second &lt;one&gt;.</p>'
    """

    paragraphs: tuple[str, ...]

    def __str__(self) -> str:
        return "\n\n".join(textwrap.fill(p, _TEXT_WIDTH) for p in self.paragraphs)

    def _repr_html_(self) -> str:
        return "".join(f"<p>{html.escape(p)}</p>" for p in self.paragraphs)
