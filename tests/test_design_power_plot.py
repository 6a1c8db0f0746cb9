"""A design marked on a power plot: a dotted line at its size, a diamond at its exact power."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from scipy.stats import binom, fisher_exact

from etiquette_lab.planning import exact_power, power_curve
from etiquette_lab.plots.descriptions import alt_text
from etiquette_lab.plots.design_power import plot_design_power
from etiquette_lab.plots.power import plot_power_curve


def test_the_mark_sits_at_the_design_s_size_and_exact_power():
    power = exact_power(5, 5, 0.2, 0.8)
    # Brute force with scipy's Fisher test: every 6 x 6 table, significant when p <= 0.05.
    brute = sum(
        binom.pmf(x0, 5, 0.2) * binom.pmf(x1, 5, 0.8)
        for x0 in range(6)
        for x1 in range(6)
        if fisher_exact([[x1, 5 - x1], [x0, 5 - x0]])[1] <= 0.05
    )
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
