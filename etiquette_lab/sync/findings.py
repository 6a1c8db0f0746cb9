"""What a matching rule finds for one request: evidence, an ambiguity, or nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__: list[str] = []

HIGH, MEDIUM, LOW = "high", "medium", "low"


@dataclass(frozen=True)
class OpenRequest:
    """A request with no response yet, as the rules see it."""

    request_id: str
    recipient: str  # as in the log (a name or a pseudonym)
    who: Any  # identity.Recipient
    kind: str
    channel: str
    sent_at: Any  # UTC Timestamp
    withdrawn_at: Any  # UTC Timestamp or NaT


@dataclass(frozen=True)
class Evidence:
    """An event to propose: what happened, when, and the row or mail that shows it."""

    event: str  # "responded" or "undelivered"
    outcome: str  # "" for undelivered
    at: Any  # UTC Timestamp: the last second of the span the source names
    precision: str  # "day", "minute" or "second"
    source: str  # the file
    row: int  # its line (CSV) or message number (mbox)
    row_kind: str  # "line" or "message"
    rule: str
    confidence: str
    key: tuple[Any, ...]  # the item itself, to notice one item claimed by two requests


@dataclass(frozen=True)
class Ambiguous:
    """Two or more candidates: nothing is proposed and the user decides."""

    reason: str
    candidates: tuple[str, ...] = ()


@dataclass(frozen=True)
class NotFound:
    """Nothing in the sources answers this request (yet)."""

    reason: str
    unknown_person: bool = False  # the recipient is not in the source at all


Finding = Evidence | Ambiguous | NotFound


def where(source: str, row_kind: str, row: int) -> str:
    """``Connections.csv line 7`` / ``Inbox message 12`` (the file's own name only)."""
    name = source.replace("\\", "/").rsplit("/", 1)[-1]
    return f"{name} {row_kind} {row}"
