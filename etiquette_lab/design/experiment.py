"""The experiment definition: an :class:`Experiment` built in Python or read from a TOML file.

The file format is documented in ``docs/experiment-file.md``. Reading uses :mod:`tomllib`;
writing uses the small writer in :mod:`~etiquette_lab.design.toml`, which only needs to cover
this schema (text, numbers, one array of variant tables) and is tested by round trips.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InvalidInputError, LocatedInputError
from ..log.format import KINDS, canonical_kind
from ..sequential.spec import DesignSpec, DesignSpecError, spec_from_mapping
from ..userfiles import read_text_file
from .templates import (
    DEFAULT_TEMPLATES,
    builtin_template,
    clean_template,
    read_template_file,
    template_fields,
)
from .toml import toml_value

if TYPE_CHECKING:
    from ..sequential.spec import DesignSpec

__all__ = [
    "MAX_BLOCK_SIZE",
    "Experiment",
    "Variant",
    "experiment_to_toml",
    "load_experiment",
    "save_experiment",
]

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
    "monitoring",
    "variants",
)
_VARIANT_KEYS = ("name", "template", "template_file", "weight")
#: The largest block: a block is drawn as a list of this many names, and larger blocks only
#: delay balance (the arms are equal at the end of each block).
MAX_BLOCK_SIZE = 1000


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
        The weights of an experiment add up to at most 1000 (:data:`MAX_BLOCK_SIZE`).
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
        The request kind (``"recommendation"``, ``"connection"``, ...), in any case.
    control : str
        The name of the control variant (default: the first variant).
    outcome_window_days : float
        How long after sending an answer still counts (default 7, as in the article).
    seed : int
        The random seed of the assignment (a non-negative whole number).
    strata : str
        Optional contacts column to balance within (such as ``"closeness"``); ``""`` for none.
    block_size : int
        Optional block size, a multiple of the sum of the weights (default: that sum), at most
        1000 (:data:`MAX_BLOCK_SIZE`).
    channel : str
        Recorded with the sends (default ``"linkedin"``).
    monitoring : DesignSpec, optional
        How the experiment is looked at while it runs: planned looks or the anytime e-value
        (:func:`etiquette_lab.sequential.spec.design_spec`; the file's ``[monitoring]``
        table). None: one analysis at the end, as before.

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
    monitoring: DesignSpec | None = None
    path: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__  # frozen: normalise once, here
        set_(self, "variants", tuple(self.variants))
        if not isinstance(self.name, str) or not self.name.strip():
            raise _SettingError("the experiment needs a non-empty name", "name")

        if isinstance(self.kind, str):
            set_(self, "kind", canonical_kind(self.kind))
        if self.kind not in KINDS:
            raise _SettingError(
                f"unknown kind {self.kind!r}; choose one of {', '.join(KINDS)}", "kind"
            )
        if len(self.variants) < 2:
            raise _SettingError(
                "an experiment needs at least two variants (wordings) to compare", None, 1
            )
        names = [v.name for v in self.variants]
        for number, variant in enumerate(self.variants, 1):
            if not isinstance(variant, Variant):
                raise InvalidInputError(
                    f"variants must be Variant objects, not {type(variant).__name__}"
                )
            if not variant.name.strip() or "|" in variant.name:
                raise _SettingError(
                    f"variant name {variant.name!r} must be non-empty and without '|'",
                    "name",
                    number,
                )
            template_key = "template_file" if variant.source else "template"
            if not variant.template.strip():
                raise _SettingError(
                    f"variant {variant.name!r} has an empty template", template_key, number
                )
            if (
                isinstance(variant.weight, bool)
                or not isinstance(variant.weight, int)
                or variant.weight < 1
            ):
                raise _SettingError(
                    f"variant {variant.name!r}: weight must be a positive whole number "
                    f"such as 1 or 2, not {variant.weight!r}",
                    "weight",
                    number,
                )
            with _located(template_key, number):  # a bad placeholder is reported now
                template_fields(variant.template)
        if len(set(names)) != len(names):
            again = next(i for i, name in enumerate(names) if name in names[:i])
            raise _SettingError(
                f"variant names must be distinct: {', '.join(names)}", "name", again + 1
            )
        set_(self, "control", self.control or names[0])
        if self.control not in names:
            raise _SettingError(
                f"control {self.control!r} is not one of the variants: {', '.join(names)}",
                "control",
            )
        window = self.outcome_window_days
        if (
            isinstance(window, bool)
            or not isinstance(window, (int, float))
            or not math.isfinite(window)
            or window <= 0
        ):
            raise _SettingError(
                f"outcome_window_days must be a positive number of days, not {window!r}",
                "outcome_window_days",
            )
        set_(self, "outcome_window_days", float(window))
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise _SettingError(
                f"seed must be a non-negative whole number, not {self.seed!r}", "seed"
            )
        total = sum(v.weight for v in self.variants)
        if total > MAX_BLOCK_SIZE:
            heaviest = max(range(len(self.variants)), key=lambda i: self.variants[i].weight)
            raise _SettingError(
                f"the weights add up to {total}, but a block holds each variant 'weight' times "
                f"and has at most {MAX_BLOCK_SIZE} places; use small numbers such as 1 and 2",
                "weight",
                heaviest + 1,
            )
        size = self.block_size or total
        if isinstance(size, bool) or not isinstance(size, int) or size < 1 or size % total:
            raise _SettingError(
                f"block_size must be a positive multiple of the sum of the weights ({total}), "
                f"not {self.block_size!r}",
                "block_size",
            )
        if size > MAX_BLOCK_SIZE:
            raise _SettingError(
                f"block_size must be at most {MAX_BLOCK_SIZE}, not {size}",
                "block_size",
            )
        set_(self, "block_size", size)
        set_(self, "strata", (self.strata or "").strip())
        if self.monitoring is not None:
            if not isinstance(self.monitoring, DesignSpec):
                raise _SettingError(
                    "monitoring must be a DesignSpec (sequential.spec.design_spec), not "
                    f"{type(self.monitoring).__name__}",
                    "monitoring",
                )
            if len(self.variants) != 2:
                raise _SettingError(
                    f"monitoring compares two wordings; this experiment has {len(self.variants)}",
                    "monitoring",
                )

    @property
    def variant_names(self) -> tuple[str, ...]:
        """The variants' names, in file order."""
        return tuple(v.name for v in self.variants)

    @property
    def variant_names_control_first(self) -> tuple[str, ...]:
        """The variants' names with the control first, the others in file order: the order of
        every table the kit shows."""
        return (self.control, *(name for name in self.variant_names if name != self.control))

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

    @property
    def field_users(self) -> dict[str, str]:
        """Each placeholder of :attr:`fields` and the first wording using it, in words.

        Examples
        --------
        >>> e = Experiment("demo", [Variant("a", "Hello"), Variant("b", "Hi {skill}")])
        >>> e.field_users
        {'skill': "variant 'b'", 'first_name': 'the default wording'}
        """
        return {
            name: next(
                (f"variant {v.name!r}" for v in self.variants if name in v.fields),
                "the default wording",
            )
            for name in self.fields
        }

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], *, base: str | os.PathLike[str] = "."
    ) -> Experiment:
        """Build an experiment from the parsed TOML mapping; relative template files are read
        from the folder *base*."""
        unknown = sorted(set(data) - set(_TOP_KEYS))
        if unknown:
            raise _SettingError(
                f"unknown experiment setting {unknown[0]!r}; known: {', '.join(_TOP_KEYS)}",
                unknown[0],
            )
        raw = data.get("variants")
        if not isinstance(raw, list) or not all(isinstance(v, Mapping) for v in raw):
            raise _SettingError(
                "the experiment needs [[variants]] tables, each with a name and a template",
                "variants",
            )
        variants = tuple(_variant_from_dict(v, i, Path(base)) for i, v in enumerate(raw, 1))
        options = {k: data[k] for k in _TOP_KEYS if k in data and k != "variants"}
        for key in ("name", "kind", "channel", "control", "strata"):
            if key in options and not isinstance(options[key], str):
                raise _SettingError(f"{key} must be text, not {options[key]!r}", key)
        if "monitoring" in options:
            options["monitoring"] = _monitoring_from_dict(options["monitoring"])
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
        if self.monitoring is not None:
            data["monitoring"] = self.monitoring.to_dict()
        data["variants"] = [
            {
                "name": v.name,
                "weight": v.weight,
                **({"template_file": v.source} if v.source else {"template": v.template}),
            }
            for v in self.variants
        ]
        return data


