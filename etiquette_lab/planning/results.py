"""Result objects of the planning module: frozen dataclasses on the shared ``Result`` base."""

from __future__ import annotations

from dataclasses import dataclass

from ..formatting import pct_figure, power_text
from ..results import Result
from ..text_table import TextTable

__all__ = [
    "BayesAssuranceResult",
    "DetectableEffectResult",
    "PowerCurveResult",
    "PowerResult",
    "SampleSizeResult",
]

_TEST_NAMES = {
    "fisher": "Fisher's exact test",
    "boschloo": "Boschloo's exact test",
    "normal": "the normal approximation (two-proportion z-test)",
}


def _power_pct(power: float) -> str:
    return f"{100 * power:.1f}%"


def _in_words(result: Result, names: tuple[str, ...], **words) -> TextTable:
    """A one-row table of *result*'s fields, those named in *words* (name -> function) written
    as the notes write them; printing it needs no pandas."""
    return TextTable(names, (tuple(words.get(n, _same)(getattr(result, n)) for n in names),))


def _same(value):
    return value


def _points(difference: float) -> str:
    return f"{100 * difference:+.3g} points"


def _side_words(alternative: str) -> str:
    return "two-sided" if alternative == "two-sided" else "one-sided (new wording better)"


@dataclass(frozen=True)
class PowerResult(Result):
    """The power of one design: the chance the test rejects when the rates are as assumed."""

    power: float
    n_control: int
    n_new: int
    baseline: float
    target: float
    alpha: float
    alternative: str
    test: str
    exact: bool
    method: str

    _title = "Power of a two-arm design"

    _fields = ("n_control", "n_new", "baseline", "target", "alpha", "alternative", "test", "power")

    def _text_table(self) -> TextTable:
        return _in_words(
            self, self._fields, baseline=pct_figure, target=pct_figure, power=_power_pct
        )

    def _notes(self) -> list[str]:
        return [
            f"With {self.n_control} requests on the control wording and {self.n_new} on the new "
            f"one, {_TEST_NAMES[self.test]} ({_side_words(self.alternative)}, alpha "
            f"{self.alpha:g}) detects a change from {pct_figure(self.baseline)} to "
            f"{pct_figure(self.target)} {100 * self.power:.1f}% of the time.",
            self.method,
        ]


@dataclass(frozen=True)
class SampleSizeResult(Result):
    """The n per arm needed for a target power, and from which n the power stays there.

    ``n_per_arm`` is the smallest n reaching the power; exact power is saw-toothed, so a larger n
    can fall back below it; ``n_per_arm_stable`` is the smallest n from which every larger n
    keeps it: every n up to ``checked_up_to`` was looked at, and past it the saw-tooth
    allowance (docs/planning.md) rules out a fall below the goal. When ``checked_up_to`` is
    ``max_n`` nothing past it is claimed. ``evaluated`` holds every (n, power) pair whose exact
    power the search computed, in increasing n (Fisher's test settles most steps with bounds
    on the power, so these are few: always the two answers). n counts the control arm; the new
    arm has ``n_new`` (ratio * n, rounded up).
    """

    n_per_arm: int
    n_per_arm_stable: int
    power: float
    power_stable: float
    n_control: int
    n_new: int
    n_total: int
    target_power: float
    baseline: float
    target: float
    alpha: float
    alternative: str
    test: str
    ratio: float
    max_n: int
    checked_up_to: int
    normal_approximation_n: float
    evaluated: tuple[tuple[int, float], ...]
    method: str

    _title = "Sample size of a two-arm design"

    def power_table(self):
        """The exact power at every n the search computed it, as a DataFrame (n, n_new, power)."""
        import numpy as np
        import pandas as pd

        n = np.array([pair[0] for pair in self.evaluated], dtype=int)
        return pd.DataFrame(
            {
                "n": n,
                "n_new": [new_arm(int(v), self.ratio) for v in n],
                "power": [pair[1] for pair in self.evaluated],
            }
        )

    def _summary_frame(self):
        import pandas as pd

        return pd.DataFrame(
            {
                "n_per_arm": [self.n_per_arm, self.n_per_arm_stable],
                "n_new": [self.n_new, new_arm(self.n_per_arm_stable, self.ratio)],
                "power": [self.power, self.power_stable],
            },
            index=pd.Index(["smallest n reaching the power", "smallest n keeping it"]),
        )

    def _text_table(self) -> TextTable:
        return TextTable(
            ("n_per_arm", "n_new", "power"),
            (
                (self.n_per_arm, self.n_new, _power_pct(self.power)),
                (
                    self.n_per_arm_stable,
                    new_arm(self.n_per_arm_stable, self.ratio),
                    _power_pct(self.power_stable),
                ),
            ),
            labels=("smallest n reaching the power", "smallest n keeping it"),
        )

    def _notes(self) -> list[str]:
        total = self.n_total
        lines = [
            f"To tell {pct_figure(self.baseline)} from {pct_figure(self.target)} with "
            f"{100 * self.target_power:.0f}% power ({_TEST_NAMES[self.test]}, "
            f"{_side_words(self.alternative)}, alpha {self.alpha:g}) you need "
            + (
                f"{self.n_per_arm} requests per wording ({total} in all)."
                if self.n_new == self.n_control
                else f"{self.n_control} requests on the control wording and {self.n_new} on "
                f"the new one ({total} in all)."
            )
        ]
        if self.n_per_arm_stable != self.n_per_arm:
            lines.append(
                f"Exact power is saw-toothed: some n between {self.n_per_arm} and "
                f"{self.n_per_arm_stable - 1} fall back below "
                f"{100 * self.target_power:.0f}%; from {self.n_per_arm_stable} on it stays above "
                + (
                    f"(checked up to {self.checked_up_to}, the largest n considered)."
                    if self.checked_up_to >= self.max_n
                    else f"(every n up to {self.checked_up_to} checked; past it the saw-tooth "
                    "allowance rules out a fall)."
                )
            )
        lines.append(
            f"The normal approximation would say {self.normal_approximation_n:.1f} per arm."
        )
        lines.append(self.method)
        return lines


