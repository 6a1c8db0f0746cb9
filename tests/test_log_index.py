"""The index beside a large log: used while it describes the log, never over the log itself.

The thresholds are lowered so that these small logs count as large: every command below then
works from the index. The oracle is the same command without an index (a full read).
"""

from __future__ import annotations

import os
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etiquette_lab import LogError, UnfinishedWriteError, create_log, open_log, repair_log
from etiquette_lab.cli import main
from etiquette_lab.log import index as log_index
from etiquette_lab.log import validation as log_validation
from etiquette_lab.log.file import LogFile
from etiquette_lab.log.state import SentRequests


@pytest.fixture
def indexed(monkeypatch):
    """Every log counts as large; the index is rewritten after every append."""
    monkeypatch.setattr(log_index, "INDEX_FROM_BYTES", 0)
    monkeypatch.setattr(log_index, "REWRITE_AFTER_BYTES", 0)


def _log(path, people: int = 3):
    log = create_log(path, experiment="recs", variants=["a", "b"])
    for i in range(1, people + 1):
        log.send(f"Person {i}", "ab"[i % 2], at=f"2026-11-0{i}T09:00+01:00")
    return log


def _index(path):
    return log_index.index_path(path)


def _parsed(monkeypatch) -> list[int]:
    """The first line of every piece of the log validated from now on."""
    seen: list[int] = []
    real = log_validation.parse_events

    def spy(data, *, state, first_line, **kwargs):
        seen.append(first_line)
        return real(data, state=state, first_line=first_line, **kwargs)

    monkeypatch.setattr("etiquette_lab.log.file.parse_events", spy)
    return seen


def test_a_command_writes_a_private_index_and_the_next_reads_only_what_follows_it(
    log_path, indexed, monkeypatch
):
    _log(log_path)
    assert not _index(log_path).exists()  # the API's own appends keep none
    LogFile(log_path).remind("r0001", at="2026-11-16T09:00+01:00")  # as etiquette-lab remind
    assert _index(log_path).stat().st_mode & 0o777 == 0o600
    open_log(log_path).thank("r0001", at="2026-11-17T09:00+01:00")  # another writer: line 7
    seen = _parsed(monkeypatch)
    LogFile(log_path).respond("r0002", at="2026-11-18T09:00+01:00")
    # The other writer's row (line 7), then our own (line 8): nothing before them.
    assert seen == [7, 8]
    assert open_log(log_path).events()["event"].tolist()[-3:] == [
        "reminded",
        "thanked",
        "responded",
    ]


def test_a_small_log_gets_no_index_and_reading_never_writes_one(log_path, monkeypatch, capsys):
    _log(log_path)
    assert main(["remind", str(log_path), "r0001", "--at", "2026-11-16"]) == 0
    assert sorted(p.name for p in log_path.parent.iterdir()) == ["asks.csv"]
    monkeypatch.setattr(log_index, "INDEX_FROM_BYTES", 0)
    for command in (["requests"], ["todo"], ["check"], ["report"]):
        main([command[0], str(log_path)])
    open_log(log_path).requests()
    assert sorted(p.name for p in log_path.parent.iterdir()) == ["asks.csv"]


def test_the_index_keeps_no_name_and_no_message(log_path, indexed):
    # Logs name people; the index needs none of that (it compares the log's ends by hash).
    log = _log(log_path)
    log.send("Ørjan Secretsson", "a", at="2026-11-04T09:00+01:00", message="Dear Ørjan, ...")
    LogFile(log_path).remind("r0001", at="2026-11-16T09:00+01:00")
    index = _index(log_path).read_bytes()
    for text in ("Secretsson", "Ørjan", "Person", "Dear"):
        data = text.encode()
        assert data not in index and data.hex().encode() not in index, text  # (nor in hex)