def _monitoring_from_dict(data: Any) -> DesignSpec:
    """The ``[monitoring]`` table as a checked design; an error names the table's key."""

    if not isinstance(data, Mapping):
        raise _SettingError(
            f"monitoring must be a table ([monitoring] with looks = ...), not {data!r}",
            "monitoring",
        )
    try:
        return spec_from_mapping(data)
    except DesignSpecError as error:
        raise _SettingError(str(error), error.key, table=_MONITORING) from None


def _variant_from_dict(data: Mapping[str, Any], number: int, base: Path) -> Variant:
    where = f"variant {number}"
    unknown = sorted(set(data) - set(_VARIANT_KEYS))
    if unknown:
        raise _SettingError(
            f"{where}: unknown setting {unknown[0]!r}; known: {', '.join(_VARIANT_KEYS)}",
            unknown[0],
            number,
        )
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _SettingError(f"{where}: needs a name", "name", number)
    has_text, has_file = "template" in data, "template_file" in data
    if has_text == has_file:
        raise _SettingError(
            f"variant {name!r}: give exactly one of template and template_file",
            "template_file" if has_file else "template",
            number,
        )
    weight = data.get("weight", 1)
    if has_text:
        if not isinstance(data["template"], str):
            raise _SettingError(f"variant {name!r}: template must be text", "template", number)
        return Variant(name, data["template"].strip(), weight)
    reference = data["template_file"]
    if not isinstance(reference, str) or not reference.strip():
        raise _SettingError(
            f"variant {name!r}: template_file must be a file name or builtin:NAME",
            "template_file",
            number,
        )
    with _located("template_file", number):
        if reference.startswith(_BUILTIN):
            return Variant(name, builtin_template(reference[len(_BUILTIN) :]), weight, reference)
        path = Path(reference) if Path(reference).is_absolute() else base / reference
        return Variant(name, read_template_file(path), weight, reference)


