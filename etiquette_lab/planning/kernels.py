"""Numerical kernels of the planning module: exact power by enumeration, and the normal formula.

Nothing here validates its input; :mod:`etiquette_lab.planning.power` does that and builds results.

How exact power is computed
---------------------------
The power of a two-arm design is the probability, over every outcome table (x_c successes of
n_c in the control arm, x_n of n_n in the new arm), that the test rejects:
``sum P(x_c) P(x_n) [p(x_c, x_n) < alpha]`` with independent binomial P, a p-value within a
relative 1e-7 of alpha counting as alpha (:func:`etiquette_lab.significance.rejects`, the kit's
one rule).

*Fisher's exact test* conditions on the total t = x_c + x_n: given t, x_n is hypergeometric.
One row of the hypergeometric pmf (for one t) gives the p-value of every table with that total
at once: two-sided, p(x) is the sum of the pmf values not larger than pmf(x) * (1 + 1e-7)
(R's ``fisher.test`` rule; the relative tolerance makes mathematically equal values ties); we sort
the row, take cumulative sums and look each table up with one ``searchsorted``. One-sided
("greater": the new wording answers more often) p(x) = P(X >= x | t), a reversed cumulative sum.

Two truncations make it fast, both with a stated bound:

1. Tables: only x_c and x_n inside binomial windows holding all but ``eps/4`` of each tail are
   visited, so the reported power is low by at most ``eps`` (default 1e-12).
2. Columns of a hypergeometric row: only a band of half-width about 10 standard deviations
   around the row's mean is built. The pmf is unimodal, so everything outside the band is below
   the band's edge values; we check that (support size) x (edge pmf) <= 1e-20 in every row, else
   fall back to full rows. A p-value computed on the band is then low by at most 1e-20, far
   below the rounding error of the p-value itself, and a table outside the band has p <= 1e-20
   (two-sided, or "greater" above the band) or p >= 1 - 1e-20 ("greater" below the band).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Literal, cast

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..errors import InvalidInputError
from ..significance import TIE_TOLERANCE, rejects


# The binomial kernels scipy.stats.binom itself calls (Boost's, in scipy.special), so that
# `plan` and `power` give the same floats without importing scipy.stats (about 0.3 s of every
# command). tests/test_planning.py checks them against scipy.stats.binom bit for bit. Loaded on
# first use: importing the planning code (an experiment file's design does) costs no scipy.
@lru_cache(maxsize=1)
def _binom_kernels() -> tuple[Callable[..., Any], Callable[..., Any], Callable[..., Any]]:
    """(pmf, ppf, isf) of the binomial distribution, from scipy.special's kernels."""
    try:
        from scipy.special._ufuncs import _binom_isf, _binom_pmf, _binom_ppf
    except ImportError:  # pragma: no cover - a scipy that moved them: the public route
        from scipy.stats import binom

        return binom.pmf, binom.ppf, binom.isf
    return _binom_pmf, _binom_ppf, _binom_isf


__all__: list[str] = []

#: R's fisher.test: pmf values within this relative factor count as ties.
FISHER_RELATIVE_TOLERANCE = 1.0 + TIE_TOLERANCE
#: Total probability of the outcome tables left out of an exact power sum (power is low by <= it).
DEFAULT_EPS = 1e-12
#: Largest n per arm for Boschloo's test, whose p-value needs one optimisation per table.
BOSCHLOO_MAX_N = 25

_BAND_SD = 10.0
_BAND_MASS = 1e-20
#: Largest hypergeometric table built (rows x columns, floats): about 0.5 GB of working memory.
MAX_CELLS = 15_000_000


class TooLargeError(InvalidInputError):
    """The exact computation would need more memory than is sensible on a laptop."""


_LOG_FLOOR = -1e5  # stands for log(0) in the sort keys; far below any real log-pmf


def binomial_window(n: int, p: float, tail: float) -> tuple[int, int]:
    """Smallest [lo, hi] with P(X < lo) < tail and P(X > hi) <= tail for X ~ Binomial(n, p)."""
    if p <= 0.0:
        return 0, 0
    if p >= 1.0:
        return n, n
    _, ppf, isf = _binom_kernels()
    lo = int(ppf(tail, n, p))
    hi = int(isf(tail, n, p))
    return max(lo, 0), min(hi, n)


