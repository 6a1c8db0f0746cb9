"""The exact group-sequential engine against brute-force enumeration of every path.

The independent computation here never uses the lattice's alive fractions: it lists every
sequence of per-look increments (x added to each arm at each look), multiplies binomial
coefficients (math.comb) along the path, and stops the path where the design's region says so.
Under a common rate p the crossing probability is then a polynomial whose coefficients we
collect exactly, so it can be evaluated on a grid of 20,001 rates.
"""

from __future__ import annotations

import itertools
import json
import math
from collections import defaultdict

import numpy as np
import pytest
from scipy.stats import barnard_exact

from etiquette_lab.errors import InvalidInputError
from etiquette_lab.sequential import (
    naive_peeking,
    operating_characteristics,
    sequential_design,
    sequential_power,
)
from etiquette_lab.sequential.design import lattice_of
from etiquette_lab.sequential.lattice import pooled_z


def brute_crossing(looks, reject):
    """Coefficients {(N, s): count} of P_p(stop with evidence) = sum count p^s (1-p)^(N-s).

    Paths continue after a state only if it did not stop; *reject[k][x_c, x_n]* says stop.
    """
    steps = [looks[0], *(b - a for a, b in itertools.pairwise(looks))]
    counts: dict[tuple[int, int], int] = defaultdict(int)

    def walk(k, x_c, x_n, weight):
        for a, b in itertools.product(range(steps[k] + 1), repeat=2):
            w = weight * math.comb(steps[k], a) * math.comb(steps[k], b)
            if reject[k][x_c + a, x_n + b]:
                counts[(2 * looks[k], x_c + a + x_n + b)] += w
            elif k + 1 < len(steps):
                walk(k + 1, x_c + a, x_n + b, w)

    walk(0, 0, 0, 1)
    return counts


def evaluate(counts, rates):
    rates = np.asarray(rates, dtype=float)
    total = np.zeros_like(rates)
    for (n, s), c in counts.items():
        total += c * rates**s * (1 - rates) ** (n - s)
    return total


def brute_power(looks, reject, p_c, p_n):
    steps = [looks[0], *(b - a for a, b in itertools.pairwise(looks))]
    total = 0.0

    def binom(m, x, p):
        return math.comb(m, x) * p**x * (1 - p) ** (m - x)

    def walk(k, x_c, x_n, prob):
        nonlocal total
        for a, b in itertools.product(range(steps[k] + 1), repeat=2):
            q = prob * binom(steps[k], a, p_c) * binom(steps[k], b, p_n)
            if reject[k][x_c + a, x_n + b]:
                total += q
            elif k + 1 < len(steps):
                walk(k + 1, x_c + a, x_n + b, q)

    walk(0, 0, 0, 1.0)
    return total


DESIGNS = [
    {"max_n": 12, "looks": 3},
    {"max_n": 12, "looks": [3, 5, 12], "spending": "pocock"},
    {"max_n": 10, "looks": 2, "spending": "power", "rho": 2, "alpha": 0.1},
    {"max_n": 12, "looks": 3, "alternative": "greater", "alpha": 0.025},
]


@pytest.mark.parametrize("kwargs", DESIGNS, ids=lambda k: json.dumps(k))
def test_type_one_error_equals_brute_force_enumeration(kwargs):
    design = sequential_design(**kwargs)
    reject = lattice_of(design).reject
    counts = brute_crossing(design.looks, reject)
    # The reported worst case is the exact crossing probability at the reported rate ...
    at_worst = evaluate(counts, [design.worst_rate])[0]
    assert design.type_one_error == pytest.approx(at_worst, abs=1e-9)
    # ... no rate on a fine grid gives more than the proven bound, which is within alpha ...
    grid = evaluate(counts, np.linspace(0, 1, 20_001))
    assert grid.max() <= design.type_one_error_bound + 1e-12
    assert design.type_one_error_bound <= design.alpha
    # ... and the reported maximum is the true one (the grid cannot beat it by more than 1e-9).
    assert design.type_one_error >= grid.max() - 1e-9


