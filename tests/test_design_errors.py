"""Errors in contacts, experiment and plan files name the file, the line and the field."""

from __future__ import annotations

import csv
import importlib
import io
from pathlib import Path

import pandas as pd
import pytest

from etiquette_lab.design.contacts import (
    check_contact_values,
    check_contacts,
    contact_line,
    record_lines,
)
from etiquette_lab.design.experiment import _toml_line, load_experiment
from etiquette_lab.design.messages import Experiment, Variant, read_contacts
from etiquette_lab.errors import InvalidInputError, LocatedInputError, LogError
from etiquette_lab.log.file import create_log, open_log

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "examples"
cli_main = importlib.import_module("etiquette_lab.cli.main")
HEADER = "name,first_name,closeness,shared_project,skill\n"


@pytest.fixture(autouse=True)
def _registered(monkeypatch):
    modules = cli_main._COMMAND_MODULES
    if "design_commands" not in modules:
        monkeypatch.setattr(cli_main, "_COMMAND_MODULES", (*modules, "design_commands"))


def fails(capsys, tmp_path: Path, *argv: object) -> str:
    """Run the CLI; it must exit 2 with one line on stderr, print nothing, write no file."""
    before = sorted(p.name for p in tmp_path.iterdir())
    code = cli_main.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.count("\n") == 1, err
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written
    return err.strip()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_an_empty_placeholder_value_names_contacts_file_line_and_field(tmp_path, capsys):
    # Zoë's quoted project spans two lines, so Nils is on physical line 4, not 3.
    contacts = write(tmp_path, "c.csv", HEADER + 'Zoë Berg,Zoë,senior,"the ""Fjord""\napp",SQL\n'
                     "Nils Moe,Nils,senior,,SQL\n")  # fmt: skip
    err = fails(capsys, tmp_path, "assign", EXAMPLES / "experiment.toml", contacts,
                "--out", tmp_path / "plan.csv")  # fmt: skip
    assert err.endswith(
        f"{contacts}, line 4, field 'shared_project': recipient 'Nils Moe' has no value "
        "(used by variant 'personalised')"
    )


def test_a_missing_column_is_on_the_header_line(tmp_path, capsys):
    contacts = write(tmp_path, "c.csv", "name,first_name,closeness,skill\nNils Moe,Nils,x,SQL\n")
    err = fails(capsys, tmp_path, "assign", EXAMPLES / "experiment.toml", contacts)
    assert f"{contacts}, line 1, field 'shared_project': the contacts have no column" in err


def test_a_duplicate_contact_names_both_lines(tmp_path, capsys):
    contacts = write(tmp_path, "c.csv", HEADER + "Zoë Berg,Zoë,a,x,SQL\n\nzoë  berg,Z,a,y,SQL\n")
    err = fails(capsys, tmp_path, "assign", EXAMPLES / "experiment.toml", contacts)
    assert f"{contacts}, line 4, field 'name': 'zoë  berg' appears more than once" in err
    assert "also on line 2" in err


def test_an_empty_contact_name_is_located(tmp_path, capsys):
    contacts = write(tmp_path, "c.csv", HEADER + "Zoë Berg,Zoë,a,x,SQL\n ,Z,a,y,SQL\n")
    err = fails(capsys, tmp_path, "assign", EXAMPLES / "experiment.toml", contacts)
    assert err.endswith(f"{contacts}, line 3, field 'name': the 'name' column is empty")


EXPERIMENT = (EXAMPLES / "experiment.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ("seed = 20261102", "seed = -4", "seed", "seed must be a non-negative whole number"),
        ('kind = "recommendation"', 'kind = "poke"', "kind", "unknown kind 'poke'; choose one of"),
        ('control = "default"', 'control = "nope"', "control", "control 'nope' is not one of"),
        ('strata = "closeness"', "strata = 3", "strata", "strata must be text"),
        ('name = "personalised"', 'name = "personalised"\nweight = 0', "weight",
         "variant 'personalised': weight must be a positive whole number"),
        ('name = "personalised"', 'name = "default"', "name", "variant names must be distinct"),
        ("builtin:linkedin-recommendation-default", "builtin:nope", "template_file",
         "no builtin template 'nope'"),
        ("{first_name}", "{first_name!r}", "template", "not a plain field name"),
        ('name = "personalised"', 'name = "personalised"\nfont = 1', "font",
         "unknown setting 'font'"),
    ],
)  # fmt: skip
def test_a_bad_experiment_value_names_file_line_and_key(tmp_path, capsys, old, new, field, message):
    assert old in EXPERIMENT
    text = EXPERIMENT.replace(old, new, 1)
    path = write(tmp_path, "e.toml", text)
    err = fails(capsys, tmp_path, "assign", path, EXAMPLES / "contacts.csv")
    # The expected line is found independently: the first line of the new text's setting.
    changed = next(
        n
        for n, (a, b) in enumerate(zip(text.splitlines(), EXPERIMENT.splitlines(), strict=False), 1)
        if a != b
    )
    line = changed
    if field == "template":
        line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith("template ="))
    assert f"{path}, line {line}, field {field!r}: " in err and message in err, err
    with pytest.raises(LocatedInputError) as info:  # the same from Python, also a ValueError
        load_experiment(path)
    assert (info.value.path, info.value.line, info.value.field) == (str(path), line, field)
    assert isinstance(info.value, InvalidInputError) and isinstance(info.value, ValueError)


