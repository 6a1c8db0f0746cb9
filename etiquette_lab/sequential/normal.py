"""Group-sequential boundaries for a normal test statistic, by numerical integration.

At large n the pooled z statistics Z_1, ..., Z_K of the looks are close to a Gaussian process
with Z_k ~ N(eta sqrt(t_k), 1) and independent increments of sqrt(t_k) Z_k (the "canonical joint
distribution", Jennison & Turnbull 2000, ch. 3). The chance of crossing given boundaries is
then the recursion of Armitage, McPherson & Rowe (1969): the sub-density of Z_k on the
continuation region is carried to the next look with the normal transition kernel, and each
look's crossing probability is one integral of it (Jennison & Turnbull 2000, ch. 19). We
integrate with Gauss-Legendre nodes, enough per look that the kernel's width spans many of them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..checks import check_alpha, check_method
from ..errors import InvalidInputError
from .checks import check_alternative, look_sizes
from .results import ClassicalBoundaries

__all__ = ["BOUNDARY_SHAPES", "classical_boundaries"]

#: ``shape=`` of :func:`classical_boundaries`.
BOUNDARY_SHAPES: tuple[str, ...] = ("pocock", "obrien-fleming")

#: Far enough beyond the mean that the normal tail left out is below 1e-32.
_TAIL = 12.0
_SQRT_2PI = math.sqrt(2.0 * math.pi)


@lru_cache(maxsize=8)
def _legendre(count: int) -> tuple[np.ndarray, np.ndarray]:
    return np.polynomial.legendre.leggauss(count)


def _nodes(low: float, high: float, kernel_sd: float) -> tuple[np.ndarray, np.ndarray]:
    # Gauss-Legendre converges geometrically once the transition kernel spans a few nodes;
    # counts come from a short list so that each set of nodes is computed once.
    wanted = 10 * (high - low) / kernel_sd + 32
    count = next((c for c in (64, 128, 256, 512, 1024) if c >= wanted), 1024)
    x, w = _legendre(count)
    half = (high - low) / 2.0
    return low + half * (x + 1.0), half * w


@dataclass
class _Recursion:
    """The sub-density of Z on the continuation region after the looks fixed so far."""

    t: Sequence[float]
    drift: float = 0.0
    k: int = 0  # looks fixed so far
    nodes: np.ndarray | None = None
    mass: np.ndarray | None = None  # quadrature weight x density at the nodes

    def _next(self) -> tuple[float, float, np.ndarray | None]:
        """Mean and sd of Z at the next look, given Z at the current nodes (None at look 1)."""
        t_k = self.t[self.k]
        if self.k == 0:
            return self.drift * math.sqrt(t_k), 1.0, None
        t_prev = self.t[self.k - 1]
        assert self.nodes is not None  # (advance() sets them at every look it fixes)
        spread = math.sqrt((t_k - t_prev) / t_k)
        centre = (math.sqrt(t_prev) * self.nodes + self.drift * (t_k - t_prev)) / math.sqrt(t_k)
        return 0.0, spread, centre

    def exits(self, upper: float, lower: float) -> tuple[float, float]:
        """P(first crossing above *upper*, below *lower*) at the next look."""
        from scipy.special import ndtr

        mean, spread, centre = self._next()
        if centre is None:
            up = float(ndtr(mean - upper)) if math.isfinite(upper) else 0.0
            down = float(ndtr(lower - mean)) if math.isfinite(lower) else 0.0
            return up, down
        assert self.mass is not None  # (set with the nodes)
        up = float(self.mass @ ndtr((centre - upper) / spread)) if math.isfinite(upper) else 0.0
        down = float(self.mass @ ndtr((lower - centre) / spread)) if math.isfinite(lower) else 0.0
        return up, down

    def advance(self, upper: float, lower: float) -> None:
        """Fix the next look's boundaries and carry the density past it."""
        mean, spread, centre = self._next()
        expected = self.drift * math.sqrt(self.t[self.k])
        high = min(upper, expected + _TAIL)
        low = max(lower, expected - _TAIL)
        nodes, weights = _nodes(low, high, spread)
        if centre is None:
            density = np.exp(-0.5 * (nodes - mean) ** 2) / _SQRT_2PI
        else:
            kernel = np.exp(-0.5 * ((nodes[:, None] - centre[None, :]) / spread) ** 2)
            density = kernel @ self.mass / (spread * _SQRT_2PI)
        self.nodes, self.mass, self.k = nodes, weights * density, self.k + 1


