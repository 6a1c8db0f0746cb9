"""The time-to-response plot: Kaplan-Meier "responded by day t" curves with numbers at risk."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .style import colour, get_axes

if TYPE_CHECKING:
    from ..analyse.timing import ResponseCurve, TimeToResponseReport

__all__ = ["plot_time_to_response"]


def plot_time_to_response(
    report: TimeToResponseReport,
    *,
    ax: Any = None,
    show_ci: bool = True,
    show_censored: bool = True,
    show_at_risk: bool = True,
    show_window: bool = True,
    max_days: float | None = None,
) -> Any:
    """Draw each arm's probability of a response by day t, as rising step functions.

    Parameters
    ----------
    report : TimeToResponseReport
        The result of :func:`etiquette_lab.time_to_response`.
    ax : matplotlib Axes, optional
        Where to draw; default a new figure.
    show_ci : bool
        Shade each arm's pointwise confidence band.
    show_censored : bool
        Mark pending and withdrawn requests (censored) with a tick on the curve.
    show_at_risk : bool
        Print the number of requests still waiting under the x axis, one row per arm.
    show_window : bool
        Draw a dashed line at the window's end (day 7 by default).
    max_days : float, optional
        Right end of the x axis; default the longest follow-up.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from etiquette_lab.analyse.timing import time_to_response_from_durations
    >>> r = time_to_response_from_durations({"a": ([1, 2, 9], [True, True, False])})
    >>> plot_time_to_response(r).get_ylabel()
    'answered by day t (any answer, %)'
    """
    ax = get_axes(ax, figsize=(7.0, 5.0))
    order = [report.control] + [a.name for a in report.arms if a.name != report.control]
    right = max_days or max(max(a.curve.days) for a in report.arms) or 1.0
    for index, name in enumerate(order):
        arm = report.arm(name)
        xs, ys, lows, highs = _steps(arm.curve, right)
        label = f"{name} (n={arm.n}, {arm.responded} responded)"
        ax.step(xs, ys, where="post", color=colour(index), linewidth=2, label=label)
        if show_ci:
            ax.fill_between(xs, lows, highs, step="post", color=colour(index), alpha=0.15, lw=0)
        if show_censored:
            ticks = [
                (t, p)
                for t, p, c in zip(
                    arm.curve.days, arm.curve.p_responded, arm.curve.censored, strict=True
                )
                if c > 0 and t <= right
            ]
            if ticks:
                tx, ty = zip(*ticks, strict=True)
                ax.plot(tx, ty, linestyle="none", marker="|", markersize=10, color=colour(index))
    if show_window and report.window_days <= right:
        ax.axvline(report.window_days, color="0.3", linestyle="--", linewidth=1)
        ax.annotate(
            f"day {report.window_days:g}",
            (report.window_days, 1.0),
            xytext=(3, -12),
            textcoords="offset points",
            fontsize=9,
            color="0.3",
        )
    ax.set_xlim(0, right)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("Days since first send")
    from matplotlib.ticker import PercentFormatter

    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0))
    ax.set_ylabel("answered by day t (any answer, %)")
    ax.set_title("Time to first response (Kaplan-Meier; pending requests censored)")
    ax.legend(loc="best", fontsize=9, framealpha=0.9)
    ax.grid(alpha=0.3)
    if show_at_risk:
        _at_risk_table(ax, report, order, right)
    return ax


def _steps(
    curve: ResponseCurve, right: float
) -> tuple[list[float], list[float], list[float], list[float]]:
    """Step coordinates from day 0 (nothing answered yet) to *right*; NaN bands left as gaps."""
    xs, ys, lows, highs = [0.0], [0.0], [0.0], [0.0]
    for t, p, lo, hi in zip(
        curve.days, curve.p_responded, curve.ci_low, curve.ci_high, strict=True
    ):
        if t > right:
            break
        if t == 0.0:
            ys[0], lows[0], highs[0] = p, lo, hi
            continue
        xs.append(t)
        ys.append(p)
        lows.append(lo if not math.isnan(lo) else p)
        highs.append(hi if not math.isnan(hi) else p)
    xs.append(right)
    ys.append(ys[-1])
    lows.append(lows[-1])
    highs.append(highs[-1])
    return xs, ys, lows, highs


def _at_risk_table(ax: Any, report: TimeToResponseReport, order: list[str], right: float) -> None:
    from matplotlib.ticker import MaxNLocator

    ticks = [t for t in MaxNLocator(nbins=6).tick_values(0, right) if 0 <= t <= right]
    ax.set_xticks(ticks)
    transform = ax.get_xaxis_transform()  # x in days, y in axes fraction
    ax.text(-0.03, -0.2, "At risk", transform=ax.transAxes, ha="right", va="top", fontsize=9)
    for row, name in enumerate(order, start=1):
        y = -0.2 - 0.07 * row
        arm = report.arm(name)
        ax.text(
            -0.03,
            y,
            name,
            transform=ax.transAxes,
            ha="right",
            va="top",
            fontsize=9,
            color=colour(row - 1),
        )
        for t in ticks:
            ax.text(
                t,
                y,
                str(arm.curve.at_risk(t)),
                transform=transform,
                ha="center",
                va="top",
                fontsize=9,
                color=colour(row - 1),
            )
