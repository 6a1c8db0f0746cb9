"""Exact Bayesian probability of beating the control, checked against closed forms."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from two_arm_order import control_first

from etiquette_lab.errors import InvalidInputError
from etiquette_lab.priors import resolve_prior
from etiquette_lab.stats import bayes_compare

mpmath = pytest.importorskip("mpmath", reason="mpmath is the high-precision reference")


def _closed_form(a1, b1, a0, b0):
    """P(p1 > p0) for integer a1 (Evan Miller 2015, 'Formulas for Bayesian A/B testing'),
    summed in 40-digit arithmetic."""
    mpmath.mp.dps = 40
    beta = mpmath.beta
    total = mpmath.fsum(
        beta(a0 + i, b0 + b1) / ((b1 + i) * beta(1 + i, b1) * beta(a0, b0)) for i in range(a1)
    )
    return float(total)


@pytest.mark.parametrize(
    "counts",
    [
        (4, 5, 1, 5),
        (1, 5, 4, 5),
        (0, 5, 0, 5),
        (5, 5, 0, 5),
        (7, 34, 1, 34),
        (30, 100, 25, 90),
        (0, 1, 1, 1),
    ],
)
def test_uniform_prior_matches_the_closed_form_sum(counts):
    x1, n1, x0, n0 = counts
    expected = _closed_form(x1 + 1, n1 - x1 + 1, x0 + 1, n0 - x0 + 1)
    assert bayes_compare(*control_first(counts)).prob_better == pytest.approx(
        expected, rel=1e-9, abs=1e-12
    )


def test_article_probability_is_the_exact_rational():
    # Beta(5, 2) vs Beta(2, 5): the same closed-form sum in exact rational arithmetic,
    # B(a, b) = (a - 1)! (b - 1)! / (a + b - 1)!, gives 887/924.
    def beta(a, b):
        return Fraction(math.factorial(a - 1) * math.factorial(b - 1), math.factorial(a + b - 1))

    exact = sum(beta(2 + i, 7) / ((2 + i) * beta(1 + i, 2) * beta(2, 5)) for i in range(5))
    assert exact == Fraction(887, 924)
    assert bayes_compare(1, 5, 4, 5).prob_better == pytest.approx(887 / 924, rel=1e-10)


def _mp_prob_greater(a1, b1, a0, b0, d=0.0):
    """P(p1 - p0 > d) by 30-digit quadrature of f1(x) F0(x - d)."""
    mpmath.mp.dps = 30

    def integrand(x):
        y = x - d
        if y <= 0:
            return mpmath.mpf(0)
        cdf = 1 if y >= 1 else mpmath.betainc(a0, b0, 0, y, regularized=True)
        return x ** (a1 - 1) * (1 - x) ** (b1 - 1) / mpmath.beta(a1, b1) * cdf

    lo = max(d, 0)
    return float(mpmath.quad(integrand, [lo, (lo + 1) / 2, 1]))


def test_jeffreys_prior_matches_mpmath_quadrature():
    # half-integer parameters: no finite closed-form sum, so quadrature at 30 digits
    expected = _mp_prob_greater(4.5, 1.5, 1.5, 4.5)
    assert bayes_compare(1, 5, 4, 5, prior="jeffreys").prob_better == pytest.approx(
        expected, rel=1e-8
    )


def test_credible_limits_hold_alpha_over_two_in_each_tail():
    b = bayes_compare(1, 5, 4, 5, alpha=0.1)
    assert _mp_prob_greater(5, 2, 2, 5, b.ci_low) == pytest.approx(0.95, abs=1e-8)
    assert _mp_prob_greater(5, 2, 2, 5, b.ci_high) == pytest.approx(0.05, abs=1e-8)


def test_symmetric_data_gives_one_half_and_a_symmetric_interval():
    b = bayes_compare(0, 5, 0, 5)
    assert b.prob_better == pytest.approx(0.5, abs=1e-12)
    assert b.ci_low == pytest.approx(-b.ci_high, abs=1e-9)


def test_user_prior_and_empty_arm_fall_back_to_the_prior():
    # with no data at all both posteriors are the prior: P = 1/2
    assert bayes_compare(0, 0, 0, 0, prior=(2, 8)).prob_better == pytest.approx(0.5, abs=1e-12)


def test_huge_counts_match_the_poisson_limit():
    # 5 vs 1 responses out of 10 million each, uniform prior: in the limit P(Gamma(6) > Gamma(2))
    # = P(Beta(6, 2) > 1/2) = 1 - (7 + 1)/128 = 0.9375 (binomial sum by hand)
    assert bayes_compare(1, 10_000_000, 5, 10_000_000).prob_better == pytest.approx(
        0.9375, abs=1e-6
    )


@pytest.mark.parametrize("prior", ["flat", (0, 1), (1, float("inf")), "x"])
def test_bad_priors_are_clear_errors(prior):
    with pytest.raises(InvalidInputError):
        resolve_prior(prior)


def test_all_versus_nothing_at_ten_million_matches_the_gamma_limit():
    # 10M of 10M vs 0 of 10M, uniform prior: 1 - (p1 - p0) is the sum of two independent
    # Beta(1, 10M + 1) variables, i.e. Gamma(2, scale 1e-7) to within 1e-7 relative.
    from scipy.stats import gamma

    b = bayes_compare(0, 10_000_000, 10_000_000, 10_000_000)
    assert b.prob_better == 1.0
    assert 1 - b.ci_high == pytest.approx(gamma.ppf(0.025, 2, scale=1 / 10_000_001), rel=1e-5)
    assert 1 - b.ci_low == pytest.approx(gamma.ppf(0.975, 2, scale=1 / 10_000_001), rel=1e-5)


@pytest.mark.parametrize(
    ("x1", "n1", "x0", "n0"),
    [(4, 5, 1, 5), (0, 5, 0, 5), (30, 254, 26, 255), (7, 9, 2, 11), (120, 400, 100, 400)],
)
def test_quadrature_agrees_with_the_planning_modules_exact_sum(x1, n1, x0, n0):
    # Two implementations on purpose: the report integrates numerically (any prior, any n in
    # constant time); planning sums the exact beta-binomial series for integer priors, for
    # every table at once. Each checks the other.
    from etiquette_lab.planning.bayes import probability_new_better

    exact = probability_new_better(x0, n0, x1, n1, prior=(1, 1))
    assert bayes_compare(x0, n0, x1, n1).prob_better == pytest.approx(exact, abs=1e-9)


def test_credible_limits_of_two_uniform_posteriors_are_the_triangular_quantiles():
    # 0 of 0 against 0 of 0: p1 - p0 is the difference of two uniforms, whose distribution is
    # triangular: P(D <= d) = (1 + d)^2 / 2 for d <= 0, so the 2.5% point is sqrt(0.05) - 1.
    b = bayes_compare(0, 0, 0, 0)
    assert b.ci_low == pytest.approx(math.sqrt(0.05) - 1, abs=1e-13)
    assert b.ci_high == pytest.approx(1 - math.sqrt(0.05), abs=1e-13)


@pytest.mark.parametrize(
    ("counts", "field", "reference"),
    [
        # mpmath at 30 digits: mp.findroot on 1 - quad(f0(y) (1 - F1(y + d)), split at the
        # kinks and at the control's mean +- 2, 5, 10, 20, 40 sd) = q, tol 1e-24; F1 of
        # Beta(9, 1) is x^9, of Beta(12, 3) mp.betainc. The quadrature used before this
        # engine (QUADPACK at epsrel 1e-10 over a scalar integrand) was off by 3e-9 and 2e-8.
        ((11, 13, 0, 3), "ci_low", 0.155961924949303015869575632663),
        ((8, 8, 64501, 300000), "ci_high", 0.782183390401583810719529311228),
        # 1 - (Evan Miller's closed-form sum for P(p0 > p1), 8 terms) in 40-digit mpmath.
        ((84256, 300000, 7, 50), "prob_better", 0.987386043249178264138776017774),
    ],
)
def test_the_engine_matches_high_precision_references_to_1e_12(counts, field, reference):
    assert getattr(bayes_compare(*control_first(counts)), field) == pytest.approx(
        reference, abs=1e-12
    )


def test_the_vectorised_quadrature_integrates_a_singular_endpoint():
    import numpy as np

    from etiquette_lab.stats.bayes import _gk21_nodes, _integrate

    # Bounded integrands with an infinite slope at 0, as a posterior quantile has: sqrt(x) on
    # [0, 1] is 2/3, x^(1/13) is 13/14, and a kink on a break costs nothing.
    assert _integrate(lambda lo, hi: np.sqrt(_gk21_nodes(lo, hi)), [0.0, 1.0]) == (
        pytest.approx(2 / 3, abs=1e-12)
    )
    assert _integrate(lambda lo, hi: np.abs(_gk21_nodes(lo, hi) - 0.3), [0.0, 0.3, 1.0]) == (
        pytest.approx(0.29, abs=1e-15)
    )
    assert _integrate(lambda lo, hi: _gk21_nodes(lo, hi) ** (1 / 13), [0.0, 1.0]) == (
        pytest.approx(13 / 14, abs=1e-12)
    )
