"""The experiment file's [monitoring] table: good values, every bad value, round trips."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from etiquette_lab.cli import main
from etiquette_lab.design.messages import (
    Experiment,
    experiment_to_toml,
    load_experiment,
    save_experiment,
)
from etiquette_lab.errors import InvalidInputError, LocatedInputError
from etiquette_lab.sequential.spec import DesignSpec, design_spec

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "examples"

VALID = """name = "demo"
seed = 3
[[variants]]
name = "default"
template_file = "builtin:linkedin-recommendation-default"
[[variants]]
name = "personalised"
template = "Hi {first_name}, about {shared_project}"
"""
#: The first line of the [monitoring] table appended to VALID (VALID has 8 lines, then a blank).
HEADER_LINE = 10


def write(tmp_path: Path, table: str) -> Path:
    path = tmp_path / "exp.toml"
    path.write_text(VALID + "\n[monitoring]\n" + table, encoding="utf-8")
    return path


def test_an_experiment_without_the_table_has_no_design_and_writes_none():
    experiment = load_experiment(EXAMPLES / "experiment.toml")
    assert experiment.monitoring is None
    assert "monitoring" not in experiment_to_toml(experiment)


@pytest.mark.parametrize(
    ("table", "looks", "maximum"),
    [
        ("looks = 3\nmax_per_arm = 60\n", (20, 40, 60), 60),
        # k * max / K rounded half up: 100 / 3 -> 33, 67, 100
        ("looks = 3\nmax_per_arm = 100\n", (33, 67, 100), 100),
        ("looks = [10, 20, 30]\n", (10, 20, 30), 30),
        ("looks = [10, 20]\nmax_per_arm = 30\n", (10, 20, 30), 30),
        ('looks = "anytime"\nmax_per_arm = 100\n', "anytime", 100),
        ('looks = "Anytime"\nmax_per_arm = 100\n', "anytime", 100),
    ],
)
def test_good_tables_give_the_design(tmp_path, table, looks, maximum):
    spec = load_experiment(write(tmp_path, table)).monitoring
    assert isinstance(spec, DesignSpec)
    assert (spec.looks, spec.max_per_arm) == (looks, maximum)
    assert (spec.alpha, spec.alternative) == (0.05, "two-sided")
    assert spec.spending == (None if looks == "anytime" else "obrien-fleming")


def test_every_setting_is_read(tmp_path):
    table = (
        'looks = [10, 20]\nmax_per_arm = 40\nalpha = 0.1\nalternative = "greater"\n'
        'spending = "power"\nrho = 2\nfutility = [0.0, 0.5]\nmethod = "normal"\n'
    )
    spec = load_experiment(write(tmp_path, table)).monitoring
    assert spec == DesignSpec((10, 20, 40), 40, 0.1, "greater", "power", 2.0, (0.0, 0.5), "normal")
    one = load_experiment(write(tmp_path, "looks = 2\nmax_per_arm = 20\nfutility = 1\n"))
    assert one.monitoring.futility == (1.0,)


@pytest.mark.parametrize(
    "table",
    [
        "looks = 3\nmax_per_arm = 60\n",
        'looks = "anytime"\nmax_per_arm = 50\nalpha = 0.1\nalternative = "greater"\n',
        'looks = [5, 12]\nmax_per_arm = 30\nspending = "power"\nrho = 1.5\nfutility = 0.5\n',
    ],
)
def test_save_then_load_gives_the_same_design(tmp_path, table):
    experiment = load_experiment(write(tmp_path, table))
    again = tmp_path / "again.toml"
    save_experiment(experiment, again)
    assert load_experiment(again) == experiment
    # tomllib, the independent reader, sees a [monitoring] table
    assert tomllib.loads(again.read_text(encoding="utf-8"))["monitoring"]["looks"] in (
        [20, 40, 60],
        "anytime",
        [5, 12, 30],
    )


def test_a_python_built_design_equals_the_loaded_one(tmp_path):
    loaded = load_experiment(write(tmp_path, 'looks = [10, 20, 30]\nspending = "pocock"\n'))
    built = Experiment(
        "demo", loaded.variants, seed=3, monitoring=design_spec([10, 20, 30], spending="pocock")
    )
    assert built == loaded
    with pytest.raises(InvalidInputError, match="monitoring must be a DesignSpec"):
        Experiment("demo", loaded.variants, monitoring={"looks": 3})


# (table, field, line offset from the [monitoring] header, message)
BAD = [
    ("looks = 3\n", "max_per_arm", 0, "max_per_arm (requests per wording at the last look) is "
     "needed unless looks lists the sizes"),
    ("max_per_arm = 30\n", "looks", 0, 'needs looks: a number, a list of sizes or "anytime"'),
    ("looks = 0\nmax_per_arm = 30\n", "looks", 1, "looks must be at least 1, got 0"),
    ("looks = 40\nmax_per_arm = 30\n", "looks", 1,
     "40 equally spaced looks need at least 40 requests per wording; max_per_arm is 30"),
    ("looks = 2.5\nmax_per_arm = 30\n", "looks", 1, "looks must be a whole number of looks"),
    ("looks = true\nmax_per_arm = 30\n", "looks", 1, "looks must be a whole number of looks"),
    ('looks = "daily"\nmax_per_arm = 30\n', "looks", 1, "not 'daily'"),
    ("looks = []\nmax_per_arm = 30\n", "looks", 1, "looks must name at least one look"),
    ("looks = [10, 10]\nmax_per_arm = 30\n", "looks", 1,
     "looks must increase: look 2 (10 per wording) does not come after look 1 (10)"),
    ("looks = [20, 10]\n", "looks", 1, "looks must increase"),
    ("looks = [10, \"x\"]\n", "looks", 1, "look 2's size must be a whole number, got 'x'"),
    ("looks = [0, 10]\n", "looks", 1, "look 1's size must be at least 1, got 0"),
    ("looks = [20, 40]\nmax_per_arm = 10\n", "looks", 1,
     "max_per_arm (10 per wording) is below the first look (20 per wording)"),
    ("looks = [20, 40]\nmax_per_arm = 30\n", "looks", 1,
     "look 2 (40 per wording) is above max_per_arm (30)"),
    ("looks = 3\nmax_per_arm = 0\n", "max_per_arm", 2, "must be at least 1, got 0"),
    ("looks = 3\nmax_per_arm = 12.5\n", "max_per_arm", 2, "must be a whole number, got 12.5"),
    ('looks = 3\nmax_per_arm = "60"\n', "max_per_arm", 2, "must be a whole number, got '60'"),
    ("looks = 3\nmax_per_arm = 60\nalpha = 0\n", "alpha", 3, "alpha must be between 0 and 1"),
    ("looks = 3\nmax_per_arm = 60\nalpha = 1.0\n", "alpha", 3, "alpha must be between 0 and 1"),
    ("looks = 3\nmax_per_arm = 60\nalpha = -0.05\n", "alpha", 3, "between 0 and 1"),
    ('looks = 3\nmax_per_arm = 60\nalpha = "5%"\n', "alpha", 3, "alpha must be a number"),
    ("looks = 3\nmax_per_arm = 60\nalpha = true\n", "alpha", 3, "alpha must be a number"),
    ('looks = 3\nmax_per_arm = 60\nalternative = "less"\n', "alternative", 3,
     "unknown alternative 'less'; choose one of two-sided, greater"),
    ("looks = 3\nmax_per_arm = 60\nalternative = 2\n", "alternative", 3, "must be text"),
    ('looks = 3\nmax_per_arm = 60\nspending = "linear"\n', "spending", 3,
     "unknown spending 'linear'; choose one of obrien-fleming, pocock, power"),
    ("looks = 3\nmax_per_arm = 60\nspending = 1\n", "spending", 3, "spending must be text"),
    ("looks = 3\nmax_per_arm = 60\nrho = 2\n", "rho", 3, "rho applies only to"),
    ('looks = 3\nmax_per_arm = 60\nspending = "pocock"\nrho = 2\n', "spending", 3,
     "rho applies only to"),
    ('looks = 3\nmax_per_arm = 60\nspending = "power"\nrho = 0\n', "rho", 4,
     "rho must be a positive number, got 0"),
    ('looks = 3\nmax_per_arm = 60\nspending = "power"\nrho = "two"\n', "rho", 4,
     "rho must be a number"),
    ("looks = 3\nmax_per_arm = 60\nfutility = -1\n", "futility", 3,
     "two-sided futility bounds are on |z|: >= 0, got -1"),
    ("looks = 3\nmax_per_arm = 60\nfutility = [1.0]\n", "futility", 3,
     "futility needs one bound per interim look (2), got 1"),
    ('looks = 3\nmax_per_arm = 60\nfutility = ["a", 1]\n', "futility", 3,
     "futility must be a z value or a list of them"),
    ("looks = 3\nmax_per_arm = 60\nfutility = inf\n", "futility", 3, "futility must be finite"),
    ("looks = 1\nmax_per_arm = 60\nfutility = 1\n", "futility", 3,
     "futility bounds need at least two looks"),
    ('looks = 3\nmax_per_arm = 60\nmethod = "bayes"\n', "method", 3,
     "unknown method 'bayes'; choose one of exact, normal"),
    ("looks = 3\nmax_per_arm = 5000\n", "max_per_arm", 2,
     'exact designs go up to 1,000 requests per wording; max_per_arm is 5,000 (use method = '
     '"normal")'),
    ('looks = "anytime"\nmax_per_arm = 600\n', "max_per_arm", 2,
     "the anytime design's exact figures go up to 500 requests per wording"),
    ('looks = "anytime"\nmax_per_arm = 60\nspending = "pocock"\n', "spending", 3,
     'spending applies to planned looks, not to looks = "anytime"'),
    ('looks = "anytime"\nmax_per_arm = 60\nfutility = 1\n', "futility", 3,
     "futility applies to planned looks"),
    ('looks = "anytime"\nmax_per_arm = 60\nmethod = "normal"\n', "method", 3,
     "method applies to planned looks"),
    ("looks = 3\nmax_per_arm = 60\nmax_n = 60\n", "max_n", 3,
     "unknown monitoring setting 'max_n'; known: looks, max_per_arm, alpha"),
]  # fmt: skip


@pytest.mark.parametrize(("table", "field", "offset", "message"), BAD)
def test_bad_values_are_one_line_naming_file_line_and_field(tmp_path, table, field, offset,
                                                            message):  # fmt: skip
    path = write(tmp_path, table)
    with pytest.raises(LocatedInputError) as caught:
        load_experiment(path)
    text = str(caught.value)
    assert text.startswith(f"{path}, line {HEADER_LINE + offset}, field 'monitoring.{field}': ")
    assert message in text and "\n" not in text


def test_a_monitoring_value_that_is_not_a_table_is_named(tmp_path):
    path = tmp_path / "exp.toml"
    path.write_text("monitoring = 5\n" + VALID, encoding="utf-8")
    with pytest.raises(LocatedInputError, match=r"line 1, field 'monitoring': monitoring must be "):
        load_experiment(path)


def test_an_inline_table_is_located_at_its_key(tmp_path):
    path = tmp_path / "exp.toml"
    path.write_text("monitoring = { looks = 3 }\n" + VALID, encoding="utf-8")
    with pytest.raises(LocatedInputError, match=r"line 1, field 'monitoring.max_per_arm'"):
        load_experiment(path)


def test_a_key_of_the_same_name_elsewhere_is_not_taken_for_the_tables(tmp_path):
    # "alpha = " inside a variant's multi-line template is text, not the table's setting.
    text = (
        'name = "demo"\n[[variants]]\nname = "default"\n'
        'template_file = "builtin:linkedin-recommendation-default"\n'
        '[[variants]]\nname = "b"\ntemplate = """\nalpha = 1\nHi {first_name}"""\n'
        "[monitoring]\nlooks = 3\nmax_per_arm = 60\nalpha = 2\n"
    )
    path = tmp_path / "exp.toml"
    path.write_text(text, encoding="utf-8")
    assert text.splitlines()[12] == "alpha = 2"
    with pytest.raises(LocatedInputError, match=r"line 13, field 'monitoring.alpha'"):
        load_experiment(path)


def test_the_command_line_says_it_in_one_line_with_exit_2(tmp_path, capsys):
    path = write(tmp_path, "looks = [10, 5]\nmax_per_arm = 30\n")
    contacts = EXAMPLES / "contacts.csv"
    out = tmp_path / "plan.csv"
    code = main(["assign", str(path), str(contacts), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert err == (
        f"etiquette-lab: error: {path}, line {HEADER_LINE + 1}, field 'monitoring.looks': looks "
        "must increase: look 2 (5 per wording) does not come after look 1 (10)\n"
    )
