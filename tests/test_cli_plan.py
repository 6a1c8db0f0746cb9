"""The plan and power commands, through the real main() with the module registered."""

from __future__ import annotations

import importlib
import json

import pytest

from etiquette_lab.planning.power import exact_power, sample_size

# etiquette_lab.cli re-exports the main() function under the module's name.
main_module = importlib.import_module("etiquette_lab.cli.main")


@pytest.fixture
def run(monkeypatch, capsys):
    monkeypatch.setattr(main_module, "_COMMAND_MODULES", ("plan_commands",))

    def call(*argv):
        code = main_module.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return call


def test_power_and_plan_tables_round_as_their_words(run):
    # power: one row, no stray "0" row label; rates and power as the sentence writes them.
    code, out, _ = run("power", "--n", "5", "--baseline", "0.2", "--target", "0.8")
    header, row = out.split("\n\n")[1].splitlines()
    assert code == 0 and header.split()[0] == "n_control"
    assert row.split() == ["5", "5", "20%", "80%", "0.05", "two-sided", "fisher", "37.6%"]
    assert "from 20% to 80% 37.6% of the time" in out
    code, out, _ = run("plan", "--baseline", "0.2", "--target", "0.5")
    assert "smallest n reaching the power         44     44  80.2%" in out


def test_plan_json_has_the_answers(run):
    code, out, _ = run("plan", "--baseline", "0.2", "--target", "0.5", "--json")
    assert code == 0
    data = json.loads(out)
    expected = sample_size(0.2, 0.5)
    assert data["n_per_arm"] == expected.n_per_arm
    assert data["n_per_arm_stable"] == expected.n_per_arm_stable
    assert data["power"] == pytest.approx(expected.power)
    assert data["test"] == "fisher" and data["alpha"] == 0.05


def test_plan_text_answers_in_plain_words(run):
    code, out, _ = run("plan", "--baseline", "0.2", "--target", "0.5")
    n = sample_size(0.2, 0.5).n_per_arm
    assert code == 0
    assert "To tell 20% from 50% with 80% power" in out
    assert f"you need {n} requests per wording ({2 * n} in all)" in out


def test_plan_with_ratio_and_options(run):
    code, out, _ = run(
        "plan",
        "--baseline",
        "0.1",
        "--target",
        "0.4",
        "--ratio",
        "2",
        "--alternative",
        "greater",
        "--power",
        "0.9",
        "--json",
    )
    data = json.loads(out)
    assert code == 0 and data["n_new"] == 2 * data["n_control"]


def test_power_json(run):
    code, out, _ = run("power", "--n", "5", "--baseline", "0.2", "--target", "0.8", "--json")
    assert code == 0
    # Brute force value 0.3758138368: see tests/test_planning.py.
    assert json.loads(out)["power"] == pytest.approx(0.3758138368, abs=1e-10)


def test_power_unequal_arms(run):
    code, out, _ = run(
        "power",
        "--n",
        "8",
        "--n-control",
        "12",
        "--baseline",
        "0.2",
        "--target",
        "0.6",
        "--test",
        "normal",
        "--json",
    )
    data = json.loads(out)
    assert code == 0 and data["n_control"] == 12 and data["n_new"] == 8
    assert data["power"] == pytest.approx(exact_power(12, 8, 0.2, 0.6, test="normal").power)


@pytest.mark.parametrize(
    "argv",
    [
        ("plan", "--baseline", "1.5", "--target", "0.5"),
        ("plan", "--baseline", "0.3", "--target", "0.3"),
        ("plan", "--baseline", "0.2", "--target", "0.5", "--alpha", "0"),
        ("plan", "--baseline", "0.2", "--target", "0.22", "--max-n", "100"),
        ("power", "--n", "0", "--baseline", "0.2", "--target", "0.5"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(run, argv):
    code, out, err = run(*argv)
    assert code == 2
    assert out == ""
    assert err.startswith("etiquette-lab: error: ") and err.count("\n") == 1
