"""The response-rate plot draws every arm, its interval and its individual outcomes."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from etiquette_lab.plots.rates import plot_response_rates
from etiquette_lab.stats import compare_counts


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_dots_and_intervals_for_the_article():
    report = compare_counts({"default": (1, 5), "personalised": (4, 5)})
    _fig, ax = plt.subplots()
    assert plot_response_rates(report, ax=ax) is ax
    dots = [c for c in ax.collections if c.get_offsets().shape[1:] == (2,)]
    offsets = np.vstack([c.get_offsets() for c in dots if len(c.get_offsets())])
    assert len(offsets) >= 10  # every one of the ten requests is a dot
    assert sorted(set(offsets[:, 1].round())) == [0.0, 100.0]
    assert int((offsets[:, 1] == 100).sum()) == 5  # 1 + 4 answered requests
    assert ax.get_ylabel() == "response rate (%)" and "interval" in ax.get_title()
    assert [t.get_text().split("\n")[0] for t in ax.get_xticklabels()] == [
        "default (control)",
        "personalised",
    ]


def test_many_requests_are_thinned_and_said_so():
    ax = plot_response_rates(
        compare_counts({"default": (300, 5000), "b": (350, 5000)}), max_dots=50
    )
    assert all(len(c.get_offsets()) <= 50 for c in ax.collections)
    assert "thinned" in ax.get_xticklabels()[0].get_text()


def test_single_arm_and_empty_outcomes_plot():
    ax = plot_response_rates(compare_counts({"only": (0, 3)}))
    assert len(ax.get_xticklabels()) == 1
