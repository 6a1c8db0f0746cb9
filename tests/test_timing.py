"""Time to response: Kaplan-Meier, medians, window probability and log-rank, checked against R.

Every reference number has two sources: R's printed output (the call is quoted; the outputs come
from the survival package's own regression tests, tests/doaml.Rout.save and
tests/quantile.Rout.save, and from published survdiff/summary output on `ovarian`), and a
brute-force recomputation in this file (product-limit, Greenwood, log-rank with hypergeometric
variances) that shares no code with etiquette_lab.analyse.timing.
"""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import pytest

from etiquette_lab.analyse.timing import (
    _quantile_time,
    parse_window_days,
    response_durations,
    time_to_response,
    time_to_response_from_durations,
)
from etiquette_lab.errors import InvalidInputError

Z95 = 1.959963984540054  # qnorm(0.975)

# R: library(survival); aml  (Miller 1981). "+" = censored.
AML_MAINTAINED = ([9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161], [1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0])
AML_NONMAINTAINED = (
    [5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45],
    [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1],
)
# R: ovarian (survival package): futime, fustat for rx = 1 and rx = 2.
OVARIAN_RX1 = (
    [59, 115, 156, 431, 448, 477, 638, 803, 855, 1040, 1106, 268, 329],
    [1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 1, 1],
)
OVARIAN_RX2 = (
    [421, 464, 475, 563, 744, 769, 770, 1129, 1206, 1227, 353, 365, 377],
    [0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0],
)


def arm(pair):
    return (np.asarray(pair[0], float), np.asarray(pair[1], bool))


# --- independent brute force ----------------------------------------------------------------


def brute_km(days, events):
    """Product-limit by hand: [(t, n at risk, d, S(t), Greenwood sum)] at each event time."""
    rows, s, gw = [], 1.0, 0.0
    for t in sorted({d for d, e in zip(days, events, strict=True) if e}):
        n = sum(1 for d in days if d >= t)
        d = sum(1 for x, e in zip(days, events, strict=True) if e and x == t)
        s *= 1 - d / n
        gw = gw + d / (n * (n - d)) if n > d else math.inf
        rows.append((t, n, d, s, gw))
    return rows


def brute_s_at(days, events, day):
    s = 1.0
    for t, _, _, s_t, _ in brute_km(days, events):
        if t <= day:
            s = s_t
    return s


def brute_logrank(x, y):
    """Two-sample log-rank: (O1, E1, chi-square, p) with hypergeometric variances."""
    days = list(x[0]) + list(y[0])
    events = list(x[1]) + list(y[1])
    group = [0] * len(x[0]) + [1] * len(y[0])
    o1 = e1 = v = 0.0
    for t in sorted({d for d, e in zip(days, events, strict=True) if e}):
        n = sum(1 for d in days if d >= t)
        n1 = sum(1 for d, g in zip(days, group, strict=True) if d >= t and g == 0)
        d = sum(1 for u, e in zip(days, events, strict=True) if e and u == t)
        d1 = sum(1 for u, e, g in zip(days, events, group, strict=True) if e and u == t and g == 0)
        o1 += d1
        e1 += d * n1 / n
        if n > 1:
            v += n1 * (n - n1) * d * (n - d) / (n * n * (n - 1))
    chisq = (o1 - e1) ** 2 / v
    return o1, e1, chisq, math.erfc(math.sqrt(chisq / 2))  # P(chi2_1 > x) = erfc(sqrt(x/2))


def aml_report(**kwargs):
    return time_to_response_from_durations(
        {"Maintained": AML_MAINTAINED, "Nonmaintained": AML_NONMAINTAINED},
        **{"window": 30, **kwargs},
    )


# --- R references: aml ----------------------------------------------------------------------

# R 2.11.1, survival tests/doaml.Rout.save:
#   summary(survfit(Surv(aml$time, aml$status) ~ aml$x))
# (time, survival, lower 95% CI, upper 95% CI); conf.type = "log", R's default.
AML_R_SUMMARY = {
    "Maintained": [
        (9, 0.909, 0.7541, 1.000),
        (13, 0.818, 0.6192, 1.000),
        (18, 0.716, 0.4884, 1.000),
        (23, 0.614, 0.3769, 0.999),
        (31, 0.491, 0.2549, 0.946),
        (34, 0.368, 0.1549, 0.875),
        (48, 0.184, 0.0359, 0.944),
    ],
    "Nonmaintained": [
        (5, 0.8333, 0.6470, 1.000),
        (8, 0.6667, 0.4468, 0.995),
        (12, 0.5833, 0.3616, 0.941),
        (23, 0.4861, 0.2675, 0.883),
        (27, 0.3889, 0.1854, 0.816),
        (30, 0.2917, 0.1148, 0.741),
        (33, 0.1944, 0.0569, 0.664),
        (43, 0.0972, 0.0153, 0.620),
    ],
}


