"""A monitoring design as written down before the first answer: what the experiment file declares.

:class:`DesignSpec` holds the settings only (looks, budget, alpha, side, spending); it is
checked when it is made, so a bad experiment file fails when it is read, and it computes
nothing until :meth:`DesignSpec.build` asks the exact engine for the design (cached). It is the
``[monitoring]`` table of the experiment file (``docs/experiment-file.md``) and the plain-values
argument of :func:`~etiquette_lab.sequential.monitor.monitor_look`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..checks import check_alpha, check_method
from ..errors import InvalidInputError
from .checks import (
    MAX_ANYTIME_N,
    MAX_EXACT_N,
    check_alternative,
    check_futility,
    check_positive_count,
    look_sizes,
)
from .design import anytime_design, sequential_design
from .spending import check_spending

if TYPE_CHECKING:
    from .results import AnytimeDesign, SequentialDesign

__all__ = ["DesignSpec", "design_spec"]

#: The value of ``looks`` that asks for the anytime-valid e-value instead of planned looks.
ANYTIME = "anytime"
#: The keys of the experiment file's ``[monitoring]`` table, in the order they are written.
SPEC_KEYS: tuple[str, ...] = (
    "looks",
    "max_per_arm",
    "alpha",
    "alternative",
    "spending",
    "rho",
    "futility",
    "method",
)
#: How many equally spaced looks the anytime design's operating characteristics are tabled at
#: (the e-value itself may be looked at any time; this only fixes what ``build()`` reports).
ANYTIME_TABLED_LOOKS = 5


class DesignSpecError(InvalidInputError):
    """A bad monitoring setting, naming its key (the experiment file locates the line by it)."""

    def __init__(self, message: str, key: str) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class DesignSpec:
    """The monitoring design of an experiment, as declared: settings only, checked.

    Attributes
    ----------
    looks : tuple of int, or "anytime"
        The cumulative requests per wording at each planned look, the last being
        ``max_per_arm``; or ``"anytime"``: the e-value, looked at whenever one likes.
    max_per_arm : int
        Requests per wording at the last look (the budget).
    alpha : float
        The overall false-alarm rate.
    alternative : {"two-sided", "greater"}
    spending : str or None
        The alpha-spending function of planned looks (None for "anytime").
    rho : float or None
        The exponent of ``spending="power"``.
    futility : tuple of float or None
        Non-binding futility bounds on z, one per interim look.
    method : {"exact", "normal"}
        How the planned looks' boundaries are computed.

    Use :func:`design_spec` to make one from loose values (a number of looks, a list).
    """

    looks: tuple[int, ...] | str
    max_per_arm: int
    alpha: float = 0.05
    alternative: str = "two-sided"
    spending: str | None = "obrien-fleming"
    rho: float | None = None
    futility: tuple[float, ...] | None = None
    method: str = "exact"

    @property
    def anytime(self) -> bool:
        """Whether this is the anytime-valid design (no planned looks)."""
        return self.looks == ANYTIME

    @property
    def planned_looks(self) -> tuple[int, ...]:
        """The planned sizes per wording (empty for the anytime design)."""
        return () if isinstance(self.looks, str) else self.looks

    @property
    def label(self) -> str:
        """A short description: '3 planned looks at 20, 40 and 60 per wording, ...'."""
        side = "two-sided" if self.alternative == "two-sided" else "one-sided"
        if self.anytime:
            return (
                f"anytime-valid e-value up to {self.max_per_arm} per wording, {side} alpha "
                f"{self.alpha:g}"
            )
        sizes = [str(n) for n in self.planned_looks]
        where = sizes[0] if len(sizes) == 1 else ", ".join(sizes[:-1]) + " and " + sizes[-1]
        count = len(sizes)
        return (
            f"{count} planned look{'s' if count > 1 else ''} at {where} per wording, {side} "
            f"alpha {self.alpha:g}, {self.spending} spending"
            + (f" (rho {self.rho:g})" if self.rho is not None else "")
        )

    def build(self) -> SequentialDesign | AnytimeDesign:
        """The design with its boundaries and exact operating characteristics (cached)."""
        return _built(self)

    def to_dict(self) -> dict[str, Any]:
        """The settings as the experiment file's ``[monitoring]`` table holds them."""
        data: dict[str, Any] = {
            "looks": self.looks if self.anytime else list(self.planned_looks),
            "max_per_arm": self.max_per_arm,
            "alpha": self.alpha,
            "alternative": self.alternative,
        }
        if not self.anytime:
            data["spending"] = self.spending
            if self.rho is not None:
                data["rho"] = self.rho
            if self.futility is not None:
                data["futility"] = list(self.futility)
            data["method"] = self.method
        return data


