"""Two-arm effects and tests against statsmodels, scipy, brute force and published values."""

from __future__ import annotations

import math
from fractions import Fraction
from itertools import product

import numpy as np
import pytest
import scipy.stats as st
from statsmodels.stats import proportion as smp
from two_arm_order import control_first

from etiquette_lab.errors import InvalidInputError
from etiquette_lab.stats import (
    BOSCHLOO_MAX_TABLES,
    boschloo_skip_reason,
    boschloo_test,
    chi2_test,
    difference_interval,
    fisher_test,
    risk_ratio_interval,
    wald_test,
)

TABLES = [
    (4, 5, 1, 5),
    (1, 5, 4, 5),
    (0, 5, 0, 5),
    (5, 5, 5, 5),
    (0, 5, 5, 5),
    (5, 5, 0, 5),
    (7, 34, 1, 34),
    (3, 12, 9, 40),
    (56, 70, 48, 80),
    (250, 1000, 220, 1000),
]


def test_article_table_reproduces_the_issue_numbers():
    # Issue 3: for personalised 4/5 vs default 1/5, z unpooled p = 0.018, chi2 p = 0.058,
    # Boschloo 0.109, Fisher 0.206, and the Wald interval runs past 1.
    assert wald_test(1, 5, 4, 5).p_value == pytest.approx(0.018, abs=5e-4)
    assert chi2_test(1, 5, 4, 5).p_value == pytest.approx(0.058, abs=5e-4)
    assert boschloo_test(1, 5, 4, 5).p_value == pytest.approx(0.109, abs=5e-4)
    assert fisher_test(1, 5, 4, 5).p_value == pytest.approx(0.206, abs=5e-4)
    assert wald_test(1, 5, 4, 5).ci_high > 1


# Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10 (hybrid score), as
# printed to 4 decimals; each also recomputed by statsmodels in test_newcombe_matches_statsmodels.
NEWCOMBE_TABLE_II = [
    ((56, 70, 48, 80), 0.0524, 0.3339),
    ((9, 10, 3, 10), 0.1705, 0.8090),
    ((6, 7, 2, 7), 0.0582, 0.8062),
    ((5, 56, 0, 29), -0.0381, 0.1926),
    ((0, 10, 0, 20), -0.1611, 0.2775),
    ((10, 10, 0, 20), 0.6791, 1.0000),
]


@pytest.mark.parametrize(("counts", "low", "high"), NEWCOMBE_TABLE_II)
def test_newcombe_matches_the_published_table(counts, low, high):
    d = difference_interval(*control_first(counts))
    assert (round(d.ci_low, 4), round(d.ci_high, 4)) == (low, high)


@pytest.mark.parametrize("counts", TABLES + [c for c, _, _ in NEWCOMBE_TABLE_II])
@pytest.mark.parametrize(
    ("method", "sm"), [("newcombe", "newcomb"), ("agresti-caffo", "agresti-caffo")]
)
def test_difference_matches_statsmodels(counts, method, sm):
    # statsmodels smp.confint_proportions_2indep(compare="diff"); we clip to [-1, 1], it may not.
    low, high = smp.confint_proportions_2indep(*counts, method=sm, compare="diff")
    d = difference_interval(*control_first(counts), method=method)
    assert d.estimate == pytest.approx(counts[0] / counts[1] - counts[2] / counts[3], abs=1e-15)
    assert d.ci_low == pytest.approx(max(-1.0, low), abs=1e-12)
    assert d.ci_high == pytest.approx(min(1.0, high), abs=1e-12)


@pytest.mark.parametrize("counts", [c for c in TABLES if 0 < c[0] < c[1] and 0 < c[2] < c[3]])
def test_risk_ratio_matches_statsmodels_log(counts):
    # statsmodels smp.confint_proportions_2indep(compare="ratio", method="log"): Katz's interval,
    # which the kit uses only when both arms have a response and a non-response.
    low, high = smp.confint_proportions_2indep(*counts, method="log", compare="ratio")
    r = risk_ratio_interval(*control_first(counts))
    assert r.method == "katz-log"
    assert r.estimate == pytest.approx((counts[0] / counts[1]) / (counts[2] / counts[3]))
    assert (r.ci_low, r.ci_high) == pytest.approx((low, high), rel=1e-10)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # statsmodels divides by zero inside
