"""The text of one mail of an mbox file, for the few mails whose wording an import reads.

The mbox reader parses headers only (:mod:`etiquette_lab.sync.mbox`); an import of your sent
mails needs their text as well, to tell a mail with a note from one without. This reads one
mail from where its ``From`` line starts, at most the first MiB, and takes its plain-text part
(else its HTML part, without tags) with the standard library's :mod:`email` parser.
"""

from __future__ import annotations

import email
import email.policy
import html
import os
import re

from .mbox import _SEPARATOR_LINE, REPORT_LIMIT

__all__: list[str] = []

# The next mail: a separator line after an empty line (the mbox reader's rule).
_NEXT_MAIL = re.compile(rb"\n\r?\n(?=" + _SEPARATOR_LINE.pattern + rb")")
_ESCAPED_FROM = re.compile(rb"(?m)^>(>*From )")
_TAG = re.compile(r"<[^>]*>")


def mail_text(path: str | os.PathLike[str], offset: int, *, limit: int = REPORT_LIMIT) -> str:
    """The text of the mail whose ``From`` line starts at byte *offset* of *path*.

    Examples
    --------
    >>> from etiquette_lab.sync import sync_example_paths, iter_mbox
    >>> sent = sync_example_paths()["mailboxes"][1]
    >>> first = next(iter_mbox(sent))
    >>> mail_text(sent, first.offset)
    'Hei Jon,\\n\\nhar du tid til en kaffe?\\n'
    """
    with open(path, "rb") as handle:
        handle.seek(offset)
        data = handle.read(limit)
    data = data[data.find(b"\n") + 1 :]  # the From line is not the mail's
    end = _NEXT_MAIL.search(data)
    if end is not None:
        data = data[: end.start() + 1]
    data = _ESCAPED_FROM.sub(rb"\1", data.replace(b"\r\n", b"\n"))
    message = email.message_from_bytes(data, policy=email.policy.default)
    part = message.get_body(preferencelist=("plain", "html"))  # type: ignore[attr-defined]
    if part is None:
        return ""
    try:
        text = part.get_content()
    except (LookupError, ValueError, AssertionError):  # an unknown charset, a damaged encoding
        payload = part.get_payload(decode=True)
        text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if part.get_content_subtype() == "html":
        text = html.unescape(_TAG.sub(" ", text))
    return str(text)
