"""Events -> one row per request (the fold). The table every later stage starts from."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..timestamps import utc_nanoseconds

__all__ = ["REQUEST_COLUMNS", "SEND_FIELDS", "requests_from_events"]

#: What a send records about a request, besides its id and time (the log's columns of a send).
SEND_FIELDS: tuple[str, ...] = (
    "experiment", "recipient", "variant", "kind", "channel", "stratum", "assignment", "score",
    "message",
)  # fmt: skip
_FROM_SEND = ("request_id", *SEND_FIELDS)
REQUEST_COLUMNS: tuple[str, ...] = (
    *_FROM_SEND,
    "first_sent_at", "last_sent_at", "sends", "reminders", "last_reminded_at", "withdrawn_at",
    "responses", "first_response_at", "first_outcome", "last_response_at", "outcome",
    "thanked_at",
)  # fmt: skip


def requests_from_events(events: pd.DataFrame) -> pd.DataFrame:
    """Fold validated events into one row per request, in the order the requests were sent.

    ``sends`` counts the first send and every ``resent``; ``first_response_at`` and
    ``first_outcome`` describe the first response, ``outcome`` the latest one (a "yes, soon"
    reply followed by the recommendation itself ends as ``recommended``). Times are UTC.
    """
    return fold_events(events)


def fold_events(events: pd.DataFrame, request_rows: np.ndarray | None = None) -> pd.DataFrame:
    """:func:`requests_from_events`; *request_rows*, each event's request as its row in the
    table when the reader already looked them up (LogState.request_rows), saves the lookup."""
    # The event column as small integers, once: every "which events are X" below compares
    # integers instead of a million strings.
    codes, names = pd.factorize(events["event"].to_numpy())
    code = {name: i for i, name in enumerate(names.tolist())}
    is_sent = codes == code.get("sent", -2)
    table = events.loc[is_sent, [*_FROM_SEND, "at"]].rename(columns={"at": "first_sent_at"})
    table = table.reset_index(drop=True)
    # Each follow-up's row in the table, found once; then every column is a numpy gather.
    row = (
        request_rows
        if request_rows is not None
        else pd.Index(table["request_id"]).get_indexer(events["request_id"])
    )
    at = events["at"]
    at_ns = utc_nanoseconds(at)
    order = np.argsort(at_ns, kind="stable")  # events logged late fold in time order
    event = codes[order]
    row, at_sorted = row[order], at_ns[order]
    outcome = events["outcome"].to_numpy()[order]
    n = len(table)
    no_time = np.iinfo(np.int64).min  # (NaT)

    def pick(name: str, which: str) -> np.ndarray:
        """Position (in time order) of each request's first/last *name* event, or -1."""
        positions = np.flatnonzero(event == code.get(name, -2))
        rows = row[positions]
        # Unbuffered min/max per request: linear, where np.unique would sort.
        if which == "last":
            found = np.full(n, -1, dtype=np.int64)
            np.maximum.at(found, rows, positions)
            return found
        found = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(found, rows, positions)
        return np.where(found == np.iinfo(np.int64).max, -1, found)

    def times(positions: np.ndarray) -> pd.Series:
        values = np.where(positions >= 0, at_sorted[np.maximum(positions, 0)], no_time)
        utc = pd.DatetimeIndex(values.view("M8[ns]"), tz="UTC").as_unit(at.dt.unit)
        return pd.Series(utc, index=table.index)

    def outcomes(positions: np.ndarray) -> pd.Series:
        values = np.where(positions >= 0, outcome[np.maximum(positions, 0)], np.nan)
        return pd.Series(values.astype(object), dtype=object)

    def count(name: str) -> np.ndarray:
        return np.bincount(row[event == code.get(name, -2)], minlength=n).astype(np.int64)

    last_resent = pick("resent", "last")
    table["last_sent_at"] = times(last_resent).where(last_resent >= 0, table["first_sent_at"])
    table["sends"] = count("resent") + 1
    table["reminders"] = count("reminded")
    table["last_reminded_at"] = times(pick("reminded", "last"))
    table["withdrawn_at"] = times(pick("withdrawn", "first"))
    table["responses"] = count("responded")
    first_response, last_response = pick("responded", "first"), pick("responded", "last")
    table["first_response_at"] = times(first_response)
    table["first_outcome"] = outcomes(first_response)
    table["last_response_at"] = times(last_response)
    table["outcome"] = outcomes(last_response)
    table["thanked_at"] = times(pick("thanked", "first"))
    return table[list(REQUEST_COLUMNS)]
