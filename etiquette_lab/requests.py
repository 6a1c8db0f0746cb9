"""Events -> one row per request (the fold). The table every later stage starts from."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["REQUEST_COLUMNS", "read_requests", "requests_from_events"]

REQUEST_COLUMNS: tuple[str, ...] = (
    "request_id",
    "experiment",
    "recipient",
    "variant",
    "kind",
    "channel",
    "stratum",
    "assignment",
    "score",
    "message",
    "first_sent_at",
    "last_sent_at",
    "sends",
    "reminders",
    "last_reminded_at",
    "withdrawn_at",
    "responses",
    "first_response_at",
    "first_outcome",
    "last_response_at",
    "outcome",
    "thanked_at",
)
_FROM_SEND = (
    "request_id",
    "experiment",
    "recipient",
    "variant",
    "kind",
    "channel",
    "stratum",
    "assignment",
    "score",
    "message",
)


def read_requests(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a log and return its table of requests (one row per request).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from etiquette_lab import create_log
    >>> log = create_log(pathlib.Path(tempfile.mkdtemp()) / "log.csv")
    >>> rid = log.send("Zoë", "default", at="2026-11-02T09:00+01:00")
    >>> log.remind(rid, at="2026-11-16T09:00+01:00")
    >>> read_requests(log.path)[["recipient", "sends", "reminders", "outcome"]]
      recipient  sends  reminders outcome
    0       Zoë      1          1     NaN
    """
    from .log import open_log

    return open_log(path).requests()


def requests_from_events(events: pd.DataFrame) -> pd.DataFrame:
    """Fold validated events into one row per request, in the order the requests were sent.

    ``sends`` counts the first send and every ``resent``; ``first_response_at`` and
    ``first_outcome`` describe the first response, ``outcome`` the latest one (a "yes, soon"
    reply followed by the recommendation itself ends as ``recommended``). Times are UTC.
    """
    sent = events.loc[events["event"] == "sent", [*_FROM_SEND, "at"]]
    table = sent.rename(columns={"at": "first_sent_at"}).reset_index(drop=True)
    follow = events.loc[
        events["event"].isin(["resent", "reminded", "withdrawn", "responded", "thanked"]),
        ["event", "request_id", "at", "outcome"],
    ]
    # Stable sort by time: events logged after the fact still fold in the order they happened.
    follow = follow.sort_values("at", kind="stable")
    grouped = follow.groupby(["event", "request_id"], sort=False)
    first = grouped.first()
    last = grouped.last()
    counts = grouped.size()

    ids = pd.Index(table["request_id"])

    def mapped(
        frame: pd.DataFrame | pd.Series, event: str, column: str | None = None, *, fill: Any = None
    ) -> pd.Series:
        """The value of *column* for each request's *event* (reindexing keeps dtypes when empty)."""
        present = event in frame.index.get_level_values(0)
        values = frame.loc[event] if present else frame.iloc[:0].droplevel(0)
        if column is not None:
            values = values[column]
        values = values.reindex(ids).reset_index(drop=True)
        return values if fill is None else values.fillna(fill)

    table["last_sent_at"] = mapped(last, "resent", "at").fillna(table["first_sent_at"])
    table["sends"] = (mapped(counts, "resent", fill=0) + 1).astype(np.int64)
    table["reminders"] = mapped(counts, "reminded", fill=0).astype(np.int64)
    table["last_reminded_at"] = mapped(last, "reminded", "at")
    table["withdrawn_at"] = mapped(first, "withdrawn", "at")
    table["responses"] = mapped(counts, "responded", fill=0).astype(np.int64)
    table["first_response_at"] = mapped(first, "responded", "at")
    table["first_outcome"] = mapped(first, "responded", "outcome")
    table["last_response_at"] = mapped(last, "responded", "at")
    table["outcome"] = mapped(last, "responded", "outcome")
    table["thanked_at"] = mapped(first, "thanked", "at")
    for column in (
        "last_sent_at",
        "last_reminded_at",
        "withdrawn_at",
        "first_response_at",
        "last_response_at",
        "thanked_at",
    ):
        table[column] = pd.to_datetime(table[column], utc=True)
    for column in ("first_outcome", "outcome"):
        table[column] = table[column].astype(object).where(table[column].notna(), np.nan)
    return table[list(REQUEST_COLUMNS)]