@pytest.mark.parametrize("name", ["Maintained", "Nonmaintained"])
def test_aml_curve_and_log_band_match_r_survfit(name):
    report = aml_report()
    curve = report.arm(name).curve
    data = AML_MAINTAINED if name == "Maintained" else AML_NONMAINTAINED
    brute = {t: (s, gw) for t, _, _, s, gw in brute_km(*data)}
    for t, r_surv, r_low, r_high in AML_R_SUMMARY[name]:
        i = curve.days.index(float(t))
        surv, low, high = 1 - curve.p_responded[i], 1 - curve.ci_high[i], 1 - curve.ci_low[i]
        # Source 1: R's printed summary (3-4 significant digits).
        assert surv == pytest.approx(
            r_surv, abs=5e-4 if r_surv < 0.9 or len(str(r_surv)) < 6 else 5e-5
        )
        assert low == pytest.approx(r_low, abs=5e-5)
        assert high == pytest.approx(r_high, abs=5e-4)
        # Source 2: product-limit and Greenwood by hand, "log" band exp(+-z se(log S)).
        s, gw = brute[t]
        assert surv == pytest.approx(s, rel=1e-12)
        assert low == pytest.approx(s * math.exp(-Z95 * math.sqrt(gw)), rel=1e-12)
        assert high == pytest.approx(min(1.0, s * math.exp(Z95 * math.sqrt(gw))), rel=1e-12)


def test_aml_curve_ends_at_one_with_undefined_band_as_in_r():
    # R summary above: time 45, survival 0.0000, std.err NaN, CIs NA (Nonmaintained).
    curve = aml_report().arm("Nonmaintained").curve
    assert curve.p_responded[-1] == 1.0
    assert math.isnan(curve.ci_low[-1]) and math.isnan(curve.ci_high[-1])


def test_aml_medians_match_r_print():
    # R 2.11.1, doaml.Rout.save: print(survfit(Surv(aml$time, aml$status) ~ aml$x))
    #   Maintained: events 7, median 31, 0.95LCL 18, 0.95UCL NA
    #   Nonmaintained: events 11, median 23, 0.95LCL 8, 0.95UCL NA
    # By hand: S first <= 0.5 at 31 (0.491) and 23 (0.486); the lower band first <= 0.5 at 18
    # (0.4884) and 8 (0.4468); the upper band never reaches 0.5 in either arm (table above).
    report = aml_report()
    m, n = report.arm("Maintained"), report.arm("Nonmaintained")
    assert (m.responded, n.responded) == (7, 11)
    assert (m.median_days, m.median_ci_low) == (31.0, 18.0)
    assert (n.median_days, n.median_ci_low) == (23.0, 8.0)
    assert math.isnan(m.median_ci_high) and math.isnan(n.median_ci_high)


def test_aml_logrank_matches_r_survdiff():
    # R 2.11.1, doaml.Rout.save: survdiff(Surv(aml$time, aml$status) ~ aml$x)
    #   Maintained: Observed 7, Expected 10.69; Nonmaintained: 11, 7.31
    #   (O-E)^2/V = 3.40; Chisq= 3.4 on 1 degrees of freedom, p= 0.0653
    report = aml_report()
    _, e1, chisq, p = brute_logrank(arm(AML_MAINTAINED), arm(AML_NONMAINTAINED))
    m, n = report.arm("Maintained"), report.arm("Nonmaintained")
    assert (m.observed, n.observed) == (7, 11)
    assert m.expected == pytest.approx(10.69, abs=5e-3)
    assert n.expected == pytest.approx(7.31, abs=5e-3)
    assert m.expected == pytest.approx(e1, rel=1e-12)
    assert report.logrank.statistic == pytest.approx(3.40, abs=5e-3)
    assert report.logrank.statistic == pytest.approx(chisq, rel=1e-10)
    assert report.logrank.p_value == pytest.approx(0.0653, abs=5e-5)
    assert report.logrank.p_value == pytest.approx(p, rel=1e-9)
    assert report.logrank.df == 1
    assert report.differences[0].logrank_p_value == pytest.approx(p, rel=1e-9)


# --- R references: quantile rule (ties, censoring, flat parts) ------------------------------

# R 4.3.2, survival tests/quantile.Rout.save:
#   test1 <- data.frame(time=c(9,3,1,1,6,6,8,10), status=c(1,NA,1,0,1,1,0,0), x=c(0,2,1,1,1,0,0,0))
#   (the row with status NA is dropped by survfit)
TEST1 = {
    "x=0": ([9, 6, 8, 10], [True, True, False, False]),
    "x=1": ([1, 1, 6], [True, False, True]),
}
TEST1_ALL = ([9, 1, 1, 6, 6, 8, 10], [True, True, False, True, True, False, False])


