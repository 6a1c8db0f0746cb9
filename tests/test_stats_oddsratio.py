"""The conditional MLE odds ratio and its exact interval against a 40-digit mpmath computation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import gammaln, logsumexp
from scipy.stats.contingency import odds_ratio as scipy_odds_ratio
from two_arm_order import control_first

from etiquette_lab.errors import InvalidInputError
from etiquette_lab.stats import conditional_odds_ratio, odds_ratio_interval

mpmath = pytest.importorskip("mpmath", reason="mpmath is the high-precision reference")


def _mp_reference(x1, n1, x0, n0, alpha=0.05):
    """CMLE and exact limits over the full support, at 40 significant digits (Cornfield 1956)."""
    mp = mpmath.mp
    mp.dps = 40
    t = x1 + x0
    ks = list(range(max(0, t - n0), min(n1, t) + 1))
    weights = [mpmath.binomial(n1, k) * mpmath.binomial(n0, t - k) for k in ks]

    def moments(theta):
        w = [c * mpmath.exp(k * theta) for c, k in zip(weights, ks, strict=True)]
        total = mpmath.fsum(w)
        return w, total

    def mean_minus_x(theta):
        w, total = moments(theta)
        return mpmath.fsum(k * v for k, v in zip(ks, w, strict=True)) / total - x1

    def upper_tail(theta):  # P(X >= x1) - alpha/2
        w, total = moments(theta)
        return mpmath.fsum(v for k, v in zip(ks, w, strict=True) if k >= x1) / total - alpha / 2

    def lower_tail(theta):  # P(X <= x1) - alpha/2
        w, total = moments(theta)
        return mpmath.fsum(v for k, v in zip(ks, w, strict=True) if k <= x1) / total - alpha / 2

    start = math.log((x1 + 0.5) * (n0 - x0 + 0.5) / ((n1 - x1 + 0.5) * (x0 + 0.5)))

    def root(f, lo, hi):  # plain bisection of an increasing or decreasing f: 150 halvings
        lo, hi = mpmath.mpf(lo), mpmath.mpf(hi)
        f_lo = f(lo)
        assert f_lo * f(hi) < 0, "the bracket must hold the root"
        for _ in range(150):
            mid = (lo + hi) / 2
            if (f(mid) < 0) == (f_lo < 0):
                lo = mid
            else:
                hi = mid
        return (lo + hi) / 2

    est = mpmath.exp(root(mean_minus_x, start - 8, start + 8))
    low = mpmath.exp(root(upper_tail, start - 15, start + 1))
    high = mpmath.exp(root(lower_tail, start - 1, start + 15))
    return float(est), float(low), float(high)


INTERIOR = [
    (4, 5, 1, 5),
    (3, 4, 1, 4),
    (7, 34, 1, 34),
    (1, 5, 4, 5),
    (12, 40, 3, 12),
    (56, 70, 48, 80),
    (250, 1000, 220, 1000),
]


@pytest.mark.parametrize("counts", INTERIOR)
def test_matches_high_precision_mpmath(counts):
    est, low, high = conditional_odds_ratio(*control_first(counts))
    ref = _mp_reference(*counts)
    assert (est, low, high) == pytest.approx(ref, rel=1e-10)


@pytest.mark.parametrize("counts", INTERIOR)
def test_agrees_with_scipy_within_its_tolerance(counts):
    x1, n1, x0, n0 = counts
    res = scipy_odds_ratio([[x1, n1 - x1], [x0, n0 - x0]], kind="conditional")
    ci = res.confidence_interval(0.95)
    assert conditional_odds_ratio(*control_first(counts)) == pytest.approx(
        (res.statistic, ci.low, ci.high), rel=1e-6
    )


def test_tea_tasting_table_to_ten_digits():
    # Fisher's tea-tasting table (3 1 / 1 3), the example of R's ?fisher.test. R's uniroot
    # tolerance leaves the printed limits a few units off in the last digits shown, so the
    # reference here is the 40-digit computation only.
    est, low, high = conditional_odds_ratio(1, 4, 3, 4)
    ref = _mp_reference(3, 4, 1, 4)
    assert (est, low, high) == pytest.approx(ref, rel=1e-10)
    assert 6.40 < est < 6.41 and 626.2 < high < 626.3


def test_edges_of_the_support():
    # x1 at the lowest value the margins allow: estimate 0 and lower limit 0 (as fisher.test)
    est, low, high = conditional_odds_ratio(3, 5, 0, 5)
    assert (est, low) == (0.0, 0.0) and 0 < high < math.inf
    est, low, high = conditional_odds_ratio(2, 5, 5, 5)
    assert (est, high) == (math.inf, math.inf) and low > 0
    # the upper limit at the lower edge solves P(X <= 0) = alpha/2 exactly (mpmath)
    mp = mpmath.mp
    mp.dps = 30
    psi = mpmath.mpf(conditional_odds_ratio(3, 5, 0, 5)[2])
    weights = [mpmath.binomial(5, k) * mpmath.binomial(5, 3 - k) * psi**k for k in range(4)]
    assert float(weights[0] / mpmath.fsum(weights)) == pytest.approx(0.025, rel=1e-10)


def test_single_point_support_is_undefined_not_a_crash():
    for counts in [(0, 5, 0, 5), (5, 5, 5, 5)]:
        o = odds_ratio_interval(*control_first(counts))
        assert math.isnan(o.estimate) and (o.ci_low, o.ci_high) == (0.0, math.inf)
        assert "undefined" in o.note
        assert o.to_dict()["estimate"] is None and o.to_dict()["ci_high"] is None


def _full_support_float(x1, n1, x0, n0, alpha=0.05):
    """Same equations over the *whole* support in double precision (independent of the window)."""
    from scipy.optimize import brentq

    t = x1 + x0
    k = np.arange(max(0, t - n0), min(n1, t) + 1, dtype=float)
    base = -gammaln(k + 1) - gammaln(n1 - k + 1) - gammaln(t - k + 1) - gammaln(n0 - t + k + 1)

    def tail(theta, upper):
        w = base + k * theta
        sel = k >= x1 if upper else k <= x1
        return math.exp(logsumexp(w[sel]) - logsumexp(w))

    low = brentq(lambda th: tail(th, True) - alpha / 2, -5, 5, xtol=1e-14)
    high = brentq(lambda th: tail(th, False) - alpha / 2, -5, 5, xtol=1e-14)
    return math.exp(low), math.exp(high)


def test_windowed_support_matches_the_full_support_for_large_n():
    counts = (10_120, 20_000, 9_900, 20_000)
    _, low, high = conditional_odds_ratio(*control_first(counts))
    assert (low, high) == pytest.approx(_full_support_float(*counts), rel=1e-7)


def test_ten_million_per_arm_is_finite_and_sensible():
    # near-normal regime: the Woolf (logit) interval is a close independent approximation
    x1, n1, x0, n0 = 5_010_000, 10_000_000, 5_000_000, 10_000_000
    est, low, high = conditional_odds_ratio(x0, n0, x1, n1)
    log_or = math.log(x1 * (n0 - x0) / ((n1 - x1) * x0))
    se = math.sqrt(1 / x1 + 1 / (n1 - x1) + 1 / x0 + 1 / (n0 - x0))
    assert est == pytest.approx(math.exp(log_or), rel=1e-6)
    assert low == pytest.approx(math.exp(log_or - 1.959964 * se), rel=1e-5)
    assert high == pytest.approx(math.exp(log_or + 1.959964 * se), rel=1e-5)


# -- the sample odds ratio with Woolf's interval (what papers and logistic regression print) ---


@pytest.mark.parametrize(
    ("x1", "n1", "x0", "n0"), [(30, 254, 26, 255), (4, 5, 1, 5), (12, 40, 5, 38)]
)
def test_woolf_matches_statsmodels_and_scipy(x1, n1, x0, n0):
    # statsmodels Table2x2(...).oddsratio / oddsratio_confint() and scipy's
    # contingency.odds_ratio(kind="sample") are independent implementations of the same formula.
    from scipy.stats.contingency import odds_ratio
    from statsmodels.stats.contingency_tables import Table2x2

    table = [[x1, n1 - x1], [x0, n0 - x0]]
    woolf = odds_ratio_interval(x0, n0, x1, n1, method="woolf")
    low, high = Table2x2(table).oddsratio_confint()
    assert woolf.estimate == pytest.approx(Table2x2(table).oddsratio, rel=1e-12)
    assert (woolf.ci_low, woolf.ci_high) == pytest.approx((low, high), rel=1e-12)
    scipy_ci = odds_ratio(table, kind="sample").confidence_interval()
    assert (woolf.ci_low, woolf.ci_high) == pytest.approx((scipy_ci.low, scipy_ci.high), rel=1e-9)


def test_woolf_reproduces_the_published_trial():
    # Thiblin et al. 2022, BMC Med Res Methodol 22:65, abstract: OR 1.18, 95% CI 0.68-2.06
    # (personalised 30/254 vs non-personalised 26/255 enrolled).
    woolf = odds_ratio_interval(26, 255, 30, 254, method="woolf")
    assert (round(woolf.estimate, 2), round(woolf.ci_low, 2), round(woolf.ci_high, 2)) == (
        1.18,
        0.68,
        2.06,
    )


def test_woolf_with_an_empty_cell_adds_a_half_for_the_interval_only():
    # Haldane-Anscombe adds 0.5 to every cell: statsmodels on the corrected table
    # [[5.5, 0.5], [1.5, 4.5]] (its own shift_zeros shifts only the empty cell, a different rule).
    from statsmodels.stats.contingency_tables import Table2x2

    woolf = odds_ratio_interval(1, 5, 5, 5, method="woolf")
    assert woolf.estimate == math.inf and woolf.method == "woolf-haldane" and woolf.note
    low, high = Table2x2([[5.5, 0.5], [1.5, 4.5]]).oddsratio_confint()
    assert (woolf.ci_low, woolf.ci_high) == pytest.approx((low, high), rel=1e-12)
    with pytest.raises(InvalidInputError):
        odds_ratio_interval(1, 5, 4, 5, method="wald")
