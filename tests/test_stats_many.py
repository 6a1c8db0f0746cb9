"""k arms, strata and allocation against brute force, scipy, statsmodels and R's documentation."""

from __future__ import annotations

import math
from fractions import Fraction
from itertools import product

import numpy as np
import pytest
import scipy.stats as st
from statsmodels.stats.contingency_tables import StratifiedTable
from statsmodels.stats.multitest import multipletests
from two_arm_order import control_first

from etiquette_lab.errors import InvalidInputError
from etiquette_lab.stats import (
    compare_counts,
    holm_adjust,
    mantel_haenszel,
    many,
    omnibus_test,
    sample_ratio_check,
)


def _exact_omnibus_brute_force(arms):
    """Every 2 x k table with the observed margins, weighted by the multivariate hypergeometric."""
    ns = [n for _, n in arms]
    total, responded = sum(ns), sum(x for x, _ in arms)

    def chi2(xs):
        return sum(
            (x - n * responded / total) ** 2 / (n * responded / total)
            + ((n - x) - n * (total - responded) / total) ** 2 / (n * (total - responded) / total)
            for x, n in zip(xs, ns, strict=True)
        )

    observed = chi2([x for x, _ in arms])
    p = Fraction(0)
    for xs in product(*(range(n + 1) for n in ns)):
        if sum(xs) == responded and chi2(xs) >= observed * (1 - 1e-7) - 1e-12:
            p += Fraction(
                math.prod(math.comb(n, x) for x, n in zip(xs, ns, strict=True)),
                math.comb(total, responded),
            )
    return observed, float(p)


@pytest.mark.parametrize(
    "arms", [[(1, 5), (4, 5), (2, 5)], [(0, 4), (3, 6), (1, 3), (2, 2)], [(5, 5), (0, 5), (0, 5)]]
)
def test_exact_omnibus_matches_brute_force(arms):
    statistic, p = _exact_omnibus_brute_force(arms)
    t = omnibus_test(arms)
    assert t.method == "exact" and t.df == len(arms) - 1
    assert t.statistic == pytest.approx(statistic, rel=1e-12)
    assert t.p_value == pytest.approx(p, rel=1e-9)


def test_large_counts_use_pearson_chi_square_as_scipy():
    arms = [(100, 500), (120, 500), (90, 500)]
    table = [[x for x, _ in arms], [n - x for x, n in arms]]
    res = st.chi2_contingency(table, correction=False)
    t = omnibus_test(arms)
    assert t.method == "chi2" and t.df == res.dof
    assert (t.statistic, t.p_value) == pytest.approx((res.statistic, res.pvalue), rel=1e-10)


def test_too_many_tables_falls_back_to_a_seeded_permutation_test(monkeypatch):
    arms = [(1, 6), (4, 7), (2, 5)]
    exact = omnibus_test(arms).p_value
    monkeypatch.setattr(many, "EXACT_MAX_TABLES", 3)
    mc = omnibus_test(arms)
    assert mc.method == "monte-carlo" and "seed 0" in mc.note
    assert mc.p_value == pytest.approx(exact, abs=0.01)  # 20,000 tables: s.e. about 0.003
    assert omnibus_test(arms).p_value == mc.p_value  # deterministic


def test_a_monte_carlo_p_value_at_its_floor_is_a_bound():
    # No random table of 20,000 is as extreme as these (the chi-square approximation, scipy's
    # chi2.sf of the same statistic, puts p near 3e-23): the floor 1/20,001 is a bound, and the
    # verdict must print "p < 5e-05", never "p = 5e-05" as if it were the p-value.
    arms = {"default": (0, 200), "b": (0, 200), "c": (1, 200), "d": (30, 200), "e": (40, 200)}
    arms["f"] = (1, 3)
    t = omnibus_test(arms)
    assert t.method == "monte-carlo" and t.p_value == 1 / 20_001 and t.p_value_is_bound
    assert st.chi2.sf(t.statistic, t.df) < 1e-20 and "bound" in t.note
    verdict = compare_counts(arms).verdict
    assert "p < 5e-05" in verdict and "p = 5e-05" not in verdict
    assert compare_counts(arms).to_dict()["omnibus"]["p_value_is_bound"] is True