def test_quantile_rule_matches_r_including_flat_parts():
    # R: fit1 <- survfit(Surv(time, status) ~ 1, test1, conf.type='none')
    #    qq <- c(13/14, 6/7, 2/3, .5, 9/35, .1); quantile(fit1, 1-qq) == c(1, 3.5, 6, 9, 9.5, NA)
    # By hand: S = 6/7 on [1, 6), 18/35 on [6, 9), 9/35 on [9, 10]; a flat part exactly at the
    # probability gives the midpoint (3.5 = (1+6)/2; 9.5 = (9 + last time 10)/2).
    times = np.array([1.0, 6.0, 8.0, 9.0, 10.0])
    surv = np.array([6 / 7, 18 / 35, 18 / 35, 9 / 35, 9 / 35])
    qq = [13 / 14, 6 / 7, 2 / 3, 0.5, 9 / 35, 0.1]
    got = [_quantile_time(times, surv, 1 - q, 10.0) for q in qq]
    assert got[:5] == pytest.approx([1, 3.5, 6, 9, 9.5], abs=1e-12)
    assert math.isnan(got[5])


def test_medians_with_ties_match_r_quantile():
    # R: fit2 <- survfit(Surv(time, status) ~ x, test1); quantile(fit2, 1-qq) at p = 0.5
    #   quantile x=0: 9, x=1: 6; lower x=0: 6, x=1: 1; upper: NA for both.
    # By hand: x=0: S = 3/4 at 6 (tie with a censoring at 8 later), 3/8 at 9 -> median 9;
    #          x=1: S = 2/3 at 1 (tied event and censoring), 0 at 6 -> median 6.
    report = time_to_response_from_durations(TEST1, window=7)
    x0, x1 = report.arm("x=0"), report.arm("x=1")
    assert (x0.median_days, x0.median_ci_low) == (9.0, 6.0)
    assert (x1.median_days, x1.median_ci_low) == (6.0, 1.0)
    assert math.isnan(x0.median_ci_high) and math.isnan(x1.median_ci_high)
    assert 1 - x0.p_by_window == pytest.approx(brute_s_at(*TEST1["x=0"], 7), rel=1e-12)


def test_single_curve_median_and_lower_limit_match_r():
    # R: quantile(survfit(Surv(time, status) ~ 1, test1), 0.5): quantile 9, lower 6, upper NA
    report = time_to_response_from_durations({"all": TEST1_ALL})
    only = report.arm("all")
    assert (only.median_days, only.median_ci_low) == (9.0, 6.0)
    assert math.isnan(only.median_ci_high)
    assert math.isnan(report.logrank.p_value) and report.differences == ()


def test_median_on_a_flat_part_is_the_midpoint():
    # R's rule (quantile.survfit, "the usual midpoint rule used for medians"): with four
    # responses at days 1..4, S = 0.5 exactly on [2, 3), so the median is 2.5.
    report = time_to_response_from_durations({"a": ([1, 2, 3, 4], [True] * 4)})
    assert report.arm("a").median_days == 2.5


# --- R references: ovarian ------------------------------------------------------------------


def test_ovarian_logrank_matches_r_survdiff():
    # R: survdiff(Surv(futime, fustat) ~ rx, data = ovarian)
    #   rx=1 N 13 Observed 7 Expected 5.23353; rx=2 N 13 Observed 5 Expected 6.76647
    #   (O-E)^2/V 1.06274; Chisq= 1.1 on 1 degrees of freedom, p= 0.302591
    report = time_to_response_from_durations({"rx1": OVARIAN_RX1, "rx2": OVARIAN_RX2}, window=500)
    o1, e1, chisq, p = brute_logrank(arm(OVARIAN_RX1), arm(OVARIAN_RX2))
    assert (report.arm("rx1").observed, report.arm("rx2").observed) == (7, 5) == (o1, 12 - o1)
    assert report.arm("rx1").expected == pytest.approx(5.23353, abs=5e-6)
    assert report.arm("rx2").expected == pytest.approx(6.76647, abs=5e-6)
    assert report.arm("rx1").expected == pytest.approx(e1, rel=1e-12)
    assert report.logrank.statistic == pytest.approx(1.06274, abs=5e-6)
    assert report.logrank.statistic == pytest.approx(chisq, rel=1e-10)
    assert report.logrank.p_value == pytest.approx(0.302591, abs=5e-7)
    assert report.logrank.p_value == pytest.approx(p, rel=1e-9)


