"""From the log's table of requests to counts per arm: the outcome window, pending requests and
what counts as a success.

The rules (also in ``docs/methods.md``):

* **Window.** A request's outcome is "answered within the window" (for example 7 days), timed
  from its *first* send. A re-sent request stays one request and its window does not restart,
  so re-sending cannot buy a wording extra time.
* **As-of.** Only what had happened by the as-of time counts (now by default). Requests first
  sent after it are ignored.
* **Pending.** A request whose window had not closed by the as-of time is pending: it is left out
  of the counts, whether or not it has been answered (counting the early answers but not the
  pending silences would inflate the rate), and reported as pending.
* **Withdrawn.** A request withdrawn before its window closed and before any response is left
  out (it never had its full chance) and reported as withdrawn, at once: withdrawal wins over
  pending while the window is still open. If an answer then arrives within the window, the
  request counts as answered (pending until its window closes). One withdrawn after its window
  closed keeps the outcome it had in the window.
* **Success.** Any response within the window is a response; it is a success when its outcome
  counts as one. By default every outcome except "declined" does; pass ``success=`` to choose.
  A request succeeds if its first or its latest response within the window has a success
  outcome.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from ..arms import pick_control
from ..errors import InvalidInputError
from ..log.format import OUTCOMES
from ..results import Result
from ..timestamps import parse_as_of, parse_duration

__all__ = [
    "DEFAULT_NOT_SUCCESS",
    "ArmOutcomes",
    "OutcomeCounts",
    "arm_overview",
    "compare_requests",
    "count_outcomes",
    "parse_window",
    "rows_of_experiment",
    "window_status",
]

#: Outcomes that are responses but not successes unless ``success=`` says otherwise.
DEFAULT_NOT_SUCCESS: frozenset[str] = frozenset({"declined"})

_COLUMNS = (
    "variant",
    "first_sent_at",
    "withdrawn_at",
    "first_response_at",
    "first_outcome",
    "last_response_at",
    "outcome",
)


def parse_window(window: Any):
    """A positive :class:`pandas.Timedelta` from "7d", "48h", "2w" or a timedelta; None stays None.

    Examples
    --------
    >>> parse_window("7d")
    Timedelta('7 days 00:00:00')
    """
    import pandas as pd

    if window is None or (isinstance(window, str) and window.strip().lower() in ("", "none")):
        return None
    value = pd.Timedelta(parse_duration(window))
    if value <= pd.Timedelta(0):
        raise InvalidInputError(f"the outcome window must be positive, got {window!r}")
    return value


@dataclass(frozen=True)
class ArmOutcomes:
    """What happened to one arm's requests by the as-of time.

    ``evaluated = sent - pending - withdrawn``; ``responded`` and ``succeeded`` count among the
    evaluated requests.
    """

    name: str
    sent: int
    evaluated: int
    responded: int
    succeeded: int
    pending: int
    withdrawn: int


@dataclass(frozen=True)
class OutcomeCounts(Result):
    """Counts per arm built from the requests table (see the module's rules)."""

    arms: tuple[ArmOutcomes, ...]
    window: str | None
    as_of: str
    success: str
    outcomes: dict[str, int]
    strata_success: dict[str, dict[str, tuple[int, int]]] | None = None
    strata_response: dict[str, dict[str, tuple[int, int]]] | None = None
    sent_after_as_of: int = 0
    notes: tuple[str, ...] = field(default=())

    _title = "Outcomes per arm"

    def _summary_frame(self):
        import pandas as pd

        return pd.DataFrame([a.__dict__ for a in self.arms]).set_index("name")

    def _notes(self) -> list[str]:
        return [
            f"window {self.window or 'none'}, as of {self.as_of}; success = {self.success}",
            *self.notes,
        ]

    @property
    def success_counts(self) -> dict[str, tuple[int, int]]:
        """arm -> (successes, evaluated requests)."""
        return {a.name: (a.succeeded, a.evaluated) for a in self.arms}

    @property
    def response_counts(self) -> dict[str, tuple[int, int]]:
        """arm -> (any responses, evaluated requests)."""
        return {a.name: (a.responded, a.evaluated) for a in self.arms}

    @property
    def has_non_success(self) -> bool:
        """True when some counted response is not a success (for example a decline)."""
        return any(a.responded != a.succeeded for a in self.arms)

    def strata_table(self, *, responses: bool = False):
        """The counted requests per stratum (rows) and arm (columns, control first), each cell
        "successes of evaluated (rate)"; with *responses*, any response instead of successes.

        Empty when the counts were not split by stratum (``strata=False``, or at most one
        stratum).

        Examples
        --------
        >>> import pandas as pd
        >>> t = pd.Timestamp("2025-01-01", tz="UTC")
        >>> table = pd.DataFrame({
        ...     "variant": ["new", "default", "new"], "stratum": ["close", "close", "far"],
        ...     "first_sent_at": t, "withdrawn_at": pd.NaT,
        ...     "first_response_at": [t + pd.Timedelta(days=1), pd.NaT, pd.NaT],
        ...     "first_outcome": ["recommended", pd.NA, pd.NA]})
        >>> table["last_response_at"], table["outcome"] = table["first_response_at"], table[
        ...     "first_outcome"]
        >>> counts = count_outcomes(table, as_of="2025-02-01T00:00Z", strata=True)
        >>> counts.strata_table().loc["close"].tolist()  # the control ("default") first
        ['0 of 1 (0%)', '1 of 1 (100%)']
        """
        import pandas as pd

        from ..formatting import pct_text

        cells = self.strata_response if responses else self.strata_success
        names = [a.name for a in self.arms]
        rows = {
            stratum: {
                name: f"{x} of {n} ({pct_text(x / n)})" if n else ""
                for name in names
                for x, n in [by_arm.get(name, (0, 0))]
            }
            for stratum, by_arm in (cells or {}).items()
        }
        frame = pd.DataFrame.from_dict(rows, orient="index", columns=names if rows else None)
        frame.index.name = "stratum"
        return frame


def count_outcomes(
    requests,
    *,
    window: Any = "7d",
    as_of: Any = None,
    success: Iterable[str] | None = None,
    experiment: str | None = None,
    strata: bool = False,
    control: str | None = None,
) -> OutcomeCounts:
    """Count, per arm (``variant``), the requests answered within the window by the as-of time.

    Parameters
    ----------
    requests : pandas.DataFrame
        The log's requests table (``etiquette_lab.log.file.read_requests``).
    window : str, timedelta or None
        Outcome window from the first send, "7d" by default; None counts any response up to
        ``as_of`` and leaves nothing pending.
    as_of : datetime, Timestamp or ISO 8601 string, optional
        The moment the counts describe; now by default. Naive times are local time.
    success : iterable of str, optional
        The outcomes that count as a success; by default all but :data:`DEFAULT_NOT_SUCCESS`.
    experiment : str, optional
        Keep only this experiment; required when the table holds several.
    strata : bool
        Also split the counts by the ``stratum`` column ("" becomes "(none)").
    control : str, optional
        The control arm, listed first (the others keep the order they first appear in);
        by default "default" if there is such an arm, else the first.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.Timestamp("2025-01-01", tz="UTC")
    >>> table = pd.DataFrame({
    ...     "variant": ["a", "a", "b"], "first_sent_at": [t, t, t],
    ...     "withdrawn_at": [pd.NaT] * 3,
    ...     "first_response_at": [t + pd.Timedelta(days=1), pd.NaT, t + pd.Timedelta(days=2)],
    ...     "first_outcome": ["declined", pd.NA, "recommended"],
    ...     "last_response_at": [t + pd.Timedelta(days=1), pd.NaT, t + pd.Timedelta(days=2)],
    ...     "outcome": ["declined", pd.NA, "recommended"]})
    >>> c = count_outcomes(table, as_of="2025-02-01T00:00Z")
    >>> c.success_counts, c.response_counts
    ({'a': (0, 2), 'b': (1, 1)}, {'a': (1, 2), 'b': (1, 1)})
    """

    table, frame, span, now, after, label = _classify(requests, window, as_of, success, experiment)
    evaluated = frame["evaluated"]
    grouped = frame.groupby("arm", sort=False)[
        ["sent", "evaluated", "responded", "succeeded", "pending", "withdrawn"]
    ].sum()
    arms = tuple(ArmOutcomes(str(name), *(int(v) for v in row)) for name, row in grouped.iterrows())
    if arms:  # the control leads every table, as in the comparison built from these counts
        first = pick_control([a.name for a in arms], control)
        arms = tuple(sorted(arms, key=lambda a: a.name != first))
    outcomes = table.loc[frame["responded"], "first_outcome"].fillna("(none)").astype(str)
    strata_success = strata_response = None
    if strata:
        if "stratum" not in table.columns:
            raise InvalidInputError("the requests table has no stratum column")
        frame["stratum"] = table["stratum"].fillna("").astype(str).replace("", "(none)")
    if strata and frame["stratum"].nunique() > 1:  # one stratum (or none at all) is no split
        sums = (
            frame[evaluated]
            .groupby(["stratum", "arm"])[["succeeded", "responded", "evaluated"]]
            .sum()
        )
        strata_success, strata_response = {}, {}
        for (stratum, arm), row in sums.iterrows():
            strata_success.setdefault(stratum, {})[arm] = (
                int(row["succeeded"]),
                int(row["evaluated"]),
            )
            strata_response.setdefault(stratum, {})[arm] = (
                int(row["responded"]),
                int(row["evaluated"]),
            )
    return OutcomeCounts(
        arms=arms,
        window=None if span is None else str(window),
        as_of=now.isoformat(),
        success=label,
        outcomes=dict(outcomes.value_counts().sort_index().astype(int)),
        strata_success=strata_success,
        strata_response=strata_response,
        sent_after_as_of=after,
    )


def window_status(
    requests,
    *,
    window: Any = "7d",
    as_of: Any = None,
    success: Iterable[str] | None = None,
    experiment: str | None = None,
):
    """Each request's place in the outcome window, as of a moment: the rows behind the counts.

    One row per request sent by the as-of time, with ``window_closes_at`` and ``status``:
    ``"pending"`` (its window is still open and it is not counted), ``"withdrawn"`` (withdrawn
    inside its window before any response; not counted) or ``"evaluated"``; for evaluated
    requests ``responded`` and ``succeeded`` say what happened within the window;
    ``answered_so_far`` says whether any answer had come by the as-of time (also for pending
    requests, which are not counted yet). :func:`count_outcomes` adds these rows up.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.Timestamp("2025-01-01", tz="UTC")
    >>> table = pd.DataFrame({
    ...     "variant": ["a", "b"], "first_sent_at": [t, t + pd.Timedelta(days=5)],
    ...     "withdrawn_at": [pd.NaT] * 2, "first_response_at": [t + pd.Timedelta(days=1), pd.NaT],
    ...     "first_outcome": ["recommended", pd.NA],
    ...     "last_response_at": [t + pd.Timedelta(days=1), pd.NaT],
    ...     "outcome": ["recommended", pd.NA]})
    >>> window_status(table, as_of="2025-01-09T00:00Z")["status"].tolist()
    ['evaluated', 'pending']
    """
    import pandas as pd

    table, frame, _, now, *_ = _classify(requests, window, as_of, success, experiment)
    shown = table.drop(columns=[c for c in ("message",) if c in table.columns]).copy()
    for column in ("window_closes_at", "status", "responded", "succeeded"):
        shown[column] = frame[column]
    # What is known by the as-of time, window or not: a pending request may be answered already.
    first_at = pd.to_datetime(table["first_response_at"], utc=True)
    shown["answered_so_far"] = first_at.notna() & (first_at <= now)
    return shown.reset_index(drop=True)


def _classify(requests, window, as_of, success, experiment):
    """The one place the window rules live: (table, per-request frame, span, now, after, label)."""
    import pandas as pd

    missing = [c for c in _COLUMNS if c not in getattr(requests, "columns", ())]
    if missing:
        raise InvalidInputError(f"the requests table lacks the columns: {', '.join(missing)}")
    table = rows_of_experiment(requests, experiment)
    span = parse_window(window)
    now = parse_as_of(as_of)
    sent_at = pd.to_datetime(table["first_sent_at"], utc=True)
    sent = sent_at <= now
    after = int((~sent & sent_at.notna()).sum())
    table, sent_at = table[sent], sent_at[sent]
    end = sent_at + span if span is not None else pd.Series(now, index=table.index)
    closes = end.where(end <= now, now)

    def at(column: str):
        return pd.to_datetime(table[column], utc=True)

    first_at, last_at, withdrawn_at = (
        at("first_response_at"),
        at("last_response_at"),
        at("withdrawn_at"),
    )
    answered = first_at.notna() & (first_at <= closes)
    # Withdrawn inside the window and never answered in it: left out. An answer that came
    # after a withdrawal but inside the window still counts (a late yes is a yes), as the
    # time-to-response curves count it.
    withdrawn = withdrawn_at.notna() & (withdrawn_at <= closes) & ~answered
    pending = ~withdrawn & (end > now)
    evaluated = ~withdrawn & ~pending
    # unique() first: a Python set over every row costs seconds at a million requests.
    seen = set(table["first_outcome"].dropna().astype(str).unique()) | set(
        table["outcome"].dropna().astype(str).unique()
    )
    label, is_success = _success_rule(success, seen)
    last_in = last_at.notna() & (last_at <= closes)
    succeeded = answered & (
        is_success(table["first_outcome"]) | (last_in & is_success(table["outcome"]))
    )
    frame = pd.DataFrame(
        {
            "arm": table["variant"].astype(str),
            "sent": True,
            "evaluated": evaluated,
            "responded": answered & evaluated,
            "succeeded": succeeded & evaluated,
            "pending": pending,
            "withdrawn": withdrawn,
            "window_closes_at": end,
            "status": pd.Series("evaluated", index=table.index)
            .mask(pending, "pending")
            .mask(withdrawn, "withdrawn"),
        }
    )
    return table, frame, span, now, after, label


def _success_rule(success: Iterable[str] | None, seen: Iterable[str] = ()):
    """A label for the rule and a function marking the outcomes that are successes.

    An outcome in *success* that the kit does not know and the table never uses is refused:
    a typo there would make every arm 0 of n without a word.
    """
    if success is None:

        def is_default_success(values):
            return ~values.fillna("").astype(str).isin(DEFAULT_NOT_SUCCESS)

        return "any outcome except " + ", ".join(sorted(DEFAULT_NOT_SUCCESS)), is_default_success
    chosen = {str(s) for s in ([success] if isinstance(success, str) else success)}
    if not chosen:
        raise InvalidInputError("success= names no outcome")
    known = set(OUTCOMES) | {str(o) for o in seen}
    unknown = sorted(chosen - known)
    if unknown:
        close = difflib.get_close_matches(unknown[0], sorted(known), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise InvalidInputError(
            f"success names {unknown[0]!r}{hint}, an outcome neither known nor in these "
            f"requests; known: {', '.join(sorted(known))}"
        )

    def is_chosen(values):
        return values.fillna("").astype(str).isin(chosen)

    return ", ".join(sorted(chosen)), is_chosen


def arm_overview(requests, *, control: str | None = None, experiment: str | None = None):
    """What has happened to each arm's requests so far, whatever the date: the first answer of
    each request (or none yet), how many were reminded and withdrawn, and how many were sent.

    This is the whole log at a glance, before any outcome window: :func:`count_outcomes` says
    what counts as of a moment.

    Parameters
    ----------
    requests : pandas.DataFrame
        The log's requests table (``etiquette_lab.read_requests``).
    control : str, optional
        The control arm, listed first (see :func:`etiquette_lab.pick_control`).
    experiment : str, optional
        Keep only this experiment; required when the table holds several.

    Returns
    -------
    pandas.DataFrame
        One row per arm, control first: one column per first outcome, ``no answer yet``,
        ``reminded``, ``withdrawn`` and ``requests``.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"variant": ["new", "default", "new"],
    ...     "first_outcome": ["recommended", pd.NA, "declined"], "reminders": [0, 1, 0],
    ...     "withdrawn_at": [pd.NaT, pd.NaT, pd.NaT]})
    >>> overview = arm_overview(table)
    >>> overview.index.tolist(), overview.columns.tolist()[:3]
    (['default', 'new'], ['declined', 'recommended', 'no answer yet'])
    >>> overview.loc["new"].tolist()
    [1, 1, 0, 0, 0, 2]
    """
    import pandas as pd

    table = rows_of_experiment(requests, experiment)
    arm = table["variant"].astype(str)
    names = list(dict.fromkeys(arm))
    if not names:
        raise InvalidInputError("the requests table has no request")
    first = pick_control(names, control)
    order = [first, *(n for n in names if n != first)]
    answers = pd.crosstab(arm, table["first_outcome"].astype("string")).reindex(
        index=order, fill_value=0
    )
    overview = answers.assign(
        **{
            "no answer yet": table["first_outcome"].isna().groupby(arm).sum(),
            "reminded": (table["reminders"] > 0).groupby(arm).sum(),
            "withdrawn": table["withdrawn_at"].notna().groupby(arm).sum(),
            "requests": arm.value_counts(),
        }
    ).astype(int)
    overview.index.name, overview.columns.name = "arm", None
    return overview


def rows_of_experiment(requests, experiment: str | None = None):
    """The requests of one experiment; with none named, the table must hold only one.

    The unnamed experiment (requests logged without one) is ``experiment=""`` (on the command
    line ``--experiment ''``).

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"experiment": ["", "", "tone"], "variant": ["a", "b", "a"]})
    >>> len(rows_of_experiment(table, "")), len(rows_of_experiment(table, "tone"))
    (2, 1)
    """
    if "experiment" not in requests.columns:
        if experiment:
            raise InvalidInputError("the requests table has no experiment column")
        return requests
    # A table built by hand may hold NaN where the log holds "": both are the unnamed experiment.
    names = requests["experiment"].fillna("").astype(str)
    known = sorted(set(names.unique()))
    listed = ", ".join("'' (unnamed)" if n == "" else repr(n) for n in known)
    how = "choose one with experiment=NAME (the unnamed one is experiment='')"
    if experiment is None:
        if len(known) > 1:
            raise InvalidInputError(f"the log holds several experiments ({listed}): {how}")
        return requests
    table = requests[names == str(experiment)]
    if table.empty:
        raise InvalidInputError(
            f"no request belongs to the experiment {experiment!r}; the log holds {listed}"
        )
    return table


def compare_requests(
    requests,
    *,
    window: Any = "7d",
    as_of: Any = None,
    control: str | None = None,
    success: Iterable[str] | None = None,
    experiment: str | None = None,
    strata: bool = False,
    allocation: dict[str, float] | None = None,
    timing: bool = True,
    **options: Any,
):
    """Compare the arms of a log's requests table: positive responses, and any responses too.

    With ``timing`` (the default) the report also carries the time-to-response analysis
    (:func:`etiquette_lab.time_to_response`: Kaplan-Meier curves, medians, the probability of a
    response by the window's end, log-rank) in ``time_to_response``, for the same requests and
    as-of time; without an outcome window its day-7 figure is used.

    Counts come from :func:`count_outcomes` (see its rules); the statistics from
    :func:`etiquette_lab.stats.compare_counts`, which receives ``control`` and ``**options``
    (``ci_method``, ``diff_method``, ``alpha``, ``prior``). When some counted responses are not
    successes (declines), ``any_response`` holds the same comparison counting every response,
    so a wording that draws more "no, thanks" does not win. An arm with no evaluated request yet
    (all pending or withdrawn) is left out with a note; when that arm is the control, nothing is
    compared (no other arm stands in for it) and the verdict says the control has no data yet.
    The sample-ratio check counts every request sent by the as-of time, pending ones included.

    Returns
    -------
    etiquette_lab.stats.ComparisonReport

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
    from ..stats.report import compare_counts

    counts = count_outcomes(
        requests, window=window, as_of=as_of, success=success, experiment=experiment, strata=strata
    )
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
    if counts.sent_after_as_of:
        later = counts.sent_after_as_of
        notes.append(
            f"{later} request{'s' if later != 1 else ''} sent after the as-of time ignored"
        )
    names = {a.name for a in ready}
    pending = {a.name: a.pending for a in counts.arms}
    sent = {a.name: a.sent for a in ready}

    def build(arm_counts, strata_counts, outcome, extra):
        report = compare_counts(
            {n: c for n, c in arm_counts.items() if n in names},
            control=control,
            strata=_ready_strata(strata_counts, names),
            pending=pending,
            sent=sent,
            allocation=None
            if allocation is None
            else {n: allocation[n] for n in names if n in allocation},
            **options,
        )
        return replace(
            report, outcome=outcome, window=counts.window, as_of=counts.as_of, notes=tuple(extra)
        )

    positive = build(
        counts.success_counts, counts.strata_success, f"success {horizon} ({counts.success})", notes
    )
    if counts.has_non_success:
        declined = sum(a.responded - a.succeeded for a in ready)
        any_response = build(
            counts.response_counts,
            counts.strata_response,
            f"any response {horizon}",
            [f"{declined} non-success response{'s' if declined != 1 else ''}"],
        )
        positive = replace(positive, any_response=any_response)
    if timing:
        from .timing import time_to_response

        curves = time_to_response(
            rows_of_experiment(requests, experiment),
            as_of=counts.as_of,
            window=window if counts.window else "7d",
            control=positive.control,
            alpha=options.get("alpha", 0.05),
        )
        positive = replace(positive, time_to_response=curves)
    return positive


def _ready_strata(strata_counts, names):
    if not strata_counts:
        return None
    return {s: {a: c for a, c in cells.items() if a in names} for s, cells in strata_counts.items()}
