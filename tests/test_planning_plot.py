"""The power-curve plot draws what the result holds."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np

from etiquette_lab.planning.power import power_curve, sample_size
from etiquette_lab.plots.power import plot_power_curve


def test_plot_power_curve_draws_exact_normal_and_target():
    curve = power_curve(0.2, 0.8, n=range(2, 21))
    fig, ax = plt.subplots()
    try:
        out = plot_power_curve(curve, target_power=0.8, sample_size=sample_size(0.2, 0.8), ax=ax)
        assert out is ax
        exact, normal = ax.get_lines()[:2]
        assert np.allclose(exact.get_ydata(), curve.power)
        assert np.allclose(normal.get_ydata(), curve.normal_power)
        # The saw-tooth is drawn: the exact curve goes down somewhere (n = 5 -> 6).
        assert np.any(np.diff(exact.get_ydata()) < 0)
        assert any(np.allclose(line.get_ydata(), 0.8) for line in ax.get_lines()[2:])
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    finally:
        plt.close(fig)


def test_plot_power_curve_makes_its_own_axes():
    ax = plot_power_curve(power_curve(0.3, 0.6, n=[5, 10, 15]), target_power=None)
    try:
        assert len(ax.get_lines()) == 2
    finally:
        plt.close(ax.figure)
