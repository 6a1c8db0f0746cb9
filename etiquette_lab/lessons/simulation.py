"""How small is too small: seeded simulations of small experiments, each beside its exact figure.

Four lessons, each a function returning a result object:

- :func:`simulate_null_experiments`: many five-versus-five experiments in which the wording makes
  no difference. How often does one wording "win" 4 to 1 or more, and how often is Fisher's test
  significant?
- :func:`power_curves`: exact power against n per arm for a few effects (saw-toothed), from
  :func:`etiquette_lab.planning.power.power_curve`.
- :func:`simulate_winners_curse`: small experiments with a modest true effect; those that come
  out significant overstate it (Gelman and Carlin's Type M and Type S errors).
- :func:`simulate_peeking`: looking at the data every day and stopping at the first p < alpha
  raises false alarms above the nominal level (Armitage, McPherson and Rowe 1969).

Every simulated figure comes with the exact figure computed by enumeration over all outcome
tables (and, for peeking, by propagating the exact distribution of the counts from day to day),
so a reader sees the Monte-Carlo error and the tests check one against the other. Simulations
are vectorised over experiments and seeded with :func:`numpy.random.default_rng`: the same seed
gives the same numbers. Both arms always have the same number of requests. See
``docs/simulation.md``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import stats

from ..checks import checked_count, checked_open_unit, checked_rate
from ..errors import InvalidInputError
from ..formatting import pct_figure, power_text
from ..planning import kernels as _k
from ..planning.power import exact_power, power_curve
from ..planning.results import PowerCurveResult
from ..results import Result
from ..significance import rejects

__all__ = [
    "DifferenceDistribution",
    "NullSimulationResult",
    "PeekingResult",
    "PowerCurvesResult",
    "WinnersCurseResult",
    "power_curves",
    "simulate_null_experiments",
    "simulate_null_experiments_like",
    "simulate_peeking",
    "simulate_winners_curse",
]

#: Default number of simulated experiments: Monte-Carlo standard error <= 0.35 points on a rate.
DEFAULT_EXPERIMENTS = 20_000
#: Largest n per arm simulated (the p-value table has (n + 1)^2 entries).
MAX_N_PER_ARM = 2000
# Experiments simulated at once in simulate_peeking, bounding memory at (chunk x days x 2) ints.
_CHUNK = 10_000

Progress = Callable[[str], None] | None


# -- input checks ---------------------------------------------------------------------------


def _n_per_arm(name: str, value: int) -> int:
    value = checked_count(name, value)
    if value > MAX_N_PER_ARM:
        raise InvalidInputError(f"{name} must be at most {MAX_N_PER_ARM} per arm, got {value}")
    return value


def _seed(seed: int) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InvalidInputError(f"seed must be a whole number >= 0, got {seed!r}")
    return int(seed)


# -- exact building blocks ------------------------------------------------------------------


@lru_cache(maxsize=128)
def _fisher_p_table(n_c: int, n_n: int) -> np.ndarray:
    """Two-sided Fisher p-value of every table: ``p[x_c, x_n]``, shape (n_c + 1, n_n + 1).

    The planning kernel's p-values (:func:`etiquette_lab.planning.kernels.fisher_p_values`),
    on the whole grid of tables.
    """
    grid = _k.fisher_p_values(n_c, n_n, np.arange(n_c + 1), np.arange(n_n + 1))
    table = np.minimum(grid, 1.0)
    table.setflags(write=False)
    return table


def _reject_table(n: int, alpha: float) -> np.ndarray:
    """Whether Fisher's two-sided test rejects, for every table of an n-versus-n design."""
    return rejects(_fisher_p_table(n, n), alpha)


def _pmf(n: int, rate: float) -> np.ndarray:
    return stats.binom.pmf(np.arange(n + 1), n, rate)


def _differences(n: int) -> np.ndarray:
    """x_new - x_control for every table, shape (n + 1, n + 1), indexed [x_control, x_new]."""
    x = np.arange(n + 1)
    return x[None, :] - x[:, None]


# -- the distribution of the observed difference ---------------------------------------------