@pytest.mark.parametrize("counts", [(0, 5, 3, 5), (3, 5, 0, 5), (0, 5, 0, 5)])
def test_risk_ratio_with_a_zero_uses_the_score_interval(counts):
    # statsmodels confint_proportions_2indep(compare="ratio", method="score") is the
    # Miettinen-Nurminen score interval (with their n / (n - 1) correction), computed there by
    # its own inversion; the interval must contain the estimate (0 or inf).
    r = risk_ratio_interval(*control_first(counts))
    expected = {(0, 5, 3, 5): 0.0, (3, 5, 0, 5): math.inf}.get(counts)
    if expected is None:
        assert math.isnan(r.estimate) and (r.ci_low, r.ci_high) == (0.0, math.inf)
        return
    low, high = smp.confint_proportions_2indep(*counts, method="score", compare="ratio")
    assert r.method == "miettinen-nurminen-score" and r.note
    assert (r.ci_low, r.ci_high) == pytest.approx((low, high), rel=1e-6)
    assert r.estimate == expected and r.ci_low <= r.estimate <= r.ci_high


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # statsmodels divides by zero inside
@pytest.mark.parametrize("counts", [(5, 5, 0, 5), (1, 40, 0, 38), (7, 9, 0, 2), (0, 12, 4, 11)])
def test_score_interval_matches_statsmodels_and_agrees_with_fisher(counts):
    # statsmodels (score) as above; and 5/5 vs 0/5, where Fisher's p = 0.0079, must exclude 1.
    r = risk_ratio_interval(*control_first(counts))
    low, high = smp.confint_proportions_2indep(*counts, method="score", compare="ratio")
    assert (r.ci_low, r.ci_high) == pytest.approx((low, high), rel=1e-6)
    if counts == (5, 5, 0, 5):
        assert r.ci_low == pytest.approx(2.1714299723, rel=1e-6) and r.ci_low > 1


def _mn_score_limits_mpmath(x1, n1, x0, n0, alpha=0.05):
    """The Miettinen-Nurminen score interval for p1 / p0 at 50 digits: the restricted MLE from
    its quadratic in plain form, the statistic with the N / (N - 1) factor, and each limit by
    bisection on its own side of the estimate (where the statistic is 0)."""
    import mpmath as mp

    mp.mp.dps = 50
    z = mp.sqrt(2) * mp.erfinv(1 - mp.mpf(alpha))
    n = n1 + n0
    p1, p0 = mp.mpf(x1) / n1, mp.mpf(x0) / n0

    def score(ratio):
        a, b, c = n * ratio, -(n1 * ratio + x1 + n0 + x0 * ratio), x1 + x0
        q0 = (-b - mp.sqrt(b * b - 4 * a * c)) / (2 * a)
        q1 = ratio * q0
        var = (q1 * (1 - q1) / n1 + ratio**2 * q0 * (1 - q0) / n0) * n / (n - 1)
        return (p1 - ratio * p0) / mp.sqrt(var)

    def bisect(f, lo, hi):  # f(lo) > 0 > f(hi); 120 halvings of the log ratio
        lo, hi = mp.log(lo), mp.log(hi)
        for _ in range(120):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if f(mp.exp(mid)) > 0 else (lo, mid)
        return float(mp.exp((lo + hi) / 2))

    estimate = p1 / p0
    low = bisect(lambda r: score(r) - z, mp.mpf("1e-9"), estimate)
    high = bisect(lambda r: score(r) + z, estimate, mp.mpf("1e9"))
    return low, high


