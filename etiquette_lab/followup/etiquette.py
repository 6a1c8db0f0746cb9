"""The article's etiquette as checks over a request log, and the to-do list they imply.

Each check has a short id, a plain message and the article's rule it comes from (see
:data:`CHECKS` and ``docs/etiquette.md``); its thresholds are fields of
:class:`EtiquetteSettings`, whose defaults are the article's values. :func:`check_etiquette`
returns every finding; :func:`todo_list` keeps those that ask you to do something today
(remind, withdraw, thank).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..analyse.outcomes import window_status
from ..design.score import wording_distance
from ..design.templates import DEFAULT_TEMPLATES, builtin_template
from ..errors import InvalidInputError
from ..log.file import open_log
from ..log.requests import requests_from_events
from ..names import fold_name
from ..results import Result
from ..sequential.monitor import next_planned_look
from ..timestamps import parse_as_of

__all__ = [
    "CHECKS",
    "CheckInfo",
    "EtiquetteReport",
    "EtiquetteSettings",
    "Finding",
    "TodoList",
    "check_etiquette",
    "short_ids",
    "short_names",
    "todo_list",
]


@dataclass(frozen=True)
class CheckInfo:
    """What a check looks for, in plain words, and where the rule comes from."""

    id: str
    title: str
    rule: str
    settings: tuple[str, ...]


CHECKS: dict[str, CheckInfo] = {
    c.id: c
    for c in (
        CheckInfo(
            "repeat-request",
            "the same request sent to the same person a third time",
            "Do not send the same request more than twice; LinkedIn already reminds the "
            "recipient, and re-sending lowers the chance of success (article rule 3).",
            ("max_sends",),
        ),
        CheckInfo(
            "request-burst",
            "too many recommendation requests within a short window",
            "Do not ask many people for recommendations at once: recruiters look at the dates. "
            "Spread them out; the author keeps to about one request a month (article rule 9).",
            ("max_recommendation_requests", "burst_window_days"),
        ),
        CheckInfo(
            "remind",
            "a pending recommendation request old enough for a friendly reminder",
            'Use "Remind" after a couple of weeks, for people you know well (article rule 7).',
            ("remind_after_days", "max_reminders", "remind_strata", "follow_up_kinds"),
        ),
        CheckInfo(
            "early-reminder",
            "a reminder sent before the request was a couple of weeks old",
            'Use "Remind" once a couple of weeks have passed, not sooner (article rule 7).',
            ("remind_after_days", "follow_up_kinds"),
        ),
        CheckInfo(
            "withdraw",
            "a recommendation request unanswered for a couple of months",
            "Withdraw a request after a couple of months unanswered, where a reminder would be "
            "awkward (article rule 7).",
            ("withdraw_after_days", "follow_up_kinds"),
        ),
        CheckInfo(
            "not-thanked",
            "a recommendation received and not thanked",
            "Thank the people who recommended you (article rule 8).",
            ("thank_outcomes",),
        ),
        CheckInfo(
            "default-connection-note",
            "a connection request sent with LinkedIn's default note outside a control arm",
            "Personalise every connection request; the generic note makes nobody feel special "
            "(article rule 1).",
            ("max_default_distance", "control_variants"),
        ),
    )
}

_ACTIONS = {"remind": "remind", "withdraw": "withdraw", "not-thanked": "thank"}
_TODO_ORDER = ("thank", "remind", "withdraw")


@dataclass(frozen=True)
class EtiquetteSettings:
    """Thresholds of the checks; the defaults are the article's values.

    Parameters
    ----------
    max_sends : int
        More sends than this of one kind to one person (resends and separate requests
        together) is a ``repeat-request`` finding. Article: "not more than twice" -> 2.
    max_recommendation_requests : int
        More recommendation requests than this within ``burst_window_days`` is a
        ``request-burst``. Default 2: the author keeps to "about one a month", and two asks
        29 days apart are still about one a month, while three within 30 days are a burst.
        Set 1 for the strict reading.
    burst_window_days : float
        The length of the sliding window (30).
    remind_after_days : float
        A pending request this old (since it was last sent, and since the last reminder) is
        due a reminder: "a couple of weeks" -> 14. A reminder sent sooner is an
        ``early-reminder``, counting to the end of the day it was sent, as the to-do list of
        that day counts: a reminder sent on the day the list asks for it is never early.
    max_reminders : int
        Reminders per request before only withdrawing remains (1).
    remind_strata : tuple of str
        When given, remind only people in these strata (the ones you know well, such as
        ``("close colleague",)``); others wait for the withdraw check. Default: everyone.
    withdraw_after_days : float
        A pending request this old (since it was last sent) should be withdrawn: "a couple of
        months" -> 60.
    follow_up_kinds : tuple of str
        Kinds the remind, early-reminder and withdraw checks apply to
        (``("recommendation",)``: LinkedIn reminds connection invitations by itself).
    thank_outcomes : tuple of str
        Outcomes that deserve a thank-you (``("recommended",)``).
    max_default_distance : float
        A connection note whose distance from LinkedIn's default note (1 - word similarity
        ratio, see :func:`~etiquette_lab.design.score.wording_distance`) is at most this is
        the default note (0.1: a changed word or two is still the default).
    control_variants : tuple of str
        Variant names taken as control arms when the experiments' controls are not given
        (``("default", "control")``).
    """

    max_sends: int = 2
    max_recommendation_requests: int = 2
    burst_window_days: float = 30.0
    remind_after_days: float = 14.0
    max_reminders: int = 1
    remind_strata: tuple[str, ...] = ()
    withdraw_after_days: float = 60.0
    follow_up_kinds: tuple[str, ...] = ("recommendation",)
    thank_outcomes: tuple[str, ...] = ("recommended",)
    max_default_distance: float = 0.1
    control_variants: tuple[str, ...] = ("default", "control")

    def __post_init__(self) -> None:
        for name in ("max_sends", "max_recommendation_requests", "max_reminders"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InvalidInputError(f"{name} must be a whole number >= 0, not {value!r}")
        for name in ("burst_window_days", "remind_after_days", "withdraw_after_days"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise InvalidInputError(f"{name} must be a positive number of days, not {value!r}")
        if not 0 <= self.max_default_distance <= 1:
            raise InvalidInputError(
                f"max_default_distance must be in [0, 1], not {self.max_default_distance!r}"
            )
        if self.withdraw_after_days <= self.remind_after_days:
            raise InvalidInputError("withdraw_after_days must be longer than remind_after_days")
        for name in ("remind_strata", "follow_up_kinds", "thank_outcomes", "control_variants"):
            value = getattr(self, name)
            object.__setattr__(self, name, (value,) if isinstance(value, str) else tuple(value))


@dataclass(frozen=True)
class Finding(Result):
    """One thing the article would have you do differently, or do now.

    ``message`` is the full sentence; ``detail`` the same finding in a few words without the
    recipient (the printed tables show it); ``recipients`` lists everyone concerned when a
    finding is about several people (a burst), ``recipient`` then joins their names.
    """

    _title = "Etiquette finding"

    check: str
    recipient: str
    message: str
    request_ids: tuple[str, ...]
    kind: str = ""
    action: str = ""
    since: Any = None
    age_days: float = math.nan
    detail: str = ""
    recipients: tuple[str, ...] = ()

    @property
    def rule(self) -> str:
        """The article's rule behind the check."""
        return CHECKS[self.check].rule


