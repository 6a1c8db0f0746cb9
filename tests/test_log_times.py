"""Stored times computed from their digits (numpy) are the times pandas' strptime and Python's
datetime read (the oracles); every other cell is read as before."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from etiquette_lab.log.validation import _parse_other_times, _parse_times, _writer_form_times
from etiquette_lab.timestamps import YEARS


@st.composite
def stored_like(draw):
    """25 characters shaped like a stored time, each field at the edges of its range and past
    them (31 November, 29 February of 2100, hour 24, second 60, offset +01:75, year 1799 ...),
    sometimes with a wrong character."""

    def pick(*choices: str) -> str:
        return draw(st.sampled_from(choices))

    year = pick("2026", "2024", "2100", "2000", "1900", "1800", "1799", "2200", "2300", "2301",
                "0000")  # fmt: skip
    month = pick("01", "02", "04", "06", "09", "11", "12", "00", "13")
    day = pick("01", "28", "29", "30", "31", "00", "32", "15")
    hour, minute, second = (
        pick("00", "09", "23", "24"),
        pick("00", "59", "60"),
        pick("00", "59", "60", "61"),
    )
    offset = (
        pick("+", "-")
        + pick("00", "01", "14", "23", "24", "99")
        + ":"
        + pick("00", "30", "45", "59", "60", "75")
    )
    text = f"{year}-{month}-{day}T{hour}:{minute}:{second}{offset}"
    if draw(st.integers(0, 9)) == 0:  # a wrong character somewhere
        at = draw(st.integers(0, 24))
        text = text[:at] + draw(st.sampled_from("T :-+Z٣")) + text[at + 1 :]
    return text


OTHER = st.sampled_from(
    ["", "2026-11-03T09:30:00Z", "2026-11-03T09:30:00.5+01:00", "2026-11-03 09:30:00+01:00",
     "2026-11-03T09:30+01:00", "2026-11-03T09:30:00+0100", "2026-11-03T09:30:00+01:00 ",
     "nonsense", "2026-11-03T09:30:0٣+01:00"]
)  # fmt: skip


@settings(max_examples=200)
@given(st.lists(st.one_of(stored_like(), OTHER), min_size=1, max_size=40))
def test_times_read_from_their_digits_are_the_times_the_strict_path_reads(texts):
    at_text = pd.Series(texts, dtype=str)
    ours, well_formed = _parse_times(at_text)
    theirs, theirs_well_formed = _parse_other_times(at_text)  # the path every cell took before
    years = theirs.dt.year
    theirs = theirs.mask((years < YEARS[0]) | (years > YEARS[1]))
    assert ours.dtype == theirs.dtype == "datetime64[us, UTC]"
    assert ours.isna().tolist() == theirs.isna().tolist()
    assert (ours.dropna() == theirs.dropna()).all()
    assert well_formed.tolist() == theirs_well_formed.tolist()


@settings(max_examples=300)
@given(st.lists(stored_like(), min_size=1, max_size=40))
def test_a_time_taken_from_its_digits_is_the_instant_python_reads(texts):
    clean, micros = _writer_form_times(np.array(texts, dtype=object))
    for text, taken, value in zip(texts, clean, micros, strict=True):
        try:
            moment = dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z")
        except ValueError:
            assert not taken, text
            continue
        epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        if taken:
            assert value == (moment - epoch) // dt.timedelta(microseconds=1), text


def test_the_writers_own_times_are_all_taken_from_their_digits():
    # The fast path is the one a log's times take: every form the writer gives.
    texts = [
        "2026-11-03T09:30:00+01:00", "2026-03-29T03:00:00+02:00", "2024-02-29T23:59:59-12:00",
        "1900-01-01T00:00:00+00:00", "2200-12-31T23:59:59+14:00", "2026-10-25T02:30:00+05:45",
    ]  # fmt: skip
    clean, _ = _writer_form_times(np.array(texts, dtype=object))
    assert clean.all()


def test_the_calendar_is_the_gregorian_one():
    # Leap years every fourth year, but not 1900 or 2100; 2000 is one. Pandas' strptime and
    # Python's datetime agree; the digits path must too.
    texts = [f"{day}T09:00:00+01:00" for day in (
        "2000-02-29", "2024-02-29", "2100-02-29", "1900-02-29", "2026-02-29", "2026-04-31",
        "2026-12-31", "2026-11-30",
    )]  # fmt: skip
    clean, _ = _writer_form_times(np.array(texts, dtype=object))
    assert clean.tolist() == [True, True, False, False, False, False, True, True]
    expected = pd.to_datetime(pd.Series(texts), format="%Y-%m-%dT%H:%M:%S%z", utc=True,
                              errors="coerce").notna().tolist()  # fmt: skip
    assert clean.tolist() == expected
