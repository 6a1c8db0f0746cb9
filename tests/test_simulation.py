"""The "how small is too small" simulations, each checked against an exact figure.

Exact figures here come from independent brute force: scipy.stats.fisher_exact called on every
outcome table, scipy.stats.binom.pmf, hand-countable binomial sums, and enumeration of every
daily path. Simulated figures must lie within 4 Monte-Carlo standard errors of them (fixed
seeds, so the tests are deterministic).
"""

from __future__ import annotations

import itertools
import json
import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from scipy import stats

from etiquette_lab.errors import InvalidInputError
from etiquette_lab.lessons.simulation import (
    _fisher_p_table,
    power_curves,
    simulate_null_experiments,
    simulate_peeking,
    simulate_winners_curse,
)
from etiquette_lab.planning.kernels import fisher_power
from etiquette_lab.planning.power import power_curve
from etiquette_lab.plots.simulation import (
    plot_difference_distribution,
    plot_exaggeration,
    plot_null_experiments,
    plot_peeking,
    plot_power_curves,
    plot_winners_curse,
)


def scipy_p(x_c, n_c, x_n, n_n):
    return stats.fisher_exact([[x_n, x_c], [n_n - x_n, n_c - x_c]]).pvalue


def brute_tables(n, p_c, p_n, alpha=0.05):
    """Every table of an n-vs-n design: (x_c, x_n, probability, significant by scipy)."""
    for x_c in range(n + 1):
        for x_n in range(n + 1):
            prob = stats.binom.pmf(x_c, n, p_c) * stats.binom.pmf(x_n, n, p_n)
            yield x_c, x_n, prob, scipy_p(x_c, n, x_n, n) <= alpha


def within(simulated, exact, se, k=4.0):
    return abs(simulated - exact) <= k * se


# -- the p-value table ------------------------------------------------------------------------


@pytest.mark.parametrize("n_c, n_n", [(5, 5), (7, 4), (1, 1), (12, 12)])
def test_p_value_table_matches_scipy_fisher_exact_on_every_table(n_c, n_n):
    # Independent: scipy.stats.fisher_exact, two-sided, table by table.
    table = _fisher_p_table(n_c, n_n)
    expected = np.array(
        [[scipy_p(x_c, n_c, x_n, n_n) for x_n in range(n_n + 1)] for x_c in range(n_c + 1)]
    )
    assert table.shape == (n_c + 1, n_n + 1)
    np.testing.assert_allclose(table, expected, rtol=1e-9, atol=1e-15)


def test_article_table_p_value():
    # R: fisher.test(matrix(c(4, 1, 1, 4), 2, byrow = TRUE))$p.value = 0.2063492 (= 26/126);
    # the same figure in docs/style-examples.md and the stats tests.
    assert _fisher_p_table(5, 5)[1, 4] == pytest.approx(26 / 126, rel=1e-12)


@pytest.mark.parametrize("n, p_c, p_n", [(5, 0.2, 0.8), (20, 0.3, 0.45), (40, 0.5, 0.5)])
def test_rejection_region_reproduces_planning_fisher_power(n, p_c, p_n):
    # The table must give planning's exact power (the module it duplicates a step of).
    reject = _fisher_p_table(n, n) <= 0.05
    mine = (
        stats.binom.pmf(np.arange(n + 1), n, p_c)
        @ reject
        @ stats.binom.pmf(np.arange(n + 1), n, p_n)
    )
    assert mine == pytest.approx(fisher_power(n, n, p_c, p_n, 0.05, "two-sided", 0.0), abs=1e-12)


# -- 1. no real difference --------------------------------------------------------------------


def test_five_vs_five_at_fifty_percent_exact_and_simulated():
    r = simulate_null_experiments(5, 0.5, experiments=20_000, seed=0)
    # By hand: X - Y + 5 = X + (5 - Y) ~ Binomial(10, 1/2), so P(|X - Y| >= 3)
    # = 2 * (C(10,0) + C(10,1) + C(10,2)) / 2^10 = 112 / 1024.
    assert r.exact_as_extreme == pytest.approx(112 / 1024, rel=1e-12)
    # By hand (scipy.stats.fisher_exact agrees): p <= 0.05 only for 5-0 (p = 2/252), 4-0 and
    # 5-1 (p = 12/252) either way: 2 * (1 + 5 + 5) / 1024.
    assert r.exact_significant == pytest.approx(22 / 1024, abs=1e-12)
    assert within(r.as_extreme, r.exact_as_extreme, r.as_extreme_se)
    assert within(r.significant, r.exact_significant, r.significant_se)
    assert r.as_extreme_se == pytest.approx(math.sqrt(r.as_extreme * (1 - r.as_extreme) / 20_000))


