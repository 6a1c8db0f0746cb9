"""The Bayesian view of a design: how often the experiment ends with P(new better) above a bar.

P(new better | data) is computed exactly, for every outcome table at once, from the identity
(integer Beta parameters a, b): the Beta(a, b) CDF at p is P(Binomial(a + b - 1, p) >= a).
With posteriors Beta(a_c, b_c) for the control and Beta(a_n, b_n) for the new wording,

    P(p_new > p_control) = E[F_control(p_new)] = P(BetaBinomial(a_c + b_c - 1, a_n, b_n) >= a_c),

a finite sum of beta-binomial probabilities: no quadrature, no simulation. Only the control's
posterior needs integer parameters; we use one integer prior Beta(a0, b0) for both arms.
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidInputError
from ..priors import whole_prior

__all__ = ["probability_new_better"]


def better_matrix(
    x_c: np.ndarray, n_c: int, x_n: np.ndarray, n_n: int, a0: int, b0: int
) -> np.ndarray:
    """P(p_new > p_control) for every pair (x_c[i], x_n[j]); shape (len(x_c), len(x_n))."""
    from scipy import special

    m = a0 + b0 + n_c - 1  # a_c + b_c - 1, the same for every x_c
    k = np.arange(m + 1, dtype=float)[:, None]
    a_n = (a0 + np.asarray(x_n, dtype=float))[None, :]
    b_n = (b0 + n_n - np.asarray(x_n, dtype=float))[None, :]
    log_pmf = (
        special.gammaln(m + 1.0)
        - special.gammaln(k + 1.0)
        - special.gammaln(m - k + 1.0)
        + special.betaln(k + a_n, m - k + b_n)
        - special.betaln(a_n, b_n)
    )
    # Upper tails summed from the small end, so P near 0 keeps its relative accuracy.
    upper = np.cumsum(np.exp(log_pmf)[::-1], axis=0)[::-1]
    rows = a0 + np.asarray(x_c, dtype=int)  # P(K >= a_c)
    tails: np.ndarray = np.clip(upper[rows, :], 0.0, 1.0)
    return tails


def probability_new_better(
    x_control: int,
    n_control: int,
    x_new: int,
    n_new: int,
    *,
    prior: str | tuple[int, int] = (1, 1),
) -> float:
    """P(the new wording's response rate is higher | the counts), under Beta posteriors.

    Each rate gets the prior Beta(a, b) (default uniform Beta(1, 1)); after x successes of n the
    posterior is Beta(a + x, b + n - x). The probability is exact (a finite beta-binomial sum,
    see the module docstring), not simulated.

    Parameters
    ----------
    x_control, n_control : int
        Successes and requests of the control wording (0 <= x <= n; n may be 0).
    x_new, n_new : int
        Successes and requests of the new wording.
    prior : (int, int)
        Whole-number Beta prior parameters, the same for both arms, or a name ("uniform").
        (:func:`etiquette_lab.priors.whole_prior`).

    Returns
    -------
    float

    Notes
    -----
    The statistics engine (``etiquette_lab.stats``) has its own P(better); the two should agree
    and one may later call the other.

    Examples
    --------
    >>> round(probability_new_better(1, 5, 4, 5), 5)
    0.95996
    >>> probability_new_better(0, 0, 0, 0)  # no data: the two uniform priors tie
    0.5
    """
    a0, b0 = whole_prior(prior)
    for name, x, n in (("control", x_control, n_control), ("new", x_new, n_new)):
        if not (float(x).is_integer() and float(n).is_integer() and 0 <= x <= n):
            raise InvalidInputError(
                f"{name} arm: need whole numbers 0 <= successes <= requests, got {x} of {n}"
            )
    value = better_matrix(
        np.array([int(x_control)]), int(n_control), np.array([int(x_new)]), int(n_new), a0, b0
    )
    return float(value[0, 0])