def test_a_command_from_the_index_numbers_and_defaults_as_a_full_read_does(log_path, indexed):
    _log(log_path)
    LogFile(log_path).remind("r0001", at="2026-11-16T09:00+01:00")
    log = LogFile(log_path)
    assert log.send("Zoë", "a", at="2026-11-20T09:00+01:00") == "r0004"
    assert log._state.from_index  # (this send was checked against the index)
    log.respond("r0004", at="2026-11-21T09:00+01:00")
    events = open_log(log_path).events()
    assert events["experiment"].iloc[-2] == "recs"  # the log's own experiment, from the index
    assert events["outcome"].iloc[-1] == "recommended"  # the kind's default, from the index
    assert len(log.requests()) == 4  # reading from such a LogFile reads the whole log


def test_ids_of_any_length_and_script_are_found_through_the_index(log_path, indexed):
    log = _log(log_path)
    long_id, other_script = "r" + "x" * 200, "запрос-٣"
    log.send("Ada", "a", at="2026-11-04T09:00+01:00", request_id=long_id)
    log.send("Zoë", "b", at="2026-11-04T09:00+01:00", request_id=other_script)
    LogFile(log_path).remind("r0001", at="2026-11-16T09:00+01:00")  # writes the index
    for rid in (long_id, other_script, "r0003"):
        command = LogFile(log_path)
        command.respond(rid, at="2026-11-17T09:00+01:00")
        assert command._state.from_index
    with pytest.raises(LogError, match="already used"):
        LogFile(log_path).send("Bo", "a", at="2026-11-18T09:00+01:00", request_id=long_id)


# -- the index describes the log, or it is not used ------------------------------------------
# A log of 200 requests (about 16 KiB): its first and last 4 KiB, which the index compares,
# do not hold the send of r0100, which each change below hides from all checks but one.


@pytest.fixture
def big(log_path, indexed):
    _log(log_path, people=0)
    log = open_log(log_path)
    log.send_many([{"recipient": f"P{i}", "variant": "a", "at": "2026-11-02"} for i in range(200)])
    LogFile(log_path).remind("r0001", at="2026-11-16T09:00+01:00")  # writes the index
    assert _index(log_path).exists() and log_path.stat().st_size > 3 * 4096
    return log_path


def _without_r0100(data: bytes) -> bytes:
    assert data.count(b",sent,r0100,") == 1
    return data.replace(b",sent,r0100,", b",sent,r0999,")  # same length


def _refuses_remind_of_r0100(log_path):
    with pytest.raises(LogError, match="no request 'r0100' was sent"):
        LogFile(log_path).remind("r0100", at="2026-11-16T09:00+01:00")


LATER_ROW = b"2026-11-17T09:00:00+01:00,thanked,r0002,,,,,,,,,,,,1\n"


def test_a_log_replaced_by_another_file_is_read_in_full(big, tmp_path):
    other = tmp_path / "other.csv"
    other.write_bytes(_without_r0100(big.read_bytes()) + LATER_ROW)
    os.replace(other, big)  # another file: only its identity tells (its ends are the same)
    _refuses_remind_of_r0100(big)


@pytest.mark.parametrize("keep_mtime", [False, True])
def test_a_log_edited_in_place_at_its_length_is_read_in_full(big, keep_mtime):
    before = os.stat(big)
    data = _without_r0100(big.read_bytes())
    with open(big, "r+b") as handle:  # same file, same length: its times tell
        handle.write(data)
    if keep_mtime:  # even with the modification time put back: the change time moved
        os.utime(big, ns=(before.st_atime_ns, before.st_mtime_ns))
    _refuses_remind_of_r0100(big)


@pytest.mark.parametrize("where", ["start", "end"])
def test_a_log_edited_near_an_end_then_appended_to_is_read_in_full(big, where):
    data = big.read_bytes()
    if where == "start":  # the declaration: experiment recs loses wording b
        edited = data.replace(b",recs,,a|b,", b",recs,,a|c,", 1)
    else:  # the last reminder is moved a day (its send is r0001: still valid)
        at = data.rindex(b"2026-11-16")
        edited = data[:at] + b"2026-11-15" + data[at + 10 :]
    assert edited != data and len(edited) == len(data)
    with open(big, "r+b") as handle:
        handle.write(edited)
    open_log(big).thank("r0002", at="2026-11-17T09:00+01:00")  # another writer: the log grows
    log = LogFile(big)
    log.thank("r0003", at="2026-11-17T09:00+01:00")
    assert not log._state.from_index
    if where == "start":
        with pytest.raises(LogError, match="variant 'b' is not declared"):
            LogFile(big).send("Zoë", "b", at="2026-11-18T09:00+01:00")


