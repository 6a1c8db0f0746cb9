"""Import of one-row-per-request spreadsheets: all rows or none."""

from __future__ import annotations

import pandas as pd
import pytest

from etiquette_lab import LogError, create_log, import_requests, pseudonymise


def test_columns_are_found_by_common_names_and_follow_ups_recorded(log_path):
    log = create_log(log_path)
    sheet = pd.DataFrame(
        {
            "Full name": ["Ada", "Bo", "Cy"],
            "Variant": ["default", "personalised", "default"],
            "Sent": ["2026-11-02", "2026-11-02 10:30", "2026-11-03"],
            "Replied at": ["2026-11-04", "", ""],
            "Result": ["declined", "", ""],
            "Withdrawn": ["", "", "2027-01-03"],
            "Closeness": ["close", "senior", "acquaintance"],
        }
    )
    assert import_requests(sheet, log) == ["r0001", "r0002", "r0003"]
    table = log.requests()
    assert table["outcome"].tolist()[0] == "declined"
    assert table["stratum"].tolist() == ["close", "senior", "acquaintance"]
    assert table.loc[2, "withdrawn_at"] == pd.Timestamp("2027-01-02T23:00Z")  # Oslo midnight
    assert table.loc[1, "first_sent_at"] == pd.Timestamp("2026-11-02T09:30Z")


def test_explicit_column_names(log_path):
    log = create_log(log_path)
    sheet = pd.DataFrame({"Who": ["Ada"], "How": ["default"], "Asked on": ["2026-11-02"]})
    import_requests(sheet, log, columns={"recipient": "Who", "variant": "How", "at": "Asked on"})
    assert log.requests().loc[0, "recipient"] == "Ada"


def test_a_bad_row_imports_nothing_and_is_named(log_path):
    log = create_log(log_path, variants=["default", "personalised"])
    before = log_path.read_bytes()
    sheet = pd.DataFrame(
        {
            "Name": ["Ada", "Bo"],
            "Variant": ["default", "personalised"],
            "Sent": ["2026-11-02", "not a date"],
        }
    )
    with pytest.raises(LogError) as caught:
        import_requests(sheet, log)
    assert (caught.value.line, caught.value.field) == (3, "Sent")
    sheet.loc[1, "Sent"] = "2026-11-02"
    sheet.loc[1, "Variant"] = "personalized"
    with pytest.raises(LogError, match="not declared"):
        import_requests(sheet, log)
    assert log_path.read_bytes() == before


def test_missing_required_column_is_named(log_path):
    log = create_log(log_path)
    with pytest.raises(LogError, match="no column for variant"):
        import_requests(pd.DataFrame({"Name": ["Ada"], "Sent": ["2026-11-02"]}), log)


def test_response_before_send_in_the_sheet_is_rejected(log_path):
    log = create_log(log_path)
    sheet = pd.DataFrame(
        {
            "Name": ["Ada"],
            "Variant": ["default"],
            "Sent": ["2026-11-05"],
            "Responded": ["2026-11-01"],
        }
    )
    with pytest.raises(LogError, match="before its request was sent"):
        import_requests(sheet, log)


def test_import_can_pseudonymise(log_path):
    log = create_log(log_path)
    sheet = pd.DataFrame({"Name": ["Ada"], "Variant": ["default"], "Sent": ["2026-11-02"]})
    import_requests(sheet, log, pseudonym_key=b"k")
    assert log.requests().loc[0, "recipient"] == pseudonymise("Ada", b"k")


def _sheet(tmp_path, text):
    path = tmp_path / "sheet.csv"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("rows", "expected_day"),
    [
        ("Ada;default;03.11.2026\nBo;default;04.11.2026\n", "2026-11-03"),  # dotted: day first
        ("Ada,default,11/13/2026\nBo,default,11/03/2026\n", "2026-11-13"),  # 13 as month? no
        ("Ada,default,13/11/2026\nBo,default,03/11/2026\n", "2026-11-13"),  # 13 as day: yes
    ],
)
def test_numeric_dates_are_read_in_the_order_the_sheet_shows(
    log_path, tmp_path, rows, expected_day
):
    sep = ";" if ";" in rows else ","
    sheet = _sheet(tmp_path, f"Name{sep}Variant{sep}Date sent\n" + rows)
    log = create_log(log_path)
    import_requests(sheet, log)
    first = log.requests().loc[0, "first_sent_at"].tz_convert("Europe/Oslo")
    assert str(first.date()) == expected_day


