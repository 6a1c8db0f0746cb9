"""Plots of sequential designs: they draw what the design says and return the Axes."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest

from etiquette_lab.errors import InvalidInputError
from etiquette_lab.plots.sequential import (
    plot_operating_characteristics,
    plot_sequential_boundaries,
)
from etiquette_lab.sequential import (
    anytime_design,
    operating_characteristics,
    replay_looks,
    sequential_design,
)

LOOKS = [(2, 10, 7, 10), (3, 15, 11, 15), (3, 20, 16, 20), (5, 30, 20, 30)]


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_boundaries_are_drawn_where_the_design_puts_them():
    design = sequential_design(40, looks=4)
    _fig, ax = plt.subplots()
    assert plot_sequential_boundaries(design, ax=ax) is ax
    upper = ax.get_lines()[0]
    finite = [
        (n, b) for n, b in zip(design.looks, design.boundary_z, strict=True) if math.isfinite(b)
    ]
    assert list(upper.get_xdata()) == [n for n, _ in finite]
    assert list(upper.get_ydata()) == pytest.approx([b for _, b in finite])
    lower = ax.get_lines()[1]  # two-sided: the mirror image
    assert list(lower.get_ydata()) == pytest.approx([-b for _, b in finite])


def test_the_observed_path_is_marked_by_decision():
    design = sequential_design(40, looks=4, futility=0.5)
    replay = replay_looks(design, LOOKS)
    ax = plot_sequential_boundaries(design, path=replay)
    labels = ax.get_legend_handles_labels()[1]
    for text in (
        "continue",
        "not a planned look: no decision",
        "stop (evidence)",
        "futility (non-binding)",
        "normal-approximation boundary",
    ):
        assert text in labels
    star = next(line for line in ax.get_lines() if line.get_label() == "stop (evidence)")
    assert (star.get_xdata()[0], star.get_ydata()[0]) == (20, pytest.approx(replay.decisions[2].z))


def test_the_anytime_design_is_drawn_on_the_e_value_scale():
    design = anytime_design(40, looks=4)
    ax = plot_sequential_boundaries(design, path=LOOKS)
    assert ax.get_yscale() == "log"
    assert ax.get_ylabel() == "e-value (log scale)"
    assert "stop with evidence: e >= 20" in ax.get_legend_handles_labels()[1]


def test_operating_characteristics_against_the_common_rate_and_the_effect():
    designs = [sequential_design(30, looks=3), anytime_design(30, looks=3)]
    rates = np.linspace(0.05, 0.95, 10)
    null = [operating_characteristics(d, rates, rates) for d in designs]
    ax = plot_operating_characteristics(null)
    assert ax.get_xlabel() == "common response rate of both wordings (%)"
    assert ax.get_ylabel() == "false-alarm rate"
    assert list(ax.get_lines()[0].get_ydata()) == pytest.approx(list(null[0].power))
    effect = operating_characteristics(designs[0], 0.2, [0.2, 0.4, 0.6])
    ax = plot_operating_characteristics(effect, kind="size")
    assert ax.get_ylabel() == "expected requests per wording"
    assert list(ax.get_lines()[0].get_xdata()) == pytest.approx([0, 20, 40])


def test_an_unknown_kind_is_refused():
    oc = operating_characteristics(sequential_design(10, looks=2), 0.2, 0.5)
    with pytest.raises(InvalidInputError, match="unknown kind 'cost'"):
        plot_operating_characteristics(oc, kind="cost")
