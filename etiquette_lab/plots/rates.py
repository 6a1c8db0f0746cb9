"""Response rates per arm with their intervals, and every individual outcome as a dot."""

from __future__ import annotations

from typing import Any

from ..analyse.report import LogReport
from .style import colour, get_axes

__all__ = ["plot_response_rates"]


def _spread(count: int, width: float) -> list[float]:
    # Deterministic, evenly spread offsets: the same report always draws the same picture.
    if count <= 1:
        return [0.0] * count
    return [width * (2 * i / (count - 1) - 1) for i in range(count)]


_METHOD_NAMES = {"wilson": "Wilson", "clopper-pearson": "Clopper-Pearson", "jeffreys": "Jeffreys"}


def plot_response_rates(report: Any, *, ax: Any = None, max_dots: int = 200) -> Any:
    """Plot each arm's response rate with its confidence interval and its individual outcomes.

    Each request is a dot at 100 % (answered) or 0 % (not answered), so a reader sees at once
    that 4 of 5 is five people, not a measurement. Above ``max_dots`` per row of dots, an
    evenly thinned sample is drawn and the axis label says so.

    Parameters
    ----------
    report : ComparisonReport or LogReport
        The result of ``compare_counts`` or ``compare_requests``.
    ax : matplotlib Axes, optional
        Drawn on a new figure when omitted.
    max_dots : int
        Most dots drawn per arm and outcome.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from etiquette_lab.stats import compare_counts
    >>> ax = plot_response_rates(compare_counts({"default": (1, 5), "personalised": (4, 5)}))
    >>> ax.get_ylabel()
    'response rate (%)'
    """
    ax = get_axes(ax)
    # From a log the rate may count only positive answers (a decline is a 0).
    counted = (
        "a success"
        if isinstance(report, LogReport) and report.outcome.startswith("success")
        else "answered"
    )
    if isinstance(report, LogReport):
        report = report.comparison
    arms = sorted(report.arms, key=lambda a: a.name != report.control)
    labels = []
    for position, arm in enumerate(arms):
        shade = colour(position)
        thinned = False
        for value, count in ((100.0, arm.responded), (0.0, arm.n - arm.responded)):
            shown = min(count, max_dots)
            thinned |= shown < count
            offsets = _spread(shown, 0.3)
            ax.scatter(
                [position + o for o in offsets],
                [value] * shown,
                s=18,
                color=shade,
                alpha=0.55,
                edgecolors="none",
                zorder=2,
            )
        low, high = 100 * arm.ci_low, 100 * arm.ci_high
        ax.errorbar(
            [position],
            [100 * arm.rate],
            yerr=[[100 * arm.rate - low], [high - 100 * arm.rate]],
            fmt="D",
            color=shade,
            markeredgecolor="black",
            markersize=8,
            capsize=8,
            linewidth=2.2,
            zorder=3,
        )
        ax.annotate(
            f"{arm.responded}/{arm.n}", (position + 0.36, 100 * arm.rate), va="center", fontsize=10
        )
        role = " (control)" if arm.name == report.control else ""
        labels.append(f"{arm.name}{role}\nn = {arm.n:,}" + (", dots thinned" if thinned else ""))
    ax.set_xticks(range(len(arms)), labels, fontsize=10)
    ax.set_xlim(-0.6, len(arms) - 0.2)
    ax.set_ylim(-8, 108)
    ax.set_ylabel("response rate (%)", fontsize=11)
    ax.set_xlabel(f"arm (dots: individual requests, 100 % = {counted}, 0 % = not)", fontsize=10)
    level = round(100 * (1 - report.alpha))
    method = _METHOD_NAMES.get(report.ci_method, report.ci_method)
    ax.set_title(f"Response rate by arm, {level}% {method} intervals", fontsize=12)
    ax.grid(axis="y", alpha=0.3)
    return ax