def test_slashed_dates_that_could_be_either_are_refused(log_path, tmp_path):
    sheet = _sheet(tmp_path, "Name,Variant,Date sent\nAda,default,03/11/2026\n")
    log = create_log(log_path)
    with pytest.raises(LogError, match="dayfirst=True/False") as caught:
        import_requests(sheet, log)
    assert (caught.value.line, caught.value.field) == (2, "Date sent")
    import_requests(sheet, log, dayfirst=False)
    first = log.requests().loc[0, "first_sent_at"].tz_convert("Europe/Oslo")
    assert str(first.date()) == "2026-03-11"


def test_errors_name_the_sheet_row_and_column_not_the_log(log_path, tmp_path):
    log = create_log(log_path, variants=["default", "personalised"])
    sheet = _sheet(
        tmp_path,
        "Name;Wording;Sent;Answered;Result\n"
        "Ada;default;2026-11-02;2026-11-03;recommended\n"
        "Bo;personalized;2026-11-02;;\n",
    )
    with pytest.raises(LogError) as caught:
        import_requests(sheet, log)
    assert (caught.value.path, caught.value.line, caught.value.field) == (str(sheet), 3, "Wording")
    sheet = _sheet(
        tmp_path,
        "Name;Wording;Sent;Answered;Result\nAda;default;2026-11-05;2026-11-03;recommended\n",
    )
    with pytest.raises(LogError) as caught:
        import_requests(sheet, log)
    assert (caught.value.line, caught.value.field) == (2, "Answered")
    assert "before its request was sent" in str(caught.value)


def test_an_outcome_typo_is_refused_unless_new_outcomes_are_allowed(log_path, tmp_path):
    log = create_log(log_path)
    sheet = _sheet(
        tmp_path,
        "Name,Variant,Sent,Responded,Outcome\nAda,default,2026-11-02,2026-11-03,declinde\n",
    )
    with pytest.raises(LogError, match="did you mean 'declined'") as caught:
        import_requests(sheet, log)
    assert caught.value.field == "Outcome"
    import_requests(sheet, log, new_outcomes=True)
    assert log.requests().loc[0, "outcome"] == "declinde"


def test_importing_the_same_sheet_twice_is_refused(log_path, tmp_path):
    log = create_log(log_path)
    sheet = _sheet(tmp_path, "Name,Variant,Sent\nAda,default,2026-11-02\nBo,default,2026-11-02\n")
    import_requests(sheet, log)
    before = log_path.read_bytes()
    with pytest.raises(LogError, match="already in the log as r0001"):
        import_requests(sheet, log)
    assert log_path.read_bytes() == before
    assert import_requests(sheet, log, allow_repeat=True) == ["r0003", "r0004"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty: no header row"),
        (b"\n\n", "is empty: no header row"),
        (b"Name\nAda\n", "no column for variant"),  # one column: no delimiter to sniff
        (b"Name,Variant,Sent\n", "has no rows to import"),
        ("Name,Variant,Sent\nØrjan,default,2026-11-02\n".encode("latin-1"), "not UTF-8"),
    ],
)
def test_unreadable_sheets_are_named_errors(log_path, tmp_path, content, message):
    log = create_log(log_path)
    sheet = tmp_path / "sheet.csv"
    sheet.write_bytes(content)
    with pytest.raises(LogError, match=message) as info:
        import_requests(sheet, log)
    assert str(info.value).startswith(str(sheet))
    assert len(log) == 0


