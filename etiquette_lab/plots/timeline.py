"""The requests of a log on a time line: one row per request, a marker per logged event."""

from __future__ import annotations

from typing import Any, NamedTuple

from ..timestamps import parse_as_of
from .style import colour, get_axes

__all__ = ["plot_request_timeline"]

# Okabe-Ito colours (colour-blind safe) and distinct marker shapes, so colour is not needed.
# A decline is a response whose outcome is "declined": it gets its own shape.
_STYLES: dict[str, tuple[str, str, str]] = {
    "sent": ("o", colour(0), "sent"),
    "resent": (">", colour(2), "sent again"),
    "reminded": ("^", colour(6), "reminded"),
    "responded": ("s", colour(3), "answered"),
    "declined": ("D", colour(5), "declined"),
    "thanked": ("*", colour(4), "thanked"),
    "withdrawn": ("X", "#000000", "withdrawn"),
}
_OTHER = ("P", colour(1), "other event")


class _Row(NamedTuple):
    """One request on the time line: its label, where its line runs, and its events (kind, at),
    in the order they happened, up to the as-of time."""

    request_id: str
    recipient: str
    start: Any
    end: Any
    events: tuple[tuple[str, Any], ...]


def _timeline_rows(events: Any, *, as_of: Any = None) -> tuple[Any, list[_Row]]:
    """The as-of time (UTC) and one :class:`_Row` per request, in order of first send.

    A request's line runs from its first send to its first answer, its withdrawal or the as-of
    time, whichever comes first; events logged after the as-of time are left out.
    """
    import pandas as pd

    events = events.events() if callable(getattr(events, "events", None)) else events
    today = parse_as_of(as_of)
    at = pd.to_datetime(events["at"], utc=True)
    shown = events[(at <= today) & (events["event"] != "declared")].assign(at=at)
    rows = []
    for request_id, group in shown.groupby("request_id", sort=False):
        group = group.sort_values("at", kind="stable")
        sends = group[group["event"] == "sent"]
        if sends.empty:  # follow-ups of a request first sent after the as-of time
            continue
        start = sends["at"].iloc[0]
        stops = group.loc[group["event"].isin(["responded", "withdrawn"]), "at"]
        end = min([today, *stops])
        kinds = [
            "declined" if event == "responded" and outcome == "declined" else str(event)
            for event, outcome in zip(group["event"], group["outcome"], strict=True)
        ]
        rows.append(
            _Row(
                str(request_id),
                str(sends["recipient"].iloc[0]),
                start,
                end,
                tuple(zip(kinds, group["at"], strict=True)),
            )
        )
    return today, sorted(rows, key=lambda r: r.start)


def plot_request_timeline(events: Any, *, as_of: Any = None, ax: Any = None) -> Any:
    """Draw each request of a log as a row: a line from its first send to its first answer (or
    withdrawal, or the as-of time), and a marker for every event logged for it.

    Parameters
    ----------
    events : pandas.DataFrame or log
        The log's events (``log.events()`` or :func:`etiquette_lab.read_events`), or an open
        log itself.
    as_of : datetime, Timestamp or ISO 8601 text, optional
        "Today": the right end of the lines, drawn as a dotted line; now by default. Events
        logged after it are not drawn.
    ax : matplotlib Axes, optional
        Drawn on a new figure when omitted.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> events = pd.DataFrame({
    ...     "at": pd.to_datetime(["2026-11-02T09:00Z", "2026-11-03T10:00Z"]),
    ...     "event": ["sent", "responded"], "request_id": ["r0001", "r0001"],
    ...     "recipient": ["Zoë", ""], "outcome": ["", "recommended"]})
    >>> ax = plot_request_timeline(events, as_of="2026-11-05T12:00Z")
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['r0001 Zoë']
    """
    import matplotlib.dates as mdates

    today, rows = _timeline_rows(events, as_of=as_of)
    ax = get_axes(ax, figsize=(9.0, max(2.5, 0.45 * len(rows) + 1.5)))
    seen: dict[str, Any] = {}
    for y, row in enumerate(rows):
        ax.plot([row.start, row.end], [y, y], color="#bbbbbb", linewidth=2, zorder=1)
        for kind, at in row.events:
            marker, shade, label = _STYLES.get(kind, _OTHER)
            handle = ax.scatter(at, y, marker=marker, color=shade, s=70, zorder=2)
            seen.setdefault(label, handle)
    ax.axvline(today, color="#000000", linestyle=":", linewidth=1)
    ax.text(today, -0.9, f"as of {today:%d %b} ", ha="right", va="center", fontsize=9)
    order = [label for *_, label in (*_STYLES.values(), _OTHER) if label in seen]
    ax.legend(
        [seen[label] for label in order],
        order,
        fontsize=9,
        loc="center left",
        bbox_to_anchor=(1, 0.5),
    )
    ax.set_yticks(range(len(rows)), [f"{r.request_id} {r.recipient}" for r in rows])
    ax.set_ylim(len(rows) - 0.5, -1.3)  # the first request on top, room for the as-of label
    ax.xaxis.set_major_locator(mdates.WeekdayLocator(byweekday=mdates.MO))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    ax.set_xlabel(f"date ({today:%Y}, UTC; ticks on Mondays)")
    ax.set_ylabel("request")
    ax.set_title("Requests: sends, answers and follow-ups")
    return ax


def describe_request_timeline(events: Any, *, as_of: Any = None) -> str:
    """What :func:`plot_request_timeline` draws, in words (its alternative text)."""
    today, rows = _timeline_rows(events, as_of=as_of)
    words = {kind: label for kind, (_, _, label) in _STYLES.items()}
    parts = [
        f"{row.request_id} {row.recipient}: "
        + ", ".join(f"{words.get(kind, kind)} {at:%d %b}" for kind, at in row.events)
        for row in rows
    ]
    count = f"{len(rows)} request{'s' if len(rows) != 1 else ''}"
    return (
        f"Time line of {count}, one row each, from the first send to the first answer, a "
        f"withdrawal or the as-of time ({today:%d %b %Y %H:%M} UTC, a dotted line), with a "
        f"marker for every logged event. " + "; ".join(parts) + "."
    )
