"""Result objects of the sequential designs: frozen dataclasses on the shared ``Result`` base."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..results import Result
from .spending import SPENDING_NAMES

__all__ = [
    "AnytimeDesign",
    "ClassicalBoundaries",
    "DesignComparison",
    "EProcess",
    "NaivePeeking",
    "OperatingCharacteristics",
    "SequentialDecision",
    "SequentialDesign",
    "SequentialPower",
    "SequentialReplay",
]


def percent(value: float) -> str:
    """A probability as a percentage with three significant digits ('4.96%', '0.0117%')."""
    return f"{100 * value:.3g}%"


def side_words(alternative: str) -> str:
    return "two-sided" if alternative == "two-sided" else "one-sided (new wording better)"


def number_list(values: tuple[int, ...] | list[int]) -> str:
    """'20, 40 and 60'."""
    words = [f"{v:,}" for v in values]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _finite(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else value


@dataclass(frozen=True)
class ClassicalBoundaries(Result):
    """Pocock's or O'Brien & Fleming's boundaries for a normal statistic.

    ``boundaries[k]`` is the z value look k must reach: a constant C (Pocock 1977) or
    C / sqrt(t_k) (O'Brien & Fleming 1979), C chosen so that the chance of ever crossing is
    alpha when there is no difference.
    """

    shape: str
    alpha: float
    alternative: str
    information: tuple[float, ...]
    constant: float
    boundaries: tuple[float, ...]
    nominal_p: tuple[float, ...]

    _title = "Classical group-sequential boundaries"

    def _summary_frame(self):
        import pandas as pd

        return pd.DataFrame(
            {
                "information": list(self.information),
                "boundary_z": list(self.boundaries),
                "nominal_p": list(self.nominal_p),
            },
            index=pd.Index(range(1, len(self.boundaries) + 1), name="look"),
        )

    def _notes(self) -> list[str]:
        name = "Pocock" if self.shape == "pocock" else "O'Brien-Fleming"
        return [
            f"{name} boundaries for {len(self.boundaries)} looks, {side_words(self.alternative)}"
            f" alpha {self.alpha:g}: constant C = {self.constant:.4f}. Each look's nominal p is "
            "the fixed-sample p-value at its boundary: the level a single look is tested at.",
        ]


@dataclass(frozen=True)
class SequentialDesign(Result):
    """A group-sequential design for two wordings: planned looks and their stopping boundaries.

    Look k analyses the first ``looks[k]`` requests of each wording. It stops with evidence when
    the pooled z statistic (|z| two-sided) reaches ``boundary_z[k]`` (infinite: no outcome at
    that look can stop), and, if futility bounds were asked for, it may stop for futility at an
    interim look when the statistic is below ``futility_z[k]``.

    ``alpha_spent`` is the planned cumulative alpha by each look; ``false_alarm_by_look`` the
    exact largest chance, over every common response rate, of a false alarm by that look
    (futility ignored: the bounds are non-binding). ``type_one_error`` is the last of these,
    reached at the common rate ``worst_rate``; ``type_one_error_bound`` is a proven upper bound
    on it over all rates. ``naive_type_one_error`` is the same figure for an unadjusted exact
    test at every look. For ``method="normal"`` above the exact engine's limit the exact
    figures are None.
    """

    method: str
    alternative: str
    alpha: float
    spending: str
    rho: float | None
    looks: tuple[int, ...]
    information: tuple[float, ...]
    alpha_spent: tuple[float, ...]
    boundary_z: tuple[float, ...]
    smallest_difference: tuple[float | None, ...]
    futility_z: tuple[float, ...] | None
    normal_boundary_z: tuple[float, ...]
    false_alarm_by_look: tuple[float, ...] | None
    type_one_error: float | None
    worst_rate: float | None
    type_one_error_bound: float | None
    naive_type_one_error: float | None
    naive_worst_rate: float | None

    _title = "Group-sequential design (planned looks)"

    @property
    def max_n(self) -> int:
        """Requests per wording at the last look."""
        return self.looks[-1]

    @property
    def label(self) -> str:
        """A short name: 'exact group-sequential design (5 looks, O'Brien-Fleming-type)'."""
        if len(self.looks) == 1:
            return f"{self.method} fixed-sample design (one look)"
        spending = {"obrien-fleming": "O'Brien-Fleming-type", "pocock": "Pocock-type"}.get(
            self.spending, f"power family, rho = {self.rho or 1:g}"
        )
        return f"{self.method} group-sequential design ({len(self.looks)} looks, {spending})"

    def _summary_frame(self):
        import pandas as pd

        columns = {
            "n_per_wording": list(self.looks),
            "information": list(self.information),
            "alpha_spent": list(self.alpha_spent),
            "boundary_z": [_finite(b) for b in self.boundary_z],
            "smallest_difference": list(self.smallest_difference),
        }
        if self.false_alarm_by_look is not None:
            columns["false_alarm_by_look"] = list(self.false_alarm_by_look)
        if self.futility_z is not None:
            columns["futility_z"] = [*self.futility_z, None]
        if self.method == "exact":
            columns["normal_boundary_z"] = [_finite(b) for b in self.normal_boundary_z]
        return pd.DataFrame(columns, index=pd.Index(range(1, len(self.looks) + 1), name="look"))

    def _notes(self) -> list[str]:
        k = len(self.looks)
        name = SPENDING_NAMES[self.spending]
        if self.rho is not None:
            name = name.replace("t^rho", f"t^rho, rho = {self.rho:g}")
        lines = [
            f"{k} planned look{'s' if k > 1 else ''} at {number_list(self.looks)} requests per "
            f"wording; {side_words(self.alternative)}, overall alpha {self.alpha:g}, {name}.",
        ]
        if self.method == "exact":
            lines.append(
                "Exact boundaries: at each look the possible outcomes are ranked by the pooled z "
                "statistic, and only the most extreme ones stop, as many as keep the chance of a "
                "false alarm by that look within the alpha spent, for every common response "
                "rate (proven over all rates, not only on a grid)."
            )
        else:
            lines.append(
                "Normal-approximation boundaries: z values whose crossing probability under the "
                "normal approximation equals the alpha spent at each look."
            )
        if self.type_one_error is not None:
            sentence = (
                f"False-alarm rate when the wordings are equally good: at most "
                f"{percent(self.type_one_error)} whatever the common response rate (the worst "
                f"case, at a rate of {percent(self.worst_rate or 0.0)}; proven bound "
                f"{self.type_one_error_bound:.6g})."
            )
            if self.type_one_error > self.alpha:
                sentence += (
                    f" That is above alpha: the normal approximation is not accurate at "
                    f"{self.max_n} per wording; use method='exact'."
                )
            lines.append(sentence)
        if self.naive_type_one_error is not None and k > 1:
            lines.append(
                f"Testing at each of the same {k} looks with an unadjusted exact test at level "
                f"{self.alpha:g} would raise a false alarm up to "
                f"{percent(self.naive_type_one_error)} of the time."
            )
        silent = [i + 1 for i, b in enumerate(self.boundary_z) if not math.isfinite(b)]
        if silent:
            lines.append(
                f"Look{'s' if len(silent) > 1 else ''} {number_list(silent)} cannot stop with "
                "evidence: no outcome of that size is extreme enough for the alpha spent by then."
            )
        if self.futility_z is not None:
            sign = "|z|" if self.alternative == "two-sided" else "z"
            lines.append(
                f"Futility bounds are non-binding: an interim look may stop for futility when "
                f"{sign} is below its bound; following or ignoring them never raises the "
                "false-alarm rate above."
            )
        return lines


