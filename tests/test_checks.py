"""The shared argument checks (etiquette_lab/checks.py): one message shape, and no stage of
planning importing another module's private names (issue 13)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from etiquette_lab.checks import (
    checked_choice,
    checked_count,
    checked_open_unit,
    checked_positive,
    checked_rate,
)
from etiquette_lab.errors import InvalidInputError

PACKAGE = Path(__file__).resolve().parents[1] / "etiquette_lab"


@pytest.mark.parametrize(
    ("check", "value", "message"),
    [
        (checked_rate, 1.5, "x must be a rate between 0 and 1, got 1.5"),
        (checked_rate, "0.2", "x must be a rate between 0 and 1, got '0.2'"),
        (checked_rate, float("nan"), "x must be a rate between 0 and 1, got nan"),
        (checked_open_unit, 1.0, "x must be a number strictly between 0 and 1, got 1.0"),
        (checked_open_unit, None, "x must be a number strictly between 0 and 1, got None"),
        (checked_count, 0, "x must be a whole number of requests >= 1, got 0"),
        (checked_count, 2.5, "x must be a whole number of requests >= 1, got 2.5"),
        (checked_count, True, "x must be a whole number of requests >= 1, got True"),
        (checked_positive, float("inf"), "x must be a positive number, got inf"),
        (checked_positive, -1, "x must be a positive number, got -1"),
    ],
)
def test_a_refusal_names_the_argument_what_it_must_be_and_the_value(check, value, message):
    with pytest.raises(InvalidInputError) as info:
        check("x", value)
    assert str(info.value) == message


def test_a_choice_refusal_lists_the_choices():
    with pytest.raises(InvalidInputError) as info:
        checked_choice("test", "t", ("fisher", "normal"))
    assert str(info.value) == "unknown test 't'; choose one of fisher, normal"


def test_accepted_values_come_back_as_the_type_needed():
    assert checked_rate("x", 0) == 0.0 and checked_rate("x", 1) == 1.0
    assert checked_count("x", 5.0) == 5 and isinstance(checked_count("x", 5.0), int)
    assert checked_open_unit("x", 0.5) == 0.5 and checked_positive("x", 2) == 2.0


def _private_imports(path: Path) -> list[str]:
    """``from .m import _name`` and ``_k._name`` (the kernels module's alias) in one file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level > 0:
            found += [a.name for a in node.names if a.name.startswith("_")]
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "_k"
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            found.append(f"_k.{node.attr}")
    return [name for name in found if not name.startswith("__")]


@pytest.mark.parametrize(
    "relative",
    [
        *(f"planning/{p.name}" for p in sorted((PACKAGE / "planning").glob("*.py"))),
        "lessons/simulation.py",
        "checks.py",
    ],
)
def test_planning_imports_no_private_name_of_another_module(relative):
    assert _private_imports(PACKAGE / relative) == []
