"""The command line's text and JSON for the bundled examples, held against files taken earlier.

A change in what a command prints for the same input is then a visible diff in tests/golden/,
made on purpose (regenerate with ``ETIQUETTE_LAB_GOLDEN=write make test``) and reviewed, never
an accident of a refactoring. Times print in the tests' fixed zone (Europe/Oslo, conftest.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from etiquette_lab.cli import main

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).resolve().parent / "golden"
EXAMPLES = "data/examples"
LOG = f"{EXAMPLES}/example_log.csv"
AS_OF = "2026-03-16T12:00+01:00"

COMMANDS: dict[str, list[str]] = {
    "compare-article": ["compare", "default=1/5", "personalised=4/5"],
    "compare-article-json": ["compare", "default=1/5", "personalised=4/5", "--json"],
    "compare-three-arms": ["compare", "default=3/20", "short=6/20", "long=9/20"],
    "compare-all-answered": ["compare", "default=5/5", "personalised=5/5"],
    "compare-none-answered": ["compare", "default=0/5", "personalised=0/5"],
    "report": ["report", LOG, "--as-of", AS_OF],
    "report-json": ["report", LOG, "--as-of", AS_OF, "--json"],
    "report-window-3d": ["report", LOG, "--as-of", AS_OF, "--window", "3d"],
    "plan": ["plan", "--baseline", "0.2", "--target", "0.5"],
    "plan-json": ["plan", "--baseline", "0.2", "--target", "0.5", "--json"],
    "power": ["power", "--n", "5", "--baseline", "0.2", "--target", "0.8"],
    "requests": ["requests", LOG],
    "requests-json": ["requests", LOG, "--json"],
    "requests-csv": ["requests", LOG, "--csv"],
    "todo": ["todo", LOG, "--as-of", AS_OF],
    "check": ["check", LOG, "--as-of", AS_OF],
    "assign": ["assign", f"{EXAMPLES}/experiment.toml", f"{EXAMPLES}/contacts.csv"],
}


@pytest.mark.parametrize("name", COMMANDS)
def test_the_output_is_what_it_was(name, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    code = main(COMMANDS[name])
    out, err = capsys.readouterr()
    got = f"exit code {code}\n{err}--- stdout ---\n{out}"
    golden = GOLDEN / f"{name}.txt"
    if os.environ.get("ETIQUETTE_LAB_GOLDEN") == "write":
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(got, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden.name}: run with ETIQUETTE_LAB_GOLDEN=write"
    assert got == golden.read_text(encoding="utf-8")


def test_every_golden_file_has_its_command():
    assert sorted(p.stem for p in GOLDEN.glob("*.txt")) == sorted(COMMANDS)