def test_ovarian_window_probability_matches_r_summary_at_a_time():
    # R: summary(survfit(Surv(futime, fustat) ~ rx, data = ovarian), times = 500)$surv
    #   0.5384615 (rx=1), 0.6581197 (rx=2); P(response by t) = 1 - S(t).
    report = time_to_response_from_durations({"rx1": OVARIAN_RX1, "rx2": OVARIAN_RX2}, window=500)
    for name, data, r_surv in [("rx1", OVARIAN_RX1, 0.5384615), ("rx2", OVARIAN_RX2, 0.6581197)]:
        got = report.arm(name).p_by_window
        assert got == pytest.approx(1 - r_surv, abs=5e-8)
        assert got == pytest.approx(1 - brute_s_at(*data, 500), rel=1e-12)


def _wilson(p, n):
    """Wilson (1927) score limits for a proportion p from n (n need not be whole)."""
    centre, half = p + Z95**2 / (2 * n), Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n))
    return (centre - half) / (1 + Z95**2 / n), (centre + half) / (1 + Z95**2 / n)


def test_window_difference_is_newcombes_hybrid_at_the_effective_sample_size():
    # By hand: Var(S(t)) = S^2 * sum d/(n(n-d)) (Greenwood, brute_km); each arm's effective
    # sample size F(1 - F) / Var (Anderson, Bernstein & Pike 1982), Wilson limits at it, and
    # Newcombe's (1998) method 10 for the difference of the two.
    report = time_to_response_from_durations({"rx1": OVARIAN_RX1, "rx2": OVARIAN_RX2}, window=500)
    limits, estimates, variances = [], [], []
    for data in (OVARIAN_RX1, OVARIAN_RX2):
        rows = [r for r in brute_km(*data) if r[0] <= 500]
        f, var = 1 - rows[-1][3], rows[-1][3] ** 2 * rows[-1][4]
        estimates.append(f)
        variances.append(var)
        limits.append(_wilson(f, f * (1 - f) / var))
    diff = report.differences[0]
    expected = (1 - 0.6581197) - (1 - 0.5384615)  # R's summary values, as above
    assert diff.arm == "rx2" and diff.control == "rx1"
    assert diff.difference == pytest.approx(expected, abs=1e-7)
    (l0, u0), (l1, u1) = limits
    (f0, f1) = estimates
    assert diff.ci_low == pytest.approx(f1 - f0 - math.hypot(f1 - l1, u0 - f0), rel=1e-10)
    assert diff.ci_high == pytest.approx(f1 - f0 + math.hypot(u1 - f1, f0 - l0), rel=1e-10)
    assert report.arm("rx1").p_by_window_se == pytest.approx(math.sqrt(variances[0]), rel=1e-10)
    assert diff.method == "newcombe-hybrid-wilson-effective-n"


@pytest.mark.parametrize(
    ("arm_counts", "control_counts"), [((0, 4), (3, 4)), ((0, 5), (0, 9)), ((5, 5), (5, 5))]
)
def test_window_difference_is_honest_at_0_and_100_percent(arm_counts, control_counts):
    # With nobody censored before day 7 the Kaplan-Meier estimate is the plain proportion and
    # the effective sample size is n, so the interval must be Newcombe's for the two
    # proportions: statsmodels confint_proportions_2indep(method="newcomb"). The Wald interval
    # from Greenwood's variance (0 at 0%) gave [-1.000, -0.326] for 0 of 4 vs 3 of 4 and
    # [0, 0] for 0 of 5 vs 0 of 9.
    from statsmodels.stats.proportion import confint_proportions_2indep

    def durations(x, n):
        return [2.0] * x + [10.0] * (n - x), [True] * x + [False] * (n - x)

    report = time_to_response_from_durations(
        {"control": durations(*control_counts), "arm": durations(*arm_counts)}, window=7
    )
    d = report.differences[0]
    low, high = confint_proportions_2indep(*arm_counts, *control_counts, method="newcomb")
    assert (d.ci_low, d.ci_high) == pytest.approx((max(-1, low), min(1, high)), abs=1e-12)
    assert d.ci_low < d.difference < d.ci_high or d.ci_low < 0 < d.ci_high
    assert "nan" not in str(report)


def test_log_log_band_matches_the_formula():
    # R's conf.type = "log-log": S^exp(+-z se / log S), se = sqrt(Greenwood sum); by hand.
    report = aml_report(conf_type="log-log")
    curve = report.arm("Maintained").curve
    for t, _, _, s, gw in brute_km(*AML_MAINTAINED):
        i = curve.days.index(float(t))
        theta = Z95 * math.sqrt(gw) / math.log(s)
        assert 1 - curve.ci_high[i] == pytest.approx(s ** math.exp(-theta), rel=1e-9)
        assert 1 - curve.ci_low[i] == pytest.approx(s ** math.exp(theta), rel=1e-9)


