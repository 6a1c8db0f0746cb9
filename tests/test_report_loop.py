"""What a log's report adds from the rest of the loop: the monitoring decision at the current
look (issue 14) and the caveat of an observational experiment (issue 15)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from etiquette_lab import create_log
from etiquette_lab.analyse.report import OBSERVATIONAL_CAVEAT, compare_requests
from etiquette_lab.cli.main import main
from etiquette_lab.errors import InvalidInputError
from etiquette_lab.lessons.datasets import example_log_path

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "examples"
MONITORED = EXAMPLES / "experiment-monitored.toml"


def _pooled_z(x0: int, n0: int, x1: int, n1: int) -> float:
    # The pooled two-proportion z, by hand (the statistic the exact design orders tables by).
    pooled = (x0 + x1) / (n0 + n1)
    return (x1 / n1 - x0 / n0) / math.sqrt(pooled * (1 - pooled) * (1 / n0 + 1 / n1))


def test_a_monitored_report_decides_at_the_current_look(capsys):
    # As of 24 February 2026 the example's slower wording has 30 closed windows: planned look
    # 2 of 4 (15, 30, 45, 60 per wording). On the first 30 of each, 2 of 30 against 16 of 30.
    argv = ["report", str(example_log_path()), "--experiment", str(MONITORED),
            "--as-of", "2026-02-24T12:00+01:00"]  # fmt: skip
    assert main([*argv, "--json"]) == 0
    monitoring = json.loads(capsys.readouterr().out)["monitoring"]
    assert monitoring["look_counts"] == [2, 30, 16, 30]
    assert monitoring["z"] == pytest.approx(_pooled_z(2, 30, 16, 30), rel=1e-12)
    assert monitoring["decision"] == "stop_evidence"
    assert monitoring["z"] > monitoring["boundary_z"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "Monitoring: the decision at this look" in text
    assert "Decision: stop (evidence)" in text


def test_a_report_without_a_design_has_no_decision(capsys):
    assert main(["report", str(example_log_path()), "--json", "--as-of", "2026-03-16"]) == 0
    assert json.loads(capsys.readouterr().out)["monitoring"] is None


def test_an_observational_experiment_is_said_to_be_one_first(tmp_path):
    log = create_log(tmp_path / "asks.csv", variants=["with note", "without note"])
    log.declare("history", ["with note", "without note"], assignment="observational",
                at="2026-01-05T09:00+01:00")  # fmt: skip
    sent = [("with note", True)] * 3 + [("with note", False)] * 2
    sent += [("without note", True)] + [("without note", False)] * 4
    for i, (wording, answered) in enumerate(sent):
        rid = log.send(f"P{i}", wording, experiment="history", at="2026-01-05T10:00+01:00")
        if answered:
            log.respond(rid, outcome="recommended", at="2026-01-06T10:00+01:00")
    report = compare_requests(log.path, experiment="history", as_of="2026-02-01")
    assert report.verdict_paragraphs[0] == OBSERVATIONAL_CAVEAT
    assert report.verdict.startswith("This comparison is not a randomised experiment")
    data = report.to_dict()
    assert data["verdict_paragraphs"][0] == OBSERVATIONAL_CAVEAT
    assert "not a randomised experiment" in str(report)
    # The same requests in an experiment not declared observational carry no caveat.
    other = create_log(tmp_path / "random.csv", variants=["with note", "without note"])
    for i, (wording, _) in enumerate(sent):
        other.send(f"P{i}", wording, at="2026-01-05T10:00+01:00")
    assert not compare_requests(other.path, as_of="2026-02-01").caveats


def test_history_whose_source_shows_no_outcome_is_not_compared(tmp_path):
    # Imported invitations with no outcome at all: Invitations.csv may list only pending ones,
    # so 0 of n would read as "nobody accepted". The report says so instead of a rate.
    log = create_log(tmp_path / "asks.csv", variants=["with-note", "without-note"])
    log.declare("history", ["with-note", "without-note"], assignment="observational",
                at="2026-01-05T09:00+01:00")  # fmt: skip
    for i in range(6):
        wording = "with-note" if i % 2 else "without-note"
        log.send(f"P{i}", wording, experiment="history", kind="connection",
                 assignment="observational", at="2026-01-05T10:00+01:00")  # fmt: skip
    with pytest.raises(InvalidInputError, match="nothing to compare: The export cannot show"):
        compare_requests(log.path, experiment="history", as_of="2026-02-01")
