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
