"""Format version 2: the recipient's profile URL and address, the undelivered event, and older
logs read and appended as they are (the bundled version 1 logs in tests/data/)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from etiquette_lab import (
    LogError,
    compare_requests,
    count_outcomes,
    create_log,
    open_log,
    read_requests,
    window_status,
)
from etiquette_lab.cli import main
from etiquette_lab.lessons.datasets import example_log_path
from etiquette_lab.log.format import LAYOUTS
from etiquette_lab.log.privacy import pseudonymise, pseudonymise_contact
from etiquette_lab.sync import sync_example_paths
from etiquette_lab.sync.identity import Keys

DATA = Path(__file__).resolve().parent / "data"
V1_LOGS = {
    "example_log_v1.csv": example_log_path,
    "sync_requests_log_v1.csv": lambda: sync_example_paths()["log"],
}


def one_line_error(capsys, *argv):
    code = main([str(a) for a in argv])
    _out, err = capsys.readouterr()
    assert code == 2 and err.startswith("etiquette-lab: error: ") and err.count("\n") == 1, err
    return err


# -- older logs ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", V1_LOGS)
def test_a_bundled_version_1_log_reads_as_its_version_2_regeneration(name):
    # The same events written in both versions: every request reads the same, the contact
    # columns empty. (The version 2 files were regenerated from the same seeds and calls.)
    old_bytes = (DATA / name).read_bytes()
    assert old_bytes.startswith(b"\xef\xbb\xbf" + ",".join(LAYOUTS["1"]).encode() + b"\n")
    old, new = read_requests(DATA / name), read_requests(V1_LOGS[name]())
    pd.testing.assert_frame_equal(old, new)
    assert set(old["profile_url"]) == set(old["email"]) == {""}
    events = open_log(DATA / name).events()
    assert set(events["log_format"]) == {"1"}


def test_a_version_1_log_is_appended_in_version_1_and_never_rewritten(tmp_path, capsys):
    path = tmp_path / "old.csv"
    shutil.copyfile(DATA / "sync_requests_log_v1.csv", path)
    before = path.read_bytes()
    log = open_log(path)
    rid = log.send("Ny Person", "note", kind="connection", at="2026-02-01T10:00+01:00")
    log.undelivered(rid, at="2026-02-01T10:05+01:00")
    after = path.read_bytes()
    assert after.startswith(before)
    added = after[len(before) :].decode().splitlines()
    assert [line.count(",") for line in added] == [14, 14] and all(
        line.endswith(",1") for line in added
    )
    assert read_requests(path).iloc[-1]["undelivered_at"] == pd.Timestamp("2026-02-01T09:05Z")
    # A contact field has no column there: refused, naming the field, nothing written.
    with pytest.raises(LogError, match="format version 1, which has no profile_url") as caught:
        log.send("Zoë", "note", profile_url="linkedin.com/in/zoe")
    assert caught.value.field == "profile_url" and path.read_bytes() == after
    err = one_line_error(capsys, "send", path, "--to", "Zoë", "--variant", "note", "--email",
                         "zoe@example.org")  # fmt: skip
    assert "field 'email'" in err and path.read_bytes() == after


# -- contact fields --------------------------------------------------------------------------


def test_a_send_records_the_profile_url_and_the_address(log_path, capsys):
    create_log(log_path, variants=["a", "b"])
    code = main(["send", str(log_path), "--to", "Ada", "--variant", "a", "--profile-url",
                 " https://www.linkedin.com/in/ada-l/ ", "--email", "Ada@Example.org"])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    row = read_requests(log_path).iloc[0]
    # Stored as typed (without surrounding spaces): sync compares them in its normal form.
    assert (row["profile_url"], row["email"]) == (
        "https://www.linkedin.com/in/ada-l/",
        "Ada@Example.org",
    )
    assert open_log(log_path).events()["log_format"].tolist() == ["2", "2"]


@pytest.mark.parametrize(
    "flag, value, words",
    [
        ("--email", "ada.example.org", "is not an e-mail address"),
        ("--email", "a@b@c", "is not an e-mail address"),
        ("--email", "ada@example.org bo@example.org", "holds a space"),
        ("--profile-url", "linkedin.com/in/ada linkedin.com/in/bo", "holds a space"),
    ],
)
def test_a_wrong_contact_field_is_one_line_and_nothing_is_written(
    log_path, capsys, flag, value, words
):
    create_log(log_path, variants=["a", "b"])
    before = log_path.read_bytes()
    err = one_line_error(capsys, "send", log_path, "--to", "Ada", "--variant", "a", flag, value)
    assert words in err and f"field '{flag[2:].replace('-', '_')}'" in err
    assert log_path.read_bytes() == before


def test_pseudonymised_contacts_are_the_pseudonyms_sync_looks_for(log_path, capsys, monkeypatch):
    key = "a-test-key-of-enough-length"
    monkeypatch.setenv("ETIQUETTE_LAB_KEY", key)
    create_log(log_path, variants=["a", "b"])
    url, address = "https://www.linkedin.com/in/Ada-L/?trk=x", "<Ada@Example.ORG>"
    code = main(["send", str(log_path), "--to", "Ada L", "--variant", "a", "--pseudonymise",
                 "--profile-url", url, "--email", address])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    row = read_requests(log_path).iloc[0]
    assert row["recipient"] == pseudonymise("Ada L", key.encode())
    assert row["profile_url"] == pseudonymise("linkedin.com/in/ada-l", key.encode())
    assert row["email"] == pseudonymise("ada@example.org", key.encode())
    assert "ada" not in log_path.read_text(encoding="utf-8").casefold()
    # The matcher's forms of the export's own spellings hold the stored pseudonyms.
    keys = Keys(key.encode())
    assert row["profile_url"] in keys.urls("http://no.linkedin.com/in/ada-l")
    assert row["email"] in keys.addresses("ada@example.org")
    assert pseudonymise_contact("email", "", key.encode()) == ""


# -- undelivered -----------------------------------------------------------------------------


def _five_with_one_bounce(log_path):
    log = create_log(log_path, variants=["default", "short"])
    ids = [log.send(f"P{i}", "default", at="2026-01-05T10:00+01:00") for i in range(5)]
    ids += [log.send(f"Q{i}", "short", at="2026-01-05T10:00+01:00") for i in range(5)]
    log.respond(ids[0], at="2026-01-06T10:00+01:00")
    log.undelivered(ids[1], at="2026-01-05T10:01+01:00")
    for rid in ids[5:8]:
        log.respond(rid, at="2026-01-07T10:00+01:00")
    return log, ids


def test_one_of_five_with_one_bounce_counts_as_one_of_four(log_path):
    log, _ids = _five_with_one_bounce(log_path)
    table = log.requests()
    assert table["undelivered_at"].notna().tolist() == [False, True] + [False] * 8
    counts = count_outcomes(table, as_of="2026-03-01T00:00Z")
    # Counted by hand: default sent 5, one bounced (out), 1 answered of the 4 left.
    assert counts.success_counts == {"default": (1, 4), "short": (3, 5)}
    assert [(a.name, a.sent, a.undelivered) for a in counts.arms] == [
        ("default", 5, 1),
        ("short", 5, 0),
    ]
    status = window_status(table, as_of="2026-03-01T00:00Z")
    assert status.loc[1, "status"] == "undelivered"
    report = compare_requests(table, as_of="2026-03-01T00:00Z", timing=False)
    assert "1 undelivered request left out (they bounced: never a chance to answer)" in (
        report.notes
    )


def test_a_bounce_leaves_the_denominator_even_while_the_window_is_open(log_path):
    log, _ = _five_with_one_bounce(log_path)
    counts = count_outcomes(log.requests(), as_of="2026-01-08T00:00Z")  # windows still open
    default = counts.arms[0]
    assert (default.pending, default.undelivered, default.evaluated) == (4, 1, 0)


def test_a_bounce_after_the_as_of_time_is_not_known_yet(log_path):
    log, _ids = _five_with_one_bounce(log_path)
    counts = count_outcomes(log.requests(), as_of="2026-01-05T10:00:30+01:00", window=None)
    assert counts.arms[0].undelivered == 0


def test_an_undelivered_event_must_name_a_request_sent_before_it(log_path):
    log = create_log(log_path, variants=["a", "b"])
    with pytest.raises(LogError, match="no request 'r0009' was sent"):
        log.undelivered("r0009", at="2026-01-05T10:01+01:00")
    rid = log.send("Ada", "a", at="2026-01-05T10:00+01:00")
    with pytest.raises(LogError, match="dated before its request was sent"):
        log.undelivered(rid, at="2026-01-05T09:00+01:00")


# -- observational experiments -------------------------------------------------------------


def test_an_experiment_declared_observational_is_told_apart(log_path, capsys):
    from etiquette_lab import is_observational

    create_log(log_path, experiment="wording", variants=["a", "b"])
    code = main(["declare", str(log_path), "--experiment", "history", "--variants",
                 "with note,without note", "--observational"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0 and "observational: not randomised" in out
    declared = open_log(log_path).events().iloc[-1]
    assert (declared["event"], declared["assignment"]) == ("declared", "observational")
    assert is_observational(log_path, "history") and not is_observational(log_path, "wording")
    log = open_log(log_path)
    log.send("Ada", "with note", experiment="history", assignment="observational",
             at="2026-01-05T10:00+01:00")  # fmt: skip
    log.send("Bo", "a", experiment="wording", at="2026-01-05T10:00+01:00")
    table = read_requests(log_path)
    assert is_observational(table, "history") and not is_observational(table, "wording")
