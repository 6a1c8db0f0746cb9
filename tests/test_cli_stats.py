"""The compare and report commands through the real main(), with stats_commands registered."""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
import types

import matplotlib
import numpy as np

matplotlib.use("Agg")

import pytest

cli_main = importlib.import_module("etiquette_lab.cli.main")
from test_outcomes import LATER, article_rows, make_requests  # noqa: E402

from etiquette_lab.cli.stats_commands import parse_arm  # noqa: E402
from etiquette_lab.errors import InvalidInputError  # noqa: E402


@pytest.fixture
def run(monkeypatch, capsys):
    # Until the lead wires stats_commands into _COMMAND_MODULES, register it for these tests.
    modules = tuple(
        m
        for m in cli_main._COMMAND_MODULES
        if importlib.util.find_spec(f"etiquette_lab.cli.{m}") is not None
    )
    monkeypatch.setattr(
        cli_main,
        "_COMMAND_MODULES",
        (*modules, "stats_commands") if "stats_commands" not in modules else modules,
    )

    def _run(*argv):
        code = cli_main.main(list(argv))
        out = capsys.readouterr()
        return code, out.out, out.err

    return _run


def _strict_json(text):
    def reject(token):
        raise AssertionError(f"non-strict JSON token {token}")

    return json.loads(text, parse_constant=reject)


def test_compare_prints_the_verdict_and_the_sensitivity_table(run):
    code, out, _ = run("compare", "default=1/5", "personalised=4/5")
    assert code == 0
    assert "No clear difference yet" in out and "Boschloo exact" in out


def _table_rows(out: str, title: str) -> dict[str, list[str]]:
    """The rows of the printed table under *title*: first cell (the row label) -> the cells."""
    lines = out.split(title, 1)[1].split("\n\n")[1].splitlines()
    return {line.split("  ")[0].strip(): line.split() for line in lines[2:]}


def test_compare_table_rounds_as_the_verdict(run):
    # The table must show what the verdict says: 20% and 80%, +60.0 points, -0.03 to +83.2,
    # p = 0.109, P(better) 0.96; no 0..n row numbers.
    code, out, _ = run("compare", "default=1/5", "personalised=4/5")
    assert code == 0
    rows = _table_rows(out, "Response rates by arm")
    assert rows["default (control)"][:5] == ["default", "(control)", "1", "5", "20%"]
    assert rows["personalised"] == [
        "personalised", "4", "5", "80%", "37.6%", "to", "96.4%",
        "+60.0", "-0.03", "to", "+83.2", "0.109", "0.96",
    ]  # fmt: skip
    verdict = out.split("\n\n")[2]
    for figure in ("80%", "20%", "+60.0 points", "-0.03 to +83.2 points", "p = 0.109", "0.96"):
        assert figure in verdict
    sensitivity = _table_rows(out, "personalised vs default: sensitivity of the comparison")
    assert sensitivity["Wald z (unpooled)"][3:5] == ["2.372", "0.0177"]
    assert not any(line.startswith("0 ") for line in out.splitlines())


def test_compare_json_matches_the_schema(run):
    code, out, _ = run(
        "compare",
        "default=1/5",
        "personalised=4/5",
        "--json",
        "--ci-method",
        "jeffreys",
        "--alpha",
        "0.1",
    )
    data = _strict_json(out)
    assert code == 0 and data["arms"][0]["name"] == "default" and data["alpha"] == 0.1
    tests = data["comparisons"][0]["tests"]
    assert tests["fisher"]["p_value"] == pytest.approx(13 / 63, rel=1e-12)  # hypergeometric by hand
    assert data["arms"][0]["method"] == "jeffreys" and data["omnibus"] is None


def test_compare_degenerate_json_is_strict(run):
    code, out, _ = run("compare", "a=0/5", "b=5/5", "--json")
    data = _strict_json(out)
    assert code == 0 and data["comparisons"][0]["odds_ratio"]["estimate"] is None


@pytest.mark.parametrize("arm", ["default=6/5", "x=abc", "x=1/y", "noslash=3", "x=-1/5"])
def test_bad_counts_exit_2_with_one_line(run, arm):
    code, out, err = run("compare", "other=1/5", arm)
    assert code == 2 and out == "" and err.count("\n") == 1 and "error" in err


def test_duplicate_arm_and_unknown_control_exit_2(run):
    assert run("compare", "a=1/5", "a=2/5")[0] == 2
    assert run("compare", "a=1/5", "b=2/5", "--control", "zzz")[0] == 2
    assert run("compare", "a=1/5", "b=0/0")[0] == 2


def test_parse_arm():
    assert parse_arm(" personalised = 4/5 ") == ("personalised", (4, 5))
    with pytest.raises(InvalidInputError):
        parse_arm("default=6/5")


@pytest.fixture
def fake_log(monkeypatch):
    """read_requests(path) returning a hand-built table (works before and after the lead lands
    etiquette_lab.log.requests)."""
    return _serve(
        monkeypatch,
        make_requests(
            [*article_rows(), ("personalised", {"respond_day": 1, "outcome": "declined"})]
        ),
    )


def _serve(monkeypatch, table):
    """Make read_requests(path) return *table*; the paths asked for are collected."""
    seen = []

    def read_requests(path):
        seen.append(str(path))
        return table

    try:
        module = importlib.import_module("etiquette_lab.log.requests")
        monkeypatch.setattr(module, "read_requests", read_requests)
    except ImportError:
        module = types.ModuleType("etiquette_lab.log.requests")
        module.read_requests = read_requests
        monkeypatch.setitem(sys.modules, "etiquette_lab.log.requests", module)
    return seen


