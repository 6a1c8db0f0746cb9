"""The anytime-valid e-value: validity by exact enumeration and by a seeded simulation.

Independent pieces: the e-value of a block is recomputed here from its formula with plain
Python floats (no package code); expectations use scipy.stats.binom; the simulation draws with
numpy's seeded generator. Validity must hold for every block composition, every common rate,
and rates that drift from block to block.
"""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest
from scipy import stats

from etiquette_lab.errors import InvalidInputError
from etiquette_lab.sequential import anytime_design, e_process, sequential_power
from etiquette_lab.sequential.design import lattice_of
from etiquette_lab.sequential.evalue import (
    PRIOR_POINTS,
    anytime_rate_interval,
    block_log_ratios,
    log_e_of_sums,
    path_log_e,
    prior_nodes,
    state_log_e,
)

RATES = np.linspace(0.0, 1.0, 1001)
BLOCKS = [(1, 1), (1, 0), (0, 3), (2, 1), (1, 2), (3, 3), (5, 2), (4, 9)]


def block_e_by_hand(x_c, m_c, x_n, m_n, alternative):
    """The prior average of Turner, Ly & Grünwald's block ratio, term by term."""
    grid = [(i + 0.5) / PRIOR_POINTS for i in range(PRIOR_POINTS)]
    pairs = [(a, b) for a in grid for b in grid if alternative == "two-sided" or a > b]
    total = 0.0
    for q_n, q_c in pairs:
        q = (m_n * q_n + m_c * q_c) / (m_n + m_c)
        total += (
            (q_n / q) ** x_n
            * ((1 - q_n) / (1 - q)) ** (m_n - x_n)
            * (q_c / q) ** x_c
            * ((1 - q_c) / (1 - q)) ** (m_c - x_c)
        )
    return total / len(pairs)


@pytest.mark.parametrize("alternative", ["two-sided", "greater"])
def test_block_e_value_is_the_formula(alternative):
    for x_c, x_n in [(0, 0), (1, 3), (2, 0)]:
        got = math.exp(log_e_of_sums(block_log_ratios(x_c, 2, x_n, 3, alternative), alternative)[0])
        assert got == pytest.approx(block_e_by_hand(x_c, 2, x_n, 3, alternative), rel=1e-12)


def _block_table(m_c, m_n, alternative):
    x_c, x_n = np.meshgrid(np.arange(m_c + 1), np.arange(m_n + 1), indexing="ij")
    log_e = log_e_of_sums(
        block_log_ratios(
            x_c.ravel(), np.full(x_c.size, m_c), x_n.ravel(), np.full(x_c.size, m_n), alternative
        ),
        alternative,
    )
    return np.exp(log_e).reshape(x_c.shape)


@pytest.mark.parametrize("alternative", ["two-sided", "greater"])
@pytest.mark.parametrize("block", BLOCKS, ids=str)
def test_block_e_value_has_null_expectation_at_most_one_at_every_rate(block, alternative):
    m_c, m_n = block
    e = _block_table(m_c, m_n, alternative)
    pmf_c = stats.binom.pmf(np.arange(m_c + 1)[None, :], m_c, RATES[:, None])
    pmf_n = stats.binom.pmf(np.arange(m_n + 1)[None, :], m_n, RATES[:, None])
    expectation = np.einsum("gi,ij,gj->g", pmf_c, e, pmf_n)
    assert expectation.max() <= 1.0 + 1e-12
    if min(block) == 0:  # one wording only: no evidence either way
        assert expectation == pytest.approx(1.0, abs=1e-12)


def test_one_sided_e_value_is_valid_when_the_new_wording_is_worse():
    e = _block_table(3, 3, "greater")
    for p_c in np.linspace(0, 1, 41):
        for p_n in np.linspace(0, p_c, 9):
            pmf_c = stats.binom.pmf(np.arange(4), 3, p_c)
            pmf_n = stats.binom.pmf(np.arange(4), 3, p_n)
            assert pmf_c @ e @ pmf_n <= 1.0 + 1e-12


def test_the_e_process_stays_valid_over_blocks_even_when_the_common_rate_drifts():
    # Three blocks of different compositions; the common rate changes between blocks.
    blocks = [(1, 2), (2, 1), (2, 2)]
    for rates in [(0.1, 0.1, 0.1), (0.2, 0.7, 0.4), (0.9, 0.5, 0.05)]:
        expectation = 0.0
        outcomes = [itertools.product(range(m_c + 1), range(m_n + 1)) for m_c, m_n in blocks]
        for path in itertools.product(*outcomes):
            prob = 1.0
            looks, cumulative = [], [0, 0, 0, 0]
            for (x_c, x_n), (m_c, m_n), p in zip(path, blocks, rates, strict=True):
                prob *= stats.binom.pmf(x_c, m_c, p) * stats.binom.pmf(x_n, m_n, p)
                cumulative = [
                    cumulative[0] + x_c,
                    cumulative[1] + m_c,
                    cumulative[2] + x_n,
                    cumulative[3] + m_n,
                ]
                looks.append(tuple(cumulative))
            expectation += prob * math.exp(path_log_e(looks, "two-sided")[-1])
        assert expectation <= 1.0 + 1e-12


