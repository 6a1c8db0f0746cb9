"""Your history as an observational experiment: past invitations, messages or mails as sends.

:func:`import_history` reads LinkedIn's export (outgoing invitations, or the messages that open
a conversation) or your sent mails, gives each a wording by one rule
(:mod:`etiquette_lab.sync.wording`), and logs them as sends of an experiment declared
``observational``: their wordings were chosen by you, not at random. A dry run by default;
running it twice adds nothing. :func:`history_caveat` gives the sentence a report on such an
experiment says when its source cannot show the outcomes. The rules are in ``docs/sync.md``.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from ..errors import InvalidInputError
from ..log.contact import contact_problem, normalise_address, normalise_profile_url
from ..log.file import LogFile, building_log, is_observational, open_log
from ..log.format import canonical_kind
from ..log.privacy import load_pseudonym_key, pseudonymise, pseudonymise_contact
from ..log.requests import OBSERVATIONAL
from ..names import fold_name
from ..results import Result, json_safe
from ..timestamps import format_time
from .apply import cannot_show
from .errors import SyncInputError
from .findings import where
from .history_sources import invitation_candidates, mail_candidates, message_candidates
from .identity import is_pseudonym
from .linkedin import read_linkedin_export
from .mail_table import read_mailbox
from .match import match_outcomes
from .wording import DEFAULT_LENGTH, WITH_NOTE, WITHOUT_NOTE, WordingRule
from .zone import UserZone, user_zone

__all__ = ["HistoryImport", "history_caveat", "import_history"]

VARIANTS = (WITH_NOTE, WITHOUT_NOTE)
#: A past message to someone the log has a send to within this time of it is that send.
SAME_SEND_WITHIN = pd.Timedelta(days=1)
#: Each source's request kind and channel, when the caller names no kind.
_DEFAULT_KIND = {"invitation": "connection", "message": "message", "mail": "cold email"}
_CHANNEL = {"invitation": "linkedin", "message": "linkedin", "mail": "email"}
NOTE_PREFIX = "history import: "


@dataclass(frozen=True, eq=False)
class HistoryImport(Result):
    """Past requests found in an export or a mailbox, as sends of an observational experiment.

    Attributes
    ----------
    experiment : str
        The experiment they are (or would be) logged in.
    sends : DataFrame
        One row per send to log: ``request_id`` (``""`` in a dry run), ``recipient`` (as in
        the source), ``variant``, ``kind``, ``channel``, ``at`` (UTC), ``source``, ``row``,
        ``row_kind``.
    already_logged : int
        Past requests the log already has (a send to that person within a day): not again.
    skipped : dict
        What the source holds that is not a request of yours, counted by reason.
    rule : str
        The wording rule (``note``, ``longer:N`` or ``contains:TEXT``).
    declared : bool
        Whether the experiment is (or, in a dry run, would be) declared by this import.
    written : int or None
        Sends appended to the log; None for a dry run.
    notes : tuple of str
        What the source cannot show about these requests' outcomes.
    """

    experiment: str
    sends: Any
    already_logged: int
    skipped: dict[str, int]
    rule: str
    declared: bool
    zone: UserZone
    pseudonymised: bool = False
    notes: tuple[str, ...] = ()
    written: int | None = None

    @property
    def _title(self) -> str:  # type: ignore[override]
        if self.written is None:
            return "Past requests found in your history (dry run: nothing written)"
        return f"Past requests found in your history ({self.written} written to the log)"

    def _summary_frame(self):
        frame = self.sends
        shown = pd.DataFrame(
            {
                "source": [
                    where(s, k, r)
                    for s, k, r in zip(
                        frame["source"], frame["row_kind"], frame["row"], strict=True
                    )
                ],
                "recipient": frame["recipient"],
                "variant": frame["variant"],
                "kind": frame["kind"],
                f"sent ({self.zone.name})": [
                    self.zone.local(at).strftime("%Y-%m-%d %H:%M:%S") for at in frame["at"]
                ],
            }
        )
        if self.written:
            shown["request"] = frame["request_id"]
        return shown.set_index("source")

    def _notes(self) -> list[str]:
        count = len(self.sends)
        counts = Counter(self.sends["variant"])
        lines = [
            f"{count} past request{'s' if count != 1 else ''} for the observational experiment "
            f"{self.experiment!r} ({counts[WITH_NOTE]} {WITH_NOTE}, {counts[WITHOUT_NOTE]} "
            f"{WITHOUT_NOTE} by the wording rule {self.rule}); {self.already_logged} already in "
            "the log (not again).",
            "Not randomised: you chose whom to write to and how, so a difference between the "
            "wordings may come from whom you wrote to, not from the wording.",
        ]
        if self.declared:
            lines.append(
                f"The experiment {self.experiment!r} is declared observational "
                f"({WITH_NOTE}, {WITHOUT_NOTE}) "
                + ("by this import." if self.written else "when written.")
            )
        if self.pseudonymised:
            lines.append("Names, profile URLs and addresses are stored as pseudonyms.")
        if self.skipped:
            lines.append(
                "Not requests, left out: "
                + "; ".join(f"{n} {reason}" for reason, n in self.skipped.items())
                + "."
            )
        return [*lines, *self.notes]

    def to_dict(self) -> dict[str, Any]:

        return json_safe(
            {
                "experiment": self.experiment,
                "sends": self.sends,
                "already_logged": self.already_logged,
                "skipped": self.skipped,
                "rule": self.rule,
                "declared": self.declared,
                "pseudonymised": self.pseudonymised,
                "timezone": self.zone.name,
                "notes": list(self.notes),
                "written": self.written,
            }
        )


def import_history(
    log: str | os.PathLike[str] | LogFile,
    experiment: str,
    *,
    linkedin: str | os.PathLike[str] | None = None,
    messages: bool = False,
    mailboxes: Iterable[str | os.PathLike[str]] = (),
    wording_rule: str | None = None,
    kind: str | None = None,
    my_addresses: Iterable[str] | None = None,
    timezone: Any = None,
    pseudonymise: bool = False,
    key: bytes | None = None,
    write: bool = False,
    progress: Any = False,
) -> HistoryImport:
    """Log your past invitations, LinkedIn messages or sent mails as an observational experiment.

    Parameters
    ----------
    log : path-like or LogFile
        The log (created on ``write`` when the path does not exist yet).
    experiment : str
        The experiment's name, e.g. ``"history-2025"``: declared with the variants
        ``with-note`` and ``without-note`` and ``assignment = observational``.
    linkedin : path-like, optional
        LinkedIn's export (ZIP or folder): its outgoing invitations, or with *messages* the
        messages of yours that open a conversation.
    messages : bool
        Import messages.csv instead of Invitations.csv.
    mailboxes : iterable of path-likes
        mbox files instead of an export: your mails that start a thread with one person.
    wording_rule : str, optional
        ``note``, ``longer:N`` or ``contains:TEXT`` (see ``docs/sync.md``); by default ``note``
        for invitations and ``longer:300`` for messages and mails.
    kind : str, optional
        The request kind of messages and mails (default ``message`` and ``cold email``);
        invitations are always ``connection`` requests.
    my_addresses : iterable of str, optional
        Your e-mail addresses (learned from the sent-mail folder when not given).
    timezone : str, optional
        Your zone for times the export gives without one (default: the machine's).
    pseudonymise : bool
        Store names, profile URLs and addresses as pseudonyms (as ``send --pseudonymise``),
        and no message text. Required for a log that already holds pseudonyms.
    key : bytes, optional
        The pseudonym key (default: the one the kit keeps).
    write : bool
        Append the sends (default: a dry run, nothing written).
    progress : bool or callable
        Progress while reading long mailboxes.

    Returns
    -------
    HistoryImport

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from etiquette_lab.sync import sync_example_paths
    >>> log = pathlib.Path(tempfile.mkdtemp()) / "history.csv"
    >>> found = import_history(log, "history", mailboxes=sync_example_paths()["mailboxes"],
    ...                        wording_rule="contains:{first_name}", write=True)
    >>> found.written, sorted(set(found.sends["variant"]))
    (5, ['with-note'])
    >>> import_history(log, "history", mailboxes=sync_example_paths()["mailboxes"],
    ...                wording_rule="contains:{first_name}", write=True).written
    0
    """
    experiment = str(experiment).strip()
    if not experiment:
        raise InvalidInputError("name the experiment to import your history into")
    boxes = list(mailboxes)
    if (linkedin is None) == (not boxes):
        raise InvalidInputError(
            "give either a LinkedIn export or mailboxes to import from (one experiment, one "
            "channel: a comparison across channels would compare the channels too)"
        )
    zone = user_zone(timezone)
    source_kind = "mail" if boxes else "message" if messages else "invitation"
    if source_kind == "invitation" and kind and canonical_kind(kind) != "connection":
        raise InvalidInputError(
            f"invitations are connection requests, not {kind!r}; import messages with messages=True"
        )
    request_kind = canonical_kind(kind or _DEFAULT_KIND[source_kind])
    rule = WordingRule.parse(
        wording_rule or ("note" if source_kind == "invitation" else f"longer:{DEFAULT_LENGTH}")
    )
    export = mailbox = None
    if linkedin is not None:
        export = read_linkedin_export(linkedin, timezone=zone)
        reader = message_candidates if messages else invitation_candidates
        candidates, skipped = reader(export)
    else:
        mailbox = read_mailbox(boxes, my_addresses=my_addresses, progress=progress)
        candidates, skipped = mail_candidates(mailbox)

    opened = _opened(log)
    requests = opened.requests() if opened is not None else None
    key = _key(requests, pseudonymise, key, write)
    _check_contacts(candidates)
    stored = _stored_forms(candidates, key if pseudonymise else None, _has_contacts(log, opened))
    keep, already = _new_sends(candidates, stored, requests)
    declare = _needs_declaration(opened, experiment)

    sends = pd.DataFrame(
        {
            "request_id": "",
            "recipient": candidates["name"],
            "variant": [
                rule.variant(t, name=n)
                for t, n in zip(candidates["text"], candidates["name"], strict=True)
            ],
            "kind": request_kind,
            "channel": _CHANNEL[source_kind],
            "at": candidates["at"],
            "source": candidates["source"],
            "row": candidates["row"],
            "row_kind": candidates["row_kind"],
        }
    )[keep].reset_index(drop=True)
    result = HistoryImport(
        experiment=experiment,
        sends=sends,
        already_logged=already,
        skipped=dict(skipped),
        rule=str(rule),
        declared=declare and len(sends) > 0,
        zone=zone,
        pseudonymised=pseudonymise,
        notes=tuple(_cannot_show(candidates[keep], source_kind, request_kind, export, mailbox)),
    )
    if not write:
        return result
    if not len(sends):
        return replace(result, written=0)
    rows = []
    for (_, item), forms in zip(
        candidates[keep].iterrows(), stored[keep].to_dict("records"), strict=True
    ):
        note = NOTE_PREFIX + where(item["source"], item["row_kind"], item["row"])
        if item["source_id"]:
            note += f" ({item['source_kind']} {item['source_id']})"
        rows.append(
            {
                "recipient": forms["recipient"],
                "profile_url": forms["profile_url"],
                "email": forms["email"],
                "message": "" if pseudonymise else item["text"],
                "at": format_time(zone.local(item["at"])),
                "experiment": experiment,
                "assignment": OBSERVATIONAL,
                "note": note if pseudonymise else f"{note}; wording rule {rule}",
            }
        )
    for row, variant in zip(rows, sends["variant"], strict=True):
        row.update(variant=variant, kind=request_kind, channel=_CHANNEL[source_kind])
    if opened is None:
        with building_log(log) as created:  # type: ignore[arg-type]
            created.declare(experiment, VARIANTS, assignment=OBSERVATIONAL)
            ids = created.send_many(rows)
    else:
        if declare:
            opened.declare(experiment, VARIANTS, assignment=OBSERVATIONAL)
        ids = opened.send_many(rows)
    sends = sends.assign(request_id=ids)
    return replace(result, sends=sends, written=len(ids))


def history_caveat(requests: Any, experiment: str | None = None) -> str | None:
    """What a report on imported history must say instead of a rate, or None.

    For the observational requests of *experiment* (all of them when None), grouped by kind:
    when none of a group has an outcome, its source may not be able to show one (LinkedIn's
    Invitations.csv may list only invitations still pending; a mailbox without your Inbox
    shows no reply), and a rate of 0 would be read as "nobody answered".

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"experiment": ["h", "h"], "kind": ["connection"] * 2,
    ...                       "assignment": ["observational"] * 2, "outcome": [None, None]})
    >>> print(history_caveat(table, "h"))
    The export cannot show whether these 2 connection requests were accepted: none of them has
    an outcome, and LinkedIn's Invitations.csv may list only invitations still pending (an
    accepted one can leave it), so no acceptance rate is shown; sync with an export that has
    Connections.csv, or log the outcomes by hand.
    >>> table.loc[0, "outcome"] = "accepted"
    >>> history_caveat(table, "h") is None
    True
    """
    table = requests
    if "assignment" not in table.columns:  # a table built by hand: nothing was imported
        return None
    if experiment is not None:
        table = table[table["experiment"].fillna("").astype(str) == str(experiment)]
    table = table[table["assignment"].fillna("").astype(str).str.startswith(OBSERVATIONAL)]
    answered = table["outcome"].notna()
    if "undelivered_at" in table.columns:
        answered |= table["undelivered_at"].notna()
    sentences = []
    for kind, group in table.groupby(table["kind"].astype(str), sort=False):
        if answered[group.index].any():
            continue
        n = len(group)
        if kind == "connection":
            sentences.append(
                "The export cannot show whether "
                + (
                    f"these {n} connection requests were"
                    if n != 1
                    else "this connection request was"
                )
                + " accepted: none of them has an outcome, and "
                "LinkedIn's Invitations.csv may list only invitations still pending (an "
                "accepted one can leave it), so no acceptance rate is shown; sync with an export "
                "that has Connections.csv, or log the outcomes by hand."
            )
        else:
            sentences.append(
                (f"None of these {n} {kind} requests" if n != 1 else f"This {kind} request")
                + " from your history has no outcome: nobody may have answered, or the source "
                "may not show the answers (give the export's messages.csv, or your Inbox as "
                "well as your sent mail, to sync), so no rate is shown."
            )
    return " ".join(sentences) or None


# -- the steps -------------------------------------------------------------------------------


def _opened(log: str | os.PathLike[str] | LogFile) -> LogFile | None:
    if isinstance(log, LogFile):
        return log
    return open_log(log) if os.path.lexists(log) else None


def _key(requests: Any, pseudonymise: bool, key: bytes | None, write: bool) -> bytes | None:
    """The pseudonym key when pseudonymising; a log of pseudonyms refuses names."""
    hidden = requests is not None and any(is_pseudonym(str(r)) for r in requests["recipient"])
    if hidden and not pseudonymise:
        raise InvalidInputError(
            "this log holds pseudonyms: import with pseudonymise=True, so that "
            "no name is written into it"
        )
    if not pseudonymise or key is not None:
        return key

    try:
        # A dry run into a log without pseudonyms needs no key: it is made when writing.
        return load_pseudonym_key(create=write)
    except InvalidInputError:
        if write or hidden:
            raise
        return None


def _check_contacts(candidates: pd.DataFrame) -> None:
    """A profile URL or address the log would refuse, named by its file and row."""
    for item in candidates.to_dict(orient="records"):
        for column in ("profile_url", "email"):
            problem = contact_problem(column, str(item[column]))
            if problem is not None:
                row = int(item["row"])
                raise SyncInputError(
                    problem,
                    path=item["source"],
                    line=row if item["row_kind"] == "line" else None,
                    message_number=row if item["row_kind"] == "message" else None,
                )


def _has_contacts(log: Any, opened: LogFile | None) -> bool:
    """Whether the log has the profile_url and email columns (format version 2 and later)."""
    if opened is None:
        return True  # a new log is made in the current version
    with open(opened.path, "rb") as handle:
        return b"profile_url" in handle.readline(4096)


def _stored_forms(candidates: pd.DataFrame, key: bytes | None, contacts: bool) -> pd.DataFrame:
    """Recipient, profile URL and address as the log will store them (pseudonyms with a key)."""

    rows = []
    for name, url, address in zip(
        candidates["name"], candidates["profile_url"], candidates["email"], strict=True
    ):
        url, address = (url, address) if contacts else ("", "")
        if key is None:
            rows.append({"recipient": name, "profile_url": url, "email": address})
        else:
            rows.append(
                {
                    "recipient": pseudonymise(name, key),
                    "profile_url": pseudonymise_contact("profile_url", url, key),
                    "email": pseudonymise_contact("email", address, key),
                }
            )
    return pd.DataFrame(rows, columns=["recipient", "profile_url", "email"], index=candidates.index)


def _identities(recipient: Any, url: Any, address: Any) -> list[tuple[str, str]]:
    """The forms a send is known by: its recipient, profile URL and address as stored."""
    found = [("name", fold_name(str(recipient)))]
    for kind, value, normal in (
        ("url", str(url or ""), normalise_profile_url),
        ("email", str(address or ""), normalise_address),
    ):
        if value and value == value:  # (not NaN)
            found.append((kind, value if is_pseudonym(value) else normal(value)))
    return found


def _new_sends(
    candidates: pd.DataFrame, stored: pd.DataFrame, requests: Any
) -> tuple[pd.Series, int]:
    """Which candidates are new: not a send the log has to that person within a day, nor a
    second one within a day of an earlier candidate. (Running the import again adds nothing,
    and a send logged by hand is not imported a second time.)"""
    seen: dict[tuple[str, str], list[Any]] = {}
    if requests is not None:
        for recipient, url, address, at in zip(
            requests["recipient"], requests["profile_url"], requests["email"],
            requests["first_sent_at"], strict=True,
        ):  # fmt: skip
            for identity in _identities(recipient, url, address):
                seen.setdefault(identity, []).append(at)
    keep = []
    for forms, at in zip(stored.to_dict("records"), candidates["at"], strict=True):
        identities = _identities(forms["recipient"], forms["profile_url"], forms["email"])
        known = any(abs(at - t) <= SAME_SEND_WITHIN for i in identities for t in seen.get(i, ()))
        keep.append(not known)
        if not known:
            for identity in identities:
                seen.setdefault(identity, []).append(at)
    mask = pd.Series(keep, index=candidates.index, dtype=bool)
    return mask, int((~mask).sum())


def _needs_declaration(opened: LogFile | None, experiment: str) -> bool:
    """True when the experiment must be declared; an experiment declared otherwise is refused."""
    if opened is None or experiment not in opened.variants:
        return True
    if not is_observational(opened, experiment):
        raise InvalidInputError(
            f"experiment {experiment!r} is declared in this log as randomised: import your "
            "history into an experiment of its own (e.g. history-2025)"
        )
    missing = [v for v in VARIANTS if v not in opened.variants[experiment]]
    if missing:
        raise InvalidInputError(
            f"experiment {experiment!r} is declared without the variant(s) {', '.join(missing)}, "
            "which the import logs: import into a new experiment"
        )
    return False


def _cannot_show(
    new: pd.DataFrame, source_kind: str, kind: str, export: Any, mailbox: Any
) -> list[str]:
    """What the source cannot show about the outcomes of the sends found, said at import."""
    if not len(new):
        return []
    table = pd.DataFrame(
        {
            "request_id": [f"h{i}" for i in range(len(new))],
            "recipient": new["name"].to_numpy(),
            "kind": kind,
            "channel": _CHANNEL[source_kind],
            "profile_url": new["profile_url"].to_numpy(),
            "email": new["email"].to_numpy(),
            "first_sent_at": new["at"].to_numpy(),
            "first_response_at": pd.Series(
                pd.NaT, index=range(len(new)), dtype="datetime64[ns, UTC]"
            ),
        }
    )

    proposal = match_outcomes(table, export=export, mailbox=mailbox)
    notes = cannot_show(proposal)
    found = int((proposal.proposed["event"] == "responded").sum())
    if found == 0 and not notes:
        notes.append(
            history_caveat(table.assign(assignment=OBSERVATIONAL, outcome=None, experiment=""))
            or ""
        )
    return [n for n in notes if n]
