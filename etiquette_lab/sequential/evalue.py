"""Anytime-valid evidence: an e-process for two response rates, valid at any stopping time.

**The block e-value** (Turner, Ly & Grünwald 2024). A block holds m_c control requests and m_n
new-wording requests, numbers fixed before their answers are known (the windows that closed
between two looks); x_c and x_n of them responded. For rates (q_n, q_c) let
q = (m_n q_n + m_c q_c) / (m_n + m_c) and

    r = (q_n / q)^x_n ((1 - q_n) / (1 - q))^(m_n - x_n)
        (q_c / q)^x_c ((1 - q_c) / (1 - q))^(m_c - x_c).

*Claim: E_p[r] <= 1 whenever both wordings answer with the same rate p.* Write u = p / q,
v = (1 - p) / (1 - q) and d = u - v. One request of the new wording contributes
E[(q_n/q)^Y ((1-q_n)/(1-q))^(1-Y)] = p q_n / q + (1 - p)(1 - q_n)/(1 - q) = 1 + (q_n - q) d,
and one control request 1 + (q_c - q) d. By independence and log(1 + y) <= y,
log E_p[r] = m_n log(1 + (q_n - q) d) + m_c log(1 + (q_c - q) d)
<= (m_n (q_n - q) + m_c (q_c - q)) d = 0, since q is the requests-weighted mean of q_n and q_c.
Blocks holding only one wording give r = 1: evidence needs both.

**The e-process.** The product of the blocks' r for fixed (q_n, q_c) is a nonnegative
supermartingale under every common rate, even one that drifts from block to block (each block's
bound holds for its own p), so is any average of such products over a prior. We average over a
discrete uniform prior: 64 x 64 rate pairs at the midpoints (i + 1/2) / 64, all pairs for a
two-sided test, the pairs with q_n > q_c for "greater". The prior is the finite grid itself, not
an approximation of a continuous one, so nothing is lost to quadrature: the sum *is* the e-value.
By Ville's inequality, P(the e-value ever reaches 1 / alpha) <= alpha under the null, however
often one looks and whenever one stops; the rule "stop when e >= 1 / alpha" keeps the false-alarm
rate at most alpha. A rate of 0 or 1 in an arm is harmless: no prior rate is 0 or 1. For
"greater" each factor grows with x_n and falls with x_c, so the bound also holds when the new
wording is worse (the whole one-sided null).

When every block splits its requests between the wordings in the same proportion (equal sizes
per look), q is the same in all blocks and the e-value depends on the cumulative counts only:
:func:`state_log_e` tabulates it for the exact operating characteristics.

**The anytime interval.** Per wording, the Beta(1, 1) mixture of Bernoulli likelihood ratios,
M(p) = B(x + 1, n - x + 1) / (p^x (1 - p)^(n - x)), is a test martingale when the rate is p
(Robbins 1970); {p : M(p) < 2 / alpha} covers the true rate at every look at once with
probability >= 1 - alpha / 2 (Ville). Subtracting the two wordings' intervals gives an interval
for the difference valid at all looks simultaneously with probability >= 1 - alpha (union bound).
It assumes each wording's rate is constant over time; the e-value does not.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

__all__: list[str] = []

#: Prior rates per wording: the midpoints of 64 equal slices of [0, 1].
PRIOR_POINTS = 64


@lru_cache(maxsize=4)
def prior_nodes(alternative: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(q_new, q_control, log_weight)`` of the discrete prior (equal weights summing to 1)."""
    grid = (np.arange(PRIOR_POINTS) + 0.5) / PRIOR_POINTS
    q_new, q_control = (a.ravel() for a in np.meshgrid(grid, grid, indexing="ij"))
    if alternative == "greater":
        keep = q_new > q_control
        q_new, q_control = q_new[keep], q_control[keep]
    log_weight = np.full(len(q_new), -math.log(len(q_new)))
    for array in (q_new, q_control, log_weight):
        array.setflags(write=False)
    return q_new, q_control, log_weight


def _factors(share_new: float, alternative: str) -> tuple[np.ndarray, ...]:
    """Per prior node: log(q_n/q), log((1-q_n)/(1-q)), log(q_c/q), log((1-q_c)/(1-q))."""
    q_new, q_control, _ = prior_nodes(alternative)
    mean = share_new * q_new + (1.0 - share_new) * q_control
    return (
        np.log(q_new / mean),
        np.log((1.0 - q_new) / (1.0 - mean)),
        np.log(q_control / mean),
        np.log((1.0 - q_control) / (1.0 - mean)),
    )


