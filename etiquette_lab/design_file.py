"""The experiment definition: an :class:`Experiment` built in Python or read from a TOML file.

The file format is documented in ``docs/experiment-file.md``. Reading uses :mod:`tomllib`;
writing uses the small writer in :mod:`~etiquette_lab.design_toml`, which only needs to cover
this schema (text, numbers, one array of variant tables) and is tested by round trips.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .design_templates import (
    DEFAULT_TEMPLATES,
    builtin_template,
    clean_template,
    read_template_file,
    template_fields,
)
from .design_toml import toml_value
from .errors import InvalidInputError

__all__ = ["Experiment", "Variant", "experiment_to_toml", "load_experiment", "save_experiment"]

_BUILTIN = "builtin:"
_TOP_KEYS = (
    "name",
    "kind",
    "channel",
    "control",
    "outcome_window_days",
    "seed",
    "strata",
    "block_size",
    "variants",
)
_VARIANT_KEYS = ("name", "template", "template_file", "weight")


@dataclass(frozen=True)
class Variant:
    """One wording of the experiment.

    Parameters
    ----------
    name : str
        The variant's name as logged (``"default"``, ``"personalised"``).
    template : str
        The template text, with ``{field}`` placeholders.
    weight : int
        Its share of the allocation: weights 1 and 1 give equal arms, 2 and 1 give two thirds.
    source : str
        Where the text came from: ``""`` (inline), ``"builtin:NAME"`` or a file path. Kept so
        that saving writes the reference back instead of a copy of the text.
    """

    name: str
    template: str
    weight: int = 1
    source: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.template, str):
            raise InvalidInputError(f"variant {self.name!r}: template must be text")
        object.__setattr__(self, "template", clean_template(self.template).lstrip())

    @classmethod
    def from_builtin(cls, name: str, template_name: str, *, weight: int = 1) -> Variant:
        """A variant using one of the shipped templates.

        Examples
        --------
        >>> Variant.from_builtin("default", "linkedin-connection-default").source
        'builtin:linkedin-connection-default'
        """
        return cls(name, builtin_template(template_name), weight, _BUILTIN + template_name)

    @property
    def fields(self) -> tuple[str, ...]:
        """The placeholders of the template."""
        return template_fields(self.template)


@dataclass(frozen=True)
class Experiment:
    """An experiment: which wordings, who is the control, how people are allocated.

    Parameters
    ----------
    name : str
        The experiment's name, recorded with every send.
    variants : sequence of Variant
        At least two wordings with distinct names.
    kind : str
        The request kind (``"recommendation"``, ``"connection"``, ...).
    control : str
        The name of the control variant (default: the first variant).
    outcome_window_days : float
        How long after sending an answer still counts (default 7, as in the article).
    seed : int
        The random seed of the assignment (a non-negative whole number).
    strata : str
        Optional contacts column to balance within (such as ``"closeness"``); ``""`` for none.
    block_size : int
        Optional block size, a multiple of the sum of the weights (default: that sum).
    channel : str
        Recorded with the sends (default ``"linkedin"``).

    Examples
    --------
    >>> e = Experiment(
    ...     "rec-2026",
    ...     [Variant.from_builtin("default", "linkedin-recommendation-default"),
    ...      Variant("personalised", "Hi {first_name}, about {shared_project}...")],
    ...     seed=42, strata="closeness")
    >>> e.control, e.block_size, e.fields
    ('default', 2, ('first_name', 'shared_project'))
    """

    name: str
    variants: tuple[Variant, ...]
    kind: str = "recommendation"
    control: str = ""
    outcome_window_days: float = 7.0
    seed: int = 0
    strata: str = ""
    block_size: int = 0
    channel: str = "linkedin"
    path: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__  # frozen: normalise once, here
        set_(self, "variants", tuple(self.variants))
        if not isinstance(self.name, str) or not self.name.strip():
            raise InvalidInputError("the experiment needs a non-empty name")
        from .log_format import KINDS  # the kinds a log accepts

        if self.kind not in KINDS:
            raise InvalidInputError(
                f"kind must be one of {', '.join(map(repr, KINDS))}, not {self.kind!r}"
            )
        if len(self.variants) < 2:
            raise InvalidInputError(
                "an experiment needs at least two variants (wordings) to compare"
            )
        names = [v.name for v in self.variants]
        for variant in self.variants:
            if not isinstance(variant, Variant):
                raise InvalidInputError(
                    f"variants must be Variant objects, not {type(variant).__name__}"
                )
            if not variant.name.strip() or "|" in variant.name:
                raise InvalidInputError(
                    f"variant name {variant.name!r} must be non-empty and without '|'"
                )
            if not variant.template.strip():
                raise InvalidInputError(f"variant {variant.name!r} has an empty template")
            if (
                isinstance(variant.weight, bool)
                or not isinstance(variant.weight, int)
                or variant.weight < 1
            ):
                raise InvalidInputError(
                    f"variant {variant.name!r}: weight must be a positive whole number "
                    "such as 1 or 2, "
                    f"not {variant.weight!r}"
                )
            template_fields(variant.template)  # a bad placeholder is reported now, not at send time
        if len(set(names)) != len(names):
            raise InvalidInputError(f"variant names must be distinct: {', '.join(names)}")
        set_(self, "control", self.control or names[0])
        if self.control not in names:
            raise InvalidInputError(
                f"control {self.control!r} is not one of the variants: {', '.join(names)}"
            )
        window = self.outcome_window_days
        if (
            isinstance(window, bool)
            or not isinstance(window, (int, float))
            or not math.isfinite(window)
            or window <= 0
        ):
            raise InvalidInputError(
                f"outcome_window_days must be a positive number of days, not {window!r}"
            )
        set_(self, "outcome_window_days", float(window))
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise InvalidInputError(f"seed must be a non-negative whole number, not {self.seed!r}")
        total = sum(v.weight for v in self.variants)
        size = self.block_size or total
        if isinstance(size, bool) or not isinstance(size, int) or size < 1 or size % total:
            raise InvalidInputError(
                f"block_size must be a positive multiple of the sum of the weights ({total}), "
                f"not {self.block_size!r}"
            )
        set_(self, "block_size", size)
        set_(self, "strata", (self.strata or "").strip())

    @property
    def variant_names(self) -> tuple[str, ...]:
        """The variants' names, in file order."""
        return tuple(v.name for v in self.variants)

    def variant(self, name: str) -> Variant:
        """The variant called *name*."""
        for variant in self.variants:
            if variant.name == name:
                return variant
        raise InvalidInputError(f"no variant {name!r} in experiment {self.name!r}")

    @property
    def baseline(self) -> str:
        """The default wording messages are scored against: the kit's shipped default for this
        kind (LinkedIn's standard text) or, for kinds without one, the control's template."""
        shipped = DEFAULT_TEMPLATES.get(self.kind)
        return builtin_template(shipped) if shipped else self.variant(self.control).template

    @property
    def fields(self) -> tuple[str, ...]:
        """Every placeholder any variant or the baseline uses, in order of first appearance."""
        found: dict[str, None] = {}
        for text in (*(v.template for v in self.variants), self.baseline):
            found.update(dict.fromkeys(template_fields(text)))
        return tuple(found)

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], *, base: str | os.PathLike[str] = "."
    ) -> Experiment:
        """Build an experiment from the parsed TOML mapping; relative template files are read
        from the folder *base*."""
        unknown = sorted(set(data) - set(_TOP_KEYS))
        if unknown:
            raise InvalidInputError(
                f"unknown experiment setting {unknown[0]!r}; known: {', '.join(_TOP_KEYS)}"
            )
        raw = data.get("variants")
        if not isinstance(raw, list) or not all(isinstance(v, Mapping) for v in raw):
            raise InvalidInputError(
                "the experiment needs [[variants]] tables, each with a name and a template"
            )
        variants = tuple(_variant_from_dict(v, i, Path(base)) for i, v in enumerate(raw, 1))
        options = {k: data[k] for k in _TOP_KEYS if k in data and k != "variants"}
        for key in ("name", "kind", "channel", "control", "strata"):
            if key in options and not isinstance(options[key], str):
                raise InvalidInputError(f"{key} must be text, not {options[key]!r}")
        return cls(variants=variants, **options)

    def to_dict(self) -> dict[str, Any]:
        """The experiment as the mapping the TOML file holds (template references kept)."""
        data: dict[str, Any] = {
            "name": self.name,
            "kind": self.kind,
            "channel": self.channel,
            "control": self.control,
            "outcome_window_days": self.outcome_window_days,
            "seed": self.seed,
        }
        if self.strata:
            data["strata"] = self.strata
        if self.block_size != sum(v.weight for v in self.variants):
            data["block_size"] = self.block_size
        data["variants"] = [
            {
                "name": v.name,
                "weight": v.weight,
                **({"template_file": v.source} if v.source else {"template": v.template}),
            }
            for v in self.variants
        ]
        return data


