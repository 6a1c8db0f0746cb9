"""Spending functions and normal-approximation boundaries, against published constants.

Independent checks: mpmath's normal distribution for the spending functions, the constants of
Jennison & Turnbull (2000), *Group Sequential Methods with Applications to Clinical Trials*,
Table 2.1 (Pocock, C_P) and Table 2.3 (O'Brien-Fleming, C_B) for two-sided alpha = 0.05, and
scipy's multivariate normal CDF (Genz's quasi-Monte-Carlo integration, a different algorithm
from our recursive Gauss-Legendre integration) for the crossing probabilities.
"""

from __future__ import annotations

import itertools
import math

import mpmath
import numpy as np
import pytest
from scipy.stats import multivariate_normal

from etiquette_lab.errors import InvalidInputError
from etiquette_lab.sequential import alpha_spending, classical_boundaries, sequential_design
from etiquette_lab.sequential.normal import crossing


def _phi(x: float) -> float:
    return float(mpmath.ncdf(x))


def _z(p: float) -> float:
    return float(mpmath.sqrt(2) * mpmath.erfinv(2 * mpmath.mpf(p) - 1))


@pytest.mark.parametrize("t", [0.1, 0.2, 0.5, 0.8, 0.95])
def test_spending_functions_follow_their_formulas(t):
    # Lan & DeMets (1983) and Kim & DeMets (1987), computed with mpmath; two-sided designs
    # spend f(t; alpha/2) per side (gsDesign's convention for symmetric two-sided bounds).
    obf_one_sided = 2 - 2 * _phi(_z(1 - 0.025 / 2) / math.sqrt(t))
    assert alpha_spending(t, alpha=0.05) == pytest.approx(2 * obf_one_sided, rel=1e-10)
    assert alpha_spending(t, alpha=0.025, alternative="greater") == pytest.approx(
        obf_one_sided, rel=1e-10
    )
    assert alpha_spending(t, alpha=0.05, spending="pocock") == pytest.approx(
        0.05 * math.log(1 + (math.e - 1) * t), rel=1e-12
    )
    assert alpha_spending(t, alpha=0.05, spending="power", rho=3) == pytest.approx(
        0.05 * t**3, rel=1e-12
    )


@pytest.mark.parametrize("spending", ["obrien-fleming", "pocock", "power"])
def test_spending_runs_from_zero_to_alpha_and_increases(spending):
    grid = np.linspace(0, 1, 101)
    values = [alpha_spending(t, alpha=0.1, spending=spending) for t in grid]
    assert values[0] == 0.0 and values[-1] == 0.1
    assert all(b >= a for a, b in itertools.pairwise(values))
    # Strictly from t = 0.2 on (O'Brien-Fleming-type spends less than 1e-300 below t = 0.01).
    assert all(b > a for a, b in itertools.pairwise(values[20:]))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"t": 0.5, "spending": "haybittle"}, "unknown spending 'haybittle'"),
        ({"t": 0.5, "spending": "pocock", "rho": 2}, "rho applies only to spending='power'"),
        ({"t": 0.5, "spending": "power", "rho": -1}, "rho must be a positive number"),
        ({"t": 1.5}, "t must be between 0 and 1"),
        ({"t": 0.5, "alpha": 1.0}, "alpha must be between 0 and 1"),
        ({"t": 0.5, "alternative": "less"}, "unknown alternative 'less'"),
    ],
)
def test_spending_refuses_bad_input_in_one_line(kwargs, message):
    with pytest.raises(InvalidInputError, match=message) as caught:
        alpha_spending(**kwargs)
    assert "\n" not in str(caught.value)


def test_pocock_constant_for_five_looks_matches_jennison_turnbull():
    # Jennison & Turnbull (2000), Table 2.1: C_P(K = 5, alpha = 0.05) = 2.413 (Pocock 1977
    # gives the same); also K = 2 (2.178) and K = 10 (2.555) from the same table.
    assert classical_boundaries(5, shape="pocock").constant == pytest.approx(2.413, abs=5e-4)
    assert classical_boundaries(2, shape="pocock").constant == pytest.approx(2.178, abs=5e-4)
    assert classical_boundaries(10, shape="pocock").constant == pytest.approx(2.555, abs=5e-4)


def test_obrien_fleming_boundaries_for_five_looks_match_jennison_turnbull():
    # Jennison & Turnbull (2000), Table 2.3: C_B(K = 5, alpha = 0.05) = 2.040; the boundaries
    # are C_B sqrt(5 / k): 4.562, 3.226, 2.634, 2.281, 2.040 (O'Brien & Fleming 1979).
    result = classical_boundaries(5, shape="obrien-fleming")
    assert result.constant == pytest.approx(2.040, abs=5e-4)
    assert result.boundaries == pytest.approx([4.562, 3.226, 2.634, 2.281, 2.040], abs=5e-4)