def block_log_ratios(
    x_c: np.ndarray, m_c: np.ndarray, x_n: np.ndarray, m_n: np.ndarray, alternative: str
) -> np.ndarray:
    """log r of each block (rows) at each prior node (columns)."""
    x_c, m_c, x_n, m_n = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (x_c, m_c, x_n, m_n))
    out = np.zeros((len(x_c), len(prior_nodes(alternative)[0])))
    sizes = m_c + m_n
    shares = np.where(sizes > 0, m_n / np.maximum(sizes, 1), -1.0)
    for share in np.unique(shares):
        if share < 0:
            continue  # an empty block: r = 1
        rows = np.flatnonzero(shares == share)
        a_n, b_n, a_c, b_c = _factors(float(share), alternative)
        out[rows] = (
            x_n[rows, None] * a_n
            + (m_n - x_n)[rows, None] * b_n
            + x_c[rows, None] * a_c
            + (m_c - x_c)[rows, None] * b_c
        )
    return out


def log_e_of_sums(log_ratio_sums: np.ndarray, alternative: str) -> np.ndarray:
    """log of the prior average of exp(summed log ratios), row by row."""
    terms = log_ratio_sums + prior_nodes(alternative)[2]
    top = terms.max(axis=-1, keepdims=True)  # finite: every prior node has a finite ratio
    log_e: np.ndarray = np.log(np.exp(terms - top).sum(axis=-1)) + top[..., 0]
    return log_e


def path_log_e(looks: Sequence[tuple[int, int, int, int]], alternative: str) -> np.ndarray:
    """log e-value after each look, from cumulative counts (control first); blocks = increments."""
    counts = np.array([(0, 0, 0, 0), *looks], dtype=float)
    blocks = np.diff(counts, axis=0)
    ratios = block_log_ratios(blocks[:, 0], blocks[:, 1], blocks[:, 2], blocks[:, 3], alternative)
    return log_e_of_sums(np.cumsum(ratios, axis=0), alternative)


def state_log_e(c: int, n: int, alternative: str) -> np.ndarray:
    """log e-value of every state (x_c, x_n) after c and n requests split in one proportion."""
    a_n, b_n, a_c, b_c = _factors(n / (c + n), alternative)
    log_weight = prior_nodes(alternative)[2]
    x_n = np.arange(n + 1, dtype=float)[:, None]
    x_c = np.arange(c + 1, dtype=float)[:, None]
    new_part = x_n * a_n + (n - x_n) * b_n  # (n + 1, J)
    control_part = x_c * a_c + (c - x_c) * b_c + log_weight  # (c + 1, J)
    # Factor out each row's largest term so that the product of exponentials cannot overflow.
    top_new = new_part.max(axis=1, keepdims=True)
    top_control = control_part.max(axis=1, keepdims=True)
    with np.errstate(divide="ignore"):
        inner = np.log(np.exp(control_part - top_control) @ np.exp(new_part - top_new).T)
    result: np.ndarray = inner + top_control + top_new.T
    lost = ~np.isfinite(inner)
    if np.any(lost):  # every term underflowed (n in the hundreds): redo those states exactly
        from scipy.special import logsumexp

        rows, cols = np.nonzero(lost)
        for start in range(0, len(rows), 256):  # bounded memory: 256 x J floats at a time
            r, k = rows[start : start + 256], cols[start : start + 256]
            result[r, k] = logsumexp(control_part[r] + new_part[k], axis=1)
    return result


def anytime_rate_interval(x: int, n: int, alpha: float) -> tuple[float, float]:
    """The rates p with M(p) < 1 / alpha (Beta(1, 1) mixture; see the module docstring)."""
    if n == 0:
        return 0.0, 1.0
    from scipy.optimize import brentq
    from scipy.special import betaln, xlog1py, xlogy

    level = betaln(x + 1, n - x + 1) + math.log(alpha)  # inside when log-likelihood > level

    def gap(p: float) -> float:
        return float(xlogy(x, p) + xlog1py(n - x, -p) - level)

    estimate = x / n
    low = 0.0 if gap(0.0) > 0 else brentq(gap, 0.0, estimate, xtol=1e-14)
    high = 1.0 if gap(1.0) > 0 else brentq(gap, estimate, 1.0, xtol=1e-14)
    return float(low), float(high)


def anytime_difference_interval(
    x_c: int, n_c: int, x_n: int, n_n: int, alpha: float
) -> tuple[float, float]:
    """Bounds on p_new - p_control valid at every look at once with probability >= 1 - alpha."""
    low_c, high_c = anytime_rate_interval(x_c, n_c, alpha / 2.0)
    low_n, high_n = anytime_rate_interval(x_n, n_n, alpha / 2.0)
    return low_n - high_c, high_n - low_c
