"""Random assignment: balance (overall and within strata), reproducibility, and stability when
contacts are added later."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etiquette_lab.design.messages import (
    Experiment,
    Variant,
    assign_variants,
    assignment_balance,
    block_order,
    load_experiment,
    parse_assignment,
    plan_messages,
    read_contacts,
)
from etiquette_lab.errors import InvalidInputError

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "examples"


def make(seed=42, strata="", weights=(1, 1), block_size=0) -> Experiment:
    variants = [Variant(name, "x", weight=w) for name, w in zip("abc", weights, strict=False)]
    return Experiment("assign", variants, seed=seed, strata=strata, block_size=block_size)


def people(n, strata=("close", "acquaintance", "senior")):
    return pd.DataFrame(
        {
            "name": [f"Person {i:03d}" for i in range(n)],
            "closeness": [strata[i % len(strata)] for i in range(n)],
        }
    )


def test_every_complete_block_holds_each_variant_by_its_weight():
    e = make(weights=(2, 1), block_size=6)
    out = assign_variants(people(30), e)
    for _, block in out.groupby("block"):
        assert Counter(block["variant"]) == {"a": 4, "b": 2}


def test_balance_within_each_stratum():
    e = make(strata="closeness", block_size=4)
    out = assign_variants(people(37), e)
    for stratum, group in out.groupby("stratum"):
        counts = Counter(group["variant"])
        # An incomplete last block is the only imbalance: at most block_size / 2 either way.
        assert abs(counts["a"] - counts["b"]) <= 2, stratum
    table = assignment_balance(out, variants=e.variant_names)
    assert table.loc["total", "total"] == 37
    assert table.loc[["acquaintance", "close", "senior"], "total"].tolist() == [12, 13, 12]


def test_the_example_experiment_gives_equal_arms_within_each_closeness():
    e = load_experiment(EXAMPLES / "experiment.toml")
    out = assign_variants(read_contacts(EXAMPLES / "contacts.csv"), e)
    table = pd.crosstab(out["stratum"], out["variant"])
    assert (table["default"] == table["personalised"]).all()


def test_same_seed_and_contacts_give_the_same_assignment_and_another_seed_another():
    first = assign_variants(people(40), make(seed=7))
    again = assign_variants(people(40), make(seed=7))
    pd.testing.assert_frame_equal(first, again)
    other = assign_variants(people(40), make(seed=8))
    assert (first["variant"] != other["variant"]).any()


def test_assignment_text_records_seed_stratum_block_and_slot():
    out = assign_variants(people(5), make(seed=42, strata="closeness"))
    row = out.iloc[3]  # Person 003 is the second 'close' person: block 0, slot 1
    assert row["assignment"] == "seed=42;stratum=close;block=0;slot=1"
    assert parse_assignment(row["assignment"]) == {
        "seed": 42,
        "stratum": "close",
        "block": 0,
        "slot": 1,
    }
    with pytest.raises(InvalidInputError, match="is not of the form"):
        parse_assignment("seed=42;block=x")


def test_block_order_is_a_seeded_numpy_permutation():
    # Independent recomputation of the documented recipe for one block.
    import hashlib

    e = make(seed=42, block_size=4)
    key = int.from_bytes(hashlib.sha256(b"close").digest()[:8], "big")
    perm = np.random.default_rng([42, key, 3]).permutation(4)
    assert block_order(e, "close", 3) == tuple(["a", "a", "b", "b"][i] for i in perm)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(0, 40), st.integers(1, 25), st.integers(0, 2**32), st.sampled_from([2, 4, 6])
)  # fmt: skip
def test_adding_contacts_at_the_end_never_reshuffles_anyone(n_before, n_added, seed, block):
    e = make(seed=seed, strata="closeness", block_size=block)
    everyone = people(n_before + n_added)
    before = assign_variants(everyone.iloc[:n_before], e)
    after = assign_variants(everyone, e)
    pd.testing.assert_frame_equal(after.iloc[:n_before], before)


def test_previous_assignment_locks_people_even_when_the_file_is_reordered():
    e = make(seed=3, strata="closeness")
    first = assign_variants(people(9), e)
    shuffled = pd.concat([people(14).iloc[9:], people(9).iloc[::-1]], ignore_index=True)
    again = assign_variants(shuffled, e, previous=first).set_index("name")
    locked = first.set_index("name")
    assert (again.loc[locked.index, "assignment"] == locked["assignment"]).all()
    assert (again.loc[locked.index, "variant"] == locked["variant"]).all()
    # The five newcomers take free slots: no two people share a slot of a stratum.
    assert not again.duplicated(["stratum", "block", "slot"]).any()


def test_previous_assignment_from_a_log_requests_table_shape():
    e = make(seed=3)
    first = assign_variants(people(4), e)
    logged = first[["recipient", "variant", "assignment"]].assign(experiment="assign")
    logged = pd.concat(
        [logged, logged.assign(experiment="another one")]
    )  # ignored: other experiment
    again = assign_variants(people(6), e, previous=logged.iloc[:3])
    assert again["assignment"].tolist()[:3] == first["assignment"].tolist()[:3]


def test_previous_with_another_seed_or_changed_design_is_refused():
    first = assign_variants(people(4), make(seed=3))
    with pytest.raises(InvalidInputError, match="used seed 3, but the experiment's seed is 4"):
        assign_variants(people(4), make(seed=4), previous=first)
    tampered = first.copy()
    tampered.loc[0, "variant"] = "b" if first.loc[0, "variant"] == "a" else "a"
    with pytest.raises(InvalidInputError, match="variants, weights or block size changed"):
        assign_variants(people(4), make(seed=3), previous=tampered)
    with pytest.raises(InvalidInputError, match="no 'assignment' column"):
        assign_variants(people(4), make(seed=3), previous=first[["recipient", "variant"]])


def test_strata_problems_name_the_recipient():
    frame = people(3)
    frame.loc[1, "closeness"] = " "
    with pytest.raises(
        InvalidInputError, match="'Person 001' has no value for strata field 'closeness'"
    ):
        assign_variants(frame, make(strata="closeness"))
    with pytest.raises(InvalidInputError, match="no strata column 'team'"):
        assign_variants(people(3), make(strata="team"))
    frame.loc[1, "closeness"] = "a=b"
    with pytest.raises(InvalidInputError, match="must not contain"):
        assign_variants(frame, make(strata="closeness"))


def test_reserved_columns_in_the_contacts_are_refused():
    with pytest.raises(InvalidInputError, match="already have a 'variant' column"):
        assign_variants(people(2).assign(variant="x"), make())


def test_small_lists_are_normal():
    assert len(assign_variants(people(0), make())) == 0
    one = assign_variants(people(1), make())
    assert one.loc[0, "variant"] in {"a", "b"}
    three_arms = assign_variants(people(3), make(weights=(1, 1, 1)))
    assert sorted(three_arms["variant"]) == ["a", "b", "c"]


def test_plan_messages_validates_before_assigning():
    e = Experiment("v", [Variant("a", "Hi {first_name}"), Variant("b", "On {project}")])
    with pytest.raises(
        InvalidInputError, match="field 'first_name': recipient 'Person 000' has no value"
    ):
        plan_messages(e, people(2).assign(first_name="", project="p"))
