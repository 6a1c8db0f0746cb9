"""Your past requests in an export or a mailbox: the rows an import turns into sends.

* **Invitations**: every ``OUTGOING`` row of Invitations.csv (a connection request).
* **LinkedIn messages**: the message of yours that opens a conversation with one other person
  (a conversation they opened, a group conversation, drafts and your later messages in a
  conversation are not requests).
* **Mails**: a mail of yours that starts a thread (no ``In-Reply-To``, no ``References``), to
  exactly one address other than yours, not automatic.

Each source gives a table of candidates with the recipient, the time, the text and the file and
row it came from; what was left out is counted by reason.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd

from ..names import fold_name
from .errors import SyncInputError
from .identity import normalise_profile_url
from .linkedin import LinkedInExport
from .mail_table import Mailbox
from .mail_text import mail_text

__all__: list[str] = []

CANDIDATE_COLUMNS: tuple[str, ...] = (
    "source_kind",  # "invitation", "message" or "mail"
    "name",
    "profile_url",
    "email",
    "at",  # UTC
    "text",
    "source",
    "row",
    "row_kind",  # "line" or "message"
    "source_id",  # a mail's Message-ID, a message's conversation ("" for an invitation)
)


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(CANDIDATE_COLUMNS))
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    frame["row"] = frame["row"].astype("int64")
    return frame.sort_values(["at", "source", "row"], kind="stable").reset_index(drop=True)


def invitation_candidates(export: LinkedInExport) -> tuple[pd.DataFrame, Counter[str]]:
    """The outgoing invitations of *export*, and what was left out."""
    table = _needed(export, "invitations", "Invitations.csv")
    skipped: Counter[str] = Counter()
    rows = []
    for item in table.to_dict(orient="records"):
        if item["direction"] != "OUTGOING":
            skipped["invitations sent to you (INCOMING)"] += 1
            continue
        rows.append(
            {
                "source_kind": "invitation",
                "name": item["to_name"],
                "profile_url": item["invitee_profile_url"],
                "email": "",
                "at": item["sent_at"],
                "text": item["message"],
                "source": item["file"],
                "row": item["line"],
                "row_kind": "line",
                "source_id": "",
            }
        )
    return _frame(rows), skipped


def message_candidates(export: LinkedInExport) -> tuple[pd.DataFrame, Counter[str]]:
    """The messages of yours that open a conversation with one person, and what was left out."""
    table = _needed(export, "messages", "messages.csv")
    owner = export_owner(export)
    skipped: Counter[str] = Counter()
    drafts = table["is_draft"].astype(bool)
    skipped["drafts"] += int(drafts.sum())
    sent = table[~drafts].sort_values(["at", "line"], kind="stable")
    rows = []
    for conversation, group in sent.groupby("conversation_id", sort=False):
        first = group.iloc[0]
        if not owner.wrote(first):
            skipped["conversations the other person opened"] += 1
            continue
        names = [n for n in first["to_names"] if not owner.is_named(n)]
        if len(names) != 1 or len(first["to_names"]) != 1:
            skipped["conversations with several people (or nobody) as recipients"] += 1
            continue
        urls = first["recipient_profile_urls"]
        rows.append(
            {
                "source_kind": "message",
                "name": names[0],
                "profile_url": urls[0] if len(urls) == 1 else "",
                "email": "",
                "at": first["at"],
                "text": first["content"],
                "source": first["file"],
                "row": first["line"],
                "row_kind": "line",
                "source_id": str(conversation),
            }
        )
    return _frame(rows), skipped


def mail_candidates(mailbox: Mailbox) -> tuple[pd.DataFrame, Counter[str]]:
    """The mails of yours that start a thread with one person, and what was left out."""
    mine = set(mailbox.my_addresses)
    if not mine:
        raise SyncInputError(
            "holds no mail of yours: give your sent-mail folder (Thunderbird's Sent, Takeout's "
            "mbox with the Sent label) or your address",
            path=", ".join(mailbox.sources),
        )
    skipped: Counter[str] = Counter()
    rows = []
    for mail in mailbox.mails[mailbox.mails["from_me"]].to_dict(orient="records"):
        recipients = [
            (name, address)
            for name, address in zip(mail["to_names"], mail["to_addresses"], strict=False)
            if address and address not in mine
        ]
        if mail["automatic"] or mail["bounce"]:
            skipped["automatic mails"] += 1
        elif pd.isna(mail["at"]):
            skipped["mails without a readable date"] += 1
        elif mail["in_reply_to"] or mail["references"]:
            skipped["replies (not the start of a thread)"] += 1
        elif len(recipients) != 1 or len(mail["to_addresses"]) != 1:
            skipped["mails to several people (or only to yourself)"] += 1
        else:
            name, address = recipients[0]
            rows.append(
                {
                    "source_kind": "mail",
                    "name": name or address,
                    "profile_url": "",
                    "email": address,
                    "at": mail["at"],
                    "text": mail_text(mail["source"], int(mail["offset"])),
                    "source": mail["source"],
                    "row": mail["number"],
                    "row_kind": "message",
                    "source_id": mail["message_id"],
                }
            )
    return _frame(rows), skipped


def _needed(export: LinkedInExport, table: str, usual: str) -> Any:
    found = export.table(table)
    if found is None:
        raise SyncInputError(f"has no {usual}: nothing to import from it", path=export.source)
    return found


class Owner:
    """The export's owner, as messages.csv names them: by profile URL, else by folded name."""

    def __init__(self, name: str, url: str) -> None:
        self.name, self.url = fold_name(name), normalise_profile_url(url)

    def is_named(self, name: str) -> bool:
        return fold_name(name) == self.name

    def wrote(self, message: Any) -> bool:
        url = normalise_profile_url(message["sender_profile_url"])
        return url == self.url if url and self.url else self.is_named(message["from_name"])


def export_owner(export: LinkedInExport) -> Owner:
    """Whose export it is: the one sender of the messages in the ``SENT`` folder, else the one
    sender of ``OUTGOING`` invitations, else the one person in every conversation."""
    messages = export.messages
    candidates: list[pd.DataFrame] = []
    if messages is not None:
        sent = messages[messages["folder"].str.casefold() == "sent"]
        candidates.append(sent.rename(columns={"sender_profile_url": "url"})[["from_name", "url"]])
    if export.invitations is not None:
        out = export.invitations[export.invitations["direction"] == "OUTGOING"]
        candidates.append(out.rename(columns={"inviter_profile_url": "url"})[["from_name", "url"]])
    for people in candidates:
        names = {fold_name(n) for n in people["from_name"]}
        if len(names) == 1:
            name = str(people["from_name"].iloc[0])
            urls = [u for u in people["url"] if u]
            return Owner(name, urls[0] if urls else "")
    if messages is not None and len(messages):
        shared: set[str] | None = None
        for _, group in messages.groupby("conversation_id", sort=False):
            people_in = {fold_name(n) for n in group["from_name"]}
            people_in |= {fold_name(n) for names in group["to_names"] for n in names}
            shared = people_in if shared is None else shared & people_in
        if shared is not None and len(shared) == 1:
            return Owner(next(iter(shared)), "")
    raise SyncInputError(
        "does not tell whose export it is (no messages in its SENT folder, no outgoing "
        "invitations, no one person in every conversation), so your messages cannot be told "
        "from the others'",
        path=export.files.get("messages", export.source),
    )