@dataclass(frozen=True)
class AnytimeDesign(Result):
    """The anytime-valid test: stop as soon as the e-value reaches ``threshold`` = 1 / alpha.

    Valid whenever and however often one looks; the operating characteristics are computed
    exactly for the look schedule ``looks`` (requests per wording at each look), the last being
    the budget ``max_n``. ``false_alarm`` is the exact largest chance over common response rates
    that the e-value reaches the threshold at one of those looks (at most alpha by Ville's
    inequality, usually far less); ``boundary_z`` and ``smallest_difference`` describe the least
    extreme outcome that stops at each look, for comparison with a planned-looks design.
    """

    alternative: str
    alpha: float
    threshold: float
    looks: tuple[int, ...]
    boundary_z: tuple[float, ...]
    smallest_difference: tuple[float | None, ...]
    false_alarm_by_look: tuple[float, ...]
    type_one_error: float
    worst_rate: float
    type_one_error_bound: float
    prior: str

    _title = "Anytime-valid design (e-value)"

    @property
    def max_n(self) -> int:
        """Requests per wording at the last look: the budget."""
        return self.looks[-1]

    @property
    def label(self) -> str:
        """A short name: 'anytime-valid design (e-value, 5 looks)'."""
        return f"anytime-valid design (e-value, {len(self.looks)} looks)"

    def _summary_frame(self):
        import pandas as pd

        return pd.DataFrame(
            {
                "n_per_wording": list(self.looks),
                "boundary_z": [_finite(b) for b in self.boundary_z],
                "smallest_difference": list(self.smallest_difference),
                "false_alarm_by_look": list(self.false_alarm_by_look),
            },
            index=pd.Index(range(1, len(self.looks) + 1), name="look"),
        )

    def _notes(self) -> list[str]:
        return [
            f"Stop as soon as the e-value reaches {self.threshold:g} (= 1 / alpha, alpha "
            f"{self.alpha:g}, {side_words(self.alternative)}), looking as often as you like, up "
            f"to {self.max_n} requests per wording. {self.prior}",
            "Guarantee: if the wordings are equally good, the chance that the e-value ever "
            f"reaches {self.threshold:g} is at most {percent(self.alpha)}, whenever and however "
            "often you look (Ville's inequality), even if the common response rate drifts.",
            f"At the {len(self.looks)} looks tabled here the exact false-alarm rate is at most "
            f"{percent(self.type_one_error)} (worst case at a common rate of "
            f"{percent(self.worst_rate)}; proven bound {self.type_one_error_bound:.6g}): the "
            "price of the guarantee is caution.",
        ]