@pytest.mark.parametrize("kwargs", DESIGNS, ids=lambda k: json.dumps(k))
def test_alpha_spent_is_never_exceeded_at_any_look_for_any_rate(kwargs):
    design = sequential_design(**kwargs)
    reject = lattice_of(design).reject
    grid = np.linspace(0, 1, 4_001)
    for k in range(len(design.looks)):
        counts = brute_crossing(design.looks[: k + 1], reject[: k + 1])
        by_look = evaluate(counts, grid).max() if counts else 0.0
        assert by_look <= design.alpha_spent[k] + 1e-12
        assert design.false_alarm_by_look[k] == pytest.approx(by_look, abs=1e-7)


@pytest.mark.parametrize(("p_c", "p_n"), [(0.2, 0.7), (0.5, 0.5), (0.9, 0.3), (0.0, 1.0)])
def test_power_and_stopping_probabilities_equal_brute_force(p_c, p_n):
    design = sequential_design(12, looks=[4, 8, 12], spending="pocock")
    reject = lattice_of(design).reject
    result = sequential_power(design, p_c, p_n)
    assert result.power == pytest.approx(brute_power(design.looks, reject, p_c, p_n), abs=1e-12)
    for k in range(3):
        by_k = brute_power(design.looks[: k + 1], reject[: k + 1], p_c, p_n)
        assert sum(result.stop_evidence[: k + 1]) == pytest.approx(by_k, abs=1e-12)
    # Expected size: every experiment pays the first look, and each later step if it gets there.
    reach = [1.0, 1 - result.stop_evidence[0], 1 - sum(result.stop_evidence[:2])]
    assert result.expected_n == pytest.approx(4 * reach[0] + 4 * reach[1] + 4 * reach[2])


def test_the_worst_case_is_a_maximum_over_rates_not_the_rate_at_one_half():
    design = sequential_design(12, looks=[3, 5, 12], spending="pocock")
    at_half = sequential_power(design, 0.5, 0.5).power
    assert design.type_one_error >= at_half
    curve = operating_characteristics(
        design, np.linspace(0.01, 0.99, 99), np.linspace(0.01, 0.99, 99)
    )
    assert max(curve.power) <= design.type_one_error_bound + 1e-12


def test_one_look_is_the_exact_unconditional_test_ordered_by_the_pooled_z():
    # Barnard's exact test with the pooled statistic (scipy.stats.barnard_exact) maximises the
    # same tail probability over the nuisance rate; a one-look design rejects exactly where its
    # p-value is at most alpha (scipy maximises numerically, so tables within 1e-6 are skipped).
    n = 12
    design = sequential_design(n, looks=1)
    reject = lattice_of(design).reject[0]
    checked = 0
    for x_c, x_n in itertools.product(range(n + 1), repeat=2):
        table = [[x_n, x_c], [n - x_n, n - x_c]]
        p = barnard_exact(table, pooled=True, n=64).pvalue
        if abs(p - 0.05) > 1e-6:
            assert bool(reject[x_c, x_n]) == (p <= 0.05), (x_c, x_n, p)
            checked += 1
    assert checked > 150


def test_pooled_z_is_monotone_so_the_one_sided_maximum_is_at_equal_rates():
    # For "greater" the null is p_new <= p_control; the rejection probability grows with p_new
    # and falls with p_control when z grows with x_new and falls with x_control.
    for c, n in [(5, 5), (7, 12), (30, 30), (60, 45)]:
        z = pooled_z(c, n)
        assert np.all(np.diff(z, axis=1) > 0) and np.all(np.diff(z, axis=0) < 0)


def test_one_sided_false_alarm_is_largest_on_the_boundary_of_the_null():
    design = sequential_design(12, looks=3, alternative="greater", alpha=0.025)
    for p_c in np.linspace(0.05, 0.95, 19):
        for p_n in np.linspace(0.0, p_c, 6):
            assert sequential_power(design, p_c, p_n).power <= design.type_one_error_bound + 1e-12


