"""Property-based tests of the log reader and of repair, over generated logs.

Cells hold quotes, carriage returns, line feeds and CRLF; rows are cut at any byte, and stray
quotes are typed into any cell. The properties: what the kit writes reads back exactly; a cut
is either detected at the right line or loses nothing but the final line end; repair restores
exactly the log before the cut; a hand edit is never taken for a torn line, and repair never
moves a complete event. Seeds are fixed (the suite's hypothesis profile) and the examples few,
so ``make test`` stays quick and gives the same result every run.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etiquette_lab import LogError, TornLineError, create_log, read_events, repair_log

PIECES = st.sampled_from(
    ["a", "Zoë", '"', '""', ",", ";", "\n", "\r", "\r\n", "'", "=", " ", "x y"]
)
CELL = st.lists(PIECES, max_size=6).map("".join)
ROW = st.fixed_dictionaries({"message": CELL, "note": CELL})
LOGS = st.lists(ROW, min_size=1, max_size=6)

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _write(path, rows):
    log = create_log(path, variants=["default", "personalised"])
    for number, row in enumerate(rows):
        log.send(f"person {number}", "default", at="2026-11-02T09:00+01:00", **row)
    return log


def _lines_before(data: bytes) -> int:
    return data.count(b"\n")


@SETTINGS
@given(rows=LOGS)
def test_whatever_is_typed_reads_back_exactly(tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("p") / "log.csv"
    _write(path, rows)
    events = read_events(path)
    sends = events[events["event"] == "sent"]
    assert sends[["message", "note"]].to_dict("records") == rows
    # Every row starts on the line a text editor shows (lines end at \n, not at \r).
    data = path.read_bytes()
    assert events["line"].iloc[0] == 2 and events["line"].is_monotonic_increasing
    assert int(events["line"].iloc[-1]) <= _lines_before(data)


@SETTINGS
@given(rows=LOGS, last=ROW, cut=st.floats(0, 1, exclude_max=True))
def test_a_cut_is_detected_at_its_line_and_repair_restores_the_log_before_it(
    tmp_path_factory, rows, last, cut
):
    path = tmp_path_factory.mktemp("p") / "log.csv"
    log = _write(path, rows)
    before = path.read_bytes()
    log.send("last", "personalised", at="2026-11-02T10:00+01:00", **last)
    row = path.read_bytes()[len(before) :]
    keep = 1 + int(cut * (len(row) - 1))  # 1 .. len(row) - 1 bytes of the last row
    path.write_bytes(before + row[:keep])
    try:
        events = read_events(path)
    except TornLineError as error:
        assert error.line == _lines_before(before) + 1
        repair = repair_log(path)
        assert path.read_bytes() == before
        assert repair.aside.read_bytes() == row[:keep]
        return
    # Read as complete only when nothing but the final line end is missing.
    assert keep == len(row) - 1
    assert events["recipient"].iloc[-1] == "last"


@SETTINGS
@given(rows=st.lists(ROW, min_size=3, max_size=6), which=st.data(), final_newline=st.booleans())
def test_a_stray_quote_is_never_a_torn_line_and_repair_never_moves_events(
    tmp_path_factory, rows, which, final_newline
):
    path = tmp_path_factory.mktemp("p") / "log.csv"
    _write(path, rows)
    data = path.read_bytes()
    header_end = data.index(b"\n") + 1
    # A quote typed by hand at the start of a cell of one of the first rows (never the last:
    # a quote in the last row of a file is what a cut-off write looks like too).
    commas = [i for i, byte in enumerate(data[:-1]) if byte == ord(",") and i > header_end]
    position = which.draw(st.sampled_from(commas[: len(commas) // 2]))
    edited = data[: position + 1] + b'"' + data[position + 1 :]
    if not final_newline:
        edited = edited.rstrip(b"\n")
    path.write_bytes(edited)
    try:
        read_events(path)
    except TornLineError:
        pytest.fail("a stray quote was reported as a torn last line")
    except LogError:
        pass
    try:
        repair_log(path)
    except LogError:
        pass
    assert path.read_bytes() == edited  # nothing moved aside, nothing truncated


@SETTINGS
@given(rows=st.lists(ROW, min_size=2, max_size=6), which=st.data())
def test_an_error_names_the_line_its_row_starts_on(tmp_path_factory, rows, which):
    path = tmp_path_factory.mktemp("p") / "log.csv"
    log = _write(path, rows)
    del log
    data = path.read_bytes()
    events = read_events(path)
    row = which.draw(st.integers(1, len(events) - 1))
    start_line = int(events["line"].iloc[row])
    # The row's start, found independently: the byte after the (start_line - 1)-th line feed.
    offset = 0
    for _ in range(start_line - 1):
        offset = data.index(b"\n", offset) + 1
    assert data[offset:].startswith(b"2026-11-02T09:00:00+01:00,sent,")
    path.write_bytes(data[:offset] + data[offset:].replace(b",sent,", b",semt,", 1))
    with pytest.raises(LogError, match="unknown event 'semt'") as caught:
        read_events(path)
    assert caught.value.line == start_line
