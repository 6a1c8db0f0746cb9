"""The assign, send-planned, todo and check commands, run through the real main()."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

from etiquette_lab.design.messages import read_plan
from etiquette_lab.log.file import create_log

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "examples"
cli_main = importlib.import_module("etiquette_lab.cli.main")


@pytest.fixture(autouse=True)
def _registered(monkeypatch):
    # Until the lead wires the module into main, register it for these tests only.
    modules = cli_main._COMMAND_MODULES
    if "design_commands" not in modules:
        monkeypatch.setattr(cli_main, "_COMMAND_MODULES", (*modules, "design_commands"))


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli_main.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_assign_writes_a_plan_and_prints_the_balance(tmp_path, capsys):
    out_file = tmp_path / "plan.csv"
    code, out, _ = run(capsys, "assign", EXAMPLES / "experiment.toml", EXAMPLES / "contacts.csv",
                       "--out", out_file)  # fmt: skip
    assert code == 0
    assert "20 messages for experiment 'recommendation-wording-example'" in out
    assert "close colleague" in out and "total" in out
    plan = read_plan(out_file)
    assert len(plan) == 20 and set(plan["variant"]) == {"default", "personalised"}


def test_assign_to_stdout_and_as_json(capsys):
    code, out, _ = run(capsys, "assign", EXAMPLES / "experiment.toml", EXAMPLES / "contacts.csv")
    assert code == 0 and out.startswith("experiment,recipient,variant")
    code, out, _ = run(
        capsys, "assign", EXAMPLES / "experiment.toml", EXAMPLES / "contacts.csv", "--json"
    )
    rows = json.loads(out)
    assert code == 0 and len(rows) == 20 and 0 <= rows[0]["score"] <= 1


def test_assign_bad_input_is_exit_2_with_one_line(tmp_path, capsys):
    contacts = tmp_path / "c.csv"
    contacts.write_text(
        "name,first_name,closeness,shared_project,skill\nZoë Berg,Zoë,senior,,SQL\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "assign", EXAMPLES / "experiment.toml", contacts)
    assert code == 2 and out == ""
    assert err.strip() == (
        f"etiquette-lab: error: {contacts}, line 2, field 'shared_project': recipient 'Zoë Berg' "
        "has no value (used by variant 'personalised')"
    )
    code, _, err = run(capsys, "assign", tmp_path / "none.toml", contacts)
    assert code == 2 and "does not exist" in err


def test_from_contacts_to_log_to_todo_and_check(tmp_path, capsys):
    plan, log = tmp_path / "plan.csv", tmp_path / "log.csv"
    run(capsys, "assign", EXAMPLES / "experiment.toml", EXAMPLES / "contacts.csv", "--out", plan)
    create_log(
        log, experiment="recommendation-wording-example", variants=["default", "personalised"]
    )
    code, out, _ = run(capsys, "send-planned", plan, log, "--to", "Zoë Quillfeather",
                       "--at", "2026-09-01T10:00+02:00")  # fmt: skip
    assert code == 0 and out.strip() == "r0001"
    code, _, err = run(capsys, "send-planned", plan, log, "--to", "Zoë Quillfeather")
    assert code == 2 and "already has request r0001" in err

    assert run(capsys, "check", log, "--as-of", "2026-09-10")[0] == 0
    code, out, _ = run(capsys, "check", log, "--as-of", "2026-09-20")
    assert code == 1 and "remind" in out and "Zoë Quillfeather" in out
    code, out, _ = run(capsys, "check", log, "--as-of", "2026-09-20", "--json")
    assert code == 1 and json.loads(out)["findings"][0]["check"] == "remind"

    code, out, _ = run(capsys, "todo", log, "--as-of", "2026-09-20")
    assert code == 0 and "remind" in out and "1 thing to do" in out
    code, out, _ = run(
        capsys, "todo", log, "--as-of", "2026-09-20", "--set", "remind_after_days=30"
    )
    assert code == 0 and "Nothing to do" in out
    code, out, _ = run(capsys, "todo", log, "--as-of", "2026-09-20", "--json")
    assert json.loads(out)["items"][0]["action"] == "remind"


def test_check_uses_the_experiments_control_arm(tmp_path, capsys):
    log = tmp_path / "log.csv"
    book = create_log(log, experiment="notes", variants=["generic", "personal"])
    note = "I'd like to add you to my professional network on LinkedIn."
    book.send("Bo Ek", "generic", kind="connection", message=note, at="2026-09-01T10:00+02:00")
    assert run(capsys, "check", log, "--as-of", "2026-09-02")[0] == 1
    experiment = tmp_path / "notes.toml"
    experiment.write_text(
        'name = "notes"\nkind = "connection"\ncontrol = "generic"\n'
        '[[variants]]\nname = "generic"\ntemplate_file = "builtin:linkedin-connection-default"\n'
        '[[variants]]\nname = "personal"\ntemplate_file = "builtin:connection-personalised"\n',
        encoding="utf-8",
    )
    assert run(capsys, "check", log, "--as-of", "2026-09-02", "--experiment", experiment)[0] == 0


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "{log}", "--set", "nonsense=1"],
        ["check", "{log}", "--set", "max_sends=two"],
        ["check", "{log}", "--as-of", "next week"],
        ["todo", "{tmp}/missing.csv"],
        ["check", "{tmp}/not-a-log.csv"],
    ],
)
def test_check_and_todo_bad_input_is_exit_2(tmp_path, capsys, argv):
    log = tmp_path / "log.csv"
    create_log(log)
    (tmp_path / "not-a-log.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    code, out, err = run(capsys, *[a.format(log=log, tmp=tmp_path) for a in argv])
    assert code == 2 and out == "" and err.startswith("etiquette-lab: error:")
    assert err.count("\n") == 1


def test_an_empty_log_is_clean(tmp_path, capsys):
    log = tmp_path / "log.csv"
    create_log(log)
    code, out, _ = run(capsys, "check", log)
    assert code == 0 and "No findings among 0 requests" in out


def test_assign_keeps_earlier_people_with_previous_or_log(tmp_path, capsys):
    first, log = tmp_path / "first.csv", tmp_path / "log.csv"
    contacts = tmp_path / "contacts.csv"
    lines = (EXAMPLES / "contacts.csv").read_text(encoding="utf-8").splitlines()
    contacts.write_text("\n".join(lines[:11]) + "\n", encoding="utf-8")
    run(capsys, "assign", EXAMPLES / "experiment.toml", contacts, "--out", first)
    create_log(
        log, experiment="recommendation-wording-example", variants=["default", "personalised"]
    )
    run(capsys, "send-planned", first, log, "--at", "2026-09-01T10:00+02:00")
    # The grown file lists everyone in reverse order: without the log, slots would move.
    contacts.write_text("\n".join([lines[0], *lines[:0:-1]]) + "\n", encoding="utf-8")
    before = read_plan(first).set_index("recipient")["assignment"]
    run(capsys, "assign", EXAMPLES / "experiment.toml", contacts, "--out", tmp_path / "fresh.csv")
    fresh = read_plan(tmp_path / "fresh.csv").set_index("recipient")["assignment"]
    assert (fresh.loc[before.index] != before).any()  # so the locking below is doing the work
    for option in (["--log", log], ["--previous", first]):
        code, _, _ = run(capsys, "assign", EXAMPLES / "experiment.toml", contacts,
                         "--out", tmp_path / "again.csv", *option)  # fmt: skip
        again = read_plan(tmp_path / "again.csv").set_index("recipient")["assignment"]
        assert code == 0 and len(again) == 20
        assert (again.loc[before.index] == before).all()


def lines_of(text: str) -> list[str]:
    return text.splitlines()


def test_check_on_a_burst_prints_a_narrow_table_with_request_ids(capsys):
    log = EXAMPLES / "example_log.csv"
    code, out, _ = run(capsys, "check", log, "--as-of", "2026-03-16")
    assert code == 1 and "Empty DataFrame" not in out
    assert max(map(len, lines_of(out))) <= 120  # readable in a 120-column terminal
    code, text, _ = run(capsys, "check", log, "--as-of", "2026-03-16", "--json")
    findings = json.loads(text)["findings"]
    burst = next(f for f in findings if f["check"] == "request-burst")
    ids, names = burst["request_ids"], burst["recipients"]
    assert len(ids) == len(names) > 100  # the JSON keeps everyone
    assert burst["recipient"] == ", ".join(names)
    row = next(line for line in lines_of(out) if "request-burst" in line)
    assert f"{ids[0]}, {ids[1]}, ... (+{len(ids) - 2})" in row
    shown = row.split(f"(+{len(ids) - 2})")[1].split(" and ")[0].strip().split(", ")
    assert shown == names[: len(shown)]
    assert f"and {len(names) - len(shown)} more" in row
    # Every other finding is one request: its id is shown, so rows never look like duplicates.
    others = [
        line for line in lines_of(out) if any(f" {c} " in line for c in ("remind", "withdraw"))
    ]
    assert len(others) == sum(f["check"] in ("remind", "withdraw") for f in findings)
    assert len({line.split()[2] for line in others}) == len(others)


def test_todo_prints_well_with_a_burst_and_nothing_to_do(tmp_path, capsys):
    log = tmp_path / "log.csv"
    book = create_log(log)
    for n in range(5):
        book.send(f"Person {n}", "a", at=f"2026-09-01T1{n}:00Z")
    code, out, _ = run(capsys, "todo", log, "--as-of", "2026-09-02T12:00Z")
    assert code == 0 and "Empty DataFrame" not in out
    assert out.strip().splitlines() == ["To do", "", "Nothing to do as of 2026-09-02 12:00 UTC."]
    code, out, _ = run(capsys, "check", log, "--as-of", "2026-09-02")
    assert code == 1 and "Empty DataFrame" not in out
    assert "r0001, r0002, ... (+3)" in out
    assert "5 requests, up to 5 within 30 days (max 2)" in out
    code, out, _ = run(capsys, "todo", EXAMPLES / "example_log.csv", "--as-of", "2026-03-16")
    assert code == 0 and max(map(len, lines_of(out))) <= 120
    assert "r0023" in out and "Empty DataFrame" not in out


def test_send_planned_respects_the_variants_a_new_log_declares(tmp_path, capsys):
    # The documented workflow: the log declares variants without naming the experiment.
    log, plan_file = tmp_path / "log.csv", tmp_path / "plan.csv"
    assert run(capsys, "new", log, "--variants", "default,personalised")[0] == 0
    assert run(capsys, "assign", EXAMPLES / "experiment.toml", EXAMPLES / "contacts.csv",
               "--out", plan_file)[0] == 0  # fmt: skip
    text = plan_file.read_text(encoding="utf-8-sig")
    typo = text.replace(",personalised,", ",personalized,", 1)
    assert typo != text
    plan_file.write_text(typo, encoding="utf-8-sig")
    before = log.read_bytes()
    code, out, err = run(capsys, "send-planned", plan_file, log)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert f"{plan_file}, line " in err and "field 'variant'" in err and "'personalized'" in err
    assert log.read_bytes() == before
    plan_file.write_text(text, encoding="utf-8-sig")
    code, out, _ = run(capsys, "send-planned", plan_file, log, "--at", "2026-11-02T09:00")
    assert code == 0 and len(out.split()) == 20
