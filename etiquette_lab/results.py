"""The shared base of result objects: a ``summary`` DataFrame, ``to_dict()``, text and HTML.

Every result in the kit is a frozen dataclass that also inherits :class:`Result`. A subclass
provides ``_summary_frame()`` (the table a reader wants first) and may override ``_notes()``
(plain-words lines printed under the table, such as a verdict or a reason a test was skipped).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import html
import json
import math
from collections.abc import Mapping
from typing import Any

__all__ = ["Result", "json_safe"]


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
    if hasattr(value, "to_dict"):
        return json_safe(
            value.to_dict(orient="records") if hasattr(value, "columns") else value.to_dict()
        )
    return str(value)


class Result:
    """Mixin for result dataclasses: summary table, JSON-safe dict, text and notebook display."""

    #: A short title shown above the summary table.
    _title: str = "Result"

    def _summary_frame(self):  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def _notes(self) -> list[str]:
        """Lines of plain words printed under the summary table."""
        return []

    def _parts(self) -> list[Result]:
        """Results shown after this one's notes, each with its own table (text and HTML)."""
        return []

    def _fields_frame(self, *names: str):
        """A one-row DataFrame of the named fields: the summary of a single-figure result."""
        import pandas as pd

        return pd.DataFrame({name: [getattr(self, name)] for name in names})

    @property
    def summary(self):
        """The result as a :class:`pandas.DataFrame`, the table a reader wants first."""
        return self._summary_frame()

    def to_dict(self) -> dict[str, Any]:
        """The result's fields as a JSON-safe dict (non-finite numbers become ``None``)."""
        return json_safe(
            {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}  # type: ignore[arg-type]
        )

    def to_json(self, **kwargs: Any) -> str:
        """``to_dict()`` as strict JSON text (``allow_nan=False``)."""
        return json.dumps(self.to_dict(), allow_nan=False, **kwargs)

    def __str__(self) -> str:
        import pandas as pd

        from .text_table import frame_to_text

        summary = self.summary
        with pd.option_context("display.width", 120, "display.max_columns", 30):
            # An empty table says nothing a reader needs; the notes say there is nothing.
            # (frame_to_text: to_string's text; a to-do list can have 100,000 lines.)
            table = (
                []
                if summary.empty
                else ["", frame_to_text(summary, na_rep="-", float_format=lambda v: f"{v:.4g}")]
            )
        notes = self._notes()
        parts = [line for part in self._parts() for line in ("", str(part))]
        return "\n".join([self._title, *table, *(["", *notes] if notes else []), *parts])

    def _repr_html_(self) -> str:
        notes = "".join(f"<p>{html.escape(n)}</p>" for n in self._notes() if n)
        notes += "".join(part._repr_html_() for part in self._parts())
        summary = self.summary
        table = (
            "" if summary.empty else summary.to_html(float_format=lambda v: f"{v:.4g}", na_rep="-")
        )
        return (
            f"<div class='etiquette-lab-result'><h4>{html.escape(self._title)}</h4>"
            f"{table}{notes}</div>"
        )
