"""Every figure of the kit can be described in words, and a notebook shows it with that text.

nbconvert's HTML export (the lab template, what ``make report`` uses) writes an image output
without alt text and warns "Alternative text is missing"; the display of figure_with_alt is
read as an ``<img alt=...>`` by it and by JupyterLab.
"""

from __future__ import annotations

import base64
import logging

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import nbformat
import pytest
from nbconvert import HTMLExporter
from statsmodels.stats.proportion import proportion_confint
from test_planning_tables import brute_fisher_power

import etiquette_lab.plots as plots
from etiquette_lab.analyse.timing import time_to_response_from_durations
from etiquette_lab.errors import InvalidInputError
from etiquette_lab.lessons.simulation import simulate_null_experiments
from etiquette_lab.planning.power import power_curve, sample_size
from etiquette_lab.plots.descriptions import FigureWithAlt, alt_text, figure_with_alt
from etiquette_lab.stats import compare_counts


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_every_plot_function_of_the_kit_has_a_description():
    for name in plots.__all__:
        if name.startswith("plot_"):
            try:
                alt_text(name)
            except InvalidInputError:
                pytest.fail(f"{name} has no description")
            except TypeError:
                pass  # known, and it needs its result: the arguments are missing here


def test_an_unknown_plot_is_refused_with_the_known_ones():
    with pytest.raises(InvalidInputError, match="plot_response_rates"):
        alt_text("plot_everything")


def test_the_rates_description_gives_each_arm_with_its_wilson_interval():
    report = compare_counts({"personalised": (4, 5), "default": (1, 5)})
    text = alt_text(plots.plot_response_rates, report)
    # statsmodels' Wilson interval: 1 of 5 -> 3.62% to 62.45%; 4 of 5 -> 37.55% to 96.38%.
    (low0, high0), (low1, high1) = (proportion_confint(x, 5, method="wilson") for x in (1, 4))
    assert f"{100 * low0:.1f}% to {100 * high0:.1f}%" == "3.6% to 62.4%"
    assert "default (control): 1 of 5, 20%, interval 3.6% to 62.4%" in text
    assert f"personalised: 4 of 5, 80%, interval {100 * low1:.1f}% to {100 * high1:.1f}%" in text
    assert text.index("default") < text.index("personalised")  # the control first, as drawn


def test_the_power_curve_description_says_where_it_reaches_the_target():
    curve = power_curve(0.2, 0.8, n=range(2, 31))
    text = alt_text(plots.plot_power_curve, curve, target_power=0.8, sample_size=None)
    # By brute force: 11 per wording fall short of 80%, 12 reach it; 5 -> 6 is the largest drop.
    assert brute_fisher_power(11, 0.2, 0.8) < 0.8 <= brute_fisher_power(12, 0.2, 0.8)
    assert "reaches 80% at n = 12" in text
    five, six = brute_fisher_power(5, 0.2, 0.8), brute_fisher_power(6, 0.2, 0.8)
    assert f"most from {100 * five:.1f}% at n = 5 to {100 * six:.1f}% at n = 6" in text
    plan = sample_size(0.2, 0.8)
    assert f"smallest n reaching the power, {plan.n_per_arm}" in alt_text(
        plots.plot_power_curve, curve, sample_size=plan
    )


def test_the_null_description_gives_the_exact_share_of_chance_wins():
    result = simulate_null_experiments(5, 0.5, split=(4, 1), experiments=1000, seed=1)
    text = alt_text(plots.plot_null_experiments, result)
    # 112 of the 1024 equally likely outcomes differ by 3 or more (notebook 05).
    assert f"{100 * 112 / 1024:.1f}% exact" in text and "10.9% exact" in text


def test_the_curves_description_gives_the_height_at_the_window():
    report = time_to_response_from_durations(
        {"plain": ([1, 3, 9, 9], [True, False, False, False]), "new": ([1, 2, 9, 9], [True] * 4)},
        window=7,
    )
    text = alt_text(plots.plot_time_to_response, report)
    # Kaplan-Meier by hand: plain 1 - (3/4) = 25% by day 7 (the censoring at day 3 does not
    # move it); new: 2 of 4 by day 7 = 50%, all 4 by day 9.
    assert "By day 7 (a dashed line): plain 25%" in text and "new 50%" in text
    assert "new 100% by day 9" in text
    assert "dashed" not in alt_text(plots.plot_time_to_response, report, show_window=False)


def test_a_figure_with_alt_displays_an_img_with_its_text_and_the_png():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    shown = figure_with_alt(ax, 'A rising line: "up" & <right>.')
    assert plt.fignum_exists(fig.number) is False  # shown once, through the object
    bundle, metadata = shown._repr_mimebundle_()
    escaped = "A rising line: &quot;up&quot; &amp; &lt;right&gt;."
    assert bundle["text/html"].endswith(f'alt="{escaped}"/>')
    assert base64.b64decode(bundle["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
    assert bundle["text/html"].count(bundle["image/png"]) == 1
    assert metadata == {"image/png": {"alt": 'A rising line: "up" & <right>.'}}
    assert bundle["text/plain"] == 'Figure: A rising line: "up" & <right>.'


def test_panels_are_named_left_to_right_and_must_all_be_described():
    fig, _ = plt.subplots(1, 3)
    shown = figure_with_alt(fig, ["a.", "b.", "c."])
    assert shown.alt == "Left panel: a. Middle panel: b. Right panel: c."
    fig, axes = plt.subplots(1, 2)
    with pytest.raises(InvalidInputError, match="2 panel"):
        figure_with_alt(axes, ["only one."])
    with pytest.raises(InvalidInputError, match="empty"):
        figure_with_alt(axes[0], "  ")


def _exported(outputs) -> tuple[str, list[str]]:
    """A notebook with one code cell holding *outputs*, exported as make report does."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("figure", outputs=outputs, execution_count=1)]
    exporter = HTMLExporter()  # template "lab", the default of `jupyter nbconvert --to html`
    records: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(record.getMessage())
    exporter.log.addHandler(handler)
    try:
        page, _ = exporter.from_notebook_node(notebook)
    finally:
        exporter.log.removeHandler(handler)
    return page, records


def test_nbconvert_exports_the_alt_text_without_a_warning():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    bundle, metadata = figure_with_alt(fig, "A falling line.")._repr_mimebundle_()
    shown = nbformat.v4.new_output("display_data", data=bundle, metadata=metadata)
    page, warnings = _exported([shown])
    assert 'alt="A falling line."' in page
    assert not any("Alternative text is missing" in w for w in warnings)
    # The plain PNG of plt.show(), even with the alt text in its metadata, is warned about.
    plain = nbformat.v4.new_output(
        "display_data",
        data={"image/png": bundle["image/png"]},
        metadata={"image/png": {"alt": "unread"}},
    )
    _, warned = _exported([plain])
    assert any("Alternative text is missing on 1 image" in w for w in warned)


def test_the_figure_is_drawn_when_shown_so_late_changes_are_included():
    fig, ax = plt.subplots()
    shown = FigureWithAlt(fig, "A title.")
    ax.set_title("added after")
    first = shown.png()
    assert first == shown.png() and len(first) > 1000
