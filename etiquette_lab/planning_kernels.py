"""Numerical kernels of the planning module: exact power by enumeration, and the normal formula.

Nothing here validates its input; :mod:`etiquette_lab.planning` does that and builds results.

How exact power is computed
---------------------------
The power of a two-arm design is the probability, over every outcome table (x_c successes of
n_c in the control arm, x_n of n_n in the new arm), that the test rejects:
``sum P(x_c) P(x_n) [p(x_c, x_n) < alpha]`` with independent binomial P, a p-value within a
relative 1e-7 of alpha counting as alpha (:func:`etiquette_lab.stats.rejects`, the kit's one rule).

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
from functools import lru_cache

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy import special

from .errors import InvalidInputError
from .stats.significance import TIE_TOLERANCE, rejects

# The binomial kernels scipy.stats.binom itself calls (Boost's, in scipy.special), so that
# `plan` and `power` give the same floats without importing scipy.stats (about 0.3 s of every
# command). tests/test_planning.py checks them against scipy.stats.binom bit for bit.
try:
    from scipy.special._ufuncs import _binom_isf, _binom_pmf, _binom_ppf
except ImportError:  # pragma: no cover - a scipy that moved them: the public route

    def _binom_pmf(k, n, p):
        from scipy.stats import binom

        return binom.pmf(k, n, p)

    def _binom_ppf(q, n, p):
        from scipy.stats import binom

        return binom.ppf(q, n, p)

    def _binom_isf(q, n, p):
        from scipy.stats import binom

        return binom.isf(q, n, p)


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
    lo = int(_binom_ppf(tail, n, p))
    hi = int(_binom_isf(tail, n, p))
    return max(lo, 0), min(hi, n)


def binomial_pmf(x: np.ndarray, n: int, p: float) -> np.ndarray:
    """``scipy.stats.binom.pmf(x, n, p)`` for whole x in [0, n] and p in [0, 1]: its kernel,
    clipped to [0, 1] as scipy clips it."""
    return np.clip(_binom_pmf(x, n, p), 0.0, 1.0)


def _log_factorials(n: int) -> np.ndarray:
    return special.gammaln(np.arange(n + 1, dtype=float) + 1.0)


def _table_grid(n_c: int, n_n: int, p_c: float, p_n: float, eps: float):
    lo_c, hi_c = binomial_window(n_c, p_c, eps / 4)
    lo_n, hi_n = binomial_window(n_n, p_n, eps / 4)
    x_c = np.arange(lo_c, hi_c + 1)
    x_n = np.arange(lo_n, hi_n + 1)
    return x_c, x_n, binomial_pmf(x_c, n_c, p_c), binomial_pmf(x_n, n_n, p_n)


def _hypergeometric_rows(
    n_c: int, n_n: int, totals: np.ndarray, banded: bool, band_sd: float = _BAND_SD
):
    """Log-pmf of x_n given each total, on a band of columns; returns (logd, start, ok)."""
    big_n = n_c + n_n
    lf = _log_factorials(big_n)
    lo_t = np.maximum(0, totals - n_c)
    hi_t = np.minimum(totals, n_n)
    if banded and big_n > 1:
        var = totals * (n_n / big_n) * (n_c / big_n) * (big_n - totals) / (big_n - 1)
        half = math.ceil(band_sd * math.sqrt(float(var.max())) + 2)
    else:
        half = n_n + 1
    width = min(2 * half + 1, n_n + 1)
    if len(totals) * width > MAX_CELLS:
        raise TooLargeError(
            f"exact power at {n_c:,} and {n_n:,} requests would need about "
            f"{len(totals) * width * 8 * 4 / 1e9:.0f} GB; at this size the normal approximation "
            "is accurate: use test='normal'"
        )
    centre = np.rint(totals * (n_n / max(big_n, 1))).astype(int)
    start = np.clip(centre - half, lo_t, np.maximum(lo_t, hi_t - width + 1))
    # log C(n_n, j) + log C(n_c, t - j) - log C(N, t). Each log binomial coefficient is computed
    # once per j (the same three-term sum as elementwise, so the same floats); a row's band is
    # then a window of consecutive j: a view into the 1-d array, not a gather per cell.
    j, k = np.arange(n_n + 1), np.arange(n_c + 1)
    beyond = np.full(width, -np.inf)  # past n_n, or t - j below 0: outside the support
    log_choose_n = np.concatenate([lf[n_n] - lf[j] - lf[n_n - j], beyond])
    log_choose_c_reversed = np.concatenate([(lf[n_c] - lf[k] - lf[n_c - k])[::-1], beyond])
    log_choose_total = lf[big_n] - lf[totals] - lf[big_n - totals]
    # Row t, column m is j = start + m, and t - j = (t - start) - m: entry n_c - (t - start) + m
    # of the reversed array (start >= t - n_c keeps that index >= 0).
    logd = (
        sliding_window_view(log_choose_n, width)[start]
        + sliding_window_view(log_choose_c_reversed, width)[n_c - (totals - start)]
        - log_choose_total[:, None]
    )
    logd[np.arange(width)[None, :] > (hi_t - start)[:, None]] = -np.inf
    # The band is safe when every row's edge pmf, times the support size, is negligible.
    cut_left = start > lo_t
    cut_right = (start + width - 1) < hi_t
    edge = np.full(totals.shape, -np.inf)
    edge = np.where(cut_left, logd[:, 0], edge)
    last = np.minimum(hi_t - start, width - 1)
    edge = np.maximum(edge, np.where(cut_right, logd[np.arange(len(totals)), last], -np.inf))
    ok = bool(np.all(edge + math.log(n_n + 1) <= math.log(_BAND_MASS)))
    return logd, start, ok


def _grid_rows(n_c: int, n_n: int, x_c: np.ndarray, x_n: np.ndarray):
    """The banded hypergeometric rows of every total on the grid, and where each table sits:
    ``(logd, rows, cols, inside)``; ``inside`` is False for a table outside its row's band."""
    t0 = int(x_c[0] + x_n[0])
    totals = np.arange(t0, int(x_c[-1] + x_n[-1]) + 1)
    # Widen the band before giving it up: full rows cost (totals x n) memory at large n.
    for band_sd in (_BAND_SD, 1.5 * _BAND_SD, 2 * _BAND_SD):
        logd, start, ok = _hypergeometric_rows(n_c, n_n, totals, banded=True, band_sd=band_sd)
        if ok:
            break
    else:
        logd, start, ok = _hypergeometric_rows(n_c, n_n, totals, banded=False)
    rows = (x_c[:, None] + x_n[None, :]) - t0
    cols = x_n[None, :] - start[rows]
    inside = (cols >= 0) & (cols < logd.shape[1])
    cols = np.clip(cols, 0, logd.shape[1] - 1)
    return logd, rows, cols, inside


