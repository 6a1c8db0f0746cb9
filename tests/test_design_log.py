"""From a contacts file and two wordings to logged sends: assignment, stratum and score stored."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from etiquette_lab.design.messages import (
    load_experiment,
    log_messages,
    plan_messages,
    read_contacts,
    read_plan,
    write_plan,
)
from etiquette_lab.errors import InvalidInputError
from etiquette_lab.log.file import create_log

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "examples"


@pytest.fixture
def experiment():
    return load_experiment(EXAMPLES / "experiment.toml")


@pytest.fixture
def plan(experiment):
    return plan_messages(experiment, read_contacts(EXAMPLES / "contacts.csv"))


def new_log(log_path, experiment):
    return create_log(log_path, experiment=experiment.name, variants=list(experiment.variant_names))


def test_logging_the_plan_stores_assignment_stratum_and_score(log_path, experiment, plan):
    log = new_log(log_path, experiment)
    ids = log_messages(log, plan, at="2026-11-02T09:00+01:00")
    assert len(ids) == 20
    requests = log.requests()
    merged = requests.merge(plan, on="recipient", suffixes=("", "_plan"))
    for column in ("variant", "stratum", "assignment", "message", "experiment", "kind"):
        assert (merged[column] == merged[f"{column}_plan"]).all(), column
    assert merged["score"].to_numpy() == pytest.approx(merged["score_plan"].to_numpy())
    assert requests["assignment"].str.startswith("seed=20261102;stratum=").all()


def test_one_person_at_a_time_and_no_double_logging(log_path, experiment, plan):
    log = new_log(log_path, experiment)
    first = log_messages(log, plan, recipients=["ørjan fjelltopp"], at="2026-11-02T09:00+01:00")
    assert log.requests()["recipient"].tolist() == ["Ørjan Fjelltopp"]
    with pytest.raises(InvalidInputError, match=f"already has request {first[0]}"):
        log_messages(log, plan, at="2026-11-03T09:00+01:00")
    assert len(log.requests()) == 1  # nothing written by the refused call
    rest = plan[plan["recipient"] != "Ørjan Fjelltopp"]
    assert len(log_messages(log, rest, at="2026-11-03T09:00+01:00")) == 19
    assert len(log_messages(log, plan, recipients="Zoë Quillfeather", allow_repeat=True)) == 1


def test_unknown_recipient_or_empty_message_logs_nothing(log_path, experiment, plan):
    log = new_log(log_path, experiment)
    with pytest.raises(InvalidInputError, match="'Nobody' is not in the plan"):
        log_messages(log, plan, recipients=["Zoë Quillfeather", "Nobody"])
    broken = plan.copy()
    broken.loc[5, "message"] = "  "
    with pytest.raises(InvalidInputError, match=r"planned message to .* is empty"):
        log_messages(log, broken)
    with pytest.raises(InvalidInputError, match="no 'score' column"):
        log_messages(log, plan.drop(columns="score"))
    assert log.requests().empty


def test_a_missing_placeholder_stops_everything_before_the_log(log_path, experiment):
    contacts = read_contacts(EXAMPLES / "contacts.csv")
    contacts.loc[7, "skill"] = ""
    log = new_log(log_path, experiment)
    with pytest.raises(
        InvalidInputError, match="line 9, field 'skill': recipient 'Ingrid Mosegrønn' has no value"
    ):
        log_messages(log, plan_messages(experiment, contacts))
    assert log.requests().empty


def test_plan_file_round_trip_keeps_text_exactly(tmp_path, plan):
    tricky = plan.copy()
    tricky.loc[0, "message"] = "=SUM(A1) and a line\nbreak, «Ørjan»"
    path = tmp_path / "plan.csv"
    write_plan(tricky, path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # a BOM, for Excel
    assert "'=SUM(A1)" in path.read_text(encoding="utf-8-sig")  # not run as a formula
    back = read_plan(path)
    assert back.loc[0, "message"] == tricky.loc[0, "message"]
    assert back["score"].to_numpy() == pytest.approx(plan["score"].to_numpy())
    with pytest.raises(InvalidInputError, match="does not exist"):
        read_plan(tmp_path / "none.csv")
    pd.DataFrame({"recipient": ["x"]}).to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(InvalidInputError, match="has no 'experiment' column"):
        read_plan(tmp_path / "bad.csv")


def test_adding_contacts_later_with_the_log_as_previous(log_path, experiment, plan):
    log = new_log(log_path, experiment)
    log_messages(log, plan.iloc[:6], at="2026-11-02T09:00+01:00")
    contacts = read_contacts(EXAMPLES / "contacts.csv")
    extra = pd.DataFrame(
        [
            {
                "name": "Ny Person",
                "first_name": "Ny",
                "closeness": "senior",
                "shared_project": "x",
                "skill": "y",
            }
        ]
    )
    # The file is reordered and grows; those already sent keep their wording and slot.
    grown = pd.concat([extra, contacts.iloc[::-1]], ignore_index=True)
    again = plan_messages(experiment, grown, previous=log.requests()).set_index("recipient")
    sent = plan.iloc[:6].set_index("recipient")
    assert (again.loc[sent.index, "assignment"] == sent["assignment"]).all()
    assert not again.duplicated(["stratum", "block", "slot"]).any()


def test_planned_sends_can_be_pseudonymised_without_the_personal_message(tmp_path):
    from etiquette_lab import create_log, pseudonymise
    from etiquette_lab.design.messages import (
        load_experiment,
        log_messages,
        plan_messages,
        read_contacts,
    )

    root = Path(__file__).resolve().parent.parent / "data" / "examples"
    plan = plan_messages(
        load_experiment(root / "experiment.toml"), read_contacts(root / "contacts.csv")
    )
    log = create_log(tmp_path / "log.csv")
    first = plan["recipient"].iloc[0]
    log_messages(log, plan, recipients=[first], at="2026-11-02T09:00+01:00", pseudonym_key=b"k")
    row = log.requests().iloc[0]
    assert row["recipient"] == pseudonymise(first, b"k") and row["message"] == ""
    assert row["score"] == plan["score"].iloc[0]
    assert first.split()[0] not in (tmp_path / "log.csv").read_text(encoding="utf-8-sig")
    with pytest.raises(Exception, match="already has request"):  # repeats seen through pseudonyms
        log_messages(log, plan, recipients=[first], pseudonym_key=b"k")


def test_a_plan_is_checked_against_the_variants_of_a_log_made_without_experiment(tmp_path, plan):
    # The documented workflow: `new LOG --variants default,personalised`, then send-planned.
    # The plan's experiment has no declaration in the log, so the log's declaration applies.
    log = create_log(tmp_path / "log.csv", variants=["default", "personalised"])
    path = tmp_path / "plan.csv"
    edited = plan.copy()
    edited.loc[7, "variant"] = "personalized"
    write_plan(edited, path)
    # Messages span several lines, so the row's line is found in the file's text.
    start = f"{plan.loc[7, 'experiment']},{plan.loc[7, 'recipient']},personalized,"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.startswith(start))
    assert line > 9  # not simply the row number
    with pytest.raises(InvalidInputError, match="'personalized' is not one the log declares") as e:
        log_messages(log, read_plan(path))
    assert f"{path}, line {line}, field 'variant'" in str(e.value)
    assert log.requests().empty
    ids = log_messages(log, plan.iloc[:2], at="2026-11-02T09:00+01:00")
    # Filed under the plan's own experiment, which `check --experiment FILE` goes by.
    assert log.requests()["experiment"].tolist() == [plan["experiment"].iloc[0]] * 2
    assert len(ids) == 2


def test_a_log_declaring_the_plans_own_experiment_is_not_overridden(tmp_path, plan):
    from etiquette_lab.log.file import _row

    log = create_log(tmp_path / "log.csv", experiment="other", variants=["x", "y"])
    name = plan["experiment"].iloc[0]
    log._append([_row("declared", None, experiment=name, variant="default|personalised")])
    assert len(log_messages(log, plan.iloc[:2], at="2026-11-02T09:00+01:00")) == 2


def test_plan_kinds_are_stored_in_the_kits_spelling(tmp_path, plan):
    log = create_log(tmp_path / "log.csv")
    shouted = plan.iloc[:1].assign(kind="Recommendation")
    log_messages(log, shouted, at="2026-11-02T09:00+01:00")
    assert log.requests()["kind"].tolist() == ["recommendation"]
    with pytest.raises(InvalidInputError, match="already has request"):  # same kind, any case
        log_messages(log, shouted)