def test_a_folder_is_not_a_sheet(log_path, tmp_path):
    with pytest.raises(LogError, match="is a folder") as info:
        import_requests(tmp_path, create_log(log_path))
    assert str(info.value).startswith(str(tmp_path))


@pytest.mark.parametrize(
    ("header", "row", "hint"),
    [
        ("Name,Variant,Sent,Responded,Outcome", "Bo,default,2026-11-02,,declined", "'Responded'"),
        (
            "Name,Variant,Sent,Outcome",
            "Bo,default,2026-11-02,declined",
            "columns={'responded_at': 'NAME'}",
        ),
    ],
)
def test_an_outcome_without_its_date_is_refused(log_path, tmp_path, header, row, hint):
    # Dropping it silently would count a refusal as "no answer yet".
    log = create_log(log_path)
    sheet = _sheet(tmp_path, f"{header}\nAda,default,2026-11-02\n{row}\n")
    with pytest.raises(LogError, match="an outcome needs its date") as info:
        import_requests(sheet, log)
    assert f"{sheet}, line 3, field 'Outcome'" in str(info.value) and hint in str(info.value)
    assert len(log) == 0


def test_errors_name_the_physical_line_past_multi_line_cells_and_blank_rows(log_path, tmp_path):
    log = create_log(log_path)
    sheet = _sheet(
        tmp_path,
        "Name,Variant,Sent,Message\n"
        'Ada,default,2026-11-02,"Hi Ada,\nthree\nlines"\n'  # lines 2-4
        "\n"  # line 5: blank, skipped by the reader
        "Bo,personalised,2026-11-02,short\n"  # line 6
        "Cy,,2026-11-02,short\n",  # line 7: the bad one (row 4 of the table counting the header)
    )
    with pytest.raises(LogError, match="is empty") as info:
        import_requests(sheet, log)
    assert f"{sheet}, line 7, field 'Variant'" in str(info.value)
    ambiguous = _sheet(tmp_path, 'Name,Variant,Sent,Note\nAda,default,2026-11-02,"a\nb"\n'
                                 "Bo,default,03/11/2026,\n")  # fmt: skip
    with pytest.raises(LogError, match="could be day first") as info:
        import_requests(ambiguous, log)
    assert "line 4, field 'Sent'" in str(info.value)


def test_kinds_are_stored_in_the_kits_spelling(log_path):
    log = create_log(log_path)
    sheet = pd.DataFrame(
        {
            "Name": ["Ada", "Bo", "Cy"],
            "Variant": ["default"] * 3,
            "Sent": ["2026-11-02"] * 3,
            "Type": ["Recommendation", " CONNECTION ", "Coffee chat"],
            "Responded": ["2026-11-03"] * 3,
        }
    )
    import_requests(sheet, log, new_outcomes=True)
    table = log.requests()
    assert table["kind"].tolist() == ["recommendation", "connection", "Coffee chat"]
    # The default outcome follows the kind: Recommendation used to get "replied".
    assert table["outcome"].tolist() == ["recommended", "accepted", "replied"]
    import_requests(
        pd.DataFrame({"Name": ["Di"], "Variant": ["default"], "Sent": ["2026-11-02"]}),
        log,
        kind="Endorsement",
    )
    assert log.requests()["kind"].iloc[-1] == "endorsement"


def test_pseudonymised_import_leaves_message_and_note_out(log_path):
    log = create_log(log_path)
    sheet = pd.DataFrame(
        {
            "Name": ["Ada Lovelace"],
            "Variant": ["personalised"],
            "Sent": ["2026-11-02"],
            "Message": ["Hi Ada Lovelace, about the engine"],
            "Note": ["Ada's old colleague"],
            "Closeness": ["close"],
        }
    )
    import_requests(sheet, log, pseudonym_key=b"k")
    events = log.events()
    assert events["message"].tolist() == [""] and events["note"].tolist() == [""]
    assert events["stratum"].tolist() == ["close"]  # not personal: kept
    assert "Ada" not in log_path.read_text(encoding="utf-8-sig")