def _span(first: Any, last: Any) -> str:
    if _date(first) == _date(last):
        return f"on {_date(first)}"
    return f"between {_date(first)} and {_date(last)}"


def _frame(findings: tuple[Finding, ...]) -> Any:
    import pandas as pd

    return pd.DataFrame(
        {
            "check": [f.check for f in findings],
            "action": [f.action for f in findings],
            "recipient": [f.recipient for f in findings],
            "request_ids": [", ".join(f.request_ids) for f in findings],
            "kind": [f.kind for f in findings],
            "since": pd.to_datetime([f.since for f in findings], utc=True),
            "age_days": pd.Series([f.age_days for f in findings], dtype=float),
            "message": [f.message for f in findings],
            "detail": [f.detail for f in findings],
            "rule": [CHECKS[f.check].rule if f.check in CHECKS else "" for f in findings],
        }
    )


#: The printed tables fit a terminal this wide; ``to_frame()`` keeps everything.
_WIDTH = 120
_NAMES_WIDTH = 30


def short_ids(ids: tuple[str, ...] | list[str], *, keep: int = 2) -> str:
    """Request ids for a table: all of them when few, else the first *keep* and a count.

    Examples
    --------
    >>> short_ids(["r0001", "r0002", "r0003"])
    'r0001, r0002, r0003'
    >>> short_ids([f"r{i:04d}" for i in range(1, 151)])
    'r0001, r0002, ... (+148)'
    """
    if len(ids) <= keep + 1:
        return ", ".join(ids)
    return f"{', '.join(ids[:keep])}, ... (+{len(ids) - keep})"


