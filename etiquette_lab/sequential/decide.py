"""The decision at a look of a monitored experiment, and a replay of its looks.

Counts are cumulative and control first: (x_control, n_control, x_new, n_new) per look, each
look including the previous ones. A group-sequential design decides only at its planned looks,
exactly at the planned sizes (the first n_k evaluated requests of each wording); at any other
look it says so and gives no decision. The anytime-valid design decides at every look.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..errors import InvalidInputError
from .checks import Counts, check_look_counts
from .design import lattice_of
from .evalue import anytime_difference_interval, path_log_e
from .lattice import pooled_z_of
from .operating import Design, check_design
from .results import (
    AnytimeDesign,
    SequentialDecision,
    SequentialDesign,
    SequentialReplay,
    percent,
)

__all__ = ["SEQUENTIAL_DECISIONS", "replay_looks", "sequential_decision"]

#: The decisions a look can have, in the words of ``decision_text``.
SEQUENTIAL_DECISIONS: dict[str, str] = {
    "continue": "continue",
    "stop_evidence": "stop (evidence)",
    "stop_futility": "stop (futility)",
    "stop_maximum": "stop (maximum reached, no evidence)",
    "no_decision": "not a planned look: no decision",
    "stopped_earlier": "already stopped (evidence at an earlier look)",
}


def _points(value: float) -> str:
    return f"{100 * value:+.1f} points"


def _looks_of(looks: object) -> list[Counts]:
    # One look may be given on its own: (x_control, n_control, x_new, n_new).
    if (
        isinstance(looks, Sequence)
        and not isinstance(looks, (str, bytes))
        and len(looks) == 4
        and all(isinstance(v, int) and not isinstance(v, bool) for v in looks)
    ):
        looks = [looks]
    return check_look_counts(looks)


def _check_within_budget(design: Design, looks: list[Counts]) -> None:
    for i, (_, n_c, _, n_n) in enumerate(looks, start=1):
        for what, n in (("control wording", n_c), ("new wording", n_n)):
            if n > design.max_n:
                raise InvalidInputError(
                    f"look {i}: {n} requests on the {what} overshoot the design's maximum of "
                    f"{design.max_n} per wording"
                )


def _observed(counts: Counts) -> str:
    x_c, n_c, x_n, n_n = counts
    return (
        f"Observed: {x_n} of {n_n} on the new wording against {x_c} of {n_c} on the control "
        f"({_points(x_n / n_n - x_c / n_c)})."
    )


def _direction(design: Design) -> str:
    return (
        "the new wording answers more often than the control"
        if design.alternative == "greater"
        else "the two wordings' response rates differ"
    )


def _decision(design: Design, look: int, counts: Counts, **fields: object) -> SequentialDecision:
    x_c, n_c, x_n, n_n = counts
    code = str(fields.pop("decision"))
    values: dict[str, object] = {
        "planned_look": None,
        "planned_looks": None,
        "boundary_z": None,
        "futility_z": None,
        "alpha_spent": None,
        "e_value": None,
        "threshold": None,
        "difference_low": None,
        "difference_high": None,
        "next_look": None,
        "more_control": None,
        "more_new": None,
    }
    values.update(fields)
    return SequentialDecision(
        design=design.label,
        look=look,
        x_control=x_c,
        n_control=n_c,
        x_new=x_n,
        n_new=n_n,
        decision=code,
        decision_text=SEQUENTIAL_DECISIONS[code],
        z=pooled_z_of(x_c, n_c, x_n, n_n),
        difference=(x_n / n_n - x_c / n_c) if n_c and n_n else None,
        alpha=design.alpha,
        **values,  # type: ignore[arg-type]
    )


def _stops_at(design: SequentialDesign, k: int, counts: Counts) -> tuple[bool, bool]:
    """(evidence, futility) at planned look k: the exact design's regions, else the z bounds."""
    x_c, n_c, x_n, n_n = counts
    if design.method == "exact":
        lattice = lattice_of(design)
        futile = lattice.futility[k]
        return bool(lattice.reject[k][x_c, x_n]), futile is not None and bool(futile[x_c, x_n])
    # The normal design's regions are "statistic >= bound" (regions.threshold_regions); deciding
    # by the same comparison needs no lattice, so it works at any n.
    z = pooled_z_of(x_c, n_c, x_n, n_n)
    value = abs(z) if design.alternative == "two-sided" else z
    futility = design.futility_z
    return (
        bool(value >= design.boundary_z[k]),
        futility is not None and k < len(futility) and bool(value < futility[k]),
    )


