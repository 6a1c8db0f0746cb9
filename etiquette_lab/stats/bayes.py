"""Bayesian comparison of two rates: exact P(arm beats control) and a credible interval.

Each arm's rate gets a Beta posterior, Beta(a + responses, b + non-responses). The probability
that the arm's true rate is higher than the control's, and the quantiles of the difference of
the two rates, are one-dimensional integrals over the quantiles of the narrower posterior,
computed by adaptive Gauss-Kronrod quadrature (QUADPACK's 21-point rule and error estimate,
every interval of a pass evaluated in one vectorised call, the quantiles at the nodes computed
once for all the differences the credible interval's root-finding tries) to about 1e-12:
deterministic, no Monte Carlo noise. (The planning module's finite beta-binomial sum,
:func:`etiquette_lab.probability_new_better`, is exact in theory but loses about 1e-10 to
rounding at 50,000 requests; the tests check the two against each other and against mpmath.)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..checks import check_alpha, check_counts
from ..priors import resolve_prior
from ..results import Result

__all__ = ["BayesComparison", "bayes_compare"]


@dataclass(frozen=True)
class BayesComparison(Result):
    """Posterior probability that the arm's rate beats the control's, and the difference's
    equal-tailed credible interval."""

    prob_better: float
    ci_low: float
    ci_high: float
    prior: str
    level: float

    _title = "Bayesian comparison"

    def _summary_frame(self):
        import pandas as pd

        return pd.DataFrame(
            [[self.prob_better, self.ci_low, self.ci_high, self.level, self.prior]],
            columns=["prob_better", "ci_low", "ci_high", "level", "prior"],
        )


# QUADPACK's 21-point Gauss-Kronrod rule on [-1, 1] (its qk21): the nodes, the Kronrod weights,
# and the weights of the embedded 10-point Gauss rule (on every other node).
_GK21_NODES = np.array(
    [
        0.995657163025808080735527280689003,
        0.973906528517171720077964012084452,
        0.930157491355708226001207180059508,
        0.865063366688984510732096688423493,
        0.780817726586416897063717578345042,
        0.679409568299024406234327365114874,
        0.562757134668604683339000099272694,
        0.433395394129247190799265943165784,
        0.294392862701460198131126603103866,
        0.148874338981631210884826001129720,
        0.0,
    ]
)
_GK21_NODES = np.concatenate([_GK21_NODES, -_GK21_NODES[-2::-1]])
_KRONROD_WEIGHTS = np.array(
    [
        0.011694638867371874278064396062192,
        0.032558162307964727478818972459390,
        0.054755896574351996031381300244580,
        0.075039674810919952767043140916190,
        0.093125454583697605535065465083366,
        0.109387158802297641899210590325805,
        0.123491976262065851077958109831074,
        0.134709217311473325928054001771707,
        0.142775938577060080797094273138717,
        0.147739104901338491374841515972068,
        0.149445554002916905664936468389821,
    ]
)
_KRONROD_WEIGHTS = np.concatenate([_KRONROD_WEIGHTS, _KRONROD_WEIGHTS[-2::-1]])
_GAUSS_WEIGHTS = np.zeros(21)
_GAUSS_WEIGHTS[1:10:2] = _GAUSS_WEIGHTS[19:10:-2] = [
    0.066671344308688137593568809893332,
    0.149451349150580593145776339657697,
    0.219086362515982043995534934228163,
    0.269266719309996355091226921569469,
    0.295524224714752870173892994651338,
]


def _integrate(
    values_on: Callable[[np.ndarray, np.ndarray], np.ndarray],
    breaks: Sequence[float],
    *,
    epsabs: float = 1e-12,
    epsrel: float = 1e-10,
    max_intervals: int = 1000,
) -> float:
    """The integral of f over [breaks[0], breaks[-1]], adaptively, from f's values on intervals.

    ``values_on(lo, hi)`` returns f at the 21 Gauss-Kronrod nodes of every interval
    [lo[i], hi[i]] (shape ``(len(lo), 21)``), so that each pass is one vectorised call.
    QUADPACK's global strategy (qags without extrapolation): each interval gets the 21-point
    Kronrod sum and QUADPACK's error estimate (the gap to the embedded 10-point Gauss rule,
    scaled by how much f varies there); while the errors add up to more than
    ``max(epsabs, epsrel * |integral|)``, the intervals with the largest errors are halved, as
    many as it takes for the others to add up to half the tolerance. Put a kink of f on a break.
    For a bounded f: halving stops when it no longer shrinks the error (round-off).

    Examples
    --------
    >>> def sqrt_on(lo, hi):
    ...     return np.sqrt(_gk21_nodes(lo, hi))
    >>> round(_integrate(sqrt_on, [0.0, 1.0]), 13)  # 2/3, with a singular endpoint
    0.6666666666667
    """
    lo = np.asarray(breaks[:-1], dtype=float)
    hi = np.asarray(breaks[1:], dtype=float)
    settled = settled_error = 0.0
    tiny = 50 * np.finfo(float).eps
    previous, stalled = math.inf, 0
    while True:
        half = (hi - lo) / 2
        values = values_on(lo, hi)
        kronrod = half * (values @ _KRONROD_WEIGHTS)
        error = np.abs(kronrod - half * (values @ _GAUSS_WEIGHTS))
        # QUADPACK's qk21: scale the gap by how much f varies on the interval, and never
        # below the round-off of the sum itself.
        mean = (values @ _KRONROD_WEIGHTS)[:, None] / 2
        spread = half * (np.abs(values - mean) @ _KRONROD_WEIGHTS)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            scaled = spread * np.minimum(1.0, (200 * error / spread) ** 1.5)
        error = np.where((spread > 0) & (error > 0), scaled, error)
        error = np.maximum(error, tiny * half * (np.abs(values) @ _KRONROD_WEIGHTS))
        total = settled + float(kronrod.sum())
        tolerance = max(epsabs, epsrel * abs(total))
        estimate = settled_error + float(error.sum())
        # Round-off (QUADPACK's ier = 2): halving no longer shrinks the error; f's own noise,
        # at the extremes of betainc, is then the floor and the integral is as good as it gets.
        stalled = stalled + 1 if estimate > 0.7 * previous else 0
        if estimate <= tolerance or stalled >= 3 or 2 * lo.size > max_intervals:
            return total
        previous = estimate
        # Halve the worst intervals until the rest (and those settled before) hold at most half
        # the tolerance; the rest are settled for good.
        order = np.argsort(error)[::-1]
        left = settled_error + float(error.sum()) - np.cumsum(error[order])
        count = int(np.searchsorted(-left, -tolerance / 2)) + 1
        split, keep = order[:count], order[count:]
        settled += float(kronrod[keep].sum())
        settled_error += float(error[keep].sum())
        lo, hi = lo[split], hi[split]
        middle = (lo + hi) / 2
        lo, hi = np.concatenate([lo, middle]), np.concatenate([middle, hi])


def _gk21_nodes(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The 21 Gauss-Kronrod nodes of every interval [lo[i], hi[i]], shape (len(lo), 21)."""
    return ((lo + hi) / 2)[:, None] + ((hi - lo) / 2)[:, None] * _GK21_NODES