def new_arm(n_control: int, ratio: float) -> int:
    """The new arm's size for a control arm of *n_control* (ratio * n, rounded up)."""
    import math

    return max(1, math.ceil(ratio * n_control - 1e-9))


@dataclass(frozen=True)
class DetectableEffectResult(Result):
    """The smallest target rate a design detects with the wanted power."""

    target: float
    difference: float
    power: float
    target_power: float
    n_control: int
    n_new: int
    baseline: float
    alpha: float
    alternative: str
    test: str
    method: str

    _title = "Minimum detectable effect"

    _fields = ("n_control", "n_new", "baseline", "target", "difference", "power")

    def _text_table(self) -> TextTable:
        return _in_words(
            self,
            self._fields,
            baseline=pct_figure,
            target=pct_figure,
            difference=_points,
            power=_power_pct,
        )

    def _notes(self) -> list[str]:
        return [
            f"With {self.n_control} and {self.n_new} requests, {_TEST_NAMES[self.test]} detects "
            f"a rise from {pct_figure(self.baseline)} to {pct_figure(self.target)} or more with "
            f"{100 * self.target_power:.0f}% power; smaller improvements will often be missed.",
            self.method,
        ]


@dataclass(frozen=True)
class BayesAssuranceResult(Result):
    """The chance an experiment ends with P(new wording better) above a threshold."""

    assurance: float
    threshold: float
    n_control: int
    n_new: int
    baseline: float
    target: float
    prior_a: int
    prior_b: int
    method: str

    _title = "Bayesian assurance of a two-arm design"

    _fields = ("n_control", "n_new", "baseline", "target", "threshold", "assurance")

    def _text_table(self) -> TextTable:
        return _in_words(
            self, self._fields, baseline=pct_figure, target=pct_figure, assurance=_power_pct
        )

    def _notes(self) -> list[str]:
        return [
            f"If the rates really are {pct_figure(self.baseline)} and "
            f"{pct_figure(self.target)}, the "
            f"experiment ends with P(new wording better) above {self.threshold:g} "
            f"{100 * self.assurance:.1f}% of the time (Beta({self.prior_a}, {self.prior_b}) "
            "priors on both rates).",
            self.method,
        ]


@dataclass(frozen=True)
class PowerCurveResult(Result):
    """Exact and normal-approximation power at each n of a range (for the plot)."""

    n: tuple[int, ...]
    n_new: tuple[int, ...]
    power: tuple[float, ...]
    normal_power: tuple[float, ...]
    baseline: float
    target: float
    alpha: float
    alternative: str
    test: str
    ratio: float

    _title = "Power against sample size"

    def _summary_frame(self):
        import pandas as pd

        return pd.DataFrame(
            {
                "n": list(self.n),
                "n_new": list(self.n_new),
                "power": list(self.power),
                "normal_power": list(self.normal_power),
            }
        )

    def _text_frame(self):
        """Both powers in %, never rounded to a certainty they are not."""

        frame = self.summary
        for column in ("power", "normal_power"):
            frame[column] = [power_text(v) for v in frame[column]]
        return frame