#: The table of the monitoring design (a plain table, not an array like ``[[variants]]``).
_MONITORING = "monitoring"


class _SettingError(InvalidInputError):
    """A bad setting, remembering its key and its table (a variant's number, or the monitoring
    table) so that the file's line can be found."""

    def __init__(
        self, message: str, key: str | None, variant: int | None = None, *, table: str = ""
    ) -> None:
        super().__init__(message)
        self.key = key
        self.variant = variant
        self.table = table

    @property
    def field(self) -> str | None:
        """The key as the error names it: ``monitoring.looks`` for the monitoring table's."""
        return f"{self.table}.{self.key}" if self.table and self.key else self.key


@contextlib.contextmanager
def _located(key: str, variant: int) -> Iterator[None]:
    """Tie an error raised inside (a bad template, a missing file) to a variant's setting."""
    try:
        yield
    except _SettingError:
        raise
    except InvalidInputError as error:
        raise _SettingError(str(error), key, variant) from None


_HEADER = re.compile(r"\s*\[\[?\s*([^\]]*?)\s*\]")


def _toml_line(text: str, key: str | None, variant: int | None, table_name: str = "") -> int | None:
    """The 1-based line where *key* is set (in the *variant*-th ``[[variants]]`` table or the
    table *table_name* when given, else at the top), or that table's header line; ``None`` when
    not found.

    tomllib reports no positions for values, so the text is scanned: enough for this schema,
    skipping the inside of multi-line strings.
    """
    # table 0: top level, n: the n-th [[variants]], a name: that table, -1: another
    seen, header, open_quote = 0, None, None
    table: int | str = 0
    wanted: int | str = table_name or variant or 0
    setting = re.compile(rf"\s*[\"']?{re.escape(key)}[\"']?\s*=") if key else None
    for number, line in enumerate(text.splitlines(), 1):
        if open_quote:
            if line.count(open_quote) % 2:
                open_quote = None
            continue
        match = _HEADER.match(line)
        if match:
            name = match.group(1)
            seen += name == "variants"
            table = seen if name == "variants" else name if name == table_name else -1
            header = number if wanted != 0 and table == wanted else header
            continue
        if table == wanted and setting is not None and setting.match(line):
            return number
        open_quote = next((q for q in ('"""', "'''") if line.count(q) % 2), None)
    if header is None and table_name:  # an inline table: monitoring = { looks = 5 }
        return _toml_line(text, table_name, None)
    return header


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
    text = read_text_file(path, "experiment file")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        # Python 3.11's error has no line attribute: its text ends "(at line N, column M)".
        found = re.search(r"\s*\(at line (\d+), column \d+\)$", str(error))
        raise LocatedInputError(
            f"not valid TOML: {str(error)[: found.start()] if found else error}",
            path=str(path), line=int(found.group(1)) if found else None,
        ) from None  # fmt: skip
    try:
        experiment = Experiment.from_dict(data, base=source.parent)
    except _SettingError as error:
        raise LocatedInputError(
            str(error), path=str(path),
            line=_toml_line(text, error.key, error.variant, error.table), field=error.field,
        ) from None  # fmt: skip
    except InvalidInputError as error:
        raise LocatedInputError(str(error), path=str(path)) from None
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
    tables = ("variants", _MONITORING)
    lines = [f"{key} = {toml_value(value)}" for key, value in data.items() if key not in tables]
    if _MONITORING in data:
        lines += ["", f"[{_MONITORING}]"]
        lines += [f"{k} = {toml_value(v)}" for k, v in data[_MONITORING].items()]
    for variant in data["variants"]:
        lines += ["", "[[variants]]", *(f"{k} = {toml_value(v)}" for k, v in variant.items())]
    return "\n".join(lines) + "\n"
