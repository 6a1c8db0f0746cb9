"""The report on a log: the comparison of its counts, beside what only a log can say.

:func:`compare_requests` counts a log's requests (:mod:`.outcomes`), compares the counts
(:func:`etiquette_lab.compare_counts`) and returns a :class:`LogReport` that holds that pure
counts result beside the any-response comparison, the time to response and its source (which
log, which experiment, which window, as of when). ``report --json`` is its ``to_dict()``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..arms import pick_control
from ..design.experiment import Experiment
from ..errors import InvalidInputError
from ..formatting import pct_text
from ..log.file import is_observational, read_requests
from ..results import Paragraphs, Result
from ..sequential.monitor import MonitorDecision, monitor_look
from ..stats.many import MantelHaenszel, OmnibusTest, SampleRatioCheck
from ..stats.report import compare_counts
from ..stats.results import ArmSummary, Comparison, ComparisonReport
from ..sync.history import history_caveat
from ..timestamps import Window, parse_as_of, parse_window
from .looks import looks_from_requests
from .outcomes import (
    OutcomeCounts,
    count_outcomes,
    delivered_requests,
    rows_of_experiment,
    undelivered_note,
)
from .timing import TimeToResponseReport, time_to_response

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "DEFAULT_WINDOW",
    "FROM_EXPERIMENT",
    "OBSERVATIONAL_CAVEAT",
    "LogReport",
    "compare_requests",
]

#: What a report on an observational experiment says first: the wordings were not assigned at
#: random, so the comparison is not an experiment.
OBSERVATIONAL_CAVEAT = (
    "This comparison is not a randomised experiment: you chose which wording each person got, "
    "so the groups may differ in ways that change how often people answer (closer or more "
    "recent contacts, for example), and a difference in rates may come from who was asked "
    "rather than from the wording."
)

#: The outcome window when neither the caller nor an experiment file gives one.
DEFAULT_WINDOW = "7d"


class _FromExperiment:
    """The default of ``compare_requests(window=...)``: the experiment file's window, else 7d."""

    def __repr__(self) -> str:
        return "the experiment file's window, else 7d"


FROM_EXPERIMENT: Any = _FromExperiment()


