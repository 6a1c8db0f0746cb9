"""One design's exact power, marked on a power-curve plot."""

from __future__ import annotations

from typing import Any

from .style import get_axes

__all__ = ["plot_design_power"]


def _label(power: Any, label: str | None) -> str:
    design = label or f"this design: {power.n_control} and {power.n_new} requests"
    return f"{design}\npower {100 * power.power:.1f}%"


def plot_design_power(power: Any, *, label: str | None = None, ax: Any = None) -> Any:
    """Mark one design on a power plot: a dotted line at its control arm's size and a diamond
    at its exact power, labelled.

    Use it on the Axes of :func:`etiquette_lab.plot_power_curve` to show where a design that
    is not on the curve (unequal arms, say) stands.

    Parameters
    ----------
    power : PowerResult
        From :func:`etiquette_lab.exact_power`.
    label : str, optional
        What the design is ("this trial: 255 and 254 letters"); its power is added below.
    ax : matplotlib Axes, optional
        Drawn on a new figure when omitted.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from etiquette_lab.planning.power import exact_power
    >>> ax = plot_design_power(exact_power(5, 5, 0.2, 0.8))
    >>> ax.texts[0].get_text()
    'this design: 5 and 5 requests\\npower 37.6%'
    """
    ax = get_axes(ax)
    ax.axvline(power.n_control, color="black", linestyle=":", linewidth=1.5)
    ax.plot(power.n_control, power.power, marker="D", color="black", linestyle="none")
    ax.annotate(
        _label(power, label),
        (power.n_control, power.power),
        xytext=(12, -45),
        textcoords="offset points",
    )
    return ax


def describe_design_power(power: Any, *, label: str | None = None) -> str:
    """What :func:`plot_design_power` draws, in words (its alternative text)."""
    design = label or f"the design with {power.n_control} and {power.n_new} requests"
    return (
        f"A black diamond on a dotted vertical line marks {design} at {power.n_control} "
        f"requests on the control wording: exact power {100 * power.power:.1f}%."
    )
