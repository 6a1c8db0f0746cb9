"""The sample-size search on a saw-toothed power curve.

Exact power is not monotone in n, and computing it at every n up to a cap of thousands would
take too long, so the search evaluates it densely only where it matters. It rests on one
assumption about the teeth, the *saw-tooth allowance* (:class:`SawTooth`): a smaller n' never
has power exceeding a larger m's by more than

    A(m) = c phi(Phi^-1(power(m))) / sigma(m),

sigma(m) being the standard deviation of the new arm's count given the total (hypergeometric,
at the design's pooled rate). Why this shape: a tooth is one lattice step of the discrete test,
worth the probability of one count near the rejection boundary; in the normal picture that is
the density where the power curve stands, phi(Phi^-1(power)), over the count's standard
deviation. Teeth shrink like 1 / sqrt(m), not 1 / m: the rule this replaces (2 / m) was broken
by 55% vs 46% at m = 502 (an excess of 0.013 against an allowance of 0.004).

``benchmarks/study_sawtooth.py`` computes exact power at every n up to 2,000 on 760 Fisher
designs (rates 0.02 to 0.98, both alternatives, alpha 0.05 and 0.01, ratios 1, 2 and 1/2;
1.5 and 3 for four close pairs) and
checks the rule: the largest excess needs c = 0.60 (ratio 1/2; 0.47 with ratios 1 and 2), at
designs near 50% tested two-sided; we take c = 1.5, two and a half times that. The search agrees
with the full scan in every search the study ran (docs/planning.md, "The saw-tooth study").
For a monotone curve (the normal approximation) use :data:`NO_TEETH`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from statistics import NormalDist

from ..errors import InvalidInputError

__all__: list[str] = []

#: Saw-tooth constant c of :class:`SawTooth`: 2.5 times the largest c a measured design needs.
SAWTOOTH = 1.5
#: Below this standard deviation (fewer than about 4 / (pooled rate x (1 - pooled)) requests
#: per arm) the allowance is 1: nothing is assumed, the search looks at every n.
SIGMA_MIN = 2.0
#: Rounding slack added to every allowance: powers are computed to about 1e-12.
SLACK = 1e-9

_NORMAL = NormalDist()


def _density_at_quantile(power: float) -> float:
    """phi(Phi^-1(power)): the normal density where the normal curve has that probability."""
    if not 0.0 < power < 1.0:
        return 0.0
    return _NORMAL.pdf(_NORMAL.inv_cdf(power))


@dataclass(frozen=True)
class SawTooth:
    """The saw-tooth allowance of one design.

    For n' < m: ``power(n') <= ceiling(m, power(m))``, where the ceiling is the power plus
    ``A = c phi(Phi^-1(power)) / sigma(m)`` (plus a rounding slack), made nondecreasing in the
    power; ``sigma(m)^2 = m * scale``. Where sigma(m) < :data:`SIGMA_MIN` the ceiling is the
    power plus 1: nothing is assumed.

    Examples
    --------
    >>> teeth = SawTooth.of_design(0.55, 0.46, 1.0)
    >>> round(teeth.ceiling(502, 0.7911) - 0.7911, 4)  # the allowance at 55% vs 46%, n = 502
    0.0544
    """

    scale: float
    c: float = SAWTOOTH

    @classmethod
    def of_design(cls, baseline: float, target: float, ratio: float) -> SawTooth:
        """The allowance of a design with these rates and new-arm ratio (sigma at the pooled
        rate: ``m * pooled (1 - pooled) * ratio / (1 + ratio)``)."""
        pooled = (baseline + ratio * target) / (1.0 + ratio)
        return cls(pooled * (1.0 - pooled) * ratio / (1.0 + ratio))

    def ceiling(self, n: int, power: float) -> float:
        """The largest power any n' < n can have when n has *power*.

        Nondecreasing in *power* and nonincreasing in *n*, which the search's stopping
        rules need."""
        if self.c <= 0.0:
            return power
        sigma = math.sqrt(n * self.scale)
        if sigma < SIGMA_MIN:
            return power + 1.0
        # q + c phi(Phi^-1(q)) / sigma grows with q while Phi^-1(q) < sigma / c: its largest
        # value over q <= power is at the smaller of power and Phi(sigma / c).
        top = min(power, _NORMAL.cdf(sigma / self.c))
        return top + self.c * _density_at_quantile(top) / sigma + SLACK


#: The allowance of a monotone curve: nothing to allow for.
NO_TEETH = SawTooth(1.0, 0.0)


def search_sample_size(
    power_at: Callable[[int], float],
    goal: float,
    start: int,
    max_n: int,
    teeth: SawTooth,
    bounds_at: Callable[[int], tuple[float, float]] | None = None,
) -> tuple[int, int, int, dict[int, float]]:
    """Smallest n reaching *goal*, smallest n keeping it, the last n checked, and every power.

    1. Gallop from *start* (the normal approximation's n) and bisect to a crossing ``hi``:
       power(hi - 1) < goal <= power(hi).
    2. Evaluate every n below ``hi`` until one has ``teeth.ceiling(n, power) < goal``: by the
       assumption no smaller n reaches the goal, so the first n reaching it is among those
       evaluated.
    3. Evaluate every n above ``hi`` until one has ``power >= teeth.ceiling(n, goal)`` (or
       *max_n*): a larger m falling below the goal would break the assumption at m (its
       allowance is at most n's), so the stable n is among those evaluated.

    Every step only compares a power, or a nondecreasing function of it, with a level.
    *bounds_at(n)*, when given, is a cheaper ``(low, high)`` around ``power_at(n)``; a
    comparison those bounds settle is settled by them, and ``power_at`` runs only when the
    level falls between them. The search then takes the same steps and gives the same answers;
    only the powers it did compute are in the returned dict.
    """
    seen: dict[int, float] = {}
    bounds: dict[int, tuple[float, float]] = {}

    def pw(n: int) -> float:
        if n not in seen:
            seen[n] = power_at(n)
        return seen[n]

    def holds(n: int, level: float, of: Callable[[float], float] = float) -> bool:
        """of(power(n)) >= level, for a nondecreasing *of*."""
        if bounds_at is not None and n not in seen:
            if n not in bounds:
                bounds[n] = bounds_at(n)
            low, high = bounds[n]
            if of(low) >= level:
                return True
            if of(high) < level:
                return False
        return of(pw(n)) >= level

    def reaches(n: int) -> bool:
        return holds(n, goal)

    def power_text(n: int) -> str:
        if n in seen or bounds_at is None:
            return f"is {pw(n):.3f}"
        return f"is below {bounds[n][1]:.3f}"

    # 1. A bracket lo < hi with pw(lo) < goal <= pw(hi), by galloping from the normal guess.
    hi = min(max(start, 1), max_n)
    while not reaches(hi):
        if hi == max_n:
            raise InvalidInputError(
                f"power {goal:g} is not reached at any n up to {max_n} per arm (power there "
                f"{power_text(max_n)}); raise max_n or plan for a larger difference"
            )
        hi = min(max_n, max(hi + 1, math.ceil(hi * 1.5)))
    lo = hi
    while lo > 0 and reaches(lo):
        lo = max(0, min(lo - 1, math.floor(lo / 1.5)))
    while hi - lo > 1:  # bisection on the (nearly monotone) curve
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if reaches(mid) else (mid, hi)
    # 2. Below hi: every n down to one whose ceiling (the most a smaller n can have) is short.
    n = hi - 1
    while n >= 1 and holds(n, goal, partial(teeth.ceiling, n)):
        n -= 1
    first = min(m for m in range(n + 1, hi + 1) if reaches(m))
    # 3. Above hi: every n up to one whose power no larger n can fall from below the goal.
    top = hi
    while top < max_n and not holds(top, teeth.ceiling(top, goal)):
        top += 1
    dips = [m for m in range(first, top + 1) if not reaches(m)]
    stable = dips[-1] + 1 if dips else first
    if stable > max_n:
        raise InvalidInputError(
            f"power {goal:g} is reached at n = {first} but lost again before {max_n}; raise max_n"
        )
    return first, stable, top, seen
