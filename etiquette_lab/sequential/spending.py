"""Alpha-spending functions: how much of the false-alarm budget may be used by each look.

A spending function alpha(t) rises from 0 at t = 0 to alpha at t = 1, where t is the
information fraction (the share of the planned requests analysed so far). A design may have
raised a false alarm by look k with probability at most alpha(t_k), whatever the common response
rate: the budget is spent cumulatively, so what an early look cannot use (a handful of requests
can rarely reject) stays available to the later ones.

The three families (Lan & DeMets 1983; Kim & DeMets 1987):

* ``"obrien-fleming"``: 2 - 2 Phi(z_{1 - alpha/2} / sqrt(t)). Almost nothing early, nearly all
  of alpha at the last look, so the last look is close to the fixed-sample test. The default:
  at five to two hundred requests per wording the early looks are too small to reject anything
  short of a landslide anyway, and a user who ignores the interim looks loses almost nothing.
* ``"pocock"``: alpha ln(1 + (e - 1) t). Spends evenly; stops early more often, pays for it
  with a stricter last look.
* ``"power"``: alpha t^rho (rho > 0; rho = 1 spends in proportion to the requests, rho = 3 is
  close to O'Brien-Fleming).

A two-sided design spends alpha/2 on each side, each side by the function written for the
one-sided level alpha/2: alpha(t) = 2 f(t; alpha/2). This is the convention of gsDesign and
rpact for symmetric two-sided designs; for the O'Brien-Fleming type it is stricter early than
Lan & DeMets's two-sided formula 2 - 2 Phi(z_{1 - alpha/2} / sqrt(t)) (the other two families
are linear in alpha, so both conventions agree).
"""

from __future__ import annotations

import math

from ..checks import check_alpha
from ..errors import InvalidInputError
from .checks import check_alternative

__all__ = ["SPENDING_FUNCTIONS", "alpha_spending"]

#: Names accepted by ``spending=``, the first being the default.
SPENDING_FUNCTIONS: tuple[str, ...] = ("obrien-fleming", "pocock", "power")

#: Printable names, for notes and tables.
SPENDING_NAMES: dict[str, str] = {
    "obrien-fleming": "O'Brien-Fleming-type spending (Lan & DeMets 1983)",
    "pocock": "Pocock-type spending (Lan & DeMets 1983)",
    "power": "power-family spending alpha * t^rho (Kim & DeMets 1987)",
}


def check_spending(spending: object, rho: object) -> tuple[str, float | None]:
    """A known spending name and its rho (only ``"power"`` takes one; its default is 1)."""
    name = str(spending).strip().lower()
    if name not in SPENDING_FUNCTIONS:
        raise InvalidInputError(
            f"unknown spending {spending!r}; choose one of {', '.join(SPENDING_FUNCTIONS)}"
        )
    if name != "power":
        if rho is not None:
            raise InvalidInputError(f"rho applies only to spending='power', not {name!r}")
        return name, None
    if rho is None:
        return name, 1.0
    try:
        value = float(rho)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InvalidInputError(f"rho must be a positive number, got {rho!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise InvalidInputError(f"rho must be a positive number, got {rho!r}")
    return name, value


def alpha_spending(
    t: float,
    *,
    alpha: float = 0.05,
    spending: str = "obrien-fleming",
    rho: float | None = None,
    alternative: str = "two-sided",
) -> float:
    """The false-alarm budget a design may have used by information fraction *t*.

    Parameters
    ----------
    t : float
        Information fraction in [0, 1]: requests analysed so far over the planned maximum.
    alpha : float
        The overall false-alarm rate (two-sided or one-sided, as the design's).
    spending : {"obrien-fleming", "pocock", "power"}
        The spending function (see the module docstring).
    rho : float, optional
        The exponent of ``"power"`` (default 1); refused with the other functions.
    alternative : {"two-sided", "greater"}
        Two-sided designs spend alpha/2 on each side (see the module docstring).

    Returns
    -------
    float
        alpha(t): 0 at t = 0, alpha at t = 1, increasing in between.

    Examples
    --------
    >>> round(alpha_spending(0.5, alpha=0.05), 6)  # O'Brien-Fleming-type, half-way
    0.003051
    >>> round(alpha_spending(0.5, alpha=0.05, spending="pocock"), 6)
    0.031006
    >>> alpha_spending(0.5, alpha=0.05, spending="power", rho=2)
    0.0125
    """

    alpha = check_alpha(alpha)
    name, exponent = check_spending(spending, rho)
    sides = 2 if check_alternative(alternative) == "two-sided" else 1
    try:
        fraction = float(t)
    except (TypeError, ValueError):
        raise InvalidInputError(f"t must be a number between 0 and 1, got {t!r}") from None
    if not 0.0 <= fraction <= 1.0:
        raise InvalidInputError(f"t must be between 0 and 1, got {t!r}")
    return spent(fraction, alpha, name, exponent, sides)


def spent(t: float, alpha: float, name: str, rho: float | None, sides: int) -> float:
    """alpha(t) for checked arguments (see :func:`alpha_spending`)."""
    if t <= 0.0:
        return 0.0
    if t >= 1.0:
        return alpha
    side = alpha / sides
    if name == "obrien-fleming":
        from scipy.special import ndtr, ndtri

        return sides * float(2.0 - 2.0 * ndtr(ndtri(1.0 - side / 2.0) / math.sqrt(t)))
    if name == "pocock":
        return alpha * math.log(1.0 + (math.e - 1.0) * t)
    fraction: float = t ** (rho if rho is not None else 1.0)  # (float ** float: typed Any)
    return alpha * fraction
