"""Error messages speak Python in the API and the command line's words on the command line.

The API's messages name keyword arguments ("say so with new_outcome=True"); the command line's
error printer rewrites them through one table (``PYTHON_TO_COMMAND_LINE``). These tests read
every ``raise`` statement of the package, so a new message with a Python spelling that the
table cannot translate fails here, not in front of a user.
"""

from __future__ import annotations

import argparse
import ast
import re
from pathlib import Path

import pytest

from etiquette_lab.cli import main
from etiquette_lab.cli.main import PYTHON_TO_COMMAND_LINE, build_parser, command_line_message
from etiquette_lab.design.messages import log_messages, read_plan
from etiquette_lab.errors import InvalidInputError
from etiquette_lab.planning.power import exact_power

PACKAGE = Path(__file__).resolve().parents[1] / "etiquette_lab"
EXAMPLES = PACKAGE.parent / "data" / "examples"

#: A keyword argument with a literal value: new_outcome=True, test='fisher', columns={...}.
PYTHON_OPTION = re.compile(
    r"\b[a-z_][a-z0-9_]*=(?:True|False|None|'[^']*'|\"[^\"]*\"|\{[^}]*\}|\[[^\]]*\])"
)
#: The command line's own spellings: an option, or a command to type.
COMMAND_LINE = re.compile(r"(?<![\w-])--[a-z][\w-]*|'etiquette-lab [a-z][\w-]*")


def _options_with_underscores() -> set[str]:
    """Options whose Python name differs from the command line's (max_n / --max-n)."""
    names = set()
    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                names |= {a.dest for a in sub._actions if a.option_strings and "_" in a.dest}
    return names


BARE_OPTION = re.compile(rf"\b(?:{'|'.join(sorted(_options_with_underscores()))})\b")

#: (file, phrase) pairs that are not an option a command-line user could give.
NOT_FOR_THE_COMMAND_LINE = {
    ("datasets.py", "messages={...}"): "no command builds example data",
    ("datasets.py", "as_of"): "no command builds example data",
    ("power.py", "n_control"): "the ratio's formula, n_new / n_control, as --ratio's help says",
    ("checks.py", "n_control"): "the order of the counts of a look: x_control, n_control, ...",
    ("spending.py", "spending='power'"): "no command takes a spending function yet",
}
# log.py and importing.py give both spellings today; they switch to Python only, then leave
# this set (the last test says when).
STILL_SPEAKING_COMMAND_LINE: set[str] = set()


def _text(node: ast.AST) -> str:
    """The message an expression builds, with each {value} shown as x (or 'x' when repr'd)."""
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else ""
    if isinstance(node, ast.JoinedStr):
        return "".join(_text(v) for v in node.values)
    if isinstance(node, ast.FormattedValue):
        return "'x'" if node.conversion == ord("r") else "x"
    if isinstance(node, ast.BinOp):
        return _text(node.left) + _text(node.right)
    if isinstance(node, ast.IfExp):  # both branches, as either can be shown
        return _text(node.body) + " | " + _text(node.orelse)
    if isinstance(node, ast.Call):
        return " ".join(_text(a) for a in [*node.args, *(k.value for k in node.keywords)])
    return ""