@dataclass(frozen=True)
class LogReport(Result):
    """A log's report: the comparison of its counts and what the log adds to it.

    ``comparison`` is the counts result (:class:`~etiquette_lab.stats.results.ComparisonReport`:
    rates, tests, verdict) of the successes within the window; ``any_response`` the same report
    counting every response, when some responses were not successes (declines);
    ``time_to_response`` the Kaplan-Meier analysis of the same requests (None with
    ``timing=False``); ``monitoring`` the decision at the current look when the experiment file
    declares a sequential design (:func:`etiquette_lab.monitor_look`). ``caveats`` are said
    before the verdict (an observational experiment is not randomised). ``outcome`` says what
    was counted, ``window`` and ``as_of`` when, ``experiment`` and ``log`` from where; ``notes``
    what was left out and why. The
    comparison's figures read through: ``report.arms``, ``report.comparisons``,
    ``report.verdict_text`` and the tables are the comparison's.
    """

    comparison: ComparisonReport
    outcome: str
    window: str | None
    as_of: str
    notes: tuple[str, ...] = ()
    any_response: LogReport | None = None
    time_to_response: TimeToResponseReport | None = None
    monitoring: MonitorDecision | None = None
    caveats: tuple[str, ...] = ()
    experiment: str | None = None
    log: str | None = None

    _title = "Response rates by arm"

    # The comparison's figures, read through (the report is about them).
    @property
    def arms(self) -> tuple[ArmSummary, ...]:
        """Each counted arm, control first (see the comparison)."""
        return self.comparison.arms

    @property
    def control(self) -> str:
        """The control arm."""
        return self.comparison.control

    @property
    def comparisons(self) -> tuple[Comparison, ...]:
        """Each arm against the control."""
        return self.comparison.comparisons

    @property
    def alpha(self) -> float:
        """The significance level of the tests and 1 - the intervals' level."""
        return self.comparison.alpha

    @property
    def omnibus(self) -> OmnibusTest | None:
        """The test across all arms (three or more)."""
        return self.comparison.omnibus

    @property
    def stratified(self) -> dict[str, MantelHaenszel] | None:
        """Each comparison within strata (``strata=True``)."""
        return self.comparison.stratified

    @property
    def sample_ratio(self) -> SampleRatioCheck | None:
        """Whether the requests are split across arms as planned."""
        return self.comparison.sample_ratio

    @property
    def pending(self) -> int:
        """Requests whose window had not closed by the as-of time (not counted)."""
        return self.comparison.pending

    @property
    def verdict(self) -> str:
        """The verdict in words, one string (the caveats first)."""
        return " ".join(self.verdict_paragraphs)

    @property
    def verdict_paragraphs(self) -> tuple[str, ...]:
        """The verdict as paragraphs: the caveats, then the comparison's."""
        return (*self.caveats, *self.comparison.verdict_paragraphs)

    @property
    def verdict_text(self) -> Paragraphs:
        """The verdict to read (see :attr:`ComparisonReport.verdict_text`)."""
        return Paragraphs(self.verdict_paragraphs)

    def bayes_table(self) -> pd.DataFrame:
        """The Bayesian view of each comparison (see the comparison's ``bayes_table``)."""
        return self.comparison.bayes_table()

    def stratified_table(self) -> pd.DataFrame:
        """Each comparison within strata (see the comparison's ``stratified_table``)."""
        return self.comparison.stratified_table()

    def responses_table(self) -> pd.DataFrame:
        """Successes beside any responses, per arm (control first), rounded as the verdict.

        A decline is a response but not a success: ``not a success`` counts such responses,
        and the two rates show what they do to each arm. When ``any_response`` is None every
        counted response was a success and both columns agree.

        Returns
        -------
        pandas.DataFrame
            Indexed by arm: ``evaluated``, ``successes``, ``any response``, ``not a success``,
            ``success rate``, ``any-response rate``.

        Examples
        --------
        >>> import pandas as pd
        >>> t = pd.Timestamp("2025-01-01", tz="UTC")
        >>> outcomes = ["recommended", "declined", None, None, None] * 2
        >>> table = pd.DataFrame({
        ...     "variant": ["default"] * 5 + ["personalised"] * 5, "first_sent_at": t,
        ...     "withdrawn_at": pd.NaT, "first_outcome": outcomes, "outcome": outcomes,
        ...     "first_response_at": [t if o else pd.NaT for o in outcomes]})
        >>> table["last_response_at"] = table["first_response_at"]
        >>> report = compare_requests(table, as_of="2025-03-01T00:00Z")
        >>> rates = report.responses_table()[["success rate", "any-response rate"]]
        >>> rates.loc["personalised"].tolist()
        ['20%', '40%']
        """
        import pandas as pd

        counted = (self.any_response or self).comparison
        responded = {a.name: a.responded for a in counted.arms}
        rows = {
            arm.name: {
                "evaluated": arm.n,
                "successes": arm.responded,
                "any response": responded[arm.name],
                "not a success": responded[arm.name] - arm.responded,
                "success rate": pct_text(arm.rate),
                "any-response rate": pct_text(responded[arm.name] / arm.n),
            }
            for arm in self.comparison.arms
        }
        frame = pd.DataFrame.from_dict(rows, orient="index")
        frame.index.name = "arm"
        return frame

    def to_dict(self, *, full_curves: bool = False) -> dict[str, Any]:
        """The ``report --json`` output (``docs/json-schema.md``): the comparison's fields
        with the log's filled in, and the source last. ``full_curves`` keeps every time of the
        time-to-response curves (``report --json --full-curves``), which are otherwise thinned
        for display when long (:meth:`TimeToResponseReport.to_dict`)."""
        data = self.comparison.to_dict()
        data.update(
            outcome=self.outcome,
            window=self.window,
            as_of=self.as_of,
            any_response=None if self.any_response is None else self.any_response.to_dict(),
            time_to_response=None
            if self.time_to_response is None
            else self.time_to_response.to_dict(full_curves=full_curves),
            notes=list(self.notes),
        )
        if self.caveats:
            data["verdict"] = self.verdict
            data["verdict_paragraphs"] = list(self.verdict_paragraphs)
        data["monitoring"] = None if self.monitoring is None else self.monitoring.to_dict()
        data["source"] = {"log": self.log, "experiment": self.experiment}
        return data

    def _summary_frame(self) -> pd.DataFrame:
        return self.comparison._summary_frame()

    def _text_frame(self) -> pd.DataFrame:
        return self.comparison._text_frame()

    def _verdict_lines(self) -> list[str]:
        return [line for p in self.verdict_paragraphs for line in ("", p)][1:]

    def _notes(self) -> list[str]:
        lines = self._verdict_lines()
        lines += ["", *self.notes] if self.notes else []
        lines += self.comparison._stratified_lines()
        if self.any_response is not None:
            lines += [
                "",
                f"Counting any response (including {self.any_response.notes[0]}):"
                if self.any_response.notes
                else "Counting any response:",
                *self.any_response._verdict_lines(),
            ]
        return lines

    def _parts(self) -> list[Result]:
        monitoring = [self.monitoring] if self.monitoring is not None else []
        timing = [self.time_to_response] if self.time_to_response is not None else []
        return [*self.comparison._parts(), *monitoring, *timing]


