"""The command line for logging: what a new user types, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from etiquette_lab import read_requests
from etiquette_lab.cli import main


def run(*args, capsys):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_new_user_logs_a_few_requests_and_reads_them_back(log_path, capsys, tmp_path):
    message_file = tmp_path / "msg.txt"
    message_file.write_text(
        "Hi Zoë,\nwould you write a few lines about our project?", encoding="utf-8"
    )
    assert run("new", log_path, "--variants", "default,personalised", capsys=capsys)[0] == 0
    code, out, _ = run(
        "send",
        log_path,
        "--to",
        "Ørjan Berg",
        "--variant",
        "default",
        "--at",
        "2026-11-02T09:00",
        capsys=capsys,
    )
    assert (code, out) == (0, "r0001\n")
    code, out, _ = run(
        "send",
        log_path,
        "--to",
        "Zoë",
        "--variant",
        "personalised",
        "--message-file",
        message_file,
        "--at",
        "2026-11-02T09:05",
        capsys=capsys,
    )
    assert out == "r0002\n"
    assert run("respond", log_path, "r0002", "--at", "2026-11-04T10:00", capsys=capsys)[0] == 0
    assert run("remind", log_path, "r0001", "--at", "2026-11-16", capsys=capsys)[0] == 0
    assert run("thank", log_path, "r0002", "--at", "2026-11-05", capsys=capsys)[0] == 0
    assert run("withdraw", log_path, "r0001", "--at", "2027-01-05", capsys=capsys)[0] == 0

    code, out, _ = run("requests", log_path, capsys=capsys)
    assert code == 0 and "Ørjan Berg" in out and "recommended" in out
    assert "2026-11-02 09:00" in out  # shown in local time, as typed
    code, out, _ = run("requests", log_path, "--json", capsys=capsys)
    rows = json.loads(out)
    assert [r["request_id"] for r in rows] == ["r0001", "r0002"]
    assert rows[0]["first_response_at"] is None and rows[1]["outcome"] == "recommended"
    assert rows[1]["message"].startswith("Hi Zoë,\nwould")
    code, out, _ = run("requests", log_path, "--csv", capsys=capsys)
    assert out.splitlines()[0].startswith("request_id,experiment,recipient")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (
            ["send", "{log}", "--to", "Bo", "--variant", "personalized"],
            "line 4 (not written), field 'variant'",
        ),
        (["respond", "{log}", "r0042"], "field 'request_id'"),
        (["remind", "{log}", "r0001", "--at", "2026-02-30"], "field 'at'"),
        (["respond", "{log}", "r0001", "--at", "2026-11-01T00:00"], "before its request"),
        (["send", "{log}", "--to", "Bo", "--variant", "default", "--at", "soon"], "field 'at'"),
        (["requests", "{missing}"], "no such log file"),
        (
            ["send", "{log}", "--to", "Bo", "--variant", "default", "--message-file", "{missing}"],
            "no such message file",
        ),
        (["new", "{log}"], "already exists"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_changes(log_path, tmp_path, capsys, args, words):
    main(["new", str(log_path), "--variants", "default,personalised"])
    main(["send", str(log_path), "--to", "Ada", "--variant", "default", "--at", "2026-11-02"])
    capsys.readouterr()
    before = log_path.read_bytes()
    filled = [a.format(log=log_path, missing=tmp_path / "missing.csv") for a in args]
    code, out, err = run(*filled, capsys=capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and words in err and "Traceback" not in err
    assert log_path.read_bytes() == before


def test_usage_errors_exit_2_in_one_line(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["send"])
    assert caught.value.code == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_the_installed_command_exits_2_without_traceback(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,email\nAda,a@example.com\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "etiquette_lab", "requests", str(bad)],
        capture_output=True,
        text=True,
        env={**os.environ, "TZ": "UTC"},
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{bad}, line 1" in result.stderr


def test_help_does_not_import_matplotlib_pandas_or_scipy():
    code = (
        "import sys; from etiquette_lab.cli import main\n"
        "try: main(['--help'])\nexcept SystemExit: pass\n"
        "print(sorted(m for m in ('matplotlib', 'pandas', 'scipy') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_pseudonymised_sends_store_no_name(log_path, capsys, monkeypatch):
    monkeypatch.setenv("ETIQUETTE_LAB_KEY", "a test key of some length")
    main(["new", str(log_path)])
    main(["send", str(log_path), "--to", "Ørjan Berg", "--variant", "default", "--pseudonymise"])
    capsys.readouterr()
    code, out, _ = run("pseudonym", "ørjan  berg", capsys=capsys)
    assert code == 0
    assert read_requests(log_path).loc[0, "recipient"] == out.strip()
    assert "Ørjan" not in log_path.read_text(encoding="utf-8-sig")


def test_import_from_a_spreadsheet_export(tmp_path, capsys):
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(
        "Name;Wording;Date sent;Responded;Outcome\n"
        "Ada;default;03.11.2026;05.11.2026;recommended\n"
        "Bo;personalised;04.11.2026;;\n",
        encoding="utf-8-sig",
    )
    log = tmp_path / "private" / "log.csv"
    code, out, err = run(
        "import", sheet, log, "--dayfirst", "--variants", "default,personalised", capsys=capsys
    )
    assert code == 0, err
    assert "imported 2 requests" in out
    table = read_requests(log)
    assert table["recipient"].tolist() == ["Ada", "Bo"]
    assert str(table.loc[0, "first_sent_at"].tz_convert("Europe/Oslo").date()) == "2026-11-03"
    assert table.loc[0, "outcome"] == "recommended" and table["outcome"].isna().tolist()[1]


def test_repair_command(log_path, capsys):
    main(["new", str(log_path)])
    main(["send", str(log_path), "--to", "Ada", "--variant", "default"])
    with open(log_path, "ab") as handle:
        handle.write(b"2026-11-02T10:00:00+01:00,sent,r0002,,B")
    capsys.readouterr()
    code, _, err = run("requests", log_path, capsys=capsys)
    assert code == 2 and "line 3" in err and "repair" in err
    code, out, _ = run("repair", log_path, capsys=capsys)
    assert code == 0 and "moved the torn last line" in out
    assert run("requests", log_path, capsys=capsys)[0] == 0


def test_follow_up_commands_say_what_they_recorded(log_path, capsys):
    main(["new", str(log_path)])
    main(["send", str(log_path), "--to", "Ada", "--variant", "default", "--at", "2026-06-02"])
    capsys.readouterr()
    assert run("respond", log_path, "r0001", "--at", "2026-11-03T10:00", capsys=capsys)[1] == (
        "r0001: responded (recommended) at 2026-11-03 10:00\n"
    )
    assert run("thank", log_path, "r0001", "--at", "2026-07-04T10:00", capsys=capsys)[1] == (
        "r0001: thanked at 2026-07-04 10:00\n"
    )  # summer time shown as typed


def test_an_outcome_typo_is_refused(log_path, capsys):
    main(["new", str(log_path)])
    main(["send", str(log_path), "--to", "Ada", "--variant", "default"])
    capsys.readouterr()
    code, _, err = run("respond", log_path, "r0001", "--outcome", "declinde", capsys=capsys)
    assert code == 2 and "did you mean 'declined'" in err and "field 'outcome'" in err
    assert (
        run(
            "respond", log_path, "r0001", "--outcome", "interviewed", "--new-outcome", capsys=capsys
        )[0]
        == 0
    )
    assert run("respond", log_path, "r0001", "--outcome", "interviewed", capsys=capsys)[0] == 0


def test_a_failed_import_into_a_new_log_leaves_no_log(tmp_path, capsys):
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("Name,Variant,Sent\nAda,default,not a date\n", encoding="utf-8")
    log = tmp_path / "new.csv"
    code, _, err = run("import", sheet, log, capsys=capsys)
    assert code == 2 and f"{sheet}, line 2, field 'Sent'" in err
    assert not log.exists()


def test_report_plot_with_an_unknown_format_is_one_line(capsys, tmp_path):
    from etiquette_lab import example_log_as_of, example_log_path

    code, _, err = run(
        "report",
        example_log_path(),
        "--as-of",
        example_log_as_of().isoformat(),
        "--plot",
        tmp_path / "r.txt",
        capsys=capsys,
    )
    assert code == 2 and err.count("\n") == 1 and "r.txt" in err


def test_a_kind_in_any_case_is_stored_in_the_kits_spelling(log_path, capsys):
    main(["new", str(log_path)])
    main(["send", str(log_path), "--to", "Ada", "--variant", "d", "--kind", "Recommendation"])
    main(["send", str(log_path), "--to", "Bo", "--variant", "d", "--kind", "Coffee chat"])
    main(["respond", str(log_path), "r0001"])
    main(["respond", str(log_path), "r0002"])
    capsys.readouterr()
    table = read_requests(log_path)
    assert table["kind"].tolist() == ["recommendation", "Coffee chat"]
    assert table["outcome"].tolist() == ["recommended", "replied"]


def test_pseudonymised_send_and_import_leave_the_message_out(log_path, tmp_path, capsys,
                                                              monkeypatch):  # fmt: skip
    monkeypatch.setenv("ETIQUETTE_LAB_KEY", "a test key of some length")
    main(["new", str(log_path)])
    code = main(["send", str(log_path), "--to", "Ada Lovelace", "--variant", "personalised",
                 "--message", "Hi Ada Lovelace, about the engine", "--note", "met at the fair",
                 "--pseudonymise"])  # fmt: skip
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(
        "Name,Variant,Sent,Message,Notes\n"
        'Bo Berg,default,2026-11-02,"Hi Bo Berg,\nplease",Bo\'s sister\n',
        encoding="utf-8",
    )
    assert code == 0 and main(["import", str(sheet), str(log_path), "--pseudonymise"]) == 0
    capsys.readouterr()
    events = read_requests(log_path)
    assert events["message"].tolist() == ["", ""]
    text = log_path.read_text(encoding="utf-8-sig")
    assert "Ada" not in text and "Bo" not in text
    assert "met at the fair" in text  # a note given with --note is stored as typed
    for command in ("send", "import", "send-planned"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        shown = " ".join(capsys.readouterr().out.split())
        assert "out of the log" in shown, command
        assert command != "send" or "stored as typed" in shown


def test_requests_csv_neutralises_formulas(log_path, capsys):
    import csv
    import io

    main(["new", str(log_path)])
    main(["send", str(log_path), "--to", "=HYPERLINK(\"http://x\")", "--variant", "@SUM(1)",
          "--message=-2+3", "--at", "2026-11-02T09:00"])  # fmt: skip
    capsys.readouterr()
    code, out, _ = run("requests", log_path, "--csv", capsys=capsys)
    row = next(csv.DictReader(io.StringIO(out)))
    assert code == 0
    assert row["recipient"] == '\'=HYPERLINK("http://x")'
    assert (row["variant"], row["message"]) == ("'@SUM(1)", "'-2+3")
    assert row["first_sent_at"] == "2026-11-02T08:00:00+00:00" and row["request_id"] == "r0001"
    # The table and the log itself keep the text as typed.
    assert read_requests(log_path).loc[0, "variant"] == "@SUM(1)"


def test_the_confirmation_shows_our_event_not_another_writers(log_path, capsys, monkeypatch):
    from etiquette_lab import open_log
    from etiquette_lab.log.file import LogFile

    main(["new", str(log_path)])
    main(["send", str(log_path), "--to", "Ada", "--variant", "default", "--at", "2026-11-02"])
    real = LogFile.respond

    def respond_then_another_writer_appends(self, *args, **kwargs):
        real(self, *args, **kwargs)
        open_log(log_path).send("Bo", "default", at="2026-12-24T18:00")

    monkeypatch.setattr(LogFile, "respond", respond_then_another_writer_appends)
    capsys.readouterr()
    code, out, _ = run("respond", log_path, "r0001", "--at", "2026-11-03T10:00", capsys=capsys)
    assert (code, out) == (0, "r0001: responded (recommended) at 2026-11-03 10:00\n")


def test_requests_shows_the_experiment_when_the_log_holds_several(log_path, capsys):
    run("new", log_path, "--experiment", "recs", "--variants", "a,b", capsys=capsys)
    run("send", log_path, "--to", "Ada", "--variant", "a", "--at", "2026-11-02", capsys=capsys)
    _, out, _ = run("requests", log_path, capsys=capsys)
    assert "experiment" not in out.splitlines()[0]  # one experiment: nothing to tell apart
    run("declare", log_path, "--experiment", "links", "--variants", "x,y", capsys=capsys)
    run("send", log_path, "--to", "Bo", "--variant", "x", "--experiment", "links",
        "--at", "2026-11-02", capsys=capsys)  # fmt: skip
    _, out, _ = run("requests", log_path, capsys=capsys)
    header, first, second = out.splitlines()
    assert header.split()[:2] == ["id", "experiment"]
    assert first.split()[1] == "recs" and second.split()[1] == "links"


def test_the_confirmation_prints_the_row_written_without_reading_the_log_again(
    log_path, capsys, monkeypatch
):
    # Printing one line must not copy the events of a log of millions (it did).
    from etiquette_lab.log.file import LogFile

    main(["new", str(log_path)])
    main(["send", str(log_path), "--to", "Ada", "--variant", "default", "--at", "2026-11-02"])
    capsys.readouterr()

    def no_reading(self):
        raise AssertionError("the confirmation read the log's events")

    monkeypatch.setattr(LogFile, "events", no_reading)
    monkeypatch.setattr(LogFile, "requests", no_reading)
    code, out, _ = run("remind", log_path, "r0001", "--at", "2026-11-16T09:00", capsys=capsys)
    assert (code, out) == (0, "r0001: reminded at 2026-11-16 09:00\n")
    code, out, _ = run("respond", log_path, "r0001", "--outcome", "declined", capsys=capsys)
    assert code == 0 and out.startswith("r0001: responded (declined) at ")
