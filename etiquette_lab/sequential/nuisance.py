"""The largest false-alarm probability over the unknown common response rate, with a proof.

Under equal response rates p the chance that a design has stopped with evidence by look k is a
polynomial in p (see :mod:`.lattice`): ``f(p) = sum_j sum_s w_j(s) Bin(s; N_j, p)``. Raising
every part to the largest degree N (``Bin(s; N_j, p) = sum_t Hyp(s | t) Bin(t; N, p)``) writes
f in the Bernstein basis of degree N, ``f(p) = sum_t b_t C(N, t) p^t (1 - p)^(N - t)``, with
coefficients b_t in [0, 1].

Evaluating f on a grid gives only a lower bound on its maximum: a peak between grid points could
be missed. The Bernstein form gives the upper bound. On any interval [a, b], f lies between the
smallest and the largest of its Bernstein coefficients on that interval (the convex-hull
property), the end coefficients are f(a) and f(b), and de Casteljau's algorithm splits an
interval's coefficients into its two halves' using only averages (numerically stable). Branch
and bound (:func:`certify`) splits every interval whose largest coefficient could exceed the
target until none can; the gap shrinks with the square of the interval's width (Farin 2002,
*Curves and Surfaces for CAGD*, ch. 5; Garloff 1986). The result is a proof that no rate gives
more, up to floating-point rounding (each coefficient is an average of averages: about 1e-13
relative). The maximum itself is polished by a bounded Brent search around the best point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .lattice import binomial_pmf_rows, hypergeometric_step

__all__: list[str] = []

#: Points of the grid of rates that a boundary search checks first (equally spaced in
#: arcsin(sqrt(p)), denser near 0 and 1 where the binomial changes fastest).
GRID_POINTS = 1025
#: How far above the best value found the reported bound on the maximum may lie.
BOUND_TOLERANCE = 1e-10
#: Intervals narrower than this are not split further: a target not proven by then is treated
#: as not met (the boundary search then takes the next smaller region).
SMALLEST_WIDTH = 1e-12


def rate_grid(points: int = GRID_POINTS) -> np.ndarray:
    """Rates p = sin(theta)^2 for theta equally spaced on [0, pi/2]."""
    return np.sin(np.linspace(0.0, math.pi / 2.0, points)) ** 2


@dataclass
class NullCrossing:
    """f(p) = sum over parts of sum_s w(s) Bin(s; N, p): a design's stopping chance under H0."""

    parts: list[tuple[int, np.ndarray]] = field(default_factory=list)

    def add(self, total: int, weights: np.ndarray) -> None:
        if np.any(weights > 0):
            self.parts.append((total, weights))

    def copy_with(self, total: int, weights: np.ndarray) -> NullCrossing:
        extended = NullCrossing(list(self.parts))
        extended.add(total, weights)
        return extended

    @property
    def degree(self) -> int:
        return max((n for n, _ in self.parts), default=0)

    def bernstein(self) -> np.ndarray:
        """The coefficients of f in the Bernstein basis of degree :attr:`degree`."""
        top = self.degree
        coefficients = np.zeros(top + 1)
        for total, weights in self.parts:
            coefficients += weights if total == top else hypergeometric_step(total, top) @ weights
        return coefficients

    def __call__(self, rates: np.ndarray) -> np.ndarray:
        rates = np.atleast_1d(np.asarray(rates, dtype=float))
        out = np.zeros(len(rates))
        for total, weights in self.parts:
            for start in range(0, len(rates), 4096):  # bounded memory: 4096 x (N + 1) floats
                chunk = rates[start : start + 4096]
                out[start : start + 4096] += binomial_pmf_rows(total, chunk) @ weights
        return out


@dataclass(frozen=True)
class Maximum:
    """The largest value of f found (at ``rate``) and a proven upper bound on all of f."""

    value: float
    rate: float
    bound: float


def _halves(coefficients: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """de Casteljau at the midpoint, for a batch of intervals (rows)."""
    degree = coefficients.shape[1] - 1
    left = np.empty_like(coefficients)
    right = np.empty_like(coefficients)
    left[:, 0] = coefficients[:, 0]
    right[:, degree] = coefficients[:, degree]
    row = coefficients
    for j in range(1, degree + 1):
        row = 0.5 * (row[:, :-1] + row[:, 1:])
        left[:, j] = row[:, 0]
        right[:, degree - j] = row[:, -1]
    return left, right


def certify(
    f: NullCrossing, *, budget: float | None = None, tolerance: float = BOUND_TOLERANCE
) -> tuple[bool, float, float, float]:
    """Branch and bound on the Bernstein coefficients of *f* over p in [0, 1].

    With *budget*: is f <= budget for every p? Stops as soon as some f(p) exceeds it (False) or
    no interval can (True). Without: splits until the bound is within *tolerance* of the best
    value found. Returns ``(ok, best, best_rate, bound)``.
    """
    if not f.parts:
        return True, 0.0, 0.0, 0.0
    coefficients = f.bernstein()[None, :]
    lows, highs = np.array([0.0]), np.array([1.0])
    ends = coefficients[0, [0, -1]]
    best = float(ends.max())
    best_rate = 0.0 if ends[0] >= ends[1] else 1.0
    settled = 0.0  # the largest upper bound among the intervals set aside
    while True:
        if budget is not None and best > budget:
            return False, best, best_rate, math.inf
        target = budget if budget is not None else best + tolerance
        upper = coefficients.max(axis=1)
        open_ = upper > target
        if np.any(~open_):
            settled = max(settled, float(upper[~open_].max()))
        if not np.any(open_):
            return True, best, best_rate, max(settled, best)
        coefficients, lows, highs = coefficients[open_], lows[open_], highs[open_]
        if float((highs - lows).max()) < SMALLEST_WIDTH:
            return budget is None, best, best_rate, max(settled, float(upper[open_].max()))
        left, right = _halves(coefficients)
        middles = (lows + highs) / 2.0
        values = left[:, -1]  # f at the midpoints
        top = int(np.argmax(values))
        if values[top] > best:
            best, best_rate = float(values[top]), float(middles[top])
        coefficients = np.concatenate([left, right])
        lows, highs = np.concatenate([lows, middles]), np.concatenate([middles, highs])


def maximise(f: NullCrossing) -> Maximum:
    """The largest value of *f* over p in [0, 1]: polished maximum and proven bound."""
    from scipy.optimize import minimize_scalar

    if not f.parts:
        return Maximum(value=0.0, rate=0.0, bound=0.0)
    single = NullCrossing([(f.degree, f.bernstein())])
    rates = rate_grid()
    values = single(rates)
    _, best, best_rate, bound = certify(single)
    top = int(np.argmax(values))
    if values[top] > best:
        best, best_rate = float(values[top]), float(rates[top])
    step = 2.0 / (len(rates) - 1) * math.sqrt(max(best_rate * (1.0 - best_rate), 1e-6)) * 2.0
    polished = minimize_scalar(
        lambda p: -float(single(np.array([p]))[0]),
        bounds=(max(0.0, best_rate - step), min(1.0, best_rate + step)),
        method="bounded",
        options={"xatol": 1e-12},
    )
    if -polished.fun > best:
        best, best_rate = float(-polished.fun), float(polished.x)
    return Maximum(value=best, rate=best_rate, bound=max(bound, best))
