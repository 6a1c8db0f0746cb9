"""More than two arms, strata and allocation: the omnibus test, Holm's correction, the
Mantel-Haenszel pooled odds ratio with the Cochran-Mantel-Haenszel test, and the sample-ratio
check.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..checks import check_alpha, check_count, check_counts
from ..errors import InvalidInputError
from ..results import Result
from ..significance import TIE_TOLERANCE, rejects

__all__ = [
    "EXACT_MAX_TABLES",
    "MantelHaenszel",
    "OmnibusTest",
    "SampleRatioCheck",
    "holm_adjust",
    "mantel_haenszel",
    "omnibus_test",
    "sample_ratio_check",
]

#: The exact omnibus and sample-ratio tests enumerate at most this many tables; above it the
#: omnibus test uses a seeded Monte Carlo permutation test and the sample-ratio check chi-square.
EXACT_MAX_TABLES: int = 500_000
_MONTE_CARLO_TABLES = 20_000
_TIE = TIE_TOLERANCE  # relative tolerance for "at least as extreme", as R's fisher.test uses


def holm_adjust(p_values: Sequence[float]) -> list[float]:
    """Holm's (1979) step-down adjusted p-values, in the order given.

    Examples
    --------
    >>> holm_adjust([0.01, 0.04, 0.03])
    [0.03, 0.06, 0.06]
    """
    p = [float(v) for v in p_values]
    if any(not 0.0 <= v <= 1.0 for v in p):
        raise InvalidInputError("p-values must lie between 0 and 1")
    order = sorted(range(len(p)), key=p.__getitem__)
    adjusted = [0.0] * len(p)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (len(p) - rank) * p[index]))
        adjusted[index] = running
    return adjusted


@dataclass(frozen=True)
class OmnibusTest(Result):
    """A test that all arms share one response rate (2 x k table).

    ``p_value_is_bound`` is true when ``p_value`` is the Monte Carlo test's floor,
    1 / (tables + 1): no random table was as extreme as the observed one, so the p-value is
    only known to be below it and is printed as "p < 5e-05".
    """

    statistic: float
    df: int
    p_value: float
    method: str
    note: str = ""
    p_value_is_bound: bool = False

    _title = "Omnibus test: do all arms share one rate?"

    def _summary_frame(self):
        import pandas as pd

        return pd.DataFrame(
            [[self.statistic, self.df, self.p_value, self.method]],
            columns=["statistic", "df", "p_value", "method"],
        )

    def _notes(self) -> list[str]:
        return [self.note] if self.note else []


def _log_choose(n: np.ndarray | int, k: np.ndarray) -> np.ndarray:
    from scipy.special import gammaln

    return gammaln(np.asarray(n, float) + 1) - gammaln(k + 1.0) - gammaln(n - k + 1.0)


def _column_chi2(x: np.ndarray, n: int, responded: int, total: int) -> np.ndarray:
    # Pearson's statistic is a sum over arms once the responders' total is fixed.
    e1 = n * responded / total
    e0 = n - e1
    return (x - e1) ** 2 * (1.0 / e1 + 1.0 / e0)


def _exact_tail(ns: list[int], responded: int, observed: float) -> float | None:
    """P(X2 >= observed) over all tables with the margins fixed, or None if too many."""
    from scipy.special import logsumexp

    total = sum(ns)
    # X2 is unchanged by swapping responses and non-responses: enumerate the rarer of the two.
    responded = min(responded, total - responded)
    s = np.zeros(1, dtype=np.int64)  # responders so far
    stat = np.zeros(1)
    logw = np.zeros(1)
    remaining = total
    for n in ns:
        remaining -= n
        x = np.arange(min(n, responded) + 1)
        if len(s) * len(x) > 4 * EXACT_MAX_TABLES:
            return None
        s_new = (s[:, None] + x[None, :]).ravel()
        keep = (s_new <= responded) & (s_new + remaining >= responded)
        if keep.sum() > EXACT_MAX_TABLES:
            return None
        stat = (stat[:, None] + _column_chi2(x, n, responded, total)[None, :]).ravel()[keep]
        logw = (logw[:, None] + _log_choose(n, x)[None, :]).ravel()[keep]
        s = s_new[keep]
    extreme = stat >= observed * (1 - _TIE) - 1e-12
    return float(np.exp(logsumexp(logw[extreme]) - logsumexp(logw)))


def omnibus_test(arms: Sequence[tuple[int, int]] | Mapping[str, tuple[int, int]]) -> OmnibusTest:
    """Test that all arms share one response rate.

    Pearson's chi-square on the 2 x k table when every expected count is at least 5 (Cochran's
    rule); otherwise the exact conditional test that orders tables by the same statistic,
    enumerating every table with the observed margins (up to :data:`EXACT_MAX_TABLES`), or a
    Monte Carlo permutation test with a fixed seed above that. Its p-value is
    (tables as extreme + 1) / (20,000 + 1); when no random table is as extreme this floor is a
    bound (``p_value_is_bound``), printed as "p < 5e-05".

    Parameters
    ----------
    arms : sequence of (responses, requests), or a mapping name -> (responses, requests)
        At least two arms, each with at least one request.

    Examples
    --------
    >>> t = omnibus_test([(1, 5), (4, 5), (2, 5)])
    >>> round(t.statistic, 4), t.df, t.method
    (3.75, 2, 'exact')
    """
    pairs = list(arms.values()) if isinstance(arms, Mapping) else list(arms)
    counts = [check_counts(x, n, f"arm {i + 1}") for i, (x, n) in enumerate(pairs)]
    if len(counts) < 2:
        raise InvalidInputError("an omnibus test needs at least two arms")
    if any(n == 0 for _, n in counts):
        raise InvalidInputError("every arm needs at least one request (n = 0)")
    from scipy.special import chdtrc

    ns = [n for _, n in counts]
    total, responded = sum(ns), sum(x for x, _ in counts)
    df = len(counts) - 1
    if responded in (0, total):
        return OmnibusTest(0.0, df, 1.0, "chi2", "every arm has the same rate (all 0 % or 100 %)")
    statistic = float(sum(_column_chi2(np.array(float(x)), n, responded, total) for x, n in counts))
    expected_min = min(ns) * min(responded, total - responded) / total
    if expected_min >= 5:
        return OmnibusTest(statistic, df, float(chdtrc(df, statistic)), "chi2")
    exact = _exact_tail(ns, responded, statistic)
    if exact is not None:
        return OmnibusTest(statistic, df, min(1.0, exact), "exact")
    rng = np.random.default_rng(0)
    tables = rng.multivariate_hypergeometric(ns, responded, size=_MONTE_CARLO_TABLES)
    stats = sum(
        _column_chi2(tables[:, j].astype(float), n, responded, total) for j, n in enumerate(ns)
    )
    hits = int(np.sum(stats >= statistic * (1 - _TIE) - 1e-12))
    note = f"{_MONTE_CARLO_TABLES:,} random tables with the observed margins, seed 0"
    if hits == 0:
        floor = f"{1 / _MONTE_CARLO_TABLES:.0e}"
        note += f"; none was as extreme as the observed one, so p < {floor} (a bound)"
    return OmnibusTest(
        statistic,
        df,
        (hits + 1) / (_MONTE_CARLO_TABLES + 1),
        "monte-carlo",
        note,
        p_value_is_bound=hits == 0,
    )


@dataclass(frozen=True)
class MantelHaenszel(Result):
    """Mantel-Haenszel pooled odds ratio over strata and the Cochran-Mantel-Haenszel test."""

    odds_ratio: float
    ci_low: float
    ci_high: float
    statistic: float
    p_value: float
    correction: bool
    strata: int
    note: str = ""

    _title = "Mantel-Haenszel odds ratio over strata"

    def _summary_frame(self):
        import pandas as pd

        return pd.DataFrame(
            [
                [
                    self.odds_ratio,
                    self.ci_low,
                    self.ci_high,
                    self.statistic,
                    self.p_value,
                    self.strata,
                ]
            ],
            columns=["odds_ratio", "ci_low", "ci_high", "cmh_statistic", "p_value", "strata"],
        )

    def _notes(self) -> list[str]:
        return [self.note] if self.note else []


def mantel_haenszel(
    tables: Sequence[tuple[int, int, int, int]], *, correction: bool = True, alpha: float = 0.05
) -> MantelHaenszel:
    """Pooled odds ratio (Mantel & Haenszel 1959) and the CMH test over strata.

    Parameters
    ----------
    tables : sequence of (x0, n0, x1, n1)
        Per stratum: responses and requests of the control, then of the arm.
    correction : bool
        Continuity correction of the CMH statistic (R's ``mantelhaen.test`` default ``correct =
        TRUE``; statsmodels' ``test_null_odds`` defaults to False).
    alpha : float
        For the Robins-Breslow-Greenland (1986) interval of the pooled odds ratio, as R reports.

    Strata with fewer than two requests carry no information and are ignored.

    Examples
    --------
    >>> rabbits = [(0, 5, 0, 6), (0, 6, 3, 6), (2, 6, 6, 6), (6, 6, 5, 6), (5, 5, 2, 2)]
    >>> m = mantel_haenszel(rabbits)
    >>> round(m.odds_ratio, 4), round(m.statistic, 4), round(m.p_value, 5)
    (7.0, 3.9286, 0.04747)
    """
    from scipy.special import chdtrc, ndtri

    alpha = check_alpha(alpha)
    if len(tables) == 0:
        raise InvalidInputError("Mantel-Haenszel needs at least one stratum")
    cells = []
    for i, table in enumerate(tables):
        if len(table) != 4:
            raise InvalidInputError(f"stratum {i + 1}: expected (x0, n0, x1, n1), got {table!r}")
        x0, n0 = check_counts(table[0], table[1], f"stratum {i + 1}, control")
        x1, n1 = check_counts(table[2], table[3], f"stratum {i + 1}, arm")
        if n1 + n0 >= 2:
            cells.append((x1, n1 - x1, x0, n0 - x0))
    if not cells:
        raise InvalidInputError("every stratum has fewer than two requests")
    a, b, c, d = (np.array(col, dtype=float) for col in zip(*cells, strict=True))
    n = a + b + c + d
    r, s = a * d / n, b * c / n
    sum_r, sum_s = float(r.sum()), float(s.sum())
    note = ""
    if sum_r == 0 and sum_s == 0:
        odds_ratio, low, high = math.nan, 0.0, math.inf
        note = "pooled odds ratio undefined: no stratum has a discordant pair of cells"
    elif sum_s == 0 or sum_r == 0:
        odds_ratio = math.inf if sum_s == 0 else 0.0
        low, high = (0.0, math.inf)
        note = "pooled odds ratio at the edge (0 or infinite); its interval is not informative"
    else:
        odds_ratio = sum_r / sum_s
        p, q = (a + d) / n, (b + c) / n
        var = (
            float((p * r).sum()) / (2 * sum_r**2)
            + float((p * s + q * r).sum()) / (2 * sum_r * sum_s)
            + float((q * s).sum()) / (2 * sum_s**2)
        )
        half = float(ndtri(1 - alpha / 2)) * math.sqrt(var)
        low, high = odds_ratio * math.exp(-half), odds_ratio * math.exp(half)
    n1, t = a + b, a + c
    informative = n > 1
    expected = (n1 * t / n)[informative]
    variance = (n1 * (n - n1) * t * (n - t) / (n * n * (n - 1)))[informative]
    delta = float(a[informative].sum() - expected.sum())
    total_var = float(variance.sum())
    if total_var == 0:
        statistic, p_value = 0.0, 1.0
        note = note or "no stratum has responses varying across arms: CMH statistic 0, p = 1"
    else:
        yates = 0.5 if correction and abs(delta) >= 0.5 else 0.0
        statistic = (abs(delta) - yates) ** 2 / total_var
        p_value = float(chdtrc(1, statistic))
    return MantelHaenszel(odds_ratio, low, high, statistic, p_value, correction, len(cells), note)


@dataclass(frozen=True)
class SampleRatioCheck(Result):
    """Observed allocation of requests against the planned one."""

    observed: dict[str, int]
    expected: dict[str, float]
    statistic: float
    p_value: float
    method: str
    mismatch: bool = field(default=False)

    _title = "Sample-ratio check"

    def _summary_frame(self):
        import pandas as pd

        return pd.DataFrame({"observed": self.observed, "expected": self.expected}).rename_axis(
            "arm"
        )

    def _notes(self) -> list[str]:
        verdict = (
            "possible mismatch: check the assignment" if self.mismatch else "no sign of a mismatch"
        )
        return [f"{self.method}: p = {self.p_value:.4g} ({verdict})"]


def _compositions(total: int, k: int) -> np.ndarray | None:
    """Every way to split *total* requests over *k* arms, or None if there are too many."""
    if math.comb(total + k - 1, k - 1) > EXACT_MAX_TABLES:
        return None
    rows = np.zeros((1, 0), dtype=np.int64)
    for _ in range(k - 1):
        used = rows.sum(axis=1)
        parts = [
            np.column_stack(
                [np.repeat(row[None, :], total - u + 1, axis=0), np.arange(total - u + 1)]
            )
            for row, u in zip(rows, used, strict=True)
        ]
        rows = np.vstack(parts)
    return np.column_stack([rows, total - rows.sum(axis=1)])


def sample_ratio_check(
    counts: Mapping[str, int],
    *,
    allocation: Mapping[str, float] | None = None,
    alpha: float = 0.01,
) -> SampleRatioCheck:
    """Test whether requests were split across arms as planned (a sample-ratio mismatch).

    Two arms: the exact binomial test (scipy's ``binomtest``, as R's ``binom.test``). More arms:
    the exact multinomial test (tables no more probable than the observed one) while there are
    at most :data:`EXACT_MAX_TABLES` possible splits, else Pearson's goodness-of-fit chi-square.

    Parameters
    ----------
    counts : mapping arm -> number of requests
    allocation : mapping arm -> planned share (any positive weights); equal shares by default
    alpha : float
        ``mismatch`` is flagged when p rejects at alpha
        (:func:`~etiquette_lab.significance.rejects`; 0.01 by default: the check runs on every
        report, so it should rarely cry wolf).

    Examples
    --------
    >>> c = sample_ratio_check({"default": 5, "personalised": 5})
    >>> c.p_value, c.method
    (1.0, 'exact binomial')
    """
    from scipy.special import chdtrc, gammaln
    from scipy.stats import binomtest

    alpha = check_alpha(alpha)
    names = list(counts)
    if len(names) < 2:
        raise InvalidInputError("a sample-ratio check needs at least two arms")
    observed = {name: check_count(counts[name], f"{name}: requests") for name in names}
    weights = {name: 1.0 for name in names} if allocation is None else dict(allocation)
    if set(weights) != set(names):
        raise InvalidInputError("the planned allocation must name exactly the arms observed")
    if any(
        not (isinstance(w, (int, float)) and math.isfinite(w) and w > 0) for w in weights.values()
    ):
        raise InvalidInputError("planned shares must be positive numbers")
    total_weight = sum(weights.values())
    shares = np.array([weights[name] / total_weight for name in names])
    obs = np.array([observed[name] for name in names])
    total = int(obs.sum())
    expected = {name: float(total * share) for name, share in zip(names, shares, strict=True)}
    if total == 0:
        return SampleRatioCheck(observed, expected, 0.0, 1.0, "no requests")
    stat = float(np.sum((obs - total * shares) ** 2 / (total * shares)))
    if len(names) == 2:
        p_value = float(binomtest(int(obs[0]), total, float(shares[0])).pvalue)
        method = "exact binomial"
    else:
        splits = _compositions(total, len(names))
        if splits is None:
            p_value, method = float(chdtrc(len(names) - 1, stat)), "chi2"
        else:
            log_p = (
                gammaln(total + 1)
                - gammaln(splits + 1).sum(axis=1)
                + (splits * np.log(shares)).sum(axis=1)
            )
            log_obs = gammaln(total + 1) - gammaln(obs + 1).sum() + (obs * np.log(shares)).sum()
            keep = log_p <= log_obs + math.log1p(_TIE)
            p_value, method = float(np.exp(log_p[keep]).sum()), "exact multinomial"
    p_value = min(1.0, p_value)
    return SampleRatioCheck(
        observed, expected, stat, p_value, method, bool(rejects(p_value, alpha))
    )