@dataclass(frozen=True)
class SequentialPower(Result):
    """What a design does at given response rates: when it stops, how often with evidence.

    Entry k of ``stop_evidence`` (``stop_futility``) is the probability of stopping with
    evidence (for futility) at look k, with futility bounds followed. ``power`` is their sum for
    evidence: the chance of ever stopping with evidence (a false-alarm rate when the rates are
    equal). ``expected_n`` is the expected number of requests per wording. ``method`` is
    ``"exact"`` (the binomial lattice) or ``"normal approximation"`` (normal designs beyond the
    exact engine).
    """

    design: str
    method: str
    p_control: float
    p_new: float
    looks: tuple[int, ...]
    stop_evidence: tuple[float, ...]
    stop_futility: tuple[float, ...]
    power: float
    expected_n: float
    max_n: int

    _title = "Operating characteristics at given rates"

    def _summary_frame(self):
        import pandas as pd

        reached = [1.0]
        for e, f in zip(self.stop_evidence[:-1], self.stop_futility[:-1], strict=True):
            reached.append(reached[-1] - e - f)
        return pd.DataFrame(
            {
                "n_per_wording": list(self.looks),
                "reach_look": reached,
                "stop_evidence": list(self.stop_evidence),
                "stop_futility": list(self.stop_futility),
            },
            index=pd.Index(range(1, len(self.looks) + 1), name="look"),
        )

    def _notes(self) -> list[str]:
        equal = self.p_control == self.p_new
        what = (
            f"If both wordings answer {percent(self.p_control)} of the time"
            if equal
            else f"If the control wording answers {percent(self.p_control)} and the new one "
            f"{percent(self.p_new)} of the time"
        )
        outcome = "raises a false alarm" if equal else "stops with evidence"
        how = "" if self.method == "exact" else "; normal approximation"
        return [
            f"{what}, the {self.design} {outcome} {percent(self.power)} of the time and uses "
            f"{self.expected_n:.1f} requests per wording on average (at most {self.max_n}{how}).",
        ]


