"""The sensitivity table and the verdict in plain words.

The sensitivity table puts the same comparison under the naive and the careful methods side by
side, so a reader sees why the naive figure misleads at five requests per arm. The verdict turns
the careful figures into sentences with the caveat the sample size calls for. A p-value is read
as how surprising the data would be if the wordings did not differ, never as how likely a
difference is to be real.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..formatting import p_number, p_text, pct_text, points_number, points_text, prob_text
from ..planning.power import sample_size, smallest_sample_size
from ..significance import rejects
from .many import OmnibusTest, SampleRatioCheck
from .results import ArmSummary, Comparison

__all__ = ["STRENGTH_WORDS", "per_arm_sample_size"]


#: Above this many requests per arm by the normal approximation, the verdict's repeat size is
#: the normal approximation's, said so: the exact search's cost grows with n (its saw-tooth scan
#: covers more n, docs/planning.md), and a figure the verdict gives as "about" needs no more.
EXACT_REPEAT_LIMIT = 500


def repeat_sample_size(
    p_control: float, p_arm: float, *, alpha: float = 0.05, power: float = 0.8
) -> tuple[int, str] | None:
    """Requests per arm for a two-sided test to detect these rates, and the method that gave
    them; None if the rates are equal.

    Fisher's exact test (the planning module's smallest n reaching the power) when the normal
    approximation needs at most :data:`EXACT_REPEAT_LIMIT` per arm (the exact figure may then
    be a few percent above the limit); beyond, the normal approximation (R's
    power.prop.test), rounded up. Where the method changes the figure steps by those few
    percent (Fisher's test is the more conservative); the verdict names the method.

    Examples
    --------
    >>> repeat_sample_size(0.2, 0.8)
    (12, "Fisher's exact test")
    >>> repeat_sample_size(0.2, 0.24)
    (1683, 'normal approximation')
    """
    if p_arm == p_control:
        return None
    approximate = math.ceil(
        sample_size(
            p_control, p_arm, power=power, alpha=alpha, test="normal", max_n=10**12
        ).n_per_arm
    )
    if approximate <= EXACT_REPEAT_LIMIT:
        exact = smallest_sample_size(p_control, p_arm, power=power, alpha=alpha)
        if exact is not None:
            return exact, "Fisher's exact test"
    return approximate, "normal approximation"


def per_arm_sample_size(
    p_control: float, p_arm: float, *, alpha: float = 0.05, power: float = 0.8
) -> int | None:
    """Requests per arm for a two-sided test to detect these rates, or None if they are equal
    (the figure of :func:`repeat_sample_size`). One sample-size calculation for the whole kit.

    Examples
    --------
    >>> per_arm_sample_size(0.2, 0.8)
    12
    """
    found = repeat_sample_size(p_control, p_arm, alpha=alpha, power=power)
    return None if found is None else found[0]


#: The strength words of a comparison, by how its primary test's p-value (after Holm) stands
#: against alpha (see :func:`strength`); nothing else (not the naive z-test, not the Bayesian
#: probability) moves them. Each category's sentence holds its phrase and no other's.
STRENGTH_WORDS: dict[str, str] = {
    "surprising": "A difference at least this large would be surprising",
    "suggestive": "Suggestive, not conclusive",
    "unclear": "No clear difference yet",
}
#: How surprising the observed difference would be under equal rates, below the strong case.
_SURPRISE = {"suggestive": "would be somewhat surprising", "unclear": "would not be surprising"}

_OMNIBUS_NAMES = {"chi2": "chi-square", "exact": "exact", "monte-carlo": "Monte Carlo"}


def strength(p_holm: float, alpha: float) -> str:
    """The verdict's strength category from the primary test's p-value (after Holm) alone.

    ``"surprising"`` when it rejects at alpha (:func:`~etiquette_lab.significance.rejects`),
    ``"suggestive"`` when it would reject at twice alpha, ``"unclear"`` otherwise.

    Examples
    --------
    >>> strength(0.0008, 0.05), strength(0.0859, 0.05), strength(0.109, 0.05)
    ('surprising', 'suggestive', 'unclear')
    """
    if rejects(p_holm, alpha):
        return "surprising"
    return "suggestive" if rejects(p_holm, 2 * alpha) else "unclear"


def naive_overstates(comparison: Comparison, alpha: float) -> bool:
    """Whether the naive z-test claims what the primary test does not: it rejects, the primary
    test does not, and its p-value is less than half the primary one. At thousands of requests
    per arm the two agree and this is never said."""
    wald_p = comparison.tests.wald.p_value
    return (
        bool(rejects(wald_p, alpha))
        and not rejects(comparison.p_value, alpha)
        and wald_p <= comparison.p_value / 2
    )


def _rates(arm: ArmSummary, control: ArmSummary) -> str:
    return (
        f"{arm.responded:,} of {arm.n:,} ({pct_text(arm.rate)}) vs {control.responded:,} of "
        f"{control.n:,} ({pct_text(control.rate)})"
    )


def _repeat(arm: ArmSummary, control: ArmSummary, alpha: float) -> str:
    needed = repeat_sample_size(control.rate, arm.rate, alpha=alpha)
    half = repeat_sample_size(control.rate, (control.rate + arm.rate) / 2, alpha=alpha)
    if not (needed and half):
        return ""
    (n_needed, how), (n_half, how_half) = needed, half
    # The method once when both figures share it, else after each.
    half_how = f" ({how_half})" if how_half != how else ""
    exaggerates = min(arm.n, control.n) < 100
    return (
        f" To detect a difference this large with 80% power, a repeat needs about {n_needed:,} "
        f"requests per arm ({how}), about {n_half:,}{half_how} if the true difference is half "
        "as large"
        + (" (a first small result tends to exaggerate the effect)." if exaggerates else ".")
    )


def comparison_sentence(
    arm: ArmSummary, control: ArmSummary, comparison: Comparison, *, alpha: float
) -> str:
    """The verdict's paragraph for one arm against the control.

    The counts, the difference with its interval, and what the primary test's p-value says:
    how surprising a difference at least this large would be if the wordings were answered
    equally often (never how likely the difference is to be real). The strength words come from
    the primary test alone (:func:`strength`); the naive z-test is mentioned only where it
    overstates the evidence (:func:`naive_overstates`).
    """
    level = round(100 * (1 - alpha))
    diff = comparison.difference
    interval = (
        f"difference {points_text(diff.estimate)}, {level}% CI {points_number(diff.ci_low)} to "
        f"{points_text(diff.ci_high)}"
    )
    test = f"{comparison.primary_test} p {p_text(comparison.p_value)}"
    if comparison.p_holm != comparison.p_value:
        test += f", {p_number(comparison.p_holm)} after Holm's correction"
    if arm.responded * control.n == control.responded * arm.n:
        return (
            f"'{arm.name}' and '{control.name}' were answered equally often: "
            f"{_rates(arm, control)}; {interval} ({test})."
        )
    direction = "more" if arm.rate > control.rate else "less"
    head = (
        f"'{arm.name}' was answered {direction} often than '{control.name}': "
        f"{_rates(arm, control)}; {interval}."
    )
    kind = strength(comparison.p_holm, alpha)
    against = {
        "surprising": f"below alpha = {alpha:g}",
        "suggestive": f"above alpha = {alpha:g}, below {2 * alpha:g}",
        "unclear": f"above alpha = {alpha:g}",
    }[kind]
    under_null = f"if the wordings were answered equally often ({test}, {against})."
    if kind == "surprising":
        body = f" {STRENGTH_WORDS[kind]} {under_null}"
        if abs(diff.estimate) < 0.02:
            body += " The difference itself is small; whether it matters is for you to judge."
    else:
        body = (
            f" {STRENGTH_WORDS[kind]}: a difference at least this large {_SURPRISE[kind]} "
            f"{under_null}"
        )
    if naive_overstates(comparison, alpha):
        body += (
            f" The naive z-test's p {p_text(comparison.tests.wald.p_value)} overstates the "
            f"evidence: with {min(arm.n, control.n):,} requests in the smaller arm its normal "
            "approximation is not reliable."
        )
    body += (
        f" Posterior probability that '{arm.name}' is answered more often: "
        f"{prob_text(comparison.bayes.prob_better)} ({comparison.bayes.prior} prior)."
    )
    if kind != "surprising":
        body += _repeat(arm, control, alpha)
    return head + body


def verdict_paragraphs(
    arms: Sequence[ArmSummary],
    control_name: str,
    comparisons: Sequence[Comparison],
    *,
    omnibus: OmnibusTest | None,
    sample_ratio: SampleRatioCheck | None,
    pending: int,
    alpha: float,
    control_pending: int = 0,
) -> tuple[str, ...]:
    """The verdict as paragraphs: the general ones first, then one per arm against the control,
    then warnings and what was not counted. *control_pending* is the control's pending
    requests, said when the control has nothing counted yet."""
    by_name = {a.name: a for a in arms}
    control = by_name.get(control_name)
    paragraphs: list[str] = []
    if control is None:
        waiting = control_pending
        paragraphs.append(
            f"The control '{control_name}' has no counted request yet"
            + (f" ({waiting:,} still pending)" if waiting else "")
            + ": there is nothing to compare the other wordings with. Their rates so far: "
            + "; ".join(f"'{a.name}' {a.responded:,} of {a.n:,} ({pct_text(a.rate)})" for a in arms)
            + "."
        )
    elif not comparisons:
        only = arms[0]
        paragraphs.append(
            f"Only one arm ('{only.name}': {only.responded:,} of {only.n:,}) has data: "
            "there is nothing to compare it with yet."
        )
    elif all(a.responded == 0 for a in arms):
        paragraphs.append(
            "No arm has a response yet ("
            + ", ".join(f"0 of {a.n:,}" for a in arms)
            + "): nothing tells the wordings apart."
        )
    elif all(a.responded == a.n for a in arms):
        paragraphs.append(
            "Every request in every arm was answered ("
            + ", ".join(f"{a.n:,} of {a.n:,}" for a in arms)
            + "): nothing tells the wordings apart."
        )
    else:
        if omnibus is not None:
            o = omnibus
            test = f"{_OMNIBUS_NAMES.get(o.method, o.method)} test p "
            test += p_text(o.p_value, bound=o.p_value_is_bound)
            if rejects(o.p_value, alpha):
                reading, test = "would be surprising", f"{test}, below alpha = {alpha:g}"
            else:
                reading, test = "would not be surprising", f"{test}, above alpha = {alpha:g}"
            paragraphs.append(
                f"Across all {len(arms)} arms, rates this different {reading} if every "
                f"wording were answered equally often ({test})."
            )
        paragraphs += [
            comparison_sentence(by_name[c.treatment], control, c, alpha=alpha) for c in comparisons
        ]
    if sample_ratio is not None and sample_ratio.mismatch:
        paragraphs.append(
            f"Warning: the requests are not split across arms as planned "
            f"(sample-ratio p {p_text(sample_ratio.p_value)}); check the "
            "assignment before trusting the comparison."
        )
    if pending:
        paragraphs.append(
            f"{pending:,} request{'s are' if pending != 1 else ' is'} still "
            "pending and not counted."
        )
    return tuple(paragraphs)