def test_a_log_shortened_is_read_in_full(big):
    data = big.read_bytes()
    with open(big, "r+b") as handle:  # the same file, cut before the send of r0100
        handle.truncate(data.rindex(b"\n", 0, data.index(b",sent,r0100,")) + 1)
    _refuses_remind_of_r0100(big)


def test_another_logs_index_is_not_used(big, tmp_path):
    copy = tmp_path / "copy.csv"
    copy.write_bytes(_without_r0100(big.read_bytes()) + LATER_ROW)
    shutil.copy(_index(big), _index(copy))  # an index of the same ends, of another file
    _refuses_remind_of_r0100(copy)


def _damage(path):
    data = bytearray(path.read_bytes())
    data[-4 * 3 - 2] ^= 0x01  # one bit of the last send's time: only the checksum tells
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(_damage, id="a bit flipped"),
        pytest.param(lambda p: p.write_bytes(p.read_bytes()[:-5]), id="cut short"),
        pytest.param(lambda p: p.write_bytes(b"not an index"), id="garbage"),
        pytest.param(
            lambda p: p.write_bytes(p.read_bytes().replace(b"version 1", b"version 0")),
            id="another version",
        ),
        pytest.param(lambda p: (p.unlink(), p.mkdir()), id="a folder"),
        pytest.param(lambda p: p.unlink(), id="missing"),
    ],
)
def test_a_damaged_or_missing_index_is_rebuilt_silently(log_path, indexed, spoil):
    _log(log_path)
    LogFile(log_path).remind("r0001", at="2026-11-16T09:00+01:00")
    spoil(_index(log_path))
    log = LogFile(log_path)
    log.remind("r0002", at="2026-11-16T09:00+01:00")
    assert not log._state.from_index  # it read the log in full
    assert open_log(log_path).events()["request_id"].tolist()[-1] == "r0002"
    if _index(log_path).is_file():  # rebuilt (a folder in its place stays: nothing is lost)
        check = LogFile(log_path)
        check.thank("r0002", at="2026-11-17T09:00+01:00")
        assert check._state.from_index


def test_a_refusal_on_the_indexs_word_is_checked_against_the_log(log_path, indexed, monkeypatch):
    _log(log_path)
    LogFile(log_path).remind("r0001", at="2026-11-16T09:00+01:00")
    real = log_index.load

    def forgetful(*args, **kwargs):  # an index that has lost every send
        snapshot = real(*args, **kwargs)
        if snapshot is not None:
            snapshot.state.sent = SentRequests()
        return snapshot

    monkeypatch.setattr(log_index, "load", forgetful)
    LogFile(log_path).remind("r0003", at="2026-11-16T09:00+01:00")  # the log says it was sent
    assert open_log(log_path).events()["request_id"].tolist()[-1] == "r0003"


def test_a_refusal_of_a_sheet_row_on_the_indexs_word_is_checked_against_the_log(
    log_path, indexed, monkeypatch
):
    # An index that believes in a request the log does not have: a sheet's row (an error
    # named by the sheet's cell, not the log's) sending that id must still be accepted.
    import numpy as np

    from etiquette_lab.log.file import Origin

    _log(log_path)
    LogFile(log_path).remind("r0001", at="2026-11-16T09:00+01:00")
    real = log_index.load

    def believing(*args, **kwargs):
        snapshot = real(*args, **kwargs)
        if snapshot is not None:
            snapshot.state.sent.add(
                np.array(["x1"], dtype=object), np.array([0]), np.array(["recommendation"])
            )
        return snapshot

    monkeypatch.setattr(log_index, "load", believing)
    origin = Origin("sheet.csv", 2, {"request_id": "ID"})
    sends = [{"recipient": "Bo", "variant": "a", "at": "2026-11-20", "request_id": "x1"}]
    assert LogFile(log_path).send_many(sends, origins=[origin]) == ["x1"]