def test_a_monte_carlo_p_value_above_its_floor_is_an_estimate(monkeypatch):
    monkeypatch.setattr(many, "EXACT_MAX_TABLES", 3)
    mc = omnibus_test([(1, 6), (4, 7), (2, 5)])
    assert mc.method == "monte-carlo" and not mc.p_value_is_bound and "bound" not in mc.note


def test_omnibus_degenerate_and_bad_input():
    assert omnibus_test([(0, 5), (0, 5), (0, 3)]).p_value == 1.0
    with pytest.raises(InvalidInputError):
        omnibus_test([(1, 5)])
    with pytest.raises(InvalidInputError, match="n = 0"):
        omnibus_test([(1, 5), (0, 0), (1, 2)])


@pytest.mark.parametrize("p", [[0.01, 0.04, 0.03], [0.2, 0.001, 0.5, 0.04], [1.0], [0.03, 0.03]])
def test_holm_matches_statsmodels(p):
    assert holm_adjust(p) == pytest.approx(list(multipletests(p, method="holm")[1]), abs=1e-15)


# R 4.x, ?mantelhaen.test: Rabbits <- array(c(0, 0, 6, 5, 3, 0, 3, 6, 6, 2, 0, 4, 5, 6, 1, 0,
# 2, 5, 0, 0), dim = c(2, 2, 5)); mantelhaen.test(Rabbits) gives Mantel-Haenszel X-squared =
# 3.9286, p-value = 0.04747, common odds ratio 7, 95 percent CI 1.026713 47.725133 (the values
# statsmodels' test suite checks StratifiedTable against, TestStratified1). R fills the array
# column by column: stratum 1 is rows (0, 6) and (0, 5), i.e. (x1, n1, x0, n0) = (0, 6, 0, 5).
RABBITS = [(0, 6, 0, 5), (3, 6, 0, 6), (6, 6, 2, 6), (5, 6, 6, 6), (2, 2, 5, 5)]


def _as_tables(strata):
    return [np.array([[x1, n1 - x1], [x0, n0 - x0]]) for x1, n1, x0, n0 in strata]


def test_mantel_haenszel_matches_r_rabbits():
    m = mantel_haenszel([control_first(t) for t in RABBITS])
    assert m.odds_ratio == pytest.approx(7.0, abs=1e-12)
    assert m.statistic == pytest.approx(3.9286, abs=5e-5)
    assert m.p_value == pytest.approx(0.04747, abs=5e-6)
    assert (m.ci_low, m.ci_high) == pytest.approx((1.026713, 47.725133), abs=5e-7)


# R, library(DescTools) example as quoted in statsmodels' TestStratified2: mantelhaen.test(data)
# with strata (20 14 / 10 24), (15 12 / 3 15), (3 2 / 3 2), (12 3 / 7 5), (1 0 / 3 2): common
# odds ratio 3.5912, X-squared 11.8852, p 0.0005658, CI 1.781135 7.240633. Rows as statsmodels
# lists them (R's strata transposed; transposing a stratum changes none of these statistics).
SECOND = [(20, 34, 10, 34), (15, 27, 3, 18), (3, 5, 3, 5), (12, 15, 7, 12), (1, 1, 3, 5)]


def test_mantel_haenszel_matches_r_second_example():
    m = mantel_haenszel([control_first(t) for t in SECOND])
    assert m.odds_ratio == pytest.approx(3.5912, abs=5e-5)
    assert m.statistic == pytest.approx(11.8852, abs=5e-5)
    assert m.p_value == pytest.approx(0.0005658, abs=5e-8)
    assert (m.ci_low, m.ci_high) == pytest.approx((1.781135, 7.240633), abs=5e-7)