def test_ville_by_enumeration_the_chance_of_ever_crossing_is_at_most_alpha():
    # Twelve looks of one request per wording, alpha = 0.2 so that crossings are common
    # enough to matter. With balanced blocks the e-value depends on the counts only, so the
    # paths are followed state by state: mass moves to (x_c + a, x_n + b) and leaves the game
    # where the e-value (computed from the path formula) reaches 1 / alpha.
    alpha, looks = 0.2, 12
    level = math.log(1 / alpha)
    for p in (0.1, 0.3, 0.5, 0.8):
        mass = {(0, 0): 1.0}
        crossed = 0.0
        for k in range(1, looks + 1):
            moved: dict[tuple[int, int], float] = {}
            for (x_c, x_n), m in mass.items():
                for a, b in itertools.product(range(2), repeat=2):
                    q = m * (p if a else 1 - p) * (p if b else 1 - p)
                    moved[(x_c + a, x_n + b)] = moved.get((x_c + a, x_n + b), 0.0) + q
            mass = {}
            for (x_c, x_n), m in moved.items():
                if path_log_e([(x_c, k, x_n, k)], "two-sided")[0] >= level:
                    crossed += m
                else:
                    mass[(x_c, x_n)] = m
        assert 0.0 < crossed <= alpha


def test_balanced_looks_give_the_same_e_value_from_the_states_table():
    table = state_log_e(12, 12, "two-sided")
    for x_c, x_n in [(0, 12), (3, 7), (6, 6), (12, 0)]:
        path = path_log_e([(x_c // 2, 6, x_n // 2, 6), (x_c, 12, x_n, 12)], "two-sided")[-1]
        assert table[x_c, x_n] == pytest.approx(path, abs=1e-10)


def test_large_tables_lose_no_state_to_underflow():
    table = state_log_e(400, 400, "two-sided")
    assert np.all(np.isfinite(table))
    assert table[200, 200] < 0 < table[0, 400]


@pytest.mark.slow
def test_ten_thousand_null_experiments_with_daily_looks_reject_at_most_alpha():
    # Every day 0 to 4 requests per wording (random assignment, so blocks are unbalanced), 30
    # days, equal rates drawn per experiment; stop at the first e >= 20. Seeded.
    rng = np.random.default_rng(20240101)
    experiments, days, alpha = 10_000, 30, 0.05
    sizes = rng.integers(0, 5, size=(experiments, days, 2))
    rates = rng.uniform(0.05, 0.95, size=experiments)
    answers = rng.binomial(sizes, rates[:, None, None])
    rejected = 0
    threshold = math.log(1 / alpha)
    _, _, log_weight = prior_nodes("two-sided")
    for start in range(0, experiments, 500):
        chunk = slice(start, start + 500)
        total = np.zeros((sizes[chunk].shape[0], len(log_weight)))
        crossed = np.zeros(total.shape[0], dtype=bool)
        for day in range(days):
            m_c, m_n = sizes[chunk, day, 0], sizes[chunk, day, 1]
            x_c, x_n = answers[chunk, day, 0], answers[chunk, day, 1]
            total += block_log_ratios(x_c, m_c, x_n, m_n, "two-sided")
            # e <= exp(the largest summed log ratio) (the weights sum to 1): check only those
            # rows that could have crossed.
            maybe = ~crossed & (total.max(axis=1) >= threshold)
            crossed[maybe] = log_e_of_sums(total[maybe], "two-sided") >= threshold
        rejected += int(crossed.sum())
    share = rejected / experiments
    assert share <= alpha + 3 * math.sqrt(alpha * (1 - alpha) / experiments)


@pytest.mark.parametrize("p", [0.0, 0.05, 0.3, 0.5])
def test_anytime_rate_interval_covers_at_every_look_at_once(p):
    # Exact: the chance that some look among the first 80 requests misses p, by propagating the
    # distribution of the count and removing the paths that have missed.
    alpha, n_max = 0.1, 80
    alive = np.array([1.0])
    missed = 0.0
    for n in range(1, n_max + 1):
        alive = np.append(alive * (1 - p), 0.0) + np.append(0.0, alive * p)
        for x in range(n + 1):
            low, high = anytime_rate_interval(x, n, alpha)
            if not low <= p <= high:
                missed += alive[x]
                alive[x] = 0.0
    assert missed <= alpha


def test_zero_answers_in_an_arm_are_fine():
    result = e_process([(0, 5, 0, 5), (0, 10, 0, 10), (0, 20, 7, 20)])
    assert all(math.isfinite(e) and e > 0 for e in result.e_value)
    assert result.difference_low[0] < 0 < result.difference_high[0]


def test_anytime_design_false_alarm_is_at_most_alpha_and_equals_its_lattice():
    design = anytime_design(30, looks=6)
    assert design.type_one_error <= design.type_one_error_bound <= 0.05
    region = lattice_of(design).reject
    for k, n in enumerate(design.looks):
        table = state_log_e(n, n, "two-sided") >= math.log(20)
        assert np.array_equal(region[k], table)
    assert sequential_power(design, 0.3, 0.3).power <= design.type_one_error_bound + 1e-12


def test_e_process_result_prints_and_serialises():
    result = e_process([(1, 5, 4, 5), (2, 10, 8, 10), (3, 20, 16, 20)], alpha=0.05)
    assert result.crossed_at == 3
    text = str(result)
    assert "reached 20" in text and "chance that" not in text.lower().replace("chance of it", "")
    as_dict = json.loads(result.to_json())
    assert as_dict["crossed_at"] == 3 and len(as_dict["e_value"]) == 3


@pytest.mark.parametrize(
    ("looks", "message"),
    [
        ([(3, 10, 4, 10), (2, 12, 5, 12)], "look 2: counts are cumulative"),
        ([(3, 10, 4, 10), (3, 9, 5, 12)], "look 2: counts are cumulative"),
        ([(6, 5, 1, 5)], "6 responses out of 5 requests"),
        ([(1, 5, 1)], "look 1 must be four counts (the control's responses and requests"),
        ([], "looks must be a non-empty list"),
    ],
)
def test_e_process_refuses_bad_counts_in_one_line(looks, message):
    with pytest.raises(InvalidInputError) as caught:
        e_process(looks)
    assert message in str(caught.value) and "\n" not in str(caught.value)