def test_naive_peeking_inflates_the_false_alarm_rate_and_the_design_does_not():
    design = sequential_design(40, looks=4)
    naive = naive_peeking(40, looks=4)
    assert design.naive_type_one_error == pytest.approx(naive.by_look[-1], abs=1e-12)
    assert max(naive.single_look) <= 0.05 < naive.by_look[-1]
    assert design.type_one_error <= 0.05


def test_naive_fisher_regions_are_scipys_fisher_exact():
    from scipy.stats import fisher_exact

    from etiquette_lab.sequential.design import _single_look_region

    region = _single_look_region(9, 0.05, "two-sided", "fisher")
    for x_c, x_n in itertools.product(range(10), repeat=2):
        p = fisher_exact([[x_n, x_c], [9 - x_n, 9 - x_c]]).pvalue
        assert bool(region[x_c, x_n]) == (p <= 0.05)


def test_naive_peeking_with_fisher_equals_brute_force():
    result = naive_peeking(12, looks=[4, 8, 12], test="fisher")
    from etiquette_lab.sequential.design import _single_look_region

    regions = [_single_look_region(n, 0.05, "two-sided", "fisher") for n in (4, 8, 12)]
    counts = brute_crossing((4, 8, 12), regions)
    assert result.by_look[-1] == pytest.approx(
        evaluate(counts, np.linspace(0, 1, 20_001)).max(), abs=1e-8
    )


def test_futility_is_non_binding_the_evidence_boundaries_do_not_move():
    plain = sequential_design(30, looks=3)
    with_futility = sequential_design(30, looks=3, futility=0.5)
    assert with_futility.boundary_z == plain.boundary_z
    assert with_futility.type_one_error == plain.type_one_error
    stopped = sequential_power(with_futility, 0.3, 0.3)
    assert stopped.power <= sequential_power(plain, 0.3, 0.3).power
    assert sum(stopped.stop_futility) > 0 and stopped.stop_futility[-1] == 0.0
    assert stopped.expected_n < sequential_power(plain, 0.3, 0.3).expected_n


def test_futility_obeyed_equals_brute_force():
    design = sequential_design(12, looks=[4, 8, 12], futility=[0.3, 0.6], spending="pocock")
    lattice = lattice_of(design)
    stop = [
        r | f if f is not None else r for r, f in zip(lattice.reject, lattice.futility, strict=True)
    ]
    # Brute force: evidence where reject, and paths also end where futility says stop.
    steps = [4, 4, 4]
    total = 0.0

    def walk(k, x_c, x_n, prob, p_c=0.2, p_n=0.6):
        nonlocal total
        for a, b in itertools.product(range(steps[k] + 1), repeat=2):
            q = prob * math.comb(4, a) * p_c**a * (1 - p_c) ** (4 - a)
            q *= math.comb(4, b) * p_n**b * (1 - p_n) ** (4 - b)
            if lattice.reject[k][x_c + a, x_n + b]:
                total += q
            elif not stop[k][x_c + a, x_n + b] and k < 2:
                walk(k + 1, x_c + a, x_n + b, q)

    walk(0, 0, 0, 1.0)
    assert sequential_power(design, 0.2, 0.6).power == pytest.approx(total, abs=1e-12)


@pytest.mark.parametrize("n", [1, 2, 5])
def test_tiny_experiments_are_the_normal_case(n):
    design = sequential_design(n, looks=n)  # one request per wording per look
    assert design.type_one_error <= 0.05
    power = sequential_power(design, 0.0, 1.0)
    assert 0.0 <= power.power <= 1.0
    assert power.expected_n <= n
    str(design), design._repr_html_()
    json.dumps(design.to_dict(), allow_nan=False)