@pytest.mark.parametrize(
    ("counts", "low", "high"),
    [
        ((1, 1, 1, 1), 0.1152, 8.6829),
        ((5, 5, 5, 5), 0.5395, 1.8537),
        ((200, 200, 1, 1), 0.9811, 4.8607),
    ],
)
def test_risk_ratio_when_both_arms_answered_everything_is_not_zero_width(counts, low, high):
    # Katz collapses to [1, 1] here (its variance is 0). The score interval has a closed form
    # when both arms are at 100% (the restricted MLE sits on the edge p = 1): solving
    # score = +-z gives low = 1 / (1 + z^2 N / (n1 (N - 1))), high = 1 + z^2 N / (n0 (N - 1)).
    # The issue's figures: about [0.12, 8.7] for 1/1 vs 1/1 and [0.54, 1.85] for 5/5 vs 5/5.
    _, n1, _, n0 = counts
    z2, total = st.norm.isf(0.025) ** 2, n1 + n0
    r = risk_ratio_interval(*control_first(counts))
    assert r.method == "miettinen-nurminen-score" and r.estimate == 1.0
    assert r.ci_low == pytest.approx(1 / (1 + z2 * total / (n1 * (total - 1))), rel=1e-9)
    assert r.ci_high == pytest.approx(1 + z2 * total / (n0 * (total - 1)), rel=1e-9)
    assert (round(r.ci_low, 4), round(r.ci_high, 4)) == (low, high)
    assert (r.ci_low, r.ci_high) == pytest.approx(_mn_score_limits_mpmath(*counts), rel=1e-9)
    # statsmodels agrees on the upper limit; its lower-limit search stops at the estimate on
    # these boundary tables (it returns 1.00000003 for 5/5 vs 5/5), so it is no oracle there.
    sm_high = smp.confint_proportions_2indep(*counts, method="score", compare="ratio")[1]
    assert r.ci_high == pytest.approx(sm_high, rel=1e-6)


@pytest.mark.parametrize("counts", [(1, 1, 1, 5), (5, 5, 4, 5), (4, 5, 5, 5), (199, 200, 1, 1)])
def test_risk_ratio_with_an_arm_at_100_percent_uses_the_score_interval(counts):
    # Katz's variance term of an arm at 100% is 0: 199/200 vs 1/1 would give [0.985, 1.005] as
    # if one request had fixed the control's rate. The score interval, checked against a
    # 50-digit root find of the Miettinen-Nurminen statistic.
    r = risk_ratio_interval(*control_first(counts))
    assert r.method == "miettinen-nurminen-score"
    assert (r.ci_low, r.ci_high) == pytest.approx(_mn_score_limits_mpmath(*counts), rel=1e-9)
    assert r.ci_low < r.estimate < r.ci_high


def _fisher_brute_force(x1, n1, x0, n0):
    """Exact rational Fisher p-values by enumerating the hypergeometric support."""
    t = x1 + x0
    support = range(max(0, t - n0), min(n1, t) + 1)
    prob = {
        k: Fraction(math.comb(n1, k) * math.comb(n0, t - k), math.comb(n1 + n0, t)) for k in support
    }
    observed = prob[x1]
    two = sum(p for p in prob.values() if p <= observed * Fraction(10**7 + 1, 10**7))
    greater = sum(p for k, p in prob.items() if k >= x1)
    return float(two), float(greater)


@pytest.mark.parametrize("counts", TABLES)
def test_fisher_matches_brute_force(counts):
    two, greater = _fisher_brute_force(*counts)
    f = fisher_test(*control_first(counts))
    assert f.p_value == pytest.approx(min(1.0, two), rel=1e-9)
    assert f.p_value_greater == pytest.approx(greater, rel=1e-9)


def test_fisher_article_values_are_13_over_63():
    # By hand: P(X >= 4) under the hypergeometric (10, 5, 5) is 26/252 = 13/126; doubled.
    f = fisher_test(1, 5, 4, 5)
    assert f.p_value == pytest.approx(13 / 63, rel=1e-12)
    assert f.p_value_greater == pytest.approx(13 / 126, rel=1e-12)