@pytest.mark.parametrize("n, rate, split", [(8, 0.3, (6, 2)), (6, 0.7, (2, 3)), (1, 0.5, (1, 0))])
def test_null_exact_figures_match_brute_force(n, rate, split):
    r = simulate_null_experiments(n, rate, split=split, experiments=4000, seed=3)
    gap = abs(split[0] - split[1])
    tables = list(brute_tables(n, rate, rate))
    assert r.exact_as_extreme == pytest.approx(
        sum(p for x_c, x_n, p, _ in tables if abs(x_n - x_c) >= gap), abs=1e-12
    )
    assert r.exact_significant == pytest.approx(sum(p for *_, p, s in tables if s), abs=1e-11)
    assert within(r.as_extreme, r.exact_as_extreme, max(r.as_extreme_se, 1 / 4000))


def test_null_distribution_is_a_distribution_and_matches_binomial_of_2n():
    r = simulate_null_experiments(5, 0.5, experiments=5000, seed=2)
    d = r.distribution
    assert d.difference == tuple((k - 5) / 5 for k in range(11))
    assert sum(d.simulated) == pytest.approx(1.0)
    assert sum(d.exact) == pytest.approx(1.0)
    # At 50%, X - Y + n ~ Binomial(2n, 1/2) (see above).
    np.testing.assert_allclose(d.exact, stats.binom.pmf(np.arange(11), 10, 0.5), rtol=1e-12)
    assert sum(d.exact_significant) == pytest.approx(r.exact_significant, abs=1e-12)
    assert sum(d.simulated_significant) == pytest.approx(r.significant)
    assert all(s <= t for s, t in zip(d.simulated_significant, d.simulated, strict=True))


def test_rates_of_zero_and_one_are_defined():
    for rate in (0.0, 1.0):
        r = simulate_null_experiments(5, rate, experiments=100)
        assert r.as_extreme == r.exact_as_extreme == 0.0
        assert r.significant == 0.0 and r.exact_significant == pytest.approx(0.0, abs=1e-12)
        assert r.as_extreme_se == 0.0


def test_same_seed_same_numbers_other_seed_other_numbers():
    a = simulate_null_experiments(experiments=3000, seed=11)
    b = simulate_null_experiments(experiments=3000, seed=11)
    c = simulate_null_experiments(experiments=3000, seed=12)
    assert a == b
    assert a.distribution.simulated != c.distribution.simulated


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_per_arm": 0},
        {"rate": 1.5},
        {"split": (6, 1)},
        {"split": (2, 2)},
        {"split": (4.5, 1)},
        {"split": 4},
        {"experiments": 0},
        {"alpha": 1.0},
        {"seed": -1},
        {"seed": 1.5},
        {"n_per_arm": 5000},
    ],
)
def test_null_bad_input_raises_one_line_error(kwargs):
    with pytest.raises(InvalidInputError) as info:
        simulate_null_experiments(**kwargs)
    assert "\n" not in str(info.value)


def test_null_result_prints_and_serialises():
    r = simulate_null_experiments(experiments=1000)
    text = str(r)
    assert "4 to 1 or more" in text and "10.9%" in text
    assert "<table" in r._repr_html_()
    data = json.loads(r.to_json())
    assert data["split"] == [4, 1] and len(data["distribution"]["exact"]) == 11


# -- 2. exact power curves --------------------------------------------------------------------


def test_power_curves_are_planning_power_curves():
    r = power_curves([(0.2, 0.8), (0.3, 0.45)], n=range(2, 12))
    assert r.curves[0] == power_curve(0.2, 0.8, n=range(2, 12))
    assert r.labels() == ["20% vs 80%", "30% vs 45%"]
    assert list(r.summary.columns) == r.labels() and list(r.summary.index) == list(range(2, 12))


def test_power_curve_is_saw_toothed_at_five_to_six():
    # Brute force with scipy.stats.fisher_exact: power at 5 and 6 per arm, 20% vs 80%.
    def brute(n):
        return sum(p for *_, p, s in brute_tables(n, 0.2, 0.8) if s)

    r = power_curves([(0.2, 0.8)], n=[5, 6])
    assert r.curves[0].power == pytest.approx((brute(5), brute(6)), abs=1e-12)
    assert r.curves[0].power[1] < r.curves[0].power[0]
    assert "saw-tooth" in str(r)


@pytest.mark.parametrize("effects", [[], [(0.2,)], [(0.2, 1.4)], "ab"])
def test_power_curves_bad_effects(effects):
    with pytest.raises(InvalidInputError):
        power_curves(effects, n=[5])


# -- 3. the winner's curse --------------------------------------------------------------------


