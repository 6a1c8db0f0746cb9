"""Bayesian comparison of two rates: exact P(arm beats control) and a credible interval.

Each arm's rate gets a Beta posterior, Beta(a + responses, b + non-responses). The probability
that the arm's true rate is higher than the control's, and the quantiles of the difference of
the two rates, are one-dimensional integrals computed by adaptive quadrature (QUADPACK through
:func:`scipy.integrate.quad`) to about 1e-10: deterministic, no Monte Carlo noise.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import InvalidInputError
from ..results import Result
from .rates import check_alpha, check_counts

__all__ = ["PRIORS", "BayesComparison", "bayes_compare", "resolve_prior"]

#: Named priors: Beta(a, b) parameters.
PRIORS: dict[str, tuple[float, float]] = {"uniform": (1.0, 1.0), "jeffreys": (0.5, 0.5)}


def resolve_prior(prior: str | Sequence[float]) -> tuple[str, float, float]:
    """``(label, a, b)`` for a named prior or an ``(a, b)`` pair of positive numbers.

    Examples
    --------
    >>> resolve_prior("jeffreys")
    ('jeffreys', 0.5, 0.5)
    >>> resolve_prior((2, 8))
    ('beta(2, 8)', 2.0, 8.0)
    """
    if isinstance(prior, str):
        key = prior.lower()
        if key not in PRIORS:
            raise InvalidInputError(
                f"unknown prior {prior!r}; choose uniform, jeffreys or a pair (a, b)"
            )
        return (key, *PRIORS[key])
    try:
        a, b = (float(v) for v in prior)
    except (TypeError, ValueError):
        raise InvalidInputError(f"a prior is a name or a pair (a, b), got {prior!r}") from None
    if not (math.isfinite(a) and math.isfinite(b) and a > 0 and b > 0):
        raise InvalidInputError(f"prior Beta(a, b) needs finite a > 0 and b > 0, got {prior!r}")
    return f"beta({a:g}, {b:g})", a, b


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


class _Posteriors:
    """P(p1 - p0 > d) for independent Beta posteriors of arm (1) and control (0).

    The integral runs over the quantiles u of the narrower posterior, so the integrand is a
    bounded, monotone function of u with no endpoint singularity, smooth on that scale even when
    one arm has millions of requests and the other five.
    """

    def __init__(self, a1: float, b1: float, a0: float, b0: float) -> None:
        self.a1, self.b1, self.a0, self.b0 = a1, b1, a0, b0
        self.mean = a1 / (a1 + b1) - a0 / (a0 + b0)
        var1, var0 = (a * b / ((a + b) ** 2 * (a + b + 1)) for a, b in ((a1, b1), (a0, b0)))
        self.sd = math.sqrt(var1 + var0)
        self.over_arm = var1 <= var0

    def _integrand(self, u: float, d: float) -> float:
        from scipy.special import betainc, betaincinv

        if self.over_arm:  # F0(Q1(u) - d)
            y = float(betaincinv(self.a1, self.b1, u)) - d
            return 0.0 if y <= 0.0 else 1.0 if y >= 1.0 else float(betainc(self.a0, self.b0, y))
        y = float(betaincinv(self.a0, self.b0, u)) + d  # 1 - F1(Q0(u) + d)
        return 1.0 if y <= 0.0 else 0.0 if y >= 1.0 else float(betainc(self.b1, self.a1, 1 - y))

    def prob_greater(self, d: float) -> float:
        """P(p1 - p0 > d)."""
        from scipy.integrate import IntegrationWarning, quad

        with warnings.catch_warnings():
            # At the extremes (0 of ten million against ten million of ten million) QUADPACK
            # reports round-off while still meeting 1e-9 absolute accuracy; it is not news.
            warnings.simplefilter("ignore", IntegrationWarning)
            value, _ = quad(
                self._integrand, 0.0, 1.0, args=(d,), epsabs=1e-12, epsrel=1e-10, limit=200
            )
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
    x1: int,
    n1: int,
    x0: int,
    n0: int,
    *,
    prior: str | Sequence[float] = "uniform",
    alpha: float = 0.05,
) -> BayesComparison:
    """Posterior probability that the arm's true rate beats the control's, with a credible
    interval for the difference of the two rates.

    Parameters
    ----------
    x1, n1, x0, n0 : int
        Responses and requests of the arm and of the control (n = 0 is allowed: the posterior
        is then the prior).
    prior : {"uniform", "jeffreys"} or (a, b)
        The same Beta(a, b) prior for both arms: uniform Beta(1, 1) by default, Jeffreys
        Beta(1/2, 1/2), or your own.
    alpha : float
        The credible interval holds ``1 - alpha`` of the posterior, ``alpha / 2`` in each tail.

    Examples
    --------
    >>> b = bayes_compare(4, 5, 1, 5)
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
