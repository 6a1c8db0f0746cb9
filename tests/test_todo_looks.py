"""``todo`` with a monitored experiment: one line saying when the next planned look is due."""

from __future__ import annotations

import pandas as pd
import pytest
from test_outcomes import T0, make_requests

from etiquette_lab.cli import main
from etiquette_lab.design.messages import Experiment, Variant, save_experiment
from etiquette_lab.followup.etiquette import todo_list
from etiquette_lab.sequential import design_spec


def experiment(looks=(4, 8), maximum=8) -> Experiment:
    spec = design_spec(list(looks), maximum) if looks != "anytime" else design_spec(looks, maximum)
    return Experiment("exp", [Variant("default", "Hello"), Variant("personal", "Hi {first_name}")],
                      monitoring=spec)  # fmt: skip


# Window 7 days. default: 4 sent on day 0; personal: 3 on day 0 and 1 on day 5; one answer each.
ROWS = [
    *[("default", {"experiment": "exp", "sent_day": 0, **({"respond_day": 1} if i == 0 else {})})
      for i in range(4)],
    *[("personal", {"experiment": "exp", "sent_day": d, **({"respond_day": 2} if i == 0 else {})})
      for i, d in enumerate((0, 0, 0, 5))],
    ("default", {"experiment": "other", "sent_day": 0}),  # another experiment: not counted
]  # fmt: skip


def looks_line(as_of_day: float, e: Experiment | None = None) -> tuple[str, ...]:
    table = make_requests(ROWS)
    moment = (T0 + pd.Timedelta(days=as_of_day)).isoformat()
    return todo_list(
        table, as_of=moment, experiments=[e or experiment()], log_name="asks.csv"
    ).looks


def test_before_the_first_look_it_says_how_many_more_closed_windows():
    # day 10: default 4 closed, personal 3 closed and 1 open (sent day 5, closes day 12)
    assert looks_line(10) == (
        "exp: next planned look after 1 more closed window (look 1 of 2, at 4 per wording: "
        "0 on default, 1 on personal; all already sent)",
    )


def test_when_the_slower_wording_reaches_the_look_it_is_due_now():
    assert looks_line(13) == (
        "exp: a look is due now (look 1 of 2): run `etiquette-lab report asks.csv --experiment "
        "exp --window 7d`",
    )


def test_requests_still_to_send_are_counted():
    assert looks_line(3) == (
        # day 3: the fourth personal request (day 5) is not sent yet
        "exp: next planned look after 8 more closed windows (look 1 of 2, at 4 per wording: "
        "4 on default, 4 on personal; send 0 more on default and 1 on personal)",
    )
    assert looks_line(13, experiment((4, 8), 8))[0].startswith("exp: a look is due now")
    later = experiment((2, 6), 6)
    assert looks_line(13, later)[0] == (
        "exp: next planned look after 4 more closed windows (look 2 of 2, at 6 per wording: "
        "2 on default, 2 on personal; send 2 more on default and 2 on personal)"
    )


def test_an_overshoot_of_the_plan_is_said_not_raised():
    small = experiment((2, 3), 3)
    assert looks_line(13, small) == (
        "exp: 4 requests sent on 'default', beyond the plan's 3 per wording: the design's "
        "guarantee covers the planned requests only",
    )


def test_anytime_says_look_whenever_you_like():
    line = looks_line(13, experiment("anytime", 50))[0]
    assert line.startswith("exp: anytime design: the e-value may be looked at whenever you like")
    assert line.endswith("--window 7d`")


def test_without_a_monitored_experiment_the_list_is_as_before():
    table = make_requests(ROWS)
    plain = todo_list(table, as_of=(T0 + pd.Timedelta(days=13)).isoformat())
    assert plain.looks == ()
    unmonitored = Experiment("exp", experiment().variants)
    moment = (T0 + pd.Timedelta(days=13)).isoformat()
    assert todo_list(table, as_of=moment, experiments=[unmonitored]).looks == ()


@pytest.fixture
def monitored_log(tmp_path):
    log = tmp_path / "asks.csv"
    assert main(["new", str(log), "--experiment", "exp", "--variants", "default,personal"]) == 0
    for i, variant in enumerate(["default", "personal"] * 2):
        assert main(["send", str(log), "--to", f"P{i}", "--variant", variant,
                     "--at", "2026-01-05T10:00Z"]) == 0  # fmt: skip
    path = tmp_path / "exp.toml"
    save_experiment(experiment((2, 4), 4), path)
    return log, path


def test_the_command_prints_the_line_and_json_holds_it(monitored_log, capsys):
    log, path = monitored_log
    capsys.readouterr()
    assert main(["todo", str(log), "--experiment", str(path), "--as-of", "2026-01-20"]) == 0
    out = capsys.readouterr().out
    assert (f"exp: a look is due now (look 1 of 2): run `etiquette-lab report {log} "
            "--experiment exp --window 7d`") in out  # fmt: skip
    assert main(["todo", str(log), "--experiment", str(path), "--as-of", "2026-01-20",
                 "--json"]) == 0  # fmt: skip
    assert '"looks": [' in capsys.readouterr().out


def test_a_bad_experiment_file_is_one_line_with_exit_2(monitored_log, capsys):
    log, path = monitored_log
    path.write_text(path.read_text(encoding="utf-8").replace("alpha = 0.05", "alpha = 5"),
                    encoding="utf-8")  # fmt: skip
    capsys.readouterr()
    assert main(["todo", str(log), "--experiment", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"etiquette-lab: error: {path}, line ") and err.count("\n") == 1
    assert "field 'monitoring.alpha': alpha must be between 0 and 1" in err