def brute_winners_curse(n, p_c, p_n):
    """Exact power, E(|diff| | significant) / |true| and P(wrong sign | significant)."""
    true = p_n - p_c
    power = exag = wrong = 0.0
    for x_c, x_n, prob, sig in brute_tables(n, p_c, p_n):
        if sig:
            diff = (x_n - x_c) / n
            power += prob
            exag += prob * abs(diff) / abs(true)
            wrong += prob * (np.sign(diff) != np.sign(true))
    return power, exag / power, wrong / power


def test_winners_curse_exact_figures_match_brute_force_and_simulation():
    r = simulate_winners_curse(0.3, 0.45, n=(5, 10, 20), experiments=20_000, seed=0)
    for i, n in enumerate(r.n):
        power, exag, wrong = brute_winners_curse(n, 0.3, 0.45)
        assert r.exact_power[i] == pytest.approx(power, abs=1e-11)
        assert r.exact_exaggeration[i] == pytest.approx(exag, rel=1e-9)
        assert r.exact_type_s[i] == pytest.approx(wrong, abs=1e-9)
        assert within(r.significant[i], power, math.sqrt(power * (1 - power) / 20_000))
        assert within(r.exaggeration[i], exag, r.exaggeration_se[i])
        k = r.significant_count[i]
        assert within(r.type_s[i], wrong, math.sqrt(wrong * (1 - wrong) / k) + 1 / k)


def test_small_significant_experiments_overstate_and_large_ones_less():
    r = simulate_winners_curse(0.3, 0.45, n=(10, 50, 200), experiments=2000, seed=4)
    assert r.exact_exaggeration[0] > 3 > r.exact_exaggeration[1] > r.exact_exaggeration[2] > 1
    assert r.exact_type_s[0] > r.exact_type_s[1] > r.exact_type_s[2]
    assert "overstate" in str(r)


def test_winners_curse_with_nothing_significant_is_nan_and_null_in_json():
    # 3 vs 3: the smallest two-sided Fisher p is 2/20 = 0.1 (scipy agrees), so nothing is
    # significant at 0.05.
    assert min(scipy_p(0, 3, 3, 3), scipy_p(3, 3, 0, 3)) == pytest.approx(0.1)
    r = simulate_winners_curse(0.2, 0.9, n=(3, 8), experiments=500, seed=1)
    assert r.significant[0] == 0.0 and r.significant_count[0] == 0
    assert math.isnan(r.exaggeration[0]) and math.isnan(r.exact_exaggeration[0])
    assert json.loads(r.to_json())["exact_exaggeration"][0] is None
    assert "no outcome is significant" in str(r)
    assert not math.isnan(r.exact_exaggeration[1])


def test_winners_curse_reports_progress_and_distributions():
    messages: list[str] = []
    r = simulate_winners_curse(n=(5, 10), experiments=500, progress=messages.append)
    assert len(messages) == 2 and "n = 10" in messages[-1]
    assert r.distribution(10).n_per_arm == 10
    assert sum(r.distribution(5).exact_significant) == pytest.approx(r.exact_power[0])
    with pytest.raises(InvalidInputError):
        r.distribution(7)


def test_winners_curse_works_for_a_fall_too():
    # A fall is as exaggerated as the same rise, by symmetry of Fisher's test.
    up = simulate_winners_curse(0.3, 0.45, n=(15,), experiments=200)
    down = simulate_winners_curse(0.45, 0.3, n=(15,), experiments=200)
    assert down.exact_exaggeration[0] == pytest.approx(up.exact_exaggeration[0], rel=1e-9)
    assert down.exact_type_s[0] == pytest.approx(up.exact_type_s[0], abs=1e-12)


@pytest.mark.parametrize(
    "args, kwargs",
    [((0.3, 0.3), {}), ((0.3, 0.45), {"n": ()}), ((0.3, 0.45), {"n": (0,)}), ((-0.1, 0.4), {})],
)
def test_winners_curse_bad_input(args, kwargs):
    with pytest.raises(InvalidInputError):
        simulate_winners_curse(*args, **kwargs)


# -- 4. peeking -------------------------------------------------------------------------------


def brute_size(n, rate, alpha=0.05):
    return sum(p for *_, p, s in brute_tables(n, rate, rate, alpha) if s)


def test_one_look_at_the_end_is_the_exact_size_of_fishers_test():
    r = simulate_peeking(0.5, per_day=2, days=12, experiments=20_000, seed=0)
    for i in (3, 7, 11):  # 8, 16 and 24 per arm, checked by brute force with scipy
        size = brute_size(r.n_per_arm[i], 0.5)
        assert r.exact_single[i] == pytest.approx(size, abs=1e-11)
        assert within(r.single[i], size, math.sqrt(size * (1 - size) / 20_000))
    # The first look: daily looks and a single look are the same look.
    assert r.daily[0] == r.single[0] and r.exact_daily[0] == pytest.approx(r.exact_single[0])


