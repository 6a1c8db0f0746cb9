"""The experiment file: reading, writing (round trips), building in Python, and every bad input."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etiquette_lab.design.messages import (
    Experiment,
    Variant,
    builtin_template,
    builtin_template_names,
    experiment_to_toml,
    load_experiment,
    save_experiment,
)
from etiquette_lab.errors import InvalidInputError

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "examples" / "experiment.toml"
RECOMMENDATION_START = (
    "I'm writing to ask if you would write a brief recommendation of my work that I can include "
    "on my LinkedIn profile. If you have any questions, let me know. Thanks in advance for "
    "helping me out."
)

VALID = """
name = "demo"
seed = 3
[[variants]]
name = "default"
template_file = "builtin:linkedin-recommendation-default"
[[variants]]
name = "personalised"
template = "Hi {first_name}, about {shared_project}"
"""


def write(tmp_path: Path, text: str, name: str = "exp.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_default_recommendation_text_is_linkedins():
    # The article quotes the start; the rest of LinkedIn's standard text is as in the brief.
    text = " ".join(builtin_template("linkedin-recommendation-default").split())
    assert RECOMMENDATION_START in text
    assert builtin_template("linkedin-connection-default") == (
        "I'd like to add you to my professional network on LinkedIn."
    )
    assert {
        "linkedin-recommendation-default",
        "linkedin-connection-default",
        "recommendation-personalised",
        "connection-personalised",
    } <= set(builtin_template_names())


def test_the_example_file_loads_with_the_documented_defaults():
    e = load_experiment(EXAMPLE)
    assert e.variant_names == ("default", "personalised")
    assert e.control == "default"
    assert e.outcome_window_days == 7.0
    assert e.strata == "closeness"
    assert e.block_size == 2
    assert e.variant("default").source == "builtin:linkedin-recommendation-default"
    # The TOML line-ending backslash joins the lines of the personalised template.
    assert "{shared_project}. I'm updating" in e.variant("personalised").template


def test_defaults_when_optional_settings_are_absent(tmp_path):
    e = load_experiment(write(tmp_path, VALID))
    assert (e.kind, e.channel, e.control, e.outcome_window_days) == (
        "recommendation", "linkedin", "default", 7.0,
    )  # fmt: skip
    assert e.strata == "" and e.block_size == 2
    assert e.fields == ("first_name", "shared_project")


def test_a_python_built_experiment_equals_the_loaded_one(tmp_path):
    built = Experiment(
        "demo",
        [
            Variant.from_builtin("default", "linkedin-recommendation-default"),
            Variant("personalised", "Hi {first_name}, about {shared_project}"),
        ],
        seed=3,
    )
    assert load_experiment(write(tmp_path, VALID)) == built


def test_save_then_load_gives_the_same_experiment(tmp_path):
    (tmp_path / "mine.txt").write_text("Hei {first_name}!\n", encoding="utf-8")
    e = Experiment(
        'round trip: «Ørjan» "quoted" \\ back',
        [
            Variant("default", 'Line one\n\n\tIndented "q" \\n literal\nend'),
            Variant("b", "x", weight=2),
            Variant("c", "Hei {first_name}!", source="mine.txt"),
        ],
        kind="connection",
        control="b",
        outcome_window_days=10.5,
        seed=2**40,
        strata="closeness",
        block_size=8,
    )
    path = tmp_path / "saved.toml"
    save_experiment(e, path)
    again = load_experiment(path)
    assert again == e
    assert 'template_file = "mine.txt"' in path.read_text(encoding="utf-8")


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_the_writer_escapes_any_text(text):
    # The independent reader is tomllib: every string we write must read back unchanged.
    name = text if text.strip() else "x" + text
    e = Experiment(name, [Variant("a", "t"), Variant("b", "u")])
    assert tomllib.loads(experiment_to_toml(e))["name"] == name


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60))
def test_template_text_round_trips_after_cleaning(text):
    try:
        variant = Variant("b", text.replace("{", "{{").replace("}", "}}"))
    except InvalidInputError:
        return
    if not variant.template.strip():
        return
    e = Experiment("x", [Variant("a", "t"), variant])
    loaded = Experiment.from_dict(tomllib.loads(experiment_to_toml(e)))
    assert loaded.variant("b").template == variant.template


def test_template_file_is_read_relative_to_the_experiment_file(tmp_path):
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "p.txt").write_text("\ufeffHi {first_name}\n", encoding="utf-8")
    text = VALID.replace('template = "Hi {first_name}, about {shared_project}"',
                         'template_file = "t/p.txt"')  # fmt: skip
    assert (
        load_experiment(write(tmp_path, text)).variant("personalised").template == "Hi {first_name}"
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("seed = 3", "seed = -1"), "seed must be a non-negative whole number"),
        (("seed = 3", 'seed = "3"'), "seed must be a non-negative whole number"),
        (("seed = 3", "seed = 3\ncolour = 1"), "unknown experiment setting 'colour'"),
        (("seed = 3", 'seed = 3\ncontrol = "treatment"'), "control 'treatment' is not one of"),
        (("seed = 3", 'seed = 3\nkind = "poke"'), "unknown kind 'poke'"),
        (
            ("seed = 3", "seed = 3\noutcome_window_days = 0"),
            "outcome_window_days must be a positive",
        ),
        (("seed = 3", "seed = 3\nblock_size = 3"), "block_size must be a positive multiple of"),
        (('name = "demo"', 'name = " "'), "non-empty name"),
        (('name = "personalised"\ntemplate =', 'name = "default"\ntemplate ='), "distinct"),
        (('template = "Hi', 'weight = 0.5\ntemplate = "Hi'), "weight must be a positive whole"),
        (('template = "Hi', 'weight = 0\ntemplate = "Hi'), "weight must be a positive whole"),
        (('template = "Hi {first_name}', 'template = "Hi {first_name.upper}'), "not a plain field"),
        (('template = "Hi {first_name}', 'template = "Hi {first_name!r}'), "not a plain field"),
        (('template = "Hi {first_name}', 'template = "Hi {first_name'), "unbalanced braces"),
        (
            ('template = "Hi {first_name}, about {shared_project}"', 'template = "  "'),
            "empty template",
        ),
        (('template = "Hi', 'template_file = "x.txt"\ntemplate = "Hi'), "exactly one of"),
        (("builtin:linkedin-recommendation-default", "builtin:nope"), "no builtin template 'nope'"),
        (("builtin:linkedin-recommendation-default", "missing.txt"), "does not exist"),
        (
            ('[[variants]]\nname = "personalised"', '[[variants]]\nname = "p"\nfont = 1'),
            "unknown setting 'font'",
        ),
    ],
)
def test_bad_experiment_files_are_named(tmp_path, change, message):
    old, new = change
    assert old in VALID
    path = write(tmp_path, VALID.replace(old, new, 1))
    with pytest.raises(InvalidInputError, match=message.replace("(", r"\(")) as info:
        load_experiment(path)
    assert str(path) in str(info.value)


def test_one_variant_is_not_an_experiment(tmp_path):
    text = VALID.split('[[variants]]\nname = "personalised"')[0]
    with pytest.raises(InvalidInputError, match="at least two variants"):
        load_experiment(write(tmp_path, text))


def test_no_variants_at_all(tmp_path):
    with pytest.raises(InvalidInputError, match=r"needs \[\[variants\]\]"):
        load_experiment(write(tmp_path, 'name = "x"\n'))


def test_file_problems_are_one_line_errors(tmp_path):
    with pytest.raises(InvalidInputError, match="does not exist"):
        load_experiment(tmp_path / "nope.toml")
    with pytest.raises(InvalidInputError, match="not valid TOML"):
        load_experiment(write(tmp_path, "name = = 1"))
    bad = tmp_path / "latin1.toml"
    bad.write_bytes('name = "Ørjan"'.encode("latin-1"))
    with pytest.raises(InvalidInputError, match="not UTF-8"):
        load_experiment(bad)


def test_weights_set_the_block(tmp_path):
    e = Experiment("w", [Variant("a", "x", weight=2), Variant("b", "y")], block_size=6)
    assert e.block_size == 6
    assert "block_size = 6" in experiment_to_toml(e)
    with pytest.raises(InvalidInputError, match="weight"):
        Experiment("w", [Variant("a", "x", weight=True), Variant("b", "y")])


@pytest.mark.parametrize(
    ("change", "key", "message"),
    [
        # Each of these used to build a list of that many names and run out of memory.
        (("seed = 3", "seed = 3\nblock_size = 1000000000000"), "block_size", "at most 1000"),
        (('template = "Hi', 'weight = 100000000000\ntemplate = "Hi'), "weight", "add up to"),
        (('template = "Hi', 'weight = 1e11\ntemplate = "Hi'), "weight", "positive whole"),
        (('template = "Hi', 'weight = 1000\ntemplate = "Hi'), "weight", "add up to 1001"),
    ],
)
def test_huge_blocks_are_refused_at_their_line(tmp_path, change, message, key):
    old, new = change
    path = write(tmp_path, VALID.replace(old, new, 1))
    with pytest.raises(InvalidInputError, match=message) as info:
        load_experiment(path)
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "000" in text
                or "1e11" in text)  # fmt: skip
    assert f"{path}, line {line}, field {key!r}" in str(info.value)


def test_the_largest_block_is_allowed_and_fast(tmp_path):
    from etiquette_lab.design.messages import assign_variants

    e = load_experiment(write(tmp_path, VALID.replace("seed = 3", "seed = 3\nblock_size = 1000")))
    out = assign_variants([{"name": f"p{i}"} for i in range(1000)], e)
    assert out["variant"].value_counts().to_dict() == {"default": 500, "personalised": 500}


def test_a_template_file_that_is_a_folder_is_named(tmp_path):
    (tmp_path / "wordings").mkdir()
    path = write(tmp_path, VALID.replace("builtin:linkedin-recommendation-default", "wordings"))
    with pytest.raises(InvalidInputError, match=r"template file .* cannot be read") as info:
        load_experiment(path)
    assert f"{path}, line 6, field 'template_file'" in str(info.value)


def test_an_experiment_path_that_is_a_folder_is_one_line(tmp_path):
    with pytest.raises(InvalidInputError, match="cannot be read"):
        load_experiment(tmp_path)


def test_the_kind_is_stored_in_the_kits_spelling(tmp_path):
    e = load_experiment(write(tmp_path, 'kind = "Connection"\n' + VALID))
    assert e.kind == "connection"
    with pytest.raises(InvalidInputError, match="unknown kind"):
        load_experiment(write(tmp_path, 'kind = "Coffee"\n' + VALID))


def test_tables_list_the_control_first_whatever_the_file_order():
    e = Experiment(
        "demo",
        [Variant("short", "Hi {first_name}"), Variant("default", "Dear {first_name}")],
        control="default",
    )
    assert e.variant_names == ("short", "default")
    assert e.variant_names_control_first == ("default", "short")