@dataclass(frozen=True)
class DifferenceDistribution(Result):
    """How often each observed difference in response rate occurs, simulated and exact.

    ``difference`` runs over every possible value of (new - control) / n, from -1 to 1 in steps
    of 1/n; the four shares beside it are of all experiments (simulated) or probabilities (exact),
    in total and for the experiments Fisher's test calls significant.
    """

    n_per_arm: int
    difference: tuple[float, ...]
    simulated: tuple[float, ...]
    simulated_significant: tuple[float, ...]
    exact: tuple[float, ...]
    exact_significant: tuple[float, ...]

    _title = "Observed difference in response rate (new - control)"

    def _summary_frame(self):
        import pandas as pd

        return pd.DataFrame(
            {
                "difference": list(self.difference),
                "simulated": list(self.simulated),
                "simulated_significant": list(self.simulated_significant),
                "exact": list(self.exact),
                "exact_significant": list(self.exact_significant),
            }
        )


def _floats(values: Iterable[float]) -> tuple[float, ...]:
    return tuple(float(v) for v in values)


def _distribution(
    n: int,
    x_c: np.ndarray,
    x_n: np.ndarray,
    significant: np.ndarray,
    joint: np.ndarray,
    reject: np.ndarray,
) -> DifferenceDistribution:
    bins = 2 * n + 1
    observed = x_n - x_c + n
    grid = (_differences(n) + n).ravel()
    m = len(x_c)
    return DifferenceDistribution(
        n_per_arm=n,
        difference=_floats((np.arange(bins) - n) / n),
        simulated=_floats(np.bincount(observed, minlength=bins) / m),
        simulated_significant=_floats(np.bincount(observed[significant], minlength=bins) / m),
        exact=_floats(np.bincount(grid, weights=joint.ravel(), minlength=bins)),
        exact_significant=_floats(
            np.bincount(grid, weights=(joint * reject).ravel(), minlength=bins)
        ),
    )


# -- 1. experiments where the wording makes no difference --------------------------------------


@dataclass(frozen=True)
class NullSimulationResult(Result):
    """Many n-versus-n experiments with equal response rates: chance "wins", simulated and exact.

    ``as_extreme`` is the share of experiments in which one wording (either one) beats the other
    by at least the gap of ``split`` (4 to 1: three more responses out of five); ``significant``
    the share with Fisher's two-sided p < alpha. ``exact_*`` are the probabilities by
    enumeration of every outcome table; ``*_se`` the Monte-Carlo standard errors.
    """

    n_per_arm: int
    rate: float
    split: tuple[int, int]
    experiments: int
    alpha: float
    seed: int
    as_extreme: float
    as_extreme_se: float
    exact_as_extreme: float
    significant: float
    significant_se: float
    exact_significant: float
    distribution: DifferenceDistribution = field(repr=False)

    _title = "Experiments where the wording makes no difference"

    def _summary_frame(self):
        import pandas as pd

        a, b = self.split
        return pd.DataFrame(
            {
                "simulated": [self.as_extreme, self.significant],
                "monte_carlo_se": [self.as_extreme_se, self.significant_se],
                "exact": [self.exact_as_extreme, self.exact_significant],
            },
            index=pd.Index(
                [
                    f"one wording wins {a} to {b} or more (either way)",
                    f"Fisher's test p < {self.alpha:g}",
                ]
            ),
        )

    def _notes(self) -> list[str]:
        a, b = self.split
        return [
            f"With {self.n_per_arm} requests per wording and both answered "
            f"{pct_figure(self.rate)} of the time, one wording wins by {a} to {b} or more in "
            f"{100 * self.exact_as_extreme:.1f}% of experiments (simulated: "
            f"{100 * self.as_extreme:.1f}% of {self.experiments:,}, seed {self.seed}).",
            f"Fisher's test calls {100 * self.exact_significant:.1f}% of them significant "
            f"(simulated: {100 * self.significant:.1f}%).",
        ]


def _split(split: tuple[int, int], n: int) -> tuple[int, int]:
    try:
        a, b = split
        if not (float(a).is_integer() and float(b).is_integer()):
            raise ValueError
    except (TypeError, ValueError):
        raise InvalidInputError(
            f"split must be a pair of counts such as (4, 1), got {split!r}"
        ) from None
    a, b = int(a), int(b)
    if not (0 <= a <= n and 0 <= b <= n) or a == b:
        raise InvalidInputError(
            f"split must be two different counts between 0 and n_per_arm = {n}, got {split!r}"
        )
    return a, b


