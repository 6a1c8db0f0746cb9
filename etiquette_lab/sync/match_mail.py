"""The rule that reads your mailbox (``docs/sync.md``, "Matching e-mail").

The mail you sent is found first: a mail of yours to the recipient's address (or, when the log
has none, to their name) dated within ``sent_within`` of the logged send. Its thread answers:
the first mail in it after the send from someone else, not automatic, is the reply; a delivery
failure report on it marks the request undelivered. When the thread holds neither, the first
mail from their address after the send (or a failure report for that address) is proposed with
low confidence and labelled so. Automatic replies are never answers.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from typing import Any

import pandas as pd

from .findings import HIGH, LOW, Ambiguous, Evidence, Finding, NotFound, OpenRequest, where
from .identity import Keys, normalise_address
from .mail_table import Mailbox

__all__: list[str] = []


class MailRules:
    """The e-mail rule over one mailbox, with its mails indexed once (dated mails only)."""

    def __init__(self, mailbox: Mailbox, keys: Keys, sent_within: pd.Timedelta) -> None:
        mails = mailbox.mails[mailbox.mails["at"].notna()]
        mails = mails.sort_values("at", kind="stable").reset_index(drop=True)
        self.within = sent_within
        self.mails = mails
        self.at_ns: list[int] = mails["at"].dt.as_unit("ns").astype("int64").tolist()
        self.last = mails["at"].iloc[-1] if len(mails) else None
        self.source = mails["source"].tolist()
        self.number = mails["number"].tolist()
        self.thread = mails["thread"].tolist()
        self.automatic = mails["automatic"].tolist()
        self.bounce = mails["bounce"].tolist()
        self.message_id = mails["message_id"].tolist()
        self.subject = mails["subject"].tolist()
        self.from_me = mails["from_me"].tolist()
        # Row numbers are in time order, so every list below is too.
        self.sent_to_address: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self.sent_to_name: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self.from_address: dict[str, list[int]] = defaultdict(list)
        self.in_thread: dict[str, list[int]] = defaultdict(list)
        self.bounces_of: dict[str, list[int]] = defaultdict(list)
        self.bounces_for: dict[str, list[int]] = defaultdict(list)
        columns = zip(
            mails["from_me"],
            mails["to_names"],
            mails["to_addresses"],
            mails["from_address"],
            mails["failed_recipients"],
            mails["bounced_message_id"],
            strict=True,
        )
        for row, (mine, names, addresses, sender, failed, bounced) in enumerate(columns):
            self.in_thread[self.thread[row]].append(row)
            if mine:
                for name, address in zip(names, addresses, strict=True):
                    for form in keys.addresses(address):
                        self.sent_to_address[form].append((row, address))
                    for form in keys.names(name):
                        self.sent_to_name[form].append((row, address))
                continue
            if self.bounce[row]:
                if bounced:
                    self.bounces_of[bounced].append(row)
                for address in failed:
                    for form in keys.addresses(address):
                        self.bounces_for[form].append(row)
            for form in keys.addresses(sender):
                self.from_address[form].append(row)

    def _after(self, rows: list[int], sent_ns: int) -> list[int]:
        """The rows dated at or after the send (rows are in time order)."""
        return rows[bisect_left(rows, sent_ns, key=self.at_ns.__getitem__) :]

    def _evidence(
        self, row: int, *, undelivered: bool, rule: str, confidence: str, outcome: str
    ) -> Evidence:
        return Evidence(
            event="undelivered" if undelivered else "responded",
            outcome="" if undelivered else outcome,
            at=self.mails["at"].iat[row],
            precision="second",
            source=self.source[row],
            row=self.number[row],
            row_kind="message",
            rule=rule,
            confidence=confidence,
            key=("mail", self.source[row], self.number[row]),
        )

    def _first_answer(self, rows: list[int]) -> tuple[int | None, list[int]]:
        """The first row that is a person's answer, and the automatic ones before it."""
        skipped: list[int] = []
        for row in rows:
            if not self.automatic[row]:
                return row, skipped
            if not self.bounce[row]:
                skipped.append(row)
        return None, skipped

    def email(self, request: OpenRequest, outcome: str) -> Finding:
        entries = self._your_mails(request)
        threads = sorted({self.thread[r] for r, _ in entries})
        if len(threads) > 1:
            return Ambiguous(
                f"{len(threads)} separate mails to them within {_days(self.within)} of the send",
                tuple(where(self.source[r], "message", self.number[r]) for r, _ in entries),
            )
        automatic: list[int] = []
        if threads:
            found = self._in_thread(request, sorted({r for r, _ in entries}), threads[0], automatic)
            if found is not None:
                row, undelivered, rule = found
                return self._evidence(
                    row, undelivered=undelivered, rule=rule, confidence=HIGH, outcome=outcome
                )
        forms = sorted(({request.who.email} | {normalise_address(a) for _, a in entries}) - {""})
        if not forms:
            return NotFound(
                f"no mail of yours to them within {_days(self.within)} of the send, and the "
                "log has no e-mail address for them",
                unknown_person=True,
            )
        found = self._from_address(request, forms, automatic)
        if found is not None:
            row, undelivered, rule = found
            return self._evidence(
                row, undelivered=undelivered, rule=rule, confidence=LOW, outcome=outcome
            )
        until = f" (the mailbox ends {self.last:%Y-%m-%d})" if self.last is not None else ""
        if automatic:
            first = automatic[0]
            return NotFound(
                f"only automatic replies after the send, such as {self.subject[first]!r} "
                f"({where(self.source[first], 'message', self.number[first])}){until}"
            )
        sent = " to your mail" if threads else " after the send"
        return NotFound(f"no reply{sent} from {', '.join(forms)}{until}")

    def _your_mails(self, request: OpenRequest) -> list[tuple[int, str]]:
        """(row, address) of your mails to the recipient dated within ``sent_within`` of the
        send: by address when the log has one; by name only when it has none (a mail to
        another address of that name may be another person)."""
        who, at = request.who, self.mails["at"]
        low, high = request.sent_at - self.within, request.sent_at + self.within
        entries = self.sent_to_address.get(who.email, ()) if who.email else None
        if entries is None:
            entries = self.sent_to_name.get(who.name, ())
        return [(r, a) for r, a in entries if low <= at.iat[r] <= high]

    def _in_thread(
        self, request: OpenRequest, sent_rows: list[int], thread: str, automatic: list[int]
    ) -> tuple[int, bool, str] | None:
        """The first reply or failure report in the thread of your mail (*sent_rows*)."""
        mine = where(self.source[sent_rows[0]], "message", self.number[sent_rows[0]])
        # An answer comes after the mail it answers, and the log takes none before the send.
        since = max(request.sent_at.value, self.at_ns[sent_rows[0]])
        after = self._after(self.in_thread[thread], since)
        reply, skipped = self._first_answer(
            [r for r in after if r not in sent_rows and not self.from_me[r]]
        )
        automatic += skipped
        bounced = [r for r in after if self.bounce[r]]
        for r in sent_rows:
            bounced += self._after(self.bounces_of.get(self.message_id[r], []), since)
        return _earliest(
            (reply, False, f"reply in the thread of your mail ({mine})"),
            (min(bounced, default=None), True, f"delivery failure report on your mail ({mine})"),
        )

    def _from_address(
        self, request: OpenRequest, forms: list[str], automatic: list[int]
    ) -> tuple[int, bool, str] | None:
        """The first mail from their address, or failure report for it, after the send."""
        sent_ns = request.sent_at.value
        replies = {r for f in forms for r in self._after(self.from_address.get(f, []), sent_ns)}
        reply, skipped = self._first_answer(sorted(replies))
        automatic += skipped
        bounces = {r for f in forms for r in self._after(self.bounces_for.get(f, []), sent_ns)}
        return _earliest(
            (reply, False, "first mail from their address after the send (not in the thread)"),
            (
                min(bounces, default=None),
                True,
                "delivery failure report for their address (not linked to your mail)",
            ),
        )


def _earliest(*options: tuple[int | None, bool, str]) -> tuple[int, bool, str] | None:
    """The option with the smallest row (rows are in time order), ignoring missing ones."""
    present = [(row, undelivered, rule) for row, undelivered, rule in options if row is not None]
    return min(present) if present else None


def _days(span: Any) -> str:
    days = span / pd.Timedelta(days=1)
    return f"{days:g} day" + ("" if days == 1 else "s")
