"""The result of matching: the events to log, and the requests left for you to decide."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..results import Result, json_safe
from ..timestamps import format_time
from .findings import where
from .zone import UserZone

__all__ = ["SyncProposal"]

#: The columns of :attr:`SyncProposal.proposed`.
PROPOSED_COLUMNS: tuple[str, ...] = (
    "request_id",
    "recipient",
    "kind",
    "event",
    "outcome",
    "at",
    "precision",
    "source",
    "row",
    "row_kind",
    "rule",
    "confidence",
)
AMBIGUOUS_COLUMNS: tuple[str, ...] = ("request_id", "recipient", "kind", "reason", "candidates")
UNMATCHED_COLUMNS: tuple[str, ...] = ("request_id", "recipient", "kind", "reason")


@dataclass(frozen=True, eq=False)
class SyncCases(Result):
    """A table of requests for which nothing is proposed, with the reason for each."""

    title: str
    cases: Any

    def _summary_frame(self):
        return self.cases.set_index("request_id")

    @property
    def _title(self) -> str:  # type: ignore[override]
        return self.title

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "cases": self.cases.to_dict(orient="records")}


@dataclass(frozen=True, eq=False)
class SyncProposal(Result):
    """What the export and the mailbox say about the open requests of a log (a dry run).

    Attributes
    ----------
    proposed : DataFrame
        One event per request to append to the log: ``request_id``, ``recipient``, ``kind``,
        ``event`` (``"responded"`` or ``"undelivered"``), ``outcome`` (``""`` for
        undelivered), ``at`` (UTC: the last second of the span the source names),
        ``precision`` (``"day"``, ``"minute"``, ``"second"``), ``source`` (the file),
        ``row`` and ``row_kind`` (its ``"line"`` or mbox ``"message"`` number), ``rule`` and
        ``confidence`` (``"high"``: profile URL, address or mail thread; ``"medium"``: full
        name; ``"low"``: a mail from their address outside the thread).
    ambiguous : DataFrame
        Requests with two candidates, or sharing one candidate with another request: nothing
        is proposed for them (``request_id``, ``recipient``, ``kind``, ``reason``,
        ``candidates``).
    unmatched : DataFrame
        Open requests for which the sources show nothing (yet), with the reason.
    open_requests, closed_requests : int
        Requests looked at (no response yet) and left alone (answered, or undelivered).
    written : int or None
        How many events were appended to the log (:func:`etiquette_lab.sync_log` with
        ``write=True``); None for a dry run.
    unknown_recipients : int
        Open requests whose recipient appears nowhere in the sources. When it equals
        ``open_requests`` (and there are a few), the export or mailbox is likely someone
        else's, or a pseudonymised log's key is not the one it was written with.
    """

    proposed: Any
    ambiguous: Any
    unmatched: Any
    open_requests: int
    closed_requests: int
    zone: UserZone
    sources: tuple[str, ...]
    notes: tuple[str, ...] = ()
    unknown_recipients: int = 0
    written: int | None = None  # events appended to the log; None: a dry run

    @property
    def _title(self) -> str:  # type: ignore[override]
        if self.written is None:
            return "Outcomes found in your archive (dry run: nothing written)"
        return f"Outcomes found in your archive ({self.written} written to the log)"

    def _summary_frame(self):
        return self.dry_run()

    def dry_run(self):
        """The proposed events as a person reads them: local times, file and line."""
        import pandas as pd

        frame = self.proposed
        shown = pd.DataFrame(
            {
                "request": frame["request_id"],
                "recipient": frame["recipient"],
                "event": frame["event"],
                "outcome": frame["outcome"],
                f"when ({self.zone.name})": [
                    self.zone.local(at).strftime("%Y-%m-%d %H:%M:%S") for at in frame["at"]
                ],
                "source": [
                    where(s, k, r)
                    for s, k, r in zip(
                        frame["source"], frame["row_kind"], frame["row"], strict=True
                    )
                ],
                "rule": frame["rule"],
                "confidence": frame["confidence"],
            }
        )
        return shown.set_index("request")

    def log_rows(self) -> list[dict[str, str]]:
        """The proposed events as rows for the log: ``at`` (ISO 8601 with the user's offset),
        ``event``, ``request_id``, ``outcome`` and a ``note`` saying where each came from.

        Appending them through the log's one gate (validation, lock, fsync) is all a write
        needs; a second run then proposes nothing for these requests.
        """
        rows = []
        for item in self.proposed.to_dict(orient="records"):
            source = where(item["source"], item["row_kind"], item["row"])
            rows.append(
                {
                    "at": format_time(self.zone.local(item["at"])),
                    "event": item["event"],
                    "request_id": item["request_id"],
                    "outcome": item["outcome"],
                    "note": f"sync: {source} ({item['rule']}; {item['confidence']} confidence)",
                }
            )
        return rows

    def _notes(self) -> list[str]:
        count = len(self.proposed)
        return [
            f"{count} event{'s' if count != 1 else ''} to log for {self.open_requests} open "
            f"request{'s' if self.open_requests != 1 else ''}; {len(self.ambiguous)} ambiguous "
            f"(left to you), {len(self.unmatched)} with nothing found; "
            f"{self.closed_requests} already answered or undelivered (not looked at).",
            f"Times are in {self.zone.name}. A date without a time counts at the end of that "
            "day, a time to the minute at the end of that minute.",
            *self.notes,
        ]

    def _parts(self) -> list[Result]:
        parts: list[Result] = []
        if len(self.ambiguous):
            parts.append(SyncCases("Ambiguous: nothing proposed, you decide", self.ambiguous))
        if len(self.unmatched):
            parts.append(SyncCases("Nothing found (yet)", self.unmatched))
        return parts

    def to_dict(self) -> dict[str, Any]:

        return json_safe(
            {
                "proposed": self.proposed,
                "ambiguous": self.ambiguous,
                "unmatched": self.unmatched,
                "open_requests": self.open_requests,
                "closed_requests": self.closed_requests,
                "unknown_recipients": self.unknown_recipients,
                "timezone": self.zone.name,
                "sources": list(self.sources),
                "notes": list(self.notes),
                "written": self.written,
            }
        )
