"""Two arms: effect sizes with intervals and the exact and approximate tests.

Arm 0 is the control, arm 1 the treatment (a wording under test). Every function takes counts
control first, ``x0, n0, x1, n1`` (responses and requests), as the planning functions take the
control's rate first; both n must be at least 1. Effects are the arm's against the control's
(difference ``p1 - p0``, ratios ``p1 / p0``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..checks import check_alpha, check_counts, check_method
from ..errors import InvalidInputError
from ..results import Result
from .oddsratio import conditional_odds_ratio
from .rates import wilson_limits

__all__ = [
    "BOSCHLOO_MAX_TABLES",
    "DIFFERENCE_METHODS",
    "ODDS_RATIO_METHODS",
    "BoschlooTest",
    "Chi2Test",
    "EffectInterval",
    "FisherTest",
    "WaldTest",
    "boschloo_skip_reason",
    "boschloo_test",
    "chi2_test",
    "difference_interval",
    "fisher_test",
    "odds_ratio_interval",
    "risk_ratio_interval",
    "wald_test",
]

#: Interval methods for the difference in rates, the first being the default.
DIFFERENCE_METHODS: tuple[str, ...] = ("newcombe", "agresti-caffo")

#: Boschloo's test runs only when (n1 + 1) * (n0 + 1) is at most this: about 140 requests per
#: arm, where scipy needs roughly 0.1 s per p-value on one core. Above it Fisher's exact test
#: (always valid, slightly conservative) is the primary test; at such sizes the two differ little.
BOSCHLOO_MAX_TABLES: int = 20_000


def _pair(x0: int, n0: int, x1: int, n1: int) -> tuple[int, int, int, int]:
    """The two arms' counts checked, control first as given."""
    x0, n0 = check_counts(x0, n0, "control")
    x1, n1 = check_counts(x1, n1, "arm")
    if n1 == 0 or n0 == 0:
        raise InvalidInputError("both arms need at least one request to be compared (n = 0)")
    return x0, n0, x1, n1


def _z(alpha: float) -> float:
    from scipy.special import ndtri

    return float(ndtri(1 - alpha / 2))


@dataclass(frozen=True)
class EffectInterval(Result):
    """An effect (difference, risk ratio or odds ratio) of arm vs control with its interval.

    ``note`` says in words why a value is infinite or undefined (``nan``, ``null`` in JSON).
    """

    estimate: float
    ci_low: float
    ci_high: float
    method: str
    note: str = ""

    _title = "Effect"

    def _summary_frame(self):
        import pandas as pd

        return pd.DataFrame(
            [[self.estimate, self.ci_low, self.ci_high, self.method]],
            columns=["estimate", "ci_low", "ci_high", "method"],
        )

    def _notes(self) -> list[str]:
        return [self.note] if self.note else []


def difference_interval(
    x0: int, n0: int, x1: int, n1: int, *, method: str = "newcombe", alpha: float = 0.05
) -> EffectInterval:
    """Difference in response rates (arm minus control) with a confidence interval.

    Parameters
    ----------
    x0, n0, x1, n1 : int
        Responses and requests of the control and of the arm.
    method : {"newcombe", "agresti-caffo"}
        Newcombe's hybrid score interval (1998, his method 10; built from the two Wilson
        intervals) or Agresti & Caffo's (2000) Wald interval after adding one response and one
        non-response to each arm. Both are clipped to [-1, 1].
    alpha : float
        1 - confidence level.

    Examples
    --------
    >>> d = difference_interval(1, 5, 4, 5)
    >>> round(d.estimate, 2), round(d.ci_low, 4), round(d.ci_high, 4)
    (0.6, -0.0003, 0.8316)
    """
    x0, n0, x1, n1 = _pair(x0, n0, x1, n1)
    method = check_method(method, DIFFERENCE_METHODS, "difference method")
    z = _z(check_alpha(alpha))
    p1, p0 = x1 / n1, x0 / n0
    estimate = p1 - p0
    if method == "newcombe":
        l1, u1 = wilson_limits(x1, n1, z)
        l0, u0 = wilson_limits(x0, n0, z)
        low = estimate - math.hypot(p1 - l1, u0 - p0)
        high = estimate + math.hypot(u1 - p1, p0 - l0)
    else:
        q1, q0 = (x1 + 1) / (n1 + 2), (x0 + 1) / (n0 + 2)
        half = z * math.sqrt(q1 * (1 - q1) / (n1 + 2) + q0 * (1 - q0) / (n0 + 2))
        low, high = q1 - q0 - half, q1 - q0 + half
    return EffectInterval(estimate, max(-1.0, low), min(1.0, high), method)