def simulate_null_experiments(
    n_per_arm: int = 5,
    rate: float = 0.5,
    *,
    split: tuple[int, int] = (4, 1),
    experiments: int = DEFAULT_EXPERIMENTS,
    alpha: float = 0.05,
    seed: int = 0,
) -> NullSimulationResult:
    """Simulate experiments in which both wordings are answered at the same *rate*.

    Parameters
    ----------
    n_per_arm : int
        Requests per wording (both arms the same).
    rate : float
        The response rate of both wordings, in [0, 1]. The article's pooled rate is 5 of 10.
    split : (int, int)
        The result to compare with, as counts out of *n_per_arm*: "at least as extreme" means
        one wording (either one) got at least ``abs(split[0] - split[1])`` more responses.
    experiments : int
        Number of simulated experiments.
    alpha : float
        Significance level of Fisher's two-sided exact test.
    seed : int
        Seed of :func:`numpy.random.default_rng`; the same seed gives the same result.

    Returns
    -------
    NullSimulationResult

    Examples
    --------
    >>> r = simulate_null_experiments(5, 0.5, experiments=2000, seed=1)
    >>> round(r.exact_as_extreme, 6)  # 112 of 1024 equally likely outcomes
    0.109375
    >>> round(r.exact_significant, 6)  # 5-0, 4-0 and 5-1 either way: 22 of 1024
    0.021484
    """
    n = _n_per_arm("n_per_arm", n_per_arm)
    rate = checked_rate("rate", rate)
    a, b = _split(split, n)
    m = checked_count("experiments", experiments, what="experiments")
    alpha = checked_open_unit("alpha", alpha)
    rng = np.random.default_rng(_seed(seed))

    x_c = rng.binomial(n, rate, m)
    x_n = rng.binomial(n, rate, m)
    reject = _reject_table(n, alpha)
    significant = reject[x_c, x_n]
    extreme = np.abs(x_n - x_c) >= abs(a - b)
    pmf = _pmf(n, rate)
    joint = np.outer(pmf, pmf)
    return NullSimulationResult(
        n_per_arm=n,
        rate=rate,
        split=(a, b),
        experiments=m,
        alpha=alpha,
        seed=int(seed),
        as_extreme=float(extreme.mean()),
        as_extreme_se=_share_se(extreme.mean(), m),
        exact_as_extreme=float(joint[np.abs(_differences(n)) >= abs(a - b)].sum()),
        significant=float(significant.mean()),
        significant_se=_share_se(significant.mean(), m),
        exact_significant=exact_power(n, n, rate, rate, alpha=alpha).power,
        distribution=_distribution(n, x_c, x_n, significant, joint, reject),
    )


def simulate_null_experiments_like(
    counts: Any,
    *,
    experiments: int = DEFAULT_EXPERIMENTS,
    alpha: float = 0.05,
    seed: int = 0,
) -> NullSimulationResult:
    """:func:`simulate_null_experiments` for an observed two-wording result: the same number of
    requests per wording, both answered at the result's pooled rate, and its split.

    It answers "if the wording made no difference, how often would one wording win by at least
    this much?" for the counts in hand.

    Parameters
    ----------
    counts : ComparisonReport or mapping of name -> (responses, requests)
        Two wordings with the same number of requests each (a report from
        :func:`etiquette_lab.compare_counts`, or its counts).
    experiments, alpha, seed
        As in :func:`simulate_null_experiments`.

    Returns
    -------
    NullSimulationResult

    Examples
    --------
    >>> r = simulate_null_experiments_like({"default": (1, 5), "personalised": (4, 5)})
    >>> r.n_per_arm, r.rate, r.split, round(r.exact_as_extreme, 6)  # 112 of 1024 outcomes
    (5, 0.5, (4, 1), 0.109375)
    """
    pairs = (
        [(a.responded, a.n) for a in counts.arms]
        if hasattr(counts, "arms")
        else [tuple(v) for v in dict(counts).values()]
    )
    if len(pairs) != 2:
        raise InvalidInputError(f"needs exactly two wordings, got {len(pairs)}")
    (x0, n0), (x1, n1) = pairs
    if n0 != n1:
        raise InvalidInputError(f"needs the same number of requests per wording, got {n0} and {n1}")
    if x0 == x1:
        raise InvalidInputError(
            f"both wordings got {x0} of {n0}: every experiment is at least as lopsided as that"
        )
    return simulate_null_experiments(
        n0,
        (x0 + x1) / (2 * n0),
        split=(max(x0, x1), min(x0, x1)),
        experiments=experiments,
        alpha=alpha,
        seed=seed,
    )


