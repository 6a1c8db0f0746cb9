"""Sizing a planned-looks design, beside the fixed design of one look at the end.

:func:`sequential_sample_size` finds the smallest maximum n per wording whose group-sequential
design reaches the power wanted, and the fixed design's n for the same goal, with the exact
operating characteristics of both: the worst-case false-alarm rate over the common response
rate, power, the chance of stopping at each look, and the expected number of requests when the
wordings are equally good and when they differ as planned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..checks import check_alpha, checked_rate
from ..errors import InvalidInputError
from ..planning.kernels import normal_sample_size
from ..planning.search import NO_TEETH, SawTooth, search_sample_size
from ..results import Result
from .checks import (
    MAX_EXACT_N,
    check_alternative,
    check_futility,
    check_positive_count,
)
from .design import sequential_design
from .operating import sequential_power
from .results import SequentialDesign, SequentialPower, percent, side_words
from .spending import check_spending

__all__ = ["SequentialSampleSize", "sequential_sample_size"]


@dataclass(frozen=True)
class SequentialLooks(Result):
    """Look by look: size, boundary, alpha spent, and the chance of stopping there with evidence
    when the wordings are equally good (at the baseline rate) and when they differ as planned."""

    n_per_wording: tuple[int, ...]
    boundary_z: tuple[float | None, ...]
    alpha_spent: tuple[float, ...]
    stop_null: tuple[float, ...]
    stop_alternative: tuple[float, ...]
    stop_futility_alternative: tuple[float, ...] | None

    _title = "Planned looks"

    def _summary_frame(self):
        import pandas as pd

        columns = {
            "n_per_wording": list(self.n_per_wording),
            "boundary_z": list(self.boundary_z),
            "alpha_spent": list(self.alpha_spent),
            "stop_if_equal": list(self.stop_null),
            "stop_if_different": list(self.stop_alternative),
        }
        if self.stop_futility_alternative is not None:
            columns["futility_if_different"] = list(self.stop_futility_alternative)
        index = pd.Index(range(1, len(self.n_per_wording) + 1), name="look")
        return pd.DataFrame(columns, index=index)


@dataclass(frozen=True)
class SequentialSampleSize(Result):
    """A planned-looks design sized for a power, beside the fixed design (one look at the end).

    ``n_fixed`` and ``max_n`` are the smallest n per wording reaching ``target_power`` for the
    fixed design and for the design with ``looks`` planned looks (the same exact unconditional
    test, pooled z). ``false_alarm`` is each design's exact worst case over the common rate,
    ``power`` the chance of stopping with evidence at (baseline, target), ``expected_n_null``
    and ``expected_n_alternative`` the mean requests per wording when both answer at the
    baseline rate and at the two planned rates. ``naive_false_alarm`` is what an unadjusted
    test at the same looks would give. ``per_look`` has the look-by-look figures.
    ``smallest`` is False when the sizes were found by bisection (large designs,
    :data:`SCAN_LIMIT`): they reach the power, but a few smaller n may reach it too.
    """

    baseline: float
    target: float
    target_power: float
    alpha: float
    alternative: str
    looks: int
    spending: str
    rho: float | None
    futility: tuple[float, ...] | None
    design: str
    n_fixed: int
    power_fixed: float
    false_alarm_fixed: float
    max_n: int
    power: float
    false_alarm: float
    false_alarm_bound: float
    naive_false_alarm: float | None
    expected_n_null: float
    expected_n_alternative: float
    per_look: SequentialLooks
    smallest: bool = True

    _title = "Sample size with planned looks"

    def _summary_frame(self):
        import pandas as pd

        return pd.DataFrame(
            {
                "max_n": [self.n_fixed, self.max_n],
                "power": [self.power_fixed, self.power],
                "false_alarm": [self.false_alarm_fixed, self.false_alarm],
                "expected_n_if_equal": [float(self.n_fixed), self.expected_n_null],
                "expected_n_if_different": [float(self.n_fixed), self.expected_n_alternative],
            },
            index=pd.Index(["one look at the end", f"{self.looks} planned looks"], name="design"),
        )

    def _notes(self) -> list[str]:
        lines = [
            f"To tell {percent(self.baseline)} from {percent(self.target)} with "
            f"{percent(self.target_power)} power ({side_words(self.alternative)}, alpha "
            f"{self.alpha:g}): {self.n_fixed} requests per wording with one look at the end; "
            f"at most {self.max_n} per wording with {self.looks} planned looks ({self.design}), "
            f"which stops after {self.expected_n_alternative:.1f} per wording on average if the "
            f"wordings differ as planned and {self.expected_n_null:.1f} if they are equal.",
            "false_alarm is exact: the largest chance of stopping with evidence when both "
            "wordings answer equally often, over every common rate (proven bound "
            f"{self.false_alarm_bound:.6g} for the planned looks). Both designs use the exact "
            "unconditional test ordered by the pooled z (docs/sequential.md).",
        ]
        if self.naive_false_alarm is not None:
            lines.append(
                f"Testing at each of the {self.looks} looks without adjusting would raise a "
                f"false alarm up to {percent(self.naive_false_alarm)} of the time."
            )
        if not self.smallest:
            lines.append(
                f"Found by bisection (above {SCAN_LIMIT} per wording every n would be an exact "
                "design to build): both sizes reach the power, but exact power is saw-toothed "
                "in n, so a few smaller n may reach it too (docs/sequential.md)."
            )
        return lines

    def _parts(self) -> list[Result]:
        return [self.per_look]


#: Above this many requests per wording (by the normal approximation) the sizing bisects
#: instead of checking every n the saw-tooth allowance leaves open: each n is one exact design to
#: build (about a second at 300 per wording with 5 looks), and the scan took minutes.
SCAN_LIMIT = 150


def _sized(
    goal: float, start: int, limit: int, build, teeth: SawTooth
) -> tuple[int, SequentialDesign]:
    # The exact power of a design is saw-toothed in n as the fixed test's is; the search assumes
    # the same allowance, measured for the fixed exact tests (docs/planning.md).
    first, *_ = search_sample_size(lambda n: build(n)[1], goal, start, limit, teeth)
    return first, build(first)[0]


def sequential_sample_size(
    baseline: float,
    target: float,
    *,
    power: float = 0.8,
    looks: int = 5,
    alpha: float = 0.05,
    alternative: str = "two-sided",
    spending: str = "obrien-fleming",
    rho: float | None = None,
    futility: float | Sequence[float] | None = None,
    max_n: int = MAX_EXACT_N,
) -> SequentialSampleSize:
    """The largest n per wording a planned-looks design needs, beside the fixed design's n.

    Both are the smallest n whose exact power reaches *power*, found by the planning search
    (``docs/planning.md``: it assumes the saw-tooth allowance measured for the fixed exact
    tests). Above :data:`SCAN_LIMIT` per wording (by the normal approximation) the search
    bisects instead: the sizes reach the power but may not be the smallest (``smallest`` is
    False and the notes say so). The designs are
    :func:`~etiquette_lab.sequential.design.sequential_design` with *looks* equally spaced
    looks, and with one look.

    Parameters
    ----------
    baseline, target : float
        The control's response rate and the new wording's under the alternative.
    power : float
        The power wanted, in (0, 1).
    looks : int
        The number of equally spaced planned looks, at least 2.
    alpha, alternative, spending, rho, futility
        As in :func:`~etiquette_lab.sequential.design.sequential_design`.
    max_n : int
        The largest n per wording searched (at most 1,000, the exact engine's limit).

    Returns
    -------
    SequentialSampleSize

    Examples
    --------
    >>> r = sequential_sample_size(0.2, 0.5, looks=3)
    >>> r.n_fixed, r.max_n, round(r.expected_n_alternative, 1)
    (40, 40, 34.4)
    >>> r.false_alarm <= 0.05
    True
    """
    baseline = checked_rate("baseline", baseline)
    target = checked_rate("target", target)
    if baseline == target:
        raise InvalidInputError(f"baseline and target are both {baseline:g}: nothing to detect")
    try:
        goal = float(power)
    except (TypeError, ValueError):
        raise InvalidInputError(f"power must be a number between 0 and 1, got {power!r}") from None
    if not 0.0 < goal < 1.0:
        raise InvalidInputError(f"power must be between 0 and 1 (exclusive), got {power!r}")
    count = check_positive_count(looks, "looks")
    if count < 2:
        raise InvalidInputError(f"planned looks are at least 2, got {count}")
    alpha = check_alpha(alpha)
    alternative = check_alternative(alternative)
    limit = check_positive_count(max_n, "max_n")
    if limit > MAX_EXACT_N:
        raise InvalidInputError(
            f"exact designs go up to {MAX_EXACT_N:,} requests per wording; max_n is {limit:,}"
        )
    check_spending(spending, rho)  # bad settings are named before any search
    check_futility(futility, count, alternative)

    def one_look(n: int) -> tuple[SequentialDesign, float]:
        design = sequential_design(n, looks=1, alpha=alpha, alternative=alternative)
        return design, sequential_power(design, baseline, target).power

    def planned(n: int) -> tuple[SequentialDesign | None, float]:
        if n < count:  # fewer requests than looks: no such design, and no power
            return None, 0.0
        design = sequential_design(
            n,
            looks=count,
            spending=spending,
            rho=rho,
            futility=futility,
            alpha=alpha,
            alternative=alternative,
        )
        return design, sequential_power(design, baseline, target).power

    guess = normal_sample_size(baseline, target, goal, alpha, alternative, 1.0)
    smallest = guess <= SCAN_LIMIT
    teeth = SawTooth.of_design(baseline, target, 1.0) if smallest else NO_TEETH
    n_fixed, fixed = _sized(goal, count, limit, one_look, teeth)
    largest, design = _sized(goal, max(n_fixed, count), limit, planned, teeth)
    at_target: SequentialPower = sequential_power(design, baseline, target)
    at_baseline = sequential_power(design, baseline, baseline)
    per_look = SequentialLooks(
        n_per_wording=design.looks,
        boundary_z=tuple(b if b != float("inf") else None for b in design.boundary_z),
        alpha_spent=design.alpha_spent,
        stop_null=at_baseline.stop_evidence,
        stop_alternative=at_target.stop_evidence,
        stop_futility_alternative=at_target.stop_futility if design.futility_z else None,
    )
    return SequentialSampleSize(
        baseline=baseline,
        target=target,
        target_power=goal,
        alpha=alpha,
        alternative=alternative,
        looks=count,
        spending=design.spending,
        rho=design.rho,
        futility=design.futility_z,
        design=design.label,
        n_fixed=n_fixed,
        power_fixed=sequential_power(fixed, baseline, target).power,
        false_alarm_fixed=fixed.type_one_error or 0.0,
        max_n=largest,
        power=at_target.power,
        false_alarm=design.type_one_error or 0.0,
        false_alarm_bound=design.type_one_error_bound or 0.0,
        naive_false_alarm=design.naive_type_one_error,
        expected_n_null=at_baseline.expected_n,
        expected_n_alternative=at_target.expected_n,
        per_look=per_look,
        smallest=smallest,
    )
