"""One rejection rule for plan, power, compare and the simulations, checked in exact arithmetic.

The oracle here never touches floating point: Fisher's p-values are sums of hypergeometric
probabilities as fractions, the rates are fractions, and "rejects" is ``p < alpha`` between
fractions. A p-value exactly equal to alpha therefore does not reject, which is the kit's
documented rule (docs/methods.md, docs/planning.md).
"""

from __future__ import annotations

from fractions import Fraction
from math import comb

import numpy as np
import pytest
from scipy.stats import fisher_exact

from etiquette_lab.lessons.simulation import simulate_null_experiments
from etiquette_lab.planning.power import exact_power, sample_size
from etiquette_lab.stats import TIE_TOLERANCE, compare_counts, rejects
from etiquette_lab.stats.many import sample_ratio_check


def fisher_p(x_n: int, n_n: int, x_c: int, n_c: int, alternative: str) -> Fraction:
    """Fisher's exact p-value as a fraction: the new arm's count given the total is
    hypergeometric; two-sided sums the tables no more probable than the observed one."""
    t = x_n + x_c
    support = range(max(0, t - n_c), min(t, n_n) + 1)
    prob = {k: Fraction(comb(n_n, k) * comb(n_c, t - k), comb(n_n + n_c, t)) for k in support}
    if alternative == "greater":
        return sum((p for k, p in prob.items() if k >= x_n), Fraction(0))
    return sum((p for p in prob.values() if p <= prob[x_n]), Fraction(0))


def exact_rational_power(n, p_c: Fraction, p_n: Fraction, alpha: Fraction, alternative: str):
    def pmf(x, rate):
        return comb(n, x) * rate**x * (1 - rate) ** (n - x)

    return sum(
        (
            pmf(x_c, p_c) * pmf(x_n, p_n)
            for x_c in range(n + 1)
            for x_n in range(n + 1)
            if fisher_p(x_n, n, x_c, n, alternative) < alpha
        ),
        Fraction(0),
    )


def test_rejects_is_strict_and_treats_near_ties_as_ties():
    assert rejects(0.0499, 0.05) and not rejects(0.05, 0.05) and not rejects(0.06, 0.05)
    # 1/20 as computed by two different summation orders: the same number, so no rejection.
    assert not rejects(0.04999999999999996, 0.05) and not rejects(0.05000000000000001, 0.05)
    assert rejects(0.05 * (1 - 2 * TIE_TOLERANCE), 0.05)
    assert list(rejects(np.array([0.01, 0.05, 0.2]), 0.05)) == [True, False, False]


def test_plan_with_a_p_value_equal_to_alpha_matches_brute_force():
    # The case: 3 of 3 against 0 of 3, one-sided Fisher p = 1/C(6, 3) = 1/20 exactly.
    # R's fisher.test returns 0.05 + 2e-17 for it (so R's brute force with p <= alpha does not
    # reject and finds 5 per arm); scipy returns 0.05 + 1e-17; the kit's kernel 0.05 - 4e-17.
    assert fisher_p(3, 3, 0, 3, "greater") == Fraction(1, 20)
    assert fisher_exact([[3, 0], [0, 3]], alternative="greater").pvalue >= 0.05
    alpha, p_c, p_n = Fraction(1, 20), Fraction(2, 100), Fraction(95, 100)
    exact = {n: exact_rational_power(n, p_c, p_n, alpha, "greater") for n in range(1, 9)}
    first = min(n for n, power in exact.items() if power >= Fraction(4, 5))
    assert first == 5  # what R's brute force says too
    plan = sample_size(0.02, 0.95, alternative="greater")
    assert plan.n_per_arm == plan.n_per_arm_stable == first
    for n, power in exact.items():
        got = exact_power(n, n, 0.02, 0.95, alternative="greater").power
        assert got == pytest.approx(float(power), abs=1e-12)
    # Boschloo's power uses the same rule (scipy's p-values, compared by rejects()).
    boschloo = exact_power(3, 3, 0.02, 0.95, alternative="greater", test="boschloo").power
    assert boschloo == pytest.approx(float(exact[3]), abs=1e-12) or boschloo > float(exact[3])


def test_the_simulations_use_the_same_rule():
    # 3 against 3, two-sided: the most extreme tables have Fisher p = 2/20 = 1/10 exactly, so at
    # alpha = 0.1 nothing is significant, in the simulation and in its exact figure alike.
    assert fisher_p(3, 3, 0, 3, "two-sided") == Fraction(1, 10)
    result = simulate_null_experiments(3, 0.5, split=(3, 0), alpha=0.1, experiments=500, seed=2)
    assert result.exact_significant == 0.0 and result.significant == 0.0
    exact = exact_rational_power(3, Fraction(1, 2), Fraction(1, 2), Fraction(1, 10), "two-sided")
    assert exact == 0 and exact_power(3, 3, 0.5, 0.5, alpha=0.1).power == 0.0


def test_compare_uses_the_same_rule():
    # The article's Boschloo p is 7/64 = 0.109375 exactly (scipy's boschloo_exact). At alpha equal
    # to it the comparison is not significant; just above it, it is.
    arms = {"default": (1, 5), "personalised": (4, 5)}
    at = compare_counts(arms, alpha=0.109375)
    assert at.comparisons[0].p_value == pytest.approx(0.109375, rel=1e-9)
    assert "below alpha" not in at.verdict
    above = compare_counts(arms, alpha=0.1095)
    assert "below alpha" in above.verdict


def test_the_sample_ratio_check_uses_the_same_rule():
    # 2 of 2 requests in one arm under a 50:50 plan: binomial p = 2 * (1/2)^2 = 1/2 exactly.
    check = sample_ratio_check({"a": 2, "b": 0}, alpha=0.5)
    assert check.p_value == 0.5 and not check.mismatch
    assert sample_ratio_check({"a": 2, "b": 0}, alpha=0.51).mismatch
