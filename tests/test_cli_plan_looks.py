"""``plan --looks K``: the planned-looks design sized beside the fixed one, in text and JSON.

The figures are checked against enumerations written here or in the engine's tests: every path
of increments (tests/test_sequential_exact.py) for the false-alarm rate, power and stopping
chances, and scipy's Barnard exact test (pooled z) for the fixed design's power.
"""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest
from scipy.stats import barnard_exact
from test_sequential_exact import brute_crossing, brute_power, evaluate

from etiquette_lab.cli import main
from etiquette_lab.sequential import sequential_design
from etiquette_lab.sequential.design import lattice_of

ARGS = ["plan", "--baseline", "0.1", "--target", "0.8", "--looks", "3"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def planned():
    import io
    from contextlib import redirect_stdout

    buffer = io.StringIO()
    with redirect_stdout(buffer):
        assert main([*ARGS, "--json"]) == 0
    return json.loads(buffer.getvalue())


def barnard_power(n: int, p_c: float, p_n: float, alpha: float = 0.05) -> float:
    """Power of one look at n per wording: Barnard's test (pooled) over every outcome table."""
    total = 0.0
    for x_c, x_n in itertools.product(range(n + 1), repeat=2):
        p = barnard_exact([[x_n, x_c], [n - x_n, n - x_c]], pooled=True, n=64).pvalue
        if p <= alpha:
            total += (
                math.comb(n, x_c)
                * p_c**x_c
                * (1 - p_c) ** (n - x_c)
                * math.comb(n, x_n)
                * p_n**x_n
                * (1 - p_n) ** (n - x_n)
            )
    return total


def test_the_fixed_design_is_the_smallest_n_barnards_test_gives_the_power(planned):
    n = planned["n_fixed"]
    assert planned["power_fixed"] == pytest.approx(barnard_power(n, 0.1, 0.8), abs=1e-9)
    assert planned["power_fixed"] >= 0.8 > barnard_power(n - 1, 0.1, 0.8)


def test_the_planned_looks_figures_equal_the_enumeration_of_every_path(planned):
    design = sequential_design(planned["max_n"], looks=3)
    looks, reject = design.looks, lattice_of(design).reject
    assert list(looks) == planned["per_look"]["n_per_wording"]
    # false alarm: the maximum over the common rate of the exact crossing probability
    crossing = brute_crossing(looks, reject)
    grid = evaluate(crossing, np.linspace(0, 1, 20_001))
    assert planned["false_alarm"] == pytest.approx(grid.max(), abs=1e-9)
    assert planned["false_alarm"] <= planned["false_alarm_bound"] <= 0.05
    # power, and the chance of stopping at each look, at the planned rates and at equal rates
    assert planned["power"] == pytest.approx(brute_power(looks, reject, 0.1, 0.8), abs=1e-12)
    for key, (p_c, p_n) in (("stop_alternative", (0.1, 0.8)), ("stop_null", (0.1, 0.1))):
        by_look = [brute_power(looks[: k + 1], reject[: k + 1], p_c, p_n) for k in range(3)]
        stops = np.diff([0.0, *by_look])
        assert planned["per_look"][key] == pytest.approx(list(stops), abs=1e-12)
    # expected size: each step is paid by the experiments that reach it (no futility here)
    steps = np.diff([0, *looks])
    reach = 1 - np.concatenate([[0.0], np.cumsum(planned["per_look"]["stop_alternative"])[:-1]])
    assert planned["expected_n_alternative"] == pytest.approx(float(steps @ reach), abs=1e-12)
    # the smallest maximum: one fewer per wording does not reach the power
    smaller = sequential_design(planned["max_n"] - 1, looks=3)
    below = brute_power(smaller.looks, lattice_of(smaller).reject, 0.1, 0.8)
    assert below < 0.8 <= planned["power"]


def test_the_text_puts_the_two_designs_side_by_side(capsys, planned):
    code, out, err = run(capsys, *ARGS)
    assert code == 0 and err == ""
    assert out.startswith("Sample size with planned looks\n")
    assert "one look at the end" in out and "3 planned looks" in out
    assert f"{planned['n_fixed']} requests per wording with one look at the end" in out
    assert "Planned looks" in out and "stop_if_equal" in out
    assert "Testing at each of the 3 looks without adjusting" in out


def test_spending_rho_and_futility_reach_the_design(capsys):
    code, out, _ = run(capsys, *ARGS, "--spending", "power", "--rho", "2", "--futility", "0.2",
                       "--json")  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert (data["spending"], data["rho"], data["futility"]) == ("power", 2.0, [0.2, 0.2])
    assert len(data["per_look"]["stop_futility_alternative"]) == 3
    design = sequential_design(data["max_n"], looks=3, spending="power", rho=2, futility=0.2)
    assert data["false_alarm"] == design.type_one_error


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--looks", "1"], "planned looks are at least 2, got 1"),
        (["--looks", "3", "--alpha", "1.5"], "alpha must be between 0 and 1"),
        (["--looks", "3", "--rho", "2"], "rho applies only to --spending power, not "
         "'obrien-fleming'"),
        (["--looks", "3", "--spending", "pocock", "--rho", "2"], "only to --spending power"),
        (["--looks", "3", "--spending", "power", "--rho", "0"], "rho must be a positive number"),
        (["--looks", "3", "--futility", "-1"], "two-sided futility bounds are on |z|"),
        (["--looks", "3", "--test", "fisher"], "--test does not apply with --looks"),
        (["--looks", "3", "--ratio", "2"], "--ratio does not apply with --looks"),
        (["--looks", "3", "--max-n", "1500"], "exact designs go up to 1,000 requests per wording"),
        (["--looks", "3", "--max-n", "5"], "raise --max-n or plan for a larger difference"),
        (["--spending", "pocock"], "--spending applies to planned looks: add --looks K"),
        (["--futility", "1"], "--futility applies to planned looks"),
    ],
)  # fmt: skip
def test_bad_values_are_one_line_with_exit_2(capsys, extra, message):
    args = ["plan", "--baseline", "0.1", "--target", "0.8", *extra]
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert err.startswith("etiquette-lab: error: ") and err.count("\n") == 1
    assert message in err
    assert "spending='" not in err and "max_n" not in err


def test_an_unknown_spending_is_named_with_the_known_ones(capsys):
    code, _, err = run(capsys, *ARGS, "--spending", "linear")
    assert code == 2
    assert err == (
        "etiquette-lab: error: unknown spending 'linear'; choose one of obrien-fleming, pocock, "
        "power\n"
    )


def test_a_large_design_is_sized_by_bisection_and_says_so():
    # 20% vs 30% needs about 300 per wording: every n the saw-tooth allowance leaves open would
    # be an exact design to build (minutes), so the sizing bisects. The sizes found reach the
    # power (checked here on the designs themselves), and the notes say they may not be the
    # smallest.
    from etiquette_lab.sequential import sequential_design, sequential_power
    from etiquette_lab.sequential.sizing import SCAN_LIMIT, sequential_sample_size

    r = sequential_sample_size(0.2, 0.3, looks=5)
    assert not r.smallest and r.max_n > SCAN_LIMIT
    assert "Found by bisection" in str(r)
    design = sequential_design(r.max_n, looks=5)
    assert sequential_power(design, 0.2, 0.3).power >= 0.8
    fixed = sequential_design(r.n_fixed, looks=1)
    assert sequential_power(fixed, 0.2, 0.3).power >= 0.8
    small = sequential_sample_size(0.2, 0.5, looks=3)
    assert small.smallest and "bisection" not in str(small)