def risk_ratio_interval(
    x0: int, n0: int, x1: int, n1: int, *, alpha: float = 0.05
) -> EffectInterval:
    """Risk ratio (arm rate / control rate) with the Katz log interval, or the score interval
    where Katz's fails.

    Katz's variance of the log ratio, ``1/x1 - 1/n1 + 1/x0 - 1/n0``, has one term per arm: it is
    undefined when an arm has no response and 0 when every request of an arm was answered, as if
    that arm's rate were known exactly (1 of 1 against 1 of 1 would give the interval [1, 1]).
    So the kit uses Katz only when both arms have a response and a non-response (0 < x < n);
    otherwise it uses the Miettinen-Nurminen score interval (statsmodels' ``method="score"``),
    which inverts a test and so stays honest at 0%, at 100% and at infinity. Patching Katz
    instead (adding 0.5, statsmodels' "log-adjusted") gives an interval that leaves out the
    estimate itself: for 5/5 against 0/5 the ratio is infinite but that interval stops at 155.
    Undefined (``nan``) when neither arm has a response.

    Examples
    --------
    >>> r = risk_ratio_interval(1, 5, 4, 5)
    >>> round(r.estimate, 2), round(r.ci_low, 4), round(r.ci_high, 4)
    (4.0, 0.6566, 24.3685)
    >>> r = risk_ratio_interval(0, 5, 5, 5)
    >>> r.estimate, round(r.ci_low, 4), r.ci_high, r.method
    (inf, 2.1714, inf, 'miettinen-nurminen-score')
    >>> r = risk_ratio_interval(1, 1, 1, 1)  # one request per arm, both answered
    >>> r.estimate, round(r.ci_low, 4), round(r.ci_high, 4)
    (1.0, 0.1152, 8.6829)
    """
    x0, n0, x1, n1 = _pair(x0, n0, x1, n1)
    z = _z(check_alpha(alpha))
    if x1 == 0 and x0 == 0:
        return EffectInterval(
            math.nan,
            0.0,
            math.inf,
            "miettinen-nurminen-score",
            "risk ratio undefined: neither arm has a response",
        )
    if x0 == 0 or x1 == 0:
        estimate = math.inf if x0 == 0 else 0.0
        note = (
            "risk ratio infinite: the control has no response"
            if x0 == 0
            else "risk ratio 0: the arm has no response"
        )
        low, high = _score_ratio_limits(x0, n0, x1, n1, z)
        return EffectInterval(estimate, low, high, "miettinen-nurminen-score", note)
    estimate = (x1 / n1) / (x0 / n0)
    if x1 == n1 or x0 == n0:  # Katz would treat a 100% arm's rate as known exactly
        low, high = _score_ratio_limits(x0, n0, x1, n1, z)
        return EffectInterval(estimate, low, high, "miettinen-nurminen-score")
    centre = math.log(estimate)
    half = z * math.sqrt(1 / x1 - 1 / n1 + 1 / x0 - 1 / n0)
    return EffectInterval(estimate, math.exp(centre - half), math.exp(centre + half), "katz-log")