def short_names(names: tuple[str, ...] | list[str], *, width: int = _NAMES_WIDTH) -> str:
    """Names for a table: as many as fit in about *width* characters (at least one), then
    "and N more".

    Examples
    --------
    >>> short_names(["Zoë Berg", "Ørjan Lid"])
    'Zoë Berg, Ørjan Lid'
    >>> short_names(["Zoë Berg", "Ørjan Lid", "Ada Østby", "Nils Moe", "Priya Vik"], width=30)
    'Zoë Berg, Ørjan Lid and 3 more'
    """
    shown = ", ".join(names)
    if len(shown) <= width or len(names) < 2:  # a name alone is never cut
        return shown
    count = 1
    while count < len(names):
        longer = f"{', '.join(names[: count + 1])} and {len(names) - count - 1} more"
        if len(longer) > width:
            break
        count += 1
    return f"{', '.join(names[:count])} and {len(names) - count} more"


def _fit(frame: Any, column: str) -> Any:
    """Cut the text of *column* (the last) so that the printed table fits :data:`_WIDTH`."""
    if frame.empty:
        return frame
    used = len(str(len(frame) - 1)) + sum(
        max(len(str(name)), int(frame[name].astype(str).str.len().max())) + 2
        for name in frame.columns
        if name != column
    )
    room = max(_WIDTH - used - 2, 20)
    frame[column] = [t if len(t) <= room else t[: room - 1].rstrip() + "…" for t in frame[column]]
    return frame


def _printed(findings: tuple[Finding, ...], first: str, last: str) -> Any:
    """The printed table: short request ids and names, the short detail fitted to the width."""
    import pandas as pd

    frame = pd.DataFrame(
        {
            first: [f.check if first == "check" else f.action for f in findings],
            "requests": [short_ids(f.request_ids) for f in findings],
            "recipient": [short_names(f.recipients or (f.recipient,)) for f in findings],
            last: [f.detail or f.message for f in findings],
        }
    )
    return _fit(frame, last)


@dataclass(frozen=True)
class EtiquetteReport(Result):
    """Every finding of the checks over a log, as of a moment."""

    as_of: Any
    findings: tuple[Finding, ...]
    n_requests: int
    settings: EtiquetteSettings = field(default_factory=EtiquetteSettings)

    _title = "Etiquette checks"

    @property
    def ok(self) -> bool:
        """True when there is nothing to report."""
        return not self.findings

    def to_frame(self) -> Any:
        """One row per finding: check, action, recipient, request ids, since, age, message."""
        return _frame(self.findings)

    def _summary_frame(self) -> Any:
        return _printed(self.findings, "check", "finding")

    def _notes(self) -> list[str]:
        when = f"as of {_day(self.as_of)}"
        if self.ok:
            return [f"No findings among {_plural(self.n_requests, 'request')} {when}."]
        seen = dict.fromkeys(f.check for f in self.findings)
        count = _plural(len(self.findings), "finding")
        return [f"{count} among {_plural(self.n_requests, 'request')} {when}."] + [
            textwrap.fill(f"{check}: {CHECKS[check].rule}", _WIDTH, subsequent_indent="  ")
            for check in seen
        ]