# Rows are made globally sorted by adding row * spacing to the sorted log-pmf values; log values
# keep ties exact to ~1e-9 at that offset, well inside R's 1e-7 tolerance.
_SPACING = 2.0 * -_LOG_FLOOR


def _tie_queries(logd: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Each table's sort key raised by R's tie tolerance: p(x) sums the values up to it."""
    return (
        np.maximum(logd[rows, cols], _LOG_FLOOR)
        + math.log(FISHER_RELATIVE_TOLERANCE)
        + _SPACING * rows
    )


def fisher_p_values(
    n_c: int, n_n: int, x_c: np.ndarray, x_n: np.ndarray, alternative: str = "two-sided"
) -> np.ndarray:
    """Fisher's p-value of every table on the grid ``x_c`` (rows) by ``x_n`` (columns).

    ``x_c`` and ``x_n`` are consecutive counts of the control and the new arm. One
    hypergeometric row per column total gives every p-value of that total at once (sorted
    cumulative sums, R's 1 + 1e-7 tie rule for two-sided; upper tails for ``"greater"``).
    Tables outside a row's band have p-values below 1e-20 and are returned as 0.
    """
    logd, rows, cols, inside = _grid_rows(n_c, n_n, x_c, x_n)
    if alternative == "greater":
        upper = np.cumsum(np.exp(logd[:, ::-1]), axis=1)[:, ::-1]
        return np.where(inside, upper[rows, cols], np.where(cols == 0, 1.0, 0.0))
    ordered = np.sort(logd, axis=1)
    cum = np.cumsum(np.exp(ordered), axis=1)
    keys = np.maximum(ordered, _LOG_FLOOR) + _SPACING * np.arange(len(logd))[:, None]
    idx = np.searchsorted(keys.ravel(), _tie_queries(logd, rows, cols).ravel(), side="right") - 1
    return np.where(inside, cum.ravel()[idx].reshape(rows.shape), 0.0)


def fisher_rejections(
    n_c: int, n_n: int, x_c: np.ndarray, x_n: np.ndarray, alternative: str, alpha: float
) -> np.ndarray:
    """``rejects(fisher_p_values(...), alpha)``, the same booleans, without every p-value.

    Two-sided, a row's p-values grow with the table's pmf: the cumulative sums of the sorted
    row cross alpha once, after ``C`` values, so a table rejects exactly when fewer than
    ``C + 1`` sort keys lie at or below its query, that is when its query is below the row's
    key number ``C``. One comparison per table replaces a search in every row's keys; the keys
    and queries are the same floats as in :func:`fisher_p_values`, so every decision is too.
    """
    if alternative == "greater":
        return rejects(fisher_p_values(n_c, n_n, x_c, x_n, alternative), alpha)
    logd, rows, cols, inside = _grid_rows(n_c, n_n, x_c, x_n)
    ordered = np.sort(logd, axis=1)
    rejecting = np.count_nonzero(rejects(np.cumsum(np.exp(ordered), axis=1), alpha), axis=1)
    line = np.arange(len(logd))
    bound = np.full(len(logd), np.inf)  # every value of the row rejects: so does every table
    some = rejecting < ordered.shape[1]
    bound[some] = (
        np.maximum(ordered[line[some], rejecting[some]], _LOG_FLOOR) + _SPACING * line[some]
    )
    # Outside the band a table's p-value is below 1e-20 (it is returned as 0): it rejects.
    return ~inside | (_tie_queries(logd, rows, cols) < bound[rows])


def fisher_power(
    n_c: int, n_n: int, p_c: float, p_n: float, alpha: float, alternative: str, eps: float
) -> float:
    """Exact power of Fisher's test (see the module docstring for the method and its bounds)."""
    x_c, x_n, pmf_c, pmf_n = _table_grid(n_c, n_n, p_c, p_n, eps)
    reject = fisher_rejections(n_c, n_n, x_c, x_n, alternative, alpha)
    return float(np.einsum("i,ij,j->", pmf_c, reject, pmf_n))


@lru_cache(maxsize=65536)
def _boschloo_p(x_n: int, n_n: int, x_c: int, n_c: int, alternative: str) -> float:
    if x_n + x_c in (0, n_n + n_c):
        return 1.0  # every request answered alike: no evidence either way
    from scipy.stats import boschloo_exact

    table = [[x_n, x_c], [n_n - x_n, n_c - x_c]]
    return float(boschloo_exact(table, alternative=alternative).pvalue)


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
    sides = 2 if alternative == "two-sided" else 1
    diff = abs(p_n - p_c) if sides == 2 else p_n - p_c
    pooled = (p_c + ratio * p_n) / (1 + ratio)
    # -ndtri(q) and ndtri(q) are scipy.stats.norm.isf(q) and norm.ppf(q), the same floats.
    a = -special.ndtri(alpha / sides) * math.sqrt(pooled * (1 - pooled) * (1 + 1 / ratio))
    b = special.ndtri(power) * math.sqrt(p_c * (1 - p_c) + p_n * (1 - p_n) / ratio)
    return ((a + b) / diff) ** 2
