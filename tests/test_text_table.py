"""The fast text tables print exactly what pandas' ``to_string`` prints (pandas is the oracle)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etiquette_lab.text_table import frame_to_text

# Text as it reaches a printed table: names with accents, line breaks and tabs (pandas
# escapes them), long cells (never cut by to_string), empty cells, missing ones.
TEXT = st.one_of(
    st.text(alphabet=st.sampled_from("aZø ë-'\t\n\r.,0"), max_size=8),
    st.text(max_size=70),
    st.just(""),
    st.just(float("nan")),
)
NAMES = st.one_of(
    st.text(alphabet=st.sampled_from("abcø_"), min_size=1, max_size=12),
    st.text(alphabet=st.sampled_from("abcø _\t"), max_size=12),  # pandas prints these itself
)


@st.composite
def frames(draw):
    rows = draw(st.integers(1, 12))
    names = draw(st.lists(NAMES, min_size=1, max_size=5, unique=True))
    data = {}
    for name in names:
        if draw(st.booleans()):
            data[name] = pd.Series(
                draw(st.lists(st.integers(-(10**12), 10**12), min_size=rows, max_size=rows)),
                dtype=np.int64,
            )
        else:
            cells = draw(st.lists(TEXT, min_size=rows, max_size=rows))
            data[name] = pd.Series(cells, dtype=draw(st.sampled_from(["str", object])))
    return pd.DataFrame(data)


@settings(max_examples=400)
@given(frames(), st.booleans(), st.sampled_from(["NaN", "-"]))
def test_the_text_is_pandas_text(frame, index, na_rep):
    assert frame_to_text(frame, index=index, na_rep=na_rep) == frame.to_string(
        index=index, na_rep=na_rep
    )


def test_wide_tables_with_many_rows_are_pandas_text():
    # Index labels of several widths (0 ... 1,099), a column wider than display.max_colwidth.
    frame = pd.DataFrame(
        {
            "id": [f"r{i:04d}" for i in range(1_100)],
            "recipient": ["Zoë Lind " * (i % 9) for i in range(1_100)],
            "sends": np.arange(1_100) % 4,
        }
    )
    for index in (True, False):
        assert frame_to_text(frame, index=index) == frame.to_string(index=index)


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame({"score": [0.5, 1.0]}),  # floats: pandas' own number formatting
        pd.DataFrame({"at": pd.to_datetime(["2026-11-02"], utc=True)}),
        pd.DataFrame({"x": ["a", None]}),  # None prints as None, not as the missing mark
        pd.DataFrame({"x": ["a", "b"]}, index=[3, 7]),
        pd.DataFrame({"x": ["a"]}).rename_axis("name"),
        pd.DataFrame({"x": []}),
    ],
)
def test_other_tables_are_printed_by_pandas(frame):
    assert frame_to_text(frame, na_rep="-") == frame.to_string(na_rep="-")


def test_display_options_are_followed():
    frame = pd.DataFrame({"recipient": ["Zoë " * 20, "Ada"]})
    with pd.option_context("display.max_colwidth", 12):
        assert frame_to_text(frame) == frame.to_string()
    with pd.option_context("display.max_colwidth", None):
        assert frame_to_text(frame) == frame.to_string()
    with pd.option_context("display.unicode.east_asian_width", True):
        assert frame_to_text(frame) == frame.to_string()


# -- times as text: the same as converting each time through pandas ---------------------------

INSTANTS = st.one_of(
    # Around the clock changes of 2026 in Oslo, Santiago, Lord Howe (half-hour DST) and Kolkata.
    st.integers(1774_746_000 - 7_200, 1774_746_000 + 7_200),
    st.integers(1792_890_000 - 7_200, 1792_890_000 + 7_200),
    st.integers(-2_208_988_800, 7_258_118_400),  # 1900 to 2200, before and after 1970
).map(lambda s: s * 10**6)


@settings(max_examples=200)
@given(
    st.lists(st.one_of(INSTANTS, st.none()), min_size=1, max_size=30),
    st.sampled_from(
        ["local", "Europe/Oslo", "America/Santiago", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]
    ),
    st.sampled_from(["us", "ns"]),
)
def test_local_minutes_are_what_pandas_prints(instants, zone, unit):
    from dateutil.tz import tzlocal

    from etiquette_lab.text_table import local_minutes_text

    zone = tzlocal() if zone == "local" else zone  # conftest: the machine is in Oslo
    values = [pd.NaT if us is None else pd.Timestamp(us, unit="us", tz="UTC") for us in instants]
    times = pd.Series(values, dtype=f"datetime64[{unit}, UTC]")
    expected = times.dt.tz_convert(zone).dt.strftime("%Y-%m-%d %H:%M").fillna("-")
    assert local_minutes_text(times, zone).tolist() == expected.tolist()


@settings(max_examples=200)
@given(
    st.lists(
        st.one_of(INSTANTS, INSTANTS.map(lambda us: us + 123_456), st.none()),
        min_size=1,
        max_size=30,
    )
)
def test_utc_times_are_written_as_isoformat_writes_them(instants):
    from etiquette_lab.text_table import utc_iso_text

    values = [pd.NaT if us is None else pd.Timestamp(us, unit="us", tz="UTC") for us in instants]
    times = pd.Series(values, dtype="datetime64[us, UTC]")
    expected = times.map(lambda t: "" if pd.isna(t) else t.isoformat())
    assert utc_iso_text(times).tolist() == expected.tolist()


@settings(max_examples=100)
@given(
    st.lists(st.one_of(INSTANTS, INSTANTS.map(lambda us: us + 500_000), st.none()), min_size=1,
             max_size=12),
    st.lists(st.integers(0, 2), min_size=1, max_size=12),
)  # fmt: skip
def test_time_columns_in_turn_are_written_as_isoformat_writes_them(instants, changes):
    # The second column repeats the first where change is 0 (a first and a last send).
    from etiquette_lab.text_table import UtcIsoColumns

    def column(values):
        stamps = [pd.NaT if us is None else pd.Timestamp(us, unit="us", tz="UTC") for us in values]
        return pd.Series(stamps, dtype="datetime64[us, UTC]")

    later = [
        us if change == 0 or us is None else us + change * 86_400_000_000
        for us, change in zip(instants, changes * len(instants), strict=False)
    ]
    cells = UtcIsoColumns()
    for values in (instants, later, later[:-1] or later, instants):
        times = column(values)
        assert cells(times) == times.map(lambda t: "" if pd.isna(t) else t.isoformat()).tolist()
