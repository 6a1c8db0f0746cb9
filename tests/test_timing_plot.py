"""The time-to-response plot draws rising steps, bands, censoring ticks and numbers at risk."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from etiquette_lab.analyse.timing import time_to_response_from_durations
from etiquette_lab.plots.survival import plot_time_to_response


@pytest.fixture
def report():
    return time_to_response_from_durations(
        {
            "plain": ([0, 1, 2, 2, 5, 9, 12], [True, True, True, False, True, False, False]),
            "personal": ([0.5, 1, 1, 3, 8, 12], [True, True, True, True, False, False]),
        }
    )


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_plot_returns_the_given_axes_with_rising_steps(report):
    _, ax = plt.subplots()
    assert plot_time_to_response(report, ax=ax) is ax
    steps = [line for line in ax.get_lines() if line.get_drawstyle() == "steps-post"]
    assert len(steps) == 2
    for line in steps:
        y = np.asarray(line.get_ydata(), float)
        assert np.all(np.diff(y) >= 0) and y[0] >= 0 and y[-1] <= 1
    # The first step of "plain" starts at 1/7: one same-day response of seven.
    assert steps[0].get_ydata()[0] == pytest.approx(1 / 7)
    assert ax.get_xlabel() == "Days since first send"
    assert "Kaplan-Meier" in ax.get_title()


def test_plot_marks_censoring_bands_window_and_numbers_at_risk(report):
    ax = plot_time_to_response(report)
    ticks = [line for line in ax.get_lines() if line.get_marker() == "|"]
    # plain: censored at 2, 9, 12; personal: censored at 8, 12.
    assert [list(t.get_xdata()) for t in ticks] == [[2.0, 9.0, 12.0], [8.0, 12.0]]
    assert len(ax.collections) == 2  # one band per arm
    texts = [t.get_text() for t in ax.texts]
    assert "At risk" in texts and "plain" in texts and "personal" in texts
    assert "7" in texts and "6" in texts  # everyone at risk at day 0
    assert any(t.startswith("day 7") for t in texts)


def test_plot_options_switch_parts_off(report):
    ax = plot_time_to_response(
        report,
        show_ci=False,
        show_censored=False,
        show_at_risk=False,
        show_window=False,
        max_days=5,
    )
    assert len(ax.collections) == 0 and len(ax.texts) == 0
    assert ax.get_xlim() == (0.0, 5.0)


def test_plot_of_an_arm_with_no_response_and_one_request():
    r = time_to_response_from_durations({"a": ([4], [False]), "b": ([2], [True])})
    ax = plot_time_to_response(r)
    assert len([ln for ln in ax.get_lines() if ln.get_drawstyle() == "steps-post"]) == 2
