"""Every public result of the kit shares the Result base (issue 13): it prints, shows as a table
in a notebook, has ``summary`` and ``to_dict()``. What is not a result is an input or a value,
listed here with the reason, so that a new result-like class cannot slip past."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil

import etiquette_lab
from etiquette_lab.results import Result

# Inputs a user builds or the kit reads, and plain values: not results.
NOT_RESULTS = {
    "CheckInfo": "what an etiquette check is (its name and rule), not what it found",
    "DesignSpec": "a monitoring design as the experiment file declares it (an input)",
    "EtiquetteSettings": "the thresholds of the etiquette checks (an input)",
    "Experiment": "the experiment file (an input)",
    "Variant": "one wording of the experiment file (an input)",
    "MailHeaders": "one mail's headers as read from a mailbox (an input record)",
    "Origin": "where a log came from (a value of the log)",
    "TextTable": "the renderer of printed tables",
    "Window": "an outcome window (a value)",
    "WordingRule": "the rule that names an imported message's wording (an input)",
}


def _public_dataclasses() -> dict[str, type]:
    found: dict[str, type] = {}
    for info in pkgutil.walk_packages(etiquette_lab.__path__, "etiquette_lab."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name in getattr(module, "__all__", ()):
            value = getattr(module, name, None)
            if isinstance(value, type) and dataclasses.is_dataclass(value):
                found[name] = value
    return found


def test_every_public_dataclass_is_a_result_or_a_listed_input():
    loose = sorted(
        name
        for name, cls in _public_dataclasses().items()
        if not issubclass(cls, Result) and name not in NOT_RESULTS
    )
    assert loose == []


def test_the_list_of_inputs_names_only_what_exists():
    assert set(NOT_RESULTS) <= set(_public_dataclasses())
