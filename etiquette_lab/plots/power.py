"""The power curve: exact power against n per arm, with the normal approximation beside it."""

from __future__ import annotations

from typing import Any

from .style import colour, get_axes

__all__ = ["plot_power_curve"]


def plot_power_curve(
    curve: Any,
    *,
    target_power: float | None = 0.8,
    sample_size: Any = None,
    ax: Any = None,
) -> Any:
    """Draw exact and approximate power against n per arm, saw-tooth and all.

    Parameters
    ----------
    curve : PowerCurveResult
        From :func:`etiquette_lab.planning.power.power_curve`.
    target_power : float or None
        Draws a horizontal line at this power (None: no line).
    sample_size : SampleSizeResult, optional
        Marks its ``n_per_arm`` and ``n_per_arm_stable`` with vertical lines.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from etiquette_lab.planning.power import power_curve
    >>> ax = plot_power_curve(power_curve(0.2, 0.5, n=range(2, 41)))
    >>> ax.get_xlabel()
    'requests per wording (n, control arm)'
    """
    ax = get_axes(ax)
    names = {"fisher": "Fisher's exact", "boschloo": "Boschloo's exact", "normal": "normal"}
    # Markers joined by straight segments make each drop from n to n + 1 visible.
    ax.plot(
        curve.n,
        curve.power,
        marker="o",
        markersize=3,
        linewidth=1.2,
        color=colour(1),
        label=f"exact ({names[curve.test]} test)",
    )
    ax.plot(
        curve.n,
        curve.normal_power,
        linestyle="--",
        linewidth=1.5,
        color=colour(2),
        label="normal approximation",
    )
    if target_power is not None:
        ax.axhline(target_power, color=colour(0), linewidth=1, linestyle=":")
        ax.annotate(
            f"target {100 * target_power:.0f}%",
            xy=(curve.n[0], target_power),
            xytext=(2, 3),
            textcoords="offset points",
            fontsize=9,
            color=colour(0),
        )
    if sample_size is not None:
        ax.axvline(sample_size.n_per_arm, color=colour(3), linewidth=1, label="smallest n")
        if sample_size.n_per_arm_stable != sample_size.n_per_arm:
            ax.axvline(
                sample_size.n_per_arm_stable,
                color=colour(5),
                linewidth=1,
                linestyle="-.",
                label="stable from",
            )
    side = "two-sided" if curve.alternative == "two-sided" else "one-sided"
    ax.set_title(
        f"Power to tell {100 * curve.baseline:.3g}% from {100 * curve.target:.3g}% "
        f"({side}, alpha {curve.alpha:g})",
        fontsize=11,
    )
    ax.set_xlabel("requests per wording (n, control arm)", fontsize=10)
    ax.set_ylabel("power (probability of detecting it)", fontsize=10)
    ax.set_ylim(0, 1.02)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=9, loc="lower right")
    return ax
