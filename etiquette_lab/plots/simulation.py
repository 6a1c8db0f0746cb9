"""Plots of the "how small is too small" simulations: chance wins, power, winner's curse, peeking.

Each function takes a result of :mod:`etiquette_lab.lessons.simulation` and ``ax=``, and returns
the Axes.
Simulated figures are drawn as bars or open markers, exact ones as lines or dashes, so the two
can be told apart at a glance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .style import colour, get_axes

if TYPE_CHECKING:
    from ..lessons.simulation import (
        DifferenceDistribution,
        NullSimulationResult,
        PeekingResult,
        PowerCurvesResult,
        WinnersCurseResult,
    )

__all__ = [
    "plot_difference_distribution",
    "plot_exaggeration",
    "plot_null_experiments",
    "plot_peeking",
    "plot_power_curves",
    "plot_winners_curse",
]


def _percent_axis(axis: Any) -> None:
    from matplotlib.ticker import PercentFormatter

    axis.set_major_formatter(PercentFormatter(1.0, decimals=0))


def plot_difference_distribution(
    distribution: DifferenceDistribution,
    *,
    true_difference: float | None = None,
    ax: Any = None,
) -> Any:
    """Bars of how often each observed difference occurred, split by significance.

    Parameters
    ----------
    distribution : DifferenceDistribution
        From a simulation result (``result.distribution`` or ``result.distribution(n)``).
    true_difference : float, optional
        Draws a vertical line at the true difference in response rate.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from etiquette_lab.lessons.simulation import simulate_null_experiments
    >>> r = simulate_null_experiments(experiments=1000)
    >>> plot_difference_distribution(r.distribution).get_xlabel()
    'observed difference in response rate, new - control (percentage points)'
    """
    ax = get_axes(ax)
    x = [100 * d for d in distribution.difference]
    width = 0.8 * 100 / distribution.n_per_arm
    sig = list(distribution.simulated_significant)
    rest = [t - s for t, s in zip(distribution.simulated, sig, strict=True)]
    ax.bar(x, rest, width=width, color=colour(1), label="simulated, not significant")
    ax.bar(x, sig, width=width, bottom=rest, color=colour(5), label="simulated, significant")
    ax.plot(
        x,
        distribution.exact,
        linestyle="none",
        marker="_",
        markersize=max(4.0, min(14.0, 120 / distribution.n_per_arm)),
        markeredgewidth=2,
        color="black",
        label="exact probability",
    )
    # Head-room above the tallest bar for the legend and the labels.
    ax.set_ylim(0, 1.25 * max(max(distribution.simulated), max(distribution.exact)))
    if len(x) <= 21:  # few possible differences: a tick under each bar, not between them
        ax.set_xticks(x)
    if true_difference is not None:
        ax.axvline(100 * true_difference, color=colour(3), linewidth=2, linestyle="--")
        ax.annotate(
            f"true difference {100 * true_difference:+.3g} points",
            xy=(100 * true_difference, 0.97),
            xycoords=("data", "axes fraction"),
            xytext=(5, 0),
            textcoords="offset points",
            va="top",
            fontsize=9,
            color=colour(3),
        )
    ax.set_title(
        f"Observed differences, {distribution.n_per_arm} requests per wording", fontsize=11
    )
    ax.set_xlabel(
        "observed difference in response rate, new - control (percentage points)", fontsize=10
    )
    ax.set_ylabel("share of simulated experiments", fontsize=10)
    _percent_axis(ax.yaxis)
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(fontsize=9, loc="upper left")
    return ax


def plot_null_experiments(result: NullSimulationResult, *, ax: Any = None) -> Any:
    """The observed differences when the wording makes no difference, chance "wins" shaded.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from etiquette_lab.lessons.simulation import simulate_null_experiments
    >>> ax = plot_null_experiments(simulate_null_experiments(experiments=1000))
    >>> ax.get_title()
    'No real difference, 5 vs 5: one wording wins 4 to 1 or more 10.9% of the time'
    """
    ax = plot_difference_distribution(result.distribution, ax=ax)
    a, b = result.split
    n = result.n_per_arm
    edge = 100 * (abs(a - b) - 0.5) / n
    for lo, hi in ((-105.0, -edge), (edge, 105.0)):
        ax.axvspan(lo, hi, color=colour(2), alpha=0.15, linewidth=0)
    ax.annotate(
        f"{a} to {b} or more, either way:\n{100 * result.exact_as_extreme:.1f}% (exact), "
        f"{100 * result.as_extreme:.1f}% (simulated)",
        xy=(0.98, 0.97),
        xycoords="axes fraction",
        ha="right",
        va="top",
        fontsize=9,
        bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": colour(2)},
    )
    ax.set_xlim(-110, 110)
    ax.set_title(
        f"No real difference, {n} vs {n}: one wording wins {a} to {b} or more "
        f"{100 * result.exact_as_extreme:.1f}% of the time",
        fontsize=11,
    )
    return ax


def plot_power_curves(
    result: PowerCurvesResult, *, target_power: float | None = 0.8, ax: Any = None
) -> Any:
    """Exact power against n per arm, one saw-toothed curve per effect.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from etiquette_lab.lessons.simulation import power_curves
    >>> ax = plot_power_curves(power_curves([(0.2, 0.8)], n=range(2, 21)))
    >>> len(ax.get_lines())
    2
    """
    ax = get_axes(ax)
    for i, (label, curve) in enumerate(zip(result.labels(), result.curves, strict=True)):
        ax.plot(
            curve.n,
            curve.power,
            marker="o",
            markersize=2.5,
            linewidth=1.2,
            color=colour(i + 1),
            label=label,
        )
    if target_power is not None:
        ax.axhline(target_power, color=colour(0), linewidth=1, linestyle=":")
        ax.annotate(
            f"{100 * target_power:.0f}% power",
            xy=(result.curves[0].n[-1], target_power),
            xytext=(-4, -12),
            textcoords="offset points",
            ha="right",
            fontsize=9,
            color=colour(0),
        )
    ax.set_title(
        f"Exact power of Fisher's test (two-sided, alpha {result.curves[0].alpha:g})",
        fontsize=11,
    )
    ax.set_xlabel("requests per wording (n per arm)", fontsize=10)
    ax.set_ylabel("power (chance of a significant result)", fontsize=10)
    ax.set_ylim(0, 1.02)
    _percent_axis(ax.yaxis)
    ax.grid(True, alpha=0.3)
    ax.legend(title="true response rates", fontsize=9, title_fontsize=9, loc="lower right")
    return ax


def plot_exaggeration(result: WinnersCurseResult, *, ax: Any = None) -> Any:
    """How many times the significant experiments overstate the true effect, against n.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from etiquette_lab.lessons.simulation import simulate_winners_curse
    >>> r = simulate_winners_curse(n=[10, 40], experiments=1000)
    >>> plot_exaggeration(r).get_ylabel()
    'exaggeration ratio (observed / true difference)'
    """
    ax = get_axes(ax)
    ax.plot(
        result.n,
        result.exact_exaggeration,
        marker="s",
        markersize=4,
        linewidth=1.5,
        color=colour(1),
        label="exact",
    )
    ax.errorbar(
        result.n,
        result.exaggeration,
        yerr=[2 * se for se in result.exaggeration_se],
        linestyle="none",
        marker="o",
        markersize=7,
        markerfacecolor="none",
        color=colour(5),
        label="simulated (± 2 standard errors)",
    )
    for n, ratio, power in zip(
        result.n, result.exact_exaggeration, result.exact_power, strict=True
    ):
        if ratio == ratio:  # NaN when nothing can be significant: nothing to label
            ax.annotate(
                f"power {100 * power:.0f}%",
                xy=(n, ratio),
                xytext=(6, 6),
                textcoords="offset points",
                fontsize=8,
                color=colour(0),
            )
    ax.axhline(1.0, color=colour(0), linewidth=1, linestyle=":")
    ax.annotate(
        "1 = no exaggeration",
        xy=(1, 1),
        xycoords=("axes fraction", "data"),
        xytext=(-4, -12),
        textcoords="offset points",
        ha="right",
        fontsize=9,
        color=colour(0),
    )
    finite = [r for r in result.exact_exaggeration + result.exaggeration if r == r]
    ax.set_ylim(0, 1.15 * max(finite, default=1.0))
    ax.set_xscale("log")
    ax.set_xlim(min(result.n) / 1.3, max(result.n) * 1.6)  # room for the power labels
    ax.set_xticks(list(result.n), [str(n) for n in result.n])
    ax.minorticks_off()
    ax.set_title(
        f"Significant results overstate a {100 * result.baseline:.3g}% -> "
        f"{100 * result.target:.3g}% effect",
        fontsize=11,
    )
    ax.set_xlabel("requests per wording (n per arm, log scale)", fontsize=10)
    ax.set_ylabel("exaggeration ratio (observed / true difference)", fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=9, loc="upper right")
    return ax


def plot_winners_curse(result: WinnersCurseResult, *, n: int, ax: Any = None) -> Any:
    """The observed differences at *n* per arm, with the significant ones and the truth marked.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from etiquette_lab.lessons.simulation import simulate_winners_curse
    >>> r = simulate_winners_curse(n=[20], experiments=1000)
    >>> plot_winners_curse(r, n=20).get_title()
    'True 30% vs 45%, 20 per wording: significant results average +41 points'
    """
    distribution = result.distribution(n)  # raises InvalidInputError for an n not simulated
    ax = plot_difference_distribution(distribution, true_difference=result.true_difference, ax=ax)
    mean = result.exact_exaggeration[result.n.index(n)] * result.true_difference
    verdict = (
        f"significant results average {100 * mean:+.0f} points"
        if mean == mean
        else "no result can be significant"
    )
    ax.set_title(
        f"True {100 * result.baseline:.3g}% vs {100 * result.target:.3g}%, {n} per wording: "
        + verdict,
        fontsize=11,
    )
    return ax


def plot_peeking(result: PeekingResult, *, ax: Any = None) -> Any:
    """False-alarm rate with a look every day, against one look at the end, by days run.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from etiquette_lab.lessons.simulation import simulate_peeking
    >>> ax = plot_peeking(simulate_peeking(days=5, experiments=1000))
    >>> ax.get_xlabel()
    'days run, one look per day (number of looks)'
    """
    ax = get_axes(ax)
    ax.plot(
        result.day, result.exact_daily, color=colour(5), linewidth=2, label="look every day (exact)"
    )
    ax.plot(
        result.day,
        result.daily,
        linestyle="none",
        marker="o",
        markersize=4,
        markerfacecolor="none",
        color=colour(5),
        label="look every day (simulated)",
    )
    ax.plot(
        result.day,
        result.exact_single,
        color=colour(1),
        linewidth=1.5,
        linestyle="--",
        label="one look at the end (exact)",
    )
    ax.plot(
        result.day,
        result.single,
        linestyle="none",
        marker="^",
        markersize=4,
        markerfacecolor="none",
        color=colour(1),
        label="one look at the end (simulated)",
    )
    ax.axhline(result.alpha, color=colour(0), linewidth=1, linestyle=":")
    ax.annotate(
        f"nominal {100 * result.alpha:g}%",
        xy=(result.day[0], result.alpha),
        xytext=(2, 3),
        textcoords="offset points",
        fontsize=9,
        color=colour(0),
    )
    requests = "1 request" if result.per_day == 1 else f"{result.per_day} requests"
    ax.set_title(
        f"Equal wordings, {requests} per wording a day: false alarms from peeking",
        fontsize=11,
    )
    ax.set_xlabel("days run, one look per day (number of looks)", fontsize=10)
    ax.set_ylabel("false-alarm rate (p < alpha at some look)", fontsize=10)
    ax.set_ylim(bottom=0)
    _percent_axis(ax.yaxis)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=9, loc="upper left")
    return ax