def _share_se(share: float, m: int) -> float:
    return float(math.sqrt(share * (1 - share) / m))


# -- 2. exact power curves ------------------------------------------------------------------


@dataclass(frozen=True)
class PowerCurvesResult(Result):
    """Exact power against n per arm for several effects, one :class:`PowerCurveResult` each."""

    curves: tuple[PowerCurveResult, ...]

    _title = "Exact power against requests per wording"

    def labels(self) -> list[str]:
        """One label per curve, such as "20% vs 80%"."""
        return [f"{pct_figure(c.baseline)} vs {pct_figure(c.target)}" for c in self.curves]

    def _summary_frame(self):
        import pandas as pd

        frame = pd.DataFrame(
            {label: list(c.power) for label, c in zip(self.labels(), self.curves, strict=True)},
            index=pd.Index(list(self.curves[0].n), name="n per arm"),
        )
        return frame

    def _text_frame(self):
        """The power of each effect in %, never rounded to a certainty it is not."""
        return self.summary.map(power_text)

    def _notes(self) -> list[str]:
        lines = []
        for label, c in zip(self.labels(), self.curves, strict=True):
            power = np.asarray(c.power)
            reached = [n for n, p in zip(c.n, power, strict=True) if p >= 0.8]
            drops = int(np.sum(np.diff(power) < 0))
            first = f"first reaches 80% at n = {reached[0]}" if reached else "never reaches 80%"
            lines.append(
                f"{label}: {first} in n = {c.n[0]}..{c.n[-1]}; power falls when n grows by one "
                f"{drops} times (the saw-tooth)."
            )
        return lines


def power_curves(
    effects: Sequence[tuple[float, float]] = ((0.2, 0.8), (0.2, 0.5), (0.3, 0.45)),
    *,
    n: Iterable[int] = range(2, 101),
    alpha: float = 0.05,
    test: str = "fisher",
) -> PowerCurvesResult:
    """Exact power at each n per arm, for each (baseline, target) pair in *effects*.

    Each curve is :func:`etiquette_lab.planning.power.power_curve` (equal arms, two-sided).

    Examples
    --------
    >>> r = power_curves([(0.2, 0.8)], n=[5, 6, 7])
    >>> [round(p, 3) for p in r.curves[0].power]
    [0.376, 0.275, 0.448]
    """
    ns = tuple(n)
    pairs = list(effects)
    if not pairs:
        raise InvalidInputError("effects must hold at least one (baseline, target) pair")
    try:
        curves = tuple(power_curve(b, t, n=ns, alpha=alpha, test=test) for b, t in pairs)
    except (TypeError, ValueError) as error:
        if isinstance(error, InvalidInputError):
            raise
        raise InvalidInputError(
            f"effects must be (baseline, target) pairs of rates, got {effects!r}"
        ) from None
    return PowerCurvesResult(curves=curves)


# -- 3. the winner's curse ------------------------------------------------------------------


