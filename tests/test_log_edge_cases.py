"""Edge cases a code review found: each was a crash, a wrong row or a lost row before."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from etiquette_lab import (
    InvalidInputError,
    LogError,
    Origin,
    create_log,
    open_log,
    read_events,
    read_requests,
    repair_log,
)
from etiquette_lab.log.format import HEADER_LINE

ROW = "2026-11-02T09:00:00+01:00,sent,{rid},,{who},default,recommendation,,,,{score},,,,1\n"


def _log(path, text, *, bom=True):
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def test_a_header_without_line_end_gets_rows_on_their_own_line(log_path):
    _log(log_path, HEADER_LINE.rstrip("\n"))  # Google Sheets saves a header-only file so
    assert open_log(log_path).send("Ada", "default", at="2026-11-02") == "r0001"
    assert read_requests(log_path)["recipient"].tolist() == ["Ada"]


def test_a_first_row_with_an_extra_field_is_refused_like_any_other(log_path):
    _log(log_path, HEADER_LINE + ROW.format(rid="r1", who="Ada", score="").rstrip("\n") + ",x\n")
    with pytest.raises(LogError, match="16 fields") as caught:
        read_events(log_path)
    assert caught.value.line == 2


def test_a_cell_holding_only_the_escape_mark_is_empty(log_path):
    _log(log_path, HEADER_LINE + ROW.format(rid="r1", who="'", score=""))
    with pytest.raises(LogError) as caught:
        read_events(log_path)
    assert (caught.value.line, caught.value.field) == (2, "recipient")


def test_nul_bytes_in_a_log_are_named(log_path):
    _log(log_path, HEADER_LINE + ROW.format(rid="r1", who="A\x00da", score=""))
    with pytest.raises(LogError, match="NUL") as caught:
        read_events(log_path)
    assert caught.value.line == 2


def test_a_comma_decimal_score_in_a_semicolon_file_is_read(log_path):
    text = (HEADER_LINE + ROW.format(rid="r1", who="Ada", score='"0,5"')).replace(",", ";")
    _log(log_path, text.replace('"0;5"', "0,5"))
    assert read_requests(log_path).loc[0, "score"] == 0.5


def test_events_are_a_copy(log_path):
    log = create_log(log_path)
    log.send("Ada", "default", at="2026-11-02")
    events = log.events()
    events["recipient"] = "X"
    assert log.requests().loc[0, "recipient"] == "Ada"


@pytest.mark.parametrize(
    "at", [dt.datetime(2026, 11, 2, 9, 0, 0, 123456, tzinfo=dt.UTC), "2026-11-03T09:30:00.5+01:00"]
)
def test_fractions_of_seconds_are_kept(log_path, at):
    log = create_log(log_path)
    log.send("Ada", "default", at=at)
    assert read_requests(log_path).loc[0, "first_sent_at"] == pd.Timestamp(at).tz_convert("UTC")


@pytest.mark.parametrize("year", ["1600", "2300", "1026"])
def test_years_far_out_are_refused_on_write_and_read(log_path, year):
    log = create_log(log_path)
    with pytest.raises(LogError, match="outside the years"):
        log.send("Ada", "default", at=f"{year}-01-01T00:00+00:00")
    _log(log_path, HEADER_LINE + ROW.replace("2026", year).format(rid="r1", who="A", score=""))
    with pytest.raises(LogError) as caught:
        read_events(log_path)
    assert (caught.value.line, caught.value.field) == (2, "at")


def test_an_offset_with_seconds_is_stored_as_utc(log_path):
    # Local mean time offsets (Amsterdam 1900: +00:19:32) have no +HH:MM form.
    lmt = dt.timezone(dt.timedelta(minutes=19, seconds=32))
    log = create_log(log_path)
    log.send("Ada", "default", at=dt.datetime(1900, 1, 2, tzinfo=lmt))
    assert "1900-01-01T23:40:28+00:00" in log_path.read_text(encoding="utf-8-sig")


def test_messages_longer_than_the_csv_modules_default_limit(log_path):
    log = create_log(log_path)
    log.send("Ada", "default", message="line\n" + "x" * 200_000, at="2026-11-02")
    log.send("Bo", "default", message="two\nlines", at="2026-11-02")
    assert read_requests(log_path)["recipient"].tolist() == ["Ada", "Bo"]


def test_a_line_of_spaces_is_named_not_a_crash(log_path):
    _log(log_path, HEADER_LINE + ROW.format(rid="r1", who="Ada", score="") + "   \n")
    with pytest.raises(LogError, match="only spaces") as caught:
        read_events(log_path)
    assert caught.value.line == 3


def test_an_experiment_without_variants_is_refused_before_a_file_exists(log_path):
    with pytest.raises(InvalidInputError, match="needs its variants"):
        create_log(log_path, experiment="recs")
    assert not log_path.exists()


def test_repairing_twice_in_one_second_keeps_both_torn_tails(log_path):
    log = create_log(log_path)
    log.send("Ada", "default", at="2026-11-02")
    good = log_path.read_bytes()
    log_path.write_bytes(good + b"2026-11-02T10:00:00+01:00,sent,r0002,,B")
    first = repair_log(log_path)
    log_path.write_bytes(good + b"2026-11-02T10:00:00+01:00,sent,r0003,,C")
    second = repair_log(log_path)
    assert first.aside != second.aside and first.aside.exists() and second.aside.exists()


def test_known_kinds_are_stored_in_their_canonical_spelling(log_path):
    log = create_log(log_path)
    rid = log.send("Ada", "default", kind="Recommendation", at="2026-11-02")
    log.respond(rid, at="2026-11-03")
    row = log.requests().iloc[0]
    assert (row["kind"], row["outcome"]) == ("recommendation", "recommended")


def test_an_error_in_a_multi_line_row_is_traced_to_its_origin(log_path):
    log = create_log(log_path, variants=["default", "personalised"])
    origin = {"recipient": "Name", "variant": "Wording", "at": "Sent"}
    sends = [
        {
            "recipient": "Ada",
            "variant": "default",
            "message": "one\ntwo\nthree",
            "at": "2026-11-02",
        },
        {"recipient": "Bo", "variant": "personalized", "at": "2026-11-02"},
    ]
    origins = [Origin("sheet.csv", 2, origin), Origin("sheet.csv", 5, origin)]
    with pytest.raises(LogError) as caught:
        log.send_many(sends, origins=origins)
    assert (caught.value.path, caught.value.line, caught.value.field) == ("sheet.csv", 5, "Wording")


def test_a_declaration_applies_from_its_line_on_in_a_full_read_as_in_appends(log_path):
    # A hand-placed declaration below a send does not retroactively reject that send.
    declared = "2026-11-02T10:00:00+01:00,declared,,,,default|personalised,,,,,,,,,1\n"
    _log(
        log_path,
        HEADER_LINE
        + ROW.format(rid="r1", who="Ada", score="").replace(",default,", ",personalized,")
        + declared,
    )
    assert read_requests(log_path)["variant"].tolist() == ["personalized"]
    with pytest.raises(LogError, match="not declared"):
        open_log(log_path).send("Bo", "personalized", at="2026-11-03")