def brute_k_sample(data):
    """survdiff's O - E and hypergeometric covariance V by hand: one scan of every request at
    every response time (shares no code with etiquette_lab.analyse.timing)."""
    days = np.concatenate([d for d, _ in data])
    ev = np.concatenate([e for _, e in data])
    grp = np.concatenate([np.full(len(d), i) for i, (d, _) in enumerate(data)])
    k = len(data)
    u, v, expected = np.zeros(k), np.zeros((k, k)), np.zeros(k)
    for t in sorted(set(days[ev])):
        risk = days >= t
        n, d = risk.sum(), (ev & (days == t)).sum()
        for g in range(k):
            ng, dg = (risk & (grp == g)).sum(), (ev & (days == t) & (grp == g)).sum()
            u[g] += dg - d * ng / n
            expected[g] += d * ng / n
            for h in range(k):
                nh = (risk & (grp == h)).sum()
                if n > 1:
                    v[g, h] += d * (n - d) / (n - 1) * ng * ((g == h) * n - nh) / n**2
    return u, v, expected


def test_three_arms_use_the_k_sample_logrank():
    # By hand: survdiff's k-sample statistic U' V^- U on k - 1 df, U = O - E (last arm dropped),
    # V the hypergeometric covariance; with two of the arms it reduces to the two-arm test.
    arms = {"a": AML_MAINTAINED, "b": AML_NONMAINTAINED, "c": ([4, 10, 20, 40], [1, 1, 0, 1])}
    report = time_to_response_from_durations(arms, window=30)
    u, v, _ = brute_k_sample([arm(v) for v in arms.values()])
    chisq = float(u[:2] @ np.linalg.solve(v[:2, :2], u[:2]))
    assert report.logrank.df == 2
    assert report.logrank.statistic == pytest.approx(chisq, rel=1e-10)
    assert report.logrank.p_value == pytest.approx(math.exp(-chisq / 2), rel=1e-10)  # chi2_2 sf


@pytest.mark.parametrize("seed", range(12))
def test_k_sample_logrank_matches_the_brute_force_with_ties(seed):
    # Random arms (2 to 4, 1 to 30 requests each) on a coarse grid of days, so that responses
    # and censorings tie within and across arms: the counts at risk, observed and expected
    # responses and the chi-square agree with the scan at every response time.
    rng = np.random.default_rng(seed)
    data = [
        (rng.integers(0, 12, n).astype(float), rng.random(n) < rng.uniform(0.1, 0.9))
        for n in rng.integers(1, 31, rng.integers(2, 5))
    ]
    data[0][1][0] = True  # at least one response, so the test is defined
    report = time_to_response_from_durations(
        {f"arm{i}": pair for i, pair in enumerate(data)}, window=5
    )
    u, v, expected = brute_k_sample(data)
    observed = [int(e.sum()) for _, e in data]
    assert [a.observed for a in report.arms] == observed
    assert [a.expected for a in report.arms] == pytest.approx(expected, rel=1e-12, abs=1e-12)
    k = len(data)
    if k == 2 and v[0, 0] > 0:
        assert report.logrank.statistic == pytest.approx(u[0] ** 2 / v[0, 0], rel=1e-9)
    elif k > 2:
        chisq = float(u[:-1] @ np.linalg.pinv(v[:-1, :-1]) @ u[:-1])
        assert report.logrank.statistic == pytest.approx(chisq, rel=1e-9, abs=1e-12)
        assert report.logrank.df == np.linalg.matrix_rank(v[:-1, :-1])


# --- small and degenerate arms --------------------------------------------------------------


def test_same_day_responses_at_time_zero():
    # By hand: 2 of 4 respond at day 0, so the curve starts at 1/2; then 1 of 2 at day 1.
    report = time_to_response_from_durations(
        {"a": ([0, 0, 1, 3], [True, True, True, False])}, window=2
    )
    a = report.arm("a")
    assert a.curve.days[0] == 0.0 and a.curve.p_responded[0] == 0.5
    assert a.median_days == 0.5  # flat exactly at 0.5 on [0, 1): midpoint, R's rule
    assert a.p_by_window == pytest.approx(0.75)


def test_all_answered_arm():
    # By hand: 5 of 5 respond by day 4: P(by day 7) = 1; Greenwood is undefined there (as R).
    report = time_to_response_from_durations(
        {"c": ([1, 2, 2, 3, 4], [True] * 5), "t": ([1, 1, 1, 1, 1], [True] * 5)}
    )
    c = report.arm("c")
    assert (c.responded, c.censored, c.p_by_window, c.median_days) == (5, 0, 1.0, 2.0)
    assert math.isnan(c.p_by_window_se) and report.differences[0].difference == 0.0
    # Greenwood is undefined at 100%: the difference's interval uses n_eff = 5 in each arm,
    # Newcombe's interval for 5 of 5 against 5 of 5 (Wilson's 0.5655 lower limit, twice).
    assert report.differences[0].ci_high == pytest.approx(1 - 0.5655, abs=1e-4)
    json.loads(report.to_json())