@dataclass(frozen=True)
class TodoList(Result):
    """Who to thank, who to remind and what to withdraw, as of a moment, with the reasons."""

    as_of: Any
    items: tuple[Finding, ...]
    #: One line per monitored experiment: when its next planned look is due.
    looks: tuple[str, ...] = ()

    _title = "To do"

    def to_frame(self) -> Any:
        """One row per action: action, recipient, request ids, kind, since, age, reason."""
        frame = _frame(self.items).rename(columns={"message": "reason"})
        return frame.drop(columns="check")

    def _summary_frame(self) -> Any:
        return _printed(self.items, "action", "reason")

    def _notes(self) -> list[str]:
        if not self.items:
            return [f"Nothing to do as of {_day(self.as_of)}.", *self.looks]
        return [f"{_plural(len(self.items), 'thing')} to do as of {_day(self.as_of)}.", *self.looks]


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _day(moment: Any) -> str:
    return moment.strftime("%Y-%m-%d %H:%M %Z").strip()


_NEEDED = (
    "request_id", "experiment", "recipient", "variant", "kind", "stratum", "score", "message",
    "first_sent_at", "last_sent_at", "sends", "reminders", "last_reminded_at", "withdrawn_at",
    "responses", "first_response_at", "first_outcome", "outcome", "thanked_at",
)  # fmt: skip


#: The events that start a request's reminder clock: a send, a resend, a reminder.
_CLOCK_EVENTS = ("sent", "resent", "reminded")
#: How a finding names the event a reminder came too soon after: in a sentence, in a table.
_CLOCK_WORDS = {
    "sent": ("it was sent", "the send"),
    "resent": ("it was sent again", "the resend"),
    "reminded": ("the previous reminder", "the previous reminder"),
}


def _requests_as_of(source: Any, as_of: Any) -> tuple[Any, Any]:
    """The requests table as of *as_of*, and its sends and reminders (request_id, event, at)."""
    import pandas as pd

    if isinstance(source, pd.DataFrame):
        missing = [c for c in _NEEDED if c not in source.columns]
        if missing:
            raise InvalidInputError(f"the requests table has no {missing[0]!r} column")
        table = source.copy()
        for column in [c for c in _NEEDED if c.endswith("_at")]:
            table[column] = pd.to_datetime(table[column], utc=True)
        # A table is a snapshot: it cannot be rewound, only cut to the requests sent by as_of.
        table = table[table["first_sent_at"] <= as_of].reset_index(drop=True)
        return table, _clock_events_of(table)

    log = source if hasattr(source, "events") else open_log(source)
    events = log.events()
    events = events[events["at"] <= as_of].reset_index(drop=True)
    clock = events.loc[events["event"].isin(_CLOCK_EVENTS), ["request_id", "event", "at"]]
    return requests_from_events(events), clock


def _clock_events_of(table: Any) -> Any:
    """The sends and reminders a requests table still shows: the first and last send and the
    last reminder. Earlier reminders and the sends in between are not in a table, so from one
    only the last reminder is judged, against a send no later than its real one: a reminder
    can be missed, never flagged wrongly."""
    import pandas as pd

    def rows(which: Any, event: str, column: str) -> Any:
        part = table.loc[which, ["request_id", column]].rename(columns={column: "at"})
        return part.assign(event=event)[["request_id", "event", "at"]]

    return pd.concat(
        [
            rows(table.index, "sent", "first_sent_at"),
            rows(table["sends"] > 1, "resent", "last_sent_at"),
            rows((table["reminders"] > 0) & table["last_reminded_at"].notna(), "reminded",
                 "last_reminded_at"),
        ],
        ignore_index=True,
    )  # fmt: skip


