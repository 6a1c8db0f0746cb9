"""The text of one mail of an mbox file, for the few mails whose wording an import reads.

The mbox reader parses headers only (:mod:`etiquette_lab.sync.mbox`); an import of your sent
mails needs their text as well, to tell a mail with a note from one without. This reads one
mail from where its ``From`` line starts, at most the first MiB, and takes its plain-text part
(else its HTML part, without tags) with the standard library's :mod:`email` parser.
"""

from __future__ import annotations

import email
import html
import os
import re

from .mbox import REPORT_LIMIT, SEPARATOR_LINE

__all__: list[str] = []

# The next mail: a separator line after an empty line (the mbox reader's rule).
_NEXT_MAIL = re.compile(rb"\n\r?\n(?=" + SEPARATOR_LINE.pattern + rb")")
_ESCAPED_FROM = re.compile(rb"(?m)^>(>*From )")
_TAG = re.compile(r"<[^>]*>")
_STEP = 1 << 16


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
        data, end = b"", None
        # A few KiB hold most mails: read on only while the next mail has not begun.
        while end is None and len(data) < limit:
            chunk = handle.read(min(_STEP, limit - len(data)))
            if not chunk:
                break
            searched = max(0, len(data) - 64)  # a separator may straddle two chunks
            data += chunk
            end = _NEXT_MAIL.search(data, searched)
    first_line_end = data.find(b"\n") + 1  # the From line is not the mail's
    if end is not None:
        data = data[: end.start() + 1]
    data = data[first_line_end:]
    data = _ESCAPED_FROM.sub(rb"\1", data.replace(b"\r\n", b"\n"))
    if end is None and len(data) < limit and data.endswith(b"\n\n"):
        data = data[:-1]  # the file's last mail: the empty line after it is the mbox's
    # The compat32 parser: several times faster than the modern policy, and enough to find the
    # text part and undo its transfer encoding.
    message = email.message_from_bytes(data)
    parts = [p for p in message.walk() if p.get_content_maintype() == "text"]
    part = next((p for p in parts if p.get_content_subtype() == "plain"), None)
    part = part or next((p for p in parts if p.get_content_subtype() == "html"), None)
    if part is None:
        return ""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        text = payload.decode(charset, "replace")
    except LookupError:  # a charset Python does not know
        text = payload.decode("utf-8", "replace")
    if part.get_content_subtype() == "html":
        text = html.unescape(_TAG.sub(" ", text))
    return text
