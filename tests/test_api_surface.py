"""The flat public API: one table in ``etiquette_lab/__init__.py`` (``_EXPORTS``), seen by tools.

The table is the one source; this file keeps three things in step with it and rewrites them
when run with ``ETIQUETTE_LAB_API=write``: the imports under ``TYPE_CHECKING`` in
``__init__.py`` (what editors and type checkers read), and ``docs/api.md`` (one line per name,
grouped by stage).
"""

from __future__ import annotations

import importlib
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import etiquette_lab

ROOT = Path(__file__).resolve().parents[1]
INIT = ROOT / "etiquette_lab" / "__init__.py"
API_DOC = ROOT / "docs" / "api.md"
WRITE = os.environ.get("ETIQUETTE_LAB_API") == "write"

# The stage a module serves, as the heading docs/api.md gives it.
STAGES = {
    "errors": "Ground floor: errors, results and times",
    "results": "Ground floor: errors, results and times",
    "timestamps": "Ground floor: errors, results and times",
    "planning": "Plan: how many requests to send",
    "design": "Design: wordings, contacts and random assignment",
    "log": "Log: sends, reminders, responses",
    "sync": "Sync: outcomes from your LinkedIn export and mailbox",
    "followup": "Follow up: who to remind or thank",
    "analyse": "Analyse a log: windows, counts, time to response",
    "stats": "Statistics from counts",
    "sequential": "Look while it runs: sequential monitoring",
    "lessons": "Lessons: the article, the examples and the simulations",
    "plots": "Show: plots with their descriptions",
}
# Values without a docstring of their own.
VALUE_LINES = {
    "EXAMPLE_LOG_SETTINGS": "The settings that generate the bundled example log.",
}
BEGIN = "    # Generated from _EXPORTS"
END = "    # End of the generated imports."


def _type_checking_block() -> str:
    lines = [
        "    # Generated from _EXPORTS (tests/test_api_surface.py writes it): the real types, for"
        " tools.",
        "    # In the loop's order, not sorted: the order is the table's.",
    ]
    first = True
    for module, names in etiquette_lab._EXPORTS.items():
        lines.append(f"    from .{module} import ({'  # noqa: I001' if first else ''}")
        first = False
        lines += [f"        {name} as {name}," for name in names]
        lines.append("    )")
    lines.append(END)
    return "\n".join(lines)


def _one_line(value: object, name: str) -> str:
    if name in VALUE_LINES:
        return VALUE_LINES[name]
    doc = inspect.getdoc(value) or ""
    first = " ".join(doc.split("\n\n")[0].split())
    assert first, f"{name} has no docstring to list in docs/api.md"
    return first


def _api_doc() -> str:
    out = [
        "# The public API",
        "",
        "`import etiquette_lab as el` gives these names, stage by stage in the order the loop"
        " runs.",
        "Each line is the first line of the name's docstring (`help(el.name)` shows the rest, with",
        "runnable examples). Result types and helpers live in their modules (for example",
        "`etiquette_lab.stats.results.ComparisonReport`); what is here is what a user calls.",
        "This page is generated from the table in `etiquette_lab/__init__.py` by",
        "`ETIQUETTE_LAB_API=write pytest tests/test_api_surface.py`; a test keeps it in step.",
    ]
    heading = None
    for module, names in etiquette_lab._EXPORTS.items():
        stage = STAGES[module.split(".")[0]]
        if stage != heading:
            heading = stage
            out += ["", f"## {stage}", ""]
        mod = importlib.import_module(f"etiquette_lab.{module}")
        for name in names:
            out.append(f"- `{name}` ({module}): {_one_line(getattr(mod, name), name)}")
    return "\n".join(out) + "\n"


def test_the_type_checking_imports_are_the_table():
    text = INIT.read_text(encoding="utf-8")
    start = text.index(BEGIN)
    end = text.index(END) + len(END)
    wanted = _type_checking_block()
    if WRITE and text[start:end] != wanted:
        INIT.write_text(text[:start] + wanted + text[end:], encoding="utf-8")
        return
    assert text[start:end] == wanted, "run ETIQUETTE_LAB_API=write pytest tests/test_api_surface.py"


def test_docs_api_lists_the_table():
    wanted = _api_doc()
    if WRITE:
        API_DOC.write_text(wanted, encoding="utf-8")
        return
    assert API_DOC.read_text(encoding="utf-8") == wanted, (
        "run ETIQUETTE_LAB_API=write pytest tests/test_api_surface.py"
    )


def test_every_exported_name_is_public_in_its_module_and_exported_once():
    seen: dict[str, str] = {}
    for module, names in etiquette_lab._EXPORTS.items():
        mod = importlib.import_module(f"etiquette_lab.{module}")
        for name in names:
            assert name in mod.__all__, f"{module}.__all__ lacks {name}"
            assert name not in seen, f"{name} exported by {seen.get(name)} and {module}"
            seen[name] = module
            assert getattr(etiquette_lab, name) is getattr(mod, name)
    assert etiquette_lab.__all__ == ["__version__", *seen]


def test_dir_shows_the_api_and_no_implementation_names():
    names = set(dir(etiquette_lab))
    assert {"compare_counts", "open_log", "__version__"} <= names
    # What the module itself imports to work is not part of what it offers.
    assert not {"annotations", "importlib", "Any", "TYPE_CHECKING"} & names
    with pytest.raises(AttributeError, match="compare_countz"):
        etiquette_lab.compare_countz  # noqa: B018


@pytest.mark.slow
def test_a_type_checker_sees_the_real_types(tmp_path):
    # The point of the TYPE_CHECKING imports: a typo is a type error and a name has its type.
    pytest.importorskip("mypy")
    sample = tmp_path / "uses_api.py"
    sample.write_text(
        "import etiquette_lab as el\nreveal_type(el.compare_counts)\nel.compare_countz\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary", "--follow-imports=silent",
         "--cache-dir", str(tmp_path / "cache"), str(sample)],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    out = result.stdout
    assert re.search(r'Revealed type is "def \(arms: .*ComparisonReport"', out), out
    assert 'Module has no attribute "compare_countz"' in out, out