@dataclass(frozen=True)
class WinnersCurseResult(Result):
    """How much the significant small experiments overstate a modest true effect.

    One entry per n per arm. ``significant`` is the share of simulated experiments with
    Fisher's two-sided p < alpha (``exact_power`` its exact value). Among those:
    ``exaggeration`` is the mean of |observed difference| / |true difference| (Gelman and
    Carlin's exaggeration ratio, or Type M error) and ``type_s`` the share whose observed
    difference points the wrong way. ``exact_*`` are the same by enumeration of every table.
    Where no experiment (or no table) is significant, as for n <= 3 per arm at alpha 0.05,
    the conditional figures are NaN (``None`` in JSON): there is nothing to condition on;
    ``exaggeration_se`` is NaN also when only one experiment is significant.
    """

    baseline: float
    target: float
    alpha: float
    experiments: int
    seed: int
    n: tuple[int, ...]
    significant: tuple[float, ...]
    exact_power: tuple[float, ...]
    significant_count: tuple[int, ...]
    exaggeration: tuple[float, ...]
    exaggeration_se: tuple[float, ...]
    exact_exaggeration: tuple[float, ...]
    type_s: tuple[float, ...]
    exact_type_s: tuple[float, ...]
    distributions: tuple[DifferenceDistribution, ...] = field(repr=False)

    _title = "The winner's curse: significant small experiments overstate the effect"

    @property
    def true_difference(self) -> float:
        """target - baseline, the effect every simulated experiment really has."""
        return self.target - self.baseline

    def distribution(self, n: int) -> DifferenceDistribution:
        """The distribution of the observed difference for *n* per arm (one of ``self.n``)."""
        if n not in self.n:
            raise InvalidInputError(f"n = {n!r} was not simulated; choose one of {self.n}")
        return self.distributions[self.n.index(n)]

    def _summary_frame(self):
        import pandas as pd

        return pd.DataFrame(
            {
                "significant": list(self.significant),
                "exact_power": list(self.exact_power),
                "exaggeration": list(self.exaggeration),
                "exact_exaggeration": list(self.exact_exaggeration),
                "type_s": list(self.type_s),
                "exact_type_s": list(self.exact_type_s),
            },
            index=pd.Index(list(self.n), name="n per arm"),
        )

    def _notes(self) -> list[str]:
        lines = [
            f"True rates {pct_figure(self.baseline)} and {pct_figure(self.target)} "
            f"(a difference of {100 * self.true_difference:+.3g} points); "
            f"{self.experiments:,} experiments per n, "
            f"seed {self.seed}; significant = Fisher's two-sided p < {self.alpha:g}."
        ]
        for n, power, ratio in zip(self.n, self.exact_power, self.exact_exaggeration, strict=True):
            if math.isnan(ratio):
                lines.append(f"n = {n}: no outcome is significant, so nothing is overstated.")
            else:
                lines.append(
                    f"n = {n}: significant {100 * power:.1f}% of the time; those results "
                    f"overstate the difference {ratio:.2f}-fold on average."
                )
        return lines


def _conditional(weights: np.ndarray, values: np.ndarray) -> float:
    """Weighted mean of *values*; NaN (documented) when the weights sum to zero."""
    total = float(weights.sum())
    return float((weights * values).sum() / total) if total > 0 else math.nan


