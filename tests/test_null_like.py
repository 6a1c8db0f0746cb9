"""Chance wins for the counts in hand: the null simulation built from an observed result."""

from __future__ import annotations

import pytest
from scipy.stats import binom

from etiquette_lab.errors import InvalidInputError
from etiquette_lab.lessons.simulation import simulate_null_experiments_like
from etiquette_lab.stats import compare_counts


def _chance_of_a_gap(n: int, rate: float, gap: int) -> float:
    """Brute force: P(|X1 - X0| >= gap) for two independent Binomial(n, rate) counts."""
    return sum(
        binom.pmf(x0, n, rate) * binom.pmf(x1, n, rate)
        for x0 in range(n + 1)
        for x1 in range(n + 1)
        if abs(x1 - x0) >= gap
    )


def test_the_article_s_counts_give_one_chance_win_in_nine():
    result = simulate_null_experiments_like(compare_counts({"default": (1, 5), "new": (4, 5)}))
    assert (result.n_per_arm, result.rate, result.split) == (5, 0.5, (4, 1))
    assert result.exact_as_extreme == pytest.approx(112 / 1024, abs=1e-15)


def test_other_counts_use_their_pooled_rate_and_gap():
    result = simulate_null_experiments_like({"default": (5, 6), "new": (2, 6)}, seed=3)
    assert result.rate == pytest.approx(7 / 12) and result.split == (5, 2)
    assert result.exact_as_extreme == pytest.approx(_chance_of_a_gap(6, 7 / 12, 3), abs=1e-12)
    assert abs(result.as_extreme - result.exact_as_extreme) < 4 * result.as_extreme_se


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ({"a": (1, 5), "b": (4, 6)}, "same number of requests per wording, got 5 and 6"),
        ({"a": (1, 5), "b": (4, 5), "c": (2, 5)}, "exactly two wordings, got 3"),
        ({"a": (2, 5), "b": (2, 5)}, "both wordings got 2 of 5"),
    ],
)
def test_counts_it_cannot_use_are_refused_in_one_line(counts, message):
    with pytest.raises(InvalidInputError, match=message):
        simulate_null_experiments_like(counts)
