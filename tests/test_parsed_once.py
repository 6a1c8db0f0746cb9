"""One ``report`` run parses its as-of time and its window once each, at the entry (issue 13).

The counting, the per-request status and the time-to-response analysis all receive the parsed
values; parsing again was how the window came to exist in four forms with different rules.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import etiquette_lab.timestamps as timestamps
from etiquette_lab.cli.main import main
from etiquette_lab.lessons.datasets import example_log_path

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "examples"
AS_OF = "2026-03-16T12:00+01:00"
WINDOW = "9d"


@pytest.fixture
def parse_calls(monkeypatch):
    """Calls of the two text parsers behind parse_as_of and parse_window, by their argument."""
    calls: list[object] = []
    for name in ("parse_time", "parse_duration"):
        original = getattr(timestamps, name)

        def counting(value, *args, _original=original, **kwargs):
            calls.append(value)
            return _original(value, *args, **kwargs)

        monkeypatch.setattr(timestamps, name, counting)
    return calls


def test_report_parses_as_of_and_window_once(parse_calls, capsys):
    argv = ["report", str(example_log_path()), "--as-of", AS_OF, "--window", WINDOW, "--json"]
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["window"] == "9d"
    assert parse_calls.count(AS_OF) == 1
    assert parse_calls.count(WINDOW) == 1


def test_report_with_the_experiment_file_takes_its_window(parse_calls, capsys, tmp_path):
    # The example experiment file says outcome_window_days = 7; a copy says 9: the report
    # follows the file unless --window is given.
    source = EXAMPLES / "experiment.toml"
    nine = tmp_path / "experiment.toml"
    nine.write_text(
        source.read_text(encoding="utf-8").replace(
            "outcome_window_days = 7", "outcome_window_days = 9"
        ),
        encoding="utf-8",
    )
    argv = ["report", str(example_log_path()), "--as-of", AS_OF, "--json"]
    assert main([*argv, "--experiment", str(nine)]) == 0
    assert json.loads(capsys.readouterr().out)["window"] == "9d"
    assert parse_calls.count(AS_OF) == 1
    assert main([*argv, "--experiment", str(nine), "--window", "3d"]) == 0
    assert json.loads(capsys.readouterr().out)["window"] == "3d"
    # Without the file, the default is 7 days.
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["window"] == "7d"