def _score_ratio_limits(x0: int, n0: int, x1: int, n1: int, z: float) -> tuple[float, float]:
    """Miettinen & Nurminen (1985) score interval for p1 / p0, by root finding on log ratio."""
    from scipy.optimize import brentq

    total = n1 + n0
    p1, p0 = x1 / n1, x0 / n0

    def score(log_ratio: float) -> float:
        ratio = math.exp(log_ratio)
        # The maximum-likelihood p0 under p1 = ratio * p0: the smaller root of
        # a q^2 + b q + c = 0 with a = N ratio, b = -(n1 ratio + x1 + n0 + x0 ratio),
        # c = x1 + x0, written as 2c / (-b + sqrt(b^2 - 4ac)) so that a tiny ratio does not
        # cancel to noise. The discriminant is the sum of two squares below (expand to check):
        # computed as b^2 - 4ac it cancels near ratio 1 and made 5/5 vs 5/5 give [1, 1].
        gap = ratio * (n1 + x0) - (n0 + x1)
        discriminant = gap * gap + 4 * ratio * (n1 - x1) * (n0 - x0)
        q0 = 2 * (x1 + x0) / (n1 * ratio + x1 + n0 + x0 * ratio + math.sqrt(discriminant))
        q1 = ratio * q0
        variance = (q1 * (1 - q1) / n1 + ratio**2 * q0 * (1 - q0) / n0) * total / (total - 1)
        return (p1 - ratio * p0) / math.sqrt(variance) if variance > 0 else 0.0

    span = 60.0  # ratios from e^-60 to e^60: far past anything counts can support
    # Each limit is searched on its own side of the estimate, where the score is 0: near the
    # estimate the score is 0 / 0 at the edges (5/5 vs 5/5) and must not offer a false root.
    below = above = (-span, span)
    if x1 > 0 and x0 > 0:
        centre = math.log(p1 / p0)
        below, above = (-span, centre), (centre, span)
    low = 0.0 if score(-span) <= z else math.exp(brentq(lambda t: score(t) - z, *below))
    high = math.inf if score(span) >= -z else math.exp(brentq(lambda t: score(t) + z, *above))
    return low, high


#: Odds-ratio estimates and intervals :func:`odds_ratio_interval` offers.
ODDS_RATIO_METHODS = ("conditional-mle-exact", "woolf")


def odds_ratio_interval(
    x0: int,
    n0: int,
    x1: int,
    n1: int,
    *,
    alpha: float = 0.05,
    method: str = "conditional-mle-exact",
) -> EffectInterval:
    """Odds ratio (arm against control) with its interval.

    Parameters
    ----------
    method : {"conditional-mle-exact", "woolf"}
        ``"conditional-mle-exact"`` (default): the conditional maximum-likelihood estimate with
        its exact interval, what R's ``fisher.test`` reports (see
        :func:`etiquette_lab.stats.oddsratio.conditional_odds_ratio`). ``"woolf"``: the sample
        odds ratio ``(a d) / (b c)`` with Woolf's logit interval, what a logistic regression
        with one binary predictor and most papers print; when a cell is 0, 0.5 is added to every
        cell for the interval only (Haldane-Anscombe), and the estimate is 0, ``inf`` or
        undefined.

    Examples
    --------
    >>> o = odds_ratio_interval(1, 5, 4, 5)
    >>> round(o.estimate, 4), o.method
    (10.9073, 'conditional-mle-exact')
    >>> w = odds_ratio_interval(26, 255, 30, 254, method="woolf")
    >>> round(w.estimate, 2), round(w.ci_low, 2), round(w.ci_high, 2)
    (1.18, 0.68, 2.06)
    """
    x0, n0, x1, n1 = _pair(x0, n0, x1, n1)
    method = check_method(method, ODDS_RATIO_METHODS, "odds-ratio method")
    if method == "woolf":
        return _woolf_odds_ratio(x0, n0, x1, n1, alpha=alpha)
    estimate, low, high = conditional_odds_ratio(x0, n0, x1, n1, alpha=alpha)
    note = ""
    if math.isnan(estimate):
        note = "odds ratio undefined: the table's margins allow only the observed table"
    elif math.isinf(estimate):
        note = "odds ratio infinite: the arm has no non-response or the control no response"
    elif estimate == 0:
        note = "odds ratio 0: the arm has no response or the control no non-response"
    return EffectInterval(estimate, low, high, "conditional-mle-exact", note)