def test_five_per_wording_cannot_reject_at_the_first_three_looks():
    # At 3 per wording the most extreme split (0 of 3 against 3 of 3, either way) has
    # probability 2 / 64 at p = 1/2, far above the 0.0076 spent by then; at 4 per wording
    # 0 of 4 against 4 of 4 has 2 / 256 = 0.0078 <= 0.0244 and may stop.
    design = sequential_design(5, looks=5)
    assert [math.isinf(b) for b in design.boundary_z] == [True, True, True, False, False]
    assert design.false_alarm_by_look[3] == pytest.approx(2 / 256, abs=1e-12)
    assert "Looks 1, 2 and 3 cannot stop with evidence" in str(design)


def test_normal_boundaries_at_small_n_can_exceed_alpha_and_the_design_says_so():
    design = sequential_design(20, looks=2, spending="pocock", method="normal")
    assert design.type_one_error is not None
    if design.type_one_error > design.alpha:
        assert "above alpha" in str(design)
    large = sequential_design(5_000, looks=5, method="normal")
    assert large.type_one_error is None and large.boundary_z[-1] == pytest.approx(2.031, abs=1e-3)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_n": 20, "looks": [10, 5, 20]}, "looks must increase: look 2"),
        ({"max_n": 20, "looks": [10, 10]}, "looks must increase"),
        ({"max_n": 5, "looks": [10, 20]}, "max_n (5 per wording) is below the first look"),
        ({"max_n": 20, "looks": [10, 30]}, "look 2 (30 per wording) is above max_n"),
        ({"max_n": 3, "looks": 5}, "5 equally spaced looks need at least 5 requests"),
        ({"max_n": 20, "alpha": 0}, "alpha must be between 0 and 1"),
        ({"max_n": 20, "alpha": 1.5}, "alpha must be between 0 and 1"),
        ({"max_n": 20, "spending": "haybittle"}, "unknown spending 'haybittle'"),
        ({"max_n": 20, "rho": 2}, "rho applies only to spending='power'"),
        ({"max_n": 20, "method": "bayes"}, "unknown method 'bayes'"),
        ({"max_n": 20, "futility": [0.1]}, "futility needs one bound per interim look"),
        ({"max_n": 20, "futility": -1.0}, "two-sided futility bounds are on |z|"),
        ({"max_n": 0}, "max_n"),
        ({"max_n": 2_000}, "exact designs go up to 1,000 requests per wording"),
    ],
)
def test_bad_design_input_is_one_clear_line(kwargs, message):
    with pytest.raises(InvalidInputError) as caught:
        sequential_design(**kwargs)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_design_result_prints_renders_and_serialises():
    design = sequential_design(40, looks=4, futility=0.5)
    text = str(design)
    assert "4 planned looks at 10, 20, 30 and 40 requests per wording" in text
    assert "non-binding" in text
    assert "<table" in design._repr_html_()
    as_dict = json.loads(design.to_json())
    assert as_dict["boundary_z"][0] is None or as_dict["boundary_z"][0] > 3  # inf -> null
    assert as_dict["futility_z"] == [0.5, 0.5, 0.5]
    assert design.summary.shape[0] == 4


def test_compare_designs_puts_each_designs_own_figures_side_by_side():
    from etiquette_lab.sequential import anytime_design, compare_designs

    designs = [
        sequential_design(30, looks=1),
        sequential_design(30, looks=3),
        anytime_design(30, looks=3),
    ]
    table = compare_designs(designs, baseline=0.2, target=0.6)
    for i, design in enumerate(designs):
        assert table.false_alarm[i] == design.type_one_error
        alternative = sequential_power(design, 0.2, 0.6)
        assert table.power[i] == alternative.power
        assert table.expected_n_alternative[i] == alternative.expected_n
        assert table.expected_n_null[i] == sequential_power(design, 0.2, 0.2).expected_n
    assert table.expected_n_null[0] == 30  # one look: always the full budget
    assert list(table.summary.index) == [d.label for d in designs]
    with pytest.raises(InvalidInputError, match="beyond the exact engine"):
        compare_designs([sequential_design(5_000, method="normal")], baseline=0.2, target=0.3)
