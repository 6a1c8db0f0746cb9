"""The request log: recording, reading back, and every rejected input named by file/line/field."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from etiquette_lab import LogError, create_log, open_log, read_events, read_requests
from etiquette_lab.log.format import HEADER_LINE


def test_round_trip_of_every_event_type(log_path):
    log = create_log(log_path, experiment="recs", variants=["default", "personalised"])
    first = log.send(
        "Ada Lovelace",
        "personalised",
        message="Hi Ada",
        at="2026-11-02T09:00+01:00",
        stratum="close colleague",
        score=0.8,
    )
    second = log.send("Zoë", "default", at="2026-11-02T09:05+01:00")
    log.remind(second, at="2026-11-16T09:00+01:00")
    log.resend(second, at="2026-11-17T09:00+01:00")
    log.respond(first, at="2026-11-03T10:00+01:00")
    log.thank(first, at="2026-11-03T12:00+01:00")
    log.respond(second, outcome="declined", at="2026-11-20T08:00+01:00")
    third = log.send("Bo", "default", kind="connection", at="2026-11-04T08:00+01:00")
    log.withdraw(third, at="2027-01-10T08:00+01:00")

    assert (first, second, third) == ("r0001", "r0002", "r0003")
    table = read_requests(log_path).set_index("request_id")
    assert table.loc["r0001", "outcome"] == "recommended"
    assert table.loc["r0001", "score"] == 0.8
    assert table.loc["r0001", "stratum"] == "close colleague"
    assert table.loc["r0001", "experiment"] == "recs"
    assert table.loc["r0001", "thanked_at"] == pd.Timestamp("2026-11-03T11:00Z")
    assert table.loc["r0002", ["sends", "reminders", "responses"]].tolist() == [2, 1, 1]
    assert table.loc["r0002", "outcome"] == "declined"
    assert table.loc["r0002", "last_sent_at"] == pd.Timestamp("2026-11-17T08:00Z")
    assert pd.isna(table.loc["r0003", "outcome"])
    assert table.loc["r0003", "withdrawn_at"] == pd.Timestamp("2027-01-10T07:00Z")
    assert table.loc["r0001", "first_sent_at"] == pd.Timestamp("2026-11-02T08:00Z")


def test_the_file_is_utf8_with_bom_and_keeps_offsets(log_path):
    log = create_log(log_path)
    log.send("Ørjan", "default", at="2026-07-01T09:00")  # summer: Oslo is +02:00
    log.send("Zoë", "default", at="2026-12-01T09:00")  # winter: +01:00
    raw = log_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf" + HEADER_LINE.encode())
    text = raw.decode("utf-8-sig")
    assert "2026-07-01T09:00:00+02:00" in text and "2026-12-01T09:00:00+01:00" in text
    assert "Ørjan" in text


def test_latest_response_wins_the_outcome_but_first_response_is_kept(log_path):
    log = create_log(log_path)
    rid = log.send("Ada", "default", at="2026-11-02T09:00+01:00")
    log.respond(rid, outcome="replied", at="2026-11-03T09:00+01:00")
    log.respond(rid, outcome="recommended", at="2026-11-09T09:00+01:00")
    row = log.requests().iloc[0]
    assert (row["first_outcome"], row["outcome"], row["responses"]) == ("replied", "recommended", 2)
    assert row["first_response_at"] == pd.Timestamp("2026-11-03T08:00Z")


def test_events_logged_after_the_fact_fold_in_time_order(log_path):
    log = create_log(log_path)
    rid = log.send("Ada", "default", at="2026-11-02T09:00+01:00")
    log.respond(rid, outcome="recommended", at="2026-11-09T09:00+01:00")
    log.respond(rid, outcome="replied", at="2026-11-03T09:00+01:00")  # logged later
    row = log.requests().iloc[0]
    assert (row["first_outcome"], row["outcome"]) == ("replied", "recommended")


def test_default_time_is_now_with_local_offset(log_path):
    log = create_log(log_path)
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    log.send("Ada", "default")
    sent = log.requests().loc[0, "first_sent_at"]
    assert before <= sent.to_pydatetime() <= dt.datetime.now(dt.UTC)


def test_default_outcome_follows_the_kind(log_path):
    log = create_log(log_path)
    kinds = ["recommendation", "connection", "informational interview", "endorsement"]
    ids = [
        log.send(f"P{i}", "default", kind=k, at="2026-11-02T09:00+01:00")
        for i, k in enumerate(kinds)
    ]
    for rid in ids:
        log.respond(rid, at="2026-11-03T09:00+01:00")
    assert log.requests()["outcome"].tolist() == ["recommended", "accepted", "replied", "endorsed"]


def test_an_empty_log_has_an_empty_requests_table_with_all_columns(log_path):
    log = create_log(log_path, variants=["a", "b"])
    table = log.requests()
    assert table.empty and "first_response_at" in table.columns
    assert open_log(log_path).variants == {"": ("a", "b")}


# -- rejected input: one line naming file, line and field; nothing written ------------------


def _reject(log_path, action, *, line, field, words):
    before = log_path.read_bytes()
    with pytest.raises(LogError) as caught:
        action()
    error = caught.value
    assert (error.line, error.field) == (line, field), str(error)
    assert str(log_path) in str(error) and words in str(error) and "\n" not in str(error)
    assert log_path.read_bytes() == before  # nothing written


@pytest.fixture
def small_log(log_path):
    log = create_log(log_path, variants=["default", "personalised"])
    log.send("Ada", "default", at="2026-11-02T09:00+01:00")
    return log  # lines: 1 header, 2 declared, 3 sent; the next event would be line 4


def test_rejects_unknown_request_id(small_log, log_path):
    _reject(
        log_path,
        lambda: small_log.respond("r0042"),
        line=4,
        field="request_id",
        words="no request 'r0042'",
    )
    for action in (small_log.remind, small_log.withdraw, small_log.thank, small_log.resend):
        _reject(log_path, lambda a=action: a("r0042"), line=4, field="request_id", words="r0042")


def test_rejects_response_dated_before_its_send(small_log, log_path):
    _reject(
        log_path,
        lambda: small_log.respond("r0001", at="2026-11-01T09:00+01:00"),
        line=4,
        field="at",
        words="before its request was sent",
    )


def test_rejects_undeclared_variant_spelling(small_log, log_path):
    _reject(
        log_path,
        lambda: small_log.send("Bo", "personalized"),
        line=4,
        field="variant",
        words="'personalized' is not declared",
    )


def test_rejects_duplicate_request_id(small_log, log_path):
    _reject(
        log_path,
        lambda: small_log.send("Bo", "default", request_id="r0001"),
        line=4,
        field="request_id",
        words="already used",
    )


@pytest.mark.parametrize("bad", ["2026-02-30T09:00", "yesterday", "2026-13-01", "9:00"])
def test_rejects_impossible_or_malformed_times_before_writing(small_log, log_path, bad):
    before = log_path.read_bytes()
    with pytest.raises(LogError, match=r"time|date"):
        small_log.send("Bo", "default", at=bad)
    assert log_path.read_bytes() == before


def test_rejects_empty_required_fields(small_log, log_path):
    _reject(
        log_path, lambda: small_log.send("", "default"), line=4, field="recipient", words="is empty"
    )
    _reject(log_path, lambda: small_log.send("Bo", ""), line=4, field="variant", words="is empty")


def test_create_never_overwrites(small_log, log_path):
    before = log_path.read_bytes()
    with pytest.raises(LogError, match="already exists"):
        create_log(log_path)
    assert log_path.read_bytes() == before


# -- rejected files ---------------------------------------------------------------------------


def _write(path, text, *, bom=True):
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


GOOD_SEND = "2026-11-02T09:00:00+01:00,sent,r0001,,Ada,default,recommendation,linkedin,,,,,,,1\n"


@pytest.mark.parametrize(
    ("body", "line", "field", "words"),
    [
        (
            "2026-11-02T09:00:00+01:00,posted,r0001,,Ada,default,recommendation,,,,,,,,1\n",
            2,
            "event",
            "unknown event 'posted'",
        ),
        (
            "2026-11-02T09:00:00,sent,r0001,,Ada,default,recommendation,,,,,,,,1\n",
            2,
            "at",
            "UTC offset",
        ),
        (
            "2026-02-30T09:00:00+01:00,sent,r0001,,Ada,default,recommendation,,,,,,,,1\n",
            2,
            "at",
            "not a possible date",
        ),
        (GOOD_SEND + GOOD_SEND, 3, "request_id", "already used"),
        (
            GOOD_SEND + "2026-11-03T09:00:00+01:00,responded,r0002,,,,,,,,,replied,,,1\n",
            3,
            "request_id",
            "no request 'r0002'",
        ),
        (
            GOOD_SEND + "2026-11-01T09:00:00+01:00,responded,r0001,,,,,,,,,replied,,,1\n",
            3,
            "at",
            "before its request was sent",
        ),
        (
            GOOD_SEND + "2026-11-03T09:00:00+01:00,responded,r0001,,,,,,,,,,,,1\n",
            3,
            "outcome",
            "is empty",
        ),
        (
            "2026-11-02T09:00:00+01:00,sent,r0001,,,default,recommendation,,,,,,,,1\n",
            2,
            "recipient",
            "is empty",
        ),
        (
            "2026-11-02T09:00:00+01:00,sent,r0001,,Ada,default,recommendation,,,,1.5,,,,1\n",
            2,
            "score",
            "0 to 1",
        ),
        (
            "2026-11-02T09:00:00+01:00,declared,,,,default|personalised,,,,,,,,,1\n"
            "2026-11-02T09:00:00+01:00,sent,r0001,,Ada,personalized,recommendation,,,,,,,,1\n",
            3,
            "variant",
            "not declared",
        ),
        (
            GOOD_SEND + "2026-11-03T09:00:00+01:00,reminded,r0001,,,,,,,,,,,\n",
            3,
            "log_format",
            "missing or extra fields",
        ),
    ],
)
def test_bad_rows_are_named_by_line_and_field(log_path, body, line, field, words):
    _write(log_path, HEADER_LINE + body)
    with pytest.raises(LogError) as caught:
        read_events(log_path)
    assert (caught.value.line, caught.value.field) == (line, field), str(caught.value)
    assert words in str(caught.value) and str(log_path) in str(caught.value)


def test_line_numbers_count_quoted_line_breaks(log_path):
    body = (
        '2026-11-02T09:00:00+01:00,sent,r0001,,Ada,default,recommendation,,,,,,"two\nlines",,1\n'
        "2026-11-02T09:00:00+01:00,sent,r0002,,Bo,default,recommendation,,,,,,,,1\n"
        "2026-11-02T09:00:00+01:00,semt,r0003,,Cy,default,recommendation,,,,,,,,1\n"
    )
    _write(log_path, HEADER_LINE + body)
    with pytest.raises(LogError) as caught:
        read_events(log_path)
    assert (caught.value.line, caught.value.field) == (5, "event")


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "not UTF-8"),
        (b'{"requests": [{"to": "Ada"}]}\n', "not an etiquette-lab log"),
        (b"name,email,company\nAda,ada@example.com,ACME\n", "not an etiquette-lab log"),
        (HEADER_LINE.replace("recipient,variant", "variant,recipient").encode(), "reordered"),
        (HEADER_LINE.replace(",channel", "").encode(), "missing column(s) channel"),
        (GOOD_SEND.encode(), "expected the header"),
    ],
)
def test_files_that_are_not_logs_are_rejected_at_line_1(log_path, content, words):
    log_path.write_bytes(content)
    with pytest.raises(LogError) as caught:
        read_events(log_path)
    assert caught.value.line == 1 and words in str(caught.value)


def test_missing_file_is_a_log_error(tmp_path):
    with pytest.raises(LogError, match="no such log file"):
        open_log(tmp_path / "nope.csv")


# -- spreadsheets -----------------------------------------------------------------------------


def _resaved(text: str, *, bom: bool, delimiter: str, newline: str) -> bytes:
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text, newline="")))
    out = io.StringIO()
    csv.writer(
        out, delimiter=delimiter, lineterminator=newline, quoting=csv.QUOTE_MINIMAL
    ).writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8")


@pytest.mark.parametrize("bom", [True, False])
@pytest.mark.parametrize("delimiter", [",", ";"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_files_resaved_by_spreadsheets_still_load_and_accept_appends(
    log_path, bom, delimiter, newline
):
    log = create_log(log_path, variants=["default", "personalised"])
    rid = log.send("Ørjan; Zoë", "default", message='He said "hi",\nthen left', at="2026-11-02")
    log.respond(rid, at="2026-11-05")
    expected = log.requests()
    text = log_path.read_bytes().decode("utf-8-sig")
    log_path.write_bytes(_resaved(text, bom=bom, delimiter=delimiter, newline=newline))

    reopened = open_log(log_path)
    pd.testing.assert_frame_equal(reopened.requests(), expected)
    reopened.send("Bo", "personalised", at="2026-11-06")
    assert read_requests(log_path)["recipient"].tolist() == ["Ørjan; Zoë", "Bo"]
    assert (delimiter + "Bo" + delimiter) in log_path.read_text(encoding="utf-8-sig")


def test_a_last_line_without_line_end_loads_and_appends_on_a_new_line(log_path):
    # Google Sheets writes no line end after the last row.
    log = create_log(log_path)
    log.send("Ada", "default", at="2026-11-02")
    log_path.write_bytes(log_path.read_bytes().rstrip(b"\n"))
    reopened = open_log(log_path)
    assert len(reopened.requests()) == 1
    reopened.send("Bo", "default", at="2026-11-03")
    assert read_requests(log_path)["recipient"].tolist() == ["Ada", "Bo"]


# -- incremental reading ----------------------------------------------------------------------


def test_an_open_log_sees_what_other_writers_appended(log_path):
    mine = create_log(log_path)
    theirs = open_log(log_path)
    rid = theirs.send("Ada", "default", at="2026-11-02")
    mine.respond(rid, at="2026-11-03")  # mine must know about r0001 without being reopened
    assert mine.send("Bo", "default", at="2026-11-02") == "r0002"
    assert theirs.requests()["request_id"].tolist() == ["r0001", "r0002"]


def test_a_log_rewritten_behind_an_open_handle_is_read_again(log_path):
    log = create_log(log_path)
    log.send("Ada", "default", at="2026-11-02")
    log.send("Bo", "default", at="2026-11-02")
    text = log_path.read_text(encoding="utf-8-sig").replace("Ada", "Ann")
    log_path.write_text(text, encoding="utf-8-sig")  # same size, edited in a spreadsheet
    assert log.requests()["recipient"].tolist() == ["Ann", "Bo"]