# The starting intervals on the quantile scale: tenfold steps towards 0 and 1, where the
# quantile function of a Beta posterior has its power-law ends, and tenths in between.
_GRADED = [10.0**-k for k in range(15, 1, -1)]
_QUANTILE_BREAKS = (
    0.0,
    *_GRADED,
    *(k / 10 for k in range(1, 10)),
    *(1 - u for u in _GRADED[::-1]),
    1.0,
)


class _Posteriors:
    """P(p1 - p0 > d) for independent Beta posteriors of arm (1) and control (0).

    The integral runs over the quantiles u of the narrower posterior, so the integrand is a
    bounded, monotone function of u with no endpoint singularity, smooth on that scale even when
    one arm has millions of requests and the other five. Where the shifted quantile leaves
    [0, 1] the integrand is flat at 0 or 1: the quadrature breaks there. The quantiles at the
    nodes do not depend on d, so they are computed once per interval and reused by every d the
    credible interval's root-finding tries.
    """

    def __init__(self, a1: float, b1: float, a0: float, b0: float) -> None:
        from scipy.special import betainc, betaincinv

        self.a1, self.b1, self.a0, self.b0 = a1, b1, a0, b0
        self.mean = a1 / (a1 + b1) - a0 / (a0 + b0)
        var1, var0 = (a * b / ((a + b) ** 2 * (a + b + 1)) for a, b in ((a1, b1), (a0, b0)))
        self.sd = math.sqrt(var1 + var0)
        self.over_arm = var1 <= var0
        self._betainc, self._betaincinv = betainc, betaincinv
        self._narrow = (a1, b1) if self.over_arm else (a0, b0)
        self._quantiles: dict[tuple[float, float], np.ndarray] = {}

    def _quantiles_on(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """The narrower posterior's quantiles at every interval's nodes (cached by interval)."""
        keys = list(zip(lo.tolist(), hi.tolist(), strict=True))
        new = [i for i, key in enumerate(keys) if key not in self._quantiles]
        if new:
            found = self._betaincinv(*self._narrow, _gk21_nodes(lo[new], hi[new]))
            self._quantiles.update(zip((keys[i] for i in new), found, strict=True))
        return np.array([self._quantiles[key] for key in keys])

    def _integrand(self, q: np.ndarray, d: float) -> np.ndarray:
        """At the narrower posterior's quantiles q: F0(q - d), or 1 - F1(q + d)."""
        if self.over_arm:
            y = q - d
            inside = self._betainc(self.a0, self.b0, np.clip(y, 0.0, 1.0))
            return np.where(y <= 0.0, 0.0, np.where(y >= 1.0, 1.0, inside))
        y = q + d
        inside = self._betainc(self.b1, self.a1, np.clip(1.0 - y, 0.0, 1.0))
        return np.where(y <= 0.0, 1.0, np.where(y >= 1.0, 0.0, inside))

    def _kinks(self, d: float) -> list[float]:
        """The u in (0, 1) where the shifted quantile reaches 0 or 1."""
        edges = (d, 1.0 + d) if self.over_arm else (-d, 1.0 - d)
        found = (float(self._betainc(*self._narrow, e)) for e in edges if 0.0 < e < 1.0)
        return [u for u in found if 0.0 < u < 1.0]

    def prob_greater(self, d: float) -> float:
        """P(p1 - p0 > d)."""
        breaks = sorted({*_QUANTILE_BREAKS, *self._kinks(d)})
        value = _integrate(lambda lo, hi: self._integrand(self._quantiles_on(lo, hi), d), breaks)
        return min(1.0, max(0.0, value))

    def quantile(self, q: float) -> float:
        """The difference d with P(p1 - p0 <= d) = q, by bracketed root-finding."""
        from scipy.optimize import brentq

        def f(d: float) -> float:
            return (1.0 - self.prob_greater(d)) - q

        guess = self.mean + self.sd * _normal_quantile(q)
        step = 0.5 * self.sd
        a, b = max(-1.0, guess - step), min(1.0, guess + step)
        fa, fb = f(a), f(b)
        while fa > 0 and a > -1.0:
            a, step = max(-1.0, a - 2 * step), 2 * step
            fa = f(a)
        while fb < 0 and b < 1.0:
            b, step = min(1.0, b + 2 * step), 2 * step
            fb = f(b)
        if fa > 0 or fb < 0:  # the whole posterior mass sits at one end of [-1, 1]
            return a if fa > 0 else b
        return float(brentq(f, a, b, xtol=1e-12, rtol=1e-12))


def _normal_quantile(q: float) -> float:
    from scipy.special import ndtri

    return float(ndtri(q))


def bayes_compare(
    x0: int,
    n0: int,
    x1: int,
    n1: int,
    *,
    prior: str | Sequence[float] = "uniform",
    alpha: float = 0.05,
) -> BayesComparison:
    """Posterior probability that the arm's true rate beats the control's, with a credible
    interval for the difference of the two rates.

    Parameters
    ----------
    x0, n0, x1, n1 : int
        Responses and requests of the control and of the arm (n = 0 is allowed: the posterior
        is then the prior).
    prior : {"uniform", "jeffreys"} or (a, b)
        The same Beta(a, b) prior for both arms: uniform Beta(1, 1) by default, Jeffreys
        Beta(1/2, 1/2), or your own.
    alpha : float
        The credible interval holds ``1 - alpha`` of the posterior, ``alpha / 2`` in each tail.

    Examples
    --------
    >>> b = bayes_compare(1, 5, 4, 5)
    >>> round(b.prob_better, 4), round(b.ci_low, 3), round(b.ci_high, 3)
    (0.96, -0.056, 0.812)
    """
    x1, n1 = check_counts(x1, n1, "arm")
    x0, n0 = check_counts(x0, n0, "control")
    alpha = check_alpha(alpha)
    label, a, b = resolve_prior(prior)
    post = _Posteriors(a + x1, b + n1 - x1, a + x0, b + n0 - x0)
    return BayesComparison(
        prob_better=post.prob_greater(0.0),
        ci_low=post.quantile(alpha / 2),
        ci_high=post.quantile(1 - alpha / 2),
        prior=label,
        level=1 - alpha,
    )
