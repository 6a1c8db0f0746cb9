"""Files the command line cannot use: one line on stderr, exit code 2, nothing written."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from etiquette_lab.cli import main
from etiquette_lab.cli.main import os_error_text

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "examples"
PREFIX = "etiquette-lab: error: "


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line(code, err, *words):
    assert code == 2
    assert err.startswith(PREFIX) and err.count("\n") == 1 and "Traceback" not in err
    for word in words:
        assert str(word) in err, (word, err)


def files_under(folder):
    return sorted(p.relative_to(folder) for p in folder.rglob("*"))


@pytest.fixture
def afile(tmp_path):
    path = tmp_path / "afile"
    path.write_text("", encoding="utf-8")
    return path


def test_a_log_below_a_file_is_one_line(tmp_path, afile, capsys):
    before = files_under(tmp_path)
    code, _, err = run(capsys, "new", afile / "x.csv")
    assert_one_line(code, err, afile)
    assert files_under(tmp_path) == before


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_a_log_where_no_file_can_be_made_is_one_line(capsys):
    code, _, err = run(capsys, "new", "/proc/x.csv")
    assert_one_line(code, err, "/proc/x.csv")


def test_assign_out_below_a_file_writes_nothing(tmp_path, afile, capsys):
    code, _, err = run(capsys, "assign", EXAMPLES / "experiment.toml", EXAMPLES / "contacts.csv",
                       "--out", afile / "plan.csv")  # fmt: skip
    assert_one_line(code, err, afile)
    assert afile.read_text(encoding="utf-8") == ""


@pytest.mark.parametrize(
    "argv",
    [
        ("assign", "{dir}", EXAMPLES / "contacts.csv"),
        ("send-planned", "{dir}", "{dir}/log.csv"),
        ("import", "{dir}", "{dir}/log.csv"),
        ("requests", "{dir}"),
        ("send", "{dir}", "--to", "Ada", "--variant", "default"),
    ],
)
def test_a_folder_given_as_a_file_is_one_line(tmp_path, capsys, argv):
    folder = tmp_path / "folder"
    folder.mkdir()
    code, _, err = run(capsys, *(str(a).format(dir=folder) for a in argv))
    assert_one_line(code, err, folder)
    assert files_under(tmp_path) == [Path("folder")]  # no log created, none left behind


def test_a_template_file_that_is_a_folder_is_one_line(tmp_path, capsys):
    text = (EXAMPLES / "experiment.toml").read_text(encoding="utf-8")
    old = 'template_file = "builtin:linkedin-recommendation-default"'
    assert old in text
    experiment = tmp_path / "exp.toml"
    experiment.write_text(text.replace(old, 'template_file = "."'), encoding="utf-8")
    code, _, err = run(capsys, "assign", experiment, EXAMPLES / "contacts.csv")
    assert_one_line(code, err, experiment, "template_file")


def test_a_pseudonym_key_that_is_a_folder_is_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    key = tmp_path / "config" / "etiquette-lab" / "pseudonym.key"
    key.mkdir(parents=True)
    log = tmp_path / "log.csv"
    assert run(capsys, "new", log)[0] == 0
    before = log.read_bytes()
    code, _, err = run(capsys, "send", log, "--to", "Ada", "--variant", "x", "--pseudonymise")
    assert_one_line(code, err, key)
    assert log.read_bytes() == before


@pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0, reason="root may write to a read-only file"
)
def test_a_read_only_log_is_one_line(tmp_path, capsys):
    log = tmp_path / "log.csv"
    run(capsys, "new", log)
    log.chmod(0o444)
    code, _, err = run(capsys, "send", log, "--to", "Ada", "--variant", "default")
    assert_one_line(code, err, log, "Permission denied")


def test_any_os_error_of_a_command_is_one_line(tmp_path, capsys, monkeypatch):
    # What a read-only log, a full disk or a lost network share raise while recording
    # (simulated: a read-only file does not stop root, who may run these tests).
    from etiquette_lab.log.file import LogFile

    log = tmp_path / "log.csv"
    run(capsys, "new", log)

    def refuse(self, rows, **_):
        raise PermissionError(13, "Permission denied", str(self.path))

    monkeypatch.setattr(LogFile, "_append", refuse)
    code, _, err = run(capsys, "send", log, "--to", "Ada", "--variant", "default")
    assert_one_line(code, err, f"{log}: Permission denied")


def test_undecodable_input_without_a_file_name_is_one_line(capsys, monkeypatch):
    from etiquette_lab.cli import log_commands

    def undecodable(args):
        return b"\xff".decode("utf-8")

    monkeypatch.setattr(log_commands, "_pseudonym", undecodable)
    code, _, err = run(capsys, "pseudonym", "Ada")
    assert_one_line(code, err, "not UTF-8", "byte 0")


def test_repair_twice_in_the_same_second_is_never_a_traceback(tmp_path, capsys, monkeypatch):
    import pandas as pd

    import etiquette_lab.log.repair as log_module

    frozen = pd.Timestamp("2026-11-02T10:00:00Z").to_pydatetime()
    monkeypatch.setattr(log_module, "now", lambda: frozen)
    log = tmp_path / "log.csv"
    run(capsys, "new", log)
    run(capsys, "send", log, "--to", "Ada", "--variant", "default", "--at", "2026-11-02")
    for attempt in range(2):
        with open(log, "ab") as handle:
            handle.write(b"2026-11-02T10:00:00+01:00,sent,r0002,,B")
        code, out, err = run(capsys, "repair", log)
        if code == 2:  # the aside's name is taken: refused in one line, the log left as it was
            assert attempt == 1
            assert_one_line(code, err, "torn")
        else:
            assert code == 0 and "moved the torn last line" in out


def test_os_error_text_names_both_files():
    error = FileExistsError(17, "File exists", "a.csv", None, "b.csv")
    assert os_error_text(error) == "a.csv -> b.csv: File exists"
    assert os_error_text(PermissionError(13, "Permission denied")) == "Permission denied"


def test_a_message_with_a_line_break_stays_one_line(tmp_path, capsys):
    folder = tmp_path / "two\nlines"
    folder.mkdir()
    code, _, err = run(capsys, "requests", folder)
    assert_one_line(code, err, "two lines")
