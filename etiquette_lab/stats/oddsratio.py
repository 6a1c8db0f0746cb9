"""The conditional maximum-likelihood odds ratio and its exact interval (as R's ``fisher.test``).

Given both margins of the 2 x 2 table, the treatment arm's response count follows Fisher's
noncentral hypergeometric distribution with the odds ratio as parameter. The estimate maximises
that conditional likelihood; the interval inverts the two one-sided exact tests, each at
``alpha / 2``. R solves these equations with ``uniroot``'s default tolerance (about 1e-4 on the
log scale); here the root is found to ~1e-13 on the log scale.

Why this stays fast for ten million requests per arm: the distribution is only evaluated on a
window of the support around the observed count, 40 standard deviations either side plus 40
points. Outside it the mass is below about ``exp(-800)`` for every odds ratio near the estimate
or the limits, and because the truncated family is still an exponential family in the log odds
ratio, its tail probabilities stay monotone, so the root-finder never strays.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..checks import check_alpha, check_counts

__all__ = ["conditional_odds_ratio"]

_XTOL = 1e-13


@dataclass(frozen=True)
class _Conditional:
    """Log weights of the conditional distribution of the treatment count over a window."""

    k: np.ndarray  # treatment counts in the window
    base: np.ndarray  # log C(n1, k) + log C(n0, t - k), shifted so the observed count is 0
    x: int
    low_support: int
    high_support: int

    def log_weights(self, theta: float) -> np.ndarray:
        return self.base + (self.k - self.x) * theta

    def tail_ge(self, theta: float) -> float:
        """log P(X >= x) at log odds ratio *theta*."""
        from scipy.special import logsumexp

        w = self.log_weights(theta)
        return float(logsumexp(w[self.k >= self.x]) - logsumexp(w))

    def tail_le(self, theta: float) -> float:
        """log P(X <= x) at log odds ratio *theta*."""
        from scipy.special import logsumexp

        w = self.log_weights(theta)
        return float(logsumexp(w[self.k <= self.x]) - logsumexp(w))

    def mean_minus_x(self, theta: float) -> float:
        w = self.log_weights(theta)
        p = np.exp(w - w.max())
        return float(np.dot(p, self.k - self.x) / p.sum())


def _conditional(x0: int, n0: int, x1: int, n1: int) -> _Conditional:
    from scipy.special import gammaln

    t = x1 + x0
    big_n = n1 + n0
    low, high = max(0, t - n0), min(n1, t)
    cells = np.array([x1, n1 - x1, x0, n0 - x0], dtype=float)
    sd_observed = 1.0 / math.sqrt(float(np.sum(1.0 / np.maximum(cells, 1.0))))
    sd_null = (
        math.sqrt(n1 * n0 * t * (big_n - t) / (big_n * big_n * (big_n - 1))) if big_n > 1 else 0.0
    )
    width = int(40 * max(sd_observed, sd_null)) + 40
    k = np.arange(max(low, x1 - width), min(high, x1 + width) + 1, dtype=np.int64)
    kf = k.astype(float)
    base = -gammaln(kf + 1) - gammaln(n1 - kf + 1) - gammaln(t - kf + 1) - gammaln(n0 - t + kf + 1)
    base -= base[x1 - k[0]]
    return _Conditional(k, base, x1, low, high)


def _solve(f: Callable[[float], float], start: float) -> float:
    """Root of the increasing *f* (on the log scale), bracketed by stepping out from *start*."""
    from scipy.optimize import brentq

    a, fa = start, f(start)
    direction = 1.0 if fa < 0 else -1.0
    step = 1.0
    b, fb = a + direction * step, f(a + direction * step)
    while (fb < 0) == (fa < 0) and abs(b) < 1e4:
        a, fa = b, fb
        step *= 2.0
        b, fb = a + direction * step, f(a + direction * step)
    lo, hi = sorted((a, b))
    return float(brentq(f, lo, hi, xtol=_XTOL, rtol=4 * np.finfo(float).eps, maxiter=500))


def conditional_odds_ratio(
    x0: int, n0: int, x1: int, n1: int, *, alpha: float = 0.05
) -> tuple[float, float, float]:
    """The conditional MLE odds ratio of arm 1 vs arm 0 and its exact ``1 - alpha`` interval.

    Parameters
    ----------
    x0, n0 : int
        Responses and requests of the control.
    x1, n1 : int
        Responses and requests of the arm.
    alpha : float
        Each one-sided limit is found at ``alpha / 2``, as ``fisher.test`` does.

    Returns
    -------
    (estimate, ci_low, ci_high) : tuple of float
        At the edges of the support the estimate is 0 or ``inf`` and the matching limit is 0 or
        ``inf``. When the conditional distribution has a single point (for example no response
        in either arm) nothing is learnt: the estimate is ``nan`` and the interval is (0, inf).

    Examples
    --------
    >>> est, low, high = conditional_odds_ratio(1, 5, 4, 5)
    >>> round(est, 4), round(low, 4), round(high, 2)
    (10.9073, 0.4547, 978.99)
    """
    x1, n1 = check_counts(x1, n1, "arm")
    x0, n0 = check_counts(x0, n0, "control")
    alpha = check_alpha(alpha)
    cond = _conditional(x0, n0, x1, n1)
    if cond.low_support == cond.high_support:
        return math.nan, 0.0, math.inf
    # Haldane-corrected sample log odds ratio: a starting point inside the bracket's reach.
    start = math.log((x1 + 0.5) * (n0 - x0 + 0.5) / ((n1 - x1 + 0.5) * (x0 + 0.5)))
    log_half = math.log(alpha / 2)
    at_low, at_high = x1 == cond.low_support, x1 == cond.high_support
    low = 0.0 if at_low else math.exp(_solve(lambda th: cond.tail_ge(th) - log_half, start))
    high = math.inf if at_high else math.exp(_solve(lambda th: log_half - cond.tail_le(th), start))
    if at_low or at_high:
        estimate = 0.0 if at_low else math.inf
    else:
        estimate = math.exp(_solve(cond.mean_minus_x, start))
    return estimate, low, high
