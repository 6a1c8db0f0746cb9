"""The synthetic LinkedIn export, mailbox and log shipped with the kit (all names invented)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["sync_example_paths"]


def sync_example_paths() -> dict[str, Any]:
    """Paths of the shipped example: ``"linkedin"`` (an unpacked export folder),
    ``"mailboxes"`` (Thunderbird-style ``Inbox`` and ``Sent`` mbox files) and ``"log"`` (a
    log of the sends they answer). Every person, address and profile in them is invented.

    Examples
    --------
    >>> sorted(sync_example_paths())
    ['linkedin', 'log', 'mailboxes']
    """
    root = Path(str(resources.files("etiquette_lab") / "data" / "sync_example"))
    return {
        "linkedin": root / "Basic_LinkedInDataExport_02-10-2026",
        "mailboxes": [root / "mail" / "Inbox", root / "mail" / "Sent"],
        "log": root / "requests_log.csv",
    }