def _planned(
    design: SequentialDesign, look: int, counts: Counts, stopped: int | None
) -> SequentialDecision:
    """The decision of a group-sequential design at one look."""
    x_c, n_c, x_n, n_n = counts
    z = pooled_z_of(x_c, n_c, x_n, n_n)
    sizes = design.looks
    passed = [k for k, s in enumerate(sizes) if s <= min(n_c, n_n)]
    spent = design.alpha_spent[passed[-1]] if passed else 0.0
    if stopped is not None:
        return _decision(
            design,
            look,
            counts,
            decision="stopped_earlier",
            alpha_spent=spent,
            planned_looks=len(sizes),
            message=(
                f"The experiment stopped with evidence at look {stopped}; later data do not "
                "change that decision (the guarantee covers stopping at the first crossing).",
            ),
        )
    if n_c != n_n or n_c not in sizes:
        following = [s for s in sizes if s >= min(n_c, n_n) and not (n_c == n_n == s)]
        target = following[0]
        more_c, more_n = max(0, target - n_c), max(0, target - n_n)
        message = [
            f"Not a planned look: no decision. So far {n_c} control and {n_n} new-wording "
            f"requests have been evaluated (z = {z:.2f}, for information only: deciding on it "
            "would void the design's false-alarm guarantee).",
            f"The next planned look is at {target} requests per wording ({more_c} more on the "
            f"control wording, {more_n} more on the new one).",
        ]
        if max(n_c, n_n) > target:
            message.append(
                f"That look uses the first {target} evaluated requests of each wording; the "
                "requests beyond them wait for the following look."
            )
        return _decision(
            design,
            look,
            counts,
            decision="no_decision",
            alpha_spent=spent,
            planned_looks=len(sizes),
            next_look=target,
            more_control=more_c,
            more_new=more_n,
            message=tuple(message),
        )
    k = sizes.index(n_c)
    boundary = design.boundary_z[k]
    futility = None if design.futility_z is None or k == len(sizes) - 1 else design.futility_z[k]
    where = f"Planned look {k + 1} of {len(sizes)} ({n_c} requests per wording)"
    sign = "|z|" if design.alternative == "two-sided" else "z"
    shown = abs(z) if design.alternative == "two-sided" else z
    spent = design.alpha_spent[k]
    spent_words = f"Alpha spent by this look: {spent:.3g} of {design.alpha:g}."
    common = {
        "planned_look": k + 1,
        "planned_looks": len(sizes),
        "boundary_z": boundary if math.isfinite(boundary) else None,
        "futility_z": futility,
        "alpha_spent": spent,
    }
    evidence, futile = _stops_at(design, k, counts)
    if design.false_alarm_by_look is not None:
        guarantee = (
            f"at most {percent(design.false_alarm_by_look[k])} of the time, whatever their "
            "common response rate (exact)"
        )
    else:  # a normal-approximation design beyond the exact engine
        guarantee = f"about {percent(spent)} of the time (normal approximation)"
    if evidence:
        return _decision(
            design,
            look,
            counts,
            decision="stop_evidence",
            **common,
            message=(
                f"{where}: {sign} = {shown:.2f} reaches the boundary {boundary:.2f}. Stop: the "
                f"data are evidence that {_direction(design)} (overall alpha {design.alpha:g}). "
                + _observed(counts),
                "If the wordings were equally good, this design would stop with evidence at or "
                f"before this look {guarantee}. {spent_words}",
            ),
        )
    below = (
        f"below the boundary {boundary:.2f}"
        if math.isfinite(boundary)
        else "and no outcome at this size can stop with evidence"
    )
    if k == len(sizes) - 1:
        return _decision(
            design,
            look,
            counts,
            decision="stop_maximum",
            **common,
            message=(
                f"{where}, the last: {sign} = {shown:.2f}, {below}. Stop without evidence of a "
                "difference.",
                "That is not evidence that the wordings are equally good: an observed difference "
                f"below {_points(design.smallest_difference[k] or 0.0)[1:]} could not have "
                f"stopped the experiment at this size. {spent_words}",
            ),
        )
    # Where the experiment goes next if it does not stop here.
    onward = {
        "next_look": sizes[k + 1],
        "more_control": sizes[k + 1] - n_c,
        "more_new": sizes[k + 1] - n_n,
    }
    if futile:
        return _decision(
            design,
            look,
            counts,
            decision="stop_futility",
            **common,
            **onward,
            message=(
                f"{where}: {sign} = {shown:.2f}, below the futility bound {futility:.2f}: the "
                "design allows stopping here for futility.",
                "The bound is non-binding: continuing to the next planned look at "
                f"{sizes[k + 1]} per wording keeps the false-alarm guarantee. {spent_words}",
            ),
        )
    return _decision(
        design,
        look,
        counts,
        decision="continue",
        **common,
        **onward,
        message=(
            f"{where}: {sign} = {shown:.2f}, {below}. Continue to the next planned look at "
            f"{sizes[k + 1]} requests per wording. {spent_words}",
        ),
    )