def test_none_answered_arms():
    report = time_to_response_from_durations({"a": ([8, 9], [False, False]), "b": ([10], [False])})
    a = report.arm("a")
    assert (a.responded, a.p_by_window, a.p_by_window_ci_low, a.p_by_window_ci_high) == (0, 0, 0, 0)
    assert math.isnan(a.median_days) and not a.median_reached
    assert math.isnan(report.logrank.statistic) and math.isnan(report.logrank.p_value)
    assert "not defined" in str(report)
    assert json.loads(report.to_json())["logrank"]["p_value"] is None


def test_single_request_arm():
    # By hand: one request answered on day 2 vs one pending at day 9: O-E = 1 - 1/2, V = 1/4.
    report = time_to_response_from_durations({"a": ([2], [True]), "b": ([9], [False])})
    assert report.arm("a").median_days == 2.0 and report.arm("a").p_by_window == 1.0
    assert report.arm("b").p_by_window == 0.0
    assert report.logrank.statistic == pytest.approx(1.0)
    assert report.logrank.p_value == pytest.approx(math.erfc(math.sqrt(0.5)))


def test_window_beyond_follow_up_is_not_estimable():
    report = time_to_response_from_durations({"a": ([1, 3], [True, False])}, window="7d")
    a = report.arm("a")
    assert math.isnan(a.p_by_window) and a.follow_up_days == 3.0
    assert "not estimable" in str(report)
    assert json.loads(report.to_json())["arms"][0]["p_by_window"] is None


def test_km_window_probability_equals_plain_proportion_without_pending():
    # With no censoring before day 7, KM's P(response by day 7) is the plain proportion of
    # requests answered within 7 days (the window outcome), computed directly here.
    rng = np.random.default_rng(6)
    days = np.round(rng.exponential(5, size=40), 1)
    responded = days < 12  # the unanswered are censored at day 12, after the window
    days = np.where(responded, days, 12.0)
    report = time_to_response_from_durations({"a": (days, responded)}, window=7)
    plain = np.mean(responded & (days <= 7))
    assert report.arm("a").p_by_window == pytest.approx(plain, rel=1e-12)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({}, "no arms"),
        ({"a": ([], [])}, "no requests"),
        ({"a": ([1, -1], [True, True])}, "not negative"),
        ({"a": ([1, 2], [True])}, "equal-length"),
    ],
)
def test_bad_durations_raise(bad, message):
    with pytest.raises(InvalidInputError, match=message):
        time_to_response_from_durations(bad)


def test_bad_options_raise():
    with pytest.raises(InvalidInputError, match="control"):
        aml_report(control="nope")
    with pytest.raises(InvalidInputError, match="conf_type"):
        aml_report(conf_type="plain")
    with pytest.raises(InvalidInputError, match="alpha"):
        aml_report(alpha=1.5)


@pytest.mark.parametrize(
    ("window", "days"),
    [
        ("7d", 7.0),
        ("36h", 1.5),
        ("2W", 14.0),
        (" 90 min", 0.0625),
        (3, 3.0),
        ("2.5", 2.5),
        (dt.timedelta(hours=12), 0.5),
        (pd.Timedelta("3D"), 3.0),
    ],
)
def test_parse_window(window, days):
    assert parse_window_days(window) == pytest.approx(days)


@pytest.mark.parametrize("window", ["seven days", "0d", -1, True, None, "7y"])
def test_parse_window_rejects(window):
    with pytest.raises(InvalidInputError):
        parse_window_days(window)


# --- from the requests table ----------------------------------------------------------------

T0 = pd.Timestamp("2024-05-01 09:00", tz="UTC")
DAY = pd.Timedelta("1D")


def requests_table(rows):
    """A requests table as the log contract describes, reduced to the columns used here."""
    frame = pd.DataFrame(
        rows,
        columns=["request_id", "variant", "first_sent_at", "first_response_at", "withdrawn_at"],
    )
    for column in ["first_sent_at", "first_response_at", "withdrawn_at"]:
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def test_durations_from_requests_censor_pending_withdrawn_and_late():
    table = requests_table(
        [
            ("r1", "a", T0, T0 + 2 * DAY, pd.NaT),  # answered on day 2
            ("r2", "a", T0, pd.NaT, pd.NaT),  # pending: censored at as_of (day 10)
            ("r3", "a", T0 + DAY, pd.NaT, T0 + 4 * DAY),  # withdrawn on day 3 of its own clock
            ("r4", "b", T0, T0 + 6 * DAY, T0 + 5 * DAY),  # answered after withdrawal: counts
            ("r5", "b", T0, T0 + 12 * DAY, pd.NaT),  # answer after as_of: not yet seen
            ("r6", "b", T0 + 11 * DAY, pd.NaT, pd.NaT),  # sent after as_of: left out
        ]
    )
    got = response_durations(table, as_of=T0 + 10 * DAY)
    assert list(got["request_id"]) == ["r1", "r2", "r3", "r4", "r5"]
    assert list(got["days"]) == [2.0, 10.0, 3.0, 6.0, 10.0]
    assert list(got["responded"]) == [True, False, False, True, False]
    report = time_to_response(table, as_of=T0 + 10 * DAY)
    assert report.not_yet_sent == 1 and report.control == "a"
    assert report.arm("b").responded == 1 and report.arm("b").censored == 1