def _genz_crossing(bounds, t, two_sided=True):
    # P(some |Z_k| >= b_k) with corr(Z_j, Z_k) = sqrt(t_j / t_k), by scipy's Genz algorithm.
    cov = np.array([[math.sqrt(min(a, b) / max(a, b)) for b in t] for a in t])
    upper = np.array(bounds)
    lower = -upper if two_sided else np.full(len(t), -np.inf)
    inside = multivariate_normal(cov=cov, abseps=1e-7, releps=1e-7, maxpts=2_000_000).cdf(
        upper, lower_limit=lower, rng=np.random.default_rng(1)
    )
    return 1.0 - inside


@pytest.mark.parametrize("shape", ["pocock", "obrien-fleming"])
def test_classical_boundaries_cross_with_probability_alpha_by_an_independent_integration(shape):
    result = classical_boundaries(5, shape=shape)
    assert _genz_crossing(result.boundaries, result.information) == pytest.approx(0.05, abs=2e-5)


def test_spending_boundaries_spend_exactly_the_planned_alpha_at_each_look():
    # Lan-DeMets O'Brien-Fleming-type, 5 equal looks, two-sided 0.05: the cumulative crossing
    # by each look, integrated independently (Genz), equals the spending function there.
    design = sequential_design(10_000, looks=5, method="normal")
    bounds, t = design.boundary_z, design.information
    for k in range(1, 6):
        assert _genz_crossing(bounds[:k], t[:k]) == pytest.approx(
            design.alpha_spent[k - 1], abs=2e-6
        )
    # Pinned to 3 decimals (confirmed by the Genz integration above; gsDesign's sfLDOF applied
    # to each side at alpha / 2 is the same construction).
    assert bounds == pytest.approx([4.877, 3.357, 2.680, 2.290, 2.031], abs=5e-4)


def test_one_sided_spending_boundaries_by_an_independent_integration():
    design = sequential_design(
        10_000,
        looks=[2_000, 5_000, 10_000],
        alpha=0.025,
        alternative="greater",
        spending="pocock",
        method="normal",
    )
    for k in range(1, 4):
        got = _genz_crossing(design.boundary_z[:k], design.information[:k], two_sided=False)
        assert got == pytest.approx(design.alpha_spent[k - 1], abs=2e-6)


def test_recursion_with_drift_matches_an_independent_integration():
    # Power of the classical O'Brien-Fleming design at drift 3 (mean of Z at the last look):
    # shift the Genz integration's means by drift * sqrt(t_k).
    result = classical_boundaries(4, shape="obrien-fleming")
    t, bounds = list(result.information), list(result.boundaries)
    up, down = crossing(bounds, t, two_sided=True, drift=3.0)
    cov = np.array([[math.sqrt(min(a, b) / max(a, b)) for b in t] for a in t])
    mean = 3.0 * np.sqrt(t)
    inside = multivariate_normal(mean=mean, cov=cov, abseps=1e-7, maxpts=2_000_000).cdf(
        np.array(bounds), lower_limit=-np.array(bounds), rng=np.random.default_rng(2)
    )
    assert up.sum() + down.sum() == pytest.approx(1 - inside, abs=2e-5)


def test_classical_boundaries_print_and_serialise():
    result = classical_boundaries(3, shape="pocock")
    assert "constant C = 2.289" in str(result)  # Jennison & Turnbull Table 2.1, K = 3: 2.289
    assert "<table" in result._repr_html_()
    assert result.to_dict()["shape"] == "pocock"


def test_classical_boundaries_refuse_an_unknown_shape():
    with pytest.raises(InvalidInputError, match="unknown shape 'haybittle-peto'"):
        classical_boundaries(5, shape="haybittle-peto")


def test_normal_operating_characteristics_beyond_the_exact_engine():
    from etiquette_lab.planning.kernels import normal_power
    from etiquette_lab.sequential import operating, sequential_power

    # One look, one-sided: the kit's fixed-sample normal power (R's power.prop.test formula).
    one = sequential_design(5_000, looks=1, method="normal", alternative="greater", alpha=0.025)
    result = sequential_power(one, 0.2, 0.22)
    assert result.method == "normal approximation"
    assert result.power == pytest.approx(normal_power(5_000, 5_000, 0.2, 0.22, 0.025, "greater"))
    # Five looks at 1,000 per wording: the approximation against the exact lattice.
    five = sequential_design(1_000, looks=5, method="normal")
    exact = sequential_power(five, 0.2, 0.25)
    limit = operating.MAX_EXACT_N
    try:
        operating.MAX_EXACT_N = 500  # force the approximation for the same design
        approximate = sequential_power(five, 0.2, 0.25)
    finally:
        operating.MAX_EXACT_N = limit
    assert exact.method == "exact" and approximate.method == "normal approximation"
    assert approximate.power == pytest.approx(exact.power, abs=0.005)
    assert approximate.expected_n == pytest.approx(exact.expected_n, rel=0.01)
    with pytest.raises(InvalidInputError, match="two-sided futility bounds are exact only"):
        sequential_power(sequential_design(5_000, method="normal", futility=0.5), 0.2, 0.22)
