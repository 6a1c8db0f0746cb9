"""The sensitivity table and the verdict in plain words.

The sensitivity table puts the same comparison under the naive and the careful methods side by
side, so a reader sees why the naive figure misleads at five requests per arm. The verdict turns
the careful figures into sentences with the caveat the sample size calls for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import InvalidInputError
from ..results import Result
from .significance import rejects

if TYPE_CHECKING:  # pragma: no cover
    from .report import ArmSummary, Comparison

__all__ = ["SensitivityRow", "per_arm_sample_size", "sensitivity_rows"]


@dataclass(frozen=True)
class SensitivityRow(Result):
    """One method's reading of a comparison: its statistic and two-sided p-value.

    For the Bayesian row ``statistic`` is P(arm beats control) and ``p_value`` is ``nan``
    (``null`` in JSON): it is not a p-value, ``note`` says so.
    """

    method: str
    statistic: float
    p_value: float
    note: str

    _title = "Sensitivity"

    def _summary_frame(self):
        import pandas as pd

        return pd.DataFrame(
            [[self.method, self.statistic, self.p_value, self.note]],
            columns=["method", "statistic", "p_value", "note"],
        )


def sensitivity_rows(tests, bayes) -> tuple[SensitivityRow, ...]:
    """The rows of the sensitivity table from a comparison's tests and Bayesian result."""
    boschloo = (
        SensitivityRow("Boschloo exact", math.nan, tests.boschloo.p_value, "exact, unconditional")
        if tests.boschloo is not None
        else SensitivityRow("Boschloo exact", math.nan, math.nan, tests.boschloo_reason or "")
    )
    return (
        SensitivityRow(
            "Wald z (unpooled)",
            tests.wald.statistic,
            tests.wald.p_value,
            "naive normal approximation: too optimistic in small samples",
        ),
        SensitivityRow(
            "Pearson chi-square",
            tests.chi2.statistic,
            tests.chi2.p_value,
            "large-sample approximation",
        ),
        SensitivityRow(
            "chi-square, Yates",
            tests.chi2_yates.statistic,
            tests.chi2_yates.p_value,
            "continuity-corrected, conservative",
        ),
        SensitivityRow(
            "Fisher exact",
            math.nan,
            tests.fisher.p_value,
            "exact, conditional on both margins; conservative",
        ),
        boschloo,
        SensitivityRow(
            "Bayes P(arm beats control)",
            bayes.prob_better,
            math.nan,
            f"posterior probability ({bayes.prior} prior), not a p-value",
        ),
    )


def per_arm_sample_size(
    p_control: float, p_arm: float, *, alpha: float = 0.05, power: float = 0.8
) -> int | None:
    """Requests per arm for a two-sided test to detect these rates, or None if they are equal.

    The planning module's exact answer (Fisher's test, smallest n reaching the power); where
    that needs more than its search cap, the normal approximation (R's power.prop.test),
    rounded up. One sample-size calculation for the whole kit.

    Examples
    --------
    >>> per_arm_sample_size(0.2, 0.8)
    12
    """
    from ..planning import sample_size

    if p_arm == p_control:
        return None
    try:
        return sample_size(p_control, p_arm, power=power, alpha=alpha).n_per_arm
    except InvalidInputError:  # not reachable below the exact search's cap: a large-n answer
        approximate = sample_size(
            p_control, p_arm, power=power, alpha=alpha, test="normal", max_n=10**12
        )
        return math.ceil(approximate.n_per_arm)


def p_text(p: float, *, bound: bool = False) -> str:
    """'= 0.0177'; '< 5e-05' where *p* is only known to be below the value (a Monte Carlo
    floor, *bound*); '< 1e-300' where a p-value underflows to 0 (huge samples)."""
    if bound:  # one significant digit, rounded up so that the bound stays true
        exponent = math.floor(math.log10(p))
        digits = math.ceil(p / 10**exponent * (1 - 1e-12))
        above = float(f"{digits}e{exponent}")
        return f"< {above:.1g}" if above > p else f"<= {above:.1g}"
    return "< 1e-300" if p == 0 else f"= {p:.3g}"


def _pct(value: float) -> str:
    return (
        f"{100 * value:.0f}%"
        if abs(100 * value - round(100 * value)) < 0.05 or value in (0, 1)
        else f"{100 * value:.1f}%"
    )


def _points(value: float) -> str:
    points = 100 * value
    if 0 < abs(points) < 0.05:  # keep the sign visible: "-0.03", not "-0.0"
        return f"{points:+.1g} points"
    return f"{points:+.1f} points"


def comparison_sentence(
    arm: ArmSummary, control: ArmSummary, comparison: Comparison, *, alpha: float
) -> str:
    """The verdict for one arm against the control, with the caveat its sample size needs."""
    rates = (
        f"{arm.responded:,} of {arm.n:,} ({_pct(arm.rate)}) vs {control.responded:,} of "
        f"{control.n:,} ({_pct(control.rate)})"
    )
    if arm.responded * control.n == control.responded * arm.n:
        return f"'{arm.name}' and '{control.name}' were answered equally often: {rates}."
    more = arm.rate > control.rate
    direction = "more" if more else "less"
    diff = comparison.difference
    level = round(100 * (1 - alpha))
    ci = (
        f"difference {_points(diff.estimate)}, {level}% CI {_points(diff.ci_low)} to "
        f"{_points(diff.ci_high)}"
    )
    test = f"{comparison.primary_test} p {p_text(comparison.p_value)}"
    if comparison.p_holm != comparison.p_value:
        test += f", {comparison.p_holm:.3g} after Holm's correction"
    head = f"'{arm.name}' was answered {direction} often than '{control.name}': {rates}; {ci}."
    if rejects(comparison.p_holm, alpha):
        tail = f" That is unlikely to be chance ({test})."
        if abs(diff.estimate) < 0.02:
            tail += " The difference is real but small; judge whether it matters."
        return head + tail
    wald_p = comparison.tests.wald.p_value
    prob = comparison.bayes.prob_better
    confident = prob if more else 1 - prob
    smaller = min(arm.n, control.n)
    needed = per_arm_sample_size(control.rate, arm.rate, alpha=alpha)
    half = per_arm_sample_size(control.rate, (control.rate + arm.rate) / 2, alpha=alpha)
    repeat = (
        (
            f" A convincing repeat needs about {needed:,} requests per arm to detect a "
            f"difference this large with 80% power, about {half:,} if the true difference is "
            "half as large"
            + (" (a first small result tends to exaggerate the effect)." if smaller < 100 else ".")
        )
        if needed and half
        else ""
    )
    if confident >= 0.9 or rejects(wald_p, alpha):
        naive = (
            f"; the naive z-test's p {p_text(wald_p)} overstates it"
            if rejects(wald_p, alpha)
            else ""
        )
        return (
            head + f" With {smaller:,} requests in the smaller arm this is suggestive, not "
            f"conclusive ({test}{naive}; P(better) = {prob:.2f}).{repeat}"
        )
    return (
        head + f" This could easily be chance ({test}; P(better) = {prob:.2f}): no clear "
        f"difference yet.{repeat}"
    )
