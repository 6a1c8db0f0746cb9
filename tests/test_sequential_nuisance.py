"""The maximum over the common response rate: proven bounds, not only grid values.

Independent checks: dense evaluation of the polynomial on 40,001 rates (numpy) and, for the
Bernstein form, the binomial pmf of scipy.stats.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from etiquette_lab.sequential.nuisance import NullCrossing, certify, maximise


def _dense(f: NullCrossing, points: int = 40_001) -> float:
    return float(f(np.linspace(0.0, 1.0, points)).max())


@pytest.mark.parametrize("seed", range(6))
def test_the_proven_bound_is_above_every_value_and_close_to_the_maximum(seed):
    rng = np.random.default_rng(seed)
    degree = int(rng.integers(5, 300))
    # Sparse coefficients in [0, 1] make several narrow bumps, the hard case for a grid.
    weights = np.where(rng.random(degree + 1) < 0.1, rng.random(degree + 1), 0.0)
    f = NullCrossing([(degree, weights)])
    found = maximise(f)
    dense = _dense(f)
    assert dense <= found.bound + 1e-13
    assert found.value >= dense - 1e-9
    assert found.value == pytest.approx(f(np.array([found.rate]))[0], abs=1e-15)


def test_parts_of_different_degrees_are_raised_to_one_bernstein_form():
    rates = np.linspace(0, 1, 101)
    low = np.zeros(11)
    low[[2, 7]] = [0.3, 1.0]
    high = np.zeros(41)
    high[[20, 33]] = [0.5, 0.25]
    f = NullCrossing([(10, low), (40, high)])
    direct = stats.binom.pmf(np.arange(11)[None, :], 10, rates[:, None]) @ low
    direct += stats.binom.pmf(np.arange(41)[None, :], 40, rates[:, None]) @ high
    single = NullCrossing([(40, f.bernstein())])
    assert single(rates) == pytest.approx(direct, abs=1e-14)
    assert f(rates) == pytest.approx(direct, abs=1e-14)


def test_a_peak_between_grid_points_is_not_missed():
    # One sharp bump: Bin(1000; 2000, p) peaks at p = 1/2 with height ~0.0178 and width ~0.01.
    weights = np.zeros(2001)
    weights[1000] = 1.0
    f = NullCrossing([(2000, weights)])
    peak = stats.binom.pmf(1000, 2000, 0.5)
    ok, best, rate, _ = certify(f, budget=peak * (1 - 1e-6))
    assert abs(rate - 0.5) < 0.01
    assert not ok and best > peak * (1 - 1e-6)
    ok, *_ = certify(f, budget=peak * (1 + 1e-6))
    assert ok


def test_an_empty_region_never_raises_a_false_alarm():
    found = maximise(NullCrossing())
    assert (found.value, found.bound) == (0.0, 0.0)
