"""How the kit writes its figures in words and text tables: one rounding for rates, differences
and p-values, shared by the verdict, the printed tables and the time-to-response notes, so a
number reads the same wherever it appears.
"""

from __future__ import annotations

import math

__all__: list[str] = []


def pct_text(rate: float) -> str:
    """A rate as a percentage: whole when it is (or is within 0.05 of) a whole number, else one
    decimal; "-" when it is missing.

    Examples
    --------
    >>> pct_text(0.2), pct_text(0.23913), pct_text(1.0)
    ('20%', '23.9%', '100%')
    """
    if not math.isfinite(rate):
        return "-"
    percent = 100 * rate
    if abs(percent - round(percent)) < 0.05 or rate in (0, 1):
        return f"{percent:.0f}%"
    return f"{percent:.1f}%"


def pct_figure(rate: float) -> str:
    """A rate as a percentage to three significant digits, as planning and the simulations
    quote a power or a false-alarm rate (0.0004 is 0.04%, not 0%).

    Examples
    --------
    >>> pct_figure(0.8097), pct_figure(0.0004), pct_figure(1.0)
    ('81%', '0.04%', '100%')
    """
    return f"{100 * rate:.3g}%"


def points_number(difference: float) -> str:
    """A difference of rates in percentage points, signed, without the unit: "+60.0", "-0.03".

    Examples
    --------
    >>> points_number(0.6), points_number(-0.0002847), points_number(0.0)
    ('+60.0', '-0.03', '+0.0')
    """
    if not math.isfinite(difference):
        return "-"
    points = 100 * difference
    if 0 < abs(points) < 0.05:  # keep the sign visible: "-0.03", not "-0.0"
        return f"{points:+.1g}"
    return f"{points:+.1f}"


def points_text(difference: float) -> str:
    """A difference of rates in percentage points: "+60.0 points"."""
    return f"{points_number(difference)} points"


def _never_certain(probability: float, *, scale: float, digits: int, unit: str = "") -> str:
    """*probability* times *scale* to *digits* decimals, but never rounded to 0 or 1 when it is
    neither: within half a last digit of them it is shown as a bound ("> 0.99")."""
    if not math.isfinite(probability):
        return "-"
    if probability in (0.0, 1.0):
        return f"{scale * probability:.0f}{unit}"
    step = 10.0**-digits / scale  # one last digit, as a probability
    if probability > 1 - step / 2:
        return f"> {scale * (1 - step):.{digits}f}{unit}"
    if probability < step / 2:
        return f"< {scale * step:.{digits}f}{unit}"
    return f"{scale * probability:.{digits}f}{unit}"


def power_text(probability: float) -> str:
    """A probability (a power, a false-alarm rate) in % to one decimal, never rounded to a
    certainty it is not: "37.6%", "> 99.9%", "< 0.1%"; "-" when missing.

    Examples
    --------
    >>> power_text(0.3758), power_text(0.99961), power_text(1.0), power_text(0.0)
    ('37.6%', '> 99.9%', '100%', '0%')
    """
    return _never_certain(probability, scale=100, digits=1, unit="%")


def prob_text(probability: float) -> str:
    """A probability to two decimals, never rounded to a certainty it is not: "0.96",
    "> 0.99", "< 0.01".

    Examples
    --------
    >>> prob_text(0.96), prob_text(0.9996), prob_text(1.0), prob_text(0.003)
    ('0.96', '> 0.99', '1', '< 0.01')
    """
    return _never_certain(probability, scale=1, digits=2)


def p_number(p: float, *, bound: bool = False) -> str:
    """A p-value to three significant digits: "0.0177"; "< 5e-05" when it is only known to be
    below the value (a Monte Carlo floor, *bound*); "< 1e-300" when it underflows to 0; "-" when
    missing.

    Examples
    --------
    >>> p_number(0.017706), p_number(1 / 20_001, bound=True), p_number(0.0)
    ('0.0177', '< 5e-05', '< 1e-300')
    """
    if not math.isfinite(p):
        return "-"
    if bound:  # one significant digit, rounded up so that the bound stays true
        exponent = math.floor(math.log10(p))
        digits = math.ceil(p / 10**exponent * (1 - 1e-12))
        above = float(f"{digits}e{exponent}")
        return f"< {above:.1g}" if above > p else f"<= {above:.1g}"
    return "< 1e-300" if p == 0 else f"{p:.3g}"


def p_text(p: float, *, bound: bool = False) -> str:
    """What follows "p" in a sentence: "= 0.0177", "< 5e-05" (see :func:`p_number`).

    Examples
    --------
    >>> "p " + p_text(0.109375)
    'p = 0.109'
    """
    number = p_number(p, bound=bound)
    return number if number.startswith("<") else f"= {number}"
