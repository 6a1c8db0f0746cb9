"""Planning an experiment before a single request is sent: exact power, sample size, effects.

Exact power is the probability, summed over every possible outcome table, that the test rejects
(p < alpha, the kit's one rule: :func:`etiquette_lab.significance.rejects`) when the response rates
are as assumed. It is saw-toothed in n (it can fall when n
grows by one), so :func:`sample_size` reports two numbers: the smallest n reaching the power,
and the smallest n from which it stays reached. See ``docs/planning.md`` for the plain-words
account and :mod:`etiquette_lab.planning.kernels` for the numerical method and its error bounds.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping

import numpy as np

from ..checks import (
    checked_choice,
    checked_count,
    checked_open_unit,
    checked_positive,
    checked_rate,
)
from ..errors import InvalidInputError
from ..formatting import pct_text
from ..priors import whole_prior
from . import kernels as _k
from .bayes import better_matrix
from .results import (
    BayesAssuranceResult,
    DetectableEffectResult,
    PowerCurveResult,
    PowerResult,
    SampleSizeResult,
    new_arm,
)
from .search import NO_TEETH, SawTooth, search_sample_size

__all__ = [
    "bayes_assurance",
    "exact_power",
    "minimum_detectable_effect",
    "power_curve",
    "sample_size",
    "sample_size_table",
]

TESTS = ("fisher", "boschloo", "normal")
ALTERNATIVES = ("two-sided", "greater")
#: Default largest n per arm a sample-size search looks at.
DEFAULT_MAX_N = 2000


# -- input checks ---------------------------------------------------------------------------


def _ratio(ratio: float) -> float:
    return checked_positive("ratio", ratio, what="a positive number (n_new / n_control)")


def _common(baseline, target, alpha, alternative, test):
    return (
        checked_rate("baseline", baseline),
        checked_rate("target", target),
        checked_open_unit("alpha", alpha),
        checked_choice("alternative", alternative, ALTERNATIVES),
        checked_choice("test", test, TESTS),
    )


def _power_function(baseline, target, alpha, alternative, test) -> Callable[[int, int], float]:
    """(n_control, n_new) -> power, for an already validated design."""
    if test == "fisher":
        return lambda n_c, n_n: _k.fisher_power(
            n_c, n_n, baseline, target, alpha, alternative, _k.DEFAULT_EPS
        )
    if test == "normal":
        return lambda n_c, n_n: _k.normal_power(n_c, n_n, baseline, target, alpha, alternative)

    def boschloo(n_c: int, n_n: int) -> float:
        if max(n_c, n_n) > _k.BOSCHLOO_MAX_N:
            raise InvalidInputError(
                f"Boschloo's test is computed table by table (scipy's boschloo_exact, a few ms "
                f"each), so n per arm is limited to {_k.BOSCHLOO_MAX_N}; use test='fisher' for "
                "larger designs"
            )
        return _k.boschloo_power(n_c, n_n, baseline, target, alpha, alternative)

    return boschloo


def _method(test: str) -> str:
    if test == "fisher":
        return (
            "Exact: every outcome table enumerated, Fisher's p-values as R's fisher.test "
            "(ties within 1e-7), significant when p < alpha; tables with total probability < "
            f"{_k.DEFAULT_EPS:g} skipped, so power is low by at most that."
        )
    if test == "boschloo":
        return (
            "Exact: every outcome table enumerated with scipy.stats.boschloo_exact, significant "
            "when p < alpha."
        )
    return (
        "Approximate: two-proportion z-test, pooled variance under H0, as R's power.prop.test "
        "(strict = FALSE); too optimistic or pessimistic at small n."
    )


# -- power ----------------------------------------------------------------------------------


def exact_power(
    n_control: int,
    n_new: int,
    baseline: float,
    target: float,
    *,
    alpha: float = 0.05,
    alternative: str = "two-sided",
    test: str = "fisher",
) -> PowerResult:
    """Power of a two-arm design: the chance the test rejects if the rates are as assumed.

    Parameters
    ----------
    n_control, n_new : int
        Requests sent with the control wording and with the new one (each >= 1).
    baseline : float
        The control wording's expected response rate, in [0, 1].
    target : float
        The response rate hoped for with the new wording, in [0, 1].
    alpha : float
        Significance level, in (0, 1).
    alternative : {"two-sided", "greater"}
        "greater" tests that the new wording is answered more often (one-sided).
    test : {"fisher", "boschloo", "normal"}
        Fisher's exact test (fast at any n), Boschloo's exact test (n per arm <= 25: one
        optimisation per table), or the normal approximation (R's ``power.prop.test``) for
        comparison; ``result.exact`` says which kind of figure it is.

    Returns
    -------
    PowerResult

    Examples
    --------
    The article's design: 5 requests per wording, 20% against 80%.

    >>> round(exact_power(5, 5, 0.2, 0.8).power, 4)
    0.3758
    >>> round(exact_power(5, 5, 0.2, 0.8, test="normal").power, 2)  # the approximation
    0.47
    """
    baseline, target, alpha, alternative, test = _common(baseline, target, alpha, alternative, test)
    n_c, n_n = checked_count("n_control", n_control), checked_count("n_new", n_new)
    value = _power_function(baseline, target, alpha, alternative, test)(n_c, n_n)
    return PowerResult(
        power=value,
        n_control=n_c,
        n_new=n_n,
        baseline=baseline,
        target=target,
        alpha=alpha,
        alternative=alternative,
        test=test,
        exact=test != "normal",
        method=_method(test),
    )


def power_curve(
    baseline: float,
    target: float,
    *,
    n: Iterable[int] = range(1, 61),
    ratio: float = 1.0,
    alpha: float = 0.05,
    alternative: str = "two-sided",
    test: str = "fisher",
) -> PowerCurveResult:
    """Power at each n per arm, exact and by the normal approximation (for the plot).

    Examples
    --------
    >>> curve = power_curve(0.2, 0.8, n=[5, 6, 7])
    >>> [round(p, 3) for p in curve.power]
    [0.376, 0.275, 0.448]
    """
    baseline, target, alpha, alternative, test = _common(baseline, target, alpha, alternative, test)
    ratio = _ratio(ratio)
    ns = tuple(checked_count("n", v) for v in n)
    if not ns:
        raise InvalidInputError("n must hold at least one sample size")
    fn = _power_function(baseline, target, alpha, alternative, test)
    normal = _power_function(baseline, target, alpha, alternative, "normal")
    news = tuple(new_arm(v, ratio) for v in ns)
    return PowerCurveResult(
        n=ns,
        n_new=news,
        power=tuple(fn(a, b) for a, b in zip(ns, news, strict=True)),
        normal_power=tuple(normal(a, b) for a, b in zip(ns, news, strict=True)),
        baseline=baseline,
        target=target,
        alpha=alpha,
        alternative=alternative,
        test=test,
        ratio=ratio,
    )


# -- sample size ----------------------------------------------------------------------------


def sample_size(
    baseline: float,
    target: float,
    *,
    power: float = 0.8,
    alpha: float = 0.05,
    alternative: str = "two-sided",
    test: str = "fisher",
    ratio: float = 1.0,
    max_n: int = DEFAULT_MAX_N,
) -> SampleSizeResult:
    """The number of requests per wording needed to detect *target* against *baseline*.

    Exact power is saw-toothed in n, so two answers are given: ``n_per_arm``, the smallest n
    (control arm; the new arm gets ``ratio * n`` rounded up) whose power reaches *power*, and
    ``n_per_arm_stable``, the smallest n from which every n up to ``checked_up_to`` keeps it.

    The search gallops and bisects to a crossing from the normal approximation's guess, then
    computes the power at every n around it: downwards until no smaller n can reach the goal,
    upwards until no larger n can fall below it (or ``max_n``). Both stops rest on the
    saw-tooth allowance (:class:`~etiquette_lab.planning.search.SawTooth`): no n has power
    exceeding a larger m's by more than ``1.5 phi(Phi^-1(power(m))) / sigma(m)``, sigma(m) the
    standard deviation of the new arm's count given the total, about ``0.5 sqrt(m / 2)``
    at rates near 50%. ``benchmarks/study_sawtooth.py`` measured the largest excess on 760
    designs up to n = 2,000 at 0.4 of it. ``checked_up_to`` is the last n looked at; past it
    the allowance, not a computation, says the power stays reached. Fisher's test compares
    most n through cheap bounds on the power (within 1e-5) and computes it exactly only where
    they do not decide. The normal approximation is monotone, so both answers agree.

    Parameters
    ----------
    baseline, target : float
        Expected response rates of the control and the new wording, in [0, 1], different.
    power : float
        The power wanted, in (0, 1).
    alpha, alternative, test
        As in :func:`exact_power`. Boschloo's test caps n per arm at 25.
    ratio : float
        n_new / n_control (1 for equal arms).
    max_n : int
        The largest n per arm (control) considered; asking for a power not reached below it
        raises InvalidInputError.

    Returns
    -------
    SampleSizeResult

    Examples
    --------
    >>> plan = sample_size(0.2, 0.5)
    >>> plan.n_per_arm, plan.n_per_arm_stable, round(plan.power, 3)
    (44, 44, 0.802)
    """
    baseline, target, alpha, alternative, test = _common(baseline, target, alpha, alternative, test)
    goal = checked_open_unit("power", power)
    ratio = _ratio(ratio)
    max_n = checked_count("max_n", max_n)
    if test == "boschloo":
        max_n = min(max_n, _k.BOSCHLOO_MAX_N)
    if baseline == target:
        raise InvalidInputError(
            "baseline and target are equal: no sample size detects a difference of zero"
        )
    if alternative == "greater" and target < baseline:
        raise InvalidInputError(
            "alternative 'greater' tests for a higher rate, but target is below baseline"
        )
    guess = _k.normal_sample_size(baseline, target, goal, alpha, alternative, ratio)
    fn = _power_function(baseline, target, alpha, alternative, test)
    teeth = NO_TEETH if test == "normal" else SawTooth.of_design(baseline, target, ratio)
    bounds = (
        _power_bounds_function(baseline, target, alpha, alternative) if test == "fisher" else None
    )
    first, stable, top, seen = search_sample_size(
        lambda n: fn(n, new_arm(n, ratio)),
        goal,
        math.ceil(guess),
        max_n,
        teeth,
        None if bounds is None else lambda n: bounds(n, new_arm(n, ratio)),
    )
    for n in (first, stable):  # the bounds settled most steps: the two answers' powers
        if n not in seen:
            seen[n] = fn(n, new_arm(n, ratio))
    n_new = new_arm(first, ratio)
    return SampleSizeResult(
        n_per_arm=first,
        n_per_arm_stable=stable,
        power=seen[first],
        power_stable=seen[stable],
        n_control=first,
        n_new=n_new,
        n_total=first + n_new,
        target_power=goal,
        baseline=baseline,
        target=target,
        alpha=alpha,
        alternative=alternative,
        test=test,
        ratio=ratio,
        max_n=max_n,
        checked_up_to=top,
        normal_approximation_n=float(guess),
        evaluated=tuple(sorted(seen.items())),
        method=_method(test),
    )


def sample_size_table(
    baseline: float,
    targets: Iterable[float] | Mapping[str, float],
    *,
    power: float = 0.8,
    alpha: float = 0.05,
    alternative: str = "two-sided",
    test: str = "fisher",
    ratio: float = 1.0,
    max_n: int = DEFAULT_MAX_N,
):
    """:func:`sample_size` for several targets at once, as a table to read: one row each.

    Parameters
    ----------
    baseline : float
        Expected response rate of the control wording.
    targets : iterable of float, or mapping of label -> float
        The response rates of the new wording to plan for; with a mapping, its labels name
        the rows ("as observed", "half of it").
    power, alpha, alternative, test, ratio, max_n
        As in :func:`sample_size`.

    Returns
    -------
    pandas.DataFrame
        One row per target: the rates, ``requests per wording`` (the smallest n reaching the
        power), ``stays reached from`` (saw-tooth: the n from which it stays reached),
        ``requests in all``, ``power`` at the first, and what the normal approximation says.

    Examples
    --------
    >>> table = sample_size_table(0.2, [0.5, 0.8])
    >>> table["requests per wording"].tolist(), table["normal approximation"].tolist()
    ([44, 12], ['38.5', '9.6'])
    """
    import pandas as pd

    named = dict(targets) if isinstance(targets, Mapping) else None
    rates = list(named.values()) if named is not None else [float(t) for t in targets]
    labels = list(named) if named is not None else [pct_text(t) for t in rates]
    plans = [
        sample_size(
            baseline,
            t,
            power=power,
            alpha=alpha,
            alternative=alternative,
            test=test,
            ratio=ratio,
            max_n=max_n,
        )
        for t in rates
    ]
    frame = pd.DataFrame(
        {
            "control": [pct_text(p.baseline) for p in plans],
            "new wording": [pct_text(p.target) for p in plans],
            "requests per wording": [p.n_per_arm for p in plans],
            "stays reached from": [p.n_per_arm_stable for p in plans],
            "requests in all": [p.n_total for p in plans],
            "power": [f"{100 * p.power:.1f}%" for p in plans],
            "normal approximation": [f"{p.normal_approximation_n:.1f}" for p in plans],
        },
        index=pd.Index(labels, name="target"),
    )
    return frame


def smallest_sample_size(
    baseline: float,
    target: float,
    *,
    power: float = 0.8,
    alpha: float = 0.05,
    max_n: int = DEFAULT_MAX_N,
) -> int | None:
    """``sample_size(baseline, target, power=, alpha=).n_per_arm`` (Fisher's test, two-sided,
    equal arms), or None where that raises, for less work: the verdict's repeat sample size.

    The same search takes the same steps, most settled by cheap bounds on the power
    (:func:`~etiquette_lab.planning.kernels.fisher_power_bounds`, within 1e-5), as in
    :func:`sample_size`; it skips only the result and the exact powers of the two answers.
    Same answer, same errors.

    Examples
    --------
    >>> smallest_sample_size(0.2, 0.5), sample_size(0.2, 0.5).n_per_arm
    (44, 44)
    >>> smallest_sample_size(0.2, 0.22) is None  # about 6,500 per arm: beyond 2,000
    True
    """
    baseline, target, alpha, _, _ = _common(baseline, target, alpha, "two-sided", "fisher")
    goal = checked_open_unit("power", power)
    max_n = checked_count("max_n", max_n)
    if baseline == target:
        raise InvalidInputError(
            "baseline and target are equal: no sample size detects a difference of zero"
        )
    exact = _power_function(baseline, target, alpha, "two-sided", "fisher")
    bounds = _power_bounds_function(baseline, target, alpha, "two-sided")
    guess = _k.normal_sample_size(baseline, target, goal, alpha, "two-sided", 1.0)
    try:
        first, *_ = search_sample_size(
            lambda n: exact(n, n),
            goal,
            math.ceil(guess),
            max_n,
            SawTooth.of_design(baseline, target, 1.0),
            lambda n: bounds(n, n),
        )
    except InvalidInputError:
        return None
    return first


def _power_bounds_function(
    baseline, target, alpha, alternative
) -> Callable[[int, int], tuple[float, float]]:
    """(n_control, n_new) -> bounds on Fisher's power, for a validated design."""
    return lambda n_c, n_n: _k.fisher_power_bounds(
        n_c, n_n, baseline, target, alpha, alternative, _k.DEFAULT_EPS
    )


# -- minimum detectable effect --------------------------------------------------------------


def minimum_detectable_effect(
    n_control: int,
    n_new: int | None = None,
    *,
    baseline: float,
    power: float = 0.8,
    alpha: float = 0.05,
    alternative: str = "two-sided",
    test: str = "fisher",
    tolerance: float = 1e-5,
) -> DetectableEffectResult:
    """The smallest target rate above *baseline* that the design detects with *power*.

    "Smallest" is found by bisection on the target rate, to *tolerance*: at fixed n, power
    rises with the target rate (the saw-tooth is in n, not in the rate), so the answer is the
    smallest rate whose power reaches the goal, up to the tolerance; the returned ``target``
    is the upper end of the final bracket, so its power always reaches the goal. Only rises
    are considered (for "two-sided" a fall of similar size is about as detectable).

    Examples
    --------
    >>> mde = minimum_detectable_effect(10, baseline=0.2)
    >>> round(mde.target, 3)
    0.879
    """
    n_c = checked_count("n_control", n_control)
    n_n = n_c if n_new is None else checked_count("n_new", n_new)
    baseline, _, alpha, alternative, test = _common(baseline, 1.0, alpha, alternative, test)
    goal = checked_open_unit("power", power)
    if baseline >= 1.0:
        raise InvalidInputError("baseline is 1: no rate above it can be detected")

    def pw(rate: float) -> float:
        return _power_function(baseline, rate, alpha, alternative, test)(n_c, n_n)

    best = pw(1.0)
    if best < goal:
        raise InvalidInputError(
            f"even a target of 100% is detected only {100 * best:.1f}% of the time with "
            f"{n_c} and {n_n} requests; more requests are needed for {100 * goal:.0f}% power"
        )
    lo, hi = baseline, 1.0
    while hi - lo > tolerance:
        mid = (lo + hi) / 2
        if pw(mid) >= goal:
            hi, best = mid, pw(mid)
        else:
            lo = mid
    return DetectableEffectResult(
        target=hi,
        difference=hi - baseline,
        power=best,
        target_power=goal,
        n_control=n_c,
        n_new=n_n,
        baseline=baseline,
        alpha=alpha,
        alternative=alternative,
        test=test,
        method=_method(test) + f" Rate found by bisection to {tolerance:g}.",
    )


# -- the Bayesian view ----------------------------------------------------------------------


def bayes_assurance(
    n_control: int,
    n_new: int,
    baseline: float,
    target: float,
    *,
    threshold: float = 0.95,
    prior: str | tuple[int, int] = (1, 1),
) -> BayesAssuranceResult:
    """The chance the experiment ends with P(new wording better | data) above *threshold*.

    Every outcome table is weighed by its binomial probability under the assumed rates, and
    P(new better | table) is computed exactly for all tables at once (see
    :func:`~etiquette_lab.planning.bayes.probability_new_better`). Tables with total probability
    below 1e-12 are skipped (the assurance is low by at most that).

    Examples
    --------
    >>> round(bayes_assurance(5, 5, 0.2, 0.8).assurance, 4)
    0.6778
    """
    baseline, target = checked_rate("baseline", baseline), checked_rate("target", target)
    threshold = checked_open_unit("threshold", threshold)
    n_c, n_n = checked_count("n_control", n_control), checked_count("n_new", n_new)
    a0, b0 = whole_prior(prior)
    x_c, x_n, pmf_c, pmf_n = _k.table_grid(n_c, n_n, baseline, target, _k.DEFAULT_EPS)
    better = better_matrix(x_c, n_c, x_n, n_n, a0, b0)
    value = float(np.einsum("i,ij,j->", pmf_c, better > threshold, pmf_n))
    return BayesAssuranceResult(
        assurance=value,
        threshold=threshold,
        n_control=n_c,
        n_new=n_n,
        baseline=baseline,
        target=target,
        prior_a=a0,
        prior_b=b0,
        method=(
            "Exact: every outcome table enumerated; P(new better) from Beta posteriors by a "
            "closed-form beta-binomial sum."
        ),
    )