def check_etiquette(
    source: Any,
    *,
    as_of: Any = None,
    settings: EtiquetteSettings | None = None,
    controls: Mapping[str, str] | None = None,
) -> EtiquetteReport:
    """Run every etiquette check over a log.

    Parameters
    ----------
    source : LogFile, path or DataFrame
        A log (read as it stood at *as_of*: later events are ignored) or a requests table
        (:func:`etiquette_lab.log.file.read_requests`; requests first sent after *as_of* are
        dropped, the rest taken as they are).
    as_of : time, optional
        The moment to look from (default now; a bare date is the end of that day).
    settings : EtiquetteSettings, optional
        Thresholds (default: the article's values).
    controls : mapping of experiment -> control variant, optional
        The control arm of each experiment, where the default wording is allowed; without it
        the variants named in ``settings.control_variants`` are controls.

    Examples
    --------
    >>> import pandas as pd
    >>> from etiquette_lab.followup.etiquette import check_etiquette
    >>> t = pd.Timestamp("2026-01-05", tz="UTC")
    >>> requests = pd.DataFrame([dict(
    ...     request_id="r0001", experiment="", recipient="Zoë", variant="personalised",
    ...     kind="recommendation", stratum="", score=0.7, message="...", first_sent_at=t,
    ...     last_sent_at=t, sends=1, reminders=0, last_reminded_at=pd.NaT, withdrawn_at=pd.NaT,
    ...     responses=0, first_response_at=pd.NaT, first_outcome=None, outcome=None,
    ...     thanked_at=pd.NaT)])
    >>> report = check_etiquette(requests, as_of="2026-01-20T12:00Z")
    >>> [(f.check, f.recipient, f.action) for f in report.findings]
    [('remind', 'Zoë', 'remind')]
    """
    settings = settings or EtiquetteSettings()
    moment = parse_as_of(as_of)
    table, clock = _requests_as_of(source, moment)
    findings = (
        *_repeat_requests(table, settings),
        *_bursts(table, settings),
        *_follow_ups(table, settings, moment),
        *_early_reminders(table, clock, settings),
        *_not_thanked(table, settings, moment),
        *_default_connection_notes(table, settings, controls),
    )
    return EtiquetteReport(moment, tuple(findings), len(table), settings)


def todo_list(
    source: Any,
    *,
    as_of: Any = None,
    settings: EtiquetteSettings | None = None,
    experiments: Sequence[Any] = (),
    log_name: str = "LOG",
) -> TodoList:
    """Who to thank, who to remind and what to withdraw, as of a moment, with the reason.

    The same findings as :func:`check_etiquette`, keeping those that ask for an action, in the
    order thank, remind, withdraw (oldest first within each). ``todo_list(...).to_frame()`` is
    the DataFrame.

    *experiments* (:class:`~etiquette_lab.design.experiment.Experiment`) that declare a
    monitoring design add one line each to ``looks``: how many more closed outcome windows
    until the next planned look, or that a look is due now (run ``report``; *log_name* is the
    log's name in that command).
    """
    report = check_etiquette(source, as_of=as_of, settings=settings)
    items = [f for f in report.findings if f.action]
    items.sort(key=lambda f: (_TODO_ORDER.index(f.action), f.since, f.recipient))
    monitored = [e for e in experiments if getattr(e, "monitoring", None) is not None]
    looks: list[str] = []
    if monitored:
        table = _requests_as_of(source, report.as_of)[0]
        looks = [_look_line(table, e, report.as_of, log_name) for e in monitored]
    return TodoList(report.as_of, tuple(items), tuple(looks))


#: What a due look asks the user to run (the report of the experiment within its window).
REPORT_COMMAND = "etiquette-lab report {log} --experiment {experiment} --window {window}"


