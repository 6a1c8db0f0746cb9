"""The state a log validates appends against: sends looked up as a dictionary would, the next
request number as the regular expression says (a dict and the regex are the oracles)."""

from __future__ import annotations

import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from etiquette_lab import create_log, open_log
from etiquette_lab.log.state import SentRequests, largest_number

IDS = st.one_of(
    st.integers(0, 10**7).map(lambda n: f"r{n:04d}"),
    st.text(alphabet=st.sampled_from("r0123456789xR \n\u0663-"), max_size=8),
    st.integers(0, 10**25).map(lambda n: f"r{n}"),
)


@given(st.lists(IDS, min_size=1, max_size=40))
def test_the_largest_request_number_is_the_regular_expressions(ids):
    numbered = re.compile(r"^r(\d+)$")  # the rule the writer numbers new requests by
    expected = max([int(m.group(1)) for i in ids if (m := numbered.match(i))], default=0)
    assert largest_number(np.array(ids, dtype=object)) == expected


@settings(max_examples=60)
@given(
    st.lists(
        st.tuples(st.lists(IDS, max_size=150, unique=True), st.booleans()),
        min_size=1,
        max_size=5,
    ),
    st.lists(IDS, max_size=20),
)
def test_sends_are_found_as_in_a_dictionary(batches, probes):
    # Batches of sends, small (a dictionary) and large (an index), some added through a pending
    # layer that is committed: lookups must answer what one dictionary of everything answers.
    sent, model = SentRequests(), {}
    for ids, through_a_layer in batches:
        ids = [i for i in ids if i not in model]
        at_ns = np.arange(len(ids), dtype=np.int64) * 7 + len(model)
        kinds = np.array([f"kind {len(model) + k}" for k in range(len(ids))], dtype=object)
        target = sent.layer() if through_a_layer else sent
        target.add(np.array(ids, dtype=object), at_ns, kinds)
        if through_a_layer:
            assert all(target.get(i) is not None for i in ids)
            sent.absorb(target)
        model.update(zip(ids, zip(at_ns.tolist(), kinds.tolist(), strict=True), strict=True))
    everything = [*model, *probes]
    assert [sent.get(i) for i in everything] == [model.get(i) for i in everything]
    assert [i in sent for i in everything] == [i in model for i in everything]
    known, at_ns, kinds = sent.lookup(np.array(everything, dtype=object))
    assert known.tolist() == [i in model for i in everything]
    assert [(int(a), k) for a, k, hit in zip(at_ns, kinds, known, strict=True) if hit] == [
        model[i] for i in everything if i in model
    ]


def test_an_open_log_numbers_and_checks_new_requests_after_a_large_read(log_path):
    # Read in one piece (an index of 300 sends), then appended to: the next number and the
    # follow-ups are checked against what was read.
    log = create_log(log_path, variants=["a", "b"])
    log.send_many([{"recipient": f"P{i}", "variant": "a", "at": "2026-11-02"} for i in range(300)])
    log.send("Ada", "b", at="2026-11-02", request_id="r0990")
    reopened = open_log(log_path)
    assert reopened.send("Zoë", "a", at="2026-11-03") == "r0991"
    reopened.remind("r0150", at="2026-11-16")
    assert reopened.requests().set_index("request_id").loc["r0150", "reminders"] == 1


def test_the_fold_of_a_log_read_in_one_piece_is_the_fold_of_its_events(log_path):
    # The reader's lookup of each event's request stands in for the fold's own: the table
    # must be the one requests_from_events builds from the events alone.
    import pandas as pd

    from etiquette_lab import requests_from_events

    log = create_log(log_path, variants=["a", "b"])
    log.send_many(
        [
            {"recipient": f"P{i}", "variant": "ab"[i % 2], "at": f"2026-11-{1 + i % 28:02d}",
             "request_id": f"x{(i * 7919) % 1000:03d}", "responded_at": "2026-12-01"}
            for i in range(400)
        ]
    )  # fmt: skip
    log.declare("other", ["c"], at="2026-12-02")
    for i in range(0, 400, 3):
        log.remind(f"x{(i * 7919) % 1000:03d}", at="2026-12-03")
    assert log_path.stat().st_size > 16 * 1024  # read by the vectorised reader, in one piece
    reopened = open_log(log_path)
    pd.testing.assert_frame_equal(
        reopened.requests(), requests_from_events(open_log(log_path).events())
    )
    assert reopened._state.known_request_rows() is not None
    reopened.thank("x000", at="2026-12-04")  # a second piece: the rows are no longer known
    assert reopened._state.known_request_rows() is None
    pd.testing.assert_frame_equal(reopened.requests(), requests_from_events(reopened.events()))