@lru_cache(maxsize=16)
def _built(spec: DesignSpec) -> SequentialDesign | AnytimeDesign:

    if spec.anytime:
        return anytime_design(
            spec.max_per_arm,
            looks=min(ANYTIME_TABLED_LOOKS, spec.max_per_arm),
            alpha=spec.alpha,
            alternative=spec.alternative,
        )
    return sequential_design(
        spec.max_per_arm,
        looks=spec.planned_looks,
        alpha=spec.alpha,
        alternative=spec.alternative,
        spending=spec.spending or "obrien-fleming",
        rho=spec.rho,
        futility=spec.futility,
        method=spec.method,
    )


def _checked(key: str, check: Any, *args: Any) -> Any:
    """Run *check*; its error names *key* (the setting the experiment file's line is found by)."""
    try:
        return check(*args)
    except DesignSpecError:
        raise
    except InvalidInputError as error:
        raise DesignSpecError(str(error), key) from None


def design_spec(
    looks: int | Sequence[int] | str = 5,
    max_per_arm: int | None = None,
    *,
    alpha: float = 0.05,
    alternative: str = "two-sided",
    spending: str | None = None,
    rho: float | None = None,
    futility: float | Sequence[float] | None = None,
    method: str = "exact",
) -> DesignSpec:
    """A checked monitoring design: planned looks or the anytime-valid e-value.

    Parameters
    ----------
    looks : int, sequence of int, or "anytime"
        The number of equally spaced looks, the cumulative requests per wording at each look,
        or ``"anytime"``.
    max_per_arm : int, optional
        Requests per wording at the last look; required unless *looks* lists the sizes (then
        it defaults to the last of them).
    alpha, alternative, spending, rho, futility, method
        As in :func:`~etiquette_lab.sequential.design.sequential_design` (spending defaults to
        "obrien-fleming"); the anytime design takes none of spending, rho, futility, method.

    Returns
    -------
    DesignSpec

    Raises
    ------
    DesignSpecError
        An :class:`~etiquette_lab.errors.InvalidInputError` whose ``key`` names the setting.

    Examples
    --------
    >>> design_spec(3, 60).planned_looks
    (20, 40, 60)
    >>> design_spec([10, 25], 40, spending="pocock").looks
    (10, 25, 40)
    >>> design_spec("anytime", 100).label
    'anytime-valid e-value up to 100 per wording, two-sided alpha 0.05'
    """
    anytime = isinstance(looks, str)
    if anytime and str(looks).strip().lower() != ANYTIME:
        raise DesignSpecError(
            f"looks must be a number of looks, a list of cumulative requests per wording or "
            f'"{ANYTIME}", not {looks!r}',
            "looks",
        )
    if max_per_arm is None:
        if anytime or not isinstance(looks, Sequence) or len(looks) == 0:  # sizes not listed
            raise DesignSpecError(
                "max_per_arm (requests per wording at the last look) is needed unless looks "
                "lists the sizes",
                "max_per_arm",
            )
        # The largest size, not the last: sizes out of order are then named as such.
        maximum = max(
            _checked("looks", check_positive_count, v, f"look {i}'s size")
            for i, v in enumerate(looks, start=1)
        )
    else:
        maximum = _checked(
            "max_per_arm", check_positive_count, max_per_arm, "max_per_arm (requests per wording)"
        )
    alpha = _checked("alpha", check_alpha, alpha)
    if not isinstance(alternative, str):
        raise DesignSpecError(f"alternative must be text, not {alternative!r}", "alternative")
    alternative = _checked("alternative", check_alternative, alternative)
    if anytime:
        for key, value in (("spending", spending), ("rho", rho), ("futility", futility)):
            if value is not None:
                raise DesignSpecError(
                    f'{key} applies to planned looks, not to looks = "{ANYTIME}"', key
                )
        if method != "exact":
            raise DesignSpecError(
                f'method applies to planned looks, not to looks = "{ANYTIME}"', "method"
            )
        if maximum > MAX_ANYTIME_N:
            raise DesignSpecError(
                f"the anytime design's exact figures go up to {MAX_ANYTIME_N} requests per "
                f"wording; max_per_arm is {maximum}",
                "max_per_arm",
            )
        return DesignSpec(ANYTIME, maximum, alpha, alternative, None, None, None, "exact")
    sizes = _checked("looks", look_sizes, maximum, looks, "max_per_arm")
    if spending is not None and not isinstance(spending, str):
        raise DesignSpecError(f"spending must be text, not {spending!r}", "spending")
    name, exponent = _checked(
        "rho" if rho is not None and spending in (None, "power") else "spending",
        check_spending,
        spending or "obrien-fleming",
        rho,
    )
    bounds = _checked("futility", check_futility, futility, len(sizes), alternative)
    if not isinstance(method, str):
        raise DesignSpecError(f"method must be text, not {method!r}", "method")
    method = _checked("method", check_method, method, ("exact", "normal"), "method")
    if method == "exact" and maximum > MAX_EXACT_N:
        raise DesignSpecError(
            f"exact designs go up to {MAX_EXACT_N:,} requests per wording; max_per_arm is "
            f'{maximum:,} (use method = "normal")',
            "max_per_arm",
        )
    return DesignSpec(sizes, maximum, alpha, alternative, name, exponent, bounds, method)