def _look_line(table: Any, experiment: Any, moment: Any, log_name: str) -> str:
    """'<experiment>: next planned look after N more closed windows (look k of K, ...)'."""
    import pandas as pd

    window = f"{experiment.outcome_window_days:g}d"
    status = window_status(
        table,
        window=pd.Timedelta(days=experiment.outcome_window_days),
        as_of=moment,
        experiment=experiment.name,
    )
    control, new = experiment.variant_names_control_first[:2]
    counts = {
        name: [int(((status["variant"] == name) & (status["status"] == state)).sum())
               for state in ("evaluated", "pending")]
        for name in (control, new)
    }  # fmt: skip
    spec = experiment.monitoring
    for name, (closed, waiting) in counts.items():
        if closed + waiting > spec.max_per_arm:
            return (
                f"{experiment.name}: {closed + waiting} requests sent on {name!r}, beyond the "
                f"plan's {spec.max_per_arm} per wording: the design's guarantee covers the planned "
                "requests only"
            )
    position = next_planned_look(
        spec, (counts[control][0], counts[new][0]), (counts[control][1], counts[new][1])
    )
    line = f"{experiment.name}: {position.text(control, new)}"
    if position.due or not position.looks:
        command = REPORT_COMMAND.format(log=log_name, experiment=experiment.name, window=window)
        line += f": run `{command}`"
    return line


def _age(moment: Any, since: Any) -> float:
    return (moment - since).total_seconds() / 86400.0


def _date(moment: Any) -> str:
    return moment.date().isoformat()  # (strftime costs ten times as much a finding)


def _repeat_requests(table: Any, settings: EtiquetteSettings) -> list[Finding]:
    import numpy as np
    import pandas as pd

    codes, names = pd.factorize(table["recipient"].astype(str))
    folded = np.array([fold_name(name) for name in names], dtype=object)  # once per name
    keys = pd.Series(folded[codes], index=table.index) + "\x00" + table["kind"].astype(str)
    # Sums first, in one pass; only the few people asked too often are then looked at.
    total = table["sends"].groupby(keys, sort=False).transform("sum")
    over = (total > settings.max_sends).to_numpy()
    found = []
    for _, group in table[over].groupby(keys[over], sort=False):
        sends = int(group["sends"].sum())
        who, kind = str(group["recipient"].iloc[0]), str(group["kind"].iloc[0])
        separate = f" in {len(group)} separate requests" if len(group) > 1 else ""
        found.append(Finding(
            "repeat-request", who,
            f"{kind} request sent to {who} {sends} times{separate}; the article says not more "
            f"than {settings.max_sends}",
            tuple(group["request_id"].astype(str)), kind, "", group["last_sent_at"].max(),
            detail=f"sent {sends} times{separate} (max {settings.max_sends})",
        ))  # fmt: skip
    return found


def _bursts(table: Any, settings: EtiquetteSettings) -> list[Finding]:
    import numpy as np
    import pandas as pd

    asks = table[table["kind"] == "recommendation"].sort_values("first_sent_at", kind="stable")
    times = pd.DatetimeIndex(asks["first_sent_at"]).as_unit("ns").asi8
    window = round(settings.burst_window_days * 86400e9)
    # For each ask j, the earliest ask i with t_j - t_i < window: asks i..j share a window.
    starts = np.searchsorted(times, times - window, side="right")
    episodes: list[list[int]] = []
    for j, i in enumerate(starts):
        if j - i + 1 <= settings.max_recommendation_requests:
            continue
        if episodes and i <= episodes[-1][1]:
            episodes[-1][1] = j
        else:
            episodes.append([int(i), j])
    found = []
    for i, j in episodes:
        part = asks.iloc[i : j + 1]
        peak = int((np.arange(i, j + 1) - starts[i : j + 1]).max()) + 1
        first, last = part["first_sent_at"].iloc[0], part["first_sent_at"].iloc[-1]
        people = tuple(part["recipient"].astype(str))
        who = ", ".join(people)
        found.append(Finding(
            "request-burst", who,
            f"{len(part)} recommendation requests {_span(first, last)} (up to "
            f"{peak} within {settings.burst_window_days:g} days; the article suggests at most "
            f"{settings.max_recommendation_requests})",
            tuple(part["request_id"].astype(str)), "recommendation", "", first,
            detail=f"{len(part)} requests, up to {peak} within "
            f"{settings.burst_window_days:g} days (max {settings.max_recommendation_requests})",
            recipients=people,
        ))  # fmt: skip
    return found


def _pending(table: Any) -> Any:
    return (table["responses"] == 0) & table["withdrawn_at"].isna()