def binomial_pmf(x: np.ndarray, n: int, p: float) -> np.ndarray:
    """``scipy.stats.binom.pmf(x, n, p)`` for whole x in [0, n] and p in [0, 1]: its kernel,
    clipped to [0, 1] as scipy clips it."""
    pmf: np.ndarray = np.clip(_binom_kernels()[0](x, n, p), 0.0, 1.0)
    return pmf


def _log_factorials(n: int) -> np.ndarray:
    from scipy import special

    return special.gammaln(np.arange(n + 1, dtype=float) + 1.0)


def table_grid(
    n_c: int, n_n: int, p_c: float, p_n: float, eps: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    lo_c, hi_c = binomial_window(n_c, p_c, eps / 4)
    lo_n, hi_n = binomial_window(n_n, p_n, eps / 4)
    x_c = np.arange(lo_c, hi_c + 1)
    x_n = np.arange(lo_n, hi_n + 1)
    return x_c, x_n, binomial_pmf(x_c, n_c, p_c), binomial_pmf(x_n, n_n, p_n)


def _log_binomials(
    n_c: int, n_n: int, totals: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """log C(n_n, j) for j = 0..n_n, log C(n_c, k) for k = 0..n_c and log C(N, t) per total.

    Each is the same three-term sum of log factorials as written elementwise, so the same
    floats wherever they are used."""
    big_n = n_c + n_n
    lf = _log_factorials(big_n)
    j, k = np.arange(n_n + 1), np.arange(n_c + 1)
    return (
        lf[n_n] - lf[j] - lf[n_n - j],
        lf[n_c] - lf[k] - lf[n_c - k],
        lf[big_n] - lf[totals] - lf[big_n - totals],
    )


def _band_starts(n_c: int, n_n: int, totals: np.ndarray, half: int, width: int) -> np.ndarray:
    """The first column (j) of each total's band: centred on the row's mean, inside its support."""
    lo_t = np.maximum(0, totals - n_c)
    hi_t = np.minimum(totals, n_n)
    centre = np.rint(totals * (n_n / max(n_c + n_n, 1))).astype(int)
    starts: np.ndarray = np.clip(centre - half, lo_t, np.maximum(lo_t, hi_t - width + 1))
    return starts


def _band(n_c: int, n_n: int, totals: np.ndarray) -> tuple[int, int]:
    """(half, width) of the columns kept in the rows of these totals.

    A band of 10 standard deviations around each row's mean, widened to 15 and 20 before giving
    up for whole rows (full rows cost totals x n memory at large n). A band is safe when every
    row's edge pmf, times the support size, is at most 1e-20; the edges are computed alone,
    with the same floats the rows will hold.
    """
    big_n = n_c + n_n
    lo_t, hi_t = np.maximum(0, totals - n_c), np.minimum(totals, n_n)
    log_n, log_c, log_total = _log_binomials(n_c, n_n, totals)
    var = (
        totals * (n_n / big_n) * (n_c / big_n) * (big_n - totals) / (big_n - 1) if big_n > 1 else 0
    )
    for band_sd in (_BAND_SD, 1.5 * _BAND_SD, 2 * _BAND_SD):
        half = math.ceil(band_sd * math.sqrt(float(np.max(var))) + 2) if big_n > 1 else n_n + 1
        width = min(2 * half + 1, n_n + 1)
        _check_size(n_c, n_n, totals, width)
        start = _band_starts(n_c, n_n, totals, half, width)
        edge = np.full(totals.shape, -np.inf)
        cut_left, right = start > lo_t, start + width - 1
        cut_right = right < hi_t
        j = start[cut_left]
        edge[cut_left] = (log_n[j] + log_c[totals[cut_left] - j]) - log_total[cut_left]
        j = right[cut_right]
        edge[cut_right] = np.maximum(
            edge[cut_right], (log_n[j] + log_c[totals[cut_right] - j]) - log_total[cut_right]
        )
        if bool(np.all(edge + math.log(n_n + 1) <= math.log(_BAND_MASS))):
            return half, width
    half = n_n + 1
    width = min(2 * half + 1, n_n + 1)
    _check_size(n_c, n_n, totals, width)
    return half, width


def _check_size(n_c: int, n_n: int, totals: np.ndarray, width: int) -> None:
    if len(totals) * width > MAX_CELLS:
        raise TooLargeError(
            f"exact power at {n_c:,} and {n_n:,} requests would need about "
            f"{len(totals) * width * 8 * 4 / 1e9:.0f} GB; at this size the normal approximation "
            "is accurate: use test='normal'"
        )


def _hypergeometric_rows(
    n_c: int, n_n: int, totals: np.ndarray, half: int, width: int
) -> tuple[np.ndarray, np.ndarray]:
    """Log-pmf of x_n given each total, on each row's band of columns: (logd, start)."""
    hi_t = np.minimum(totals, n_n)
    start = _band_starts(n_c, n_n, totals, half, width)
    log_n, log_c, log_total = _log_binomials(n_c, n_n, totals)
    # log C(n_n, j) + log C(n_c, t - j) - log C(N, t), a row's band being a window of
    # consecutive j: a view into the 1-d arrays, not a gather per cell.
    beyond = np.full(width, -np.inf)  # past n_n, or t - j below 0: outside the support
    log_n, log_c_reversed = np.concatenate([log_n, beyond]), np.concatenate([log_c[::-1], beyond])
    # Row t, column m is j = start + m, and t - j = (t - start) - m: entry n_c - (t - start) + m
    # of the reversed array (start >= t - n_c keeps that index >= 0).
    # In place, the same sums in the same order: each fresh megabyte costs page faults.
    logd = sliding_window_view(log_n, width)[start]
    logd += sliding_window_view(log_c_reversed, width)[n_c - (totals - start)]
    logd -= log_total[:, None]
    logd[np.arange(width)[None, :] > (hi_t - start)[:, None]] = -np.inf
    return logd, start


def _grid_rows(
    n_c: int, n_n: int, x_c: np.ndarray, x_n: np.ndarray, span: tuple[int, int] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """The banded hypergeometric rows of every total on the grid, and where each table sits:
    ``(logd, rows, cols, inside, line0)``; ``inside`` is False for a table outside its row's
    band. *span* (first and last total) sets the band and the rows' numbering (``line0`` is
    the number of the grid's first row): a sub-grid given its whole grid's span gets the very
    rows, keys and decisions of the whole grid."""
    t0 = int(x_c[0] + x_n[0])
    totals = np.arange(t0, int(x_c[-1] + x_n[-1]) + 1)
    first, last = span if span is not None else (t0, int(totals[-1]))
    half, width = _band(n_c, n_n, np.arange(first, last + 1))
    logd, start = _hypergeometric_rows(n_c, n_n, totals, half, width)
    rows = (x_c[:, None] + x_n[None, :]) - t0
    cols = x_n[None, :] - start[rows]
    inside = (cols >= 0) & (cols < logd.shape[1])
    cols = np.clip(cols, 0, logd.shape[1] - 1)
    return logd, rows, cols, inside, t0 - first


# Rows are made globally sorted by adding row * spacing to the sorted log-pmf values; log values
# keep ties exact to ~1e-9 at that offset, well inside R's 1e-7 tolerance.
_SPACING = 2.0 * -_LOG_FLOOR


def _tie_queries(logd: np.ndarray, rows: np.ndarray, cols: np.ndarray, line0: int) -> np.ndarray:
    """Each table's sort key raised by R's tie tolerance: p(x) sums the values up to it."""
    queries: np.ndarray = (
        np.maximum(logd[rows, cols], _LOG_FLOOR)
        + math.log(FISHER_RELATIVE_TOLERANCE)
        + _SPACING * (rows + line0)
    )
    return queries


def _cumulative(ordered: np.ndarray) -> np.ndarray:
    """Each row's cumulative sums of exp(values), in one new array (np.cumsum(np.exp(x)))."""
    values = np.exp(ordered)
    return np.cumsum(values, axis=1, out=values)


def fisher_p_values(
    n_c: int,
    n_n: int,
    x_c: np.ndarray,
    x_n: np.ndarray,
    alternative: str = "two-sided",
    span: tuple[int, int] | None = None,
) -> np.ndarray:
    """Fisher's p-value of every table on the grid ``x_c`` (rows) by ``x_n`` (columns).

    ``x_c`` and ``x_n`` are consecutive counts of the control and the new arm. One
    hypergeometric row per column total gives every p-value of that total at once (sorted
    cumulative sums, R's 1 + 1e-7 tie rule for two-sided; upper tails for ``"greater"``).
    Tables outside a row's band have p-values below 1e-20 and are returned as 0. *span*: see
    :func:`fisher_rejections`.
    """
    logd, rows, cols, inside, line0 = _grid_rows(n_c, n_n, x_c, x_n, span)
    if alternative == "greater":
        upper = np.cumsum(np.exp(logd[:, ::-1]), axis=1)[:, ::-1]
        return np.where(inside, upper[rows, cols], np.where(cols == 0, 1.0, 0.0))
    queries = _tie_queries(logd, rows, cols, line0)
    ordered = logd
    ordered.sort(axis=1, kind="stable")  # in place (the queries are taken); a row is two runs
    cum = _cumulative(ordered)
    keys = np.maximum(ordered, _LOG_FLOOR) + _SPACING * (np.arange(len(logd)) + line0)[:, None]
    idx = np.searchsorted(keys.ravel(), queries.ravel(), side="right") - 1
    return np.where(inside, cum.ravel()[idx].reshape(rows.shape), 0.0)


def fisher_rejections(
    n_c: int,
    n_n: int,
    x_c: np.ndarray,
    x_n: np.ndarray,
    alternative: str,
    alpha: float,
    span: tuple[int, int] | None = None,
) -> np.ndarray:
    """``rejects(fisher_p_values(...), alpha)``, the same booleans, without every p-value.

    Two-sided, a row's p-values grow with the table's pmf: the cumulative sums of the sorted
    row cross alpha once, after ``C`` values, so a table rejects exactly when fewer than
    ``C + 1`` sort keys lie at or below its query, that is when its query is below the row's
    key number ``C``. One comparison per table replaces a search in every row's keys; the keys
    and queries are the same floats as in :func:`fisher_p_values`, so every decision is too.
    *span*, the first and last total of a larger grid this one lies in, gives every table the
    decision it has in that grid.
    """
    if alternative == "greater":
        return rejects(fisher_p_values(n_c, n_n, x_c, x_n, alternative, span), alpha)
    logd, rows, cols, inside, line0 = _grid_rows(n_c, n_n, x_c, x_n, span)
    queries = _tie_queries(logd, rows, cols, line0)
    ordered = logd
    ordered.sort(axis=1, kind="stable")  # in place (the queries are taken); a row is two runs
    rejecting = np.count_nonzero(rejects(_cumulative(ordered), alpha), axis=1)
    line = np.arange(len(logd))
    bound = np.full(len(logd), np.inf)  # every value of the row rejects: so does every table
    some = rejecting < ordered.shape[1]
    bound[some] = np.maximum(ordered[line[some], rejecting[some]], _LOG_FLOOR) + _SPACING * (
        line[some] + line0
    )
    # Outside the band a table's p-value is below 1e-20 (it is returned as 0): it rejects.
    rejected: np.ndarray = ~inside | (queries < bound[rows])
    return rejected


def fisher_power(
    n_c: int, n_n: int, p_c: float, p_n: float, alpha: float, alternative: str, eps: float
) -> float:
    """Exact power of Fisher's test (see the module docstring for the method and its bounds)."""
    x_c, x_n, pmf_c, pmf_n = table_grid(n_c, n_n, p_c, p_n, eps)
    reject = fisher_rejections(n_c, n_n, x_c, x_n, alternative, alpha)
    return float(np.einsum("i,ij,j->", pmf_c, reject, pmf_n))


#: Rounding allowance of the bounds below: two sums of up to 10^7 products in different orders.
_SUM_SLACK = 1e-10


def fisher_power_bounds(
    n_c: int,
    n_n: int,
    p_c: float,
    p_n: float,
    alpha: float,
    alternative: str,
    eps: float,
    coarse: float = 1e-5,
) -> tuple[float, float]:
    """``(low, high)`` around :func:`fisher_power` (same arguments), for about half its cost.

    The sum runs over the tables of the narrower windows that leave out *coarse* of the
    probability (instead of *eps*), with the rows, keys and so decisions those tables have in
    the full computation (its span of totals); the full power adds the tables left out, so it
    lies between this sum and this sum plus their probability. A search that only compares the
    power with a goal decides from these bounds unless the goal falls between them.
    """
    x_c, x_n, pmf_c, pmf_n = table_grid(n_c, n_n, p_c, p_n, eps)
    span = (int(x_c[0] + x_n[0]), int(x_c[-1] + x_n[-1]))
    (lo_c, hi_c), (lo_n, hi_n) = (
        binomial_window(n_c, p_c, coarse / 4),
        binomial_window(n_n, p_n, coarse / 4),
    )
    keep_c, keep_n = (x_c >= lo_c) & (x_c <= hi_c), (x_n >= lo_n) & (x_n <= hi_n)
    inner_c, inner_n = pmf_c[keep_c], pmf_n[keep_n]
    reject = fisher_rejections(n_c, n_n, x_c[keep_c], x_n[keep_n], alternative, alpha, span)
    value = float(np.einsum("i,ij,j->", inner_c, reject, inner_n))
    left_out = max(0.0, 1.0 - float(inner_c.sum()) * float(inner_n.sum()))
    return value - _SUM_SLACK, value + left_out + _SUM_SLACK


@lru_cache(maxsize=65536)
def _boschloo_p(x_n: int, n_n: int, x_c: int, n_c: int, alternative: str) -> float:
    if x_n + x_c in (0, n_n + n_c):
        return 1.0  # every request answered alike: no evidence either way
    from scipy.stats import boschloo_exact

    table = [[x_n, x_c], [n_n - x_n, n_c - x_c]]
    # (planning.power has checked it is one of the alternatives scipy takes)
    side = cast(Literal["two-sided", "less", "greater"], alternative)
    return float(boschloo_exact(table, alternative=side).pvalue)


def boschloo_power(
    n_c: int, n_n: int, p_c: float, p_n: float, alpha: float, alternative: str
) -> float:
    """Exact power of Boschloo's test: scipy's ``boschloo_exact`` on every table (cached)."""
    total = 0.0
    pmf_c = binomial_pmf(np.arange(n_c + 1), n_c, p_c)
    pmf_n = binomial_pmf(np.arange(n_n + 1), n_n, p_n)
    for x_c in range(n_c + 1):
        for x_n in range(n_n + 1):
            if rejects(_boschloo_p(x_n, n_n, x_c, n_c, alternative), alpha):
                total += pmf_c[x_c] * pmf_n[x_n]
    return total


def _pooled_sd(n_c: float, n_n: float, p_c: float, p_n: float) -> tuple[float, float]:
    pooled = (n_c * p_c + n_n * p_n) / (n_c + n_n)
    sd0 = math.sqrt(pooled * (1 - pooled) * (1 / n_c + 1 / n_n))
    sd1 = math.sqrt(p_c * (1 - p_c) / n_c + p_n * (1 - p_n) / n_n)
    return sd0, sd1


def normal_power(
    n_c: float, n_n: float, p_c: float, p_n: float, alpha: float, alternative: str
) -> float:
    """Power of the two-proportion z-test by the normal approximation.

    With equal n this is R's ``power.prop.test`` (pooled variance under H0, ``strict = FALSE``:
    the two-sided power ignores rejections in the wrong direction). Unequal n use the
    n-weighted pooled rate. "greater" uses the signed difference p_n - p_c.
    """
    from scipy import special

    sides = 2 if alternative == "two-sided" else 1
    diff = abs(p_n - p_c) if sides == 2 else p_n - p_c
    z_alpha = -special.ndtri(alpha / sides)  # scipy.stats.norm.isf, the same float
    sd0, sd1 = _pooled_sd(n_c, n_n, p_c, p_n)
    top = diff - z_alpha * sd0
    if sd1 == 0.0:  # both rates are 0 or 1: the outcome is certain
        return 1.0 if top > 0 else 0.0
    return float(special.ndtr(top / sd1))  # scipy.stats.norm.cdf


def normal_sample_size(
    p_c: float, p_n: float, power: float, alpha: float, alternative: str, ratio: float
) -> float:
    """Continuous n of the control arm solving :func:`normal_power` = power (new arm ratio * n).

    The power formula is Phi of a linear function of sqrt(n), so the inverse is closed-form; R's
    ``power.prop.test(power = ...)`` finds the same root numerically with ``uniroot``.
    """
    from scipy import special

    sides = 2 if alternative == "two-sided" else 1
    diff = abs(p_n - p_c) if sides == 2 else p_n - p_c
    pooled = (p_c + ratio * p_n) / (1 + ratio)
    # -ndtri(q) and ndtri(q) are scipy.stats.norm.isf(q) and norm.ppf(q), the same floats.
    a = -special.ndtri(alpha / sides) * math.sqrt(pooled * (1 - pooled) * (1 + 1 / ratio))
    b = special.ndtri(power) * math.sqrt(p_c * (1 - p_c) + p_n * (1 - p_n) / ratio)
    return ((a + b) / diff) ** 2
