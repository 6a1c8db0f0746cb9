"""The log's columns, event types and rules, in one place (documented in docs/log-format.md)."""

from __future__ import annotations

__all__ = ["LOG_COLUMNS", "LOG_EVENTS", "LOG_FORMAT_VERSION", "canonical_kind"]

#: The version new logs are written in. Version 2 added ``profile_url`` and ``email`` (how sync
#: finds the recipient in an export or a mailbox) and the ``undelivered`` event (a bounce).
FORMAT_VERSION = "2"

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
    "profile_url",
    "email",
    "log_format",
)
HEADER_LINE = ",".join(COLUMNS) + "\n"

#: Where to find the recipient besides the name: optional on a send (since version 2).
CONTACT_COLUMNS: tuple[str, ...] = ("profile_url", "email")

#: The columns of each format version, by the version a log's header shows. A log keeps the
#: version it was created in: its rows are read as they are (a version 1 row has no contact
#: columns: they read as ""), and appended in that version, so an older log is never rewritten.
LAYOUTS: dict[str, tuple[str, ...]] = {
    "1": tuple(c for c in COLUMNS if c not in CONTACT_COLUMNS),
    FORMAT_VERSION: COLUMNS,
}

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
    "undelivered",
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
    "undelivered": ("request_id",),
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
