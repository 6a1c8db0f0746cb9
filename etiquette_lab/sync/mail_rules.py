"""Which mails are not a person's answer: automatic replies and delivery failure reports.

An automatic reply (out of office, vacation, a ticket robot) is never counted as an answer. A
delivery failure report (a bounce) marks the request it reports on as undelivered. The rules
are in ``docs/sync.md``; they look at headers, and read a body only for a delivery report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32

from .mail_headers import message_ids, parse_fields

__all__: list[str] = []

#: Subjects of automatic replies, at the start of the subject after any "Re:"/"AW:" prefixes:
#: what Outlook/Exchange, Gmail and common mail servers write in English, Norwegian, Swedish,
#: Danish, German, Dutch, French, Spanish, Italian and Finnish. A person's subject that starts
#: with one of these ("Out of office next week?") is taken as automatic too: missing one
#: answer is better than counting a robot's.
AUTOMATIC_SUBJECTS: tuple[str, ...] = (
    "out of office", "out of the office", "automatic reply", "auto reply", "auto-reply",
    "autoreply", "auto response", "auto-response", "autoresponse", "vacation reply",
    "fraværsmelding", "automatisk svar", "automatiskt svar", "autosvar", "abwesenheitsnotiz",
    "automatische antwort", "afwezigheidsbericht", "automatisch antwoord",
    "réponse automatique", "respuesta automática", "risposta automatica",
    "automaattinen vastaus", "poissaoloviesti",
)  # fmt: skip
_PREFIXES = r"(?:(?:re|aw|sv|vs|antw|r|rif|wg|fw|fwd|tr)\s*(?:\[\d+\])?\s*:\s*)*"
_AUTOMATIC_SUBJECT = re.compile(
    r"\s*" + _PREFIXES + "(?:" + "|".join(re.escape(s) for s in AUTOMATIC_SUBJECTS) + ")",
    re.IGNORECASE,
)
_AUTOMATIC_PRECEDENCE = frozenset({"auto_reply", "bulk", "junk"})
_MAIL_SYSTEM = frozenset({"mailer-daemon", "postmaster"})


def automatic_reason(fields: dict[str, str], from_address: str) -> str:
    """Why a mail with these header *fields* is automatic, or ``""`` for a person's mail.

    Examples
    --------
    >>> automatic_reason({"auto-submitted": "auto-replied"}, "ada@example.org")
    'Auto-Submitted: auto-replied'
    >>> automatic_reason({"auto-submitted": "no", "subject": "Re: lunch?"}, "ada@example.org")
    ''
    >>> automatic_reason({"subject": "SV: Fraværsmelding: Kaffe?"}, "ada@example.org")
    "subject 'SV: Fraværsmelding: Kaffe?'"
    """
    submitted = fields.get("auto-submitted", "").split(";")[0].split("(")[0].strip().casefold()
    if submitted and submitted != "no":
        return f"Auto-Submitted: {fields['auto-submitted'].strip()}"
    for name in ("x-autoreply", "x-autorespond"):
        if name in fields:
            return f"{'X-Autoreply' if name == 'x-autoreply' else 'X-Autorespond'} header"
    precedence = fields.get("precedence", "").strip().casefold()
    if precedence in _AUTOMATIC_PRECEDENCE:
        return f"Precedence: {precedence}"
    if from_address.split("@")[0] in _MAIL_SYSTEM:
        return f"from the mail system ({from_address})"
    if fields.get("return-path", "").strip() == "<>":
        return "no return address (Return-Path: <>), as automatic mail has"
    subject = fields.get("subject", "")
    if _AUTOMATIC_SUBJECT.match(subject):
        return f"subject {subject.strip()!r}"
    return ""


def is_delivery_report(content_type: str) -> bool:
    """True for ``multipart/report; report-type=delivery-status`` (any case, quoted or not).

    Examples
    --------
    >>> is_delivery_report('multipart/report; report-type="delivery-status"; boundary="x"')
    True
    """
    folded = content_type.casefold()
    return folded.strip().startswith("multipart/report") and bool(
        re.search(r"report-type\s*=\s*\"?delivery-status", folded)
    )


@dataclass(frozen=True)
class DeliveryReport:
    """What a delivery status notification (RFC 3464) says."""

    failed: tuple[str, ...]  # recipients with Action: failed (or a 5.x.x status)
    delayed: tuple[str, ...]  # recipients with Action: delayed (a warning, not a bounce)
    original_message_id: str  # the Message-ID of the mail it reports on, when included


def read_delivery_report(header_block: bytes, body: bytes) -> DeliveryReport:
    """Read a delivery report from its header block and (the start of) its body."""
    message = BytesParser(policy=compat32).parsebytes(header_block + b"\n\n" + body)
    failed: list[str] = []
    delayed: list[str] = []
    original = ""
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            for block in _status_blocks(part):
                recipient = _address(
                    block.get("Final-Recipient") or block.get("Original-Recipient")
                )
                action = str(block.get("Action", "")).strip().casefold()
                status = str(block.get("Status", "")).strip()
                if not recipient:
                    continue
                if action == "failed" or (not action and status.startswith("5")):
                    failed.append(recipient)
                elif action == "delayed":
                    delayed.append(recipient)
        elif kind in ("message/rfc822", "text/rfc822-headers") and not original:
            original = _original_message_id(part)
    return DeliveryReport(tuple(failed), tuple(delayed), original)


def _status_blocks(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [p for p in payload if isinstance(p, Message)]
    return []


def _address(value: object) -> str:
    """``rfc822; ada@example.org`` -> ``ada@example.org``."""
    text = str(value or "").strip()
    return text.split(";", 1)[-1].strip().strip("<>").casefold()


def _original_message_id(part: Message) -> str:
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        ids = message_ids(str(payload[0].get("Message-ID", "")))
    else:
        raw = payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else b""
        ids = message_ids(parse_fields(raw).get("message-id", ""))
    return ids[0] if ids else ""
