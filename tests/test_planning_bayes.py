"""P(new better) and Bayesian assurance, checked against quadrature and exact fractions."""

from __future__ import annotations

from fractions import Fraction
from math import comb

import pytest
from scipy import integrate, stats

from etiquette_lab.errors import InvalidInputError
from etiquette_lab.planning.bayes import probability_new_better
from etiquette_lab.planning.power import bayes_assurance


def by_quadrature(x_c, n_c, x_n, n_n, a0=1, b0=1):
    """Independent: integral of pdf_new(p) * cdf_control(p) over [0, 1] (scipy quad)."""
    control = stats.beta(a0 + x_c, b0 + n_c - x_c)
    new = stats.beta(a0 + x_n, b0 + n_n - x_n)
    value, _ = integrate.quad(lambda p: new.pdf(p) * control.cdf(p), 0, 1, epsabs=1e-13)
    return value


def beta_fn(a, b):
    """B(a, b) for positive integers, as an exact fraction."""
    return Fraction(1, (a + b - 1) * comb(a + b - 2, a - 1))


def by_fractions(x_c, n_c, x_n, n_n):
    """Independent: Evan Miller's closed form for P(p_B > p_A), exact rational arithmetic."""
    a_a, b_a = 1 + x_c, 1 + n_c - x_c
    a_b, b_b = 1 + x_n, 1 + n_n - x_n
    total = Fraction(0)
    for i in range(a_b):
        total += beta_fn(a_a + i, b_a + b_b) / ((b_b + i) * beta_fn(1 + i, b_b) * beta_fn(a_a, b_a))
    return total


@pytest.mark.parametrize(
    "counts",
    [(1, 5, 4, 5), (0, 5, 0, 5), (5, 5, 0, 5), (3, 12, 7, 9), (0, 0, 2, 3), (20, 40, 28, 40)],
)
def test_probability_new_better_matches_two_independent_methods(counts):
    got = probability_new_better(*counts)
    assert got == pytest.approx(float(by_fractions(*counts)), abs=1e-12)
    assert got == pytest.approx(by_quadrature(*counts), abs=1e-9)


def test_probability_new_better_with_another_integer_prior():
    got = probability_new_better(2, 10, 6, 10, prior=(2, 3))
    assert got == pytest.approx(by_quadrature(2, 10, 6, 10, a0=2, b0=3), abs=1e-9)


def test_probability_new_better_is_symmetric():
    # Swapping the arms gives the complement (continuous posteriors never tie).
    assert probability_new_better(3, 8, 5, 9) + probability_new_better(5, 9, 3, 8) == (
        pytest.approx(1.0, abs=1e-12)
    )


def test_bayes_assurance_matches_a_loop_over_tables():
    # Brute force: every table, P(better) by quadrature, weighted by binomial probabilities.
    n_c, n_n, p_c, p_n = 6, 5, 0.2, 0.7
    expected = sum(
        stats.binom.pmf(x_c, n_c, p_c) * stats.binom.pmf(x_n, n_n, p_n)
        for x_c in range(n_c + 1)
        for x_n in range(n_n + 1)
        if by_quadrature(x_c, n_c, x_n, n_n) > 0.95
    )
    assert bayes_assurance(n_c, n_n, p_c, p_n).assurance == pytest.approx(expected, abs=1e-12)


def test_bayes_assurance_is_more_generous_than_fisher_at_five_per_arm():
    # The article's design: P(better) > 0.95 happens more often than Fisher's p <= 0.05
    # (brute-force Fisher power 0.3758; see tests/test_planning.py).
    result = bayes_assurance(5, 5, 0.2, 0.8)
    assert 0.3758 < result.assurance < 1
    assert "P(new wording better)" in str(result)


def test_bayes_bad_input():
    with pytest.raises(InvalidInputError, match="prior"):
        probability_new_better(1, 5, 2, 5, prior=(0.5, 0.5))
    with pytest.raises(InvalidInputError, match="successes"):
        probability_new_better(6, 5, 2, 5)
    with pytest.raises(InvalidInputError, match="threshold"):
        bayes_assurance(5, 5, 0.2, 0.8, threshold=1.0)