def raised_messages() -> list[tuple[str, int, str]]:
    """(file, line, message) of every ``raise SomeError(...)`` in the package."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                text = _text(node.exc)
                if text.strip():
                    found.append((path.relative_to(PACKAGE).as_posix(), node.lineno, text))
    return found


def python_phrases(file: str, message: str) -> list[str]:
    phrases = [m.group(0) for m in PYTHON_OPTION.finditer(message)]
    phrases += [m.group(0) for m in BARE_OPTION.finditer(PYTHON_OPTION.sub("", message))]
    return [p for p in phrases if (Path(file).name, p) not in NOT_FOR_THE_COMMAND_LINE]


def test_the_scan_finds_the_messages_it_is_about():
    # Without this the next test could pass by finding nothing.
    phrases = {p for f, _, m in raised_messages() for p in python_phrases(f, m)}
    assert {"allow_repeat=True", "test='fisher'", "test='normal'", "max_n"} <= phrases
    assert len(raised_messages()) > 200


def test_every_python_spelling_in_a_raised_message_has_a_command_line_wording():
    untranslated = [
        f"{file}:{line}: {phrase}"
        for file, line, message in raised_messages()
        for phrase in python_phrases(file, command_line_message(message))
    ]
    assert untranslated == []


def test_the_table_translates_into_options_that_exist():
    options = set()
    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                options |= {s for a in sub._actions for s in a.option_strings}
                options |= {f"'etiquette-lab {sub.prog.split()[-1]}"}
    for python, command_line in PYTHON_TO_COMMAND_LINE:
        assert not PYTHON_OPTION.search(command_line), command_line
        for named in COMMAND_LINE.findall(command_line):
            assert named in options, (python, named)


def test_api_messages_name_python_not_command_line_options():
    speaking = {
        Path(file).name: f"{file}:{line}: {message}"
        for file, line, message in raised_messages()
        if not file.startswith("cli/") and COMMAND_LINE.search(message)
    }
    for name in STILL_SPEAKING_COMMAND_LINE:
        assert name in speaking, f"{name} speaks Python now: drop it from the set"
    assert {n: m for n, m in speaking.items() if n not in STILL_SPEAKING_COMMAND_LINE} == {}


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("to use a new one, say so with new_outcome=True", "say so with --new-outcome"),
        ("nothing was imported (say new_outcomes=True)", "(say --new-outcome)"),
        ("(allow_repeat=True to import it again)", "(--allow-repeat to import it again)"),
        ("say dayfirst=True/False", "say --dayfirst or --monthfirst"),
        ("use test='boschloo'", "use --test boschloo"),
        ("name it with columns={'responded_at': 'NAME'}", "with --column responded_at=NAME"),
        ("(e.g. variants=['default', 'personalised'])", "(e.g. --variants default,personalised)"),
        ("no such log file (create it with create_log())", "create it with 'etiquette-lab new'"),
        ("log.csv: already exists; open it instead of creating it",
         "log.csv: already exists (use it as LOG in other commands, or choose a new name)"),
        ("the last line is incomplete; repair_log() moves it aside",
         "'etiquette-lab repair LOG' moves it aside"),
        ("declare it first (LogFile.declare)",
         "declare it first ('etiquette-lab declare LOG --experiment NAME --variants A,B')"),
    ],
)  # fmt: skip
def test_the_phrases_log_and_importing_use_are_translated(message, expected):
    assert expected in command_line_message(message)


# -- The API says it in Python ------------------------------------------------------------


def test_planning_messages_name_the_keyword_argument():
    with pytest.raises(InvalidInputError) as caught:
        exact_power(30, 30, 0.2, 0.5, test="boschloo")
    assert str(caught.value).endswith("use test='fisher' for larger designs")
    with pytest.raises(InvalidInputError) as caught:
        exact_power(1_000_000, 1_000_000, 0.5, 0.501)
    assert str(caught.value).endswith("the normal approximation is accurate: use test='normal'")


def test_design_messages_name_the_keyword_argument(tmp_path):
    from etiquette_lab import create_log

    plan = read_plan(_plan(tmp_path))
    log = create_log(tmp_path / "log.csv", experiment="recommendation-wording-example",
                     variants=["default", "personalised"])  # fmt: skip
    log_messages(log, plan, recipients="Zoë Quillfeather", at="2026-09-01T10:00+02:00")
    with pytest.raises(InvalidInputError) as caught:
        log_messages(log, plan, recipients="Zoë Quillfeather")
    assert str(caught.value).endswith("record another only with allow_repeat=True")
    with pytest.raises(InvalidInputError) as caught:
        read_plan(EXAMPLES / "example_log.csv")
    assert str(caught.value).endswith("make a plan with plan_messages() and write_plan()")


# -- The command line says it in its own words ----------------------------------------------


def run(capsys, *argv) -> tuple[int, str]:
    code = main([str(a) for a in argv])
    _, err = capsys.readouterr()
    return code, err


def _plan(tmp_path: Path) -> Path:
    plan = tmp_path / "plan.csv"
    assert main(["assign", str(EXAMPLES / "experiment.toml"), str(EXAMPLES / "contacts.csv"),
                 "--out", str(plan)]) == 0  # fmt: skip
    return plan


def test_plan_and_power_errors_name_the_test_option(capsys):
    code, err = run(capsys, "power", "--n", "30", "--baseline", "0.2", "--target", "0.5",
                    "--test", "boschloo")  # fmt: skip
    assert code == 2
    assert err.endswith("so n per arm is limited to 25; use --test fisher for larger designs\n")
    code, err = run(capsys, "power", "--n", "1000000", "--baseline", "0.5", "--target", "0.501")
    assert code == 2
    assert err.endswith("the normal approximation is accurate: use --test normal\n")
    code, err = run(capsys, "plan", "--baseline", "0.2", "--target", "0.3", "--max-n", "30")
    assert code == 2
    assert err.endswith("raise --max-n or plan for a larger difference\n")


def test_send_planned_twice_names_the_allow_repeat_option(tmp_path, capsys):
    plan, log = _plan(tmp_path), tmp_path / "log.csv"
    assert main(["new", str(log), "--experiment", "recommendation-wording-example",
                 "--variants", "default,personalised"]) == 0  # fmt: skip
    run(capsys, "send-planned", plan, log, "--to", "Zoë Quillfeather")
    code, err = run(capsys, "send-planned", plan, log, "--to", "Zoë Quillfeather")
    assert code == 2
    assert err.endswith("record another only with --allow-repeat\n")


def test_new_on_an_existing_log_says_how_to_use_it(log_path, capsys):
    main(["new", str(log_path)])
    code, err = run(capsys, "new", log_path)
    assert (code, err) == (
        2,
        f"etiquette-lab: error: {log_path}: already exists (use it as LOG in other commands, "
        "or choose a new name)\n",
    )


def test_an_unknown_outcome_names_the_new_outcome_option_once(log_path, capsys):
    main(["new", str(log_path)])
    main(["send", str(log_path), "--to", "Ada", "--variant", "default"])
    code, err = run(capsys, "respond", log_path, "r0001", "--outcome", "interviewed")
    assert code == 2 and err.count("--new-outcome") == 1 and "=True" not in err


def test_import_errors_name_the_command_line_options_once(tmp_path, log_path, capsys):
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("Name,Variant,Date sent\nAda,default,03/11/2026\n", encoding="utf-8")
    code, err = run(capsys, "import", sheet, log_path)
    assert code == 2 and err.count("--dayfirst or --monthfirst") == 1 and "=True" not in err
    assert run(capsys, "import", sheet, log_path, "--dayfirst")[0] == 0
    code, err = run(capsys, "import", sheet, log_path, "--dayfirst")
    assert code == 2 and err.count("--allow-repeat") == 1 and "=True" not in err
