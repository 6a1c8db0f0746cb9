"""Times and durations: one parser each for the whole kit (tests run in Europe/Oslo)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from etiquette_lab import InvalidInputError, parse_as_of, parse_time
from etiquette_lab.timestamps import format_time, parse_duration


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-03T09:30", "2026-11-03T09:30:00+01:00"),  # naive: local, winter offset
        ("2026-07-03T09:30", "2026-07-03T09:30:00+02:00"),  # summer offset of that date
        ("2026-11-03", "2026-11-03T00:00:00+01:00"),
        ("2026-11-03T09:30Z", "2026-11-03T09:30:00+00:00"),
        (dt.date(2026, 11, 3), "2026-11-03T00:00:00+01:00"),
        (dt.datetime(2026, 11, 3, 9, 30), "2026-11-03T09:30:00+01:00"),
        (pd.Timestamp("2026-11-03 09:30"), "2026-11-03T09:30:00+01:00"),
        (pd.Timestamp("2026-11-03 09:30", tz="UTC"), "2026-11-03T09:30:00+00:00"),
    ],
)
def test_parse_time_takes_every_form_and_treats_naive_as_local(value, expected):
    assert format_time(parse_time(value)) == expected


@pytest.mark.parametrize("bad", ["soon", "2026-02-30", "", None, pd.NaT, 42])
def test_parse_time_rejects(bad):
    with pytest.raises(InvalidInputError):
        parse_time(bad)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7d", dt.timedelta(days=7)),
        ("36h", dt.timedelta(hours=36)),
        ("2w", dt.timedelta(14)),
        (" 90 min", dt.timedelta(minutes=90)),
        ("7 days", dt.timedelta(7)),
        (1.5, dt.timedelta(1.5)),
        (np.float64(2), dt.timedelta(2)),
        (pd.Timedelta("3D"), dt.timedelta(3)),
        ("2.5", dt.timedelta(2.5)),
    ],
)
def test_parse_duration(value, expected):
    assert parse_duration(value) == expected


@pytest.mark.parametrize("bad", ["seven days", "7x", "-3d", -1, True, None, float("nan")])
def test_parse_duration_rejects(bad):
    with pytest.raises(InvalidInputError):
        parse_duration(bad)


def test_a_bare_as_of_date_means_the_end_of_that_local_day():
    assert parse_as_of("2026-03-05") == pd.Timestamp("2026-03-05T22:59:59.999999Z")
    assert parse_as_of("2026-03-05T10:00+01:00") == pd.Timestamp("2026-03-05T09:00Z")
    assert parse_as_of(None) <= pd.Timestamp.now(tz="UTC")


def test_a_local_time_that_never_happened_is_refused():
    # Europe/Oslo skipped 02:00-03:00 on 29 March 2026.
    with pytest.raises(InvalidInputError, match="does not exist"):
        parse_time("2026-03-29T02:30")


def test_a_local_time_that_happened_twice_is_refused_with_both_offsets():
    # Europe/Oslo lived 02:00-03:00 twice on 25 October 2026 (CEST, then CET): guessing the
    # first, as Python's fold=0 does, would misdate an event by an hour without a word.
    with pytest.raises(InvalidInputError, match="happened twice") as caught:
        parse_time("2026-10-25T02:30")
    assert "2026-10-25T02:30+02:00 (the first time)" in str(caught.value)
    assert "2026-10-25T02:30+01:00 (the second)" in str(caught.value)
    assert format_time(parse_time("2026-10-25T02:30+01:00")) == "2026-10-25T02:30:00+01:00"
    assert format_time(parse_time("2026-10-25T01:59")) == "2026-10-25T01:59:00+02:00"
    assert format_time(parse_time("2026-10-25T03:00")) == "2026-10-25T03:00:00+01:00"