@dataclass(frozen=True)
class OperatingCharacteristics(Result):
    """Power (or false-alarm rate) and expected size of a design over a range of rates.

    ``method`` is ``"exact"`` or ``"normal approximation"``, as in :class:`SequentialPower`.
    """

    design: str
    method: str
    p_control: tuple[float, ...]
    p_new: tuple[float, ...]
    power: tuple[float, ...]
    expected_n: tuple[float, ...]
    max_n: int
    alpha: float

    _title = "Operating characteristics"

    def _summary_frame(self):
        import pandas as pd

        return pd.DataFrame(
            {
                "p_control": list(self.p_control),
                "p_new": list(self.p_new),
                "difference": [n - c for c, n in zip(self.p_control, self.p_new, strict=True)],
                "power": list(self.power),
                "expected_n": list(self.expected_n),
            }
        )

    def _notes(self) -> list[str]:
        return [
            f"{self.design}{'' if self.method == 'exact' else ' (normal approximation)'}: "
            "'power' is the chance of stopping with evidence (a false-alarm rate where the rates "
            f"are equal); 'expected_n' the mean requests per wording (at most {self.max_n})."
        ]


@dataclass(frozen=True)
class DesignComparison(Result):
    """Several designs side by side: false alarms, power and expected size at the same rates.

    ``false_alarm`` is each design's worst case over the common response rate (exact);
    ``power`` the chance of stopping with evidence when the rates are ``baseline`` (control) and
    ``target`` (new); ``expected_n_null`` and ``expected_n_alternative`` the mean requests per
    wording when both answer at ``baseline``, and at the two rates.
    """

    designs: tuple[str, ...]
    max_n: tuple[int, ...]
    looks: tuple[int, ...]
    false_alarm: tuple[float, ...]
    power: tuple[float, ...]
    expected_n_null: tuple[float, ...]
    expected_n_alternative: tuple[float, ...]
    baseline: float
    target: float

    _title = "Designs side by side"

    def _summary_frame(self):
        import pandas as pd

        return pd.DataFrame(
            {
                "looks": list(self.looks),
                "max_n": list(self.max_n),
                "false_alarm": list(self.false_alarm),
                "power": list(self.power),
                "expected_n_null": list(self.expected_n_null),
                "expected_n_alternative": list(self.expected_n_alternative),
            },
            index=pd.Index(list(self.designs), name="design"),
        )

    def _notes(self) -> list[str]:
        return [
            f"false_alarm: the largest chance of stopping with evidence when both wordings "
            f"answer equally often, over every common rate. power: the chance of stopping with "
            f"evidence when the control answers {percent(self.baseline)} and the new wording "
            f"{percent(self.target)}. expected_n: mean requests per wording, when both answer "
            f"{percent(self.baseline)} (null) and at those two rates (alternative).",
        ]


@dataclass(frozen=True)
class NaivePeeking(Result):
    """What looking repeatedly with an unadjusted test does to the false-alarm rate, exactly.

    ``single_look[k]`` is the largest chance over common response rates that the test rejects
    at look k alone; ``by_look[k]`` that it has rejected at some look up to k; both exact,
    with the worst rate in ``worst_rate``.
    """

    test: str
    alternative: str
    alpha: float
    looks: tuple[int, ...]
    single_look: tuple[float, ...]
    by_look: tuple[float, ...]
    worst_rate: tuple[float, ...]

    _title = "Peeking with an unadjusted test"

    def _summary_frame(self):
        import pandas as pd

        return pd.DataFrame(
            {
                "n_per_wording": list(self.looks),
                "single_look": list(self.single_look),
                "by_this_look": list(self.by_look),
                "worst_rate": list(self.worst_rate),
            },
            index=pd.Index(range(1, len(self.looks) + 1), name="look"),
        )

    def _notes(self) -> list[str]:
        names = {
            "exact": "the exact unconditional test (pooled z)",
            "fisher": "Fisher's exact test",
            "z": "the two-proportion z-test",
        }
        return [
            f"Testing with {names[self.test]} ({side_words(self.alternative)}, level "
            f"{self.alpha:g}) at each of {len(self.looks)} looks and stopping at the first "
            f"rejection raises a false alarm up to {percent(self.by_look[-1])} of the time when "
            f"the wordings are equally good; one look at {self.looks[-1]} per wording alone, "
            f"up to {percent(self.single_look[-1])}.",
        ]