@pytest.mark.parametrize("strata", [RABBITS, SECOND])
@pytest.mark.parametrize("correction", [True, False])
def test_mantel_haenszel_matches_statsmodels(strata, correction):
    ref = StratifiedTable(_as_tables(strata))
    m = mantel_haenszel([control_first(t) for t in strata], correction=correction)
    test = ref.test_null_odds(correction=correction)
    assert m.odds_ratio == pytest.approx(ref.oddsratio_pooled, rel=1e-12)
    assert (m.ci_low, m.ci_high) == pytest.approx(ref.oddsratio_pooled_confint(), rel=1e-10)
    assert (m.statistic, m.p_value) == pytest.approx((test.statistic, test.pvalue), rel=1e-10)


def test_mantel_haenszel_degenerate_strata():
    m = mantel_haenszel([(0, 5, 0, 5), (0, 3, 0, 4)])
    assert math.isnan(m.odds_ratio) and m.p_value == 1.0 and m.note
    assert m.to_dict()["odds_ratio"] is None
    assert mantel_haenszel([(0, 5, 3, 5)]).odds_ratio == math.inf  # arm 3/5, control 0/5
    with pytest.raises(InvalidInputError):
        mantel_haenszel([(0, 0, 1, 1)])


def _binomial_brute_force(k, n, p):
    probs = [math.comb(n, j) * p**j * (1 - p) ** (n - j) for j in range(n + 1)]
    return min(1.0, sum(q for q in probs if q <= probs[k] * (1 + 1e-7)))


@pytest.mark.parametrize(
    ("counts", "share"), [((5, 5), 0.5), ((9, 3), 0.5), ((30, 10), 0.75), ((0, 7), 0.5)]
)
def test_two_arm_sample_ratio_is_the_exact_binomial(counts, share):
    c = sample_ratio_check(
        {"a": counts[0], "b": counts[1]}, allocation={"a": share, "b": 1 - share}
    )
    assert c.method == "exact binomial"
    assert c.p_value == pytest.approx(
        _binomial_brute_force(counts[0], sum(counts), share), rel=1e-9
    )


def test_multinomial_sample_ratio_matches_brute_force():
    observed = (10, 3, 7)
    total = sum(observed)

    def prob(xs):
        return math.factorial(total) / math.prod(math.factorial(x) for x in xs) / 3**total

    p_obs = prob(observed)
    expected = sum(
        prob(xs)
        for xs in product(range(total + 1), repeat=3)
        if sum(xs) == total and prob(xs) <= p_obs * (1 + 1e-7)
    )
    c = sample_ratio_check(dict(zip("abc", observed, strict=True)))
    assert c.method == "exact multinomial"
    assert c.p_value == pytest.approx(expected, rel=1e-9)


def test_large_sample_ratio_uses_chi_square_as_scipy():
    c = sample_ratio_check({"a": 1000, "b": 1030, "c": 970})
    res = st.chisquare([1000, 1030, 970])
    assert c.method == "chi2"
    assert (c.statistic, c.p_value) == pytest.approx((res.statistic, res.pvalue), rel=1e-10)


def test_sample_ratio_flags_a_mismatch_and_rejects_bad_plans():
    assert sample_ratio_check({"a": 50, "b": 10}).mismatch
    with pytest.raises(InvalidInputError):
        sample_ratio_check({"a": 5})
    with pytest.raises(InvalidInputError):
        sample_ratio_check({"a": 5, "b": 5}, allocation={"a": 1})
    with pytest.raises(InvalidInputError):
        sample_ratio_check({"a": 5, "b": 5}, allocation={"a": 1, "b": -1})


def test_rare_responses_in_huge_arms_match_the_multinomial_limit():
    # 3, 2 and 9 responses out of 10 million each: given 14 responses, the conditional law is
    # multinomial(14, 1/3 each) up to O(1e-6); ordered by the same chi-square, enumerated here.
    observed = (3, 2, 9)

    def stat(xs):
        return sum((x - 14 / 3) ** 2 / (14 / 3) for x in xs)

    limit = sum(
        math.factorial(14) / math.prod(math.factorial(x) for x in xs) / 3**14
        for xs in product(range(15), repeat=3)
        if sum(xs) == 14 and stat(xs) >= stat(observed) * (1 - 1e-7) - 1e-12
    )
    t = omnibus_test([(x, 10_000_000) for x in observed])
    assert t.method == "exact"
    assert t.p_value == pytest.approx(limit, rel=1e-4)
