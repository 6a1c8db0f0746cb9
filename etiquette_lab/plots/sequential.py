"""Plots of sequential designs: boundaries over the looks with an observed path, and operating
characteristics (power or false-alarm rate, and expected size, over a range of rates)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from ..errors import InvalidInputError
from ..sequential.decide import replay_looks
from ..sequential.results import (
    AnytimeDesign,
    OperatingCharacteristics,
    SequentialDesign,
    SequentialReplay,
)
from .style import colour, get_axes

__all__ = ["plot_operating_characteristics", "plot_sequential_boundaries"]

_MARKERS = {
    "continue": ("o", colour(1)),
    "no_decision": ("o", colour(0)),
    "stop_evidence": ("*", colour(5)),
    "stop_futility": ("v", colour(2)),
    "stop_maximum": ("s", colour(0)),
    "stopped_earlier": ("x", colour(0)),
}


def _replay(design: Any, path: Any) -> SequentialReplay | None:
    if path is None or isinstance(path, SequentialReplay):
        return path
    return replay_looks(design, path)


def plot_sequential_boundaries(
    design: SequentialDesign | AnytimeDesign,
    *,
    path: SequentialReplay | Sequence[Sequence[int]] | None = None,
    ax: Any = None,
) -> Any:
    """The stopping boundaries over the looks, with the observed path if given.

    A group-sequential design is drawn on the z scale: the evidence boundary at each planned
    look (two-sided: also its mirror image), the futility bounds if any, and, for an exact
    design, the normal-approximation boundaries for comparison. The anytime design is drawn on
    the e-value scale (logarithmic) with its threshold 1 / alpha.

    Parameters
    ----------
    design : SequentialDesign or AnytimeDesign
    path : SequentialReplay or sequence of (x_control, n_control, x_new, n_new), optional
        The observed looks (a replay, or the counts to replay); each look is a marker at its
        mean size per wording, shaped by its decision.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from etiquette_lab.sequential import sequential_design
    >>> ax = plot_sequential_boundaries(sequential_design(40, looks=4),
    ...                                 path=[(2, 10, 5, 10), (3, 20, 12, 20)])
    >>> ax.get_xlabel()
    'requests per wording'
    """
    ax = get_axes(ax)
    replay = _replay(design, path)
    anytime = isinstance(design, AnytimeDesign)
    looks = list(design.looks)
    if isinstance(design, AnytimeDesign):
        ax.axhline(
            design.threshold,
            color=colour(5),
            linewidth=1.5,
            label=f"stop with evidence: e >= {design.threshold:g}",
        )
        ax.axhline(1.0, color=colour(0), linewidth=0.8, linestyle=":")
        ax.set_yscale("log")
        ax.set_ylabel("e-value (log scale)", fontsize=10)
    else:
        finite = [(n, b) for n, b in zip(looks, design.boundary_z, strict=True) if math.isfinite(b)]
        xs, bs = [n for n, _ in finite], [b for _, b in finite]
        ax.plot(
            xs,
            bs,
            color=colour(5),
            marker="_",
            markersize=14,
            linewidth=1.5,
            label=f"stop with evidence ({design.method} boundary)",
        )
        if design.alternative == "two-sided":
            ax.plot(xs, [-b for b in bs], color=colour(5), marker="_", markersize=14, linewidth=1.5)
        if design.method == "exact" and len(looks) > 1:
            normal = [
                (n, b)
                for n, b in zip(looks, design.normal_boundary_z, strict=True)
                if math.isfinite(b)
            ]
            ax.plot(
                [n for n, _ in normal],
                [b for _, b in normal],
                color=colour(5),
                linestyle="--",
                linewidth=1,
                label="normal-approximation boundary",
            )
        if design.futility_z is not None:
            # Two-sided futility is a band around 0: stop when |z| is below the bound.
            mirrors = (1, -1) if design.alternative == "two-sided" else (1,)
            for sign in mirrors:
                ax.plot(
                    looks[:-1],
                    [sign * f for f in design.futility_z],
                    color=colour(2),
                    marker="_",
                    markersize=12,
                    linewidth=1,
                    linestyle="-.",
                    label="futility (non-binding)" if sign == 1 else None,
                )
        silent = [n for n, b in zip(looks, design.boundary_z, strict=True) if not math.isfinite(b)]
        for n in silent:
            ax.axvline(n, color=colour(0), linewidth=0.6, linestyle=":")
        if silent:
            ax.plot(
                [], [], color=colour(0), linewidth=0.6, linestyle=":", label="look that cannot stop"
            )
        ax.axhline(0.0, color=colour(0), linewidth=0.8)
        ax.set_ylabel("pooled z (new - control)", fontsize=10)
    for n in looks:
        ax.axvline(n, color=colour(0), linewidth=0.3, alpha=0.5)
    if replay is not None:
        path_x = [(d.n_control + d.n_new) / 2 for d in replay.decisions]
        path_y = [d.e_value if anytime else d.z for d in replay.decisions]
        ax.plot(path_x, path_y, color=colour(1), linewidth=1, alpha=0.7)
        seen: set[str] = set()
        for x, y, d in zip(path_x, path_y, replay.decisions, strict=True):
            marker, shade = _MARKERS[d.decision]
            ax.plot(
                [x],
                [y],
                marker=marker,
                color=shade,
                markersize=9 if marker == "*" else 6,
                linestyle="none",
                label=None if d.decision in seen else d.decision_text,
            )
            seen.add(d.decision)
    side = "two-sided" if design.alternative == "two-sided" else "one-sided"
    ax.set_title(
        f"{design.label[0].upper()}{design.label[1:]}: {side}, alpha {design.alpha:g}", fontsize=11
    )
    ax.set_xlabel("requests per wording", fontsize=10)
    ax.set_xlim(0, looks[-1] * 1.04)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    return ax


def plot_operating_characteristics(
    curves: OperatingCharacteristics | Sequence[OperatingCharacteristics],
    *,
    kind: str = "power",
    ax: Any = None,
) -> Any:
    """Power (or false-alarm rate) or expected size of one or several designs over rates.

    Parameters
    ----------
    curves : OperatingCharacteristics or a sequence of them
        From :func:`etiquette_lab.sequential.operating_characteristics`; several designs are
        drawn side by side. When the two rates are equal in every row the x axis is the common
        rate (the curve is a false-alarm rate), otherwise the difference p_new - p_control.
    kind : {"power", "size"}
        The chance of stopping with evidence, or the expected requests per wording.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from etiquette_lab.sequential import operating_characteristics, sequential_design
    >>> oc = operating_characteristics(sequential_design(30, looks=3), 0.2, [0.2, 0.4, 0.6])
    >>> plot_operating_characteristics(oc).get_xlabel()
    'difference in response rate, new - control (percentage points)'
    """
    if kind not in ("power", "size"):
        raise InvalidInputError(f"unknown kind {kind!r}; choose one of power, size")
    ax = get_axes(ax)
    many = [curves] if isinstance(curves, OperatingCharacteristics) else list(curves)
    null = all(c == n for oc in many for c, n in zip(oc.p_control, oc.p_new, strict=True))
    for i, oc in enumerate(many):
        x = (
            [100 * c for c in oc.p_control]
            if null
            else [100 * (n - c) for c, n in zip(oc.p_control, oc.p_new, strict=True)]
        )
        y = list(oc.power) if kind == "power" else list(oc.expected_n)
        ax.plot(x, y, color=colour(i + 1), marker="o", markersize=3, linewidth=1.5, label=oc.design)
    if kind == "power" and null:
        alpha = many[0].alpha
        ax.axhline(alpha, color=colour(0), linewidth=1, linestyle=":")
        ax.annotate(
            f"alpha {alpha:g}",
            xy=(0, alpha),
            xytext=(2, 3),
            textcoords="offset points",
            fontsize=9,
            color=colour(0),
            xycoords=("axes fraction", "data"),
        )
    if kind == "size":
        ax.axhline(many[0].max_n, color=colour(0), linewidth=1, linestyle=":")
    ax.set_xlabel(
        "common response rate of both wordings (%)"
        if null
        else "difference in response rate, new - control (percentage points)",
        fontsize=10,
    )
    ax.set_ylabel(
        ("false-alarm rate" if null else "power (chance of stopping with evidence)")
        if kind == "power"
        else "expected requests per wording",
        fontsize=10,
    )
    ax.set_title(
        "False alarms when the wordings are equally good"
        if null and kind == "power"
        else "Power by effect"
        if kind == "power"
        else "Expected size",
        fontsize=11,
    )
    if kind == "power":
        ax.set_ylim(0, max(0.1, max(max(oc.power) for oc in many) * 1.1) if null else 1.02)
    else:
        ax.set_ylim(0, many[0].max_n * 1.05)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    return ax
