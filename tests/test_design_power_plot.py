"""A design marked on a power plot: a dotted line at its size, a diamond at its exact power."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from test_planning_tables import brute_fisher_power

from etiquette_lab.planning.power import exact_power, power_curve
from etiquette_lab.plots.descriptions import alt_text
from etiquette_lab.plots.design_power import plot_design_power
from etiquette_lab.plots.power import plot_power_curve


def test_the_mark_sits_at_the_design_s_size_and_exact_power():
    power = exact_power(5, 5, 0.2, 0.8)
    brute = brute_fisher_power(5, 0.2, 0.8)  # every 6 x 6 table, scipy's Fisher test
    assert power.power == pytest.approx(brute, abs=1e-12) and round(brute, 3) == 0.376
    ax = plot_power_curve(power_curve(0.2, 0.8, n=range(2, 11)))
    try:
        assert plot_design_power(power, label="the article", ax=ax) is ax
        vertical, diamond = ax.get_lines()[-2:]
        assert list(vertical.get_xdata()) == [5, 5]
        assert list(diamond.get_xdata()) == [5] and list(diamond.get_ydata()) == [power.power]
        assert ax.texts[-1].get_text() == "the article\npower 37.6%"
        assert alt_text(plot_design_power, power, label="the article") == (
            "A black diamond on a dotted vertical line marks the article at 5 requests on the "
            "control wording: exact power 37.6%."
        )
    finally:
        plt.close(ax.figure)
