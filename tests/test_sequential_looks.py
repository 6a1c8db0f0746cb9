"""The counts at each look of a monitored experiment, from a log's table of requests."""

from __future__ import annotations

import pandas as pd
import pytest
from test_outcomes import T0, make_requests

from etiquette_lab.analyse.outcomes import count_outcomes, window_status
from etiquette_lab.errors import InvalidInputError
from etiquette_lab.lessons.datasets import example_log_as_of, example_log_path
from etiquette_lab.log.file import read_requests
from etiquette_lab.sequential import looks_from_requests, replay_looks, sequential_design

AS_OF = "2025-06-01T00:00Z"


def _rows():
    # Sent one a day, alternately; the control answers only its 3rd request, the new wording
    # all but its 2nd. Windows (7 days) close in the order of sending.
    rows = []
    for day in range(8):
        variant = "default" if day % 2 == 0 else "new"
        answered = (variant == "default" and day == 4) or (variant == "new" and day != 3)
        spec = {"sent_day": day, **({"respond_day": 1} if answered else {})}
        rows.append((variant, spec))
    return make_requests(rows)


def test_a_planned_look_counts_the_first_n_evaluated_of_each_wording():
    looks = looks_from_requests(_rows(), sizes=[2, 4], as_of=AS_OF)
    assert (looks.control, looks.new) == ("default", "new")
    # By hand: default's first two (days 0, 2) none answered; new's first two (1, 3) one.
    # All four: default answered 1 (day 4), new 3 (days 1, 5, 7).
    assert looks.counts == ((0, 2, 1, 2), (1, 4, 3, 4))
    # Look 1 happens when the slower wording's 2nd window closes: new's, sent on day 3.
    assert pd.Timestamp(looks.at[0]) == T0 + pd.Timedelta(days=3 + 7)
    assert pd.Timestamp(looks.at[1]) == T0 + pd.Timedelta(days=7 + 7)


def test_a_look_not_reached_yet_is_said_not_counted():
    early = (T0 + pd.Timedelta(days=11)).isoformat()  # windows of days 0..3 closed
    looks = looks_from_requests(_rows(), sizes=[2, 4], as_of=early)
    assert looks.counts == ((0, 2, 1, 2),) and looks.not_reached == (4,)
    assert "Not reached yet: the planned look(s) at 4 per wording." in str(looks)


def test_a_design_gives_its_looks():
    design = sequential_design(4, looks=2)
    looks = looks_from_requests(_rows(), sizes=design, as_of=AS_OF)
    assert looks.counts == ((0, 2, 1, 2), (1, 4, 3, 4))
    assert [d.n_control for d in replay_looks(design, looks.counts).decisions] == [2, 4]


def test_looks_at_moments_are_the_counts_as_of_each_moment():
    table = _rows()
    moments = [T0 + pd.Timedelta(days=d, hours=12) for d in (8, 10, 15)]
    looks = looks_from_requests(table, at=reversed(moments), as_of=AS_OF)
    assert [pd.Timestamp(a) for a in looks.at] == moments  # in time order
    for counts, moment in zip(looks.counts, moments, strict=True):
        by_arm = count_outcomes(table, as_of=moment).success_counts
        assert counts == (*by_arm["default"], *by_arm["new"])
    assert looks.counts[0] == (0, 1, 1, 1)  # by day 8.5 only the windows of days 0 and 1


def test_the_example_log_matches_counting_by_groupby():
    requests = read_requests(example_log_path())
    as_of = example_log_as_of()
    looks = looks_from_requests(
        requests, sizes=[10, 20, 30, 40], control="default", new="personalised", as_of=as_of
    )
    # The reference: notebook 07's former hand count with pandas.
    status = window_status(requests, window="7d", as_of=as_of)
    evaluated = status[
        (status["status"] == "evaluated") & status["variant"].isin(["default", "personalised"])
    ].sort_values("window_closes_at", kind="stable")
    expected = []
    for n in (10, 20, 30, 40):
        first = evaluated.groupby("variant").head(n)
        yes = first.groupby("variant")["succeeded"].sum()
        expected.append((int(yes["default"]), n, int(yes["personalised"]), n))
    assert list(looks.counts) == expected
    assert looks.counts[:2] == ((0, 10, 7, 10), (0, 20, 10, 20))  # notebook 07's prose


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, r"either the planned sizes of the looks \(sizes=\) or their moments \(at=\)$"),
        ({"sizes": [2], "at": ["2025-03-05"]}, "not both"),
        ({"sizes": [3, 2]}, "must increase"),
        ({"sizes": [2], "new": "other"}, "is not one of the other wordings"),
        ({"at": ["2030-01-01T00:00Z"]}, "after the as-of time"),
    ],
)
def test_bad_requests_for_looks_are_one_clear_line(options, message):
    with pytest.raises(InvalidInputError, match=message):
        looks_from_requests(_rows(), as_of=AS_OF, **options)


def test_three_wordings_need_the_new_one_named():
    table = make_requests([("default", {}), ("a", {}), ("b", {})])
    with pytest.raises(InvalidInputError, match="new="):
        looks_from_requests(table, sizes=[1], as_of=AS_OF)
    assert looks_from_requests(table, sizes=[1], new="b", as_of=AS_OF).counts == ((0, 1, 0, 1),)