def test_time_to_response_matches_durations_api_and_naive_as_of_is_local():
    table = requests_table(
        [
            (f"r{i}", arm_name, T0, T0 + d * DAY if d is not None else pd.NaT, pd.NaT)
            for i, (arm_name, d) in enumerate(
                [("a", 0.5), ("a", 2), ("a", None), ("b", 0), ("b", 1), ("b", 1), ("b", None)]
            )
        ]
    )
    as_of = (T0 + 8 * DAY).tz_convert(None).to_pydatetime().replace(tzinfo=dt.UTC)
    local_naive = as_of.astimezone().replace(tzinfo=None)
    report = time_to_response(table, as_of=local_naive, control="b")
    direct = time_to_response_from_durations(
        {"a": ([0.5, 2, 8], [True, True, False]), "b": ([0, 1, 1, 8], [True, True, True, False])},
        control="b",
    )
    assert report.control == "b"
    for name in "ab":
        assert report.arm(name).p_by_window == direct.arm(name).p_by_window
        assert report.arm(name).median_days == direct.arm(name).median_days
    assert report.logrank.p_value == direct.logrank.p_value
    assert pd.Timestamp(report.as_of) == T0 + 8 * DAY


def test_request_table_errors():
    bad = requests_table([("r1", "a", T0, T0 - DAY, pd.NaT)])
    with pytest.raises(InvalidInputError, match="r1"):
        time_to_response(bad, as_of=T0 + DAY)
    with pytest.raises(InvalidInputError, match="lacks"):
        time_to_response(bad.drop(columns="withdrawn_at"), as_of=T0)
    with pytest.raises(InvalidInputError, match="as-of"):
        time_to_response(bad, as_of="not a date")


def test_to_dict_is_strict_json_with_the_report_keys():
    data = json.loads(aml_report().to_json())
    assert data["window_days"] == 30.0
    assert set(data["logrank"]) >= {"statistic", "p_value"}
    keys = {
        "name",
        "n",
        "responded",
        "median_days",
        "median_ci_low",
        "median_ci_high",
        "p_by_window",
        "p_by_window_ci_low",
        "p_by_window_ci_high",
    }
    for entry in data["arms"]:
        assert keys <= set(entry)
    assert data["arms"][0]["median_ci_high"] is None
    assert data["differences"][0]["arm"] == "Nonmaintained"


def test_text_and_html_render():
    report = aml_report()
    text = str(report)
    assert "Maintained" in text and "Log-rank" in text and "P(by day 30)" in text
    assert "<table" in report._repr_html_()
    assert list(report.summary.index) == ["Maintained", "Nonmaintained"]
    assert report.arm("Maintained").curve.at_risk(20) == 7  # by hand: 23, 28, 31, 34, 45, 48, 161


def test_log_rank_without_a_shared_response_time_is_zero_not_nan():
    # Arm a's only request is censored at day 0, so at b's response (day 10) only b is at risk:
    # the statistic has no variance. R: survdiff(Surv(c(0, 10, 10), c(0, 1, 0)) ~ c("a", "b",
    # "b")) reports Chisq = 0 (its rule: fewer than two groups with expected > 0).
    report = time_to_response_from_durations({"a": ([0], [False]), "b": ([10, 10], [True, False])})
    assert (report.logrank.statistic, report.logrank.p_value) == (0.0, 1.0)


def test_a_young_log_prints_no_nan_and_says_what_is_missing():
    # Two days into a 7-day window, nobody has answered: the day-7 figures are not estimable and
    # the log-rank test has nothing to compare. The text used to read
    # "+nan [nan, nan]; log-rank p = nan"; it must say what is missing and why.
    report = time_to_response_from_durations(
        {"default": ([2.0, 1.5], [False, False]), "new": ([2.0, 0.5], [False, False])}, window=7
    )
    text = str(report)
    assert "nan" not in text.lower()
    assert "difference not estimable yet: 'new' has no request watched to day 7" in text
    assert "'default' has no request watched to day 7 (its follow-up ends at day 2)" in text
    assert "log-rank test not defined (neither arm has a response yet)" in text
    d = report.to_dict()["differences"][0]
    assert d["difference"] is None and d["note"]


