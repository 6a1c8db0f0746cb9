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


def _experiment_file(tmp_path, monitoring: str) -> Path:
    text = (EXAMPLES / "experiment.toml").read_text(encoding="utf-8")
    path = tmp_path / "experiment.toml"
    path.write_text(text.rstrip() + "\n\n[monitoring]\n" + monitoring + "\n", encoding="utf-8")
    return path


def test_an_anytime_design_is_decided_on_daily_blocks(tmp_path, capsys):
    # The e-value's blocks are the days (UTC) on which windows closed: a schedule fixed in
    # advance. Replaying the same daily counts by hand gives the same e-value.
    from etiquette_lab import load_experiment, read_requests, replay_looks
    from etiquette_lab.analyse.looks import looks_from_requests

    path = _experiment_file(tmp_path, 'looks = "anytime"\nmax_per_arm = 60')
    as_of = "2026-02-24T12:00+01:00"
    assert main(["report", str(example_log_path()), "--experiment", str(path),
                 "--as-of", as_of, "--json"]) == 0  # fmt: skip
    monitoring = json.loads(capsys.readouterr().out)["monitoring"]
    spec = load_experiment(path).monitoring
    requests = read_requests(example_log_path())
    import pandas as pd

    first = pd.to_datetime(requests["first_sent_at"], utc=True).min().normalize()
    end = pd.Timestamp(as_of).tz_convert("UTC")
    days = list(pd.date_range(first + pd.Timedelta(days=1), end, freq="D"))
    daily = looks_from_requests(requests, at=days, control="default", new="personalised",
                                as_of=as_of).counts  # fmt: skip
    current = (monitoring["x_control"], monitoring["n_control"], monitoring["x_new"],
               monitoring["n_new"])  # fmt: skip
    path_of_looks = [*daily, current] if daily[-1] != current else list(daily)
    by_hand = replay_looks(spec.build(), path_of_looks).decisions[-1]
    assert monitoring["e_value"] == pytest.approx(by_hand.e_value, rel=1e-12)
    assert len(daily) > 20  # one block a day since the first send


def test_a_design_whose_wording_has_no_request_yet_says_so_and_reports(tmp_path, capsys):
    # A log of the control only: the comparison has nothing to compare, but the report still
    # names why the monitoring cannot decide instead of failing.
    from etiquette_lab import create_log

    log = create_log(tmp_path / "asks.csv", experiment="recommendation-wording-example",
                     variants=["default", "personalised"])  # fmt: skip
    for i in range(4):
        rid = log.send(f"P{i}", "default", at="2026-01-05T10:00+01:00")
        if i % 2:
            log.respond(rid, outcome="recommended", at="2026-01-06T10:00+01:00")
    path = _experiment_file(tmp_path, "looks = 3\nmax_per_arm = 30")
    assert main(["report", str(log.path), "--experiment", str(path), "--as-of", "2026-02-01"]) == 0
    out = capsys.readouterr().out
    assert "monitoring: no decision yet: 'personalised' has no request sent" in out


def test_a_log_past_the_plan_is_refused_in_monitoring_s_words(tmp_path, capsys):
    path = _experiment_file(tmp_path, "looks = 2\nmax_per_arm = 20")
    code = main(["report", str(example_log_path()), "--experiment", str(path),
                 "--as-of", "2026-03-16"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "monitoring (recommendation-wording-example): wording 'default' has" in err
