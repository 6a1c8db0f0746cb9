"""The kit's argument checks, for every stage (statistics, planning, sequential designs, the
lessons' simulations).

Each takes the argument's name and value and returns the value as the type the caller needs,
or raises :class:`~etiquette_lab.errors.InvalidInputError` with a message of one of two
shapes: a value out of range is ``"<name> must be <what it must be>, got <the value's repr>"``;
a name not among the choices is ``"unknown <name> <the value's repr>; choose one of a, b"``.
Nothing here is in the flat API: these are for the kit's own functions.
"""

from __future__ import annotations

import math
import numbers

from .errors import InvalidInputError

__all__: list[str] = []


def _refuse(name: str, what: str, value: object) -> InvalidInputError:
    return InvalidInputError(f"{name} must be {what}, got {value!r}")


def _number(value: object) -> float:
    """*value* as a float, or NaN for what is not a number (NaN fails every range check)."""
    if isinstance(value, (bool, str)):
        return math.nan
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def checked_rate(name: str, value: object) -> float:
    """*value* as a rate in [0, 1].

    >>> checked_rate("baseline", 0.2)
    0.2
    """
    number = _number(value)
    if not 0.0 <= number <= 1.0:
        raise _refuse(name, "a rate between 0 and 1", value)
    return number


def checked_open_unit(name: str, value: object) -> float:
    """*value* as a number strictly between 0 and 1 (a level, a power, a threshold).

    >>> checked_open_unit("alpha", 0.05)
    0.05
    """
    number = _number(value)
    if not 0.0 < number < 1.0:
        raise _refuse(name, "a number strictly between 0 and 1", value)
    return number


def checked_count(name: str, value: object, *, what: str = "requests") -> int:
    """*value* as a whole number of *what* >= 1 (a float such as 5.0 passes).

    >>> checked_count("n_control", 5.0)
    5
    """
    number = _number(value)
    if not (number.is_integer() and number >= 1):
        raise _refuse(name, f"a whole number of {what} >= 1", value)
    return int(number)


def checked_positive(name: str, value: object, *, what: str = "a positive number") -> float:
    """*value* as a finite number > 0.

    >>> checked_positive("ratio", 2)
    2.0
    """
    number = _number(value)
    if not (math.isfinite(number) and number > 0.0):
        raise _refuse(name, what, value)
    return number


def checked_choice(name: str, value: str, allowed: tuple[str, ...]) -> str:
    """*value*, one of *allowed*.

    >>> checked_choice("alternative", "greater", ("two-sided", "greater"))
    'greater'
    """
    if value not in allowed:
        raise InvalidInputError(f"unknown {name} {value!r}; choose one of {', '.join(allowed)}")
    return value


def check_count(value: object, what: str) -> int:
    """*value* as a non-negative int, or InvalidInputError naming *what*."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise InvalidInputError(f"{what} must be a whole number, got {value!r}")
    value = int(value)
    if value < 0:
        raise InvalidInputError(f"{what} must not be negative, got {value}")
    return value


def check_counts(responses: object, n: object, what: str = "arm") -> tuple[int, int]:
    """Validated ``(responses, n)`` with ``0 <= responses <= n``; *what* names the arm."""
    x = check_count(responses, f"{what}: responses")
    m = check_count(n, f"{what}: requests")
    if x > m:
        raise InvalidInputError(f"{what}: {x} responses out of {m} requests is more than all")
    return x, m


def check_alpha(alpha: float) -> float:
    """*alpha* as a float strictly between 0 and 1."""
    try:
        value = float(alpha)
    except (TypeError, ValueError):
        raise InvalidInputError(f"alpha must be a number between 0 and 1, got {alpha!r}") from None
    if not 0.0 < value < 1.0:
        raise InvalidInputError(f"alpha must be between 0 and 1 (exclusive), got {alpha!r}")
    return value


def check_method(method: str, allowed: tuple[str, ...], what: str) -> str:
    """*method* lower-cased if it is one of *allowed*, else a one-line InvalidInputError."""
    name = str(method).lower()
    if name not in allowed:
        raise InvalidInputError(f"unknown {what} {method!r}; choose one of {', '.join(allowed)}")
    return name