def test_effective_sample_size_at_the_edges_counts_the_requests_whose_answer_is_known():
    # At 0%: two requests left observation on day 2 (their day-7 answer is unknown), two were
    # watched to day 10 unanswered: n_eff = 2 (Peto's n at risk), Wilson's limits for 0 of 2.
    from etiquette_lab.analyse.timing import window_limits

    days, responded = [2, 2, 10, 10], [False] * 4
    report = time_to_response_from_durations({"a": (days, responded)}, window=7)
    low, high, n_eff = window_limits(report.arm("a"), days, responded, 7)
    assert (low, n_eff) == (0.0, 2.0) and high == pytest.approx(_wilson(0, 2)[1], rel=1e-12)
    # At 100%: one request left on day 1, the three others answered by day 3: n_eff = 3.
    days, responded = [1, 2, 3, 3], [False, True, True, True]
    report = time_to_response_from_durations({"a": (days, responded)}, window=7)
    low, high, n_eff = window_limits(report.arm("a"), days, responded, 7)
    assert (high, n_eff) == (1.0, 3.0) and low == pytest.approx(_wilson(1, 3)[0], rel=1e-12)


# --- long curves: thinned for display and JSON, whole in the report -------------------------


def _long_report(n=20_000, seed=5):
    # Continuous times: every request is its own time, as in a big log read mid-experiment.
    rng = np.random.default_rng(seed)
    return time_to_response_from_durations(
        {
            name: (rng.exponential(scale, n), rng.random(n) < 0.6)
            for name, scale in (("default", 6.0), ("new", 4.0))
        },
        window=7,
    )


def test_thinned_curve_is_within_the_step_of_the_full_one_everywhere():
    full = _long_report().arm("new").curve
    short = full.thin(0.001)
    assert short.thinned and not full.thinned
    assert 100 < len(short.days) < len(full.days) // 4
    assert (short.days[0], short.days[-1]) == (full.days[0], full.days[-1])
    # Counts still add up to the arm's; at a kept time everything is the full curve's own figure.
    assert sum(short.responses) == sum(full.responses)
    assert sum(short.censored) == sum(full.censored)
    index = {t: i for i, t in enumerate(full.days)}
    for j, t in enumerate(short.days):
        i = index[t]
        assert short.n_at_risk[j] == full.n_at_risk[i]
        for name in ("p_responded", "ci_low", "ci_high"):
            assert short.__dict__[name][j] == pytest.approx(full.__dict__[name][i], nan_ok=True)
    # Read at every full time, the thinned step curve is within 0.001 of the full one (both
    # undefined together, where the band is).
    for name in ("p_responded", "ci_low", "ci_high"):
        drawn = np.array(short.__dict__[name])[np.searchsorted(short.days, full.days, "right") - 1]
        exact = np.array(full.__dict__[name])
        assert np.array_equal(np.isnan(drawn), np.isnan(exact))
        defined = ~np.isnan(exact)
        assert np.max(np.abs(drawn[defined] - exact[defined])) < 0.001
    # The responses and censorings of a left-out time land on the next kept time.
    cumulative = np.cumsum(full.responses)
    assert list(np.cumsum(short.responses)) == [cumulative[index[t]] for t in short.days]


def test_thinning_keeps_a_curve_of_few_times_whole_in_json():
    report = aml_report()
    assert report.to_dict() == report.to_dict(full_curves=True)
    assert report.to_dict()["arms"][0]["curve"]["thinned"] is False


def test_long_curves_are_thinned_in_to_dict_and_whole_with_full_curves():
    from etiquette_lab.analyse.timing import CURVE_JSON_MAX_TIMES

    report = _long_report()
    full = report.arm("default").curve
    assert len(full.days) > CURVE_JSON_MAX_TIMES  # the report object keeps every time
    shown = report.to_dict()["arms"][0]["curve"]
    assert shown["thinned"] is True and len(shown["days"]) == len(full.thin().days)
    whole = report.to_dict(full_curves=True)["arms"][0]["curve"]
    assert whole["thinned"] is False and whole["days"] == list(full.days)
    json.dumps(report.to_dict(), allow_nan=False)  # still strict JSON


def test_thin_refuses_a_step_that_is_not_positive():
    with pytest.raises(InvalidInputError, match="step"):
        aml_report().arm("Maintained").curve.thin(0)


def test_the_json_schema_names_every_key_of_an_arm_and_its_curve():
    # docs/json-schema.md's time_to_response table: every key to_dict() writes is documented.
    from pathlib import Path

    schema = (Path(__file__).resolve().parent.parent / "docs/json-schema.md").read_text()
    row = next(line for line in schema.splitlines() if line.startswith("| `arms` | list | one"))
    entry = aml_report().to_dict()["arms"][0]
    for key in [*entry, *entry["curve"]]:
        assert f"`{key}`" in row, key