def _variant_from_dict(data: Mapping[str, Any], number: int, base: Path) -> Variant:
    where = f"variant {number}"
    unknown = sorted(set(data) - set(_VARIANT_KEYS))
    if unknown:
        raise InvalidInputError(
            f"{where}: unknown setting {unknown[0]!r}; known: {', '.join(_VARIANT_KEYS)}"
        )
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InvalidInputError(f"{where}: needs a name")
    has_text, has_file = "template" in data, "template_file" in data
    if has_text == has_file:
        raise InvalidInputError(f"variant {name!r}: give exactly one of template and template_file")
    weight = data.get("weight", 1)
    if has_text:
        if not isinstance(data["template"], str):
            raise InvalidInputError(f"variant {name!r}: template must be text")
        return Variant(name, data["template"].strip(), weight)
    reference = data["template_file"]
    if not isinstance(reference, str) or not reference.strip():
        raise InvalidInputError(
            f"variant {name!r}: template_file must be a file name or builtin:NAME"
        )
    if reference.startswith(_BUILTIN):
        return Variant(name, builtin_template(reference[len(_BUILTIN) :]), weight, reference)
    path = Path(reference) if Path(reference).is_absolute() else base / reference
    return Variant(name, read_template_file(path), weight, reference)


def load_experiment(path: str | os.PathLike[str]) -> Experiment:
    """Read an experiment file (TOML; see ``docs/experiment-file.md``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "exp.toml"
    >>> _ = p.write_text('''name = "demo"
    ... seed = 7
    ... [[variants]]
    ... name = "default"
    ... template_file = "builtin:linkedin-recommendation-default"
    ... [[variants]]
    ... name = "personalised"
    ... template = "Hi {first_name}, could you recommend my work on {shared_project}?"
    ... ''', encoding="utf-8")
    >>> load_experiment(p).variant_names
    ('default', 'personalised')
    """
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InvalidInputError(f"experiment file {str(path)!r} does not exist") from None
    except UnicodeDecodeError:
        raise InvalidInputError(f"experiment file {str(path)!r} is not UTF-8 text") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InvalidInputError(
            f"experiment file {str(path)!r} is not valid TOML: {error}"
        ) from None
    try:
        experiment = Experiment.from_dict(data, base=source.parent)
    except InvalidInputError as error:
        raise InvalidInputError(f"experiment file {str(path)!r}: {error}") from None
    object.__setattr__(experiment, "path", str(source))
    return experiment


def save_experiment(experiment: Experiment, path: str | os.PathLike[str]) -> None:
    """Write *experiment* as a TOML file that :func:`load_experiment` reads back equal.

    Template files are referenced, not copied, so keep them beside the file (relative paths
    are resolved against the experiment file's folder).
    """
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(experiment_to_toml(experiment), encoding="utf-8")


def experiment_to_toml(experiment: Experiment) -> str:
    """The TOML text of *experiment*.

    Examples
    --------
    >>> e = Experiment("demo", [Variant("a", "Hi {first_name}"), Variant("b", 'Say "hi"')])
    >>> print(experiment_to_toml(e))  # doctest: +ELLIPSIS
    name = "demo"
    kind = "recommendation"
    ...
    [[variants]]
    name = "b"
    weight = 1
    template = "Say \\"hi\\""
    <BLANKLINE>
    """
    data = experiment.to_dict()
    lines = [f"{key} = {toml_value(value)}" for key, value in data.items() if key != "variants"]
    for variant in data["variants"]:
        lines += ["", "[[variants]]", *(f"{k} = {toml_value(v)}" for k, v in variant.items())]
    return "\n".join(lines) + "\n"