def _woolf_odds_ratio(x0: int, n0: int, x1: int, n1: int, *, alpha: float) -> EffectInterval:
    a, b, c, d = float(x1), float(n1 - x1), float(x0), float(n0 - x0)
    z = _z(check_alpha(alpha))
    note, method = "", "woolf"
    if min(a, b, c, d) == 0:
        top, bottom = a * d, b * c
        estimate = math.nan if top == bottom == 0 else math.inf if bottom == 0 else 0.0
        note = "a cell is 0: the interval adds 0.5 to every cell (Haldane-Anscombe)"
        a, b, c, d = a + 0.5, b + 0.5, c + 0.5, d + 0.5
        method = "woolf-haldane"
    else:
        estimate = (a * d) / (b * c)
    centre = math.log((a * d) / (b * c))
    half = z * math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    return EffectInterval(estimate, math.exp(centre - half), math.exp(centre + half), method, note)


@dataclass(frozen=True)
class ExactTest(Result):
    """An exact test's two-sided p-value and one-sided one (the arm answers more often)."""

    p_value: float
    p_value_greater: float


@dataclass(frozen=True)
class FisherTest(ExactTest):
    """Fisher's exact test: two-sided and one-sided (the arm answers more often) p-values."""

    _title = "Fisher's exact test"


def fisher_test(x0: int, n0: int, x1: int, n1: int) -> FisherTest:
    """Fisher's exact test on the 2 x 2 table (scipy's ``fisher_exact``; R's ``fisher.test``).

    Examples
    --------
    >>> f = fisher_test(1, 5, 4, 5)
    >>> round(f.p_value, 4), round(f.p_value_greater, 4)
    (0.2063, 0.1032)
    """
    import numpy as np
    from scipy.stats import fisher_exact

    x0, n0, x1, n1 = _pair(x0, n0, x1, n1)
    table = np.array([[x1, n1 - x1], [x0, n0 - x0]])
    two_sided = float(fisher_exact(table).pvalue)
    greater = float(fisher_exact(table, alternative="greater").pvalue)
    return FisherTest(min(1.0, two_sided), min(1.0, greater))


@dataclass(frozen=True)
class BoschlooTest(ExactTest):
    """Boschloo's exact unconditional test: two-sided and one-sided p-values."""

    _title = "Boschloo's exact test"


def boschloo_skip_reason(n0: int, n1: int) -> str | None:
    """Why Boschloo's test is not run for arms of n1 and n0 requests, or None if it is."""
    if (n1 + 1) * (n0 + 1) > BOSCHLOO_MAX_TABLES:
        return (
            f"skipped above {BOSCHLOO_MAX_TABLES:,} tables (about 140 per arm): too slow; "
            "Fisher's exact test is the primary test"
        )
    return None


def boschloo_test(x0: int, n0: int, x1: int, n1: int) -> BoschlooTest:
    """Boschloo's exact test (Boschloo 1970) via :func:`scipy.stats.boschloo_exact`.

    The two arms are the table's columns, as scipy expects; ``p_value_greater`` tests that the
    arm answers more often than the control. When both arms have the same all-or-nothing rate
    (0 of n and 0 of m, or n of n and m of m), every table is as extreme as the observed one and
    both p-values are 1.

    Raises
    ------
    InvalidInputError
        When the arms exceed :data:`BOSCHLOO_MAX_TABLES` (see :func:`boschloo_skip_reason`).

    Examples
    --------
    >>> b = boschloo_test(1, 5, 4, 5)
    >>> round(b.p_value, 4), round(b.p_value_greater, 4)
    (0.1094, 0.0547)
    """
    import numpy as np
    from scipy.stats import boschloo_exact

    x0, n0, x1, n1 = _pair(x0, n0, x1, n1)
    reason = boschloo_skip_reason(n0, n1)
    if reason is not None:
        raise InvalidInputError(f"Boschloo's test {reason}")
    if x1 + x0 in (0, n1 + n0):
        return BoschlooTest(1.0, 1.0)
    table = [[x1, x0], [n1 - x1, n0 - x0]]
    # scipy's two-sided test runs the "less" and the "greater" one and doubles the smaller
    # p-value; asking for "two-sided" and "greater" ran "greater" twice. The same steps, once.
    greater = boschloo_exact(table, alternative="greater")
    less = boschloo_exact(table, alternative="less")
    smaller = less if less.pvalue < greater.pvalue else greater
    two_sided = float(np.clip(2 * smaller.pvalue, a_min=0, a_max=1))
    return BoschlooTest(min(1.0, two_sided), min(1.0, float(greater.pvalue)))


