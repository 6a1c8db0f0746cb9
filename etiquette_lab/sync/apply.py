"""Sync a log from your archive: read the sources, match, and (when asked) write the events.

The one function behind ``etiquette-lab sync``. A dry run by default; with ``write=True`` the
proposed events are appended through the log's one gate (validation, lock, journal), so they
land whole or not at all, and a second run finds those requests answered and proposes nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from ..errors import InvalidInputError
from ..log.file import LogFile, open_log
from ..log.privacy import load_pseudonym_key
from .errors import SyncInputError
from .identity import is_pseudonym
from .linkedin import read_linkedin_export
from .mail_table import read_mailbox
from .match import match_outcomes
from .proposal import SyncProposal

__all__ = ["sync_log"]

#: Fewer open requests than this, all unknown to the sources, may be chance; this many is not.
FOREIGN_EXPORT_MIN_REQUESTS = 3


def sync_log(
    log: str | os.PathLike[str] | LogFile,
    *,
    linkedin: str | os.PathLike[str] | None = None,
    mailboxes: Iterable[str | os.PathLike[str]] = (),
    write: bool = False,
    timezone: Any = None,
    key: bytes | None = None,
    sent_within: Any = "1d",
    progress: Any = False,
) -> SyncProposal:
    """Find the outcomes your LinkedIn export and mailbox show for a log's open requests.

    Parameters
    ----------
    log : path-like or LogFile
        The log.
    linkedin : path-like, optional
        LinkedIn's "Get a copy of your data" ZIP, or the folder it unpacks to.
    mailboxes : iterable of path-likes
        mbox files (Gmail Takeout's ``.mbox``, Thunderbird's ``Inbox`` and ``Sent``).
    write : bool
        Append the proposed events to the log (default: a dry run, nothing written).
    timezone : str, optional
        Your zone, for times the export gives without one (default: the machine's).
    key : bytes, optional
        The pseudonym key; read from where the kit keeps it when the log holds pseudonyms.
    sent_within : str
        How far your sent mail may be dated from the logged send ("1d").
    progress : bool or callable
        Report progress while reading long mailboxes (``True``: a line on stderr).

    Returns
    -------
    SyncProposal
        The events proposed (and, with *write*, written: ``written``), the ambiguous requests
        left to you, and those with nothing found.

    Raises
    ------
    SyncInputError
        For a source the kit cannot read, and when none of at least three open requests has
        its recipient anywhere in the sources (someone else's export, or the wrong key).

    Examples
    --------
    >>> import shutil, tempfile, pathlib
    >>> from etiquette_lab.sync import sync_example_paths
    >>> paths = sync_example_paths()
    >>> log = pathlib.Path(tempfile.mkdtemp()) / "asks.csv"
    >>> _ = shutil.copyfile(paths["log"], log)
    >>> first = sync_log(log, linkedin=paths["linkedin"], mailboxes=paths["mailboxes"],
    ...                  timezone="Europe/Oslo", write=True)
    >>> again = sync_log(log, linkedin=paths["linkedin"], mailboxes=paths["mailboxes"],
    ...                  timezone="Europe/Oslo", write=True)
    >>> first.written > 0, again.written
    (True, 0)
    """
    if linkedin is None and not list(mailboxes):
        raise InvalidInputError("give a LinkedIn export, a mailbox, or both, to sync the log from")
    opened = log if isinstance(log, LogFile) else open_log(log)
    requests = opened.requests()
    if key is None and any(is_pseudonym(str(r)) for r in requests["recipient"]):
        key = load_pseudonym_key(create=False)
    export = read_linkedin_export(linkedin, timezone=timezone) if linkedin is not None else None
    boxes = list(mailboxes)
    mailbox = read_mailbox(boxes, progress=progress) if boxes else None
    proposal = match_outcomes(
        requests,
        export=export,
        mailbox=mailbox,
        key=key,
        timezone=timezone,
        sent_within=sent_within,
    )
    unknown = proposal.unknown_recipients
    if unknown >= FOREIGN_EXPORT_MIN_REQUESTS and unknown == proposal.open_requests:
        raise SyncInputError(
            f"none of the {unknown} open requests' recipients appears in it: this export does "
            "not look like it belongs to the person who sent these requests (or, for a "
            "pseudonymised log, the key is not the one it was written with); nothing written",
            path=str(linkedin if linkedin is not None else boxes[0]),
        )
    proposal = replace(proposal, notes=(*proposal.notes, *cannot_show(proposal)))
    if not write:
        return proposal
    written = opened.record_follow_ups(proposal.log_rows())
    return replace(proposal, written=written)


def cannot_show(proposal: SyncProposal) -> list[str]:
    """Say which outcomes the sources cannot show at all, instead of a silent "nothing found"."""
    reasons = proposal.unmatched["reason"].astype(str)
    missing = reasons[reasons.str.startswith(("the export has no", "a LinkedIn request: give"))]
    return [
        f"cannot show these outcomes: {reason} ({count} request{'s' if count != 1 else ''}); "
        "log them by hand"
        for reason, count in missing.value_counts(sort=False).items()
    ]
