"""The decision at the current look from plain counts (monitor_look) and the next look's distance.

Independent references: the pooled z and the O'Brien-Fleming-type spending are computed here from
their formulas with the standard library; a one-look design's decisions are compared with
scipy's Barnard exact test (pooled), and the anytime e-value with a direct sum over the prior.
"""

from __future__ import annotations

import itertools
import json
import math
from statistics import NormalDist

import pytest
from scipy.stats import barnard_exact

from etiquette_lab.errors import InvalidInputError
from etiquette_lab.sequential import (
    MonitorDecision,
    design_spec,
    monitor_look,
    next_planned_look,
    sequential_design,
)

FORBIDDEN = ("chance the difference is real", "probability that the difference is real", "proves")


def pooled_z(x_c: int, n_c: int, x_n: int, n_n: int) -> float:
    """The pooled two-proportion z (0 when nobody or everybody answered), from its formula."""
    p = (x_c + x_n) / (n_c + n_n)
    if p in (0.0, 1.0):
        return 0.0
    return (x_n / n_n - x_c / n_c) / math.sqrt(p * (1 - p) * (1 / n_c + 1 / n_n))


def obrien_fleming_spent(t: float, alpha: float) -> float:
    """Two-sided O'Brien-Fleming-type spending, alpha/2 per side (Lan & DeMets 1983)."""
    side = alpha / 2
    phi = NormalDist()
    return 2 * (2 - 2 * phi.cdf(phi.inv_cdf(1 - side / 2) / math.sqrt(t)))


SPEC = design_spec(4, 40)  # looks at 10, 20, 30, 40 per wording


def decide(closed, opened=None, **kwargs) -> MonitorDecision:
    return monitor_look(SPEC, closed, opened, **kwargs)


def test_before_the_first_look_with_empty_arms_there_is_no_decision():
    r = decide({"default": (0, 0), "personal": (0, 0)}, {"default": 3, "personal": 4})
    assert (r.decision, r.decision_text) == ("no_decision", "not a planned look: no decision")
    assert (r.next_look_size, r.more_control, r.more_new) == (10, 10, 10)
    assert (r.send_control, r.send_new) == (7, 6)
    assert r.alpha_spent == 0.0 and r.look_counts is None and r.z == 0.0


def test_zero_of_five_against_zero_of_five_is_no_decision_five_windows_away():
    r = decide({"default": (0, 5), "personal": (0, 5)})
    assert r.decision == "no_decision" and (r.more_control, r.more_new) == (5, 5)
    assert "Not a planned look: no decision" in r.message[0]


def test_one_empty_arm_is_counted_as_empty():
    r = decide({"default": (0, 0), "personal": (3, 7)}, {"default": 2})
    assert r.decision == "no_decision"
    assert (r.more_control, r.more_new, r.send_control, r.send_new) == (10, 3, 8, 3)


def test_continue_at_a_planned_look_with_the_statistic_and_the_alpha_spent():
    r = decide({"default": (2, 10), "personal": (5, 10)}, {"personal": 3})
    assert (r.decision, r.planned_look, r.planned_looks, r.look_due) == ("continue", 1, 4, True)
    assert r.z == pytest.approx(pooled_z(2, 10, 5, 10), abs=1e-12)
    assert r.alpha_spent == pytest.approx(obrien_fleming_spent(0.25, 0.05), rel=1e-12)
    assert r.boundary_z > abs(r.z)
    assert (r.next_look_size, r.more_control, r.more_new, r.send_new) == (20, 10, 10, 7)
    assert r.look_counts == (2, 10, 5, 10)


def test_stop_for_evidence_at_a_planned_look():
    pocock = design_spec(4, 40, spending="pocock")
    r = monitor_look(pocock, {"default": (0, 10), "personal": (8, 10)})
    assert r.decision == "stop_evidence" and r.decision_text == "stop (evidence)"
    assert abs(pooled_z(0, 10, 8, 10)) >= r.boundary_z
    assert r.next_look_size is None and r.more_control is None
    words = " ".join(r.message).lower()
    assert "stop" in words and not any(f in words for f in FORBIDDEN)


def test_one_look_decides_as_barnards_exact_test():
    # A one-look design at 8 per wording rejects exactly where scipy's Barnard test (pooled z,
    # maximised over the nuisance rate) gives p <= alpha; tables within 1e-6 of alpha skipped.
    spec = design_spec(1, 8)
    checked = 0
    for x_c, x_n in itertools.product(range(9), repeat=2):
        p = barnard_exact([[x_n, x_c], [8 - x_n, 8 - x_c]], pooled=True, n=64).pvalue
        if abs(p - 0.05) < 1e-6:
            continue
        r = monitor_look(spec, {"a": (x_c, 8), "b": (x_n, 8)})
        assert r.decision == ("stop_evidence" if p <= 0.05 else "stop_maximum"), (x_c, x_n, p)
        checked += 1
    assert checked > 70


