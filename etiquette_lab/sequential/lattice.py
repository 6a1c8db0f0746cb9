"""The exact engine: the outcome lattice of a two-wording experiment, carried from look to look.

At look k the state is (x_c, x_n): responses among the first ``c_k`` control requests and the
first ``n_k`` new-wording requests. Whatever the two response rates, all orders of responses
leading to the same state are equally likely, so the share of those orders that did *not* stop
at an earlier look depends on the state alone, not on the rates. We carry that share, the
**alive fraction** ``a_k(x_c, x_n)`` in [0, 1], from look to look:

    a_{k+1} = H_c  (a_k * (1 - stop_k))  H_n^T,

where ``H[x', x]`` is the hypergeometric chance that x of the first n_k requests responded given
x' of the first n_{k+1} did. Then, at any rates (p_c, p_n),

    P(alive at look k in state (x_c, x_n)) = a_k(x_c, x_n) Bin(x_c; c_k, p_c) Bin(x_n; n_k, p_n),

so one rate-free pass serves every rate: power, stopping probabilities and expected sizes cost one
sum over the states per look. Under a common rate p the sum over a look's stopping states
collapses onto the total s = x_c + x_n,

    P_p(stop at look k) = sum_s w_k(s) Bin(s; c_k + n_k, p),
    w_k(s) = sum_{x_c + x_n = s, stopping} a_k(x_c, x_n) Hyp(x_c | s),

a polynomial in p that :mod:`.nuisance` maximises over p (``Hyp(x_c | s)`` is the chance that x_c
of the s responses fell in the control arm). Nothing here validates its input.
"""

from __future__ import annotations

import math

import numpy as np

__all__: list[str] = []

#: Two statistics closer than this (relative) are the same value computed two ways: a tie.
TIE_TOLERANCE = 1e-10


def _log_choose(n: int) -> np.ndarray:
    from scipy.special import gammaln

    k = np.arange(n + 1, dtype=float)
    return gammaln(n + 1.0) - gammaln(k + 1.0) - gammaln(n - k + 1.0)


def pooled_z(c: int, n: int) -> np.ndarray:
    """The pooled two-proportion z statistic of every state, shape (c + 1, n + 1).

    z = (x_n / n - x_c / c) / sqrt(pbar (1 - pbar) (1 / c + 1 / n)) with the pooled rate pbar;
    0 when nobody or everybody responded (no evidence either way). Positive: the new wording
    answered more often.
    """
    x_c = np.arange(c + 1, dtype=float)[:, None]
    x_n = np.arange(n + 1, dtype=float)[None, :]
    pooled = (x_c + x_n) / (c + n)
    variance = pooled * (1.0 - pooled) * (1.0 / c + 1.0 / n)
    difference = x_n / n - x_c / c
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(variance > 0, difference / np.sqrt(np.where(variance > 0, variance, 1.0)), 0)
    return z


def pooled_z_of(x_c: int, c: int, x_n: int, n: int) -> float:
    """The pooled z of one table: the same arithmetic as :func:`pooled_z`, so the same bits."""
    if c == 0 or n == 0:
        return 0.0
    pooled = (x_c + x_n) / (c + n)
    variance = pooled * (1.0 - pooled) * (1.0 / c + 1.0 / n)
    return (x_n / n - x_c / c) / math.sqrt(variance) if variance > 0 else 0.0


def statistic(c: int, n: int, alternative: str) -> np.ndarray:
    """The ordering statistic of a design: z ("greater") or |z| ("two-sided")."""
    z = pooled_z(c, n)
    return np.abs(z) if alternative == "two-sided" else z


def ranked_levels(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group equal values (within :data:`TIE_TOLERANCE`) and rank the groups, largest first.

    Returns ``(rank, lowest)``: ``rank`` has the shape of *values* (0 for the largest group);
    ``lowest[r]`` is the smallest value in group r. A region "the r + 1 largest groups" is
    ``rank <= r``; its boundary, the least extreme statistic in it, is ``lowest[r]``.
    """
    flat = values.ravel()
    order = np.argsort(-flat, kind="stable")
    ordered = flat[order]
    starts = np.ones(len(ordered), dtype=bool)
    gaps = ordered[:-1] - ordered[1:]
    starts[1:] = gaps > TIE_TOLERANCE * np.maximum(1.0, np.abs(ordered[:-1]))
    group = np.cumsum(starts) - 1
    rank = np.empty(len(flat), dtype=np.int64)
    rank[order] = group
    ends = np.append(np.flatnonzero(starts)[1:] - 1, len(ordered) - 1)
    return rank.reshape(values.shape), ordered[ends]


def hypergeometric_step(before: int, after: int) -> np.ndarray:
    """``H[x', x]``: chance that x of the first *before* requests responded, given x' of *after*."""
    log_after = _log_choose(after)
    log_before = _log_choose(before)
    log_added = _log_choose(after - before)
    x_after = np.arange(after + 1)[:, None]
    x_before = np.arange(before + 1)[None, :]
    added = x_after - x_before
    valid = (added >= 0) & (added <= after - before)
    logs = log_before[x_before] + log_added[np.clip(added, 0, after - before)] - log_after[x_after]
    return np.where(valid, np.exp(np.where(valid, logs, 0.0)), 0.0)


def carry(survivors: np.ndarray, before: tuple[int, int], after: tuple[int, int]) -> np.ndarray:
    """Alive fractions at the next look from this look's survivors (see the module docstring)."""
    step_c = hypergeometric_step(before[0], after[0])
    step_n = hypergeometric_step(before[1], after[1])
    alive: np.ndarray = step_c @ survivors @ step_n.T
    return alive


def split_of_total(c: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``(hyp, total)`` per state: Hyp(x_c | s) and s = x_c + x_n, both shape (c + 1, n + 1)."""
    log_c = _log_choose(c)
    log_n = _log_choose(n)
    log_all = _log_choose(c + n)
    total = np.arange(c + 1)[:, None] + np.arange(n + 1)[None, :]
    hyp = np.exp(log_c[:, None] + log_n[None, :] - log_all[total])
    return hyp, total


def binomial_pmf(n: int, p: float) -> np.ndarray:
    """Bin(x; n, p) for x = 0..n (exact 0/1 mass at p = 0 and p = 1)."""
    pmf: np.ndarray = binomial_pmf_rows(n, np.array([p], dtype=float))[0]
    return pmf


def binomial_pmf_rows(n: int, rates: np.ndarray) -> np.ndarray:
    """Bin(s; n, p) for every p in *rates* (rows) and s = 0..n (columns)."""
    from scipy.special import xlog1py, xlogy

    s = np.arange(n + 1, dtype=float)[None, :]
    p = np.asarray(rates, dtype=float)[:, None]
    logs = _log_choose(n)[None, :] + xlogy(s, p) + xlog1py(n - s, -p)
    pmf: np.ndarray = np.exp(logs)
    return pmf


def state_mass(alive: np.ndarray, c: int, n: int, p_c: float, p_n: float) -> np.ndarray:
    """P(alive at this look and in state (x_c, x_n)) at rates (p_c, p_n)."""
    return alive * np.outer(binomial_pmf(c, p_c), binomial_pmf(n, p_n))