@dataclass(frozen=True)
class Chi2Test(Result):
    """Pearson's chi-square test of the 2 x 2 table (1 degree of freedom)."""

    statistic: float
    p_value: float
    correction: bool = False
    df: int = 1

    _title = "Pearson's chi-square test"

    def _summary_frame(self):
        import pandas as pd

        return pd.DataFrame(
            [[self.statistic, self.df, self.p_value, self.correction]],
            columns=["statistic", "df", "p_value", "yates_correction"],
        )


def chi2_test(x0: int, n0: int, x1: int, n1: int, *, correction: bool = False) -> Chi2Test:
    """Pearson's chi-square test; ``correction=True`` applies Yates' continuity correction.

    Without correction this is R's ``prop.test(correct = FALSE)`` and the square of the pooled
    z-test. The correction moves each cell at most 0.5 (never past its expected count), as R's
    ``chisq.test`` and scipy's ``chi2_contingency`` do. When nobody or everybody responded in
    both arms the rates are identical and the statistic is 0 with p = 1 (the textbook formula
    would divide 0 by 0).

    Examples
    --------
    >>> c = chi2_test(1, 5, 4, 5)
    >>> round(c.statistic, 4), round(c.p_value, 4)
    (3.6, 0.0578)
    """
    from scipy.special import chdtrc

    x0, n0, x1, n1 = _pair(x0, n0, x1, n1)
    total, responded = n1 + n0, x1 + x0
    if responded in (0, total):
        return Chi2Test(0.0, 1.0, correction)
    statistic = 0.0
    for observed, n in ((x1, n1), (x0, n0)):
        for cell, column in ((observed, responded), (n - observed, total - responded)):
            expected = n * column / total
            gap = abs(cell - expected)
            if correction:
                gap -= min(0.5, gap)
            statistic += gap * gap / expected
    return Chi2Test(statistic, float(chdtrc(1, statistic)), correction)


@dataclass(frozen=True)
class WaldTest(Result):
    """The naive unpooled z-test and Wald interval, kept to show how they mislead."""

    statistic: float
    p_value: float
    ci_low: float
    ci_high: float

    _title = "Wald z-test (unpooled)"

    def _summary_frame(self):
        import pandas as pd

        return pd.DataFrame(
            [[self.statistic, self.p_value, self.ci_low, self.ci_high]],
            columns=["z", "p_value", "ci_low", "ci_high"],
        )


def wald_test(x0: int, n0: int, x1: int, n1: int, *, alpha: float = 0.05) -> WaldTest:
    """The unpooled z-test and the Wald interval of the difference (not clipped to [-1, 1]).

    With a standard error of 0 (every arm at 0 % or 100 %) z is 0 with p = 1 if the rates are
    equal, else infinite with p = 0: the naive test's overconfidence, shown rather than hidden.

    Examples
    --------
    >>> w = wald_test(1, 5, 4, 5)
    >>> round(w.statistic, 4), round(w.p_value, 4), round(w.ci_high, 4)
    (2.3717, 0.0177, 1.0958)
    """
    from scipy.special import ndtr

    x0, n0, x1, n1 = _pair(x0, n0, x1, n1)
    z_crit = _z(check_alpha(alpha))
    p1, p0 = x1 / n1, x0 / n0
    difference = p1 - p0
    se = math.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
    if se == 0.0:
        statistic = 0.0 if difference == 0 else math.copysign(math.inf, difference)
        p_value = 1.0 if difference == 0 else 0.0
    else:
        statistic = difference / se
        p_value = float(2 * ndtr(-abs(statistic)))
    return WaldTest(statistic, p_value, difference - z_crit * se, difference + z_crit * se)