def simulate_winners_curse(
    baseline: float = 0.3,
    target: float = 0.45,
    *,
    n: Iterable[int] = (5, 10, 20, 50, 100, 200),
    experiments: int = DEFAULT_EXPERIMENTS,
    alpha: float = 0.05,
    seed: int = 0,
    progress: Progress = None,
) -> WinnersCurseResult:
    """Simulate small experiments with a true effect and keep the significant ones.

    For each n per arm, *experiments* experiments are drawn with response rates *baseline*
    (control) and *target* (new wording); those with Fisher's two-sided p < *alpha* are the
    ones that would be reported as a "finding". Their observed differences are compared with
    the true one.

    Parameters
    ----------
    baseline, target : float
        The true response rates, in [0, 1], different.
    n : iterable of int
        Requests per wording (both arms the same), each from 1 to 2000.
    experiments : int
        Simulated experiments per n.
    alpha : float
        Significance level of Fisher's two-sided test.
    seed : int
        Seed of :func:`numpy.random.default_rng`.
    progress : callable, optional
        Called with a short message after each n (e.g. ``print``).

    Returns
    -------
    WinnersCurseResult

    Examples
    --------
    >>> r = simulate_winners_curse(0.3, 0.45, n=[20], experiments=2000, seed=1)
    >>> round(r.exact_power[0], 3), round(r.exact_exaggeration[0], 2)
    (0.101, 2.73)
    """
    baseline, target = checked_rate("baseline", baseline), checked_rate("target", target)
    if baseline == target:
        raise InvalidInputError(
            "baseline and target are equal: there is no effect to overstate; "
            "use simulate_null_experiments for that case"
        )
    ns = tuple(_n_per_arm("n", v) for v in n)
    if not ns:
        raise InvalidInputError("n must hold at least one sample size")
    m = checked_count("experiments", experiments, what="experiments")
    alpha = checked_open_unit("alpha", alpha)
    rng = np.random.default_rng(_seed(seed))
    true = target - baseline
    rows: list[tuple] = []
    for size in ns:
        x_c = rng.binomial(size, baseline, m)
        x_n = rng.binomial(size, target, m)
        reject = _reject_table(size, alpha)
        sig = reject[x_c, x_n]
        observed = (x_n - x_c)[sig] / size
        ratio = np.abs(observed) / abs(true)
        wrong = np.sign(observed) != np.sign(true)
        joint = np.outer(_pmf(size, baseline), _pmf(size, target))
        diffs = _differences(size) / size
        k = int(sig.sum())
        rows.append(
            (
                float(sig.mean()),
                exact_power(size, size, baseline, target, alpha=alpha).power,
                k,
                float(ratio.mean()) if k else math.nan,
                float(ratio.std(ddof=1) / math.sqrt(k)) if k > 1 else math.nan,
                _conditional(joint * reject, np.abs(diffs) / abs(true)),
                float(wrong.mean()) if k else math.nan,
                _conditional(joint * reject, (np.sign(diffs) != np.sign(true)).astype(float)),
                _distribution(size, x_c, x_n, sig, joint, reject),
            )
        )
        if progress is not None:
            progress(f"winner's curse: n = {size} per arm done ({len(rows)} of {len(ns)})")
    columns = list(zip(*rows, strict=True))
    return WinnersCurseResult(
        baseline=baseline,
        target=target,
        alpha=alpha,
        experiments=m,
        seed=int(seed),
        n=ns,
        significant=tuple(columns[0]),
        exact_power=tuple(columns[1]),
        significant_count=tuple(columns[2]),
        exaggeration=tuple(columns[3]),
        exaggeration_se=tuple(columns[4]),
        exact_exaggeration=tuple(columns[5]),
        type_s=tuple(columns[6]),
        exact_type_s=tuple(columns[7]),
        distributions=tuple(columns[8]),
    )


# -- 4. peeking every day -------------------------------------------------------------------


@dataclass(frozen=True)
class PeekingResult(Result):
    """False alarms when the data are looked at every day, against one look at the end.

    Entry d (day d = 1, 2, ...) is an experiment that ends on day d with ``n_per_arm[d-1]``
    requests per wording and equal true rates. ``daily`` is the share of simulated experiments
    in which some look on days 1..d gave Fisher's p < alpha (so d looks); ``single`` the share
    significant at day d's look alone (one look at the end), on the same simulated paths.
    ``exact_daily`` and ``exact_single`` are the exact probabilities: the distribution of the
    counts is carried forward day by day, removing the paths already stopped.
    """

    rate: float
    per_day: int
    days: int
    alpha: float
    experiments: int
    seed: int
    day: tuple[int, ...]
    n_per_arm: tuple[int, ...]
    daily: tuple[float, ...]
    exact_daily: tuple[float, ...]
    single: tuple[float, ...]
    exact_single: tuple[float, ...]

    _title = "Peeking every day: false alarms when the wordings are equally good"

    def _summary_frame(self):
        import pandas as pd

        return pd.DataFrame(
            {
                "n_per_arm": list(self.n_per_arm),
                "daily_looks": list(self.daily),
                "exact_daily_looks": list(self.exact_daily),
                "one_look_at_end": list(self.single),
                "exact_one_look_at_end": list(self.exact_single),
            },
            index=pd.Index(list(self.day), name="days (= looks)"),
        )

    def _notes(self) -> list[str]:
        return [
            f"Both wordings answered {pct_figure(self.rate)} of the time; {self.per_day} "
            f"request{'s' if self.per_day != 1 else ''} per wording per day, answers known by "
            f"the evening's look; {self.experiments:,} simulated experiments, seed {self.seed}.",
            f"Looking every day for {self.days} days and stopping at the first p < "
            f"{self.alpha:g} raises a false alarm {100 * self.exact_daily[-1]:.1f}% of the time; "
            f"one look at the end (n = {self.n_per_arm[-1]} per wording), "
            f"{100 * self.exact_single[-1]:.1f}%.",
        ]


