"""The log never loses an event: each case a reliability test found, as a test of its own.

Numbers in the comments refer to the items of the issue that listed them. Every test here
failed before its fix (checked by running this file against the code before the change).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from etiquette_lab import (
    LogError,
    TornLineError,
    UnfinishedWriteError,
    building_log,
    create_log,
    import_requests,
    open_log,
    read_events,
    read_requests,
    repair_log,
)
from etiquette_lab.cli import main
from etiquette_lab.log.format import HEADER_LINE

PREFIX = "etiquette-lab: error: "


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_line(code, err, *words):
    assert code == 2, err
    assert err.startswith(PREFIX) and err.count("\n") == 1 and "Traceback" not in err, err
    for word in words:
        assert str(word) in err, (word, err)


def sheet(tmp_path, text, name="sheet.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def fifty_events(log_path):
    log = create_log(log_path, variants=["default", "personalised"])
    for i in range(50):
        log.send(f"person {i}", "default", note=f"note {i}", at="2026-11-02T09:00+01:00")
    return log


# -- 1. a stray quote mid-log is not a torn last line ------------------------------------------


def _with_stray_quote(log_path, *, final_newline=True):
    fifty_events(log_path)
    lines = log_path.read_bytes().split(b"\n")
    # A hand edit on line 20 of 52: a note that now opens a quote and never closes it.
    lines[19] = lines[19].replace(b",note 17,", b',"note 17,')
    data = b"\n".join(lines)
    log_path.write_bytes(data if final_newline else data.rstrip(b"\n"))
    return data


@pytest.mark.parametrize("final_newline", [True, False])
def test_a_stray_quote_is_named_as_such_and_repair_moves_nothing(log_path, final_newline):
    _with_stray_quote(log_path, final_newline=final_newline)
    before = log_path.read_bytes()
    with pytest.raises(LogError) as caught:
        read_events(log_path)
    assert not isinstance(caught.value, TornLineError)
    assert caught.value.line == 20 and "never closed" in str(caught.value)
    with pytest.raises(LogError):
        repair_log(log_path)
    assert log_path.read_bytes() == before
    assert not list(log_path.parent.glob("*.torn-*"))


@pytest.mark.parametrize(
    "tail",
    [
        b"2026-11-03T09:00:00+01:00,sent,r0099,,X\n,,,",  # a line end outside quotes
        b'2026-11-03T09:00:00+01:00,sent,r0099,,"X\n'  # a row after the open quote
        b"2026-11-03T09:00:00+01:00,sent,r0100,,Y,d,recommendation,,,,,,,,1\n",
    ],
)
def test_repair_moves_the_start_of_one_row_and_never_more(log_path, tail):
    from etiquette_lab.log.repair import _refuse_more_than_one_row

    log = fifty_events(log_path)
    with pytest.raises(LogError, match="nothing was changed"):
        _refuse_more_than_one_row(tail, log, 53)
    _refuse_more_than_one_row(b'2026-11-03T09:00:00+01:00,sent,r0099,,X,d,,,,,,,"a\nb', log, 53)


def test_repair_refuses_when_the_rest_of_the_log_would_not_read(log_path):
    fifty_events(log_path)
    data = log_path.read_bytes().replace(b",sent,r0010,", b",semt,r0010,")
    torn = data + b"2026-11-03T09:00:00+01:00,sent,r0099,,X"
    log_path.write_bytes(torn)
    with pytest.raises(LogError, match="unknown event"):
        repair_log(log_path)
    assert log_path.read_bytes() == torn


# -- 2. a failed import into a new log deletes nothing another writer wrote ---------------------


def test_an_import_into_a_new_log_is_invisible_until_it_lands(log_path, tmp_path, capsys,
                                                              monkeypatch):  # fmt: skip
    rows = "".join(f"P {i},default,2026-11-02,\n" for i in range(300))
    # The last row's answer predates its send: found by the log's gate, after the sheet's rows
    # were read, while the new log is being written.
    bad = sheet(
        tmp_path, "Name,Variant,Sent,Responded\n" + rows + "Z,default,2026-11-02,2026-11-01\n"
    )
    real_append = log_module.LogFile._append
    others = []

    def another_command_meanwhile(self, rows, **kwargs):
        if len(rows) > 1 and not others:  # the import's rows: now another command runs
            others.append(main(["send", str(log_path), "--to", "Ada", "--variant", "default"]))
        return real_append(self, rows, **kwargs)

    monkeypatch.setattr(log_module.LogFile, "_append", another_command_meanwhile)
    code, _, err = run(capsys, "import", bad, log_path)
    sent_err, import_err = err.splitlines(keepends=True)
    one_line(code, import_err, f"{bad}, line 302", "dated before")
    # Before, the send landed in the half-made log and was deleted with it. Now the log does
    # not exist until the import lands: the send is refused, so nothing it acknowledged is lost.
    assert others == [2] and "no such log file" in sent_err
    assert list(log_path.parent.iterdir()) == [bad]


def test_a_new_log_being_built_is_never_seen_and_never_left_behind(log_path):
    with pytest.raises(RuntimeError):
        with building_log(log_path, variants=["a", "b"]) as log:
            log.send("Ada", "a", at="2026-11-02")
            assert not log_path.exists()
            raise RuntimeError("the import found a bad row")
    assert list(log_path.parent.iterdir()) == []
    with building_log(log_path, variants=["a", "b"]) as log:
        log.send("Ada", "a", at="2026-11-02")
    assert log.path == log_path and len(open_log(log_path)) == 2
    assert log.send("Bo", "b", at="2026-11-02") == "r0002"  # the same object goes on working


def test_a_log_made_meanwhile_is_not_overwritten_by_a_new_one(log_path):
    with pytest.raises(LogError, match="already exists"):
        with building_log(log_path) as log:
            log.send("Ada", "a", at="2026-11-02")
            create_log(log_path).send("Bo", "b", at="2026-11-02")  # another command
    assert read_requests(log_path)["recipient"].tolist() == ["Bo"]


# -- 3. a write of many rows cut off part-way is taken back whole -------------------------------


def _cut_import(log_path, tmp_path, *, rows_written):
    """An import of 40 rows into a log with one send, cut off after *rows_written* rows by a
    crash (the journal saved, part of the rows written, the process gone)."""
    log = create_log(log_path)
    log.send("Before", "default", at="2026-11-01")
    before = log_path.read_bytes()
    book = sheet(tmp_path, "Name,Variant,Sent\n" + "".join(
        f"P {i},default,2026-11-02\n" for i in range(40)))  # fmt: skip
    real_write = log_module._write_all

    def crash_part_way(handle, offset, data, path, first_line):
        cut = len(b"".join(data.split(b"\n")[:rows_written])) + rows_written
        os.pwrite(handle.fileno(), data[:cut], offset)
        raise _Crash  # the process dies here: no cleanup runs in a real crash

    log_module._write_all = crash_part_way
    journal_finish = log_module.log_journal.finish
    log_module.log_journal.finish = lambda path: None
    try:
        with pytest.raises(_Crash):
            import_requests(book, open_log(log_path))
    finally:
        log_module._write_all = real_write
        log_module.log_journal.finish = journal_finish
    return before, book


class _Crash(BaseException):
    pass


import etiquette_lab.log.file as log_module  # noqa: E402


@pytest.mark.parametrize("rows_written", [1, 17, 39])
def test_an_import_cut_off_lands_not_at_all_and_can_be_run_again(log_path, tmp_path, rows_written):
    before, book = _cut_import(log_path, tmp_path, rows_written=rows_written)
    with pytest.raises(UnfinishedWriteError, match=f"after {rows_written} of them") as caught:
        read_events(log_path)
    assert caught.value.line == 3 and "import from sheet.csv (40 rows)" in str(caught.value)
    with pytest.raises(UnfinishedWriteError):
        open_log(log_path).send("Cy", "default")  # no writer goes on after it either
    repair = repair_log(log_path)
    assert (repair.what, repair.line, repair.rows) == ("unfinished write", 3, rows_written)
    assert log_path.read_bytes() == before
    assert repair.aside.read_bytes().count(b"\n") == rows_written
    assert not (log_path.parent / "asks.csv.writing").exists()
    assert import_requests(book, open_log(log_path))[-1] == "r0041"  # not "imported before?"
    assert len(read_requests(log_path)) == 41


def test_a_cut_off_import_with_a_torn_last_row_is_taken_back_whole(log_path, tmp_path):
    before, _ = _cut_import(log_path, tmp_path, rows_written=5)
    with open(log_path, "ab") as handle:  # the crash also cut the sixth row in half
        handle.write(b"2026-11-02T00:00:00+01:00,sent,r00")
    with pytest.raises(UnfinishedWriteError, match="after 5 of them"):
        read_events(log_path)
    assert repair_log(log_path).rows == 5
    assert log_path.read_bytes() == before


def test_a_journal_for_a_write_that_landed_or_never_began_is_forgotten(log_path, tmp_path):
    log = create_log(log_path)
    log.send("Ada", "default", at="2026-11-01")
    journal = log_path.parent / "asks.csv.writing"
    journal.write_bytes(b"half a journal")  # the crash hit while saving the journal
    assert len(read_events(log_path)) == 1
    assert not journal.exists()
    book = sheet(tmp_path, "Name,Variant,Sent\nP,default,2026-11-02\nQ,default,2026-11-02\n")
    finish = log_module.log_journal.finish
    log_module.log_journal.finish = lambda path: None  # crash right after the rows were synced
    try:
        import_requests(book, open_log(log_path))
    finally:
        log_module.log_journal.finish = finish
    assert journal.exists()
    assert len(read_requests(log_path)) == 3 and not journal.exists()


CRASHING_IMPORT = """
import os, signal, sys
import etiquette_lab.log.file as log
real = os.pwrite
def killed_part_way(fd, data, offset):
    if len(data) > 10_000:  # the import's rows, not the journal (written with os.write)
        real(fd, data[: len(data) // 2], offset)
        os.kill(os.getpid(), signal.SIGKILL)
    return real(fd, data, offset)
os.pwrite = killed_part_way
from etiquette_lab import import_requests, open_log
import_requests(sys.argv[1], open_log(sys.argv[2]))
"""


def test_an_import_killed_inside_its_write_is_taken_back(log_path, tmp_path):
    import subprocess
    import sys

    create_log(log_path).send("Before", "default", at="2026-11-01")
    before = log_path.read_bytes()
    book = sheet(tmp_path, "Name,Variant,Sent,Message\n" + "".join(
        f"P {i},default,2026-11-02,{'x' * 40}\n" for i in range(3000)))  # fmt: skip
    process = subprocess.run([sys.executable, "-c", CRASHING_IMPORT, str(book), str(log_path)])
    assert process.returncode == -9
    assert len(log_path.read_bytes()) > len(before)  # half the rows reached the log
    with pytest.raises(UnfinishedWriteError):
        read_events(log_path)
    assert repair_log(log_path).what == "unfinished write"
    assert log_path.read_bytes() == before
    assert len(import_requests(book, open_log(log_path))) == 3000


# -- 4. a row with more cells than the header is refused, not shifted ---------------------------


def test_rows_ending_with_an_extra_delimiter_are_refused(log_path, tmp_path, capsys):
    book = sheet(tmp_path, "Name,Variant,Sent\nAda,default,2026-11-02,\nBo,default,2026-11-02,\n")
    code, _, err = run(capsys, "import", book, log_path)
    one_line(code, err, f"{book}, line 2", "4 cells where the header has 3", "end of the row")
    assert not log_path.exists()


def test_excel_s_empty_trailing_rows_are_not_data(log_path, tmp_path):
    book = sheet(tmp_path, "Name,Variant,Sent\r\nAda,default,2026-11-02\r\n,,\r\n,,\r\n")
    assert import_requests(book, create_log(log_path)) == ["r0001"]


# -- 5. a carriage return inside a message ------------------------------------------------------


def test_a_carriage_return_in_a_message_counts_no_line(log_path, capsys):
    assert run(capsys, "new", log_path)[0] == 0
    assert run(capsys, "send", log_path, "--to", "Ada", "--variant", "d",
               "--message", "a\rb\r\nc", "--at", "2026-11-02")[0] == 0  # fmt: skip
    assert read_requests(log_path).loc[0, "message"] == "a\rb\r\nc"
    whole = log_path.read_bytes()
    torn = b'2026-11-03T09:00:00+01:00,sent,r0002,,Bo,d,recommendation,,,,,,"x\ry\n'
    log_path.write_bytes(whole + torn)
    with pytest.raises(TornLineError) as caught:
        read_events(log_path)
    assert caught.value.line == whole.count(b"\n") + 1  # the line a text editor shows
    code, out, _ = run(capsys, "repair", log_path)
    assert code == 0 and "torn last line" in out
    assert log_path.read_bytes() == whole


def test_a_bare_carriage_return_outside_quotes_is_named(log_path):
    log_path.write_bytes(
        b"\xef\xbb\xbf" + HEADER_LINE.encode()
        + b"2026-11-02T09:00:00+01:00,sent,r1,,A\rda,default,recommendation,,,,,,,,1\n"
        + b"2026-11-02T09:00:00+01:00,sent,r2,,Bo,default,recommendation,,,,,,,,1\n"
    )  # fmt: skip
    with pytest.raises(LogError, match="carriage return") as caught:
        read_events(log_path)
    assert caught.value.line == 2


# -- 6, 7. no FIFO, no device, no endless read ---------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
@pytest.mark.parametrize("role", ["log", "sheet", "message"])
def test_a_fifo_is_refused_at_once(tmp_path, capsys, role):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    log = tmp_path / "log.csv"
    if role != "log":
        create_log(log)
    argv = {
        "log": ["requests", fifo],
        "sheet": ["import", fifo, tmp_path / "new.csv"],
        "message": ["send", log, "--to", "A", "--variant", "d", "--message-file", fifo],
    }[role]
    code, _, err = run(capsys, *argv)  # before the fix: blocked for ever
    one_line(code, err, fifo, "named pipe")
    assert not (tmp_path / "new.csv").exists()


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_device_as_message_file_is_refused(log_path, capsys):
    create_log(log_path)
    code, _, err = run(capsys, "send", log_path, "--to", "A", "--variant", "d",
                       "--message-file", "/dev/zero")  # fmt: skip
    one_line(code, err, "/dev/zero", "character device")


def test_a_message_file_larger_than_a_cell_is_refused(log_path, tmp_path, capsys):
    create_log(log_path)
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 4_000_001)
    code, _, err = run(capsys, "send", log_path, "--to", "A", "--variant", "d",
                       "--message-file", big)  # fmt: skip
    one_line(code, err, big, "larger than a message file may be")
    with pytest.raises(LogError, match="cell holds at most 1,000,000"):
        open_log(log_path).send("A", "d", message="x" * 1_000_001)
    assert len(open_log(log_path)) == 0


# -- 8, 9, 10. messages name the real line, quote little, name the file --------------------------


def test_a_quote_inside_a_cell_names_its_own_line(log_path):
    fifty_events(log_path)
    open_log(log_path).send("Multi", "default", message="two\nlines", at="2026-11-02")
    lines = log_path.read_bytes().split(b"\n")
    lines[30] = lines[30].replace(b",note 29,", b',5" screen,')  # a literal quote mid-cell
    lines[40] = lines[40].replace(b",sent,", b",semt,")
    log_path.write_bytes(b"\n".join(lines))
    with pytest.raises(LogError, match="unknown event 'semt'") as caught:
        read_events(log_path)
    assert caught.value.line == 41  # before: "line 2: the rows could not be matched"


def test_errors_quote_a_value_not_a_file(log_path):
    fifty_events(log_path)
    data = log_path.read_bytes().replace(b",sent,r0010,", b"," + b"x" * 100_000 + b",r0010,")
    log_path.write_bytes(data)
    with pytest.raises(LogError) as caught:
        read_events(log_path)
    assert len(str(caught.value)) < 300 and "(100,000 characters)" in str(caught.value)


def test_a_cr_only_log_has_a_message_of_its_own(log_path):
    log = fifty_events(log_path)
    del log
    log_path.write_bytes(log_path.read_bytes().replace(b"\n", b"\r"))
    with pytest.raises(LogError, match="carriage return alone") as caught:
        read_events(log_path)
    assert caught.value.line == 1 and len(str(caught.value)) < 300


def test_a_cr_only_sheet_has_a_message_of_its_own(log_path, tmp_path):
    book = sheet(tmp_path, "Name,Variant,Sent\r" + "Ada,default,2026-11-02\r" * 200)
    with pytest.raises(LogError, match="carriage return alone") as caught:
        import_requests(book, create_log(log_path))
    assert len(str(caught.value)) < 300


def test_a_full_disk_names_the_log_and_line(log_path, monkeypatch):
    log = create_log(log_path)

    def full(fd, data, offset):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "pwrite", full)
    with pytest.raises(LogError) as caught:
        log.send("Ada", "d", at="2026-11-02")
    assert str(caught.value) == (
        f"{log_path}, line 2 (not written): could not be saved (No space left on device); "
        "the log is unchanged"
    )


def test_a_nul_in_a_sheet_names_the_row_and_column(log_path, tmp_path):
    book = tmp_path / "sheet.csv"
    book.write_bytes(b"Name,Variant,Sent\nAda,default,2026-11-02\nB\x00o,default,2026-11-02\n")
    with pytest.raises(LogError, match="NUL") as caught:
        import_requests(book, create_log(log_path))
    assert (caught.value.path, caught.value.line) == (str(book), 3)


def test_a_negative_window_is_read_as_a_value(capsys):
    code, _, err = run(capsys, "report", "missing.csv", "--window", "-1d")
    one_line(code, err)
    assert "expected one argument" not in err
    code, _, err = run(capsys, "plan", "--baseline", "-0.2", "--target", "0.5")
    one_line(code, err, "-0.2")


# -- 11. nothing accepted quietly ----------------------------------------------------------------


@pytest.mark.parametrize(
    "at",
    [
        "2026-11-02T23:59:60+01:00",  # a leap second: the writer refuses it
        "٢٠٢٦-11-02T09:00:00+01:00",  # Arabic-Indic digits
        "２０２６-11-02T09:00:00+01:00",  # full-width digits
        "2026-11-02T24:00:00+01:00",
    ],
)
def test_the_reader_refuses_times_the_writer_refuses(log_path, at):
    log_path.write_bytes(
        b"\xef\xbb\xbf" + HEADER_LINE.encode()
        + f"{at},sent,r1,,Ada,default,recommendation,,,,,,,,1\n".encode()
    )  # fmt: skip
    with pytest.raises(LogError) as caught:
        read_events(log_path)
    assert (caught.value.line, caught.value.field) == (2, "at")


def test_a_recipient_of_spaces_is_refused(log_path):
    log = create_log(log_path)
    with pytest.raises(LogError, match="is empty") as caught:
        log.send("   ", "default", at="2026-11-02")
    assert caught.value.field == "recipient" and len(log) == 0


def test_a_typo_in_the_experiment_asks_for_a_declaration(log_path, capsys):
    run(capsys, "new", log_path, "--experiment", "recs", "--variants", "default,personalised")
    code, _, err = run(capsys, "send", log_path, "--to", "A", "--variant", "anything",
                       "--experiment", "rces")  # fmt: skip
    one_line(code, err, "experiment 'rces' is not declared", "did you mean 'recs'", "declare")
    assert run(capsys, "declare", log_path, "--experiment", "rces", "--variants", "x,y")[0] == 0
    assert run(capsys, "send", log_path, "--to", "A", "--variant", "x", "--experiment",
               "rces")[0] == 0  # fmt: skip
    code, _, err = run(capsys, "send", log_path, "--to", "A", "--variant", "anything",
                       "--experiment", "rces")  # fmt: skip
    one_line(code, err, "variant 'anything' is not declared")


def test_an_import_keeps_messages_as_typed(log_path, tmp_path):
    book = sheet(tmp_path, 'Name,Variant,Sent,Message\nAda,default,2026-11-02,"  Hi,\n\nAda  "\n')
    import_requests(book, create_log(log_path))
    assert read_requests(log_path).loc[0, "message"] == "  Hi,\n\nAda  "


@pytest.mark.parametrize("value", ["#NAME?", "Err:509", "#VALUE!", "#N/A", "#REF!"])
def test_spreadsheet_error_values_are_named_as_such(log_path, tmp_path, value):
    book = sheet(tmp_path, f"Name,Variant,Sent,Responded\nAda,default,2026-11-02,{value}\n")
    with pytest.raises(LogError, match="spreadsheet error") as caught:
        import_requests(book, create_log(log_path))
    assert (caught.value.line, caught.value.field) == (2, "Responded")


# -- 12, 13. privacy and leftovers ---------------------------------------------------------------


def test_a_pseudonymised_import_refuses_a_name_in_another_column(log_path, tmp_path):
    book = sheet(tmp_path, "Name,Variant,Sent,Group\nAda Berg,default,2026-11-02,Ada's team\n")
    with pytest.raises(LogError, match="names the person") as caught:
        import_requests(book, create_log(log_path), pseudonym_key=b"k" * 32)
    assert (caught.value.line, caught.value.field) == (2, "Group")
    assert "Ada" not in log_path.read_text(encoding="utf-8-sig")


def test_a_key_file_others_can_read_or_a_short_key_is_refused(tmp_path, monkeypatch, capsys):
    from etiquette_lab import InvalidInputError, load_pseudonym_key

    key = tmp_path / "k.key"
    key.write_text("0123456789abcdef0123", encoding="utf-8")
    key.chmod(0o644)
    with pytest.raises(InvalidInputError, match="chmod 600"):
        load_pseudonym_key(key)
    key.chmod(0o600)
    assert load_pseudonym_key(key) == b"0123456789abcdef0123"
    monkeypatch.setenv("ETIQUETTE_LAB_KEY", "x")
    with pytest.raises(InvalidInputError, match="at least 16"):
        load_pseudonym_key()


def test_creating_the_key_says_so_once_and_an_empty_key_file_is_replaced(tmp_path, capsys):
    log = tmp_path / "private" / "log.csv"
    run(capsys, "new", log)
    key = tmp_path / "config" / "etiquette-lab" / "pseudonym.key"
    key.parent.mkdir(parents=True)
    key.write_bytes(b"")  # what a full disk left behind
    code, _, err = run(capsys, "send", log, "--to", "Ada", "--variant", "d", "--pseudonymise")
    assert code == 0 and "created the pseudonym key" in err and str(key) in err
    assert "can no longer be matched" in err and len(key.read_text().strip()) == 64
    code, _, err = run(capsys, "send", log, "--to", "Bo", "--variant", "d", "--pseudonymise")
    assert code == 0 and err == ""


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_what_the_kit_writes_is_readable_by_the_user_only(tmp_path, capsys):
    examples = Path(__file__).resolve().parents[1] / "data" / "examples"
    log = tmp_path / "private" / "asks.csv"
    run(capsys, "new", log)
    assert (mode(log.parent), mode(log)) == (0o700, 0o600)
    with open(log, "ab") as handle:
        handle.write(b"2026-11-02T10:00:00+01:00,sent,r0002,,B")
    run(capsys, "repair", log)
    assert [mode(p) for p in log.parent.glob("asks.csv.torn-*")] == [0o600]
    plan = tmp_path / "plans" / "plan.csv"
    run(capsys, "assign", examples / "experiment.toml", examples / "contacts.csv", "--out", plan)
    assert mode(plan) == 0o600


def test_a_full_disk_leaves_no_empty_file_behind(tmp_path, monkeypatch, capsys):
    real_write = os.write

    def full(fd, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    monkeypatch.setattr(os, "pwrite", lambda fd, data, offset: full(fd, data))
    code, _, err = run(capsys, "new", tmp_path / "asks.csv")
    one_line(code, err, "No space left")
    book = sheet(tmp_path, "Name,Variant,Sent\nAda,default,2026-11-02\n")
    code, _, err = run(capsys, "import", book, tmp_path / "new.csv")
    one_line(code, err, "No space left")
    code, _, err = run(capsys, "pseudonym", "Ada")
    one_line(code, err, "No space left")
    monkeypatch.setattr(os, "write", real_write)
    leftovers = sorted(p.name for p in tmp_path.rglob("*") if p.is_file())
    assert leftovers == ["sheet.csv"]


def test_a_long_date_cell_is_quoted_short(log_path, tmp_path):
    book = sheet(tmp_path, "Name,Variant,Sent\nAda,default," + "9" * 50_000 + "\n")
    with pytest.raises(LogError, match="is not a date") as caught:
        import_requests(book, create_log(log_path))
    assert len(str(caught.value)) < 300 and "(50,000 characters)" in str(caught.value)


def test_the_command_line_never_prints_a_kilobyte_error(capsys):
    from etiquette_lab.cli.main import _fail

    assert _fail("x" * 5000) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and len(err) < 1100 and "(5,000 characters)" in err
