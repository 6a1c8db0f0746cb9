"""Spreadsheet hygiene: formula injection neutralised on write, every text back exactly as typed."""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etiquette_lab import LogError, create_log, open_log
from etiquette_lab.csvsafe import FORMULA_TRIGGERS, neutralise, restore, sniff_delimiter

# Any Unicode text a person could type or paste: no surrogates (not encodable as UTF-8) and no
# NUL (rejected on purpose with a clear error, see test_nul_is_rejected).
TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=60
)
TRICKY = st.sampled_from(
    [
        "",
        "=1+1",
        "+47 123",
        "-",
        "@SUM(A1)",
        "\tx",
        "\rx",
        "'",
        "''=",
        '"',
        '""',
        ",",
        "\n",
        "\r\n",
        "Ørjan",
        "Zoë",
        "👩‍💻",
        "a;b",
        " lead",
    ]
)


@given(st.one_of(TEXT, TRICKY, st.lists(TRICKY).map("".join)))
def test_neutralise_then_restore_is_the_identity(text):
    stored = neutralise(text)
    assert restore(stored) == text
    assert not stored or stored[0] not in FORMULA_TRIGGERS


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    recipient=st.one_of(TEXT, TRICKY).filter(lambda s: s.strip() != ""),
    message=st.one_of(TEXT, TRICKY, st.lists(TRICKY).map("".join)),
    note=st.one_of(TEXT, TRICKY),
)
def test_any_text_round_trips_through_the_log_exactly(tmp_path_factory, recipient, message, note):
    path = tmp_path_factory.mktemp("rt") / "log.csv"
    log = create_log(path)
    log.send(recipient, "default", message=message, note=note, at="2026-11-02T09:00+01:00")
    row = open_log(path).events().iloc[-1]
    assert (row["recipient"], row["message"], row["note"]) == (recipient, message, note)


@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS)
def test_formula_cells_are_stored_inert(log_path, trigger):
    log = create_log(log_path)
    log.send(f"{trigger}cmd|' /C calc'!A0", "default", at="2026-11-02T09:00+01:00")
    text = log_path.read_text(encoding="utf-8-sig")
    data_cells = [cell.strip('"') for line in text.splitlines()[1:] for cell in line.split(",")]
    assert not any(cell.startswith(("=", "+", "@")) for cell in data_cells)
    assert open_log(log_path).requests().loc[0, "recipient"] == f"{trigger}cmd|' /C calc'!A0"


def test_nul_is_rejected(log_path):
    log = create_log(log_path)
    with pytest.raises(LogError, match="NUL") as caught:
        log.send("Ada\x00", "default")
    assert str(caught.value).startswith(f"{log_path}, new event (not written), field 'recipient'")


@pytest.mark.parametrize(
    ("header", "expected"), [("at,event,request_id", ","), ("at;event;request_id", ";")]
)
def test_delimiter_sniffing(header, expected):
    assert sniff_delimiter(header) == expected


def test_printable_ascii_cannot_start_a_formula_after_neutralising():
    for char in string.printable:
        assert neutralise(char + "x")[0] not in FORMULA_TRIGGERS


# -- exports: frame_to_csv writes what pandas' to_csv writes --------------------------------

CELLS = st.one_of(TEXT, TRICKY, st.just(float("nan")), st.none())
NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(0, 1),
    st.sampled_from([0.1, 1e-05, 1e16, 123456789.123, -0.0, 5e-324]),
)


@st.composite
def export_frames(draw):
    import numpy as np
    import pandas as pd

    rows = draw(st.integers(0, 8))
    data = {}
    for name in draw(st.lists(st.one_of(TRICKY, TEXT), min_size=2, max_size=5, unique=True)):
        kind = draw(st.sampled_from(["text", "str", "int", "float"]))
        if kind in ("text", "str"):
            cells = draw(st.lists(CELLS, min_size=rows, max_size=rows))
            data[name] = pd.Series(cells, dtype=object if kind == "text" else "str")
        elif kind == "int":
            ints = draw(st.lists(st.integers(-(2**63), 2**63 - 1), min_size=rows, max_size=rows))
            data[name] = pd.Series(ints, dtype=np.int64)
        else:
            data[name] = pd.Series(draw(st.lists(NUMBERS, min_size=rows, max_size=rows)))
    return pd.DataFrame(data)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(export_frames(), st.sampled_from(["\n", "\r\n"]), st.integers(1, 3))
def test_exports_are_the_text_pandas_writes(frame, lineterminator, rows):
    from etiquette_lab.csvsafe import frame_to_csv, neutralise_frame

    ours = "".join(frame_to_csv(frame, lineterminator=lineterminator, rows=rows))
    assert ours == frame.to_csv(index=False, lineterminator=lineterminator)
    neutralised = "".join(frame_to_csv(frame, lineterminator=lineterminator, neutralise=True))
    assert neutralised == neutralise_frame(frame).to_csv(index=False, lineterminator=lineterminator)


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(export_frames(), st.lists(st.one_of(st.none(), st.integers(0, 10**15)), min_size=8))
def test_columns_given_as_text_are_written_as_pandas_writes_the_text(frame, instants):
    import pandas as pd

    from etiquette_lab.csvsafe import frame_to_csv, neutralise_frame
    from etiquette_lab.text_table import utc_iso_cells

    times = [None if us is None else pd.Timestamp(us, unit="us", tz="UTC") for us in instants]
    frame = frame.assign(at=pd.Series(times[: len(frame)], dtype="datetime64[us, UTC]"))
    expected = neutralise_frame(frame).assign(at=utc_iso_cells(frame["at"]))
    ours = "".join(frame_to_csv(frame, rows=3, neutralise=True, as_text={"at": utc_iso_cells}))
    assert ours == expected.to_csv(index=False, lineterminator="\n")


def test_neutralising_a_frame_changes_exactly_the_cells_neutralise_changes():
    import pandas as pd

    from etiquette_lab.csvsafe import neutralise_frame

    cells = ["=1+1", "Zoë", "'", "", "-", "@x", "\tx", "+47", "ok", "''"]
    frame = pd.DataFrame(
        {
            "text": pd.Series(cells, dtype="str"),
            "mixed": pd.Series([*cells[:-1], float("nan")], dtype=object),
            "count": range(len(cells)),
        }
    )
    out = neutralise_frame(frame)
    assert out["text"].tolist() == [neutralise(c) for c in cells]
    assert out["mixed"].tolist()[:-1] == [neutralise(c) for c in cells[:-1]]
    assert pd.isna(out["mixed"].iloc[-1]) and out["count"].tolist() == list(range(len(cells)))
    assert frame["text"].tolist() == cells  # the frame given is left as it was


@given(
    st.lists(st.sampled_from(["'", ",", ";", '"', "\n", "a", "I'm", ",'=", ";\"'x"]), max_size=40)
)
def test_escaped_lines_are_the_lines_a_brute_force_scan_finds(pieces):
    from etiquette_lab.csvsafe import escaped_lines

    data = "".join(pieces).encode()
    for delimiter in ",;":
        mark = ord(delimiter)
        expected = sorted(
            {
                data[:q].count(b"\n")
                for q in range(len(data))
                if data[q] == ord("'")
                and (
                    (q >= 1 and data[q - 1] == mark)
                    or (q >= 2 and data[q - 1] == ord('"') and data[q - 2] == mark)
                )
            }
        )
        assert escaped_lines(data, delimiter).tolist() == expected
