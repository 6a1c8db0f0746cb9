"""Appends from several processes at once, and writers killed mid-write (kill -9)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time

import pytest

from etiquette_lab import LogError, TornLineError, create_log, open_log, read_events, repair_log
from etiquette_lab.log.format import COLUMNS

WRITERS, EVENTS_EACH = 8, 200


def _writer(path: str, number: int, start) -> None:
    from etiquette_lab import open_log

    start.wait()
    log = open_log(path)
    for i in range(EVENTS_EACH):
        if i % 2 == 0:
            rid = log.send(
                f"writer {number} person {i}",
                "default",
                message=f"w{number}-{i}, with a comma\nand a line break",
                at="2026-11-02T09:00+01:00",
            )
        else:
            log.respond(rid, at="2026-11-03T09:00+01:00")


def test_eight_processes_appending_200_events_each_lose_nothing(log_path):
    create_log(log_path)
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    processes = [
        context.Process(target=_writer, args=(str(log_path), n, start)) for n in range(WRITERS)
    ]
    for process in processes:
        process.start()
    start.set()
    for process in processes:
        process.join(120)
        assert process.exitcode == 0
    events = read_events(log_path)
    assert len(events) == WRITERS * EVENTS_EACH == 1600
    requests = open_log(log_path).requests()
    assert len(requests) == 800 and requests["request_id"].is_unique
    assert (requests["responses"] == 1).all()  # every response found its own request
    assert set(requests["message"].str.extract(r"^(w\d+-\d+)", expand=False)) == {
        f"w{n}-{i}" for n in range(WRITERS) for i in range(0, EVENTS_EACH, 2)
    }


_KILLABLE_WRITER = """
import sys
from etiquette_lab import open_log
log = open_log(sys.argv[1])
i = 0
while True:
    log.send(f"person {i}", "default", message="x" * 5000, at="2026-11-02T09:00+01:00")
    i += 1
"""


@pytest.mark.slow
def test_writers_killed_repeatedly_never_damage_earlier_rows(log_path):
    create_log(log_path)
    previous: list[str] = []
    for round_number in range(12):
        size = log_path.stat().st_size
        writer = subprocess.Popen([sys.executable, "-c", _KILLABLE_WRITER, str(log_path)])
        # Kill it while it writes: wait (however loaded the machine is) until it has appended,
        # then a little longer, a different time each round.
        deadline = time.monotonic() + 60
        while log_path.stat().st_size == size and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(0.01 * round_number)
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
        try:
            events = read_events(log_path)
        except TornLineError:
            repair_log(log_path)  # a torn tail is moved aside, never silently dropped
            events = read_events(log_path)
        recipients = events["recipient"].tolist()
        assert recipients[: len(previous)] == previous  # earlier rows intact, in order
        assert events["message"].eq("x" * 5000).all()  # no row damaged or merged
        previous = recipients
    seen = len(previous)
    assert seen > 0


# -- torn lines made deliberately, at every byte --------------------------------------------


def test_a_row_cut_at_any_byte_is_detected_or_complete(log_path):
    log = create_log(log_path)
    log.send("Ada", "default", at="2026-11-02T09:00+01:00")
    whole = log_path.read_bytes()
    log.send(
        "Ørjan",
        "personalised",
        message='a "quoted",\nmulti-line message',
        at="2026-11-02T09:00+01:00",
        score=0.5,
    )
    full = log_path.read_bytes()
    last_row = full[len(whole) :]
    for cut in range(1, len(last_row)):
        log_path.write_bytes(whole + last_row[:cut])
        try:
            events = read_events(log_path)
        except TornLineError as error:
            assert error.line == 3 and "repair" in str(error)
            continue
        # Accepted only when nothing but the final line end is missing.
        assert cut == len(last_row) - 1, f"cut at byte {cut} was accepted"
        assert events["recipient"].tolist() == ["Ada", "Ørjan"]


def test_a_torn_line_is_never_merged_into_the_next_append(log_path):
    log = create_log(log_path)
    log.send("Ada", "default", at="2026-11-02T09:00+01:00")
    with open(log_path, "ab") as handle:
        handle.write(b"2026-11-02T10:00:00+01:00,sent,r0002,,Bo,def")
    with pytest.raises(TornLineError):
        open_log(log_path).send("Cy", "default")
    assert log_path.read_bytes().endswith(b",Bo,def")  # nothing appended


def test_repair_moves_the_torn_bytes_aside_and_keeps_the_rest(log_path):
    log = create_log(log_path)
    log.send("Ada", "default", at="2026-11-02T09:00+01:00")
    good = log_path.read_bytes()
    torn = b'2026-11-02T10:00:00+01:00,sent,r0002,,Bo,default,recommendation,,,,,,"half a\nmess'
    log_path.write_bytes(good + torn)
    repair = repair_log(log_path)
    assert repair is not None and repair.aside.read_bytes() == torn
    assert (repair.what, repair.line, repair.rows) == ("torn line", 3, 0)
    assert log_path.read_bytes() == good
    assert repair_log(log_path) is None  # already clean: nothing to do
    assert open_log(log_path).send("Bo", "default") == "r0002"


def test_repair_leaves_a_log_with_other_problems_alone(log_path):
    log = create_log(log_path)
    log.send("Ada", "default", at="2026-11-02T09:00+01:00")
    text = log_path.read_text(encoding="utf-8-sig").replace(",sent,", ",semt,")
    log_path.write_text(text, encoding="utf-8-sig")
    before = log_path.read_bytes()
    with pytest.raises(Exception, match="unknown event"):
        repair_log(log_path)
    assert log_path.read_bytes() == before


def test_a_failed_write_leaves_no_partial_row(log_path, monkeypatch):
    log = create_log(log_path)
    log.send("Ada", "default", at="2026-11-02T09:00+01:00")
    before = log_path.read_bytes()
    real_pwrite = os.pwrite

    def half_then_full_disk(fd, data, offset):
        if len(data) > 10:
            real_pwrite(fd, data[:10], offset)
            raise OSError(28, "No space left on device")
        return real_pwrite(fd, data, offset)

    monkeypatch.setattr(os, "pwrite", half_then_full_disk)
    with pytest.raises(LogError, match=r"line 3 \(not written\): could not be saved \(No space"):
        log.send("Bo", "default", at="2026-11-02T09:00+01:00")
    monkeypatch.setattr(os, "pwrite", real_pwrite)
    assert log_path.read_bytes() == before
    assert log.send("Bo", "default", at="2026-11-02T09:00+01:00") == "r0002"


def test_columns_end_with_the_format_version():
    # The torn-line guarantee above rests on this.
    assert COLUMNS[-1] == "log_format"
