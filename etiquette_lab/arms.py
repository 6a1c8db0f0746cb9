"""The control-arm rule every analysis shares, so tables and curves agree on it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

from .errors import InvalidInputError

__all__ = ["control_first", "pick_control"]

V = TypeVar("V")


def pick_control(names: Sequence[str], control: str | None = None) -> str:
    """The control arm: *control* if given (it must be one of *names*), else the arm called
    ``default`` (LinkedIn's default wording), else the first arm.

    Examples
    --------
    >>> pick_control(["personalised", "default"])
    'default'
    """
    names = list(names)
    if not names:
        raise InvalidInputError("there are no arms to choose a control from")
    if control is None:
        return "default" if "default" in names else names[0]
    if control not in names:
        raise InvalidInputError(f"control {control!r} is not one of the arms: {', '.join(names)}")
    return control


def control_first(arms: Mapping[str, V], control: str | None = None) -> tuple[str, dict[str, V]]:
    """The control (see :func:`pick_control`) and *arms* reordered with it first.

    Examples
    --------
    >>> control_first({"personalised": 1, "default": 2})
    ('default', {'default': 2, 'personalised': 1})
    """
    chosen = pick_control(list(arms), control)
    return chosen, {chosen: arms[chosen], **{k: v for k, v in arms.items() if k != chosen}}
