"""One or more mbox files as one table of mails: duplicates merged, yours marked, threaded.

A mail is *yours* when Gmail labelled it ``Sent``, when it sits in a sent-mail folder
(Thunderbird's ``Sent`` file and its translations), or when it is from one of your addresses
(given, or learned from the mails found yours by the first two rules). A thread is every mail
linked through ``Message-ID``, ``In-Reply-To`` and ``References``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..results import Result
from .identity import normalise_address
from .mbox import MailHeaders, Progress, iter_mbox, stderr_progress

__all__ = ["Mailbox", "read_mailbox"]

#: Folder names (case-folded, without ``.mbox``) whose mails are sent mails.
SENT_FOLDERS = frozenset({
    "sent", "sent mail", "sent messages", "sent items", "sendt", "sendte elementer",
    "sendte meldinger", "skickat", "skickade objekt", "sendte", "gesendet",
    "gesendete elemente", "gesendete objekte", "envoyés", "éléments envoyés", "enviados",
    "elementos enviados", "inviati", "posta inviata", "verzonden", "verzonden items",
    "lähetetyt", "[gmail].sent mail",
})  # fmt: skip

_COLUMNS = (
    "source", "number", "offset", "message_id", "in_reply_to", "references", "thread",
    "from_address", "from_name", "to_addresses", "to_names", "at", "subject", "labels",
    "from_me", "automatic", "bounce", "failed_recipients", "bounced_message_id",
)  # fmt: skip


@dataclass(frozen=True, eq=False)
class Mailbox(Result):
    """Mails read from mbox files: one row per mail (headers only), in file order.

    ``mails`` has the columns of :class:`~etiquette_lab.sync.MailHeaders` (``offset``: where
    the mail starts in its file, to read its text) plus ``thread``
    (the id shared by every mail of a thread) and ``from_me`` (sent by you). A mail found in
    several files (Gmail's "All mail" and "Sent") is one row. Mails without a readable date
    are kept with ``at`` missing and are never matched.
    """

    sources: tuple[str, ...]
    mails: Any
    my_addresses: tuple[str, ...]
    duplicates: int

    _title = "Mailbox"

    def _summary_frame(self):
        import pandas as pd

        mails = self.mails
        rows = []
        for source in self.sources:
            mine = mails[mails["source"] == source]
            rows.append(
                {
                    "file": source,
                    "mails": len(mine),
                    "sent by you": int(mine["from_me"].sum()),
                    "automatic": int((mine["automatic"] != "").sum()),
                    "bounces": int(mine["bounce"].sum()),
                    "no date": int(mine["at"].isna().sum()),
                }
            )
        return pd.DataFrame(rows).set_index("file")

    def _notes(self) -> list[str]:
        who = ", ".join(self.my_addresses) if self.my_addresses else "none found"
        notes = [f"your addresses: {who}"]
        if self.duplicates:
            notes.append(f"{self.duplicates} mails found in more than one file counted once")
        return notes

    def to_dict(self) -> dict[str, Any]:
        """Per file: how many mails, sent by you, automatic, bounces (the mails stay here)."""
        return {
            "sources": list(self.sources),
            "my_addresses": list(self.my_addresses),
            "duplicates": self.duplicates,
            "files": self.summary.reset_index().to_dict(orient="records"),
        }


def read_mailbox(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    my_addresses: Iterable[str] | None = None,
    progress: bool | Progress = False,
) -> Mailbox:
    """Read mbox files (Gmail Takeout, Thunderbird folders) into one :class:`Mailbox`.

    Parameters
    ----------
    paths : path-like or iterable of path-likes
        The mbox files: Takeout's ``.mbox``, or Thunderbird's ``Inbox`` and ``Sent`` files.
    my_addresses : iterable of str, optional
        Your addresses; mails from them are yours. Learned from sent mails when not given.
    progress : bool or callable
        True prints a progress line per file on stderr; a callable is called as
        ``progress(bytes_read, total_bytes, mails)`` for each file.

    Examples
    --------
    >>> from etiquette_lab.sync import sync_example_paths
    >>> box = read_mailbox(sync_example_paths()["mailboxes"])
    >>> box.my_addresses, len(box.mails)
    (('kim.avsender@example.net',), 12)
    """
    import pandas as pd

    files = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    given = {normalise_address(a) for a in (my_addresses or ()) if normalise_address(a)}
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    duplicates = 0
    for path in files:
        report = stderr_progress(Path(path).name) if progress is True else progress or None
        in_sent_folder = _is_sent_folder(path)
        for mail in iter_mbox(path, progress=report):
            row = _row(
                mail, sent=in_sent_folder or any(lb.casefold() == "sent" for lb in mail.labels)
            )
            earlier = seen.get(mail.message_id) if mail.message_id else None
            if earlier is not None:
                duplicates += 1
                first = rows[earlier]
                first["from_me"] = first["from_me"] or row["from_me"]
                first["labels"] = tuple(dict.fromkeys(first["labels"] + row["labels"]))
                continue
            if mail.message_id:
                seen[mail.message_id] = len(rows)
            rows.append(row)
    learned = {r["from_address"] for r in rows if r["from_me"] and r["from_address"]}
    mine = given | learned
    for row in rows:
        row["from_me"] = row["from_me"] or row["from_address"] in mine
    _thread(rows)
    frame = pd.DataFrame(rows, columns=list(_COLUMNS))
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    return Mailbox(
        sources=tuple(str(p) for p in files),
        mails=frame,
        my_addresses=tuple(sorted(mine)),
        duplicates=duplicates,
    )


def _is_sent_folder(path: str | os.PathLike[str]) -> bool:
    name = Path(path).name
    stem = name[: -len(".mbox")] if name.casefold().endswith(".mbox") else name
    return " ".join(stem.replace("_", " ").split()).casefold() in SENT_FOLDERS


def _row(mail: MailHeaders, *, sent: bool) -> dict[str, Any]:
    row = {name: getattr(mail, name) for name in MailHeaders.__slots__}
    row["from_me"] = sent
    return row


def _thread(rows: list[dict[str, Any]]) -> None:
    """Give every row a ``thread``: the root of its ids in a union-find over the links."""
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        parent.setdefault(key, key)
        while parent[key] != key:
            parent[key] = parent[parent[key]]  # path halving keeps the trees flat
            key = parent[key]
        return key

    keys = []
    for row in rows:
        own = row["message_id"] or f"{row['source']}#{row['number']}"
        keys.append(own)
        for linked in (*row["in_reply_to"], *row["references"]):
            a, b = root(own), root(linked)
            if a != b:
                parent[max(a, b)] = min(a, b)  # a stable root, whatever the file order
        root(own)
    for row, own in zip(rows, keys, strict=True):
        row["thread"] = root(own)
