"""Beta priors of the Bayesian figures: one way to name them for the whole kit.

The comparison (:func:`etiquette_lab.bayes_compare`, ``compare --prior``) takes any positive
Beta(a, b); the planning's exact assurance (:func:`etiquette_lab.bayes_assurance`) sums a closed
form that needs whole parameters. Both read a prior here: a name (``"uniform"``,
``"jeffreys"``) or a pair ``(a, b)``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .errors import InvalidInputError

__all__ = ["PRIORS", "resolve_prior", "whole_prior"]

#: Named priors: Beta(a, b) parameters.
PRIORS: dict[str, tuple[float, float]] = {"uniform": (1.0, 1.0), "jeffreys": (0.5, 0.5)}


def resolve_prior(prior: str | Sequence[float]) -> tuple[str, float, float]:
    """``(label, a, b)`` for a named prior or an ``(a, b)`` pair of positive numbers.

    Examples
    --------
    >>> resolve_prior("jeffreys")
    ('jeffreys', 0.5, 0.5)
    >>> resolve_prior((2, 8))
    ('beta(2, 8)', 2.0, 8.0)
    """
    if isinstance(prior, str):
        key = prior.lower()
        if key not in PRIORS:
            raise InvalidInputError(
                f"unknown prior {prior!r}; choose uniform, jeffreys or a pair (a, b)"
            )
        return (key, *PRIORS[key])
    try:
        a, b = (float(v) for v in prior)
    except (TypeError, ValueError):
        raise InvalidInputError(f"a prior is a name or a pair (a, b), got {prior!r}") from None
    if not (math.isfinite(a) and math.isfinite(b) and a > 0 and b > 0):
        raise InvalidInputError(f"prior Beta(a, b) needs finite a > 0 and b > 0, got {prior!r}")
    return f"beta({a:g}, {b:g})", a, b


def whole_prior(prior: str | Sequence[float]) -> tuple[int, int]:
    """*prior* (as :func:`resolve_prior` reads it) as whole Beta parameters >= 1, which the
    exact assurance's closed form needs.

    Examples
    --------
    >>> whole_prior("uniform"), whole_prior((2, 3))
    ((1, 1), (2, 3))
    """
    label, a, b = resolve_prior(prior)
    if not (a.is_integer() and b.is_integer() and a >= 1 and b >= 1):
        raise InvalidInputError(
            f"prior must have whole Beta parameters >= 1 here (the exact sum needs them), "
            f"got {label}"
        )
    return int(a), int(b)
