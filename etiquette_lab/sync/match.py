"""Match a log's open requests against a LinkedIn export and a mailbox, never guessing.

Which rule reads which source is decided by the request's kind and channel:

==========================  ======================================  ============
request                     rule                                    outcome
==========================  ======================================  ============
kind ``connection``         Connections.csv, connected on or after  ``accepted``
kind ``recommendation``     Recommendations_Received.csv            ``recommended``
channel e-mail, or kind     your mailbox: the thread of your mail   ``replied``
``cold email``
any other kind on LinkedIn  messages.csv, their first message       ``replied``
==========================  ======================================  ============

(an endorsement is not read from the export yet). Only open requests (no response, not marked
undelivered) are looked at, so a second run over a log that holds the proposed events proposes
nothing. The full rules are in ``docs/sync.md``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pandas as pd

from ..errors import InvalidInputError
from ..log.contact import text_of
from ..log.format import DEFAULT_OUTCOMES, canonical_kind
from ..timestamps import parse_duration
from .findings import Ambiguous, Evidence, Finding, NotFound, OpenRequest, where
from .identity import Keys, Recipient
from .linkedin import LinkedInExport
from .mail_table import Mailbox
from .match_linkedin import LinkedInRules
from .match_mail import MailRules
from .proposal import AMBIGUOUS_COLUMNS, PROPOSED_COLUMNS, UNMATCHED_COLUMNS, SyncProposal
from .zone import user_zone

__all__ = ["match_outcomes"]

REQUIRED_COLUMNS = (
    "request_id",
    "recipient",
    "kind",
    "channel",
    "first_sent_at",
    "first_response_at",
)
_EMAIL_CHANNELS = frozenset({"email", "mail"})


def rule_for(kind: str, channel: str) -> str | None:
    """Which rule answers a request of *kind* on *channel*: ``"connection"``,
    ``"recommendation"``, ``"email"``, ``"message"`` or None (no rule reads it).

    Examples
    --------
    >>> rule_for("Connection", "linkedin"), rule_for("cold email", ""), rule_for("coffee", "E-mail")
    ('connection', 'email', 'email')
    >>> rule_for("informational interview", "linkedin"), rule_for("endorsement", "linkedin")
    ('message', None)
    """
    folded_kind = canonical_kind(text_of(kind)).casefold()
    folded_channel = "".join(text_of(channel).split()).replace("-", "").casefold()
    if folded_kind in ("connection", "recommendation"):
        return folded_kind
    if folded_kind == "endorsement":
        return None
    if folded_kind == "cold email" or folded_channel in _EMAIL_CHANNELS:
        return "email"
    return "message" if folded_channel in ("linkedin", "") else None


def match_outcomes(
    requests: Any,
    *,
    export: LinkedInExport | None = None,
    mailbox: Mailbox | None = None,
    key: bytes | None = None,
    timezone: Any = None,
    sent_within: Any = "1d",
) -> SyncProposal:
    """Propose the responses (and bounces) that a LinkedIn export and a mailbox show.

    Parameters
    ----------
    requests : DataFrame
        The log's table of requests (:func:`etiquette_lab.read_requests`). Optional columns
        ``profile_url`` and ``email`` are used first when present; ``withdrawn_at`` keeps a
        withdrawn connection request from being "accepted" later; ``undelivered_at`` closes a
        request like a response does.
    export : LinkedInExport, optional
        From :func:`read_linkedin_export`.
    mailbox : Mailbox, optional
        From :func:`read_mailbox`.
    key : bytes, optional
        The pseudonym key (:func:`etiquette_lab.load_pseudonym_key`); required when the log's
        recipients are pseudonyms.
    timezone : str or tzinfo, optional
        The zone for shown and logged times; the export's, else the machine's.
    sent_within : str or timedelta
        How far from the logged send time your sent mail may be dated ("1d").

    Returns
    -------
    SyncProposal
        The events to log (a dry run: nothing is written), the ambiguous requests and those
        with nothing found, each with its reason.

    Examples
    --------
    >>> from etiquette_lab import read_requests
    >>> from etiquette_lab.sync import sync_example_paths, read_linkedin_export, read_mailbox
    >>> paths = sync_example_paths()
    >>> proposal = match_outcomes(
    ...     read_requests(paths["log"]),
    ...     export=read_linkedin_export(paths["linkedin"], timezone="Europe/Oslo"),
    ...     mailbox=read_mailbox(paths["mailboxes"]),
    ... )
    >>> proposal.proposed[["request_id", "event", "outcome"]].head(3)
      request_id      event   outcome
    0      r0001  responded  accepted
    1      r0002  responded  accepted
    2      r0004  responded  accepted
    """
    if export is None and mailbox is None:
        raise InvalidInputError("give a LinkedIn export, a mailbox, or both, to match against")
    missing = [c for c in REQUIRED_COLUMNS if c not in getattr(requests, "columns", ())]
    if missing:
        raise InvalidInputError(f"the requests table lacks the columns: {', '.join(missing)}")
    zone = user_zone(timezone if timezone is not None or export is None else export.zone)
    within = pd.Timedelta(parse_duration(sent_within))
    table = requests.reset_index(drop=True)
    closed = pd.to_datetime(table["first_response_at"], utc=True).notna()
    if "undelivered_at" in table.columns:
        closed |= pd.to_datetime(table["undelivered_at"], utc=True).notna()
    table = table[~closed]
    recipients = [text_of(r) for r in table["recipient"]]
    hidden = [r for r in recipients if Recipient.of(r).pseudonymised]
    if hidden and key is None:
        raise InvalidInputError(
            f"the log's recipients are pseudonymised ({hidden[0]}, ...): give the pseudonym "
            "key (load_pseudonym_key()) so the export's names can be compared"
        )
    keys = Keys(key if hidden else None)
    linkedin = LinkedInRules(export, keys, zone) if export is not None else None
    mail = MailRules(mailbox, keys, within) if mailbox is not None else None
    open_requests = list(_open_requests(table, recipients))
    findings = [_find(request, linkedin, mail) for request in open_requests]
    findings = _one_item_one_request(open_requests, findings)
    sources = tuple(
        s for s in (export.source if export else None, *(mailbox.sources if mailbox else ())) if s
    )
    notes = _notes(open_requests, findings)
    return SyncProposal(
        proposed=_frame(
            [
                {**_who(r), **{c: getattr(f, c) for c in PROPOSED_COLUMNS if hasattr(f, c)}}
                for r, f in zip(open_requests, findings, strict=True)
                if isinstance(f, Evidence)
            ],
            PROPOSED_COLUMNS,
        ),
        ambiguous=_frame(
            [
                {**_who(r), "reason": f.reason, "candidates": "; ".join(f.candidates)}
                for r, f in zip(open_requests, findings, strict=True)
                if isinstance(f, Ambiguous)
            ],
            AMBIGUOUS_COLUMNS,
        ),
        unmatched=_frame(
            [
                {**_who(r), "reason": f.reason}
                for r, f in zip(open_requests, findings, strict=True)
                if isinstance(f, NotFound)
            ],
            UNMATCHED_COLUMNS,
        ),
        open_requests=len(open_requests),
        closed_requests=int(closed.sum()),
        zone=zone,
        sources=sources,
        notes=tuple(notes),
        unknown_recipients=sum(isinstance(f, NotFound) and f.unknown_person for f in findings),
    )


def _open_requests(table: Any, recipients: list[str]) -> Any:
    sent = pd.to_datetime(table["first_sent_at"], utc=True)
    withdrawn = (
        pd.to_datetime(table["withdrawn_at"], utc=True)
        if "withdrawn_at" in table.columns
        else pd.Series(pd.NaT, index=table.index, dtype="datetime64[ns, UTC]")
    )
    urls = table["profile_url"] if "profile_url" in table.columns else [None] * len(table)
    emails = table["email"] if "email" in table.columns else [None] * len(table)
    for i, (rid, name, kind, channel, url, address) in enumerate(
        zip(
            table["request_id"],
            recipients,
            table["kind"],
            table["channel"],
            urls,
            emails,
            strict=True,
        )
    ):
        if pd.isna(sent.iat[i]):
            raise InvalidInputError(f"request {rid} has no send time")
        yield OpenRequest(
            request_id=str(rid),
            recipient=name,
            who=Recipient.of(name, url, address),
            kind=text_of(kind),
            channel=text_of(channel),
            sent_at=sent.iat[i],
            withdrawn_at=withdrawn.iat[i],
        )


def _find(request: OpenRequest, linkedin: LinkedInRules | None, mail: MailRules | None) -> Finding:
    rule = rule_for(request.kind, request.channel)
    outcome = DEFAULT_OUTCOMES.get(canonical_kind(request.kind), "replied")
    if rule is None:
        return NotFound(
            f"no rule reads a {request.kind or 'request'!r} on {request.channel or 'no channel'!r}"
            " from the export or the mailbox: log its outcome by hand"
        )
    if rule == "email":
        if mail is None:
            return NotFound("an e-mail request: give your mailbox to look for the reply")
        return mail.email(request, outcome)
    if linkedin is None:
        return NotFound("a LinkedIn request: give the LinkedIn export to look for the answer")
    if rule == "connection":
        return linkedin.connection(request)
    if rule == "recommendation":
        return linkedin.recommendation(request)
    return linkedin.message(request, outcome)


def _one_item_one_request(requests: list[OpenRequest], findings: list[Finding]) -> list[Finding]:
    """One row or mail claimed by two requests answers neither: both become ambiguous."""
    claims: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for position, finding in enumerate(findings):
        if isinstance(finding, Evidence):
            claims[finding.key].append(position)
    result = list(findings)
    for positions in claims.values():
        if len(positions) < 2:
            continue
        first = findings[positions[0]]
        assert isinstance(first, Evidence)
        item = where(first.source, first.row_kind, first.row)
        ids = ", ".join(requests[p].request_id for p in positions)
        for position in positions:
            result[position] = Ambiguous(
                f"the same item answers {len(positions)} open requests ({ids})", (item,)
            )
    return result


def _notes(requests: list[OpenRequest], findings: list[Finding]) -> list[str]:
    notes = []
    low = sum(isinstance(f, Evidence) and f.confidence == "low" for f in findings)
    if low:
        notes.append(
            f"{low} reply found only as a mail from their address outside the thread of your "
            "mail (low confidence): check it before writing"
        )
    unknown = sum(isinstance(f, NotFound) and f.unknown_person for f in findings)
    if len(requests) >= 3 and unknown == len(requests):
        notes.append(
            f"none of the {len(requests)} recipients appears in the sources: is this your own "
            "export and mailbox (and, for a pseudonymised log, the right key)?"
        )
    return notes


def _who(request: OpenRequest) -> dict[str, str]:
    return {"request_id": request.request_id, "recipient": request.recipient, "kind": request.kind}


def _frame(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> Any:
    frame = pd.DataFrame(rows, columns=list(columns))
    if "at" in frame.columns:
        frame["at"] = pd.to_datetime(frame["at"], utc=True)
    return frame
