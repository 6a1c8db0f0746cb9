"""The request time line draws one row per request and a marker per event, up to "today"."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from etiquette_lab.log.file import create_log
from etiquette_lab.plots.descriptions import alt_text
from etiquette_lab.plots.timeline import plot_request_timeline


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def log(tmp_path):
    log = create_log(tmp_path / "log.csv", variants=["default", "personal"], at="2026-11-02T08:00Z")
    first = log.send("Zoë", "personal", at="2026-11-02T09:00Z")
    second = log.send("Ørjan", "default", at="2026-11-02T09:20Z")
    third = log.send("Bjørn", "personal", at="2026-11-02T10:00Z")
    log.respond(first, at="2026-11-03T10:00Z")
    log.thank(first, at="2026-11-03T18:00Z")
    log.respond(second, outcome="declined", at="2026-11-04T11:00Z")
    log.remind(third, at="2026-11-16T09:00Z")
    log.withdraw(third, at="2026-11-18T09:00Z")
    log.send("Åse", "default", at="2026-11-25T09:00Z")  # after "today": not drawn
    return log


def _markers(ax):
    """(row, time) of every event marker, read back from the scatter plots."""
    found = []
    for collection in ax.collections:
        for x, y in collection.get_offsets():
            found.append((round(float(y)), mdates.num2date(x).strftime("%m-%d %H:%M")))
    return sorted(found)


def test_one_row_per_request_sent_by_today_and_a_marker_per_event(log):
    ax = plot_request_timeline(log, as_of="2026-11-20T12:00Z")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["r0001 Zoë", "r0002 Ørjan", "r0003 Bjørn"]  # Åse was sent later
    assert _markers(ax) == [
        (0, "11-02 09:00"),
        (0, "11-03 10:00"),
        (0, "11-03 18:00"),
        (1, "11-02 09:20"),
        (1, "11-04 11:00"),
        (2, "11-02 10:00"),
        (2, "11-16 09:00"),
        (2, "11-18 09:00"),
    ]


def test_lines_end_at_the_first_answer_the_withdrawal_or_today(log):
    ax = plot_request_timeline(log.events(), as_of="2026-11-20T12:00Z")
    lines = [line for line in ax.get_lines() if len(line.get_xdata()) == 2]
    ends = [pd.Timestamp(line.get_xdata()[1]).strftime("%m-%d %H:%M") for line in lines]
    assert ends[:3] == ["11-03 10:00", "11-04 11:00", "11-18 09:00"]
    # The as-of line and its label.
    assert any(t.get_text().startswith("as of 20 Nov") for t in ax.texts)


def test_a_decline_has_its_own_marker_and_legend_entry(log):
    ax = plot_request_timeline(log, as_of="2026-11-20T12:00Z")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["sent", "reminded", "answered", "declined", "thanked", "withdrawn"]


def test_a_request_still_waiting_runs_to_today(log):
    ax = plot_request_timeline(log, as_of="2026-11-10T12:00Z")
    lines = [line for line in ax.get_lines() if len(line.get_xdata()) == 2]
    third_end = pd.Timestamp(lines[2].get_xdata()[1])
    assert third_end == pd.Timestamp("2026-11-10T12:00Z")
    assert (2, "11-16 09:00") not in _markers(ax)  # the reminder came later


def test_the_description_lists_every_request_and_event(log):
    text = alt_text(plot_request_timeline, log, as_of="2026-11-20T12:00Z")
    assert text.startswith("Time line of 3 requests")
    assert "20 Nov 2026 12:00 UTC" in text
    assert "r0001 Zoë: sent 02 Nov, answered 03 Nov, thanked 03 Nov" in text
    assert "r0002 Ørjan: sent 02 Nov, declined 04 Nov" in text
    assert "r0003 Bjørn: sent 02 Nov, reminded 16 Nov, withdrawn 18 Nov" in text
    assert "Åse" not in text