def test_invalid_toml_gives_the_line_tomllib_reports(tmp_path, capsys):
    path = write(tmp_path, "e.toml", 'name = "x"\nseed = = 1\n')
    err = fails(capsys, tmp_path, "assign", path, EXAMPLES / "contacts.csv")
    assert err.endswith(f"{path}, line 2: not valid TOML: Invalid value")


def test_toml_line_skips_multiline_strings_and_other_tables():
    text = (
        'name = "x"\n[[variants]]\ntemplate = """\nseed = 1\n"""\nname = "a"\n[other]\nseed = 2\n'
    )
    assert _toml_line(text, "seed", None) is None  # neither is a top-level seed
    assert _toml_line(text, "name", 1) == 6
    assert _toml_line(text, "weight", 1) == 2  # not set: the variant's header
    assert _toml_line(text, "name", None) == 1


def test_a_log_given_as_plan_is_refused_and_the_log_untouched(tmp_path, capsys):
    log = tmp_path / "log.csv"
    log.write_bytes((EXAMPLES / "example_log.csv").read_bytes())
    err = fails(capsys, tmp_path, "send-planned", log, log)
    assert err.endswith(f"{log}, line 1: this is a request log, not a plan; make a plan with "
                        "'etiquette-lab assign EXPERIMENT CONTACTS --out PLAN'")  # fmt: skip
    assert log.read_bytes() == (EXAMPLES / "example_log.csv").read_bytes()


def test_an_empty_planned_message_names_its_line(tmp_path, capsys):
    plan = tmp_path / "plan.csv"
    assert cli_main.main(["assign", str(EXAMPLES / "experiment.toml"),
                          str(EXAMPLES / "contacts.csv"), "--out", str(plan)]) == 0  # fmt: skip
    capsys.readouterr()
    rows = list(csv.reader(io.StringIO(plan.read_text(encoding="utf-8-sig"), newline="")))
    rows[4][rows[0].index("message")] = ""  # the 4th person
    with plan.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    # Line of the 4th record counted by hand: 1 header line + the lines of records 1-3.
    line = 2 + sum(sum(cell.count("\n") for cell in row) + 1 for row in rows[1:4])
    assert line > 5  # the messages span lines: the row number would be wrong
    who = rows[4][rows[0].index("recipient")]
    err = fails(capsys, tmp_path, "send-planned", plan, tmp_path / "new-log.csv")
    assert err.endswith(f"{plan}, line {line}, field 'message': the planned message to {who!r} "
                        "is empty")  # fmt: skip
    # Sending only someone else is fine: the empty message is not theirs.
    other = rows[1][rows[0].index("recipient")]
    create_log(tmp_path / "l.csv")
    assert cli_main.main(["send-planned", str(plan), str(tmp_path / "l.csv"), "--to", other]) == 0
    assert len(open_log(tmp_path / "l.csv").requests()) == 1


def test_contacts_read_from_a_file_remember_their_lines(tmp_path):
    path = write(tmp_path, "c.csv", 'name;note\nZoë;"a\nb"\n\nÅse;x\n')
    contacts = read_contacts(path)
    assert [contact_line(contacts, i) for i in contacts.index] == [(str(path), 2), (str(path), 5)]
    assert record_lines('name;note\nZoë;"a\nb"\n\nÅse;x\n', delimiter=";") == [2, 5]
    # Re-ordered rows keep their lines; a row whose name changed loses it.
    flipped = contacts.iloc[::-1]
    assert contact_line(flipped, 1) == (str(path), 5)
    renamed = contacts.assign(name=["Other", "Åse"])
    assert contact_line(renamed, 0) == (str(path), None)


def test_contacts_from_python_name_the_recipient_only():
    people = pd.DataFrame({"name": ["Zoë Berg"], "first_name": ["Zoë"], "skill": [""]})
    with pytest.raises(LocatedInputError) as info:
        check_contact_values(check_contacts(people), {"skill": "variant 'b'"})
    assert (
        str(info.value) == "field 'skill': recipient 'Zoë Berg' has no value (used by variant 'b')"
    )
    assert isinstance(info.value, LogError) and info.value.path is None and info.value.line is None
    with pytest.raises(
        LocatedInputError, match=r"^field 'name': 'zoë berg' appears more than once"
    ):
        check_contacts(pd.concat([people, people.assign(name="zoë berg")]))
    assert contact_line(people, 0) == (None, None)


def test_experiments_built_in_python_keep_plain_messages():
    with pytest.raises(InvalidInputError) as info:
        Experiment("x", [Variant("a", "x"), Variant("b", "y")], seed=-1)
    assert str(info.value) == "seed must be a non-negative whole number, not -1"
