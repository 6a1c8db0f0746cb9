"""Per-arm rate intervals against statsmodels and exact Beta quantiles."""

from __future__ import annotations

import pytest
from statsmodels.stats.proportion import proportion_confint

from etiquette_lab.errors import InvalidInputError
from etiquette_lab.stats import rate_interval

CASES = [(0, 5), (1, 5), (4, 5), (5, 5), (7, 34), (0, 1), (1, 1), (123, 4567), (3, 1_000_000)]


@pytest.mark.parametrize(("x", "n"), CASES)
@pytest.mark.parametrize(
    ("method", "sm_method"), [("wilson", "wilson"), ("clopper-pearson", "beta")]
)
def test_limits_match_statsmodels(x, n, method, sm_method):
    # statsmodels.stats.proportion.proportion_confint, an independent implementation
    low, high = proportion_confint(x, n, alpha=0.05, method=sm_method)
    r = rate_interval(x, n, method=method)
    assert r.estimate == x / n
    assert r.ci_low == pytest.approx(low, rel=1e-9, abs=1e-12)
    assert r.ci_high == pytest.approx(high, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(("x", "n"), [(1, 5), (4, 5), (7, 34), (123, 4567)])
def test_jeffreys_interior_matches_statsmodels(x, n):
    # statsmodels proportion_confint(method="jeffreys"); it does not pin the limits at 0 / n,
    # so only interior counts are compared here.
    low, high = proportion_confint(x, n, alpha=0.1, method="jeffreys")
    r = rate_interval(x, n, method="jeffreys", alpha=0.1)
    assert (r.ci_low, r.ci_high) == pytest.approx((low, high), rel=1e-9)


def test_jeffreys_pinned_at_the_edges_as_brown_cai_dasgupta():
    # Brown, Cai & DasGupta (2001), section 4.1.2: lower limit 0 at x = 0, upper 1 at x = n.
    assert rate_interval(0, 5, method="jeffreys").ci_low == 0.0
    assert rate_interval(5, 5, method="jeffreys").ci_high == 1.0
    # the other limit stays the Beta(x + 1/2, n - x + 1/2) quantile (statsmodels, same formula)
    assert rate_interval(0, 5, method="jeffreys").ci_high == pytest.approx(
        proportion_confint(0, 5, method="jeffreys")[1], rel=1e-9
    )


def test_wilson_closed_form_for_one_of_five():
    # Wilson (1927) by hand: (p + z^2/2n +- z sqrt(p q / n + z^2 / 4n^2)) / (1 + z^2 / n)
    z = 1.959963984540054
    p, n = 0.2, 5
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / (1 + z * z / n)
    r = rate_interval(1, 5)
    assert (r.ci_low, r.ci_high) == pytest.approx((centre - half, centre + half), rel=1e-12)


@pytest.mark.parametrize("method", ["wilson", "clopper-pearson", "jeffreys"])
def test_edges_are_exact(method):
    assert rate_interval(0, 5, method=method).ci_low == 0.0
    assert rate_interval(5, 5, method=method).ci_high == 1.0


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((0, 0), {}, "n = 0"),
        ((6, 5), {}, "more than all"),
        ((-1, 5), {}, "negative"),
        ((1.5, 5), {}, "whole number"),
        ((1, 5), {"method": "wald"}, "unknown interval method"),
        ((1, 5), {"alpha": 1.5}, "alpha"),
    ],
)
def test_bad_input_is_a_clear_error(args, kwargs, message):
    with pytest.raises(InvalidInputError, match=message):
        rate_interval(*args, **kwargs)


def test_result_renders_and_serialises():
    r = rate_interval(1, 5)
    assert "wilson" in str(r) and "<table" in r._repr_html_()
    assert r.to_dict()["responses"] == 1