def spec_from_mapping(data: Mapping[str, Any]) -> DesignSpec:
    """A :class:`DesignSpec` from the experiment file's ``[monitoring]`` table (parsed TOML)."""
    unknown = sorted(set(data) - set(SPEC_KEYS))
    if unknown:
        raise DesignSpecError(
            f"unknown monitoring setting {unknown[0]!r}; known: {', '.join(SPEC_KEYS)}",
            unknown[0],
        )
    if "looks" not in data:
        raise DesignSpecError(
            'the monitoring table needs looks: a number, a list of sizes or "anytime"', "looks"
        )
    looks = data["looks"]
    if isinstance(looks, bool) or isinstance(looks, float):
        raise DesignSpecError(
            f'looks must be a whole number of looks, a list of sizes or "{ANYTIME}", not {looks!r}',
            "looks",
        )
    for key in ("alpha", "rho"):
        value = data.get(key)
        if isinstance(value, bool) or (value is not None and not isinstance(value, (int, float))):
            raise DesignSpecError(f"{key} must be a number, not {value!r}", key)
    futility = data.get("futility")
    if isinstance(futility, bool) or (
        isinstance(futility, list) and any(isinstance(v, (bool, str)) for v in futility)
    ):
        raise DesignSpecError(f"futility must be a z value or a list of them, not {futility!r}",
                              "futility")  # fmt: skip
    if isinstance(futility, float) and not math.isfinite(futility):
        raise DesignSpecError(f"futility must be finite, not {futility!r}", "futility")
    return design_spec(
        looks,
        data.get("max_per_arm"),
        alpha=data.get("alpha", 0.05),
        alternative=data.get("alternative", "two-sided"),
        spending=data.get("spending"),
        rho=data.get("rho"),
        futility=futility,
        method=data.get("method", "exact"),
    )
