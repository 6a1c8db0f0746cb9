"""Random assignment of contacts to wordings: seeded block randomisation within strata.

How it works, and why adding contacts never reshuffles anyone:

* Within each stratum, contacts take positions 0, 1, 2, ... in the order they appear in the
  contacts file. Position ``p`` lies in block ``p // block_size`` at slot ``p % block_size``.
* Each block holds every variant ``weight * block_size / sum(weights)`` times, in an order drawn
  by :func:`numpy.random.default_rng` seeded with ``[seed, stratum, block]`` only. A block's
  order therefore never depends on who else is in the list.
* So contacts appended at the end of the file fill the free slots of the last block and then new
  blocks, and everyone assigned before keeps their wording. Within a stratum the arms differ by
  less than one block; totals are balanced in every complete block.
* Each row records ``assignment = "seed=42;stratum=close;block=3;slot=1"``. Passing an earlier
  assignment (a plan file or the log's requests) as ``previous`` locks those people where they
  were, even if the contacts file has since been reordered, and new people take free slots.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from ..errors import InvalidInputError
from ..names import fold_name
from .contacts import check_contacts
from .experiment import Experiment

__all__ = ["assign_variants", "assignment_balance", "block_order", "parse_assignment"]

#: Columns the assignment adds to the contacts; a contacts file must not already have them.
ASSIGNMENT_COLUMNS: tuple[str, ...] = (
    "recipient",
    "variant",
    "stratum",
    "block",
    "slot",
    "assignment",
)


def block_order(experiment: Experiment, stratum: str, block: int) -> tuple[str, ...]:
    """The variants of one block, in their random order.

    Examples
    --------
    >>> from etiquette_lab.design.experiment import Variant
    >>> e = Experiment("demo", [Variant("a", "x"), Variant("b", "y")], seed=42, block_size=4)
    >>> sorted(block_order(e, "close", 0))
    ['a', 'a', 'b', 'b']
    >>> block_order(e, "close", 0) == block_order(e, "close", 0)
    True
    """
    import numpy as np

    total = sum(v.weight for v in experiment.variants)
    repeat = experiment.block_size // total
    base = [v.name for v in experiment.variants for _ in range(v.weight * repeat)]
    # A stable 64-bit number for the stratum: Python's hash() of a str changes between runs.
    stratum_key = int.from_bytes(hashlib.sha256(stratum.encode("utf-8")).digest()[:8], "big")
    rng = np.random.default_rng([experiment.seed, stratum_key, int(block)])
    return tuple(base[i] for i in rng.permutation(len(base)))


def format_assignment(seed: int, stratum: str, block: int, slot: int) -> str:
    """The text recorded with a send, such as ``"seed=42;stratum=close;block=3;slot=1"``."""
    return f"seed={seed};stratum={stratum};block={block};slot={slot}"


def parse_assignment(text: str) -> dict[str, Any]:
    """The parts of an assignment text.

    Examples
    --------
    >>> parse_assignment("seed=42;stratum=close colleague;block=3;slot=1")
    {'seed': 42, 'stratum': 'close colleague', 'block': 3, 'slot': 1}
    """
    parts: dict[str, Any] = {}
    for item in str(text).split(";"):
        name, sep, value = item.partition("=")
        parts[name.strip()] = value.strip() if sep else None
    try:
        return {
            "seed": int(parts["seed"]),
            "stratum": parts.get("stratum") or "",
            "block": int(parts["block"]),
            "slot": int(parts["slot"]),
        }
    except (KeyError, TypeError, ValueError):
        raise InvalidInputError(
            f"assignment {text!r} is not of the form seed=42;stratum=NAME;block=3;slot=1"
        ) from None


def _strata(frame: Any, experiment: Experiment, key: str) -> list[str]:
    if not experiment.strata:
        return [""] * len(frame)
    if experiment.strata not in frame.columns:
        raise InvalidInputError(f"the contacts have no strata column {experiment.strata!r}")
    values = list(frame[experiment.strata])
    for who, value in zip(frame[key], values, strict=True):
        if not value:
            raise InvalidInputError(
                f"recipient {who!r} has no value for strata field {experiment.strata!r}"
            )
        if ";" in value or "=" in value:
            raise InvalidInputError(
                f"recipient {who!r}: strata value {value!r} must not contain ';' or '='"
            )
    return values


def _locked(previous: Any, experiment: Experiment) -> dict[str, tuple[str, int, int, str]]:
    """folded recipient -> (stratum, block, slot, variant) from an earlier assignment."""
    import pandas as pd

    if previous is None:
        return {}
    frame = previous if isinstance(previous, pd.DataFrame) else pd.DataFrame(previous)
    missing = [c for c in ("recipient", "variant", "assignment") if c not in frame.columns]
    if missing:
        raise InvalidInputError(f"the previous assignment has no {missing[0]!r} column")
    if "experiment" in frame.columns:
        frame = frame[frame["experiment"].astype(str) == experiment.name]
    frame = frame[frame["assignment"].astype(str).str.strip() != ""]
    locked: dict[str, tuple[str, int, int, str]] = {}
    for recipient, variant, text in zip(
        frame["recipient"], frame["variant"], frame["assignment"], strict=True
    ):
        parts = parse_assignment(text)
        if parts["seed"] != experiment.seed:
            raise InvalidInputError(
                f"the previous assignment of {recipient!r} used seed {parts['seed']}, "
                f"but the experiment's seed is {experiment.seed}"
            )
        expected = _variant_at(experiment, parts["stratum"], parts["block"], parts["slot"])
        if expected != variant:
            raise InvalidInputError(
                f"the previous assignment of {recipient!r} ({text}) gave {variant!r}, "
                "but the experiment "
                f"now gives {expected!r} there: its variants, weights or block size changed"
            )
        here = (parts["stratum"], parts["block"], parts["slot"], str(variant))
        if locked.setdefault(fold_name(recipient), here) != here:
            raise InvalidInputError(f"the previous assignment places {recipient!r} twice")
    return locked


def _variant_at(experiment: Experiment, stratum: str, block: int, slot: int) -> str:
    if not 0 <= slot < experiment.block_size or block < 0:
        raise InvalidInputError(
            f"slot {slot} of block {block} does not exist with block size {experiment.block_size}"
        )
    return block_order(experiment, stratum, block)[slot]


def assign_variants(
    contacts: Any,
    experiment: Experiment,
    *,
    key: str = "name",
    previous: Any = None,
) -> Any:
    """Assign each contact a variant by seeded block randomisation (balanced within strata).

    Parameters
    ----------
    contacts : DataFrame or iterable of mappings
        One row per person, with the *key* column and, if the experiment has strata, the
        strata column.
    experiment : Experiment
        Gives the variants, weights, block size, seed and strata column.
    key : str
        The column naming each person (unique); it becomes ``recipient``.
    previous : DataFrame, optional
        An earlier assignment with ``recipient``, ``variant`` and ``assignment`` columns (a plan
        file, or a log's requests table): those people keep their wording and slot.

    Returns
    -------
    DataFrame
        The contacts (as text) plus ``recipient``, ``variant``, ``stratum``, ``block``, ``slot``
        and ``assignment``, in the contacts' order.

    Examples
    --------
    >>> from etiquette_lab.design.experiment import Variant
    >>> e = Experiment("demo", [Variant("a", "x"), Variant("b", "y")], seed=1)
    >>> people = [{"name": n} for n in ["Ada", "Bo", "Cy", "Di"]]
    >>> out = assign_variants(people, e)
    >>> out["variant"].value_counts().to_dict() == {"a": 2, "b": 2}
    True
    >>> out.loc[0, "assignment"]
    'seed=1;stratum=;block=0;slot=0'
    """
    frame = check_contacts(contacts, key=key)
    clash = [c for c in ASSIGNMENT_COLUMNS if c in frame.columns and c != key]
    if clash:
        raise InvalidInputError(
            f"the contacts already have a {clash[0]!r} column; "
            "pass an earlier plan as previous= instead"
        )
    strata = _strata(frame, experiment, key)
    locked = _locked(previous, experiment)
    taken: dict[str, set[int]] = {}
    for stratum, block, slot, _ in locked.values():
        taken.setdefault(stratum, set()).add(block * experiment.block_size + slot)
    next_free: dict[str, int] = {}
    rows: list[tuple[str, str, int, int]] = []
    for name, stratum in zip(frame[key], strata, strict=True):
        here = locked.get(fold_name(name))
        if here is not None:
            rows.append((here[3], here[0], here[1], here[2]))
            continue
        used = taken.setdefault(stratum, set())
        position = next_free.get(stratum, 0)
        while position in used:
            position += 1
        used.add(position)
        next_free[stratum] = position + 1
        block, slot = divmod(position, experiment.block_size)
        rows.append((_variant_at(experiment, stratum, block, slot), stratum, block, slot))
    import pandas as pd

    def column(values: list[Any], dtype: Any) -> Any:
        # Fixed dtypes, so that an empty list and a long one give the same table shape.
        return pd.Series(values, index=frame.index, dtype=dtype)

    out = frame.copy()
    out["recipient"] = column(list(frame[key]), object)
    out["variant"] = column([r[0] for r in rows], object)
    out["stratum"] = column([r[1] for r in rows], object)
    out["block"] = column([r[2] for r in rows], "int64")
    out["slot"] = column([r[3] for r in rows], "int64")
    out["assignment"] = column([format_assignment(experiment.seed, *r[1:]) for r in rows], object)
    return out


def assignment_balance(assigned: Any, *, variants: Mapping[str, Any] | Any = None) -> Any:
    """Counts of people per stratum (rows) and variant (columns), with totals.

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"stratum": ["x", "x", "y"], "variant": ["a", "b", "a"]})
    >>> t = assignment_balance(people)
    >>> t.loc["total"].tolist()
    [2, 1, 3]
    """
    import pandas as pd

    columns = list(variants) if variants is not None else sorted(set(assigned["variant"]))
    table = pd.crosstab(assigned["stratum"], assigned["variant"]).reindex(
        columns=columns, fill_value=0
    )
    table.index = [s if s else "(all)" for s in table.index]
    table.loc["total"] = table.sum()
    table["total"] = table.sum(axis=1)
    table.columns.name = None
    return table.astype(int)
