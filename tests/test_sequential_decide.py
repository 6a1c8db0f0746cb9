"""The decision at a look, and replays: words, fields and bad input."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest

from etiquette_lab.errors import InvalidInputError
from etiquette_lab.sequential import (
    anytime_design,
    e_process,
    replay_looks,
    sequential_decision,
    sequential_design,
)
from etiquette_lab.sequential.design import lattice_of
from etiquette_lab.sequential.evalue import anytime_rate_interval
from etiquette_lab.sequential.lattice import statistic

# Words a p-value or an e-value must never be given (house rule: no "chance it is real").
FORBIDDEN = (
    "chance the difference is real",
    "probability that the difference is real",
    "chance that the new wording is better",
    "proves",
)


@pytest.fixture(scope="module")
def design():
    return sequential_design(40, looks=4)


def _words(decision) -> str:
    return " ".join(decision.message).lower()


def test_the_boundary_is_the_region_every_state_at_or_beyond_it_stops(design):
    lattice = lattice_of(design)
    for k, n in enumerate(design.looks):
        stat = statistic(n, n, "two-sided")
        if math.isinf(design.boundary_z[k]):
            assert not lattice.reject[k].any()
        else:
            assert np.array_equal(stat >= design.boundary_z[k] - 1e-9, lattice.reject[k])


def test_each_planned_look_decides_by_its_region(design):
    lattice = lattice_of(design)
    for x_c, x_n in itertools.product(range(0, 21, 2), repeat=2):
        decision = sequential_decision(design, (x_c, 20, x_n, 20))
        expected = "stop_evidence" if lattice.reject[1][x_c, x_n] else "continue"
        assert decision.decision == expected
        assert decision.planned_look == 2 and decision.alpha_spent == design.alpha_spent[1]


def test_a_continue_says_where_the_next_look_is(design):
    decision = sequential_decision(design, (2, 10, 5, 10))
    assert decision.decision == "continue" and decision.decision_text == "continue"
    assert (decision.next_look, decision.more_control, decision.more_new) == (20, 10, 10)
    assert "Continue to the next planned look at 20 requests per wording" in decision.message[0]
    assert f"Alpha spent by this look: {design.alpha_spent[0]:.3g} of 0.05" in decision.message[0]


def test_a_look_between_planned_looks_gives_no_decision(design):
    decision = sequential_decision(design, (4, 15, 12, 15))
    assert decision.decision == "no_decision"
    assert decision.decision_text == "not a planned look: no decision"
    assert (decision.next_look, decision.more_control, decision.more_new) == (20, 5, 5)
    assert "for information only" in _words(decision)


def test_unequal_arms_are_not_a_planned_look_and_the_message_says_which_requests_count(design):
    decision = sequential_decision(design, (2, 18, 5, 22))
    assert decision.decision == "no_decision"
    assert (decision.more_control, decision.more_new) == (2, 0)
    assert "first 20 evaluated requests of each wording" in " ".join(decision.message)


def test_stopping_with_evidence_gives_the_statistic_boundary_and_a_signed_sentence(design):
    decision = sequential_decision(design, (3, 20, 16, 20))
    assert decision.decision == "stop_evidence"
    assert decision.z > decision.boundary_z
    words = " ".join(decision.message)
    assert "evidence that the two wordings' response rates differ" in words
    assert "Observed: 16 of 20 on the new wording against 3 of 20 on the control" in words
    assert "at most" in words and not any(f in words.lower() for f in FORBIDDEN)


def test_the_last_look_without_evidence_stops_and_says_it_is_not_evidence_of_no_difference(design):
    decision = sequential_decision(design, (10, 40, 12, 40))
    assert decision.decision == "stop_maximum"
    assert "not evidence that the wordings are equally good" in " ".join(decision.message)


def test_replay_marks_looks_after_a_stop(design):
    replay = replay_looks(
        design, [(2, 10, 7, 10), (3, 15, 11, 15), (3, 20, 16, 20), (5, 30, 20, 30)]
    )
    codes = [d.decision for d in replay.decisions]
    assert codes == ["continue", "no_decision", "stop_evidence", "stopped_earlier"]
    assert replay.stopped_at == 3
    assert replay.summary.shape[0] == 4 and "decision" in replay.summary.columns
    json.dumps(replay.to_dict(), allow_nan=False)
    assert "<table" in replay._repr_html_()


def test_futility_is_advice_and_the_replay_goes_on():
    design = sequential_design(30, looks=3, futility=1.0)
    replay = replay_looks(design, [(5, 10, 5, 10), (6, 20, 14, 20), (6, 30, 22, 30)])
    codes = [d.decision for d in replay.decisions]
    assert codes == ["stop_futility", "continue", "stop_evidence"]
    assert "non-binding" in " ".join(replay.decisions[0].message)
    assert replay.stopped_at == 3


def test_the_anytime_design_decides_at_every_look():
    design = anytime_design(40, looks=4)
    looks = [(2, 10, 5, 10), (3, 15, 8, 16), (4, 20, 12, 20), (5, 30, 22, 30)]
    replay = replay_looks(design, looks)
    e_values = e_process(looks).e_value
    assert [d.e_value for d in replay.decisions] == pytest.approx(list(e_values), rel=1e-12)
    codes = [d.decision for d in replay.decisions]
    assert codes == ["continue"] * 3 + ["stop_evidence"]
    last = replay.decisions[-1]
    assert last.threshold == 20 and last.difference_low < last.difference_high
    words = " ".join(last.message)
    assert "however often and whenever one looks" in words
    assert not any(f in words.lower() for f in FORBIDDEN)


def test_the_anytime_budget_ends_the_experiment():
    design = anytime_design(20, looks=2)
    decision = sequential_decision(design, [(5, 10, 5, 10), (10, 20, 11, 20)])
    assert decision.decision == "stop_maximum"


@pytest.mark.parametrize(
    ("looks", "message"),
    [
        ([(2, 10, 5, 10), (1, 12, 5, 12)], "look 2: counts are cumulative"),
        ([(2, 10, 5, 10), (2, 8, 5, 12)], "look 2: counts are cumulative"),
        ([(2, 50, 5, 40)], "look 1: 50 requests on the control wording overshoot the design's"),
        ([(2, 40, 5, 41)], "41 requests on the new wording overshoot"),
        ([(2, 10, 11, 10)], "look 1, new wording: 11 responses out of 10 requests"),
        ([(2, 10, -1, 10)], "must not be negative"),
        ([(2.5, 10, 1, 10)], "must be a whole number"),
        ("2,10,5,10", "looks must be a non-empty list"),
    ],
)
def test_bad_looks_are_one_clear_line(design, looks, message):
    with pytest.raises(InvalidInputError) as caught:
        replay_looks(design, looks)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_a_design_is_required():
    with pytest.raises(InvalidInputError, match="design must come from sequential_design"):
        sequential_decision({"looks": [10, 20]}, (1, 10, 2, 10))


def test_decision_to_dict_is_strict_json_with_every_field(design):
    as_dict = json.loads(sequential_decision(design, (2, 10, 5, 10)).to_json())
    for key in (
        "decision",
        "decision_text",
        "z",
        "boundary_z",
        "alpha_spent",
        "message",
        "next_look",
        "more_control",
        "more_new",
        "planned_look",
        "planned_looks",
    ):
        assert key in as_dict
    assert as_dict["planned_looks"] == 4


def test_looks_that_cannot_stop_say_so():
    design = sequential_design(5, looks=5)
    decision = sequential_decision(design, (0, 1, 1, 1))
    assert decision.decision == "continue" and decision.boundary_z is None
    assert "no outcome at this size can stop with evidence" in decision.message[0]


def test_an_empty_arm_is_a_look_like_any_other():
    # Nothing evaluated yet on the new wording: no statistic, no evidence, no error.
    planned = sequential_decision(sequential_design(20, looks=2), (0, 0, 0, 0))
    assert planned.decision == "no_decision" and planned.z == 0.0 and planned.difference is None
    anytime = sequential_decision(anytime_design(20, looks=2), (2, 5, 0, 0))
    assert anytime.decision == "continue" and anytime.e_value == pytest.approx(1.0)
    # The new wording's rate is unknown, anywhere in [0, 1]; the control's interval for 2 of 5.
    low_c, high_c = anytime_rate_interval(2, 5, 0.025)
    assert (anytime.difference_low, anytime.difference_high) == (-high_c, 1 - low_c)


def test_looks_may_be_any_iterable_of_sizes():
    assert sequential_design(30, looks=np.array([10, 20])).looks == (10, 20, 30)
    assert sequential_design(30, looks=range(10, 31, 10)).looks == (10, 20, 30)


def test_normal_designs_decide_by_z_with_the_lattices_arithmetic_at_any_size():
    design = sequential_design(30, looks=3, method="normal", futility=0.4)
    lattice = lattice_of(design)
    for k, n in enumerate(design.looks[:-1]):
        for x_c, x_n in itertools.product(range(n + 1), repeat=2):
            code = sequential_decision(design, (x_c, n, x_n, n)).decision
            expected = (
                "stop_evidence"
                if lattice.reject[k][x_c, x_n]
                else "stop_futility"
                if lattice.futility[k][x_c, x_n]
                else "continue"
            )
            assert code == expected, (k, x_c, x_n)
    # Far beyond the exact engine: still a decision, with the normal approximation's words.
    large = sequential_design(100_000, looks=5, method="normal")
    decision = sequential_decision(large, (5_000, 40_000, 5_400, 40_000))
    assert decision.decision == "stop_evidence"
    assert "(normal approximation)" in " ".join(decision.message)