def test_peeking_inflates_false_alarms():
    # The exact figures (checked against enumeration of every path below): twenty daily looks
    # give well over twice the false alarms of one look at the end, and never fewer.
    r = simulate_peeking(0.4, per_day=3, days=20, experiments=5000, seed=5)
    assert r.exact_daily[-1] > 2 * r.exact_single[-1]
    assert all(d >= s - 1e-12 for d, s in zip(r.exact_daily, r.exact_single, strict=True))


def test_exact_daily_looks_match_enumeration_of_every_path():
    # One request per wording per day for 4 days: 2^8 equally structured paths, each looked
    # at every day with scipy.stats.fisher_exact.
    rate, days = 0.5, 4
    expected = np.zeros(days)
    for path in itertools.product((0, 1), repeat=2 * days):
        c, n = np.cumsum(path[:days]), np.cumsum(path[days:])
        prob = np.prod([rate if v else 1 - rate for v in path])
        for d in range(days):
            if scipy_p(c[d], d + 1, n[d], d + 1) <= 0.05:
                expected[d:] += prob
                break
    r = simulate_peeking(rate, per_day=1, days=days, experiments=1000, seed=0)
    np.testing.assert_allclose(r.exact_daily, expected, atol=1e-12)


def test_simulated_daily_looks_match_the_exact_figure():
    r = simulate_peeking(0.5, per_day=2, days=30, experiments=20_000, seed=0)
    for sim, exact in zip(r.daily, r.exact_daily, strict=True):
        assert within(sim, exact, math.sqrt(exact * (1 - exact) / 20_000) + 1e-9)
    # Armitage et al. (1969): repeated looks at the 5% level push false alarms far above 5%.
    assert r.exact_daily[-1] > 0.10 > 0.05 > r.exact_single[-1]


def test_peeking_progress_batches_and_serialises():
    messages: list[str] = []
    r = simulate_peeking(days=3, experiments=25_000, progress=messages.append)
    assert len(messages) == 3 and "25,000 of 25,000" in messages[-1]
    data = json.loads(r.to_json())
    assert data["n_per_arm"] == [2, 4, 6]
    assert "Looking every day" in str(r)


@pytest.mark.parametrize(
    "kwargs", [{"per_day": 0}, {"days": 0}, {"rate": 2}, {"per_day": 100, "days": 30}]
)
def test_peeking_bad_input(kwargs):
    with pytest.raises(InvalidInputError):
        simulate_peeking(**kwargs)


# -- plots ------------------------------------------------------------------------------------


@pytest.fixture
def ax():
    fig, axes = plt.subplots()
    yield axes
    plt.close(fig)


def test_plot_null_experiments_draws_the_distribution(ax):
    r = simulate_null_experiments(experiments=2000, seed=1)
    assert plot_null_experiments(r, ax=ax) is ax
    heights = [p.get_height() for p in ax.patches if p.get_width() < 20]
    assert sum(heights) == pytest.approx(1.0)  # both stacks together: every experiment
    exact = next(line for line in ax.get_lines() if line.get_label() == "exact probability")
    np.testing.assert_allclose(exact.get_ydata(), r.distribution.exact)
    assert "4 to 1" in ax.get_title() and ax.get_xlabel() and ax.get_ylabel()


def test_plot_winners_curse_and_distribution(ax):
    r = simulate_winners_curse(n=(20,), experiments=2000)
    assert plot_winners_curse(r, n=20, ax=ax) is ax
    assert any(np.allclose(line.get_xdata(), 15.0) for line in ax.get_lines())  # the truth
    plt.close(plot_difference_distribution(r.distribution(20)).figure)


def test_plot_exaggeration_draws_exact_and_simulated(ax):
    r = simulate_winners_curse(n=(3, 10, 40), experiments=2000)
    assert plot_exaggeration(r, ax=ax) is ax
    exact = ax.get_lines()[0]
    np.testing.assert_allclose(exact.get_ydata(), r.exact_exaggeration)
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()


def test_plot_power_curves_one_line_per_effect(ax):
    r = power_curves(n=range(2, 30))
    assert plot_power_curves(r, ax=ax) is ax
    lines = ax.get_lines()
    assert len(lines) == 4  # three curves and the 80% line
    np.testing.assert_allclose(lines[0].get_ydata(), r.curves[0].power)


def test_plot_peeking_draws_both_strategies_and_the_nominal_level(ax):
    r = simulate_peeking(days=10, experiments=2000)
    assert plot_peeking(r, ax=ax) is ax
    ydata = [list(line.get_ydata()) for line in ax.get_lines()]
    assert list(r.exact_daily) in ydata and list(r.exact_single) in ydata
    assert [0.05, 0.05] in ydata
    assert "day" in ax.get_xlabel()
