"""The personalisation-score plot: a row of dots per wording, drafts as labelled diamonds."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from etiquette_lab.design.score import personalisation_score
from etiquette_lab.plots.descriptions import alt_text
from etiquette_lab.plots.scores import plot_personalisation_scores

MESSAGES = pd.DataFrame(
    {
        "variant": ["personal", "default", "personal", "default", "personal"],
        "score": [0.91, 0.0, 0.83, 0.0, 0.91],
    }
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_one_row_per_wording_in_the_order_given_with_every_message():
    _, ax = plt.subplots()
    assert plot_personalisation_scores(MESSAGES, variants=["default", "personal"], ax=ax) is ax
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["default (2 planned)", "personal (3 planned)"]
    default, personal = (c.get_offsets() for c in ax.collections)
    assert sorted(default[:, 0]) == [0.0, 0.0] and sorted(personal[:, 0]) == [0.83, 0.91, 0.91]
    # Equal scores stay visible: the dots of a row are spread around its line.
    assert len(set(personal[:, 1])) == 3 and all(0.7 < y < 1.3 for y in personal[:, 1])


def test_drafts_are_labelled_diamonds_on_their_own_row():
    fields = {"first_name": "Zoë", "shared_project": "the harbour dashboard"}
    default = "Dear Zoë, would you write me a recommendation?"
    drafts = {
        "default": personalisation_score(default, default=default, fields=fields),
        "mentions the project": personalisation_score(
            "Hi Zoë, a few lines about the harbour dashboard?", default=default, fields=fields
        ),
    }
    ax = plot_personalisation_scores(MESSAGES, drafts=drafts)
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == "drafts"
    assert [t.get_text() for t in ax.texts] == ["default", "mentions the project"]
    diamonds = ax.collections[2:]
    assert [c.get_offsets()[0, 0] for c in diamonds] == [s.score for s in drafts.values()]
    assert [c.get_offsets()[0, 1] for c in diamonds] == [2, 2]


def test_the_description_gives_each_wording_s_range_and_the_drafts():
    text = alt_text(plot_personalisation_scores, MESSAGES, drafts={"a generic rewrite": 0.4})
    assert "personal: 3 messages scored 0.83 to 0.91" in text
    assert "default: 2 messages scored 0.00" in text
    assert "drafts (diamonds): a generic rewrite 0.40" in text
