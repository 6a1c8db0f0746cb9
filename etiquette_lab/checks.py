"""Argument checks shared by several stages (planning, the lessons' simulations).

Each takes the argument's name and value and returns the value as the type the caller needs,
or raises :class:`~etiquette_lab.errors.InvalidInputError` with one message of one shape:
``"<name> must be <what it must be>, got <the value's repr>"``. Nothing here is in the flat
API: these are for the kit's own functions.
"""

from __future__ import annotations

import math

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
        raise _refuse(name, f"one of {', '.join(allowed)}", value)
    return value