def _follow_ups(table: Any, settings: EtiquetteSettings, moment: Any) -> list[Finding]:
    import pandas as pd

    rows = table[_pending(table) & table["kind"].isin(settings.follow_up_kinds)]
    found = []
    for sent, who, rid, kind, reminded_age, reminders, stratum, age, day in zip(
        *_column_values(rows, "last_sent_at", "recipient", "request_id", "kind"),
        _ages(moment, rows["last_reminded_at"]),
        *_column_values(rows, "reminders", "stratum"),
        _ages(moment, rows["last_sent_at"]),
        _dates(rows["last_sent_at"]),
        strict=True,
    ):
        who, rid = str(who), (str(rid),)
        if age >= settings.withdraw_after_days:
            found.append(Finding(
                "withdraw", who,
                f"{kind} request to {who} unanswered for {int(age)} days (since "
                f"{day}); withdraw it (no answer after "
                f"{settings.withdraw_after_days:g} days)",
                rid, str(kind), "withdraw", sent, age,
                detail=f"unanswered {int(age)} days (since {day})",
            ))  # fmt: skip
            continue
        rested = pd.isna(reminded_age) or reminded_age >= settings.remind_after_days
        known = not settings.remind_strata or stratum in settings.remind_strata
        if (
            age >= settings.remind_after_days
            and int(reminders) < settings.max_reminders
            and rested
            and known
        ):
            hint = "" if settings.remind_strata else " if you know them well"
            found.append(Finding(
                "remind", who,
                f"{kind} request to {who} pending for {int(age)} days (since {day}); "
                f"send a friendly reminder{hint}",
                rid, str(kind), "remind", sent, age,
                detail=f"pending {int(age)} days (since {day})",
            ))  # fmt: skip
    return found


def _columns(frame: Any, *names: str) -> Any:
    """The rows of *frame* as tuples of the named columns' values (pandas' own scalars, as
    ``to_dict("records")`` gives them, without a dictionary per row)."""
    return zip(*_column_values(frame, *names), strict=True)


def _column_values(frame: Any, *names: str) -> list[list[Any]]:
    return [frame[name].tolist() for name in names]


def _ages(moment: Any, times: Any) -> list[float]:
    """:func:`_age` of each time of a column, the same floats (NaN where there is none)."""
    return ((moment - times).dt.total_seconds() / 86400.0).tolist()


def _dates(times: Any) -> list[str]:
    """:func:`_date` of each time of a column, in the time's own zone ("NaT" where none)."""
    import numpy as np

    wall = times.dt.tz_localize(None).to_numpy().astype("M8[D]")
    return np.datetime_as_string(wall).tolist()


