"""One arm: its response rate and a confidence interval for it.

Every function of :mod:`etiquette_lab.stats` takes counts (responses, requests), never a file, so
that any engine can do the counting. The checks on those counts are the kit's argument checks
(:mod:`etiquette_lab.checks`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..checks import check_alpha, check_counts, check_method
from ..errors import InvalidInputError
from ..results import Result

__all__ = ["RATE_METHODS", "RateInterval", "rate_interval"]

#: The interval methods for a single rate, the first being the default.
RATE_METHODS: tuple[str, ...] = ("wilson", "clopper-pearson", "jeffreys")


@dataclass(frozen=True)
class RateInterval(Result):
    """A response rate with its confidence interval.

    Attributes
    ----------
    estimate : float
        responses / n.
    ci_low, ci_high : float
        The interval's limits, always within [0, 1].
    method : str
        One of :data:`RATE_METHODS`.
    responses, n : int
        The counts the rate comes from.
    """

    estimate: float
    ci_low: float
    ci_high: float
    method: str
    responses: int
    n: int

    _title = "Response rate"

    def _summary_frame(self):
        import pandas as pd

        return pd.DataFrame(
            [[self.responses, self.n, self.estimate, self.ci_low, self.ci_high, self.method]],
            columns=["responses", "n", "rate", "ci_low", "ci_high", "method"],
        )


def wilson_limits(x: float, n: float, z: float) -> tuple[float, float]:
    """The Wilson score limits, pinned to exactly 0 at x = 0 and exactly 1 at x = n (a count,
    or an effective count, which need not be whole)."""
    p = x / n
    denominator = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    low = 0.0 if x == 0 else max(0.0, centre - half)
    high = 1.0 if x == n else min(1.0, centre + half)
    return low, high


def _beta_limits(x: int, n: int, alpha: float, shift: float) -> tuple[float, float]:
    # Clopper-Pearson (shift 0) and Jeffreys (shift 0.5) are equal-tailed Beta quantiles; both
    # are pinned to 0 at x = 0 and to 1 at x = n (Brown, Cai & DasGupta 2001 for Jeffreys).
    from scipy.special import betaincinv

    low = 0.0 if x == 0 else float(betaincinv(x + shift, n - x + 1 - shift, alpha / 2))
    high = 1.0 if x == n else float(betaincinv(x + 1 - shift, n - x + shift, 1 - alpha / 2))
    return low, high


def rate_interval(
    responses: int, n: int, *, method: str = "wilson", alpha: float = 0.05
) -> RateInterval:
    """The response rate of one arm with a ``1 - alpha`` confidence interval.

    Parameters
    ----------
    responses : int
        How many requests were answered (0 <= responses <= n).
    n : int
        How many requests were sent and could be evaluated; must be at least 1.
    method : {"wilson", "clopper-pearson", "jeffreys"}
        Wilson's score interval (default; Wilson 1927), the exact Clopper-Pearson interval
        (1934, conservative) or the Jeffreys interval (Brown, Cai & DasGupta 2001).
    alpha : float
        1 - confidence level.

    Returns
    -------
    RateInterval
        At 0 of n the lower limit is exactly 0, at n of n the upper limit is exactly 1.

    Raises
    ------
    InvalidInputError
        For n = 0 (a rate of nothing is undefined), negative or inconsistent counts.

    Examples
    --------
    >>> r = rate_interval(1, 5)
    >>> round(r.estimate, 2), round(r.ci_low, 4), round(r.ci_high, 4)
    (0.2, 0.0362, 0.6245)
    >>> rate_interval(0, 5, method="clopper-pearson").ci_low
    0.0
    """
    x, m = check_counts(responses, n)
    method = check_method(method, RATE_METHODS, "interval method")
    alpha = check_alpha(alpha)
    if m == 0:
        raise InvalidInputError("a rate needs at least one request (n = 0)")
    if method == "wilson":
        from scipy.special import ndtri

        low, high = wilson_limits(x, m, float(ndtri(1 - alpha / 2)))
    else:
        low, high = _beta_limits(x, m, alpha, 0.0 if method == "clopper-pearson" else 0.5)
    return RateInterval(x / m, low, high, method, x, m)