def test_an_unfinished_write_stops_a_command_and_repair_removes_the_index(log_path, indexed):
    _log(log_path)
    LogFile(log_path).remind("r0001", at="2026-11-16T09:00+01:00")
    with open(log_path, "ab") as handle:  # a crash half-way through a row
        handle.write(b"2026-11-17T09:00:00+01:00,sent,r0004,recs,Bo,a,recomm")
    with pytest.raises(LogError, match="incomplete"):
        LogFile(log_path).remind("r0002", at="2026-11-16T09:00+01:00")
    assert repair_log(log_path).what == "torn line"
    assert not _index(log_path).exists()
    LogFile(log_path).remind("r0002", at="2026-11-16T09:00+01:00")
    # A write of several rows cut off part-way: the journal is checked before the index.
    journal = log_path.with_name(log_path.name + ".writing")
    size = log_path.stat().st_size
    rows = b"".join(
        f"2026-11-18T09:00:00+01:00,sent,r00{n},recs,P{n},a,recommendation,,,,,,,,1\n".encode()
        for n in (10, 11)
    )
    journal.write_bytes(
        b"etiquette-lab unfinished write, version 1\n"
        + f'{{"offset": {size}, "length": {len(rows)}, "rows": 2, "source": ""}}\n'.encode()
        + rows
    )
    with open(log_path, "ab") as handle:
        handle.write(rows[: len(rows) // 2 + 3])
    with pytest.raises(UnfinishedWriteError):
        LogFile(log_path).remind("r0002", at="2026-11-19T09:00+01:00")
    assert repair_log(log_path).what == "unfinished write"
    assert not _index(log_path).exists()


# -- with an index or without, the same log ----------------------------------------------------

COMMANDS = st.lists(
    st.one_of(
        st.tuples(st.just("send"), st.sampled_from(["a", "b", "c"]), st.integers(1, 9)),
        st.tuples(
            st.sampled_from(["remind", "respond", "thank", "withdraw", "resend"]),
            st.sampled_from(["r0001", "r0002", "r0004", "r0005", "r0099"]),
            st.integers(0, 9),
        ),
        st.tuples(st.just("declare"), st.sampled_from(["recs", "new"]), st.integers(1, 9)),
    ),
    min_size=1,
    max_size=12,
)


def _run(path, commands) -> list[str]:
    """Each command as the command line runs it (a fresh LogFile); what each said."""
    said = []
    for name, what, day in commands:
        at = f"2026-11-{10 + day}T09:00+01:00"
        log = LogFile(path)
        try:
            if name == "send":
                said.append(log.send(f"P {day}", what, at=at))
            elif name == "declare":
                log.declare(what, ["a", "c"], at=at)
                said.append("declared")
            else:
                getattr(log, name)(what, at=at)
                said.append("ok")
        except LogError as error:
            said.append(str(error))
    return said


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(commands=COMMANDS)
def test_commands_leave_the_same_log_with_an_index_as_without(
    tmp_path_factory, monkeypatch, commands
):
    folder = tmp_path_factory.mktemp("same")
    with_index, without = folder / "with.csv", folder / "without.csv"
    _log(with_index)
    shutil.copy(with_index, without)
    monkeypatch.setattr(log_index, "INDEX_FROM_BYTES", 10**12)
    said_without = _run(without, commands)
    monkeypatch.setattr(log_index, "INDEX_FROM_BYTES", 0)
    monkeypatch.setattr(log_index, "REWRITE_AFTER_BYTES", 0)
    said_with = _run(with_index, commands)
    assert [s.replace("with.csv", "without.csv") for s in said_with] == said_without
    assert with_index.read_bytes() == without.read_bytes()
