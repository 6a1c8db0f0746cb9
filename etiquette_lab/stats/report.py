"""The comparison report: every arm against the control, from counts.

:func:`compare_counts` is the engine's front door. It takes counts per arm, never a file, and
returns a :class:`ComparisonReport` whose ``to_dict()`` is the ``--json`` output documented in
``docs/json-schema.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..arms import control_first
from ..checks import check_alpha, check_count, check_counts, check_method
from ..errors import InvalidInputError
from ..priors import resolve_prior
from .bayes import bayes_compare
from .compare import (
    DIFFERENCE_METHODS,
    boschloo_skip_reason,
    boschloo_test,
    chi2_test,
    difference_interval,
    fisher_test,
    odds_ratio_interval,
    risk_ratio_interval,
    wald_test,
)
from .many import (
    MantelHaenszel,
    holm_adjust,
    mantel_haenszel,
    omnibus_test,
    sample_ratio_check,
)
from .rates import RATE_METHODS, rate_interval
from .results import ArmSummary, Comparison, ComparisonReport, TwoArmTests, sensitivity_rows
from .verdict import verdict_paragraphs

__all__ = ["compare_counts"]


def _check_arms(arms: Mapping[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    if not isinstance(arms, Mapping) or len(arms) == 0:
        raise InvalidInputError("give at least one arm as name -> (responses, requests)")
    checked = {}
    for name, counts in arms.items():
        label = str(name)
        if not label:
            raise InvalidInputError("an arm needs a non-empty name")
        try:
            x, n = counts
        except (TypeError, ValueError):
            raise InvalidInputError(
                f"arm {label!r}: expected (responses, requests), got {counts!r}"
            ) from None
        x, n = check_counts(x, n, f"arm {label!r}")
        if n == 0:
            raise InvalidInputError(
                f"arm {label!r} has no requests (n = 0): nothing to compare; drop it"
            )
        checked[label] = (x, n)
    return checked


def _compare_pair(
    x0: int,
    n0: int,
    x1: int,
    n1: int,
    *,
    diff_method: str,
    alpha: float,
    prior: str | Sequence[float],
) -> tuple[dict[str, Any], TwoArmTests]:
    reason = boschloo_skip_reason(n0, n1)
    tests = TwoArmTests(
        fisher=fisher_test(x0, n0, x1, n1),
        boschloo=None if reason else boschloo_test(x0, n0, x1, n1),
        boschloo_reason=reason,
        chi2=chi2_test(x0, n0, x1, n1),
        chi2_yates=chi2_test(x0, n0, x1, n1, correction=True),
        wald=wald_test(x0, n0, x1, n1, alpha=alpha),
    )
    effects = {
        "difference": difference_interval(x0, n0, x1, n1, method=diff_method, alpha=alpha),
        "risk_ratio": risk_ratio_interval(x0, n0, x1, n1, alpha=alpha),
        "odds_ratio": odds_ratio_interval(x0, n0, x1, n1, alpha=alpha),
        "bayes": bayes_compare(x0, n0, x1, n1, prior=prior, alpha=alpha),
    }
    return effects, tests


def _stratified(
    strata: Mapping[str, Mapping[str, tuple[int, int]]],
    arms: dict[str, tuple[int, int]],
    control: str,
    alpha: float,
) -> dict[str, MantelHaenszel]:
    totals = {name: [0, 0] for name in arms}
    for stratum, cells in strata.items():
        for name, (x, n) in cells.items():
            if name not in arms:
                raise InvalidInputError(f"stratum {stratum!r} names an unknown arm {name!r}")
            x, n = check_counts(x, n, f"stratum {stratum!r}, arm {name!r}")
            totals[name][0] += x
            totals[name][1] += n
    for name, (x, n) in arms.items():
        if tuple(totals[name]) != (x, n):
            raise InvalidInputError(
                f"arm {name!r}: the strata add up to {totals[name][0]}/{totals[name][1]}, "
                f"not {x}/{n}"
            )
    result = {}
    for name in arms:
        if name == control:
            continue
        tables = [
            (*cells.get(control, (0, 0)), *cells.get(name, (0, 0))) for cells in strata.values()
        ]
        result[name] = mantel_haenszel(tables, alpha=alpha)
    return result


def compare_counts(
    arms: Mapping[str, tuple[int, int]],
    *,
    control: str | None = None,
    ci_method: str = "wilson",
    diff_method: str = "newcombe",
    alpha: float = 0.05,
    prior: str | Sequence[float] = "uniform",
    strata: Mapping[str, Mapping[str, tuple[int, int]]] | None = None,
    allocation: Mapping[str, float] | None = None,
    pending: Mapping[str, int] | None = None,
    sent: Mapping[str, int] | None = None,
) -> ComparisonReport:
    """Compare the response rates of wordings (arms) against a control, from counts.

    Parameters
    ----------
    arms : mapping of name -> (responses, requests)
        One or more arms; each needs at least one request. With a single arm the report gives
        its rate and says there is nothing to compare.
    control : str, optional
        The arm the others are compared with: "default" if there is such an arm, else the first.
        A control named in ``pending`` but not in ``arms`` (all its requests still pending)
        stays the control: the report gives the other arms' rates, compares nothing and says
        why.
    ci_method : {"wilson", "clopper-pearson", "jeffreys"}
        Interval for each arm's rate.
    diff_method : {"newcombe", "agresti-caffo"}
        Interval for the difference in rates.
    alpha : float
        1 - confidence level, also the threshold of the verdict.
    prior : {"uniform", "jeffreys"} or (a, b)
        Beta prior of the Bayesian comparison.
    strata : mapping of stratum -> mapping of arm -> (responses, requests), optional
        The same counts split by stratum (they must add up to ``arms``); adds the
        Mantel-Haenszel odds ratio and CMH test of each arm against the control.
    allocation : mapping of arm -> planned share, optional
        The planned split, for the sample-ratio check. Without it (and without ``sent``) there
        is no plan to check against, and ``sample_ratio`` is None; with ``sent`` alone, equal
        shares are assumed (the kit's random assignment).
    pending : mapping of arm -> int, optional
        Requests whose outcome window has not closed; reported, never counted. Arms not in
        ``arms`` (nothing evaluated yet) still count in the report's total.
    sent : mapping of arm -> int, optional
        All requests sent per arm, pending ones included, for the sample-ratio check (by
        default each arm's n).

    Returns
    -------
    ComparisonReport

    Examples
    --------
    >>> r = compare_counts({"default": (1, 5), "personalised": (4, 5)})
    >>> c = r.comparisons[0]
    >>> round(c.tests.fisher.p_value, 4), round(c.tests.boschloo.p_value, 4)
    (0.2063, 0.1094)
    >>> round(c.tests.chi2.p_value, 4), round(c.tests.wald.p_value, 4)
    (0.0578, 0.0177)
    >>> print(r.verdict_paragraphs[0].split(". ")[1])
    No clear difference yet: a difference at least this large would not be surprising if the
    wordings were answered equally often (Boschloo p = 0.109, above alpha = 0.05)
    """
    counts = _check_arms(arms)
    alpha = check_alpha(alpha)
    ci_method = check_method(ci_method, RATE_METHODS, "interval method")
    diff_method = check_method(diff_method, DIFFERENCE_METHODS, "difference method")
    prior_label = resolve_prior(prior)[0]
    # A control whose requests are all still pending has no counts: nothing is compared, and
    # no other arm is promoted to control in its place.
    absent = control is not None and control not in counts and control in (pending or {})
    if absent:
        chosen = str(control)
    else:  # the control leads every table; the others keep the order they came in
        chosen, counts = control_first(counts, control)
    control = chosen
    names = list(counts)
    waiting = {name: 0 for name in names}
    for name, value in (pending or {}).items():
        waiting[str(name)] = check_count(value, f"arm {name!r}: pending")
    summaries = []
    for name, (x, n) in counts.items():
        r = rate_interval(x, n, method=ci_method, alpha=alpha)
        summaries.append(
            ArmSummary(name, n, x, r.estimate, r.ci_low, r.ci_high, ci_method, waiting[name])
        )
    if sent is not None and set(names) - set(sent):
        missing = sorted(set(names) - set(sent))
        raise InvalidInputError(f"sent= has no count for the arm(s) {', '.join(missing)}")
    allocated = {n: counts[n][1] for n in names} if sent is None else {n: sent[n] for n in names}
    x0, n0 = counts.get(chosen, (0, 0))
    raw = []
    for name in names:
        if name == chosen or absent:
            continue
        x1, n1 = counts[name]
        effects, tests = _compare_pair(
            x0, n0, x1, n1, diff_method=diff_method, alpha=alpha, prior=prior
        )
        primary = tests.boschloo.p_value if tests.boschloo else tests.fisher.p_value
        raw.append((name, effects, tests, "Boschloo" if tests.boschloo else "Fisher", primary))
    adjusted = holm_adjust([p for *_, p in raw])
    comparisons = tuple(
        Comparison(
            name,
            chosen,
            effects["difference"],
            effects["risk_ratio"],
            effects["odds_ratio"],
            tests,
            effects["bayes"],
            primary_test,
            p,
            p_holm,
            sensitivity_rows(tests, effects["bayes"]),
        )
        for (name, effects, tests, primary_test, p), p_holm in zip(raw, adjusted, strict=True)
    )
    omnibus = omnibus_test([counts[n] for n in names]) if len(names) >= 3 and not absent else None
    # Only a design has a planned split: counts typed in for a comparison carry none, and a
    # 'mismatch' against equal shares would be a false alarm. A log (sent) or a stated
    # allocation has one.
    planned = allocation is not None or sent is not None
    ratio = (
        sample_ratio_check(allocated, allocation=allocation)
        if len(names) >= 2 and planned and not absent
        else None
    )
    stratified = _stratified(strata, counts, chosen, alpha) if strata and not absent else None
    total_pending = sum(waiting.values())
    paragraphs = verdict_paragraphs(
        summaries,
        chosen,
        comparisons,
        omnibus=omnibus,
        sample_ratio=ratio,
        pending=total_pending,
        alpha=alpha,
        control_pending=waiting.get(chosen, 0),
    )
    return ComparisonReport(
        arms=tuple(summaries),
        control=chosen,
        comparisons=comparisons,
        omnibus=omnibus,
        stratified=stratified,
        sample_ratio=ratio,
        pending=total_pending,
        verdict=" ".join(paragraphs),
        alpha=alpha,
        ci_method=ci_method,
        diff_method=diff_method,
        prior=prior_label,
        verdict_paragraphs=paragraphs,
    )
