"""The rules that read LinkedIn's export (``docs/sync.md``, "Matching").

* A connection request is accepted when the recipient is in Connections.csv, connected on or
  after the day of the send (and not only after the request was withdrawn).
* A recommendation request is answered by the first recommendation in
  Recommendations_Received.csv from that person created after the send (visible or hidden).
* A message ask is answered by the recipient's first message in messages.csv after the send
  (drafts are not messages).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import pandas as pd

from ..names import fold_name
from .findings import Ambiguous, Evidence, Finding, NotFound, OpenRequest, where
from .identity import Keys, normalise_profile_url
from .linkedin import LinkedInExport
from .people import Lookup, PeopleIndex
from .zone import SPANS, UserZone

__all__: list[str] = []


class IndexedTable(NamedTuple):
    """A table of the export with its people indexed and its file and lines at hand."""

    frame: Any
    people: PeopleIndex
    files: list[str]
    lines: list[int]


def homonyms(export: LinkedInExport) -> frozenset[str]:
    """Folded names that belong to two or more people in the export: two rows of
    Connections.csv, or two senders with different profile URLs in messages.csv."""
    shared: set[str] = set()
    if export.connections is not None:
        folded = export.connections["name"].map(fold_name)
        shared |= set(folded[folded.duplicated() & (folded != "")])
    if export.messages is not None and len(export.messages):
        senders = export.messages[["from_name", "sender_profile_url"]].drop_duplicates()
        senders = pd.DataFrame(
            {
                "name": senders["from_name"].map(fold_name),
                "url": senders["sender_profile_url"].map(normalise_profile_url),
            }
        )
        senders = senders[(senders["url"] != "") & (senders["name"] != "")].drop_duplicates()
        shared |= set(senders.loc[senders["name"].duplicated(), "name"])
    return frozenset(shared)


class LinkedInRules:
    """The three LinkedIn rules over one export, with its tables indexed once."""

    def __init__(self, export: LinkedInExport, keys: Keys, zone: UserZone) -> None:
        self.export, self.zone = export, zone
        self.made = (
            f" (the export was made {export.export_date.isoformat()})" if export.export_date else ""
        )
        shared = homonyms(export)
        self.connections = self._table(
            export.connections, keys, shared, urls="profile_url", emails="email", name="name"
        )
        self.recommendations = self._table(
            export.recommendations_received, keys, shared, name="name"
        )
        messages = export.messages
        if messages is not None:
            messages = messages[~messages["is_draft"]].sort_values("at", kind="stable")
            messages = messages.reset_index(drop=True)
        self.messages = self._table(
            messages, keys, shared, urls="sender_profile_url", name="from_name"
        )

    @staticmethod
    def _table(
        frame: Any,
        keys: Keys,
        shared: frozenset[str],
        *,
        name: str,
        urls: str | None = None,
        emails: str | None = None,
    ) -> IndexedTable | None:
        if frame is None:
            return None
        index = PeopleIndex(
            frame[name].tolist(),
            keys=keys,
            homonyms=shared,
            urls=frame[urls].tolist() if urls else None,
            emails=frame[emails].tolist() if emails else None,
        )
        return IndexedTable(frame, index, frame["file"].tolist(), frame["line"].tolist())

    # -- the rules ---------------------------------------------------------------------------

    def connection(self, request: OpenRequest) -> Finding:
        if self.connections is None:
            return NotFound("the export has no Connections.csv")
        frame, index, files, lines = self.connections
        look = index.find(request.who)
        if not look.rows:
            return NotFound(
                f"not among your connections in Connections.csv{self.made}", unknown_person=True
            )
        if look.shared_name:
            return _shared(look, files, lines, "connections")
        connected = frame["connected_at"]
        after = [r for r in look.rows if connected.iat[r] >= request.sent_at]
        if not after:
            days = ", ".join(str(frame["connected_on"].iat[r]) for r in look.rows)
            return NotFound(f"connected on {days}, before the request was sent")
        if not pd.isna(request.withdrawn_at):
            # A withdrawn invitation cannot be accepted: a connection whose whole day lies
            # after the withdrawal came some other way; one on that very day cannot be told.
            withdrawn, day = request.withdrawn_at, SPANS["day"] - pd.Timedelta(seconds=1)
            before = [r for r in after if connected.iat[r] - day <= withdrawn]
            if not before:
                return NotFound(
                    f"connected on {frame['connected_on'].iat[after[0]]}, after the request "
                    "was withdrawn: not an acceptance of it"
                )
            if any(connected.iat[r] >= withdrawn for r in before):
                return Ambiguous(
                    "connected on the day the request was withdrawn: the export gives no time",
                    tuple(where(files[r], "line", lines[r]) for r in before),
                )
            after = before
        if len(after) > 1:
            return Ambiguous(
                f"{len(after)} connections match by {look.rule}",
                tuple(where(files[r], "line", lines[r]) for r in after),
            )
        return _evidence(
            self.connections,
            after[0],
            "connected_at",
            "accepted",
            "day",
            f"{look.rule}: connected on or after the day of the send",
            look.confidence,
        )

    def recommendation(self, request: OpenRequest) -> Finding:
        if self.recommendations is None:
            return NotFound(
                "the export has no Recommendations_Received.csv (none received, or not exported)"
            )
        frame, index, files, lines = self.recommendations
        look = index.find(request.who)
        if not look.rows:
            return NotFound(
                f"no recommendation from them in Recommendations_Received.csv{self.made}",
                unknown_person=True,
            )
        if look.shared_name:
            return _shared(look, files, lines, "people")
        created = frame["created_at"]
        after = sorted(
            (r for r in look.rows if created.iat[r] >= request.sent_at),
            key=lambda r: created.iat[r],
        )
        if not after:
            return NotFound("their recommendations were all written before the request was sent")
        hidden = frame["status"].iat[after[0]] == "HIDDEN"
        rule = f"{look.rule}: first recommendation received after the send" + (
            " (hidden on your profile)" if hidden else ""
        )
        return _evidence(
            self.recommendations,
            after[0],
            "created_at",
            "recommended",
            "minute",
            rule,
            look.confidence,
        )

    def message(self, request: OpenRequest, outcome: str) -> Finding:
        if self.messages is None:
            return NotFound("the export has no messages.csv")
        frame, index, files, lines = self.messages
        look = index.find(request.who)
        if not look.rows:
            return NotFound(f"no message from them in messages.csv{self.made}", unknown_person=True)
        if look.shared_name:
            return _shared(look, files, lines, "senders")
        at = frame["at"]
        first_after: dict[str, int] = {}
        for row in look.rows:  # in time order: the first row after the send is the answer
            if at.iat[row] >= request.sent_at:
                person = index.urls[row] if index.urls and index.urls[row] else index.folded[row]
                first_after.setdefault(person, row)
        if not first_after:
            return NotFound("no message from them after the request was sent")
        if len(first_after) > 1:
            return Ambiguous(
                f"messages from {len(first_after)} different people match by {look.rule}",
                tuple(where(files[r], "line", lines[r]) for r in first_after.values()),
            )
        return _evidence(
            self.messages,
            next(iter(first_after.values())),
            "at",
            outcome,
            "second",
            f"{look.rule}: their first message after the send",
            look.confidence,
        )


def _evidence(
    table: IndexedTable,
    row: int,
    column: str,
    outcome: str,
    precision: str,
    rule: str,
    confidence: str,
) -> Evidence:
    """A response shown by *row* of one of the export's tables, timed by its *column*."""
    frame, _, files, lines = table
    return Evidence(
        event="responded",
        outcome=outcome,
        at=frame[column].iat[row],
        precision=precision,
        source=files[row],
        row=lines[row],
        row_kind="line",
        rule=rule,
        confidence=confidence,
        key=(files[row], row),
    )


def _shared(look: Lookup, files: list[str], lines: list[int], what: str) -> Ambiguous:
    return Ambiguous(
        f"the name belongs to more than one person in the export; the log needs their "
        f"profile URL to tell the {what} apart",
        tuple(where(files[r], "line", lines[r]) for r in look.rows),
    )
