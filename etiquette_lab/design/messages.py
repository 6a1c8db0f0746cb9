"""Designing an experiment: from a contacts file and two wordings to messages ready to send.

The pieces live in small modules, re-exported here: :mod:`~etiquette_lab.design.experiment` (the
experiment file), :mod:`~etiquette_lab.design.templates` (templates, contacts, rendering),
:mod:`~etiquette_lab.design.score` (the personalisation score) and
:mod:`~etiquette_lab.design.assign` (random assignment). This module joins them into a *plan*:
one row per person with the wording they were assigned, the rendered message and its score,
which :func:`log_messages` records as sends, all at once or one person at a time.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from typing import Any

from .. import csvsafe, userfiles
from ..errors import InvalidInputError, LocatedInputError
from ..log.format import canonical_kind
from ..log.privacy import pseudonymise
from ..log.requests import SEND_FIELDS
from ..names import fold_name
from ..userfiles import read_text_file
from .assign import assign_variants, assignment_balance, block_order, parse_assignment
from .contacts import check_contact_values, check_contacts, read_contacts, record_lines
from .experiment import Experiment, Variant, experiment_to_toml, load_experiment, save_experiment
from .score import IDENTITY_FIELDS, PersonalisationScore, personalisation_score, wording_distance
from .templates import (
    DEFAULT_TEMPLATES,
    builtin_template,
    builtin_template_names,
    render_template,
    template_fields,
)

__all__ = [
    "DEFAULT_TEMPLATES",
    "IDENTITY_FIELDS",
    "PLAN_COLUMNS",
    "Experiment",
    "PersonalisationScore",
    "Variant",
    "assign_variants",
    "assignment_balance",
    "block_order",
    "builtin_template",
    "builtin_template_names",
    "experiment_to_toml",
    "load_experiment",
    "log_messages",
    "parse_assignment",
    "personalisation_score",
    "plan_messages",
    "planned_sends",
    "read_contacts",
    "read_plan",
    "render_messages",
    "render_template",
    "save_experiment",
    "template_fields",
    "validate_contacts",
    "wording_distance",
    "write_plan",
]

#: The plan's leading columns, in order; the contacts' own columns follow.
PLAN_COLUMNS: tuple[str, ...] = (
    "experiment",
    "recipient",
    "variant",
    "stratum",
    "assignment",
    "kind",
    "channel",
    "score",
    "distance",
    "detail",
    "detail_fields",
    "block",
    "slot",
    "message",
)


def validate_contacts(experiment: Experiment, contacts: Any, *, key: str = "name") -> Any:
    """Check that every contact has a value for every placeholder of every variant.

    Every variant is checked, not only the one a person will get: otherwise whether someone
    can be messaged would depend on the arm chance gave them, and people with gaps in their
    data would drop out of one arm only. Returns the contacts as a clean text DataFrame.

    Raises
    ------
    LocatedInputError
        An :class:`InvalidInputError` naming the first recipient and field with a missing or
        empty value (and the contacts file's line, when read from a file), and how many such
        problems there are in all.

    Examples
    --------
    >>> e = Experiment("demo", [Variant("a", "Hi {first_name}"), Variant("b", "On {project}")])
    >>> validate_contacts(e, [{"name": "Ørjan Lid", "first_name": "Ørjan", "project": " "}])
    Traceback (most recent call last):
    ...
    etiquette_lab.errors.LocatedInputError: field 'project': recipient 'Ørjan Lid' ...
    """
    frame = check_contacts(contacts, key=key)
    # Contacts read from a file remember their lines, so the error names file, line and field.
    check_contact_values(frame, experiment.field_users, key=key)
    return frame


def render_messages(
    experiment: Experiment, assigned: Any, *, key: str = "name", method: str = "tokens"
) -> Any:
    """Render each assigned person's message and score how personal it is.

    Parameters
    ----------
    experiment : Experiment
    assigned : DataFrame
        The output of :func:`assign_variants` (needs ``variant`` and the template fields).
    key : str
        The column naming each person.
    method : {"tokens", "characters"}
        How the score's distance to the default wording is measured.

    Returns
    -------
    DataFrame
        *assigned* plus ``experiment``, ``kind``, ``channel``, ``message``, ``score``,
        ``distance``, ``detail`` and ``detail_fields``; columns ordered as :data:`PLAN_COLUMNS`.
    """
    frame = validate_contacts(experiment, assigned, key=key)
    if "variant" not in frame.columns:
        raise InvalidInputError("render_messages needs assigned contacts (a 'variant' column)")
    ignore = {*IDENTITY_FIELDS, key, experiment.strata, *_ASSIGNMENT_FIELDS}
    messages, scores = [], []
    for row in frame.to_dict("records"):
        template = experiment.variant(row["variant"]).template
        message = render_template(template, row, recipient=row[key])
        default = render_template(experiment.baseline, row, recipient=row[key])
        messages.append(message)
        scores.append(
            personalisation_score(
                message, default=default, fields=row, ignore=ignore, method=method
            )
        )
    out = frame.copy()
    for column in ("block", "slot"):
        if column in out.columns:
            out[column] = out[column].astype(int)
    out["experiment"] = experiment.name
    out["kind"] = experiment.kind
    out["channel"] = experiment.channel
    out["message"] = messages
    out["score"] = [s.score for s in scores]
    out["distance"] = [s.distance for s in scores]
    out["detail"] = [s.detail for s in scores]
    out["detail_fields"] = [";".join(s.detail_fields) for s in scores]
    return _ordered(out)


_ASSIGNMENT_FIELDS = ("recipient", "variant", "stratum", "block", "slot", "assignment")


def _ordered(frame: Any) -> Any:
    lead = [c for c in PLAN_COLUMNS if c in frame.columns]
    return frame[lead + [c for c in frame.columns if c not in lead]]


def plan_messages(
    experiment: Experiment,
    contacts: Any,
    *,
    key: str = "name",
    previous: Any = None,
    method: str = "tokens",
) -> Any:
    """Validate the contacts, assign wordings at random and render every message.

    Nothing is assigned if any contact lacks a value a template needs.

    Examples
    --------
    >>> e = Experiment("demo", [
    ...     Variant.from_builtin("default", "linkedin-recommendation-default"),
    ...     Variant("personalised", "Hi {first_name}, please recommend my {shared_project} work"),
    ... ], seed=42)
    >>> people = [{"name": "Zoë Berg", "first_name": "Zoë", "shared_project": "the Fjord app"},
    ...           {"name": "Ørjan Lid", "first_name": "Ørjan", "shared_project": "Tern"}]
    >>> plan = plan_messages(e, people)
    >>> sorted(plan["variant"])
    ['default', 'personalised']
    >>> float(plan.loc[plan["variant"] == "default", "score"].iloc[0])
    0.0
    """
    frame = validate_contacts(experiment, contacts, key=key)
    assigned = assign_variants(frame, experiment, key=key, previous=previous)
    return render_messages(experiment, assigned, key=key, method=method)


def write_plan(plan: Any, path: str | os.PathLike[str] | Any) -> None:
    """Write a plan as CSV: a file gets UTF-8 with a byte-order mark (for Excel), a text stream
    plain text; text that a spreadsheet would run as a formula is stored safely."""
    frame = csvsafe.neutralise_frame(plan)
    if hasattr(path, "write"):
        frame.to_csv(path, index=False, lineterminator="\n")
        return
    # A plan names the people in it: readable by you only, like the log, and whole or absent.
    text = csvsafe.BOM + frame.to_csv(index=False, lineterminator="\n")
    userfiles.write_private(path, text.encode("utf-8"), replace=True)


def read_plan(path: str | os.PathLike[str]) -> Any:
    """Read a plan written by :func:`write_plan` (or ``etiquette-lab assign --out``)."""
    import pandas as pd

    text = read_text_file(path, "plan file")  # read once: parsed here, and lines counted below
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.EmptyDataError, pd.errors.ParserError) as error:
        reason = " ".join(str(error).split())
        raise LocatedInputError(f"is not a plan ({reason})", path=str(path)) from None
    for column in frame.columns:
        frame[column] = csvsafe.restore_column(frame[column].astype(object))
    if {"event", "request_id"} <= set(frame.columns):
        raise LocatedInputError(
            "this is a request log, not a plan; make a plan with plan_messages() and "
            "write_plan()",
            path=str(path), line=1,
        )  # fmt: skip
    missing = [c for c in SEND_FIELDS if c not in frame.columns]
    if missing:
        raise LocatedInputError(
            f"has no {missing[0]!r} column (is this a plan?)",
            path=str(path),
            line=1,
            field=missing[0],
        )
    frame["score"] = pd.to_numeric(frame["score"].replace("", None), errors="coerce")
    lines = record_lines(text)
    frame.attrs[_PLAN_SOURCE] = {
        "path": str(path),
        "lines": lines if len(lines) == len(frame) else None,
    }
    return frame


_PLAN_SOURCE = "etiquette_lab.plan_source"  # where read_plan found each row


def planned_sends(
    plan: Any,
    *,
    recipients: Iterable[str] | None = None,
    pseudonym_key: bytes | None = None,
    store_message: bool | None = None,
) -> Any:
    """The plan's rows :func:`log_messages` would record, checked, as they would be stored.

    Call it before opening a log to find a problem in the plan first; the parameters are
    :func:`log_messages`'s.
    """
    missing = [c for c in SEND_FIELDS if c not in plan.columns]
    if missing:
        raise InvalidInputError(
            f"the plan has no {missing[0]!r} column; make it with plan_messages"
        )
    rows = plan.reset_index(drop=True)
    if recipients is not None:
        names = [recipients] if isinstance(recipients, str) else list(recipients)
        folded = rows["recipient"].map(fold_name)
        unknown = [n for n in names if fold_name(n) not in set(folded)]
        if unknown:
            raise InvalidInputError(f"{unknown[0]!r} is not in the plan")
        rows = rows[folded.isin([fold_name(n) for n in names])]
    if store_message is None:
        store_message = pseudonym_key is None
    empty = rows["message"].astype(str).str.strip() == ""
    if store_message and empty.any():
        position = int(rows.index[empty.to_numpy()][0])  # row of the plan as read
        raise LocatedInputError(
            f"the planned message to {rows.loc[empty, 'recipient'].iloc[0]!r} is empty",
            **_plan_place(plan, position), field="message",
        )  # fmt: skip
    # "Recommendation" typed in a plan must count as the kit's "recommendation".
    rows = rows.assign(kind=[canonical_kind(str(k)) for k in rows["kind"]])
    if pseudonym_key is not None:
        rows = rows.assign(
            recipient=[pseudonymise(str(n), pseudonym_key) for n in rows["recipient"]]
        )
    if not store_message:
        rows = rows.assign(message="")
    return rows


def _plan_place(plan: Any, position: int) -> dict[str, Any]:
    """The file and line of the plan's row at *position*, when it was read from a file."""
    source = plan.attrs.get(_PLAN_SOURCE) or {}
    lines = source.get("lines")
    return {"path": source.get("path"), "line": lines[position] if lines else None}


def log_messages(
    log: Any,
    plan: Any,
    *,
    recipients: Iterable[str] | None = None,
    at: Any = None,
    allow_repeat: bool = False,
    pseudonym_key: bytes | None = None,
    store_message: bool | None = None,
) -> list[str]:
    """Record planned messages as sends in a log, with their assignment and score.

    Parameters
    ----------
    log : LogFile
        An open log (:func:`etiquette_lab.log.file.open_log`).
    plan : DataFrame
        From :func:`plan_messages` or :func:`read_plan`.
    recipients : iterable of str, optional
        Only these people (as you send them one by one); default everyone in the plan.
    at : time, optional
        When they were sent (default now).
    allow_repeat : bool
        Record even when the log already holds a request of this experiment and kind to the
        same person (normally a mistake: the etiquette checks count repeated requests).
    pseudonym_key : bytes, optional
        Store each recipient as :func:`etiquette_lab.pseudonymise` of the name with this key
        (see :func:`etiquette_lab.load_pseudonym_key`).
    store_message : bool, optional
        Whether to store the message text. By default it is stored, except with a
        ``pseudonym_key``: a personal message names the person it pseudonymises. The score is
        stored either way.

    Returns
    -------
    list of str
        The new request ids, in plan order. Every row is checked before anything is written.

    Notes
    -----
    A log made with ``etiquette-lab new LOG --variants default,personalised`` declares its
    variants for its own experiment (often ``""``), while the plan's rows carry the
    experiment file's name. When the plan's experiment has no declaration of its own in the
    log, its variants are checked against the log's declaration (that of
    :attr:`LogFile.experiment`), so a plan edited to say ``personalized`` is refused, naming
    the plan's line, as a send would be. The rows keep the plan's experiment name rather than
    being filed under the log's: that name is what repeat detection and
    ``check --experiment`` go by, and relabelling would silently merge two experiments.
    """
    rows = planned_sends(
        plan, recipients=recipients, pseudonym_key=pseudonym_key, store_message=store_message
    )
    _check_declared_variants(log, plan, rows)
    if not allow_repeat:
        _refuse_repeats(log.requests(), rows)
    return log.send_many(
        [
            {
                "recipient": r["recipient"],
                "variant": r["variant"],
                "kind": r["kind"],
                "channel": r["channel"],
                "message": r["message"],
                "experiment": r["experiment"],
                "stratum": r["stratum"],
                "assignment": r["assignment"],
                "score": r["score"],
                "at": at,
            }
            for r in rows.to_dict("records")
        ]
    )


def _check_declared_variants(log: Any, plan: Any, rows: Any) -> None:
    """Refuse a variant the log's declaration does not know, for a plan experiment without a
    declaration of its own (the log itself checks experiments it has a declaration for)."""
    declared = log.variants
    fallback = declared.get(log.experiment)
    if not fallback:
        return
    for position, experiment, variant in zip(
        rows.index, rows["experiment"].astype(str), rows["variant"].astype(str), strict=True
    ):
        if experiment not in declared and variant not in fallback:
            raise LocatedInputError(
                f"variant {variant!r} is not one the log declares ({', '.join(fallback)}); "
                f"the plan's experiment {experiment!r} has no declaration of its own, so the "
                "log's applies",
                **_plan_place(plan, int(position)),
                field="variant",
            )


def _refuse_repeats(requests: Any, rows: Any) -> None:
    if not len(requests):
        return
    logged = {
        (str(e), fold_name(p), canonical_kind(str(k))): str(rid)
        for e, p, k, rid in zip(
            requests["experiment"],
            requests["recipient"],
            requests["kind"],
            requests["request_id"],
            strict=True,
        )
    }
    for row in rows.to_dict("records"):
        rid = logged.get((str(row["experiment"]), fold_name(row["recipient"]), str(row["kind"])))
        if rid is not None:
            raise InvalidInputError(
                f"{row['recipient']!r} already has request {rid} in experiment "
                f"{row['experiment']!r}; record another only with allow_repeat=True"
            )