def test_stop_for_futility_at_an_interim_look():
    spec = design_spec([10, 20], 30, futility=0.5)
    r = monitor_look(spec, {"a": (3, 10), "b": (3, 10)})
    assert (r.decision, r.decision_text, r.futility_z) == ("stop_futility", "stop (futility)", 0.5)
    assert abs(pooled_z(3, 10, 3, 10)) < 0.5
    assert "non-binding" in " ".join(r.message)
    assert monitor_look(spec, {"a": (3, 10), "b": (6, 10)}).decision == "continue"


def test_the_last_look_without_evidence_stops_at_the_maximum():
    r = decide({"a": (8, 40), "b": (15, 40)})
    assert r.decision == "stop_maximum" and r.planned_look == 4 and r.next_look_size is None
    assert r.alpha_spent == 0.05


def test_between_looks_says_how_many_more_closed_windows():
    r = decide({"a": (4, 13), "b": (6, 15)}, {"a": 5, "b": 1})
    assert r.decision == "no_decision" and r.planned_look is None
    assert (r.next_look_size, r.more_control, r.more_new) == (20, 7, 5)
    assert (r.send_control, r.send_new) == (2, 4)
    assert r.z == pytest.approx(pooled_z(4, 13, 6, 15), abs=1e-12)  # for information only
    assert "for information only" in r.message[0]
    # A planned look passed by the faster wording needs its first-n counts: the totals are not.
    assert "looks=" in r.message[1]


def test_a_passed_look_is_decided_on_its_first_n_counts_given_as_looks():
    r = decide({"a": (4, 13), "b": (6, 15)}, looks=[(3, 10, 4, 10)])
    assert r.decision == "no_decision"
    assert r.message[1].startswith("Planned look 1 of 4 (10 requests per wording)")


def test_a_stop_at_a_passed_look_stands():
    pocock = design_spec(4, 40, spending="pocock")
    r = monitor_look(pocock, {"a": (0, 12), "b": (9, 11)}, looks=[(0, 10, 8, 10)])
    assert r.decision == "stop_evidence" and r.planned_look == 1 and r.look_counts == (0, 10, 8, 10)
    assert r.message[-1] == (
        "Decided on the first 10 closed requests of each wording; the 3 closed since do not "
        "change the decision."
    )
    later = monitor_look(pocock, {"a": (3, 20), "b": (9, 20)}, looks=[(0, 10, 8, 10)])
    assert later.decision == "stopped_earlier"


def test_overshooting_the_plan_is_a_clear_error():
    with pytest.raises(InvalidInputError) as caught:
        decide({"default": (0, 39), "personal": (0, 38)}, {"personal": 3})
    assert str(caught.value) == (
        "wording 'personal' has 41 requests sent (38 closed, 3 open), beyond the plan's 40 per "
        "wording: the design's guarantee covers the planned requests only"
    )
    with pytest.raises(InvalidInputError, match="beyond the plan's 40"):
        decide({"default": (0, 41), "personal": (0, 40)})


@pytest.mark.parametrize(
    ("closed", "opened", "looks", "message"),
    [
        ({"a": (1, 5)}, None, None, "closed must map the two wordings"),
        ({"a": (6, 5), "b": (0, 5)}, None, None, "6 responses out of 5 requests is more than all"),
        ({"a": (0, -1), "b": (0, 5)}, None, None, "must not be negative"),
        ({"a": (0, 5), "b": (0, 5)}, {"c": 1}, None, "open requests name the wording 'c'"),
        ({"a": (0, 5), "b": (0, 5)}, {"a": 1.5}, None, "must be a whole number"),
        ({"a": (0, 12), "b": (0, 12)}, None, [(0, 9, 0, 9)], "planned look 1 is at 10"),
        ({"a": (0, 12), "b": (0, 12)}, None, [(0, 10, 0, 10), (0, 20, 0, 20)], "reach only 1"),
    ],
)
def test_bad_counts_are_one_line(closed, opened, looks, message):
    with pytest.raises(InvalidInputError, match=message.replace("(", r"\(")):
        decide(closed, opened, looks=looks)


def _e_value_by_hand(*blocks: tuple[int, int, int, int]) -> float:
    # Two-sided: the average over the 64 x 64 prior grid of the product over blocks of the
    # likelihood ratio against the requests-weighted common rate (docs/sequential.md).
    grid = [(i + 0.5) / 64 for i in range(64)]
    total = 0.0
    for q_n in grid:
        for q_c in grid:
            product = 1.0
            for x_c, n_c, x_n, n_n in blocks:
                q = (n_n * q_n + n_c * q_c) / (n_n + n_c)
                product *= ((q_n / q) ** x_n * ((1 - q_n) / (1 - q)) ** (n_n - x_n)
                            * (q_c / q) ** x_c * ((1 - q_c) / (1 - q)) ** (n_c - x_c))  # fmt: skip
            total += product
    return total / 64**2


