"""Templates, the contacts file, rendering, validation before anything happens, and the score."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etiquette_lab.design.messages import (
    Experiment,
    Variant,
    builtin_template,
    personalisation_score,
    plan_messages,
    read_contacts,
    render_messages,
    render_template,
    template_fields,
    validate_contacts,
    wording_distance,
)
from etiquette_lab.design.score import PersonalisationScore
from etiquette_lab.errors import InvalidInputError

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "examples"
PERSONAL = "Hi {first_name}, could you recommend my work on {shared_project}? Mention my {skill}."


def experiment(**options) -> Experiment:
    return Experiment(
        "render",
        [
            Variant.from_builtin("default", "linkedin-recommendation-default"),
            Variant("personalised", PERSONAL),
        ],
        seed=5,
        **options,
    )


def person(name="Ørjan Lid", **fields):
    base = {"name": name, "first_name": name.split()[0], "shared_project": "Tern", "skill": "SQL"}
    return {**base, **fields}


# -- templates and rendering --------------------------------------------------------------


def test_template_fields_and_literal_braces():
    assert template_fields("{a} {{b}} {c} {a}") == ("a", "c")
    assert render_template("{{x}} {a}", {"a": "Zoë"}) == "{x} Zoë"
    with pytest.raises(InvalidInputError, match="not a plain field"):
        template_fields("{0}")
    with pytest.raises(InvalidInputError, match="not a plain field"):
        template_fields("{a:>10}")


@pytest.mark.parametrize("value", [None, "", "   ", float("nan")])
def test_a_missing_or_blank_value_names_the_recipient_and_field(value):
    fields = (
        {"first_name": "Zoë"} if value is None else {"first_name": "Zoë", "shared_project": value}
    )
    with pytest.raises(InvalidInputError) as info:
        render_template("Hi {first_name}, {shared_project}", fields, recipient="Zoë Berg")
    assert str(info.value) == (
        "recipient 'Zoë Berg' has no value for field 'shared_project' used by the template"
    )


def test_validation_covers_every_variant_and_counts_the_problems():
    people = [person(), person("Zoë Berg", skill=""), person("Åse Dal", shared_project=" ")]
    with pytest.raises(InvalidInputError) as info:
        validate_contacts(experiment(), people)
    # Zoë's gap is found even though chance might have given her the default wording.
    # Either design.validate_contacts' own wording or check_contact_values' (field named first).
    assert re.search(
        r"recipient 'Zoë Berg' has no value( for field 'skill')? "
        r"\(used by variant 'personalised'\)",
        str(info.value),
    )
    assert "2 missing values in all" in str(info.value)
    assert "\n" not in str(info.value)


def test_a_column_missing_from_the_contacts_is_named():
    with pytest.raises(
        InvalidInputError, match=r"no column 'skill' \(used by variant 'personalised'\)"
    ):
        validate_contacts(experiment(), [{"name": "A B", "first_name": "A", "shared_project": "x"}])


def test_fields_of_the_default_wording_are_required_too():
    # The default greets by first name: it must be there to score a personalised message.
    e = Experiment("x", [Variant("a", "Hello"), Variant("b", "Hi {skill}")])
    with pytest.raises(InvalidInputError, match=r"'first_name' \(used by the default wording"):
        validate_contacts(e, [{"name": "A", "skill": "x"}])


def test_contacts_with_duplicate_or_empty_names_are_refused():
    with pytest.raises(InvalidInputError, match="'zoë  berg' appears more than once"):
        validate_contacts(experiment(), [person("Zoë Berg"), person("zoë  berg")])
    with pytest.raises(InvalidInputError, match="row 2: the 'name' column is empty"):
        validate_contacts(experiment(), [person(), {**person("Zoë B"), "name": " "}])
    with pytest.raises(InvalidInputError, match="no 'email' column"):
        validate_contacts(experiment(), [person()], key="email")


def test_read_contacts_handles_bom_semicolons_and_keeps_text(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("\ufeffname;first_name;zip\nZoë Berg;Zoë;0150\nNA;NA;\n", encoding="utf-8")
    frame = read_contacts(path)
    assert frame["name"].tolist() == ["Zoë Berg", "NA"]  # "NA" is a name, not a missing value
    assert frame.loc[0, "zip"] == "0150" and frame.loc[1, "zip"] == ""
    with pytest.raises(InvalidInputError, match="does not exist"):
        read_contacts(tmp_path / "none.csv")
    (tmp_path / "e.csv").write_text("", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="is empty"):
        read_contacts(tmp_path / "e.csv")


def test_the_example_contacts_are_twenty_fictional_people_with_norwegian_letters():
    frame = read_contacts(EXAMPLES / "contacts.csv")
    assert len(frame) == 20
    assert {"Ørjan", "Zoë"} <= set(frame["first_name"])
    assert set(frame["closeness"]) == {"close colleague", "acquaintance", "senior"}


def test_render_messages_needs_an_assignment():
    with pytest.raises(InvalidInputError, match="'variant' column"):
        render_messages(experiment(), [person()])


def test_plan_renders_the_assigned_template_for_each_person():
    plan = plan_messages(experiment(), [person(), person("Zoë Berg", shared_project="Fjord app")])
    for row in plan.to_dict("records"):
        expected = (
            PERSONAL
            if row["variant"] == "personalised"
            else builtin_template("linkedin-recommendation-default")
        )
        assert row["message"] == render_template(expected, row)
    assert (
        plan.loc[plan["recipient"] == "Zoë Berg", "message"]
        .iloc[0]
        .startswith(("Hi Zoë", "Dear Zoë"))
    )


# -- the personalisation score --------------------------------------------------------------


def test_the_default_wording_scores_zero_and_personal_scores_high():
    plan = plan_messages(experiment(), [person(), person("Zoë Berg")])
    default = plan[plan["variant"] == "default"].iloc[0]
    personal = plan[plan["variant"] == "personalised"].iloc[0]
    assert (default["score"], default["distance"], default["detail"]) == (0.0, 0.0, False)
    assert personal["detail"] and personal["detail_fields"] == "shared_project;skill"
    assert 0.5 < personal["score"] <= 1


def test_distance_is_one_minus_difflib_ratio_over_words():
    message, default = (
        "Hi Zoë, could you write a line?",
        "Dear Zoë, could you write me a recommendation?",
    )
    # Independent recomputation: difflib over the lower-cased words, punctuation dropped.
    a = ["hi", "zoë", "could", "you", "write", "a", "line"]
    b = ["dear", "zoë", "could", "you", "write", "me", "a", "recommendation"]
    expected = 1 - difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
    assert expected == pytest.approx(1 - 2 * 5 / 15)  # 5 words in common out of 7 + 8
    assert wording_distance(message, default) == pytest.approx(expected)
    chars = 1 - difflib.SequenceMatcher(None, message, default, autojunk=False).ratio()
    assert wording_distance(message, default, method="characters") == pytest.approx(chars)
    with pytest.raises(InvalidInputError, match="unknown method"):
        wording_distance(message, default, method="levenshtein")


def test_score_combines_distance_and_detail_equally():
    s = personalisation_score("Totally new words", default="Old text here", fields={"skill": "SQL"})
    assert (s.distance, s.detail, s.score) == (1.0, False, 0.5)
    s = personalisation_score("Your SQL help", default="Old text", fields={"skill": "sql"})
    assert (s.distance, s.detail, s.detail_fields, s.score) == (1.0, True, ("skill",), 1.0)
    assert isinstance(s, PersonalisationScore) and s.summary.loc[0, "detail_fields"] == "skill"


def test_detail_needs_whole_words_and_ignores_names_and_the_defaults_own_words():
    fields = {
        "first_name": "Ada",
        "name": "Ada Berg",
        "skill": "writing",
        "city": "Bø",
        "tool": "R",
    }
    s = personalisation_score(
        "Ada Berg, I'm writing about Bøler and R", default="I'm writing to ask", fields=fields
    )
    # "writing" is in the default; "Bø" is not a whole word of "Bøler"; names never count.
    assert s.detail_fields == ("tool",)


def test_an_empty_message_scores_zero():
    assert personalisation_score("  ", default="Hello").score == 0.0


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=60), st.text(max_size=60), st.sampled_from(["tokens", "characters"]))
def test_score_is_always_in_the_unit_interval(message, default, method):
    s = personalisation_score(message, default=default, fields={"x": message[:5]}, method=method)
    assert 0.0 <= s.score <= 1.0 and 0.0 <= s.distance <= 1.0


def test_the_score_ignores_the_strata_column():
    e = experiment(strata="closeness")
    rows = [person(closeness="senior"), person("Zoë Berg", closeness="senior")]
    variants = [Variant("a", "Hello {first_name}"), Variant("b", "Hi {first_name}, a {closeness}")]
    e2 = Experiment("s", variants, strata="closeness")
    plan = plan_messages(e2, rows)
    assert "closeness" not in ";".join(plan["detail_fields"])
    assert len(plan_messages(e, rows)) == 2


def test_plan_columns_come_first_and_types_are_plain():
    plan = plan_messages(experiment(), [person(), person("Zoë Berg")])
    assert list(plan.columns[:4]) == ["experiment", "recipient", "variant", "stratum"]
    assert plan["block"].tolist() == [0, 0] and pd.api.types.is_integer_dtype(plan["slot"])
