"""Rows checked one by one (a small append) are taken exactly when the vectorised reader takes
them, and become exactly the events it makes (the vectorised reader is the oracle)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etiquette_lab import LogError, create_log, open_log
from etiquette_lab.csvsafe import format_row, neutralise
from etiquette_lab.log import validation
from etiquette_lab.log.format import COLUMNS
from etiquette_lab.log.row_check import accept_rows
from etiquette_lab.log.state import LogState, frame_of_rows

# The history the new rows are checked against: an experiment with two wordings, two sends
# (one answered), and a second experiment declared without wordings restricting anything.
HISTORY = [
    dict(at="2026-11-01T09:00:00+01:00", event="declared", experiment="e", variant="a|b"),
    dict(at="2026-11-02T09:00:00+01:00", event="sent", request_id="r0001", experiment="e",
         recipient="Ada", variant="a", kind="recommendation"),
    dict(at="2026-11-02T10:00:00+01:00", event="sent", request_id="r0007", experiment="e",
         recipient="Zoë", variant="b", kind="connection", score="0.25"),
    dict(at="2026-11-03T09:00:00+01:00", event="responded", request_id="r0001",
         outcome="recommended"),
]  # fmt: skip

# Each field: values the writer gives, and values it never gives (a hand edit, another tool).
TIMES = st.sampled_from(
    [
        "2026-11-04T09:00:00+01:00",
        "2026-11-04T09:00:00-00:00",
        "2026-11-04T23:59:59+14:00",
        "2028-02-29T09:00:00+01:00",
        "2026-11-02T08:59:59+01:00",  # before r0001 was sent
        "2026-02-29T09:00:00+01:00",  # no such day
        "2026-11-04T24:00:00+01:00",
        "2026-11-04T09:00:60+01:00",
        "2026-11-04T09:00:00+24:00",
        "2026-11-04T09:00:00+01:75",
        "2026-11-04T09:00:00.5+01:00",
        "2026-11-04T09:00:00Z",
        "2026-11-04 09:00:00+01:00",
        "2026-11-04T09:00+01:00",
        "2200-12-31T23:30:00-01:00",  # 2201 in UTC: out of the kit's years
        "1900-01-01T00:30:00+01:00",
        "2026-11-04T09:00:0\u0663+01:00",  # an Arabic-Indic digit
        "",
    ]
)
TEXT = st.sampled_from(
    ["Ada", "Zoë, Ørjan", 'say "hi"', "two\nlines", "=1+1", "'x", "''", "-", "a|b", "", " ",
     "\t"]
)  # fmt: skip
SCORES = st.sampled_from(
    ["", "0.5", "1.0", "0.30000000000000004", "1e-05", "0", "1", "0.50", ".5", "nan", "1.5",
     "-0.0", "x"]
)  # fmt: skip
EVENTS = st.sampled_from(
    ["sent", "reminded", "responded", "thanked", "declared", "resent", "withdrawn", "asked", ""]
)
FIELDS = {
    "at": TIMES,
    "event": EVENTS,
    "request_id": st.sampled_from(["r0008", "r0001", "r0007", "r0009", "", " ", "x"]),
    "experiment": st.sampled_from(["e", "f", ""]),
    "recipient": TEXT,
    "variant": st.sampled_from(["a", "b", "c", "", "a|c", "c|d"]),
    "kind": st.sampled_from(["recommendation", "connection", "Coffee", ""]),
    "channel": TEXT,
    "stratum": TEXT,
    "assignment": TEXT,
    "score": SCORES,
    "outcome": st.sampled_from(["recommended", "declined", "=SUM(1)", ""]),
    "message": TEXT,
    "note": TEXT,
    "log_format": st.sampled_from(["1", "2", ""]),
}
# A row as the writer makes it.
GOOD = dict(
    at="2026-11-04T09:00:00+01:00", event="sent", request_id="r0008", experiment="e",
    recipient="Ada", variant="a", kind="recommendation", channel="Ada", stratum="Ada",
    assignment="Ada", score="0.5", outcome="recommended", message="Ada", note="Ada",
    log_format="1",
)  # fmt: skip


@st.composite
def rows(draw):
    """A row the writer could make, then zero to three of its fields drawn from anything."""
    row = dict(GOOD, event=draw(FIELDS["event"]))
    row["request_id"] = draw(st.sampled_from(["r0008", "r0009", "r0001", "r0007"]))
    for name in draw(st.lists(st.sampled_from(list(FIELDS)), max_size=3)):
        row[name] = draw(FIELDS[name])
    return row


def _line(cells: dict, neutralised: bool = True) -> bytes:
    values = [cells.get(c, "") for c in COLUMNS]
    if neutralised:  # as the writer stores text cells
        values = [
            neutralise(v) if c not in ("at", "event", "score", "log_format") else v
            for c, v in zip(COLUMNS, values, strict=True)
        ]
    return format_row(values).encode()


def _history_state() -> LogState:
    state = LogState(path="asks.csv")
    data = b"".join(_line({**row, "log_format": "1"}) for row in HISTORY)
    validation.parse_events(data, state=state, first_line=2)
    return state


def _vectorised(data: bytes, monkeypatch) -> tuple[LogState, object]:
    state = _history_state()
    with monkeypatch.context() as patch:
        patch.setattr(validation, "ROW_BY_ROW_BYTES", -1)
        try:
            validation.parse_events(data, state=state, first_line=state.lines_read + 1)
        except LogError as error:
            return state, error
    return state, None


def _same_state(ours: LogState, theirs: LogState) -> None:
    ids = ["r0001", "r0007", "r0008", "r0009", "", " ", "x"]
    assert (ours.lines_read, ours.event_count, ours.sent_count) == (
        theirs.lines_read,
        theirs.event_count,
        theirs.sent_count,
    )
    assert ours.declared == theirs.declared and list(ours.declared) == list(theirs.declared)
    assert ours.outcomes == theirs.outcomes
    assert ours.next_request_number == theirs.next_request_number
    assert [ours.sent.get(i) for i in ids] == [theirs.sent.get(i) for i in ids]


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(st.lists(rows(), min_size=1, max_size=4), st.booleans())
def test_rows_taken_one_by_one_are_the_events_the_reader_makes(monkeypatch, rows, neutralised):
    data = b"".join(_line(row, neutralised) for row in rows)
    theirs, error = _vectorised(data, monkeypatch)
    ours = _history_state()
    taken = accept_rows(data, ours, ours.lines_read + 1, ",")
    if taken is None:
        _same_state(ours, _history_state())  # declined: the state is untouched
        return
    assert error is None, f"taken one by one, refused by the reader: {error}"
    pd.testing.assert_frame_equal(frame_of_rows([taken]), theirs.chunks[-1].reset_index(drop=True))
    _same_state(ours, theirs)
    assert ours.events().equals(theirs.events())


# Each kind of row the writer makes, valid against HISTORY; every field of each is then given
# every value above in turn (one field off at a time, the case a rule exists for).
BASES = {
    "sent": GOOD,
    "declared": dict(GOOD, event="declared", request_id="", variant="c|d"),
    "reminded": dict(GOOD, event="reminded", request_id="r0001"),
    "responded": dict(GOOD, event="responded", request_id="r0007"),
}
ONE_FIELD_OFF = [
    pytest.param(event, name, value, id=f"{event}-{name}-{value!r}")
    for event in BASES
    for name, values in FIELDS.items()
    for value in values.elements
]


@pytest.mark.parametrize(("event", "name", "value"), ONE_FIELD_OFF)
def test_a_row_with_one_field_off_is_taken_exactly_when_the_reader_takes_it(
    monkeypatch, event, name, value
):
    data = _line({**BASES[event], name: value})
    theirs, error = _vectorised(data, monkeypatch)
    ours = _history_state()
    taken = accept_rows(data, ours, ours.lines_read + 1, ",")
    if taken is None:
        _same_state(ours, _history_state())
        # Declined rows are those the reader refuses, or that are not in the writer's form.
        assert error is not None or value in NOT_THE_WRITERS_FORM, (error, value)
        return
    assert error is None, f"taken one by one, refused by the reader: {error}"
    pd.testing.assert_frame_equal(frame_of_rows([taken]), theirs.chunks[-1].reset_index(drop=True))
    _same_state(ours, theirs)


# Values the reader takes but the writer never writes: left to the reader, which is right too.
NOT_THE_WRITERS_FORM = {
    "2026-11-04T09:00:00+01:75",
    "2026-11-04T09:00:00.5+01:00",
    "2026-11-04T09:00:00Z",
    "2026-11-04 09:00:00+01:00",
    "2026-11-04T09:00+01:00",
    "0",
    "1",
    "0.50",
    ".5",
}


def test_rows_as_the_kit_writes_them_are_taken_one_by_one():
    # The fast path is not a path nobody takes: a send, a reminder, a response, a declaration.
    rows = [
        dict(at="2026-11-04T09:00:00+01:00", event="sent", request_id="r0009", experiment="e",
             recipient="Zoë, \"Z\" Lind", variant="a", kind="recommendation", score="0.7",
             message="Hi Zoë,\nwould you...", note="=1+1"),
        dict(at="2026-11-05T09:00:00+01:00", event="reminded", request_id="r0009"),
        dict(at="2026-11-06T09:00:00+01:00", event="responded", request_id="r0007",
             outcome="accepted"),
        dict(at="2026-11-06T09:00:00+01:00", event="declared", experiment="f", variant="x|y"),
    ]  # fmt: skip
    for row in rows:
        row["log_format"] = "1"
    state = _history_state()
    taken = accept_rows(b"".join(map(_line, rows)), state, state.lines_read + 1, ",")
    assert taken is not None and len(taken) == 4
    assert state.next_request_number == 10 and state.declared["f"] == ["x", "y"]
    assert frame_of_rows([taken])["note"].tolist() == ["=1+1", "", "", ""]


@pytest.mark.parametrize(
    ("score", "expected"),
    [("0.1", 0.1), ("0.30000000000000004", 0.30000000000000004), ("1e-05", 1e-05)],
)
def test_scores_read_as_pandas_reads_them(score, expected):
    assert pd.to_numeric(pd.Series([score])).iloc[0] == float(score) == expected


@given(st.floats(0, 1))
def test_every_score_the_writer_stores_reads_as_pandas_reads_it(value):
    text = repr(float(value))
    assert pd.to_numeric(pd.Series([text])).iloc[0] == float(text)


def test_an_append_of_the_kits_own_rows_never_goes_through_pandas(log_path, monkeypatch):
    # The reader's pandas path costs about 5 ms a call; an append must not take it (its speed
    # is measured in benchmarks/bench_log.py, not here).
    log = create_log(log_path, variants=["a", "b"])

    def no_pandas(*args, **kwargs):
        raise AssertionError("an append went through pandas' reader")

    monkeypatch.setattr(validation, "_read_csv", no_pandas)
    rid = log.send("Ada", "a", at="2026-11-02T09:00+01:00", message='Hi,\n"Ada"', score=0.5)
    log.remind(rid, at="2026-11-16T09:00+01:00")
    log.respond(rid)
    log.thank(rid, note="=sent flowers")
    monkeypatch.undo()
    assert open_log(log_path).events()["event"].tolist() == [
        "declared",
        "sent",
        "reminded",
        "responded",
        "thanked",
    ]
