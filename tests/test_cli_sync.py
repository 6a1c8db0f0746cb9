"""etiquette-lab sync (and sync_log): a dry run that never writes, --write that lands whole and
once, ambiguity left alone, pseudonymised logs, and one line with exit 2 for every bad input."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
import sync_example_spec as example
import sync_fixtures as fx

from etiquette_lab import create_log, open_log, read_requests, sync_log
from etiquette_lab.cli import main
from etiquette_lab.sync import sync_example_paths

PATHS = sync_example_paths()
SOURCES = [
    "--linkedin",
    str(PATHS["linkedin"]),
    *[a for box in PATHS["mailboxes"] for a in ("--mbox", str(box))],
    "--timezone",
    "Europe/Oslo",
]


@pytest.fixture
def example_log(tmp_path):
    path = tmp_path / "asks.csv"
    shutil.copyfile(PATHS["log"], path)
    return path


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_line(code, err, *words):
    assert code == 2, err
    lines = [line for line in err.splitlines() if line.startswith("etiquette-lab: error: ")]
    assert len(lines) == 1 and "Traceback" not in err, err
    for word in words:
        assert word in lines[0], (word, lines[0])


def test_a_dry_run_prints_the_table_and_never_writes(example_log, capsys):
    before = example_log.read_bytes()
    code, out, err = run(capsys, "sync", example_log, *SOURCES)
    assert code == 0, err
    assert example_log.read_bytes() == before  # byte for byte
    assert out.startswith("Outcomes found in your archive (dry run: nothing written)")
    for words in (
        ["r0001", "accepted", "2026-01-06 23:59:59", "Connections.csv line 5", "full name"],
        ["r0016", "undelivered", "Inbox message 4", "delivery failure report"],
        ["r0014", "replied", "Inbox message 1", "reply in the thread of your mail", "high"],
    ):
        line = next(x for x in out.splitlines() if x.startswith(words[0]))
        assert all(w in line for w in words), line
    # The ambiguous request is listed with its candidates, and nothing proposed for it.
    assert "Ambiguous: nothing proposed, you decide" in out
    assert "Connections.csv line 7; Connections.csv line 8" in out
    assert "--write" in out
    assert "Inbox: 100%" in err  # progress on stderr, never on stdout


def test_write_appends_the_events_once(example_log, capsys):
    dry = sync_log(example_log, linkedin=PATHS["linkedin"], mailboxes=PATHS["mailboxes"],
                   timezone="Europe/Oslo")  # fmt: skip
    before = read_requests(example_log)
    code, out, err = run(capsys, "sync", example_log, *SOURCES, "--write")
    assert code == 0, err
    assert "(10 written to the log)" in out
    after = read_requests(example_log).set_index("request_id")
    for item in dry.proposed.to_dict(orient="records"):
        row = after.loc[item["request_id"]]
        if item["event"] == "undelivered":
            assert row["undelivered_at"] == item["at"] and row["responses"] == 0
        else:
            assert (row["first_response_at"], row["outcome"]) == (item["at"], item["outcome"])
    events = open_log(example_log).events()
    assert events["note"].str.startswith("sync: ").sum() == len(dry.proposed) == 10
    # Twice is nothing new: the same bytes, and nothing proposed.
    written = example_log.read_bytes()
    code, out, _ = run(capsys, "sync", example_log, *SOURCES, "--write")
    assert code == 0 and "(0 written to the log)" in out
    assert example_log.read_bytes() == written
    # The ambiguous request and those with nothing found are still open.
    untouched = ["r0003", "r0005", "r0006", "r0009", "r0011", "r0013", "r0018"]
    assert after.loc[untouched, "first_response_at"].isna().all()
    assert before["first_response_at"].notna().sum() == 1


def test_counts_before_and_after_leave_the_bounce_out(example_log):
    from etiquette_lab import count_outcomes

    as_of = "2026-02-10T00:00+01:00"
    before = count_outcomes(read_requests(example_log), experiment="coffee-chat", as_of=as_of)
    sync_log(example_log, linkedin=PATHS["linkedin"], mailboxes=PATHS["mailboxes"],
             timezone="Europe/Oslo", write=True)  # fmt: skip
    after = count_outcomes(read_requests(example_log), experiment="coffee-chat", as_of=as_of)
    # By hand from the dry run: short = Hans (replied), Jon (replied), Nils (bounced), Rolf
    # (only an automatic reply); long = Ida (nothing), Mia (replied), Pia (replied, low).
    assert before.success_counts == {"short": (0, 4), "long": (0, 3)}
    assert after.success_counts == {"short": (2, 3), "long": (2, 3)}
    assert [a.undelivered for a in after.arms] == [1, 0]


def test_a_pseudonymised_log_is_matched_with_its_key(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ETIQUETTE_LAB_KEY", "the-key-of-this-test-0123")
    log = tmp_path / "hidden.csv"
    create_log(log, variants=["note", "no-note"])
    for name in ("Ada Eksempel", "Bjørn Fiktiv", "Liv Oppdiktet"):
        code, _, err = run(capsys, "send", log, "--to", name, "--variant", "note", "--kind",
                           "connection", "--at", "2026-01-05T10:00", "--pseudonymise")  # fmt: skip
        assert code == 0, err
    code, out, err = run(capsys, "sync", log, "--linkedin", PATHS["linkedin"], "--write")
    assert code == 0, err
    assert "(3 written to the log)" in out and "Ada" not in log.read_text(encoding="utf-8")
    monkeypatch.setenv("ETIQUETTE_LAB_KEY", "another-key-entirely-0123")
    second = tmp_path / "second.csv"
    shutil.copyfile(PATHS["log"], second)
    # (the wrong key cannot be told on a log of names: it matters only for pseudonyms)
    assert run(capsys, "sync", second, *SOURCES)[0] == 0


def test_the_profile_url_decides_where_the_name_is_shared(tmp_path, capsys):
    # Kari Prøve is two connections: by name the request is ambiguous; by URL it is not.
    log = tmp_path / "asks.csv"
    create_log(log, variants=["note", "no-note"])
    kari = example.linkedin_files()  # the export's own rows tell her URL
    text = kari["Connections.csv"].decode("utf-8-sig")
    url = next(line.split(",")[2] for line in text.splitlines() if line.startswith("Kari,Prøve"))
    open_log(log).send("Kari Prøve", "note", kind="connection", at="2026-01-05T11:00+01:00",
                       profile_url=url)  # fmt: skip
    result = sync_log(log, linkedin=PATHS["linkedin"], timezone="Europe/Oslo")
    assert result.ambiguous.empty and result.proposed["confidence"].tolist() == ["high"]


def test_an_export_of_someone_else_is_refused(tmp_path, capsys):
    log = tmp_path / "asks.csv"
    create_log(log, variants=["a", "b"])
    for name in ("Nobody One", "Nobody Two", "Nobody Three"):
        open_log(log).send(name, "a", kind="connection", at="2026-01-05T10:00+01:00")
    before = log.read_bytes()
    code, _, err = run(capsys, "sync", log, "--linkedin", PATHS["linkedin"], "--write")
    one_line(code, err, "does not look like it belongs to the person who sent these requests")
    assert log.read_bytes() == before
    # Two unknown recipients may be chance: that is only "nothing found".
    log2 = tmp_path / "two.csv"
    create_log(log2, variants=["a", "b"])
    for name in ("Nobody One", "Nobody Two"):
        open_log(log2).send(name, "a", kind="connection", at="2026-01-05T10:00+01:00")
    assert run(capsys, "sync", log2, "--linkedin", PATHS["linkedin"])[0] == 0


def test_the_output_says_which_outcomes_the_export_cannot_show(tmp_path, capsys):
    log = tmp_path / "asks.csv"
    create_log(log, variants=["a", "b"])
    open_log(log).send("Ada Eksempel", "a", kind="connection", at="2026-01-05T10:00+01:00")
    export = fx.write_folder(
        tmp_path / "export",
        {"messages.csv": example.linkedin_files()["messages.csv"]},
    )
    code, out, err = run(capsys, "sync", log, "--linkedin", export)
    assert code == 0, err
    assert "cannot show these outcomes: the export has no Connections.csv (1 request)" in out


def _bad_inputs(tmp_path):
    zip_of_other = fx.write_zip(tmp_path / "other.zip", {"notes.csv": b"a,b\n1,2\n"})
    good = fx.write_zip(tmp_path / "export.zip", example.linkedin_files())
    cut = tmp_path / "cut.zip"
    cut.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    headerless = tmp_path / "Inbox"
    headerless.write_bytes(b"From - Mon Jan 19 10:00:00 2026\n\nno headers at all\n")
    cut_mbox = tmp_path / "Cut"
    cut_mbox.write_bytes(b"From - Mon Jan 19 10:00:00 2026\nFrom: a@example.org\nSubject: half")
    bad_date = fx.write_folder(
        tmp_path / "dates",
        {
            "Connections.csv": fx.connections(
                [{"first": "Ada", "last": "Eksempel", "on": "2019-03-12"}]
            )
        },
    )
    unknown_header = fx.write_folder(
        tmp_path / "unknown", {"Connections.csv": b"Who,When\nAda,12 Mar 2019\n"}
    )
    return {
        "a ZIP that is not an export": (["--linkedin", zip_of_other], "not a LinkedIn data export"),
        "a truncated ZIP": (["--linkedin", cut], "cut.zip"),
        "a mail without headers": (["--mbox", headerless], "message 1"),
        "a truncated mbox": (["--mbox", cut_mbox], "cut off"),
        "a date in another format": (["--linkedin", bad_date], "line"),
        "a table with an unknown header": (["--linkedin", unknown_header], "Connections.csv"),
        "no such file": (["--linkedin", tmp_path / "missing.zip"], "missing.zip"),
        "no source at all": ([], "give a LinkedIn export"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "a ZIP that is not an export",
        "a truncated ZIP",
        "a mail without headers",
        "a truncated mbox",
        "a date in another format",
        "a table with an unknown header",
        "no such file",
        "no source at all",
    ],
)
def test_every_bad_input_is_one_line_exit_2_and_nothing_written(
    example_log, tmp_path, capsys, case
):
    argv, words = _bad_inputs(tmp_path)[case]
    before = example_log.read_bytes()
    code, out, err = run(capsys, "sync", example_log, *argv, "--write")
    one_line(code, err, words)
    assert example_log.read_bytes() == before and not out


def test_a_log_with_a_bad_row_is_named_and_left_alone(example_log, capsys):
    example_log.write_bytes(example_log.read_bytes() + b"2026-01-20,sent,,,,,,,,,,,,,,,2\n")
    before = example_log.read_bytes()
    code, _, err = run(capsys, "sync", example_log, *SOURCES, "--write")
    one_line(code, err, "line 24")
    assert example_log.read_bytes() == before


def test_a_date_only_acceptance_counts_at_the_end_of_its_day(tmp_path):
    # The documented rule: "12 Jan" is recorded at 23:59:59 local time, so a 7-day window
    # from 5 Jan 10:00 does not credit it (it may have come after 12 Jan 10:00).
    log = tmp_path / "asks.csv"
    create_log(log, variants=["a", "b"])
    sent = dt.datetime(2026, 1, 5, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    open_log(log).send("Ada Eksempel", "a", kind="connection", at=sent)
    export = fx.write_folder(
        tmp_path / "export",
        {"Connections.csv": fx.connections(
            [{"first": "Ada", "last": "Eksempel", "on": dt.date(2026, 1, 12)}])},
    )  # fmt: skip
    result = sync_log(log, linkedin=export, timezone="Europe/Oslo", write=True)
    assert result.written == 1
    from etiquette_lab import count_outcomes

    counts = count_outcomes(read_requests(log), as_of="2026-02-01T00:00Z", window="7d")
    assert counts.success_counts == {"a": (0, 1)}
    assert str(read_requests(log).loc[0, "first_response_at"]) == "2026-01-12 22:59:59+00:00"