@dataclass(frozen=True)
class EProcess(Result):
    """The e-value after each look, with the anytime-valid interval for the difference.

    ``e_value[k]`` is the evidence against equal response rates after look k (blocks = the
    requests added between looks). ``crossed_at`` is the first look whose e-value reached
    ``threshold`` (None: none did). ``difference_low``/``difference_high`` bound
    p_new - p_control at every look at once with probability at least 1 - alpha.
    """

    alternative: str
    alpha: float
    threshold: float
    x_control: tuple[int, ...]
    n_control: tuple[int, ...]
    x_new: tuple[int, ...]
    n_new: tuple[int, ...]
    e_value: tuple[float, ...]
    difference: tuple[float | None, ...]
    difference_low: tuple[float, ...]
    difference_high: tuple[float, ...]
    crossed_at: int | None

    _title = "E-values, look by look"

    def _summary_frame(self):
        import pandas as pd

        return pd.DataFrame(
            {
                "x_control": list(self.x_control),
                "n_control": list(self.n_control),
                "x_new": list(self.x_new),
                "n_new": list(self.n_new),
                "e_value": list(self.e_value),
                "difference": list(self.difference),
                "anytime_low": list(self.difference_low),
                "anytime_high": list(self.difference_high),
            },
            index=pd.Index(range(1, len(self.e_value) + 1), name="look"),
        )

    def _notes(self) -> list[str]:
        if self.crossed_at is None:
            first = f"The e-value has not reached {self.threshold:g} (= 1 / alpha) at any look."
        else:
            first = (
                f"The e-value reached {self.threshold:g} (= 1 / alpha) at look {self.crossed_at}."
            )
        return [
            first,
            "An e-value measures evidence against equal response rates: if they were equal, the "
            f"chance of it ever reaching {self.threshold:g} would be at most "
            f"{percent(self.alpha)}. The interval for the difference holds at every look at "
            f"once with probability at least {percent(1 - self.alpha)}.",
        ]


@dataclass(frozen=True)
class SequentialDecision(Result):
    """The decision at one look of a monitored experiment, in words and in fields.

    ``decision`` is one of ``"continue"``, ``"stop_evidence"``, ``"stop_futility"``,
    ``"stop_maximum"`` (the last planned look, or the budget, reached without evidence),
    ``"no_decision"`` (not a planned look) and ``"stopped_earlier"`` (an earlier look already
    stopped with evidence); ``decision_text`` says the same in words, ``message`` explains it.
    """

    design: str
    look: int
    planned_look: int | None
    planned_looks: int | None
    x_control: int
    n_control: int
    x_new: int
    n_new: int
    decision: str
    decision_text: str
    z: float
    boundary_z: float | None
    futility_z: float | None
    alpha: float
    alpha_spent: float | None
    e_value: float | None
    threshold: float | None
    difference: float | None
    difference_low: float | None
    difference_high: float | None
    next_look: int | None
    more_control: int | None
    more_new: int | None
    message: tuple[str, ...]

    _title = "Sequential decision"

    def _summary_frame(self):
        return self._fields_frame(
            "look", "n_control", "x_control", "n_new", "x_new", "z", "decision_text"
        )

    def _notes(self) -> list[str]:
        return list(self.message)


@dataclass(frozen=True)
class SequentialReplay(Result):
    """The decision at each of a sequence of looks; ``stopped_at`` is the first stopping look."""

    design: str
    decisions: tuple[SequentialDecision, ...]
    stopped_at: int | None

    _title = "Replay of the looks"

    def _summary_frame(self):
        import pandas as pd

        rows = [
            {
                "n_control": d.n_control,
                "x_control": d.x_control,
                "n_new": d.n_new,
                "x_new": d.x_new,
                "z": d.z,
                "boundary_z": d.boundary_z,
                "e_value": d.e_value,
                "decision": d.decision_text,
            }
            for d in self.decisions
        ]
        frame = pd.DataFrame(rows, index=pd.Index(range(1, len(rows) + 1), name="look"))
        return frame.dropna(axis=1, how="all")

    def _notes(self) -> list[str]:
        last = self.decisions[-1]
        return [f"Look {last.look}: {' '.join(last.message)}"]