def _boschloo_sup(x1, n1, x0, n0, fisher_p, grid=2001):
    """sup over the common rate of P(fisher_p(table) <= fisher_p(observed)), on a fine grid."""
    observed = fisher_p(x1, x0)
    extreme = np.array(
        [[fisher_p(a, b) <= observed * (1 + 1e-7) for b in range(n0 + 1)] for a in range(n1 + 1)]
    )
    best = 0.0
    for pi in np.linspace(0, 1, grid):
        pa, pb = st.binom.pmf(np.arange(n1 + 1), n1, pi), st.binom.pmf(np.arange(n0 + 1), n0, pi)
        best = max(best, float(pa @ extreme @ pb))
    return best


def _boschloo_greater_brute_force(x1, n1, x0, n0, grid=2001):
    """sup over the common rate of P(Fisher one-sided p <= observed), on a fine grid."""

    def fisher_greater(a, b):
        return st.hypergeom.sf(a - 1, n1 + n0, a + b, n1)

    return _boschloo_sup(x1, n1, x0, n0, fisher_greater, grid)


@pytest.mark.parametrize("counts", [(4, 5, 1, 5), (3, 6, 0, 4), (7, 10, 2, 8)])
def test_boschloo_greater_matches_brute_force(counts):
    # independent: the definition (Boschloo 1970) evaluated over a grid of nuisance values
    assert boschloo_test(*control_first(counts)).p_value_greater == pytest.approx(
        _boschloo_greater_brute_force(*counts), rel=2e-3
    )


@pytest.mark.parametrize("counts", [(0, 3, 2, 7), (4, 5, 1, 5), (0, 2, 2, 4)])
def test_boschloo_two_sided_is_twice_the_smaller_one_sided(counts):
    # docs/methods.md: the kit's two-sided Boschloo p-value is scipy's, twice the smaller
    # one-sided p-value; ordering tables by Fisher's two-sided p is a different test. Both by
    # brute force over the common rate here; for 0/3 vs 2/7 they differ by 0.51.
    _, n1, _, n0 = counts

    def greater(a, b):
        return st.hypergeom.sf(a - 1, n1 + n0, a + b, n1)

    def less(a, b):
        return st.hypergeom.cdf(a, n1 + n0, a + b, n1)

    def two_sided(a, b):
        return st.fisher_exact([[a, n1 - a], [b, n0 - b]]).pvalue

    doubled = min(1.0, 2 * min(_boschloo_sup(*counts, greater), _boschloo_sup(*counts, less)))
    assert boschloo_test(*control_first(counts)).p_value == pytest.approx(doubled, rel=2e-3)
    if counts == (0, 3, 2, 7):
        fisher_ordered = _boschloo_sup(*counts, two_sided)
        assert round(doubled, 3) == 0.487 and fisher_ordered == pytest.approx(1.0)


@pytest.mark.parametrize(("n1", "n0"), [(1, 1), (3, 2), (5, 5), (4, 7), (12, 9)])
def test_boschloo_p_values_are_scipys_own_calls_bit_for_bit(n1, n0):
    # boschloo_test asks scipy for "greater" and "less" once each and doubles the smaller, as
    # scipy's "two-sided" does inside (it ran "greater" a second time before): the same floats.
    for x1, x0 in product(range(n1 + 1), range(n0 + 1)):
        if x1 + x0 in (0, n1 + n0):
            continue
        table = [[x1, x0], [n1 - x1, n0 - x0]]
        result = boschloo_test(x0, n0, x1, n1)
        assert result.p_value == min(1.0, float(st.boschloo_exact(table, "two-sided").pvalue))
        assert result.p_value_greater == min(1.0, float(st.boschloo_exact(table, "greater").pvalue))


