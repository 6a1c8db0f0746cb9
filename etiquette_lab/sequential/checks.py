"""Argument checks shared by the sequential designs, decisions and e-values: one line each."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence

from ..checks import check_count, check_counts
from ..errors import InvalidInputError

__all__: list[str] = []

#: The alternatives a design can test: both directions, or the new wording answering more often.
ALTERNATIVES: tuple[str, ...] = ("two-sided", "greater")

#: Largest n per wording the exact lattice computations accept (the state grid is (n + 1)^2
#: and each look multiplies it by an (n + 1)-square matrix); above it, use method="normal".
MAX_EXACT_N = 1000
#: The same for the anytime design, whose e-value table has (n + 1)^2 x 2^12 terms per look.
MAX_ANYTIME_N = 500


def check_alternative(alternative: object) -> str:
    """``"two-sided"`` or ``"greater"`` (the new wording answers more often than the control)."""
    name = str(alternative).strip().lower()
    if name not in ALTERNATIVES:
        raise InvalidInputError(
            f"unknown alternative {alternative!r}; choose one of {', '.join(ALTERNATIVES)}"
        )
    return name


def check_positive_count(value: object, what: str) -> int:
    """*value* as a whole number >= 1."""
    number = check_count(value, what)
    if number < 1:
        raise InvalidInputError(f"{what} must be at least 1, got {number}")
    return number


def look_sizes(max_n: object, looks: object, maximum_name: str = "max_n") -> tuple[int, ...]:
    """Cumulative requests per wording at each look, the last being *max_n*.

    *looks* is the number of equally spaced looks K (look k at round(k * max_n / K)) or the
    cumulative sizes of the looks, strictly increasing; *max_n* is appended when the sizes stop
    short of it. *maximum_name* is what the messages call the maximum (the experiment file
    says ``max_per_arm``).
    """
    maximum = check_positive_count(max_n, f"{maximum_name} (requests per wording at the last look)")
    if isinstance(looks, numbers.Integral) and not isinstance(looks, bool):
        count = int(looks)
        if count < 1:
            raise InvalidInputError(f"looks must be at least 1, got {count}")
        if count > maximum:
            raise InvalidInputError(
                f"{count} equally spaced looks need at least {count} requests per wording; "
                f"{maximum_name} is {maximum}"
            )
        return tuple(math.floor(k * maximum / count + 0.5) for k in range(1, count + 1))
    if isinstance(looks, (str, bytes)) or not isinstance(looks, Iterable):
        raise InvalidInputError(
            f"looks must be a number of looks or a list of cumulative sizes, got {looks!r}"
        )
    sizes = [check_positive_count(v, f"look {i + 1}'s size") for i, v in enumerate(looks)]
    if not sizes:
        raise InvalidInputError("looks must name at least one look")
    if maximum < sizes[0]:
        raise InvalidInputError(
            f"{maximum_name} ({maximum} per wording) is below the first look ({sizes[0]} per "
            "wording)"
        )
    for i in range(1, len(sizes)):
        if sizes[i] <= sizes[i - 1]:
            raise InvalidInputError(
                f"looks must increase: look {i + 1} ({sizes[i]} per wording) does not come "
                f"after look {i} ({sizes[i - 1]})"
            )
    if sizes[-1] > maximum:
        raise InvalidInputError(
            f"look {len(sizes)} ({sizes[-1]} per wording) is above {maximum_name} ({maximum})"
        )
    if sizes[-1] < maximum:
        sizes.append(maximum)
    return tuple(sizes)


def check_futility(
    futility: float | Sequence[float] | None, looks: int, alternative: str
) -> tuple[float, ...] | None:
    """Futility bounds on z (|z| two-sided): one for every interim look, or None."""
    if futility is None:
        return None
    if looks < 2:
        raise InvalidInputError("futility bounds need at least two looks")
    if isinstance(futility, (int, float)) and not isinstance(futility, bool):
        values = [float(futility)] * (looks - 1)
    elif isinstance(futility, Sequence) and not isinstance(futility, (str, bytes)):
        values = []
        for v in futility:
            try:
                values.append(float(v))
            except (TypeError, ValueError):
                raise InvalidInputError(f"futility bounds must be numbers, got {v!r}") from None
        if len(values) != looks - 1:
            raise InvalidInputError(
                f"futility needs one bound per interim look ({looks - 1}), got {len(values)}"
            )
    else:
        raise InvalidInputError(f"futility must be a z value or a list of them, got {futility!r}")
    for v in values:
        if not math.isfinite(v):
            raise InvalidInputError(f"futility bounds must be finite, got {v:g}")
        if alternative == "two-sided" and v < 0:
            raise InvalidInputError(f"two-sided futility bounds are on |z|: >= 0, got {v:g}")
    return tuple(values)


Counts = tuple[int, int, int, int]


def check_look_counts(looks: object) -> list[Counts]:
    """Observed cumulative counts per look, control first: (x_control, n_control, x_new, n_new).

    Each look's counts include the previous look's: sizes and responses never decrease.
    """
    if isinstance(looks, (str, bytes)) or not isinstance(looks, Sequence) or not looks:
        raise InvalidInputError(
            "looks must be a non-empty list of counts, four per look: the control's responses "
            "and requests, then the new wording's"
        )
    checked: list[Counts] = []
    for i, look in enumerate(looks, start=1):
        if isinstance(look, (str, bytes)) or not isinstance(look, Sequence) or len(look) != 4:
            raise InvalidInputError(
                f"look {i} must be four counts (the control's responses and requests, then the "
                f"new wording's), got {look!r}"
            )
        x_c, n_c = check_counts(look[0], look[1], f"look {i}, control wording")
        x_n, n_n = check_counts(look[2], look[3], f"look {i}, new wording")
        if checked:
            before = checked[-1]
            for what, now, then in (
                ("control requests", n_c, before[1]),
                ("control responses", x_c, before[0]),
                ("new-wording requests", n_n, before[3]),
                ("new-wording responses", x_n, before[2]),
            ):
                if now < then:
                    raise InvalidInputError(
                        f"look {i}: counts are cumulative, but its {what} ({now}) are fewer "
                        f"than at look {i - 1} ({then})"
                    )
            if (n_c - x_c) < (before[1] - before[0]) or (n_n - x_n) < (before[3] - before[2]):
                raise InvalidInputError(
                    f"look {i}: counts are cumulative, but it has fewer unanswered requests "
                    f"than look {i - 1}"
                )
        checked.append((x_c, n_c, x_n, n_n))
    return checked
