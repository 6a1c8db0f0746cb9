"""The results of comparing arms from counts: per arm, per comparison, and the whole report.

Data only: :mod:`etiquette_lab.stats.report` computes them and
:mod:`etiquette_lab.stats.verdict` words them, so both import this module and neither imports
the other's results.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from ..formatting import p_number, p_text, pct_text, points_number, prob_text
from ..results import Paragraphs, Result
from .bayes import BayesComparison
from .compare import BoschlooTest, Chi2Test, EffectInterval, FisherTest, WaldTest
from .many import MantelHaenszel, OmnibusTest, SampleRatioCheck

__all__ = [
    "ArmSummary",
    "Comparison",
    "ComparisonReport",
    "SensitivityRow",
    "TwoArmTests",
    "sensitivity_rows",
]


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


@dataclass(frozen=True)
class ArmSummary:
    """One arm: its counts, rate and confidence interval, and its pending requests."""

    name: str
    n: int
    responded: int
    rate: float
    ci_low: float
    ci_high: float
    method: str
    pending: int = 0


@dataclass(frozen=True)
class TwoArmTests:
    """The tests of one arm against the control.

    ``boschloo`` is None when skipped, with ``boschloo_reason`` saying why. ``chi2`` is Pearson's
    statistic without continuity correction; ``chi2_yates`` and ``wald`` feed the sensitivity
    table.
    """

    fisher: FisherTest
    boschloo: BoschlooTest | None
    boschloo_reason: str | None
    chi2: Chi2Test
    chi2_yates: Chi2Test
    wald: WaldTest


@dataclass(frozen=True)
class Comparison(Result):
    """One arm against the control: effects, tests, Bayesian probability and sensitivity.

    ``p_value`` is the primary test's two-sided p-value (Boschloo when it ran, else Fisher) and
    ``p_holm`` the same after Holm's correction over all comparisons of the report.
    """

    treatment: str
    control: str
    difference: EffectInterval
    risk_ratio: EffectInterval
    odds_ratio: EffectInterval
    tests: TwoArmTests
    bayes: BayesComparison
    primary_test: str
    p_value: float
    p_holm: float
    sensitivity: tuple[SensitivityRow, ...]

    @property
    def _title(self) -> str:  # type: ignore[override]
        return f"{self.treatment} vs {self.control}: sensitivity of the comparison"

    def _summary_frame(self):
        import pandas as pd

        return pd.DataFrame(
            [[r.method, r.statistic, r.p_value, r.note] for r in self.sensitivity],
            columns=["method", "statistic", "p_value", "note"],
        ).set_index("method")

    def _text_frame(self):
        """The sensitivity table with p-values and P(better) as the verdict prints them."""

        def statistic(row: SensitivityRow) -> str:
            if math.isnan(row.statistic):
                return "-"
            if math.isinf(row.statistic):  # the naive z-test with a standard error of 0
                return "-infinite" if row.statistic < 0 else "infinite"
            # The Bayesian row's statistic is a probability (its p-value is missing).
            return prob_text(row.statistic) if math.isnan(row.p_value) else f"{row.statistic:.4g}"

        frame = self.summary
        frame["statistic"] = [statistic(r) for r in self.sensitivity]
        frame["p_value"] = [p_number(r.p_value) for r in self.sensitivity]
        return frame.rename(columns={"p_value": "p"})


@dataclass(frozen=True)
class ComparisonReport(Result):
    """Every arm against the control, with the verdict in words.

    ``verdict`` is the verdict in words, one string; ``verdict_paragraphs`` the same as
    paragraphs (the general ones, one per arm against the control, then warnings), which
    ``_repr_html_`` shows as separate paragraphs. ``time_to_response`` is reserved for the
    time-to-response analysis (filled in by the timing module); ``any_response`` holds the
    any-response comparison when the report itself counts only positive responses and some
    responses were not positive (for example declines). When the control has no counted request
    yet (all pending), ``arms`` holds the other arms, ``comparisons`` is empty and the verdict
    says so; the control is never replaced by another arm.
    """

    arms: tuple[ArmSummary, ...]
    control: str
    comparisons: tuple[Comparison, ...]
    omnibus: OmnibusTest | None
    stratified: dict[str, MantelHaenszel] | None
    sample_ratio: SampleRatioCheck | None
    pending: int
    verdict: str
    alpha: float
    ci_method: str
    diff_method: str
    prior: str
    outcome: str = "response"
    window: str | None = None
    as_of: str | None = None
    any_response: ComparisonReport | None = None
    time_to_response: Any = None
    notes: tuple[str, ...] = field(default=())
    verdict_paragraphs: tuple[str, ...] = field(default=())

    _title = "Response rates by arm"

    def to_dict(self, *, full_curves: bool = False) -> dict[str, Any]:
        """The ``--json`` output; ``full_curves`` keeps every time of the time-to-response
        curves (``report --json --full-curves``), which are otherwise thinned for display when
        long (:meth:`etiquette_lab.analyse.timing.TimeToResponseReport.to_dict`)."""
        if not full_curves or self.time_to_response is None:
            return super().to_dict()
        data = Result.to_dict(replace(self, time_to_response=None))
        data["time_to_response"] = self.time_to_response.to_dict(full_curves=True)
        return data

    def _summary_frame(self):
        import pandas as pd

        by_name = {c.treatment: c for c in self.comparisons}
        rows = []
        for arm in self.arms:
            c = by_name.get(arm.name)
            rows.append(
                {
                    "arm": arm.name + (" (control)" if arm.name == self.control else ""),
                    "responded": arm.responded,
                    "n": arm.n,
                    "rate": arm.rate,
                    "ci_low": arm.ci_low,
                    "ci_high": arm.ci_high,
                    "difference": c.difference.estimate if c else math.nan,
                    "diff_low": c.difference.ci_low if c else math.nan,
                    "diff_high": c.difference.ci_high if c else math.nan,
                    "p_value": c.p_value if c else math.nan,
                    "p_holm": c.p_holm if c else math.nan,
                    "P(better)": c.bayes.prob_better if c else math.nan,
                }
            )
        return pd.DataFrame(rows).set_index("arm")

    def _text_frame(self):
        """The rates table as the verdict words it: rates in %, differences in points, p-values
        to three digits; comparison columns only when something was compared."""
        import pandas as pd

        level = f"{round(100 * (1 - self.alpha))}%"
        by_name = {c.treatment: c for c in self.comparisons}
        tests = {c.primary_test for c in self.comparisons}
        p_label = f"p ({tests.pop()})" if len(tests) == 1 else "p"
        rows = {}
        for arm in self.arms:
            c = by_name.get(arm.name)
            row = {
                "responded": f"{arm.responded:,}",
                "n": f"{arm.n:,}",
                "rate": pct_text(arm.rate),
                f"{level} CI": f"{pct_text(arm.ci_low)} to {pct_text(arm.ci_high)}",
            }
            if self.comparisons:
                d = c.difference if c else None
                row["difference (points)"] = points_number(d.estimate) if d else ""
                row[f"{level} CI (points)"] = (
                    f"{points_number(d.ci_low)} to {points_number(d.ci_high)}" if d else ""
                )
                row[p_label] = p_number(c.p_value) if c else ""
                if len(self.comparisons) > 1:
                    row["p (Holm)"] = p_number(c.p_holm) if c else ""
                row["P(better)"] = prob_text(c.bayes.prob_better) if c else ""
            label = arm.name + (" (control)" if arm.name == self.control else "")
            rows[label] = row
        frame = pd.DataFrame.from_dict(rows, orient="index")
        frame.index.name = "arm"
        return frame

    def _parts(self) -> list[Result]:
        single = list(self.comparisons) if len(self.comparisons) == 1 else []
        return [*single, *([self.time_to_response] if self.time_to_response is not None else [])]

    def _verdict_lines(self) -> list[str]:
        """The verdict's paragraphs, a blank line between two (HTML drops the blank lines)."""
        paragraphs = self.verdict_paragraphs or (self.verdict,)
        return [line for p in paragraphs for line in ("", p)][1:]

    def _notes(self) -> list[str]:
        lines = self._verdict_lines()
        lines += ["", *self.notes] if self.notes else []
        level = f"{round(100 * (1 - self.alpha))}%"
        for name, pooled in (self.stratified or {}).items():
            head = f"Within strata ({pooled.strata}, Mantel-Haenszel): '{name}' vs '{self.control}'"
            if math.isfinite(pooled.odds_ratio) and pooled.odds_ratio > 0:
                head += (
                    f" odds ratio {pooled.odds_ratio:.3g}, {level} CI {pooled.ci_low:.3g} to "
                    f"{pooled.ci_high:.3g}"
                )
            # An undefined or infinite pooled odds ratio is not printed; its note says why.
            why = f" ({pooled.note})" if pooled.note else ""
            lines.append(f"{head}, CMH p {p_text(pooled.p_value)}{why}.")
        if self.any_response is not None:
            lines += [
                "",
                f"Counting any response (including {self.any_response.notes[0]}):"
                if self.any_response.notes
                else "Counting any response:",
                *self.any_response._verdict_lines(),
            ]
        return lines

    @property
    def verdict_text(self) -> Paragraphs:
        """The verdict to read: one paragraph per ``<p>`` in a notebook, wrapped at 100 columns
        when printed (``verdict`` holds the same words as one string).

        Examples
        --------
        >>> from etiquette_lab import compare_counts
        >>> report = compare_counts({"default": (1, 5), "personalised": (4, 5)})
        >>> max(len(line) for line in str(report.verdict_text).splitlines())
        100
        """
        return Paragraphs(self.verdict_paragraphs or (self.verdict,))

    def responses_table(self):
        """Successes beside any responses, per arm (control first), rounded as the verdict.

        A decline is a response but not a success: ``not a success`` counts such responses,
        and the two rates show what they do to each arm. When ``any_response`` is None every
        counted response was a success and both columns agree.

        Returns
        -------
        pandas.DataFrame
            Indexed by arm: ``evaluated``, ``successes``, ``any response``, ``not a success``,
            ``success rate``, ``any-response rate``.

        Examples
        --------
        >>> from etiquette_lab import compare_counts
        >>> report = compare_counts({"default": (1, 5), "personalised": (4, 5)})
        >>> report.responses_table().loc["personalised", "success rate"]
        '80%'
        """
        counted = self.any_response or self
        responded = {a.name: a.responded for a in counted.arms}
        rows = {
            arm.name: {
                "evaluated": arm.n,
                "successes": arm.responded,
                "any response": responded[arm.name],
                "not a success": responded[arm.name] - arm.responded,
                "success rate": pct_text(arm.rate),
                "any-response rate": pct_text(responded[arm.name] / arm.n),
            }
            for arm in self.arms
        }
        return _arm_frame(rows)

    def bayes_table(self):
        """The Bayesian view of each comparison: the posterior probability that the arm is
        answered more often than the control, and the credible interval of the difference.

        Returns
        -------
        pandas.DataFrame
            Indexed by the compared arms: ``P(better)`` (as the verdict words it) and the
            equal-tailed credible interval of the difference in points.

        Examples
        --------
        >>> from etiquette_lab import compare_counts
        >>> report = compare_counts({"default": (1, 5), "personalised": (4, 5)})
        >>> report.bayes_table().loc["personalised", "P(better)"]
        '0.96'
        """
        rows = {}
        for c in self.comparisons:
            level = f"{round(100 * c.bayes.level)}%"
            rows[c.treatment] = {
                "P(better)": prob_text(c.bayes.prob_better),
                f"{level} credible interval (points)": (
                    f"{points_number(c.bayes.ci_low)} to {points_number(c.bayes.ci_high)}"
                ),
            }
        return _arm_frame(rows)

    def stratified_table(self):
        """Each comparison within strata (Mantel-Haenszel) beside the same ignoring them.

        Returns
        -------
        pandas.DataFrame
            Indexed by the compared arms: the odds ratio ignoring the strata, the
            Mantel-Haenszel odds ratio with its interval, and the CMH p-value. Empty when there
            is no stratified analysis (``stratified`` is None; the notes say why). An infinite
            or undefined pooled odds ratio is shown as "-" with the reason in ``note``.

        Examples
        --------
        >>> from etiquette_lab import compare_counts
        >>> report = compare_counts(
        ...     {"default": (3, 20), "new": (9, 20)},
        ...     strata={"close": {"default": (2, 10), "new": (6, 10)},
        ...             "far": {"default": (1, 10), "new": (3, 10)}})
        >>> report.stratified_table().loc["new", "Mantel-Haenszel odds ratio"]  # 3.75 / 0.75
        '5'
        """
        level = f"{round(100 * (1 - self.alpha))}%"
        crude = {c.treatment: c.odds_ratio.estimate for c in self.comparisons}
        rows = {}
        for name, pooled in (self.stratified or {}).items():
            finite = math.isfinite(pooled.odds_ratio) and pooled.odds_ratio > 0
            rows[name] = {
                "odds ratio, ignoring strata": _ratio_text(crude[name]),
                "Mantel-Haenszel odds ratio": _ratio_text(pooled.odds_ratio) if finite else "-",
                f"{level} CI": (
                    f"{_ratio_text(pooled.ci_low)} to {_ratio_text(pooled.ci_high)}"
                    if finite
                    else "-"
                ),
                "CMH p": p_number(pooled.p_value),
                "note": pooled.note,
            }
        return _arm_frame(rows)


def _ratio_text(ratio: float) -> str:
    """An odds ratio to three significant digits, as the notes print it; "-" when undefined."""
    if math.isnan(ratio):
        return "-"
    return "infinite" if math.isinf(ratio) else f"{ratio:.3g}"


def _arm_frame(rows: dict[str, dict[str, Any]]):
    """A table with one row per arm, in the order given (the control first), indexed by arm."""
    import pandas as pd

    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "arm"
    return frame