def test_boschloo_article_one_sided_is_7_over_128():
    # The supremum sits at a common rate of 1/2: 56 of the 2^10 equally likely outcomes have a
    # one-sided Fisher p at most 13/126 (count checked by enumerating them here).
    fisher_p = {(a, b): _fisher_brute_force(a, 5, b, 5)[1] for a, b in product(range(6), repeat=2)}
    count = sum(
        math.comb(5, a) * math.comb(5, b)
        for (a, b), p in fisher_p.items()
        if p <= 13 / 126 * (1 + 1e-9)
    )
    assert count == 56
    assert boschloo_test(1, 5, 4, 5).p_value_greater == pytest.approx(56 / 1024, rel=1e-9)


def test_boschloo_degenerate_tables_are_one():
    assert boschloo_test(0, 5, 0, 5).p_value == 1.0
    assert boschloo_test(5, 5, 5, 5).p_value_greater == 1.0


def test_boschloo_size_limit_is_a_stated_skip_not_a_hang():
    assert boschloo_skip_reason(140, 140) is None
    reason = boschloo_skip_reason(200, 200)
    assert reason and f"{BOSCHLOO_MAX_TABLES:,}" in reason
    with pytest.raises(InvalidInputError, match="skipped"):
        boschloo_test(90, 200, 100, 200)


@pytest.mark.parametrize("counts", [c for c in TABLES if c[0] + c[2] not in (0, c[1] + c[3])])
@pytest.mark.parametrize("correction", [False, True])
def test_chi2_matches_scipy(counts, correction):
    # scipy.stats.chi2_contingency; correction=False is R's prop.test(correct = FALSE)
    x1, n1, x0, n0 = counts
    res = st.chi2_contingency([[x1, n1 - x1], [x0, n0 - x0]], correction=correction)
    c = chi2_test(*control_first(counts), correction=correction)
    assert c.statistic == pytest.approx(res.statistic, rel=1e-10, abs=1e-12)
    assert c.p_value == pytest.approx(res.pvalue, rel=1e-9)


def test_chi2_is_the_square_of_the_pooled_score_test():
    # statsmodels smp.test_proportions_2indep(method="score", correction=False) is the pooled z
    z = smp.test_proportions_2indep(7, 34, 1, 34, method="score", correction=False).statistic
    assert chi2_test(1, 34, 7, 34).statistic == pytest.approx(z**2, rel=1e-10)


def test_chi2_without_variation_is_defined():
    assert (chi2_test(0, 7, 0, 5).statistic, chi2_test(0, 7, 0, 5).p_value) == (0.0, 1.0)
    assert chi2_test(7, 7, 5, 5, correction=True).p_value == 1.0


# statsmodels divides by a zero standard error when both arms are at 0 % or 100 %; those cases
# are covered by test_wald_with_zero_standard_error_is_shown_not_hidden.
@pytest.mark.parametrize(
    "counts", [c for c in TABLES if not (c[0] in (0, c[1]) and c[2] in (0, c[3]))]
)
def test_wald_matches_statsmodels(counts):
    res = smp.test_proportions_2indep(*counts, method="wald")
    w = wald_test(*control_first(counts))
    assert w.statistic == pytest.approx(res.statistic, rel=1e-10)
    assert w.p_value == pytest.approx(res.pvalue, rel=1e-9)


def test_wald_with_zero_standard_error_is_shown_not_hidden():
    assert wald_test(0, 5, 5, 5).p_value == 0.0 and math.isinf(wald_test(0, 5, 5, 5).statistic)
    assert (wald_test(0, 5, 0, 5).statistic, wald_test(0, 5, 0, 5).p_value) == (0.0, 1.0)


@pytest.mark.parametrize("fn", [difference_interval, risk_ratio_interval, fisher_test, chi2_test])
def test_empty_arm_is_a_clear_error(fn):
    with pytest.raises(InvalidInputError, match="n = 0"):
        fn(1, 5, 0, 0)