def _carry_forward(mass: np.ndarray, step: np.ndarray) -> np.ndarray:
    """The joint pmf of (x_control, x_new) after one more day: a 2-D convolution with *step*."""
    k = step.shape[0] - 1
    out = np.zeros((mass.shape[0] + k, mass.shape[1] + k))
    for i in range(k + 1):
        for j in range(k + 1):
            out[i : i + mass.shape[0], j : j + mass.shape[1]] += step[i, j] * mass
    return out


def _exact_peeking(rate: float, per_day: int, days: int, alpha: float) -> list[float]:
    """P(some look on days 1..d rejects), d = 1..days, by exact forward propagation."""
    step = np.outer(_pmf(per_day, rate), _pmf(per_day, rate))
    alive = np.ones((1, 1))  # mass of the paths not yet stopped, over (x_control, x_new)
    stopped, out = 0.0, []
    for d in range(1, days + 1):
        alive = _carry_forward(alive, step)
        reject = _reject_table(d * per_day, alpha)
        stopped += float(alive[reject].sum())
        alive = np.where(reject, 0.0, alive)
        out.append(stopped)
    return out


def simulate_peeking(
    rate: float = 0.5,
    *,
    per_day: int = 2,
    days: int = 30,
    experiments: int = DEFAULT_EXPERIMENTS,
    alpha: float = 0.05,
    seed: int = 0,
    progress: Progress = None,
) -> PeekingResult:
    """Simulate daily looks at an experiment in which the wording makes no difference.

    Assumptions (see ``docs/simulation.md``): every day *per_day* requests go out with each
    wording (the arms stay equal); each is answered with probability *rate*, the same for both
    wordings, and the answer is known by that evening's look (real answers arrive over days,
    so a real look also sees pending requests, which this leaves out). Each evening Fisher's
    two-sided test is run on all the counts so far; the experiment stops at the first
    p < *alpha*, a false alarm, since the wordings are equally good.

    Parameters
    ----------
    rate : float
        Both wordings' response rate, in [0, 1].
    per_day : int
        Requests per wording per day.
    days : int
        Longest run, in days; one look per day.
    experiments : int
        Number of simulated experiments (paths).
    alpha : float
        Significance level of each look.
    seed : int
        Seed of :func:`numpy.random.default_rng`.
    progress : callable, optional
        Called with a short message after each batch of 10,000 experiments (e.g. ``print``).

    Returns
    -------
    PeekingResult

    Examples
    --------
    >>> r = simulate_peeking(0.5, per_day=2, days=10, experiments=2000, seed=1)
    >>> round(r.exact_single[-1], 4), round(r.exact_daily[-1], 4)  # one look vs ten looks
    (0.0204, 0.0663)
    """
    rate = checked_rate("rate", rate)
    per_day = checked_count("per_day", per_day)
    days = checked_count("days", days, what="days")
    _n_per_arm("per_day * days", per_day * days)
    m = checked_count("experiments", experiments, what="experiments")
    alpha = checked_open_unit("alpha", alpha)
    rng = np.random.default_rng(_seed(seed))
    rejects = [_reject_table(d * per_day, alpha) for d in range(1, days + 1)]
    ever = np.zeros(days, dtype=np.int64)
    once = np.zeros(days, dtype=np.int64)
    for first in range(0, m, _CHUNK):
        size = min(_CHUNK, m - first)
        counts = rng.binomial(per_day, rate, size=(size, days, 2)).cumsum(axis=1)
        sig = np.empty((size, days), dtype=bool)
        for d, reject in enumerate(rejects):
            sig[:, d] = reject[counts[:, d, 0], counts[:, d, 1]]
        once += sig.sum(axis=0)
        ever += np.logical_or.accumulate(sig, axis=1).sum(axis=0)
        if progress is not None:
            progress(f"peeking: {first + size:,} of {m:,} experiments simulated")
    return PeekingResult(
        rate=rate,
        per_day=per_day,
        days=days,
        alpha=alpha,
        experiments=m,
        seed=int(seed),
        day=tuple(range(1, days + 1)),
        n_per_arm=tuple(d * per_day for d in range(1, days + 1)),
        daily=_floats(ever / m),
        exact_daily=tuple(_exact_peeking(rate, per_day, days, alpha)),
        single=_floats(once / m),
        exact_single=tuple(
            exact_power(d * per_day, d * per_day, rate, rate, alpha=alpha).power
            for d in range(1, days + 1)
        ),
    )