def compare_requests(
    requests: pd.DataFrame | str | os.PathLike[str],
    *,
    window: Any = FROM_EXPERIMENT,
    as_of: Any = None,
    control: str | None = None,
    success: Iterable[str] | None = None,
    experiment: str | Experiment | None = None,
    strata: bool = False,
    allocation: dict[str, float] | None = None,
    timing: bool = True,
    alpha: float = 0.05,
    ci_method: str = "wilson",
    diff_method: str = "newcombe",
    prior: str | Sequence[float] = "uniform",
) -> LogReport:
    """Compare the arms of a log's requests table: positive responses, and any responses too.

    With ``timing`` (the default) the report also carries the time-to-response analysis
    (:func:`etiquette_lab.time_to_response`: Kaplan-Meier curves, medians, the probability of a
    response by the window's end, log-rank) in ``time_to_response``, for the same requests and
    as-of time; without an outcome window its day-7 figure is used.

    *experiment* is the experiment's name in the log, or the :class:`~etiquette_lab.Experiment`
    itself (:func:`etiquette_lab.load_experiment`): then its name picks the requests, and its
    outcome window and control are the defaults of *window* and *control* (given values win).
    Without an experiment file the window is 7 days. *window* and *as_of* are parsed here, once
    (:func:`etiquette_lab.timestamps.parse_window`, :func:`etiquette_lab.parse_as_of`), and
    carried as values to the counting and the time-to-response analysis.

    Counts come from :func:`count_outcomes` (see its rules); the statistics from
    :func:`etiquette_lab.compare_counts`, which receives ``control``, ``alpha``, ``ci_method``,
    ``diff_method`` and ``prior`` (see it for their meaning). When some counted responses are not
    successes (declines), ``any_response`` holds the same comparison counting every response,
    so a wording that draws more "no, thanks" does not win. An arm with no evaluated request yet
    (all pending or withdrawn) is left out with a note; when that arm is the control, nothing is
    compared (no other arm stands in for it) and the verdict says the control has no data yet.
    The sample-ratio check counts every request sent by the as-of time, pending ones included.

    *requests* is the log's requests table (:func:`etiquette_lab.read_requests`) or the log's
    path, which the report then names as its source.

    Returns
    -------
    LogReport
        The comparison of the counts (``comparison``) beside what the log adds.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.Timestamp("2025-01-01", tz="UTC")
    >>> rows = [("default", r) for r in (1, 0, 0, 0, 0)] + [("personalised", r)
    ...         for r in (1, 1, 1, 1, 0)]
    >>> table = pd.DataFrame({
    ...     "variant": [v for v, _ in rows], "first_sent_at": t, "withdrawn_at": pd.NaT,
    ...     "first_response_at": [t + pd.Timedelta(days=1) if r else pd.NaT for _, r in rows],
    ...     "first_outcome": ["recommended" if r else pd.NA for _, r in rows]})
    >>> table["last_response_at"] = table["first_response_at"]
    >>> table["outcome"] = table["first_outcome"]
    >>> report = compare_requests(table, as_of="2025-03-01T00:00Z")
    >>> round(report.comparisons[0].tests.fisher.p_value, 4)
    0.2063
    """
    log = None
    if not hasattr(requests, "columns"):
        log = os.fspath(requests)
        requests = read_requests(log)
    design = experiment if isinstance(experiment, Experiment) else None
    if isinstance(experiment, Experiment):
        if window is FROM_EXPERIMENT:
            window = f"{experiment.outcome_window_days:g}d"
        control = control or experiment.control
        experiment = experiment.name
    span = parse_window(DEFAULT_WINDOW if window is FROM_EXPERIMENT else window)
    moment = parse_as_of(as_of)
    counts = count_outcomes(
        requests, window=span, as_of=moment, success=success, experiment=experiment, strata=strata
    )
    # Imported history whose source shows no outcome at all: a rate of 0 would read as "nobody
    # answered"; say what the source cannot show instead of comparing.
    table = rows_of_experiment(requests, experiment)  # once: the history, curves and caveats
    unseen = history_caveat(table)
    if unseen is not None:
        raise InvalidInputError(f"nothing to compare: {unseen}")
    horizon = f"within {counts.window}" if counts.window else "so far"
    ready = [a for a in counts.arms if a.evaluated > 0]
    if not counts.arms:
        raise InvalidInputError(f"nothing to report as of {counts.as_of}: no request had been sent")
    if not ready:
        waiting = sum(a.pending for a in counts.arms)
        raise InvalidInputError(
            f"nothing to report as of {counts.as_of}: no request has a closed outcome window "
            f"({waiting} pending, {sum(a.withdrawn for a in counts.arms)} withdrawn)"
        )
    # The control is chosen among every arm that has sent requests, ready or not: an arm whose
    # windows are all still open stays the control, and the report says it has no data yet.
    control = pick_control([a.name for a in counts.arms], control)
    notes = [
        f"{a.name!r} is left out: none of its {a.sent} requests has a closed window yet"
        for a in counts.arms
        if a.evaluated == 0 and a.name != control
    ]
    if strata and counts.strata_success is None:
        notes.append("the requests have no strata (at most one stratum): no stratified analysis")
    withdrawn = sum(a.withdrawn for a in counts.arms)
    if withdrawn:
        notes.append(
            f"{withdrawn} request{'s' if withdrawn != 1 else ''} withdrawn without a response "
            "in the window not counted"
        )
    undelivered = sum(a.undelivered for a in counts.arms)
    if undelivered:
        notes.append(undelivered_note(undelivered))
    if counts.sent_after_as_of:
        later = counts.sent_after_as_of
        notes.append(
            f"{later} request{'s' if later != 1 else ''} sent after the as-of time ignored"
        )
    names = {a.name for a in ready}
    pending = {a.name: a.pending for a in counts.arms}
    sent = {a.name: a.sent for a in ready}

    def compare(arm_counts, strata_counts) -> ComparisonReport:
        return compare_counts(
            {n: c for n, c in arm_counts.items() if n in names},
            control=control,
            strata=_ready_strata(strata_counts, names),
            pending=pending,
            sent=sent,
            allocation=None
            if allocation is None
            else {n: allocation[n] for n in names if n in allocation},
            alpha=alpha,
            ci_method=ci_method,
            diff_method=diff_method,
            prior=prior,
        )

    any_response = None
    if counts.has_non_success:
        declined = sum(a.responded - a.succeeded for a in ready)
        any_response = LogReport(
            comparison=compare(counts.response_counts, counts.strata_response),
            outcome=f"any response {horizon}",
            window=counts.window,
            as_of=counts.as_of,
            notes=(f"{declined} non-success response{'s' if declined != 1 else ''}",),
            experiment=experiment,
            log=log,
        )
    comparison = compare(counts.success_counts, counts.strata_success)
    curves = None
    if timing:
        curves = time_to_response(
            delivered_requests(table, moment),
            as_of=moment,
            window=span if span is not None else DEFAULT_WINDOW,
            control=comparison.control,
            alpha=alpha,
        )
    # (A send into an experiment declared observational is observational in the requests table,
    # however it was logged.)
    caveats = (OBSERVATIONAL_CAVEAT,) if is_observational(table, _name_of(table)) else ()
    monitoring = None
    if design is not None and design.monitoring is not None:
        monitoring, why_not = _monitoring(design, requests, table, counts, span, moment, success)
        notes += [why_not] if why_not else []
    return LogReport(
        comparison=comparison,
        monitoring=monitoring,
        caveats=caveats,
        outcome=f"success {horizon} ({counts.success})",
        window=counts.window,
        as_of=counts.as_of,
        notes=tuple(notes),
        any_response=any_response,
        time_to_response=curves,
        experiment=experiment,
        log=log,
    )


