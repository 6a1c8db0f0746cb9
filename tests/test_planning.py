"""Exact power, sample size and minimum detectable effect, checked against brute force and R."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from etiquette_lab.errors import InvalidInputError
from etiquette_lab.planning.kernels import fisher_power, normal_sample_size
from etiquette_lab.planning.power import (
    exact_power,
    minimum_detectable_effect,
    power_curve,
    sample_size,
)


def naive_power(n_c, n_n, p_c, p_n, alpha, alternative, pvalue):
    """The oracle: call a test on every outcome table and add up the rejected tables."""
    total = 0.0
    for x_c in range(n_c + 1):
        for x_n in range(n_n + 1):
            if pvalue([[x_n, x_c], [n_n - x_n, n_c - x_c]], alternative) <= alpha:
                total += stats.binom.pmf(x_c, n_c, p_c) * stats.binom.pmf(x_n, n_n, p_n)
    return total


def scipy_fisher(table, alternative):
    return stats.fisher_exact(table, alternative=alternative).pvalue


DESIGNS = [
    (5, 5, 0.2, 0.8, 0.05, "two-sided"),
    (7, 12, 0.3, 0.6, 0.05, "two-sided"),
    (12, 7, 0.3, 0.6, 0.05, "greater"),
    (10, 10, 0.5, 0.5, 0.05, "two-sided"),  # equal rates: the power is the test's size
    (15, 9, 0.1, 0.7, 0.10, "two-sided"),
    (20, 20, 0.2, 0.5, 0.05, "greater"),
    (9, 14, 0.6, 0.2, 0.05, "two-sided"),  # the new wording worse
    (6, 6, 0.0, 1.0, 0.05, "two-sided"),  # certain outcomes: one table has all the mass
    (1, 1, 0.3, 0.9, 0.05, "greater"),
]


@pytest.mark.parametrize("design", DESIGNS)
def test_fisher_power_matches_the_naive_loop(design):
    # Oracle: scipy.stats.fisher_exact on every table (brute-force enumeration).
    n_c, n_n, p_c, p_n, alpha, alternative = design
    expected = naive_power(n_c, n_n, p_c, p_n, alpha, alternative, scipy_fisher)
    got = exact_power(n_c, n_n, p_c, p_n, alpha=alpha, alternative=alternative).power
    assert got == pytest.approx(expected, abs=1e-11)


def test_the_articles_anchor_five_per_arm_is_about_38_percent():
    # Issue 4: 5 per arm, 20% vs 80%, Fisher two-sided at 5% -> about 0.38. Brute force gives
    # 0.3758138368 (only tables (0 of 5, 5 of 5)-like extremes reject); recomputed here.
    expected = naive_power(5, 5, 0.2, 0.8, 0.05, "two-sided", scipy_fisher)
    assert expected == pytest.approx(0.3758138368, abs=1e-10)
    assert exact_power(5, 5, 0.2, 0.8).power == pytest.approx(expected, rel=1e-12)


def test_fisher_power_at_large_n_matches_full_rows():
    # Independent of the banded rows and table windows: the same sum with no truncation at all
    # (every table, full hypergeometric rows), written here with scipy.stats.hypergeom.
    n_c, n_n, p_c, p_n = 60, 45, 0.3, 0.5
    total = 0.0
    for t in range(n_c + n_n + 1):
        support = np.arange(max(0, t - n_c), min(t, n_n) + 1)
        d = stats.hypergeom.pmf(support, n_c + n_n, n_n, t)
        p = np.array([d[d <= v * (1 + 1e-7)].sum() for v in d])
        joint = stats.binom.pmf(t - support, n_c, p_c) * stats.binom.pmf(support, n_n, p_n)
        total += joint[p <= 0.05].sum()
    assert fisher_power(n_c, n_n, p_c, p_n, 0.05, "two-sided", 1e-12) == pytest.approx(
        total, abs=1e-11
    )


def test_power_under_the_null_never_exceeds_alpha():
    # Fisher's test is conservative: its size is at most alpha at every common rate.
    for rate in (0.05, 0.3, 0.5, 0.9):
        assert exact_power(25, 30, rate, rate).power <= 0.05


def test_exact_power_is_saw_toothed_in_n():
    # Brute force (naive loop): power falls from n = 5 to n = 6 per arm for 20% vs 80%.
    p5 = naive_power(5, 5, 0.2, 0.8, 0.05, "two-sided", scipy_fisher)
    p6 = naive_power(6, 6, 0.2, 0.8, 0.05, "two-sided", scipy_fisher)
    assert p6 < p5
    curve = power_curve(0.2, 0.8, n=[5, 6])
    assert curve.power == pytest.approx((p5, p6), abs=1e-11)


def test_boschloo_is_at_least_as_powerful_as_fisher():
    # Boschloo (1970): his test is uniformly more powerful than Fisher's at the same level.
    for design in [(5, 5, 0.2, 0.8), (6, 4, 0.1, 0.6)]:
        fisher = exact_power(*design).power
        boschloo = exact_power(*design, test="boschloo").power
        assert boschloo >= fisher - 1e-12
    # And it matches the naive loop with scipy's boschloo_exact on a small design.
    expected = naive_power(
        4,
        4,
        0.2,
        0.8,
        0.05,
        "greater",
        lambda t, a: (
            stats.boschloo_exact(t, alternative=a).pvalue if 0 < t[0][0] + t[0][1] < 8 else 1.0
        ),
    )
    got = exact_power(4, 4, 0.2, 0.8, alternative="greater", test="boschloo").power
    assert got == pytest.approx(expected, abs=1e-12)


def test_boschloo_has_a_stated_size_limit():
    with pytest.raises(InvalidInputError, match="limited to 25"):
        exact_power(30, 30, 0.2, 0.5, test="boschloo")


# -- the normal approximation against R's power.prop.test -----------------------------------


def test_normal_power_matches_r_power_prop_test():
    # R documentation example: power.prop.test(n = 50, p1 = .5, p2 = .75) -> power = 0.7401659
    # (strict = FALSE). Recomputed by hand from R's formula: pnorm((sqrt(50) * .25 -
    # qnorm(.975) * sqrt((p1 + p2) * (1 - (p1 + p2) / 2))) / sqrt(.25 + .1875)).
    hand = stats.norm.cdf(
        (math.sqrt(50) * 0.25 - stats.norm.isf(0.025) * math.sqrt(1.25 * 0.375))
        / math.sqrt(0.25 + 0.1875)
    )
    got = exact_power(50, 50, 0.5, 0.75, test="normal").power
    assert got == pytest.approx(0.7401659, abs=1e-7)
    assert got == pytest.approx(hand, rel=1e-12)


def test_normal_sample_size_matches_r_power_prop_test():
    # R documentation example: power.prop.test(p1 = .50, p2 = .75, power = .90)  ## => n = 76.7
    # R solves the same equation with uniroot; the closed form by hand is
    # ((qnorm(.975) * sqrt(1.25 * .75 / 2) + qnorm(.9) * sqrt(.4375)) / .25)^2 = 76.7069.
    # (76.65294, quoted in places, is statsmodels' NormalIndPower with Cohen's arcsine h: a
    # different formula, not power.prop.test.)
    hand = (
        (
            stats.norm.isf(0.025) * math.sqrt(1.25 * 0.75 / 2)
            + stats.norm.ppf(0.9) * math.sqrt(0.4375)
        )
        / 0.25
    ) ** 2
    n = normal_sample_size(0.5, 0.75, 0.9, 0.05, "two-sided", 1.0)
    assert n == pytest.approx(hand, rel=1e-12)
    assert round(n, 1) == 76.7
    plan = sample_size(0.5, 0.75, power=0.9, test="normal")
    assert plan.n_per_arm == plan.n_per_arm_stable == 77
    assert plan.normal_approximation_n == pytest.approx(hand, rel=1e-12)


def test_normal_power_unequal_arms_and_one_sided_match_statsmodels():
    # statsmodels.stats.proportion.power_proportions_2indep: pooled variance under H0, like
    # ours. One-sided it is the same formula; two-sided it also counts the wrong-direction
    # tail (R's strict = TRUE), which is < 1e-5 here.
    from statsmodels.stats.proportion import power_proportions_2indep

    one = power_proportions_2indep(0.25, 0.5, 30, ratio=2, alternative="larger").power
    two = power_proportions_2indep(0.25, 0.5, 30, ratio=2).power
    # statsmodels' nobs1 = 30 is the arm with rate 0.75 (our new arm); 60 are at 0.5.
    assert exact_power(60, 30, 0.5, 0.75, alternative="greater", test="normal").power == (
        pytest.approx(one, rel=1e-10)
    )
    assert exact_power(60, 30, 0.5, 0.75, test="normal").power == pytest.approx(two, abs=1e-5)


# -- sample size ----------------------------------------------------------------------------


def full_scan(p_c, p_n, goal, alternative, ratio, up_to):
    """Brute search: exact power at every n from 1 to up_to."""
    power = {
        n: fisher_power(n, max(1, math.ceil(ratio * n - 1e-9)), p_c, p_n, 0.05, alternative, 1e-12)
        for n in range(1, up_to + 1)
    }
    first = min(n for n, v in power.items() if v >= goal)
    dips = [n for n, v in power.items() if v < goal]
    return first, (max(dips) + 1 if dips else 1), power


@pytest.mark.parametrize(
    ("p_c", "p_n", "goal", "alternative", "ratio"),
    [
        (0.2, 0.8, 0.8, "two-sided", 1.0),
        (0.2, 0.5, 0.8, "two-sided", 1.0),
        (0.2, 0.5, 0.8, "greater", 1.0),
        (0.1, 0.4, 0.9, "two-sided", 2.0),
        (0.3, 0.7, 0.5, "greater", 0.5),
        (0.05, 0.3, 0.8, "two-sided", 1.0),
    ],
)
def test_sample_size_agrees_with_a_full_scan(p_c, p_n, goal, alternative, ratio):
    plan = sample_size(p_c, p_n, power=goal, alternative=alternative, ratio=ratio)
    first, stable, power = full_scan(p_c, p_n, goal, alternative, ratio, plan.checked_up_to + 40)
    assert plan.n_per_arm == first
    assert plan.n_per_arm_stable == stable
    assert plan.power == pytest.approx(power[first], abs=1e-12)
    assert plan.n_new == max(1, math.ceil(ratio * first - 1e-9))


def test_sample_size_is_the_first_n_whose_brute_force_power_reaches_the_target():
    # 20% vs 50% at 80% power: the naive scipy loop puts power below 0.8 at 43 per arm and at
    # or above it at 44, so 44 (the README's figure) is right; the text says it in words.
    plan = sample_size(0.2, 0.5)
    assert plan.n_per_arm == 44
    assert naive_power(43, 43, 0.2, 0.5, 0.05, "two-sided", scipy_fisher) < 0.8
    assert naive_power(44, 44, 0.2, 0.5, 0.05, "two-sided", scipy_fisher) >= 0.8
    assert "44 requests per wording" in str(plan)
    table = plan.power_table()
    assert list(table["n"]) == sorted(table["n"])
    assert plan.to_dict()["n_per_arm"] == plan.n_per_arm


def test_sample_size_bad_input():
    with pytest.raises(InvalidInputError, match="equal"):
        sample_size(0.3, 0.3)
    with pytest.raises(InvalidInputError, match="between 0 and 1"):
        sample_size(1.2, 0.3)
    with pytest.raises(InvalidInputError, match="alpha"):
        sample_size(0.2, 0.3, alpha=1.0)
    with pytest.raises(InvalidInputError, match="not reached"):
        sample_size(0.2, 0.23, max_n=200)
    with pytest.raises(InvalidInputError, match="below baseline"):
        sample_size(0.5, 0.2, alternative="greater")
    with pytest.raises(InvalidInputError, match="whole number"):
        exact_power(0, 5, 0.2, 0.5)
    with pytest.raises(InvalidInputError, match="test"):
        exact_power(5, 5, 0.2, 0.5, test="chisq")


# -- minimum detectable effect --------------------------------------------------------------


def test_minimum_detectable_effect_is_the_smallest_rate_reaching_the_power():
    mde = minimum_detectable_effect(20, baseline=0.2)
    assert mde.power >= 0.8
    # Just below the answer the power falls short (brute force at the lower rate).
    below = naive_power(20, 20, 0.2, mde.target - 2e-5, 0.05, "two-sided", scipy_fisher)
    assert below < 0.8
    # Power rises with the target rate at fixed n, which the bisection relies on.
    rates = np.linspace(0.2, 1.0, 41)
    powers = [exact_power(20, 20, 0.2, r).power for r in rates]
    assert np.all(np.diff(powers) >= -1e-12)


def test_minimum_detectable_effect_unreachable():
    with pytest.raises(InvalidInputError, match="100%"):
        minimum_detectable_effect(3, baseline=0.2)


def test_large_designs_widen_the_band_and_match_full_rows(monkeypatch):
    # At 10,000 per arm the 10-SD band fails its 1e-20 check and a wider one is used; the
    # result must equal the computation on full hypergeometric rows (band wider than n).
    import etiquette_lab.planning.kernels as kernels

    banded = exact_power(10_000, 10_000, 0.2, 0.21).power
    monkeypatch.setattr(kernels, "_BAND_SD", 1e9)
    full = exact_power(10_000, 10_000, 0.2, 0.21).power
    assert banded == pytest.approx(full, abs=1e-12)
    # R's power.prop.test(n = 10000, p1 = 0.2, p2 = 0.21) formula, recomputed here with
    # scipy: 0.41745; Fisher's exact test is a little more conservative at this size.
    from scipy.stats import norm

    pbar = 0.205
    normal = norm.cdf(
        (100 * 0.01 - norm.ppf(0.975) * math.sqrt(2 * pbar * (1 - pbar)))
        / math.sqrt(0.2 * 0.8 + 0.21 * 0.79)
    )
    assert normal == pytest.approx(0.41745, abs=1e-5)
    assert normal - 0.02 < banded < normal


def test_designs_too_large_for_exact_power_say_so():
    with pytest.raises(InvalidInputError, match="normal approximation"):
        exact_power(1_000_000, 1_000_000, 0.2, 0.201)


# -- the kernels behind `plan` and `power` without scipy.stats ------------------------------


@pytest.mark.parametrize("n", [1, 2, 5, 37, 200, 1999])
@pytest.mark.parametrize("p", [0.0, 1e-9, 0.2, 0.5, 0.83, 1 - 1e-9, 1.0])
def test_binomial_kernels_are_scipy_stats_binom_bit_for_bit(n, p):
    from etiquette_lab.planning.kernels import binomial_pmf, binomial_window

    x = np.arange(n + 1)
    assert np.array_equal(binomial_pmf(x, n, p), stats.binom.pmf(x, n, p))
    for tail in (2.5e-13, 1e-4, 0.3):
        if 0 < p < 1:
            lo, hi = binomial_window(n, p, tail)
            assert (lo, hi) == (
                max(int(stats.binom.ppf(tail, n, p)), 0),
                min(int(stats.binom.isf(tail, n, p)), n),
            )


@pytest.mark.parametrize(
    ("n_c", "n_n", "alpha"), [(5, 5, 0.05), (12, 30, 0.05), (40, 40, 0.01), (97, 61, 0.2)]
)
@pytest.mark.parametrize("alternative", ["two-sided", "greater"])
def test_rejections_are_the_p_values_compared_with_alpha(n_c, n_n, alpha, alternative):
    from etiquette_lab.planning.kernels import fisher_p_values, fisher_rejections
    from etiquette_lab.significance import rejects

    x_c, x_n = np.arange(n_c + 1), np.arange(n_n + 1)
    expected = rejects(fisher_p_values(n_c, n_n, x_c, x_n, alternative), alpha)
    assert np.array_equal(fisher_rejections(n_c, n_n, x_c, x_n, alternative, alpha), expected)
    # And both are scipy's fisher_exact, table by table (R's 1e-7 tie rule): p < alpha.
    for xc in range(0, n_c + 1, max(1, n_c // 6)):
        for xn in range(0, n_n + 1, max(1, n_n // 6)):
            table = [[xn, xc], [n_n - xn, n_c - xc]]
            side = "greater" if alternative == "greater" else "two-sided"
            p = stats.fisher_exact(table, alternative=side).pvalue
            if abs(p - alpha) > 1e-6 * alpha:
                assert expected[xc, xn] == (p < alpha)


def _random_power_curve(rng, max_n, goal):
    """A power curve in n: rising like the normal approximation, crossing *goal* near max_n
    half the time, with random teeth up to 4 / n (some break the search's saw-tooth rule: the
    shortcut must take sample_size's steps on any curve)."""
    n = np.arange(1, max_n + 1)
    crossing = max_n - rng.integers(-2, 4) if rng.random() < 0.6 else rng.uniform(2, 2 * max_n)
    scale = crossing / ((stats.norm.ppf(goal) + 1.96) / 2.8) ** 2
    base = stats.norm.cdf(np.sqrt(n / scale) * 2.8 - 1.96)
    teeth = rng.uniform(-1, 1, max_n) * rng.uniform(0, 4) / n
    return dict(zip(n.tolist(), np.clip(base + teeth, 0, 1).tolist(), strict=True))


@pytest.mark.parametrize("seed", range(60))
def test_smallest_sample_size_takes_sample_sizes_steps_from_bounds(seed, monkeypatch):
    # Any curve, and bounds around each power of random widths (from none to 0.05, one side at
    # a time): the shortcut's answer is sample_size's n_per_arm, and None exactly where
    # sample_size raises (not reached, or reached and lost again before max_n).
    import etiquette_lab.planning.power as planning

    rng = np.random.default_rng(seed)
    max_n, goal = int(rng.choice([30, 200, 2000])), float(rng.choice([0.5, 0.8, 0.9]))
    curve = _random_power_curve(rng, max_n, goal)
    widths = rng.choice([0.0, 1e-9, 1e-4, 0.05], size=(max_n + 1, 2))
    monkeypatch.setattr(planning, "_power_function", lambda *args: lambda n_c, n_n: curve[n_c])
    monkeypatch.setattr(
        planning,
        "_power_bounds_function",
        lambda *args: lambda n_c, n_n: (curve[n_c] - widths[n_c, 0], curve[n_c] + widths[n_c, 1]),
    )
    try:
        expected = sample_size(0.2, 0.3, power=goal, max_n=max_n).n_per_arm
    except InvalidInputError:
        expected = None
    assert planning.smallest_sample_size(0.2, 0.3, power=goal, max_n=max_n) == expected


def test_smallest_sample_size_is_none_where_the_goal_is_reached_then_lost(monkeypatch):
    # By hand: the power reaches 80% at n = 1,400 and stays within 0.0009 of it, but n = 2,000
    # (max_n) is a dip below 80%: sample_size says "reached at n = 1400 but lost again", and
    # the verdict falls back to the normal approximation.
    import etiquette_lab.planning.power as planning

    def power(n_c, n_n):
        return 0.8 - 0.0001 if n_c == 2000 else min(0.8009, 0.5 + 0.3 * n_c / 1400)

    monkeypatch.setattr(planning, "_power_function", lambda *args: power)
    monkeypatch.setattr(planning, "_power_bounds_function", lambda *args: lambda *n: (0, 1))
    with pytest.raises(InvalidInputError, match="reached at n = 1400 but lost again"):
        sample_size(0.2, 0.3)
    assert planning.smallest_sample_size(0.2, 0.3) is None


@pytest.mark.parametrize(
    ("p_c", "p_n"),
    [(0.2, 0.8), (0.2, 0.5), (0.2, 0.24), (0.5, 0.55), (0.02, 0.1), (0.3, 0.2), (0.55, 0.46)],
)
def test_smallest_sample_size_matches_sample_size_on_real_designs(p_c, p_n):
    # (0.55, 0.46): Fisher's power is 0.8044 at n = 500 and 0.7911 at 502 (scipy's
    # fisher_exact, table by table, agrees), a tooth the old 2 / n rule missed; the shortcut
    # gives sample_size's 497, as it takes the same steps (tests/test_planning_sawtooth.py
    # checks both against a full scan).
    from etiquette_lab.planning.power import smallest_sample_size

    assert smallest_sample_size(p_c, p_n) == sample_size(p_c, p_n).n_per_arm


def test_power_bounds_hold_the_exact_power():
    from etiquette_lab.planning.kernels import fisher_power, fisher_power_bounds

    rng = np.random.default_rng(8)
    for _ in range(60):
        n_c, n_n = (int(v) for v in rng.integers(1, 400, 2))
        p_c, p_n = rng.random(2)
        for alternative in ("two-sided", "greater"):
            exact = fisher_power(n_c, n_n, p_c, p_n, 0.05, alternative, 1e-12)
            low, high = fisher_power_bounds(n_c, n_n, p_c, p_n, 0.05, alternative, 1e-12)
            assert low <= exact <= high and high - low < 2e-5


def test_plan_and_power_do_not_import_scipy_stats_or_pandas():
    import subprocess
    import sys

    code = (
        "import sys\nfrom etiquette_lab.cli.main import main\n"
        "main(['plan', '--baseline', '0.2', '--target', '0.5'])\n"
        "main(['power', '--n', '5', '--baseline', '0.2', '--target', '0.8', '--json'])\n"
        "print(sorted(m for m in ('scipy.stats', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
