"""Operating characteristics of a design at given response rates: power, stops, expected size.

Everything comes from the design's exact lattice (:mod:`.regions`): the alive fractions are
rate-free, so each pair of rates costs one sum over the states per look.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeGuard

import numpy as np

from ..checks import checked_rate
from ..errors import InvalidInputError
from .checks import MAX_EXACT_N
from .design import lattice_of
from .normal import approximate_stops
from .results import (
    AnytimeDesign,
    DesignComparison,
    OperatingCharacteristics,
    SequentialDesign,
    SequentialPower,
)

__all__ = ["compare_designs", "operating_characteristics", "sequential_power"]

Design = SequentialDesign | AnytimeDesign


def check_design(design: object) -> Design:
    if not isinstance(design, (SequentialDesign, AnytimeDesign)):
        raise InvalidInputError(
            "design must come from sequential_design() or anytime_design(), got "
            f"{type(design).__name__}"
        )
    return design


def approximate(design: Design) -> TypeGuard[SequentialDesign]:
    """Whether *design*'s operating characteristics come from the normal approximation."""
    return isinstance(design, SequentialDesign) and design.max_n > MAX_EXACT_N


def _stops(design: Design, p_control: float, p_new: float) -> tuple[np.ndarray, np.ndarray, float]:
    if approximate(design):
        if design.futility_z is not None and design.alternative == "two-sided":
            raise InvalidInputError(
                "operating characteristics of two-sided futility bounds are exact only, up to "
                f"{MAX_EXACT_N:,} requests per wording"
            )
        evidence, futility = approximate_stops(
            design.boundary_z,
            design.futility_z,
            design.information,
            design.alternative,
            p_control,
            p_new,
            design.max_n,
        )
    else:
        evidence, futility = lattice_of(design).stop_probabilities(p_control, p_new)
    looks = np.array(design.looks, dtype=float)
    reach = 1.0 - np.concatenate([[0.0], np.cumsum(evidence + futility)[:-1]])
    # Each look's requests are spent by every experiment that reaches it.
    steps = np.diff(np.concatenate([[0.0], looks]))
    return evidence, futility, float(steps @ reach)


def sequential_power(design: Design, p_control: float, p_new: float) -> SequentialPower:
    """Exact power, stopping probabilities per look and expected size of *design* at two rates.

    Parameters
    ----------
    design : SequentialDesign or AnytimeDesign
        From :func:`sequential_design` or :func:`anytime_design`.
    p_control, p_new : float
        The true response rates of the control and the new wording. Equal rates give the
        false-alarm rate at that common rate.

    Returns
    -------
    SequentialPower
        Futility bounds, if any, are followed.

    Examples
    --------
    >>> from etiquette_lab.sequential.design import sequential_design
    >>> r = sequential_power(sequential_design(50), 0.2, 0.5)
    >>> round(r.power, 4), round(r.expected_n, 1)
    (0.889, 38.1)
    """
    design = check_design(design)
    p_control = checked_rate("p_control", p_control)
    p_new = checked_rate("p_new", p_new)
    evidence, futility, expected = _stops(design, p_control, p_new)
    return SequentialPower(
        design=design.label,
        method="normal approximation" if approximate(design) else "exact",
        p_control=p_control,
        p_new=p_new,
        looks=design.looks,
        stop_evidence=tuple(float(v) for v in evidence),
        stop_futility=tuple(float(v) for v in futility),
        power=float(evidence.sum()),
        expected_n=expected,
        max_n=design.max_n,
    )


def operating_characteristics(
    design: Design, p_control: float | Sequence[float], p_new: float | Sequence[float]
) -> OperatingCharacteristics:
    """Power and expected size of *design* over a range of rate pairs.

    Parameters
    ----------
    design : SequentialDesign or AnytimeDesign
    p_control, p_new : float or sequence of float
        Rates of the control and the new wording; a single number is repeated to the other's
        length. Equal rates give false-alarm rates (pass the same sequence twice for the curve
        over the common rate).

    Returns
    -------
    OperatingCharacteristics

    Examples
    --------
    >>> from etiquette_lab.sequential.design import sequential_design
    >>> oc = operating_characteristics(sequential_design(30, looks=3), 0.2, [0.2, 0.5, 0.8])
    >>> [round(p, 3) for p in oc.power]
    [0.046, 0.684, 0.999]
    """
    design = check_design(design)
    controls = [p_control] if isinstance(p_control, (int, float)) else list(p_control)
    news = [p_new] if isinstance(p_new, (int, float)) else list(p_new)
    if len(controls) == 1:
        controls = controls * len(news)
    if len(news) == 1:
        news = news * len(controls)
    if len(controls) != len(news) or not controls:
        raise InvalidInputError(
            f"p_control and p_new must have the same length, got {len(controls)} and {len(news)}"
        )
    controls = [checked_rate("p_control", v) for v in controls]
    news = [checked_rate("p_new", v) for v in news]
    power, expected = [], []
    for c, n in zip(controls, news, strict=True):
        evidence, _, size = _stops(design, c, n)
        power.append(float(evidence.sum()))
        expected.append(size)
    return OperatingCharacteristics(
        design=design.label,
        method="normal approximation" if approximate(design) else "exact",
        p_control=tuple(controls),
        p_new=tuple(news),
        power=tuple(power),
        expected_n=tuple(expected),
        max_n=design.max_n,
        alpha=design.alpha,
    )


def compare_designs(
    designs: Sequence[Design], *, baseline: float, target: float
) -> DesignComparison:
    """Designs side by side: worst-case false alarms, power and expected size.

    Parameters
    ----------
    designs : sequence of SequentialDesign or AnytimeDesign
        For example a fixed-sample design (``sequential_design(n, looks=1)``), a
        group-sequential one and an anytime one for the same budget.
    baseline, target : float
        The control's response rate, and the new wording's under the alternative; the null
        figures use ``baseline`` for both.

    Returns
    -------
    DesignComparison

    Examples
    --------
    >>> from etiquette_lab.sequential.design import anytime_design, sequential_design
    >>> c = compare_designs([sequential_design(40, looks=1), sequential_design(40, looks=4),
    ...                      anytime_design(40, looks=4)], baseline=0.2, target=0.5)
    >>> [round(p, 3) for p in c.power]
    [0.81, 0.809, 0.37]
    """
    checked = [check_design(d) for d in designs]
    if not checked:
        raise InvalidInputError("compare_designs needs at least one design")
    baseline = checked_rate("baseline", baseline)
    target = checked_rate("target", target)
    power, null_n, alternative_n, false_alarm = [], [], [], []
    for design in checked:
        if design.type_one_error is None:
            raise InvalidInputError(
                f"the {design.label} has no exact false-alarm rate: {design.max_n:,} per "
                "wording is beyond the exact engine"
            )
        false_alarm.append(design.type_one_error)
        evidence, _, expected = _stops(design, baseline, target)
        power.append(float(evidence.sum()))
        alternative_n.append(expected)
        null_n.append(_stops(design, baseline, baseline)[2])
    return DesignComparison(
        designs=tuple(d.label for d in checked),
        max_n=tuple(d.max_n for d in checked),
        looks=tuple(len(d.looks) for d in checked),
        false_alarm=tuple(false_alarm),
        power=tuple(power),
        expected_n_null=tuple(null_n),
        expected_n_alternative=tuple(alternative_n),
        baseline=baseline,
        target=target,
    )