def crossing(
    bounds: Sequence[float], t: Sequence[float], two_sided: bool, drift: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """P(first crossing above / below) at each look for boundaries +-``bounds`` (+ only if
    one-sided), at drift eta (the mean of Z at t = 1)."""
    recursion = _Recursion(t, drift)
    up, down = np.zeros(len(t)), np.zeros(len(t))
    for k, b in enumerate(bounds):
        lower = -b if two_sided else -math.inf
        up[k], down[k] = recursion.exits(b, lower)
        if k + 1 < len(bounds):
            recursion.advance(b, lower)
    return up, down


def approximate_stops(
    bounds: Sequence[float],
    futility: Sequence[float] | None,
    t: Sequence[float],
    alternative: str,
    p_control: float,
    p_new: float,
    max_n: int,
) -> tuple[np.ndarray, np.ndarray]:
    """P(stop with evidence), P(stop for futility) at each look, by the normal approximation.

    The pooled z of look k is about N(delta / se0_k, (se1_k / se0_k)^2), with se0 the pooled
    standard error under equal rates and se1 the standard error at the two rates (the
    approximation of R's power.prop.test). Both scale as 1 / sqrt(n_k), so z * se0 / se1 follows
    the canonical process with drift delta / se1 at the last look, against boundaries scaled by
    se0 / se1. Two-sided futility bands (two continuation intervals) are not supported.
    """
    pooled = (p_control + p_new) / 2.0
    se0 = math.sqrt(pooled * (1.0 - pooled) * 2.0 / max_n)
    se1 = math.sqrt((p_control * (1.0 - p_control) + p_new * (1.0 - p_new)) / max_n)
    difference = p_new - p_control
    evidence, futile = np.zeros(len(t)), np.zeros(len(t))
    two_sided = alternative == "two-sided"
    if se1 == 0.0:  # both rates 0 or 1: every look sees the same table
        z = 0.0 if se0 == 0.0 else math.copysign(math.inf, difference)
        value = abs(z) if two_sided else z
        first = next((k for k, b in enumerate(bounds) if value >= b), None)
        if first is not None:
            evidence[first] = 1.0
        return evidence, futile
    scale = se0 / se1
    recursion = _Recursion(t, difference / se1)
    for k, b in enumerate(bounds):
        upper = b * scale
        if two_sided:
            lower, lower_is_evidence = -upper, True
        elif futility is not None and k < len(futility):
            lower, lower_is_evidence = futility[k] * scale, False
        else:
            lower, lower_is_evidence = -math.inf, True
        up, down = recursion.exits(upper, lower)
        evidence[k] = up + (down if lower_is_evidence else 0.0)
        futile[k] = 0.0 if lower_is_evidence else down
        if k + 1 < len(bounds):
            recursion.advance(upper, lower)
    return evidence, futile


def spending_bounds(t: Sequence[float], budgets: Sequence[float], two_sided: bool) -> list[float]:
    """z boundaries whose cumulative crossing under H0 equals the spent alpha at each look."""
    from scipy.optimize import brentq

    recursion = _Recursion(t)
    bounds: list[float] = []
    used = 0.0
    for k in range(len(t)):

        def excess(b: float, used: float = used, budget: float = budgets[k]) -> float:
            up, down = recursion.exits(b, -b if two_sided else -math.inf)
            return used + up + down - budget

        if excess(_TAIL) >= 0.0:  # nothing left to spend at this look
            bound = math.inf
        else:
            bound = brentq(excess, 0.0, _TAIL, xtol=1e-13)
            used = budgets[k]
        bounds.append(bound)
        if k + 1 < len(t):
            recursion.advance(bound, -bound if two_sided else -math.inf)
    return bounds


def _constant(t: Sequence[float], alpha: float, two_sided: bool, shape: str) -> float:
    from scipy.optimize import brentq

    scale = [1.0 if shape == "pocock" else 1.0 / math.sqrt(v) for v in t]

    def excess(c: float) -> float:
        up, down = crossing([c * s for s in scale], t, two_sided)
        return float(up.sum() + down.sum() - alpha)

    return brentq(excess, 0.5, 10.0, xtol=1e-13)


def classical_boundaries(
    looks: int | Sequence[int] = 5,
    *,
    alpha: float = 0.05,
    alternative: str = "two-sided",
    shape: str = "pocock",
) -> ClassicalBoundaries:
    """Pocock's (1977) or O'Brien & Fleming's (1979) boundaries for a normal statistic.

    Parameters
    ----------
    looks : int or sequence of int
        The number of equally spaced looks, or cumulative sizes (any unit) of the looks.
    alpha : float
        The overall false-alarm rate.
    alternative : {"two-sided", "greater"}
        Two-sided boundaries +-b_k, or one-sided b_k.
    shape : {"pocock", "obrien-fleming"}
        A constant boundary C, or C / sqrt(t_k) (t_k the information fraction).

    Returns
    -------
    ClassicalBoundaries

    Examples
    --------
    >>> round(classical_boundaries(5, shape="pocock").constant, 3)  # Jennison & Turnbull Tab. 2.1
    2.413
    >>> [round(b, 3) for b in classical_boundaries(5, shape="obrien-fleming").boundaries]
    [4.562, 3.226, 2.634, 2.281, 2.04]
    """
    from scipy.special import ndtr

    alpha = check_alpha(alpha)
    alternative = check_alternative(alternative)
    shape = check_method(shape, BOUNDARY_SHAPES, "shape")
    if isinstance(looks, int) and not isinstance(looks, bool):
        if looks < 1:
            raise InvalidInputError(f"looks must be at least 1, got {looks}")
        sizes = look_sizes(looks, looks)
    else:
        sizes = look_sizes(looks[-1] if looks else 0, looks)  # type: ignore[index]
    t = [n / sizes[-1] for n in sizes]
    two_sided = alternative == "two-sided"
    c = _constant(t, alpha, two_sided, shape)
    bounds = [c if shape == "pocock" else c / math.sqrt(v) for v in t]
    sides = 2 if two_sided else 1
    return ClassicalBoundaries(
        shape=shape,
        alpha=alpha,
        alternative=alternative,
        information=tuple(t),
        constant=c,
        boundaries=tuple(bounds),
        nominal_p=tuple(float(sides * ndtr(-b)) for b in bounds),
    )
