"""People's names as the kit compares them: one folding for contacts, plans, checks and sync."""

from __future__ import annotations

import unicodedata

__all__ = ["fold_name"]


def fold_name(name: str) -> str:
    """A person's name as compared: NFC, case-folded, inner spaces collapsed.

    Examples
    --------
    >>> fold_name("  ØRJAN   Lid ") == fold_name("ørjan lid")
    True
    """
    return " ".join(unicodedata.normalize("NFC", str(name)).casefold().split())
