"""Reading LinkedIn's data export: every format variant, checked against independent readers."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
import zoneinfo

import pandas as pd
import pytest
import sync_fixtures as fx

from etiquette_lab import InvalidInputError, LogError
from etiquette_lab.sync import SyncInputError, read_linkedin_export

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
PEOPLE = [
    {"first": "Ada", "last": "Eksempel", "slug": "ada-eksempel", "on": dt.date(2026, 1, 6)},
    {
        "first": "Bjørn",
        "last": "Fiktiv",
        "slug": "bjorn-fiktiv",
        "on": dt.date(2019, 3, 12),
        "email": "bjorn@example.org",
    },
    {"first": "Åse", "last": "Prøve, jr.", "slug": "ase-prove", "on": dt.date(2025, 7, 1)},
]
KIM = ("Kim Avsender", "kim-avsender")
MESSAGES = [
    {
        "conversation": "2-a",
        "from": KIM[0],
        "from_slug": KIM[1],
        "to": ["Ada Eksempel"],
        "to_slugs": ["ada-eksempel"],
        "at": dt.datetime(2026, 1, 7, 9, 0, 1),
        "folder": "SENT",
    },
    {
        "conversation": "2-a",
        "from": "Ada Eksempel",
        "from_slug": "ada-eksempel",
        "to": [KIM[0]],
        "to_slugs": [KIM[1]],
        "at": dt.datetime(2026, 1, 7, 15, 33, 58),
        "content": 'Sure,\n"quoted" and, commas',
    },
    {
        "conversation": "2-g",
        "from": KIM[0],
        "from_slug": KIM[1],
        "to": ["Ada Eksempel", "Bjørn Fiktiv"],
        "to_slugs": ["ada-eksempel", "bjorn-fiktiv"],
        "at": dt.datetime(2026, 1, 8, 8, 0, 0),
        "draft": True,
    },
]
RECEIVED = [
    {"first": "Ada", "last": "Eksempel", "at": dt.datetime(2022, 8, 30, 17, 51)},
    {"first": "Bjørn", "last": "Fiktiv", "at": dt.datetime(2026, 1, 2, 0, 5), "status": "HIDDEN"},
]
INVITES = [
    {
        "from": KIM[0],
        "to": "Ole Påfunnet",
        "at": dt.datetime(2021, 5, 12, 15, 14),
        "message": "",
        "inviter": fx.url(KIM[1]),
        "invitee": fx.url("ole"),
    },
    {
        "from": "Una Oppdiktet",
        "to": KIM[0],
        "at": dt.datetime(2021, 5, 13, 9, 1),
        "direction": "INCOMING",
        "message": "Hi!",
    },
]


def current_export() -> dict[str, bytes]:
    return {
        "Connections.csv": fx.connections(PEOPLE, comma_rows=(1,)),
        "Invitations.csv": fx.invitations(INVITES),
        "messages.csv": fx.messages(MESSAGES),
        "Recommendations_Received.csv": fx.recommendations(RECEIVED),
        "Recommendations_Given.csv": fx.recommendations(RECEIVED[:1]),
        "Profile.csv": fx.table(["First Name", "Last Name", "Headline"], [["Kim", "A", "x"]]),
        "Articles/Articles/note.html": b"<html></html>",
    }


def read(path, **options):
    return read_linkedin_export(path, timezone="Europe/Oslo", **options)


def end_of_day_utc(day: dt.date) -> pd.Timestamp:
    """The last second of *day* in Oslo, computed with zoneinfo (independently of the kit)."""
    local = dt.datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=OSLO)
    return pd.Timestamp(local).tz_convert("UTC")


def test_a_current_zip_gives_typed_tables_with_file_and_line(tmp_path):
    archive = fx.write_zip(tmp_path / "Basic_LinkedInDataExport_02-10-2026.zip", current_export())
    export = read(archive)
    assert export.export_date == dt.date(2026, 2, 10)
    people = export.connections
    assert people["name"].tolist() == ["Ada Eksempel", "Bjørn Fiktiv", "Åse Prøve, jr."]
    # Notes:, the quoted sentence, the blank line, the header (line 4), a row of commas.
    assert people["line"].tolist() == [5, 7, 8]
    assert people["file"].iloc[0] == f"{archive}/Connections.csv"
    assert people["connected_on"].tolist() == [p["on"] for p in PEOPLE]
    assert people["connected_at"].tolist() == [end_of_day_utc(p["on"]) for p in PEOPLE]
    assert people["email"].tolist() == ["", "bjorn@example.org", ""]
    assert people["profile_url"].iloc[0] == "https://www.linkedin.com/in/ada-eksempel"
    messages = export.messages
    assert messages["at"].iloc[1] == pd.Timestamp("2026-01-07T15:33:58Z")
    assert messages["content"].iloc[1] == 'Sure,\n"quoted" and, commas'
    assert messages["line"].tolist() == [2, 3, 5]  # the second message spans two lines
    assert messages["to_names"].iloc[2] == ("Ada Eksempel", "Bjørn Fiktiv")
    assert messages["is_draft"].tolist() == [False, False, True]
    received = export.recommendations_received
    # 08/30/22, 05:51 PM in Oslo (summer time, UTC+2), counted at the end of the minute.
    assert received["created_at"].iloc[0] == pd.Timestamp("2022-08-30T15:51:59Z")
    assert received["status"].tolist() == ["VISIBLE", "HIDDEN"]
    invitations = export.invitations
    assert invitations["direction"].tolist() == ["OUTGOING", "INCOMING"]
    assert invitations["sent_at"].iloc[0] == pd.Timestamp("2021-05-12T13:14:59Z")
    assert invitations["message"].iloc[0] == ""
    assert {p.rsplit("/", 1)[-1] for p in export.not_used} == {
        "Recommendations_Given.csv",
        "Profile.csv",
    }


def test_the_tables_agree_with_pandas_and_strptime(tmp_path):
    # An independent reading: pandas with the preamble skipped by hand, strptime for the dates.
    data = fx.connections(PEOPLE)
    expected = pd.read_csv(
        io.BytesIO(data), skiprows=3, encoding="utf-8-sig", dtype=str, keep_default_na=False
    )
    days = [dt.datetime.strptime(d, "%d %b %Y").date() for d in expected["Connected On"]]
    export = read(fx.write_folder(tmp_path / "x", {"Connections.csv": data}))
    assert export.connections["first_name"].tolist() == expected["First Name"].tolist()
    assert export.connections["last_name"].tolist() == expected["Last Name"].tolist()
    assert export.connections["connected_on"].tolist() == days
    raw = pd.read_csv(io.BytesIO(fx.messages(MESSAGES)), dtype=str, keep_default_na=False)
    export = read(fx.write_folder(tmp_path / "y", {"messages.csv": fx.messages(MESSAGES)}))
    stamps = pd.to_datetime(raw["DATE"], format="%Y-%m-%d %H:%M:%S UTC", utc=True)
    assert export.messages["at"].tolist() == stamps.tolist()
    assert export.messages["content"].tolist() == raw["CONTENT"].tolist()


@pytest.mark.parametrize(
    "files",
    [
        current_export(),
        {"Connections.csv": fx.connections(PEOPLE, comma_rows=(0, 2, 3), line_end="\r\n")},
        {"Connections.csv": fx.connections(PEOPLE, with_url=False, preamble="")},
        {"messages.csv": fx.messages(MESSAGES, with_draft=False, utc_suffix=False, bom=True)},
        {"Connections.csv": fx.connections(PEOPLE) + b"  \n \n"},  # lines of spaces at the end
        {"Connections.csv": fx.connections([])},  # a header and no rows
    ],
)
def test_the_fast_reader_and_the_exact_reader_agree(tmp_path, monkeypatch, files):
    # pandas' C parser reads the rows unless anything is unusual; the csv module is the
    # independent, exact reading it must agree with.
    from etiquette_lab.sync import linkedin_tables

    folder = fx.write_folder(tmp_path / "e", files)
    fast = read(folder)
    monkeypatch.setattr(linkedin_tables, "_fast_rows", lambda *args: None)
    exact = read(folder)
    for name in ("connections", "invitations", "messages", "recommendations_received"):
        if fast.table(name) is None:
            assert exact.table(name) is None
            continue
        pd.testing.assert_frame_equal(fast.table(name), exact.table(name))


def test_the_unpacked_folder_reads_as_the_zip(tmp_path):
    files = current_export()
    from_zip = read(fx.write_zip(tmp_path / "export.zip", files))
    from_folder = read(fx.write_folder(tmp_path / "export", files))
    for name in ("connections", "invitations", "messages", "recommendations_received"):
        left = from_zip.table(name).drop(columns="file")
        right = from_folder.table(name).drop(columns="file")
        pd.testing.assert_frame_equal(left, right)


def test_tables_are_recognised_by_header_whatever_their_names(tmp_path):
    files = {
        "Basic/my connections (copy).csv": fx.connections(PEOPLE),
        "Messages.csv": fx.messages(MESSAGES),
        "Recommendations Received.csv": fx.recommendations(RECEIVED),
    }
    export = read(fx.write_zip(tmp_path / "Complete_LinkedInDataExport_01-31-2026.zip", files))
    assert len(export.connections) == 3 and len(export.messages) == 3
    assert len(export.recommendations_received) == 2
    assert export.invitations is None
    assert export.export_date == dt.date(2026, 1, 31)
    assert "not in the export: Invitations.csv" in str(export)


def test_old_exports(tmp_path):
    files = {
        "Connections.csv": fx.connections(PEOPLE, with_url=False, two_digit_years=True),
        "Invitations.csv": fx.invitations(INVITES, with_urls=False),
        "messages.csv": fx.messages(
            MESSAGES, with_draft=False, with_recipient_urls=False, utc_suffix=False, separator="; "
        ),
    }
    export = read(fx.write_folder(tmp_path / "old", files))
    assert export.connections["profile_url"].tolist() == ["", "", ""]
    assert export.connections["connected_on"].tolist() == [p["on"] for p in PEOPLE]  # 19 -> 2019
    assert export.invitations["invitee_profile_url"].tolist() == ["", ""]
    messages = export.messages
    assert messages["is_draft"].tolist() == [False, False, False]  # no column: none is a draft
    assert messages["at"].iloc[1] == pd.Timestamp("2026-01-07T15:33:58Z")  # UTC without " UTC"
    assert messages["to_names"].iloc[2] == ("Ada Eksempel", "Bjørn Fiktiv")
    assert messages["recipient_profile_urls"].iloc[2] == ()


def test_message_times_in_every_accepted_form(tmp_path):
    data = fx.messages(MESSAGES).replace(b"2026-01-07 15:33:58 UTC", b"2026-01-07T15:33:58UTC")
    data = data.replace(b"2026-01-08 08:00:00 UTC", b" 2026-01-08 08:00:00 ")
    export = read(fx.write_folder(tmp_path / "m", {"messages.csv": data}))
    assert export.messages["at"].tolist() == [
        pd.Timestamp("2026-01-07T09:00:01Z"),
        pd.Timestamp("2026-01-07T15:33:58Z"),
        pd.Timestamp("2026-01-08T08:00:00Z"),
    ]


@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
def test_byte_order_marks_comma_rows_and_line_ends(tmp_path, line_end):
    data = fx.connections(PEOPLE, bom=True, comma_rows=(0, 2, 3), line_end=line_end)
    export = read(fx.write_folder(tmp_path / "e", {"Connections.csv": data}))
    assert export.connections["name"].tolist() == [
        "Ada Eksempel",
        "Bjørn Fiktiv",
        "Åse Prøve, jr.",
    ]
    assert export.connections["line"].tolist() == [6, 7, 9]  # commas on lines 5, 8 and 10
    with_bom = fx.messages(MESSAGES, bom=True)
    assert len(read(fx.write_folder(tmp_path / "m", {"messages.csv": with_bom})).messages) == 3


@pytest.mark.parametrize(
    "preamble",
    [
        "",
        'Notes:\n"Some email addresses may be missing."\n\n',
        "Notes:\nWhen exporting, some fields are blank (a sentence without quotes)\n\n\n",
    ],
)
def test_connections_preambles_of_any_wording(tmp_path, preamble):
    data = fx.connections(PEOPLE, preamble=preamble)
    export = read(fx.write_folder(tmp_path / "e", {"Connections.csv": data}))
    assert export.connections["name"].tolist()[0] == "Ada Eksempel"
    assert export.connections["line"].iloc[0] == preamble.count("\n") + 2


def test_times_follow_the_zone_given_and_the_machine_zone_by_default(tmp_path):
    folder = fx.write_folder(
        tmp_path / "e", {"Recommendations_Received.csv": fx.recommendations(RECEIVED)}
    )
    in_new_york = read_linkedin_export(folder, timezone="America/New_York")
    # 08/30/22 05:51 PM in New York (UTC-4): 21:51:59 UTC.
    assert in_new_york.recommendations_received["created_at"].iloc[0] == pd.Timestamp(
        "2022-08-30T21:51:59Z"
    )
    machine = read_linkedin_export(folder)  # the tests run in Europe/Oslo
    assert machine.recommendations_received["created_at"].iloc[0] == pd.Timestamp(
        "2022-08-30T15:51:59Z"
    )
    with pytest.raises(InvalidInputError, match="unknown time zone"):
        read_linkedin_export(folder, timezone="Europe/Olso")


def _error(path) -> SyncInputError:
    with pytest.raises(SyncInputError) as caught:
        read(path)
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    assert isinstance(caught.value, LogError) and isinstance(caught.value, InvalidInputError)
    return caught.value


def test_not_a_zip_and_a_truncated_zip(tmp_path):
    fake = tmp_path / "Basic_LinkedInDataExport_01-01-2026.zip"
    fake.write_bytes(b"PK\x03\x04 not really a zip")
    assert "is not a ZIP file, or it was cut off" in str(_error(fake))
    whole = fx.write_zip(tmp_path / "whole.zip", current_export()).read_bytes()
    cut = tmp_path / "cut.zip"
    cut.write_bytes(whole[: len(whole) // 2])
    error = _error(cut)
    assert str(cut) in str(error) and "cut off" in str(error)


def test_a_damaged_member_is_named(tmp_path):
    path = tmp_path / "damaged.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("Connections.csv", fx.connections(PEOPLE))
    data = bytearray(path.read_bytes())
    spot = data.index(b"Ada")
    data[spot : spot + 3] = b"Eva"  # the stored CRC no longer matches
    path.write_bytes(bytes(data))
    error = _error(path)
    assert error.path == f"{path}/Connections.csv" and "damaged or cut off" in str(error)


def test_an_encrypted_member_is_named(tmp_path):
    path = fx.write_zip(tmp_path / "locked.zip", {"Connections.csv": fx.connections(PEOPLE)})
    data = bytearray(path.read_bytes())
    data[6] |= 1  # the "encrypted" flag, in the local header and in the central directory
    data[data.index(b"PK\x01\x02") + 8] |= 1
    path.write_bytes(bytes(data))
    error = _error(path)
    assert error.path == f"{path}/Connections.csv" and "is encrypted" in str(error)


def test_a_zip_that_is_not_a_linkedin_export(tmp_path):
    path = fx.write_zip(
        tmp_path / "holiday.zip",
        {"photos.csv": b"file,taken\na.jpg,2025-07-01\n", "readme.txt": b"hello"},
    )
    assert "is not a LinkedIn data export: none of its 1 CSV files" in str(_error(path))
    empty = fx.write_zip(tmp_path / "empty.zip", {"readme.txt": b"hello"})
    assert "holds no CSV file" in str(_error(empty))


def test_a_known_file_with_an_unknown_header(tmp_path):
    data = b"Given Name,Family Name,Since\nAda,Eksempel,2026-01-06\n"
    error = _error(fx.write_folder(tmp_path / "e", {"Connections.csv": data}))
    assert str(error).endswith(
        "Connections.csv: has no header of LinkedIn's Connections.csv table (expected the "
        "columns first name, last name, connected on): an unknown format"
    )


@pytest.mark.parametrize(
    ("files", "line", "field", "words"),
    [
        (
            {"Connections.csv": fx.connections([{**PEOPLE[0], "on": "2026-01-06"}])},
            5,
            "Connected On",
            "'2026-01-06' is not a date such as 12 Mar 2019",
        ),
        (
            {"Connections.csv": fx.connections([{**PEOPLE[0], "on": "31 Feb 2026"}])},
            5,
            "Connected On",
            "day is out of range for month",
        ),
        (
            {"Connections.csv": fx.connections([{**PEOPLE[0], "on": "０６ Jan 2026"}])},
            5,
            "Connected On",
            "'０６ Jan 2026' is not a date such as 12 Mar 2019",
        ),
        (
            {"Connections.csv": fx.connections([{**PEOPLE[0], "on": ""}])},
            5,
            "Connected On",
            "an empty cell is not a date",
        ),
        (
            {
                "Recommendations_Received.csv": fx.recommendations(RECEIVED).replace(
                    b"08/30/22, 05:51 PM", b"30/08/22, 17:51"
                )
            },
            2,
            "Creation Date",
            "is not a US date and time such as 5/12/21, 3:14 PM",
        ),
        (
            {
                "messages.csv": fx.messages(MESSAGES).replace(
                    b"2026-01-07 15:33:58 UTC", b"07.01.2026 15:33"
                )
            },
            3,
            "DATE",
            "is not a UTC time such as 2023-06-11 15:33:58 UTC",
        ),
    ],
)
def test_dates_in_another_format_are_named_by_file_line_and_column(
    tmp_path, files, line, field, words
):
    error = _error(fx.write_folder(tmp_path / "e", files))
    assert (error.line, error.field) == (line, field)
    assert words in str(error)


def test_rows_of_the_wrong_width_and_text_that_is_not_utf8(tmp_path):
    extra = fx.connections(PEOPLE).replace(b"Engineer,06 Jan 2026", b"Engineer,06 Jan 2026,x")
    error = _error(fx.write_folder(tmp_path / "a", {"Connections.csv": extra}))
    assert error.line == 5 and "has 8 fields where the header has 7" in str(error)
    # A longer and a shorter row: their fields add up to the right total, still refused.
    both = extra.replace(b"Engineer,12 Mar 2019", b"12 Mar 2019")
    error = _error(fx.write_folder(tmp_path / "c", {"Connections.csv": both}))
    assert error.line == 5 and "has 8 fields where the header has 7" in str(error)
    short = fx.connections(PEOPLE).replace(b"Engineer,01 Jul 2025", b"01 Jul 2025")
    error = _error(fx.write_folder(tmp_path / "d", {"Connections.csv": short}))
    assert error.line == 7 and "has 6 fields where the header has 7" in str(error)
    latin1 = fx.connections(PEOPLE, bom=False).replace("Åse".encode(), "Åse".encode("latin-1"))
    error = _error(fx.write_folder(tmp_path / "b", {"Connections.csv": latin1}))
    assert error.line == 7 and "is not UTF-8 text" in str(error)


def test_recommendation_files_are_told_apart_by_name_only_when_the_header_cannot(tmp_path):
    files = {"Recommendations.csv": fx.recommendations(RECEIVED)}
    error = _error(fx.write_folder(tmp_path / "e", files))
    assert "says neither 'Received' nor 'Given'" in str(error)


def test_one_table_twice_is_refused(tmp_path):
    files = {
        "Connections.csv": fx.connections(PEOPLE),
        "old/Connections.csv": fx.connections(PEOPLE),
    }
    assert "and so does" in str(_error(fx.write_folder(tmp_path / "e", files)))


def test_a_path_that_does_not_exist_and_a_single_csv(tmp_path):
    assert "does not exist" in str(_error(tmp_path / "nothing.zip"))
    single = tmp_path / "Connections.csv"
    single.write_bytes(fx.connections(PEOPLE))
    assert len(read(single).connections) == 3


def test_the_export_prints_and_serialises(tmp_path):
    export = read(
        fx.write_zip(tmp_path / "Basic_LinkedInDataExport_02-10-2026.zip", current_export())
    )
    text = str(export)
    assert "connections" in text and "made 2026-02-10" in text and "2 other CSV files" in text
    assert "<table" in export._repr_html_()
    data = json.loads(json.dumps(export.to_dict(), allow_nan=False))
    assert data["rows"] == {
        "connections": 3,
        "invitations": 2,
        "messages": 3,
        "recommendations_received": 2,
    }
    assert data["export_date"] == "2026-02-10"