def _anytime(
    design: AnytimeDesign, look: int, counts: Counts, e_value: float, stopped: int | None
) -> SequentialDecision:
    x_c, n_c, x_n, n_n = counts
    low, high = anytime_difference_interval(x_c, n_c, x_n, n_n, design.alpha)
    interval = (
        f"Anytime-valid {percent(1 - design.alpha)} interval for the difference (new minus "
        f"control): {_points(low)} to {_points(high)}."
    )
    common = {
        "e_value": e_value,
        "threshold": design.threshold,
        "difference_low": low,
        "difference_high": high,
    }
    if stopped is not None:
        return _decision(
            design,
            look,
            counts,
            decision="stopped_earlier",
            **common,
            message=(
                f"The e-value reached {design.threshold:g} at look {stopped}: the experiment "
                "stopped with evidence then; later data do not change that decision.",
                interval,
            ),
        )
    if e_value >= design.threshold:
        return _decision(
            design,
            look,
            counts,
            decision="stop_evidence",
            **common,
            message=(
                f"E-value {e_value:.3g} reaches {design.threshold:g} (= 1 / alpha). Stop: the "
                f"data are evidence that {_direction(design)}. " + _observed(counts),
                "If the wordings were equally good, the e-value would ever reach "
                f"{design.threshold:g} at most {percent(design.alpha)} of the time, however often "
                "and whenever one looks.",
                interval,
            ),
        )
    if n_c >= design.max_n and n_n >= design.max_n:
        return _decision(
            design,
            look,
            counts,
            decision="stop_maximum",
            **common,
            message=(
                f"The budget of {design.max_n} requests per wording is spent and the e-value "
                f"({e_value:.3g}) stayed below {design.threshold:g}: stop without evidence of a "
                "difference, which is not evidence that the wordings are equally good.",
                interval,
            ),
        )
    return _decision(
        design,
        look,
        counts,
        decision="continue",
        **common,
        more_control=design.max_n - n_c,
        more_new=design.max_n - n_n,
        message=(
            f"E-value {e_value:.3g}, below {design.threshold:g} (= 1 / alpha): continue. You "
            "may look again whenever you like; the guarantee holds at every look.",
            interval,
        ),
    )


def replay_looks(design: Design, looks: Sequence[Sequence[int]]) -> SequentialReplay:
    """The decision at each of a sequence of looks, as the experiment would have seen it.

    Parameters
    ----------
    design : SequentialDesign or AnytimeDesign
        From :func:`sequential_design` or :func:`anytime_design`.
    looks : sequence of (x_control, n_control, x_new, n_new)
        Cumulative counts at each look, control first; sizes and responses never decrease.
        For the anytime design each look's new requests form one block of the e-value.

    Returns
    -------
    SequentialReplay
        One :class:`SequentialDecision` per look; after a stop with evidence, later looks say
        so. A non-binding futility stop does not end the replay.

    Raises
    ------
    InvalidInputError
        Counts that decrease, responses above requests, sizes beyond the design's maximum.

    Examples
    --------
    >>> from etiquette_lab.sequential.design import sequential_design
    >>> d = sequential_design(40, looks=4)
    >>> r = replay_looks(d, [(2, 10, 7, 10), (3, 15, 11, 15), (3, 20, 16, 20)])
    >>> [x.decision for x in r.decisions]
    ['continue', 'no_decision', 'stop_evidence']
    """
    design = check_design(design)
    checked = _looks_of(looks)
    _check_within_budget(design, checked)
    decisions: list[SequentialDecision] = []
    stopped: int | None = None
    if isinstance(design, AnytimeDesign):
        log_e = path_log_e(checked, design.alternative)
        for i, counts in enumerate(checked, start=1):
            decision = _anytime(design, i, counts, float(math.exp(log_e[i - 1])), stopped)
            decisions.append(decision)
            if stopped is None and decision.decision == "stop_evidence":
                stopped = i
    else:
        for i, counts in enumerate(checked, start=1):
            decision = _planned(design, i, counts, stopped)
            decisions.append(decision)
            if stopped is None and decision.decision == "stop_evidence":
                stopped = i
    first_stop = next(
        (d.look for d in decisions if d.decision in ("stop_evidence", "stop_maximum")), None
    )
    return SequentialReplay(design=design.label, decisions=tuple(decisions), stopped_at=first_stop)


def sequential_decision(design: Design, looks: Sequence[Sequence[int]]) -> SequentialDecision:
    """The decision at the current (last) look of a monitored experiment.

    Parameters
    ----------
    design : SequentialDesign or AnytimeDesign
        From :func:`sequential_design` or :func:`anytime_design`.
    looks : sequence of (x_control, n_control, x_new, n_new), or one such tuple
        Cumulative counts at the looks so far, control first, the current look last. A
        group-sequential design needs only the current look (earlier ones tell whether it had
        already stopped); the anytime design uses every look's new requests as a block.

    Returns
    -------
    SequentialDecision
        ``decision`` (continue / stop_evidence / stop_futility / stop_maximum / no_decision /
        stopped_earlier), the statistic, the boundary, the alpha spent so far (group-sequential)
        or the e-value and the anytime interval (anytime), and ``message`` in words.

    Examples
    --------
    >>> from etiquette_lab.sequential.design import sequential_design
    >>> d = sequential_design(40, looks=4)
    >>> r = sequential_decision(d, (2, 10, 5, 10))
    >>> r.decision, r.planned_look, r.next_look
    ('continue', 1, 20)
    >>> sequential_decision(d, (2, 12, 5, 12)).decision_text
    'not a planned look: no decision'
    """
    return replay_looks(design, looks).decisions[-1]
