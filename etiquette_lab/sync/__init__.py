"""Let the data you already have fill in the outcomes: LinkedIn's export and your mailbox.

The readers turn LinkedIn's "Get a copy of your data" archive and mbox files into tables; the
matcher proposes, for each open request of a log, the response or bounce they show, and lists
what it will not guess. The rules are in ``docs/sync.md``. Nothing here writes to a log: a
:class:`SyncProposal` is a dry run whose :meth:`~SyncProposal.log_rows` are appended through
the log like any other event. :func:`import_history` turns your past invitations, messages or
sent mails into the sends of an observational experiment.
"""

from __future__ import annotations

from .apply import sync_log
from .errors import SyncInputError
from .example import sync_example_paths
from .history import HistoryImport, history_caveat, import_history
from .linkedin import LinkedInExport, read_linkedin_export
from .mail_table import Mailbox, read_mailbox
from .match import match_outcomes
from .mbox import MailHeaders, iter_mbox
from .proposal import SyncProposal

__all__ = [
    "HistoryImport",
    "LinkedInExport",
    "MailHeaders",
    "Mailbox",
    "SyncInputError",
    "SyncProposal",
    "history_caveat",
    "import_history",
    "iter_mbox",
    "match_outcomes",
    "read_linkedin_export",
    "read_mailbox",
    "sync_example_paths",
    "sync_log",
]