def _early_reminders(table: Any, clock: Any, settings: EtiquetteSettings) -> list[Finding]:
    """Reminders sent before the request (or the previous reminder) was remind_after_days old.

    Counted to the end of the reminder's day, as ``todo --as-of THAT-DAY`` counts: so a
    reminder is early exactly when that day's to-do list would not have asked for it.
    """
    import pandas as pd

    reminded = clock.loc[clock["event"] == "reminded", "request_id"]
    followed = table[table["kind"].isin(settings.follow_up_kinds)
                     & table["request_id"].isin(reminded)]  # fmt: skip
    steps = clock[clock["request_id"].isin(followed["request_id"])]
    # In time order, a send before a reminder logged at the same moment.
    steps = steps.assign(is_reminder=steps["event"] == "reminded").sort_values(
        ["request_id", "at", "is_reminder"], kind="stable"
    )
    previous = steps.groupby("request_id", sort=False)[["event", "at"]].shift()
    window = pd.Timedelta(days=settings.remind_after_days)
    gap = steps["at"] - previous["at"]
    soon = (steps["is_reminder"] & (gap < window)).to_numpy()
    # The end of a reminder's day is at most a day after it: a reminder more than two days
    # short of the window is early whatever its day; only the others need their day's end.
    near = (gap >= window - pd.Timedelta(days=2)).to_numpy()[soon]
    unique = followed.drop_duplicates("request_id")
    row = pd.Index(unique["request_id"]).get_indexer(steps["request_id"].to_numpy()[soon])
    at, since = steps["at"][soon], previous["at"][soon]
    ends_of_days: dict[Any, Any] = {}
    found = []
    for position, (rid, since_at, event, who, kind, check_day, days, on, since_on) in enumerate(
        zip(
            steps["request_id"].to_numpy()[soon],
            since.tolist(),
            previous["event"].to_numpy()[soon],
            unique["recipient"].astype(str).to_numpy()[row],
            unique["kind"].astype(str).to_numpy()[row],
            near,
            ((at - since).dt.total_seconds() / 86400.0).tolist(),  # _age(at, since)
            _dates(at),
            _dates(since),
            strict=True,
        )
    ):
        if check_day:
            date = at.iat[position].to_pydatetime().astimezone().date()
            if date not in ends_of_days:
                ends_of_days[date] = parse_as_of(date)
            if _age(ends_of_days[date], since_at) >= settings.remind_after_days:
                continue
        after = "less than a day" if days < 1 else _plural(int(days), "day")
        what, short = _CLOCK_WORDS[event]
        found.append(Finding(
            "early-reminder", who,
            f"{kind} request to {who} reminded on {on}, {after} after {what} (on "
            f"{since_on}); the article reminds after a couple of weeks "
            f"({settings.remind_after_days:g} days)",
            (str(rid),), kind, "", since_at, days,
            detail=f"reminded {after} after {short} ({on})",
        ))  # fmt: skip
    return found


def _not_thanked(table: Any, settings: EtiquetteSettings, moment: Any) -> list[Finding]:
    good = table["first_outcome"].isin(settings.thank_outcomes) | table["outcome"].isin(
        settings.thank_outcomes
    )
    rows = table[good & table["thanked_at"].isna()]
    found = []
    for who, since, outcome, first_outcome, rid, kind, age, day in zip(
        *_column_values(
            rows, "recipient", "first_response_at", "outcome", "first_outcome", "request_id",
            "kind",
        ),
        _ages(moment, rows["first_response_at"]),
        _dates(rows["first_response_at"]),
        strict=True,
    ):  # fmt: skip
        who = str(who)
        outcome = outcome if outcome in settings.thank_outcomes else first_outcome
        found.append(Finding(
            "not-thanked", who,
            f"{who} {outcome} you on {day} and has not been thanked",
            (str(rid),), str(kind), "thank", since, age,
            detail=f"{outcome} you on {day}",
        ))  # fmt: skip
    return found


def _default_connection_notes(
    table: Any, settings: EtiquetteSettings, controls: Mapping[str, str] | None
) -> list[Finding]:
    import pandas as pd

    default = builtin_template(DEFAULT_TEMPLATES["connection"])
    distances: dict[str, float] = {}  # a template's text comes back many times: compare it once
    found = []
    rows = table[table["kind"] == "connection"]
    for experiment, variant, message, score, who, rid, sent in _columns(
        rows, "experiment", "variant", "message", "score", "recipient", "request_id",
        "first_sent_at",
    ):  # fmt: skip
        experiment, variant = str(experiment), str(variant)
        control = (
            variant == controls.get(experiment)
            if controls is not None and experiment in controls
            else variant in settings.control_variants
        )
        if control and experiment:
            continue
        text = "" if pd.isna(message) else str(message).strip()
        if text:
            if text not in distances:
                distances[text] = wording_distance(text, default)
            generic = distances[text] <= settings.max_default_distance
        else:  # the message was not logged: fall back on the score recorded with the send
            generic = not pd.isna(score) and float(score) <= settings.max_default_distance
        if generic:
            who = str(who)
            arm = f" (variant {variant!r} is not a control arm)" if experiment else ""
            found.append(Finding(
                "default-connection-note", who,
                f"connection request to {who} sent with LinkedIn's default note{arm}; "
                "personalise it",
                (str(rid),), "connection", "", sent,
                detail="LinkedIn's default note" + (f" ({variant!r})" if experiment else ""),
            ))  # fmt: skip
    return found