def _name_of(table: pd.DataFrame) -> str:
    """The experiment's name in a table of one experiment's requests ("" when unnamed)."""
    if "experiment" not in table.columns or table.empty:
        return ""
    return str(table["experiment"].fillna("").iloc[0])


def _monitoring(
    design: Experiment,
    requests: Any,
    table: pd.DataFrame,
    counts: OutcomeCounts,
    window: Window | None,
    as_of: pd.Timestamp,
    success: Iterable[str] | None,
) -> tuple[MonitorDecision | None, str | None]:
    """The decision at the current look of the experiment file's design, from the same counts
    (the requests whose window closed by *as_of*) the comparison used; or no decision and the
    note that says why (a wording with no request yet).

    Planned looks are decided on their own counts (the first n closed requests of each
    wording, from the log). The anytime e-value is built from one block a day (UTC): the
    requests whose windows closed that day, a schedule fixed in advance, so the e-value is an
    e-process over it and a crossing on an earlier day stands, whenever one reads the report.
    """
    import pandas as pd

    spec = design.monitoring
    assert spec is not None
    control, new = design.variant_names_control_first[:2]
    arms = {a.name: a for a in counts.arms}
    absent = [name for name in (control, new) if name not in arms]
    if absent:
        return None, (
            f"monitoring: no decision yet: {', '.join(map(repr, absent))} has no request sent "
            "by the as-of time"
        )
    closed = {n: (arms[n].succeeded, arms[n].evaluated) for n in (control, new)}
    still_open = {n: arms[n].pending for n in (control, new)}
    if spec.anytime:
        first = pd.to_datetime(table["first_sent_at"], utc=True).min().normalize()
        days = pd.date_range(first + pd.Timedelta(days=1), as_of, freq="D")
        looks = looks_from_requests(
            requests, at=list(days), control=control, new=new, window=window, as_of=as_of,
            success=success, experiment=design.name,
        ).counts  # fmt: skip
    else:
        looks = looks_from_requests(
            requests, sizes=spec.planned_looks, control=control, new=new, window=window,
            as_of=as_of, success=success, experiment=design.name,
        ).counts  # fmt: skip
    try:
        return monitor_look(spec, closed, still_open, looks=looks), None
    except InvalidInputError as error:  # (the plan overshot: a refusal, said as monitoring's)
        raise InvalidInputError(f"monitoring ({design.name}): {error}") from None


def _ready_strata(strata_counts, names):
    if not strata_counts:
        return None
    return {s: {a: c for a, c in cells.items() if a in names} for s, cells in strata_counts.items()}