def test_report_json_and_plot(run, fake_log, tmp_path):
    png = tmp_path / "rates.png"
    code, out, _ = run(
        "report", "log.csv", "--as-of", LATER, "--window", "7d", "--json", "--plot", str(png)
    )
    assert code == 0 and fake_log == ["log.csv"]
    data = _strict_json(out)
    assert [a["responded"] for a in data["arms"]] == [1, 4]
    assert data["any_response"]["arms"][1]["responded"] == 5  # the decline is a response
    assert data["window"] == "7d" and data["pending"] == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def long_log(monkeypatch):
    """1,500 requests per arm sent over 15 days, answered after random fractions of a day or
    not at all: every arm's curve lists more than 1,000 distinct times."""
    rng = np.random.default_rng(12)
    rows = [
        (variant, {"sent_day": i / 100, "respond_day": float(rng.exponential(4))})
        if rng.random() < 0.6
        else (variant, {"sent_day": i / 100})
        for i in range(1500)
        for variant in ("default", "personalised")
    ]
    return _serve(monkeypatch, make_requests(rows))


def test_report_json_thins_long_curves_and_full_curves_keeps_every_time(run, long_log):
    code, out, _ = run("report", "log.csv", "--as-of", LATER, "--json")
    assert code == 0
    curves = [a["curve"] for a in _strict_json(out)["time_to_response"]["arms"]]
    code, out, _ = run("report", "log.csv", "--as-of", LATER, "--json", "--full-curves")
    assert code == 0
    full = [a["curve"] for a in _strict_json(out)["time_to_response"]["arms"]]
    for shown, whole in zip(curves, full, strict=True):
        assert shown["thinned"] is True and whole["thinned"] is False
        assert len(shown["days"]) < len(whole["days"]) and len(whole["days"]) > 1000
        assert sum(shown["responses"]) == sum(whole["responses"])
        assert set(shown["days"]) <= set(whole["days"])


def test_full_curves_without_json_is_refused_in_one_line(run, fake_log):
    code, out, err = run("report", "log.csv", "--as-of", LATER, "--full-curves")
    assert code == 2 and out == "" and err.count("\n") == 1 and "--json" in err


def test_report_plot_into_a_folder_is_refused_naming_the_folder(run, fake_log, tmp_path):
    # matplotlib wrote FOLDER.png beside the folder; now one line, before the log is read.
    code, out, err = run("report", "log.csv", "--as-of", LATER, "--plot", str(tmp_path))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert f"--plot {tmp_path} is a folder" in err and "report.png" in err
    assert fake_log == [] and not tmp_path.with_suffix(".png").exists()


@pytest.mark.parametrize("name", ["report", "report.txt", "report."])
def test_report_plot_without_an_image_suffix_is_refused(run, fake_log, tmp_path, name):
    # matplotlib added .png to "report" without a word, and failed on .txt after the report.
    target = tmp_path / name
    code, out, err = run("report", "log.csv", "--as-of", LATER, "--plot", str(target))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert str(target) in err and ".png, .svg or .pdf" in err
    assert fake_log == [] and list(tmp_path.iterdir()) == []


def test_report_plot_format_follows_the_suffix(run, fake_log, tmp_path):
    code, _, _ = run("report", "log.csv", "--as-of", LATER, "--plot", str(tmp_path / "r.SVG"))
    assert code == 0 and (tmp_path / "r.SVG").read_text().lstrip().startswith("<?xml")


def test_report_text_and_bad_options(run, fake_log):
    code, out, _ = run("report", "log.csv", "--as-of", LATER)
    assert code == 0 and "Counting any response" in out
    assert run("report", "log.csv", "--window", "soon")[0] == 2
    assert run("report", "log.csv", "--as-of", "not a time")[0] == 2
    code, _, err = run("report", "log.csv", "--as-of", "2025-03-02T00:00Z")
    assert code == 2 and "nothing to report" in err


@pytest.fixture
def two_experiment_log(tmp_path):
    """A real log holding the unnamed experiment (3 + 3 requests) and one called 'tone'."""
    from etiquette_lab.log.file import create_log

    path = tmp_path / "asks.csv"
    log = create_log(path, variants=["default", "personalised"], at="2026-01-01T09:00Z")
    for day in (1, 2, 3):
        log.send(f"P{day}", "default", at=f"2026-01-0{day}T10:00Z")
        ask = log.send(f"Q{day}", "personalised", at=f"2026-01-0{day}T11:00Z")
    log.respond(ask, at="2026-01-04T10:00Z")
    log.declare("tone", ["default", "personalised"], at="2026-01-01T09:00Z")
    log.send("R1", "default", experiment="tone", at="2026-01-02T10:00Z")
    return str(path)


def test_report_on_a_log_with_several_experiments_says_how_to_choose(run, two_experiment_log):
    code, out, err = run("report", two_experiment_log, "--as-of", "2026-02-01T00:00Z")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "several experiments ('' (unnamed), 'tone')" in err
    assert "--experiment NAME" in err and "--experiment ''" in err


def test_report_on_the_unnamed_experiment_with_an_empty_name(run, two_experiment_log):
    code, out, _ = run(
        "report", two_experiment_log, "--as-of", "2026-02-01T00:00Z", "--experiment", ""
    )
    assert code == 0 and "1 of 3 (33.3%) vs 0 of 3 (0%)" in out
    code, out, _ = run(
        "report",
        two_experiment_log,
        "--as-of",
        "2026-02-01T00:00Z",
        "--experiment",
        "tone",
        "--json",
    )
    assert code == 0 and _strict_json(out)["arms"] == [
        {**_strict_json(out)["arms"][0], "name": "default", "n": 1, "responded": 0}
    ]
    code, _, err = run("report", two_experiment_log, "--experiment", "tune")
    assert code == 2 and "no request belongs to the experiment 'tune'" in err and "'tone'" in err