def test_anytime_gives_the_e_value_against_one_over_alpha():
    spec = design_spec("anytime", 60)
    r = monitor_look(spec, {"a": (1, 12), "b": (6, 11)})
    assert r.decision == "continue" and r.threshold == 20.0
    assert r.e_value == pytest.approx(_e_value_by_hand((1, 12, 6, 11)), rel=1e-9)
    strong = monitor_look(spec, {"a": (0, 20), "b": (14, 20)})
    assert strong.decision == "stop_evidence" and strong.e_value >= 20
    assert strong.e_value == pytest.approx(_e_value_by_hand((0, 20, 14, 20)), rel=1e-9)
    empty = monitor_look(spec, {"a": (0, 0), "b": (0, 0)})
    assert empty.decision == "continue" and empty.e_value == 1.0


def test_anytime_uses_earlier_looks_as_blocks():
    spec = design_spec("anytime", 60)
    r = monitor_look(spec, {"a": (1, 12), "b": (6, 11)}, looks=[(0, 5, 3, 6)])
    assert r.e_value == pytest.approx(_e_value_by_hand((0, 5, 3, 6), (1, 7, 3, 5)), rel=1e-9)


def test_the_result_prints_and_serialises():
    r = decide({"default": (2, 10), "personal": (5, 10)}, {"personal": 3})
    text = str(r)
    assert text.startswith("Monitoring: the decision at this look")
    assert "default (control)" in text and "Decision: continue (" in text
    data = json.loads(json.dumps(r.to_dict(), allow_nan=False))
    assert data["decision"] == "continue" and data["planned_look"] == 1
    assert data["look_counts"] == [2, 10, 5, 10]
    assert "<table" in r._repr_html_()
    assert str(r.paragraphs()).startswith("Decision: continue (")
    assert list(r.summary.columns) == ["responded", "closed", "open"]


def test_a_built_design_is_accepted_as_well_as_the_spec():
    built = sequential_design(40, looks=4)
    a = monitor_look(built, {"a": (2, 10), "b": (5, 10)})
    b = decide({"a": (2, 10), "b": (5, 10)})
    assert a == b


@pytest.mark.parametrize(
    ("closed", "opened", "expected"),
    [
        ((0, 0), (0, 0), (0, False, 10, 10, 10, 10, 10)),
        ((10, 10), (2, 0), (1, True, 20, 10, 10, 8, 10)),
        ((12, 10), (0, 0), (1, True, 20, 8, 10, 8, 10)),
        ((12, 11), (8, 9), (1, False, 20, 8, 9, 0, 0)),
        ((40, 40), (0, 0), (4, True, None, 0, 0, 0, 0)),
    ],
)
def test_next_planned_look(closed, opened, expected):
    n = next_planned_look(SPEC, closed, opened)
    assert (n.reached, n.due, n.size, n.more_control, n.more_new, n.send_control,
            n.send_new) == expected  # fmt: skip


def test_next_planned_look_in_words():
    assert next_planned_look(SPEC, (12, 11), (8, 9)).text("a", "b") == (
        "next planned look after 17 more closed windows (look 2 of 4, at 20 per wording: 8 on a, "
        "9 on b; all already sent)"
    )
    assert (
        next_planned_look(SPEC, (12, 11), (0, 9))
        .text("a", "b")
        .endswith("send 8 more on a and 0 on b)")
    )
    assert next_planned_look(SPEC, (20, 20)).text() == "a look is due now (look 2 of 4)"
    assert next_planned_look(design_spec("anytime", 50), (3, 3)).text().startswith("anytime")


def test_a_stop_at_an_earlier_look_names_that_look_s_requests():
    # Planned looks at 15, 30, 45, 60 (O'Brien-Fleming-type): 0/15 vs 8/15 continues at look 1
    # (z 3.30 < 4.17), 2/30 vs 16/30 stops at look 2 (z 3.94 > 2.98). Read later, the decision
    # is that stop, made on the first 30 closed requests of each wording (not 15, the first
    # look, nor 45, the last one reached).
    spec = design_spec(4, 60, spending="obrien-fleming")
    looks = [(0, 15, 8, 15), (2, 30, 16, 30)]
    r = monitor_look(spec, {"default": (4, 42), "personal": (19, 44)}, looks=looks)
    assert r.decision == "stop_evidence" and r.look_counts == (2, 30, 16, 30)
    assert "Decided on the first 30 closed requests of each wording" in str(r.paragraphs())
    later = monitor_look(
        spec, {"default": (4, 46), "personal": (19, 47)}, looks=[*looks, (3, 45, 18, 45)]
    )
    assert later.decision == "stopped_earlier" and later.look_counts == (2, 30, 16, 30)
    assert "Decided on the first 30 closed requests of each wording" in str(later.paragraphs())
