"""Time to response: Kaplan-Meier curves, medians, the window probability and the log-rank test.

A request that has not been answered yet is not a failure: it is *censored*, we only know that
no response came during the time we watched. The Kaplan-Meier estimator uses that partial
information honestly, so pending requests neither count as "no" nor silently disappear.

The curve estimated here is the probability of having *responded* by day ``t`` (the cumulative
incidence ``F(t) = 1 - S(t)``, where ``S(t)`` is the Kaplan-Meier "survival" curve, the
probability of still waiting at ``t``). Intervals follow R's ``survfit`` defaults
(``conf.type = "log"``, Greenwood variance); medians and their intervals follow R's
``quantile.survfit``. The log-rank test is R's ``survdiff`` with ``rho = 0``.

Two entry points:

- :func:`time_to_response` works on the requests table (one row per request);
- :func:`time_to_response_from_durations` works on durations and event flags per arm, so any
  engine (pandas, SQL, a warehouse) can do the counting. :func:`response_durations` gives the
  durations this module derives from a requests table.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..arms import control_first
from ..checks import check_alpha
from ..errors import InvalidInputError
from ..formatting import p_number, p_text, pct_text, points_number, points_text
from ..results import Result
from ..stats.rates import wilson_limits
from ..timestamps import Window, parse_as_of, parse_window

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CURVE_DISPLAY_STEP",
    "CURVE_JSON_MAX_TIMES",
    "LogRankTest",
    "ResponseCurve",
    "TimeToResponseArm",
    "TimeToResponseReport",
    "WindowDifference",
    "response_durations",
    "time_to_response",
    "time_to_response_from_durations",
    "window_limits",
]

_SECONDS_PER_DAY = 86400.0
# R's quantile.survfit tolerance for a curve lying exactly on the requested probability.
_TOLERANCE = math.sqrt(np.finfo(float).eps)
_CONF_TYPES = ("log", "log-log")
#: A curve's display resolution: a tenth of a percentage point (see :meth:`ResponseCurve.thin`).
CURVE_DISPLAY_STEP = 0.001
#: ``to_dict()`` (``report --json``) gives curves of at most this many times whole, and thins
#: longer ones to :data:`CURVE_DISPLAY_STEP` unless asked for the full curves.
CURVE_JSON_MAX_TIMES = 1000
# Our own small parser: pandas is deprecating the lower-case "d" and "w" that people type.


@dataclass(frozen=True)
class ResponseCurve(Result):
    """One arm's Kaplan-Meier curve of "responded by day t", at every distinct observed time.

    Between two listed times the curve is flat; at a listed time it already includes the
    responses of that time (right-continuous), so ``p_responded[i]`` is P(response by
    ``days[i]``). Before the first listed time it is 0.

    Attributes
    ----------
    days : tuple of float
        Distinct observed times (responses and censorings), in days since the first send.
    n_at_risk : tuple of int
        Requests still waiting and watched just before each time.
    responses, censored : tuple of int
        Responses and censorings (pending or withdrawn requests) at each time.
    p_responded, ci_low, ci_high : tuple of float
        ``1 - S(t)`` and its confidence band (NaN where the band is undefined, after the last
        request has responded, as in R).
    thinned : bool
        False for the curve as estimated; True for a copy thinned for display
        (:meth:`thinned`), where some times were left out.
    """

    _title = "Responded by day t (Kaplan-Meier)"

    def _summary_frame(self):
        import pandas as pd

        columns = ("days", "n_at_risk", "responses", "censored", "p_responded", "ci_low", "ci_high")
        return pd.DataFrame({name: list(getattr(self, name)) for name in columns})

    days: tuple[float, ...]
    n_at_risk: tuple[int, ...]
    responses: tuple[int, ...]
    censored: tuple[int, ...]
    p_responded: tuple[float, ...]
    ci_low: tuple[float, ...]
    ci_high: tuple[float, ...]
    thinned: bool = False

    def at_risk(self, day: float) -> int:
        """Number of requests still waiting and watched just before *day*."""
        index = bisect.bisect_left(self.days, day)  # the first listed time >= day
        return self.n_at_risk[index] if index < len(self.days) else 0

    def thin(self, step: float = CURVE_DISPLAY_STEP) -> ResponseCurve:
        """The curve at fewer times, drawn within *step* of the full one, for display and JSON.

        The rule: the first and the last time are kept, and every time at which
        ``p_responded``, ``ci_low`` or ``ci_high`` enters a new multiple of *step* (a different
        ``floor(value / step)``) or becomes defined or undefined. Between two kept times every
        left-out time lies in the same multiple of *step* as the kept time before it, so the
        step curve through the kept times differs from the full one by less than *step*
        (0.001: a tenth of a percentage point), and is exact at every kept time. A left-out
        time's responses and censorings are added to the next kept time, so they still sum to
        the arm's counts; ``n_at_risk`` stays the number waiting just before each kept time.

        Examples
        --------
        >>> curve = ResponseCurve(
        ...     days=(1.0, 2.0, 3.0, 4.0), n_at_risk=(4, 3, 2, 1), responses=(1, 0, 0, 1),
        ...     censored=(0, 1, 1, 0), p_responded=(0.25, 0.25, 0.25, 1.0),
        ...     ci_low=(0.1, 0.1, 0.1, 0.5), ci_high=(0.6, 0.6, 0.6, 1.0))
        >>> short = curve.thin()
        >>> short.days, short.n_at_risk, short.responses, short.censored, short.thinned
        ((1.0, 4.0), (4, 1), (1, 1), (0, 2), True)
        """
        if not step > 0:
            raise InvalidInputError(f"step must be positive, got {step!r}")
        size = len(self.days)
        keep = np.zeros(size, dtype=bool)
        if size:
            keep[[0, -1]] = True
        for series in (self.p_responded, self.ci_low, self.ci_high):
            values = np.fromiter(series, dtype=float, count=size)
            level, missing = np.floor(values / step), np.isnan(values)
            # NaN != NaN: two undefined neighbours are no change, a defined and an undefined are.
            keep[1:] |= (level[1:] != level[:-1]) & ~(missing[1:] & missing[:-1])
        kept = np.flatnonzero(keep).tolist()

        def pick(values: tuple) -> tuple:
            return tuple(values[i] for i in kept)  # a few thousand of up to millions

        def gathered(counts: tuple[int, ...]) -> tuple[int, ...]:
            running = np.cumsum(np.fromiter(counts, dtype=np.int64, count=size))[kept]
            return tuple(np.diff(running, prepend=0).tolist())

        return ResponseCurve(
            days=pick(self.days),
            n_at_risk=pick(self.n_at_risk),
            responses=gathered(self.responses),
            censored=gathered(self.censored),
            p_responded=pick(self.p_responded),
            ci_low=pick(self.ci_low),
            ci_high=pick(self.ci_high),
            thinned=True,
        )


@dataclass(frozen=True)
class TimeToResponseArm(Result):
    """Time to response in one arm.

    ``median_days`` is NaN (``None`` in JSON) when fewer than half the requests are known to
    have responded ("not reached"); ``median_ci_high`` is NaN when the upper band never reaches
    one half within the follow-up. ``p_by_window`` is NaN when every request still watched left
    observation before the window's end (follow-up too short to say).
    """

    _title = "Time to response of one arm"

    name: str
    n: int
    responded: int
    censored: int
    median_days: float
    median_ci_low: float
    median_ci_high: float
    p_by_window: float
    p_by_window_ci_low: float
    p_by_window_ci_high: float
    p_by_window_se: float
    observed: int
    expected: float
    follow_up_days: float
    curve: ResponseCurve

    @property
    def median_reached(self) -> bool:
        """Whether at least half the requests are known to have responded."""
        return not math.isnan(self.median_days)


@dataclass(frozen=True)
class LogRankTest(Result):
    """The log-rank test of equal time-to-response curves (R's ``survdiff``, ``rho = 0``).

    ``statistic`` is the chi-square statistic with ``df`` degrees of freedom; both it and
    ``p_value`` are NaN when no arm has a response (the test has nothing to compare) or when
    there is a single arm.
    """

    _title = "Log-rank test"

    statistic: float
    df: int
    p_value: float
    method: str


@dataclass(frozen=True)
class WindowDifference(Result):
    """P(response by the window's end) in *arm* minus the same in *control*.

    The interval is Newcombe's hybrid (his method 10) built on each arm's Wilson limits for its
    Kaplan-Meier estimate at the effective sample size (``method``, see
    :func:`window_limits`): honest at 0% and 100%, where Greenwood's variance is 0 or
    undefined and a Wald interval would treat the estimate as known exactly. It is NaN, with
    ``note`` saying why, when an arm's window probability is not estimable yet (its follow-up
    ends before the window does). ``logrank_p_value`` compares the whole curves of the two arms
    (scipy.stats.logrank); NaN when neither arm has a response (``note`` says so).
    """

    _title = "Difference in P(response by the window's end)"

    arm: str
    control: str
    difference: float
    ci_low: float
    ci_high: float
    logrank_p_value: float
    method: str = "newcombe-hybrid-wilson-effective-n"
    note: str = ""


@dataclass(frozen=True)
class TimeToResponseReport(Result):
    """Kaplan-Meier time-to-response analysis of every arm against a control.

    ``to_dict()`` is strict-JSON-safe: ``arms`` (each with ``name``, ``n``, ``responded``,
    ``median_days``, ``median_ci_low``, ``median_ci_high``, ``p_by_window``,
    ``p_by_window_ci_low``, ``p_by_window_ci_high`` and its ``curve``), ``logrank``
    (``statistic``, ``df``, ``p_value``), ``differences`` against the control, ``window_days``.
    A curve of more than :data:`CURVE_JSON_MAX_TIMES` times is thinned there for display
    (:meth:`ResponseCurve.thin`, its ``thinned`` true) unless ``to_dict(full_curves=True)``;
    the report object itself always holds the full curves.
    """

    arms: tuple[TimeToResponseArm, ...]
    control: str
    window_days: float
    alpha: float
    conf_type: str
    logrank: LogRankTest
    differences: tuple[WindowDifference, ...]
    as_of: str | None = None
    not_yet_sent: int = 0

    _title = "Time to first response, any answer (Kaplan-Meier)"

    def to_dict(self, *, full_curves: bool = False) -> dict[str, Any]:
        """The report as a JSON-safe dict, each long curve thinned unless *full_curves*.

        Examples
        --------
        >>> r = time_to_response_from_durations({"a": ([1, 2, 9], [True, True, False])})
        >>> r.to_dict()["arms"][0]["curve"]["days"]
        [1.0, 2.0, 9.0]
        """
        if full_curves or all(len(a.curve.days) <= CURVE_JSON_MAX_TIMES for a in self.arms):
            return Result.to_dict(self)
        shown = tuple(
            a if len(a.curve.days) <= CURVE_JSON_MAX_TIMES else replace(a, curve=a.curve.thin())
            for a in self.arms
        )
        return Result.to_dict(replace(self, arms=shown))

    def arm(self, name: str) -> TimeToResponseArm:
        """The arm called *name*."""
        for a in self.arms:
            if a.name == name:
                return a
        raise InvalidInputError(f"no arm called {name!r}")

    def _summary_frame(self) -> pd.DataFrame:
        import pandas as pd

        w = _format_days(self.window_days)
        rows = {
            a.name: {
                "n": a.n,
                "responded": a.responded,
                "censored": a.censored,
                "median days": a.median_days,
                "median low": a.median_ci_low,
                "median high": a.median_ci_high,
                f"P(by {w})": a.p_by_window,
                f"P(by {w}) low": a.p_by_window_ci_low,
                f"P(by {w}) high": a.p_by_window_ci_high,
            }
            for a in self.arms
        }
        frame = pd.DataFrame.from_dict(rows, orient="index")
        frame.index.name = "arm"
        return frame

    def _text_frame(self) -> pd.DataFrame:
        """The table as the notes word it: P(by the window's end) in %, a missing median
        "not reached", a figure not estimable yet "not yet"."""
        import pandas as pd

        w = _format_days(self.window_days)
        level = f"{100 * (1 - self.alpha):g}%"

        def days(value: float) -> str:
            return "not reached" if math.isnan(value) else f"{value:.3g}"

        rows = {}
        for a in self.arms:
            estimable = not math.isnan(a.p_by_window)
            rows[a.name] = {
                "n": a.n,
                "responded": a.responded,
                "censored": a.censored,
                "median days": days(a.median_days),
                f"median {level} CI": (
                    f"{days(a.median_ci_low)} to {days(a.median_ci_high)}"
                    if a.median_reached or not math.isnan(a.median_ci_low)
                    else "-"
                ),
                f"P(by {w})": pct_text(a.p_by_window) if estimable else "not yet",
                f"{level} CI": (
                    f"{pct_text(a.p_by_window_ci_low)} to {pct_text(a.p_by_window_ci_high)}"
                    if estimable
                    else "-"
                ),
            }
        frame = pd.DataFrame.from_dict(rows, orient="index")
        frame.index.name = "arm"
        return frame

    def _notes(self) -> list[str]:
        level = f"{100 * (1 - self.alpha):g}%"
        w = _format_days(self.window_days)
        notes = [
            f"Intervals: {level}, Greenwood variance, conf.type={self.conf_type!r}"
            " (as R's survfit). Pending and withdrawn requests are censored,"
            " not counted as failures."
        ]
        for a in self.arms:
            if not a.median_reached:
                notes.append(f"{a.name}: median not reached (fewer than half known to respond).")
            if math.isnan(a.p_by_window):
                notes.append(
                    f"{a.name}: P(by {w}) not estimable yet; follow-up ends at day "
                    f"{a.follow_up_days:.3g}."
                )
        lr = self.logrank
        if math.isnan(lr.p_value):
            why = "a single arm" if len(self.arms) == 1 else "no arm has a response yet"
            notes.append(f"Log-rank test: not defined ({why}).")
        else:
            notes.append(
                f"Log-rank test: chi-square = {lr.statistic:.4g} on {lr.df} df, "
                f"p {p_text(lr.p_value)}."
            )
        for d in self.differences:
            notes.append(_difference_sentence(d, w, level))
        if self.not_yet_sent:
            notes.append(
                f"{self.not_yet_sent} request(s) first sent after the as-of time: left out."
            )
        return notes

    def differences_table(self) -> pd.DataFrame:
        """Each arm against the control, as the notes word it: the difference in P(response
        by the window's end) in points with its interval, and the log-rank p-value.

        A difference not estimable yet, or a log-rank test not defined yet (no response in
        either arm), is shown in words, never as NaN; ``note`` says why.

        Returns
        -------
        pandas.DataFrame
            Indexed by arm, control excluded.

        Examples
        --------
        >>> r = time_to_response_from_durations(
        ...     {"default": ([3, 9, 9, 9], [False, False, False, False]),
        ...      "personal": ([1, 2, 9, 9], [True, True, False, False])}, window=7)
        >>> r.differences_table().loc["personal"].tolist()
        ['+50.0', '-16.2 to +85.0', '0.128', '']
        """
        import pandas as pd

        w = _format_days(self.window_days)
        level = f"{100 * (1 - self.alpha):g}%"
        rows = {}
        for d in self.differences:
            estimable = not math.isnan(d.difference)
            rows[d.arm] = {
                f"difference by {w} (points)": (
                    points_number(d.difference) if estimable else "not estimable yet"
                ),
                f"{level} CI (points)": (
                    f"{points_number(d.ci_low)} to {points_number(d.ci_high)}" if estimable else "-"
                ),
                "log-rank p": (
                    "not defined yet"
                    if math.isnan(d.logrank_p_value)
                    else p_number(d.logrank_p_value)
                ),
                "note": d.note,
            }
        frame = pd.DataFrame.from_dict(rows, orient="index")
        frame.index.name = "arm"
        return frame


def _format_days(days: float) -> str:
    return f"day {days:g}"


def _difference_sentence(d: WindowDifference, window: str, level: str) -> str:
    head = f"'{d.arm}' - '{d.control}': P(by {window}) difference "
    if math.isnan(d.difference):
        text = head + f"not estimable yet: {d.note}"
    else:
        text = (
            head + f"{points_text(d.difference)}, {level} CI {points_number(d.ci_low)} to "
            f"{points_text(d.ci_high)}"
        )
    if math.isnan(d.logrank_p_value):
        return text + "; log-rank test not defined (neither arm has a response yet)."
    return text + f"; log-rank p {p_text(d.logrank_p_value)}."


def _window_days(window: Any) -> float:
    """The window's length in days (:func:`etiquette_lab.timestamps.parse_window`); the time to
    response always looks at some window's end, so "no window" is refused here."""
    span = parse_window(window)
    if span is None:
        raise InvalidInputError("the time to response needs a window, such as 7d")
    return span.days


def _as_utc_timestamp(value: Any) -> pd.Timestamp:
    return parse_as_of(value)


def response_durations(
    requests: pd.DataFrame, *, as_of: Any = None, arm_column: str = "variant"
) -> pd.DataFrame:
    """Days from first send to first response, or to censoring, for each request.

    A request with a response seen by *as_of* has an event at that response's time, even if it
    was withdrawn earlier (a late answer is still an answer). Otherwise it is censored at its
    withdrawal or at *as_of*, whichever comes first; a response after *as_of* is treated as not
    yet seen. Requests first sent after *as_of* are left out.

    Parameters
    ----------
    requests : DataFrame
        The requests table (``first_sent_at``, ``first_response_at``, ``withdrawn_at`` and
        *arm_column*).
    as_of : datetime, Timestamp or ISO 8601 string, optional
        The time the log is read at; default now. A naive time is local time.
    arm_column : str
        The column naming the arm, ``"variant"`` by default.

    Returns
    -------
    DataFrame
        Columns ``request_id`` (when present), ``arm``, ``days`` (float) and ``responded``
        (bool), one row per request sent by *as_of*.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.Timestamp("2024-05-01 09:00", tz="UTC")
    >>> requests = pd.DataFrame({
    ...     "variant": ["a", "a"],
    ...     "first_sent_at": [t, t],
    ...     "first_response_at": [t + pd.Timedelta("36h"), pd.NaT],
    ...     "withdrawn_at": [pd.NaT, pd.NaT],
    ... })
    >>> response_durations(requests, as_of=t + pd.Timedelta("3D"))[["days", "responded"]]
       days  responded
    0   1.5       True
    1   3.0      False
    """
    import pandas as pd

    missing = {arm_column, "first_sent_at", "first_response_at", "withdrawn_at"}
    missing -= set(requests.columns)
    if missing:
        raise InvalidInputError(f"requests table lacks column(s) {sorted(missing)}")
    as_of_ts = _as_utc_timestamp(as_of)

    def utc(column: str) -> pd.Series:
        return pd.to_datetime(requests[column], utc=True)

    sent, response, withdrawn = utc("first_sent_at"), utc("first_response_at"), utc("withdrawn_at")
    if sent.isna().any():
        raise InvalidInputError("every request needs a first_sent_at time")
    keep = sent <= as_of_ts
    responded = response.notna() & (response <= as_of_ts)
    censor_at = withdrawn.where(withdrawn.notna() & (withdrawn < as_of_ts), as_of_ts)
    end = response.where(responded, censor_at)
    days = (end - sent).dt.total_seconds() / _SECONDS_PER_DAY
    negative = keep & (days < 0)
    if negative.any():
        where = requests.get("request_id", pd.Series(requests.index, index=requests.index))
        raise InvalidInputError(
            f"request {where[negative].iloc[0]!r} responds or is withdrawn before it was sent"
        )
    out = pd.DataFrame(
        {
            "arm": requests[arm_column].astype(str),
            "days": days.astype(float),
            "responded": responded.astype(bool),
        }
    )
    if "request_id" in requests.columns:
        out.insert(0, "request_id", requests["request_id"])
    return out[keep.to_numpy()].reset_index(drop=True)


def time_to_response(
    requests: pd.DataFrame,
    *,
    as_of: Any = None,
    window: Window | str | float | _dt.timedelta = "7d",
    control: str | None = None,
    alpha: float = 0.05,
    conf_type: str = "log",
    arm_column: str = "variant",
) -> TimeToResponseReport:
    """Kaplan-Meier time to response per arm, the window probability and the log-rank test.

    Parameters
    ----------
    requests : DataFrame
        The requests table, one row per request (see :func:`response_durations` for how
        pending, withdrawn and late requests are handled).
    as_of : datetime, Timestamp or ISO 8601 string, optional
        The time the log is read at; default now. A naive time is local time.
    window : str, float or timedelta
        The window's length: ``"7d"``, ``"36h"``, a number of days or a timedelta.
    control : str, optional
        The control arm; default the first arm in the table's order.
    alpha : float
        One minus the confidence level of every interval.
    conf_type : {"log", "log-log"}
        Scale of the pointwise intervals; ``"log"`` is R's ``survfit`` default.
    arm_column : str
        The column naming the arm.

    Returns
    -------
    TimeToResponseReport

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.Timestamp("2024-05-01 09:00", tz="UTC")
    >>> day = pd.Timedelta("1D")
    >>> requests = pd.DataFrame({
    ...     "variant": ["plain"] * 3 + ["personal"] * 3,
    ...     "first_sent_at": [t] * 6,
    ...     "first_response_at": [t + 2 * day, pd.NaT, pd.NaT, t + day, t + 3 * day, pd.NaT],
    ...     "withdrawn_at": [pd.NaT, t + 4 * day, pd.NaT, pd.NaT, pd.NaT, pd.NaT],
    ... })
    >>> report = time_to_response(requests, as_of=t + 10 * day)
    >>> [(a.name, a.responded, round(a.p_by_window, 4)) for a in report.arms]
    [('plain', 1, 0.3333), ('personal', 2, 0.6667)]
    >>> report.arm("personal").median_days
    3.0
    """
    durations = response_durations(requests, as_of=as_of, arm_column=arm_column)
    arm_order = requests[arm_column].astype(str).unique().tolist()  # in order of appearance
    arms = {
        name: (group["days"].to_numpy(), group["responded"].to_numpy())
        for name, group in durations.groupby("arm", sort=False)
    }
    ordered = {name: arms[name] for name in arm_order if name in arms}
    return time_to_response_from_durations(
        ordered,
        window=window,
        control=control,
        alpha=alpha,
        conf_type=conf_type,
        as_of=_as_utc_timestamp(as_of).isoformat(),
        not_yet_sent=len(requests) - len(durations),
    )


def time_to_response_from_durations(
    arms: Mapping[str, tuple[Sequence[float] | np.ndarray, Sequence[bool] | np.ndarray]],
    *,
    window: Window | str | float | _dt.timedelta = 7.0,
    control: str | None = None,
    alpha: float = 0.05,
    conf_type: str = "log",
    as_of: str | None = None,
    not_yet_sent: int = 0,
) -> TimeToResponseReport:
    """Time-to-response analysis from durations (days) and response flags per arm.

    Parameters
    ----------
    arms : mapping of name -> (days, responded)
        For each arm, the days from first send to the first response (``responded`` true) or to
        censoring (``responded`` false: still pending, or withdrawn). Order sets the report's.
    window : str, float or timedelta
        The window's length (a number is days).
    control : str, optional
        The control arm (listed first); default the arm called ``default``, else the first
        (:func:`etiquette_lab.arms.pick_control`).
    alpha : float
        One minus the confidence level.
    conf_type : {"log", "log-log"}
        Scale of the pointwise intervals (R's ``conf.type``).
    as_of, not_yet_sent
        Carried into the report for display.

    Returns
    -------
    TimeToResponseReport

    Examples
    --------
    >>> r = time_to_response_from_durations(
    ...     {"a": ([1, 2, 2, 5], [True, True, False, False]), "b": ([0.5, 1, 3], [True] * 3)},
    ...     window=2,
    ... )
    >>> round(r.arm("a").p_by_window, 4), r.arm("b").median_days
    (0.5, 1.0)
    """
    if not arms:
        raise InvalidInputError("no arms to analyse")
    if conf_type not in _CONF_TYPES:
        raise InvalidInputError(
            f"unknown conf_type {conf_type!r}; choose one of {', '.join(_CONF_TYPES)}"
        )
    alpha = check_alpha(alpha)
    window_days = _window_days(window)
    control, arms = control_first({str(k): v for k, v in arms.items()}, control)
    data = {name: _validated(name, *pair) for name, pair in arms.items()}
    observed, expected, covariance = _logrank_observed_expected(list(data.values()))
    # Two arms: the pair every two-arm test below looks at, whatever its order.
    pair = (expected, covariance) if len(data) == 2 else None
    fits = {
        name: _fit_arm(name, days, events, window_days, alpha, conf_type, obs, exp)
        for (name, (days, events)), obs, exp in zip(data.items(), observed, expected, strict=True)
    }
    differences = tuple(
        _window_difference(
            fits[name], fits[control], data[name], data[control], window_days, alpha, pair
        )
        for name in data
        if name != control
    )
    return TimeToResponseReport(
        arms=tuple(fits.values()),
        control=control,
        window_days=window_days,
        alpha=alpha,
        conf_type=conf_type,
        logrank=_overall_logrank(list(data.values()), covariance, observed, expected, pair),
        differences=differences,
        as_of=as_of,
        not_yet_sent=not_yet_sent,
    )


def _validated(
    name: str, days: Sequence[float] | np.ndarray, responded: Sequence[bool] | np.ndarray
) -> tuple:
    d = np.asarray(days, dtype=float)
    e = np.asarray(responded)
    if d.ndim != 1 or e.shape != d.shape:
        raise InvalidInputError(f"arm {name!r}: days and responded must be two equal-length lists")
    if d.size == 0:
        raise InvalidInputError(f"arm {name!r} has no requests")
    if not np.all(np.isfinite(d)) or np.any(d < 0):
        raise InvalidInputError(f"arm {name!r}: days must be finite and not negative")
    return d, e.astype(bool)


# --- the Kaplan-Meier curve of one arm ------------------------------------------------------


@dataclass(frozen=True)
class _Counts:
    times: np.ndarray
    at_risk: np.ndarray
    events: np.ndarray
    censored: np.ndarray


def _counts(days: np.ndarray, events: np.ndarray) -> _Counts:
    times, inverse = np.unique(days, return_inverse=True)
    n_events = np.bincount(inverse, weights=events, minlength=times.size).astype(int)
    n_all = np.bincount(inverse, minlength=times.size)
    at_risk = days.size - np.concatenate([[0], np.cumsum(n_all)[:-1]])
    return _Counts(times, at_risk.astype(int), n_events, n_all - n_events)


def _survival(days: np.ndarray, events: np.ndarray, conf_type: str, alpha: float):
    """S(t) at each distinct time, via scipy.stats.ecdf, with R-style pointwise intervals.

    scipy gives the product-limit estimate and the log-log band; R's default "log" band and
    the Greenwood variance itself are not exposed by scipy, so they are computed here from the
    counts at risk (a documented gap).
    """
    from scipy import stats

    counts = _counts(days, events)
    ecdf = stats.ecdf(_censored_data(days, events)).sf
    surv = ecdf.evaluate(counts.times)
    greenwood = _greenwood_sums(counts)
    if conf_type == "log":
        z = stats.norm.isf(alpha / 2)
        with np.errstate(invalid="ignore", over="ignore"):
            se = np.sqrt(greenwood)
            low = np.where(surv > 0, surv * np.exp(-z * se), np.nan)
            high = np.where(surv > 0, np.minimum(1.0, surv * np.exp(z * se)), np.nan)
    else:
        with warnings.catch_warnings():
            # scipy warns where the band is undefined (S = 0 or 1); we handle those points.
            warnings.simplefilter("ignore", RuntimeWarning)
            band = ecdf.confidence_interval(confidence_level=1 - alpha, method="log-log")
        # The band's limits are step functions (scipy's EmpiricalDistributionFunction); the
        # stubs type them as numbers.
        low = band.low.evaluate(counts.times)  # type: ignore[attr-defined]
        high = band.high.evaluate(counts.times)  # type: ignore[attr-defined]
        # Before any response the log-log band is undefined in scipy; R shows S = 1 exactly.
        no_event_yet = greenwood == 0
        low, high = np.where(no_event_yet, 1.0, low), np.where(no_event_yet, 1.0, high)
    return counts, surv, low, high, greenwood


def _greenwood_sums(counts: _Counts) -> np.ndarray:
    """Cumulative sum of d / (n (n - d)): Var(log S) by Greenwood's formula; inf once S = 0."""
    n, d = counts.at_risk.astype(float), counts.events.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(d > 0, d / (n * (n - d)), 0.0)
    return np.cumsum(terms)


def _quantile_time(times: np.ndarray, surv: np.ndarray, p: float, last_time: float) -> float:
    """The time where the curve of 1 - S first reaches *p*, by R's quantile.survfit rule.

    When 1 - S lies exactly on *p* over an interval (within R's tolerance), the answer is the
    midpoint of that flat part; a flat part running to the end of follow-up ends at
    *last_time*. NaN when the curve never reaches *p*.
    """
    keep = ~np.isnan(surv)
    x = np.concatenate([[0.0], times[keep]])
    y = np.concatenate([[0.0], 1.0 - surv[keep]])
    _, first = np.unique(y, return_index=True)
    first.sort()
    x, y = x[first], y[first]
    reach_low = np.flatnonzero(y + _TOLERANCE >= p)
    if reach_low.size == 0:
        return math.nan
    i = reach_low[0]
    reach_high = np.flatnonzero(y - _TOLERANCE >= p)
    if reach_high.size:
        return float((x[i] + x[reach_high[0]]) / 2)
    if abs(p - y[-1]) < _TOLERANCE:
        return float((x[i] + last_time) / 2)
    return math.nan


def _value_at(counts: _Counts, values: np.ndarray, day: float, before: float) -> float:
    """A right-continuous step curve, given at the distinct times, evaluated at *day*."""
    index = np.searchsorted(counts.times, day, side="right") - 1
    return before if index < 0 else float(values[index])


def _fit_arm(
    name: str,
    days: np.ndarray,
    events: np.ndarray,
    window_days: float,
    alpha: float,
    conf_type: str,
    observed: float,
    expected: float,
) -> TimeToResponseArm:
    counts, surv, low, high, greenwood = _survival(days, events, conf_type, alpha)
    last = float(counts.times[-1])
    # Past the longest follow-up the curve is unknown, unless every request had responded.
    if window_days > last and surv[-1] > 0:
        s_w = s_w_low = s_w_high = se_w = math.nan
    else:
        s_w = _value_at(counts, surv, window_days, 1.0)
        s_w_low = _value_at(counts, low, window_days, 1.0)
        s_w_high = _value_at(counts, high, window_days, 1.0)
        # Greenwood: Var(S) = S^2 * sum d / (n (n - d)); undefined (NaN) once S has reached 0.
        g_w = _value_at(counts, greenwood, window_days, 0.0)
        se_w = s_w * math.sqrt(g_w) if s_w > 0 else math.nan
    # tolist() gives the same Python floats and ints as float(v) and int(v), at C speed.
    curve = ResponseCurve(
        days=tuple(counts.times.astype(float).tolist()),
        n_at_risk=tuple(counts.at_risk.tolist()),
        responses=tuple(counts.events.tolist()),
        censored=tuple(counts.censored.tolist()),
        p_responded=tuple((1 - surv).tolist()),
        ci_low=tuple((1 - high).tolist()),
        ci_high=tuple((1 - low).tolist()),
    )
    return TimeToResponseArm(
        name=name,
        n=int(days.size),
        responded=int(events.sum()),
        censored=int((~events).sum()),
        median_days=_quantile_time(counts.times, surv, 0.5, last),
        # The band's low side of S reaches one half first: it bounds the median from below.
        median_ci_low=_quantile_time(counts.times, low, 0.5, last),
        median_ci_high=_quantile_time(counts.times, high, 0.5, last),
        p_by_window=1 - s_w,
        p_by_window_ci_low=1 - s_w_high,
        p_by_window_ci_high=1 - s_w_low,
        p_by_window_se=se_w,
        observed=round(observed),
        expected=float(expected),
        follow_up_days=last,
        curve=curve,
    )


# --- between arms ---------------------------------------------------------------------------


def window_limits(
    fit: TimeToResponseArm,
    days: Sequence[float] | np.ndarray,
    responded: Sequence[bool] | np.ndarray,
    window_days: float,
    alpha: float = 0.05,
) -> tuple[float, float, float]:
    """Wilson limits for an arm's P(response by the window's end), at the effective sample size.

    The Kaplan-Meier estimate F is treated as a binomial proportion from ``n_eff`` requests
    (Anderson, Bernstein & Pike 1982; Dorey & Korn 1987): ``n_eff = F (1 - F) / Var(F)`` with
    Greenwood's variance when 0 < F < 1 (without censoring this is the arm's n, and the limits
    are exactly Wilson's). At F = 0 and F = 1 Greenwood's variance is 0 or undefined, and
    ``n_eff`` is the number of requests whose answer by the window's end is known: answered by
    then, or watched through it (at F = 0 this is Peto's effective sample size, the number
    still at risk). Returns ``(low, high, n_eff)``; NaN where F is not estimable.

    Examples
    --------
    >>> r = time_to_response_from_durations({"a": ([1, 2, 9, 9, 9], [True] * 2 + [False] * 3)})
    >>> low, high, n_eff = window_limits(r.arm("a"), [1, 2, 9, 9, 9], [True] * 2 + [False] * 3, 7)
    >>> round(low, 4), round(high, 4), n_eff  # Wilson's interval for 2 of 5
    (0.1176, 0.7693, 5.0)
    """
    from scipy.special import ndtri

    estimate = fit.p_by_window
    if math.isnan(estimate):
        return math.nan, math.nan, math.nan
    d, e = np.asarray(days, dtype=float), np.asarray(responded, dtype=bool)
    if 0.0 < estimate < 1.0:
        n_eff = estimate * (1 - estimate) / fit.p_by_window_se**2
    else:
        n_eff = float(np.sum((e & (d <= window_days)) | (d >= window_days)))
    low, high = wilson_limits(estimate * n_eff, n_eff, float(ndtri(1 - alpha / 2)))
    return low, high, n_eff


def _window_difference(
    arm: TimeToResponseArm,
    control: TimeToResponseArm,
    arm_data: tuple[np.ndarray, np.ndarray],
    control_data: tuple[np.ndarray, np.ndarray],
    window_days: float,
    alpha: float,
    pair: tuple[np.ndarray, np.ndarray] | None = None,
) -> WindowDifference:
    difference = arm.p_by_window - control.p_by_window
    logrank = _two_arm_logrank(arm_data, control_data, pair).p_value
    late = [a for a in (arm, control) if math.isnan(a.p_by_window)]
    if late:
        note = "; ".join(
            f"'{a.name}' has no request watched to day {window_days:g} (its follow-up ends at "
            f"day {a.follow_up_days:.3g})"
            for a in late
        )
        return WindowDifference(
            arm.name, control.name, math.nan, math.nan, math.nan, logrank, note=note
        )
    # Newcombe's hybrid (method 10): each side of the difference from the two arms' limits.
    l1, u1, _ = window_limits(arm, *arm_data, window_days, alpha)
    l0, u0, _ = window_limits(control, *control_data, window_days, alpha)
    p1, p0 = arm.p_by_window, control.p_by_window
    low = difference - math.hypot(p1 - l1, u0 - p0)
    high = difference + math.hypot(u1 - p1, p0 - l0)
    note = "" if not math.isnan(logrank) else "log-rank test not defined: no response yet"
    return WindowDifference(
        arm.name, control.name, difference, max(-1.0, low), min(1.0, high), logrank, note=note
    )


def _censored_data(days: np.ndarray, events: np.ndarray):
    from scipy import stats

    return stats.CensoredData(uncensored=days[events], right=days[~events])


def _two_arm_logrank(
    first: tuple[np.ndarray, np.ndarray],
    second: tuple[np.ndarray, np.ndarray],
    pair: tuple[np.ndarray, np.ndarray] | None = None,
) -> LogRankTest:
    """scipy's log-rank test of two arms; *pair*, the two arms' expected counts and covariance
    (in either order) when already computed, spares computing them again."""
    from scipy import stats

    if not (first[1].any() or second[1].any()):
        return LogRankTest(math.nan, 1, math.nan, "scipy.stats.logrank")
    if pair is None:
        _, expected, covariance = _logrank_observed_expected([first, second])
    else:
        expected, covariance = pair
    # Both checks read the same in either order: a variance of 0 means every response time
    # saw one arm alone, for the one as for the other.
    if covariance[0, 0] <= 0 or (expected > 0).sum() < 2:
        # No response time at which both arms had someone waiting: the test has no variance.
        # R's survdiff reports chi-square 0 (p = 1) here, and so do we, rather than NaN.
        return LogRankTest(0.0, 1, 1.0, "log-rank (no response time shared by both arms)")
    result = stats.logrank(_censored_data(*first), _censored_data(*second))
    # scipy returns the signed z-score; survdiff prints its square, the chi-square on 1 df.
    return LogRankTest(float(result.statistic) ** 2, 1, float(result.pvalue), "scipy.stats.logrank")


def _overall_logrank(
    arms: list[tuple[np.ndarray, np.ndarray]],
    covariance: np.ndarray,
    observed: np.ndarray,
    expected: np.ndarray,
    pair: tuple[np.ndarray, np.ndarray] | None = None,
) -> LogRankTest:
    """Two arms: scipy.stats.logrank. More: the k-sample chi-square of survdiff (k - 1 df)."""
    from scipy import stats

    k = len(arms)
    if k == 1:
        return LogRankTest(math.nan, 0, math.nan, "none (a single arm)")
    if k == 2:
        return _two_arm_logrank(arms[0], arms[1], pair)
    if not any(e.any() for _, e in arms):
        return LogRankTest(math.nan, k - 1, math.nan, "k-sample log-rank (survdiff)")
    # survdiff drops the last group: the k deviations sum to zero, so V is singular.
    u = (observed - expected)[:-1]
    v = covariance[:-1, :-1]
    statistic = float(u @ np.linalg.pinv(v) @ u)
    df = int(np.linalg.matrix_rank(v))
    return LogRankTest(
        statistic, df, float(stats.chi2.sf(statistic, df)), "k-sample log-rank (survdiff)"
    )


def _logrank_observed_expected(
    arms: list[tuple[np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Observed and expected responses per arm and their hypergeometric covariance (survdiff).

    scipy.stats.logrank compares two samples and exposes neither the expected counts nor a
    k-sample test; this is that gap, computed as R's survdiff does. The numbers at risk at every
    response time come from one sort per arm (``searchsorted``), so the cost grows like
    n log n, not like (response times) x n.
    """
    k = len(arms)
    observed = np.array([float(np.count_nonzero(e)) for _, e in arms])
    times = np.unique(np.concatenate([d[e] for d, e in arms]))
    if times.size == 0:
        return observed, np.zeros(k), np.zeros((k, k))
    # n_g[i, g]: requests of arm g still waiting and watched just before times[i] (days >= t).
    at_risk = np.empty((times.size, k))
    responses = np.zeros(times.size)
    for g, (d, e) in enumerate(arms):
        ordered = np.sort(d)
        at_risk[:, g] = ordered.size - np.searchsorted(ordered, times, side="left")
        responses += np.bincount(np.searchsorted(times, d[e]), minlength=times.size)
    total = at_risk.sum(axis=1)
    share = at_risk / total[:, None]
    expected = responses @ share
    # Each time adds d (n - d) / (n - 1) * (diag(share) - share share'); nothing when n = 1.
    # The diagonal is summed as share (1 - share), terms that are never negative, so that a
    # variance is 0 exactly when every response time saw one arm alone.
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(total > 1, responses * (total - responses) / (total - 1), 0.0)
    covariance = -(share * weight[:, None]).T @ share
    covariance[np.diag_indices(k)] = weight @ (share * (1.0 - share))
    return observed, expected, covariance
