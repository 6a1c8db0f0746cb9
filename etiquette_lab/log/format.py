"""The log's columns, event types and rules, in one place (documented in docs/log-format.md)."""

from __future__ import annotations

__all__ = ["LOG_COLUMNS", "LOG_EVENTS", "LOG_FORMAT_VERSION", "canonical_kind"]

FORMAT_VERSION = "1"

# The order is part of the format. `log_format` comes last on purpose: a row cut off anywhere
# before its end loses that field (or a closing quote), so a torn write is always detected.
COLUMNS: tuple[str, ...] = (
    "at",
    "event",
    "request_id",
    "experiment",
    "recipient",
    "variant",
    "kind",
    "channel",
    "stratum",
    "assignment",
    "score",
    "outcome",
    "message",
    "note",
    "log_format",
)
HEADER_LINE = ",".join(COLUMNS) + "\n"

# Cells people type: neutralised against spreadsheet formulas on write, restored on read.
TEXT_COLUMNS = frozenset(COLUMNS) - {"at", "event", "score", "log_format"}

EVENTS: tuple[str, ...] = (
    "declared",
    "sent",
    "resent",
    "reminded",
    "withdrawn",
    "responded",
    "thanked",
)
FOLLOW_UPS = frozenset(EVENTS) - {"declared", "sent"}

# Fields that must not be empty, by event.
REQUIRED: dict[str, tuple[str, ...]] = {
    "declared": ("variant",),
    "sent": ("request_id", "recipient", "variant", "kind"),
    "resent": ("request_id",),
    "reminded": ("request_id",),
    "withdrawn": ("request_id",),
    "responded": ("request_id", "outcome"),
    "thanked": ("request_id",),
}

KINDS = ("recommendation", "connection", "informational interview", "endorsement", "cold email")
DEFAULT_OUTCOMES = {
    "recommendation": "recommended",
    "connection": "accepted",
    "endorsement": "endorsed",
}
OUTCOMES = ("recommended", "accepted", "endorsed", "replied", "declined")

# Public aliases (the short names above are used inside the package).
LOG_COLUMNS = COLUMNS
LOG_EVENTS = EVENTS
LOG_FORMAT_VERSION = FORMAT_VERSION


def canonical_kind(kind: str) -> str:
    """The kit's own spelling of a request kind typed in any case, else *kind* as typed.

    The default outcome and the etiquette checks go by kind, so ``Recommendation`` must be
    stored as ``recommendation``; a kind the kit does not know is kept as it was typed.

    Examples
    --------
    >>> canonical_kind("Recommendation"), canonical_kind("Cold  Email"), canonical_kind("Coffee")
    ('recommendation', 'cold email', 'Coffee')
    """
    folded = " ".join(str(kind).split()).casefold()
    return next((known for known in KINDS if known == folded), kind)
