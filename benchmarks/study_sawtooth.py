"""Study: how far exact power's saw-tooth lets a smaller n beat a larger one.

The sample-size search (``etiquette_lab.planning.search.py``) evaluates exact power densely
only near the goal, and rests on one assumption: for n' < m, power(n') - power(m) is at most
the saw-tooth allowance A(m). This script measures the left side, the *excess*

    E(m) = max over n' < m of power(n') - power(m)     (0 where power never fell),

on a grid of designs, by computing exact power at every n with the kit's own kernels, and checks

1. the kernels against ``scipy.stats.fisher_exact`` called table by table (a sample of designs
   and n, and the colleague's 0.55 vs 0.46 at n = 500 and 502);
2. E(m) against the old allowance 2 / m and the new one (the search's :class:`SawTooth`);
3. the search against a full scan of the same curve, for several power goals per design, with
   the new allowance and with the old one.

It is a study, not a test: it takes about 15 minutes on one core. Run

    .venv/bin/python benchmarks/study_sawtooth.py [--quick] [--cache FILE]

``--quick`` keeps a few designs (a smoke run of a minute); ``--cache`` keeps the curves in an
``.npz`` file so that a second run only redoes the analysis. Prints markdown; docs/planning.md
quotes it.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from etiquette_lab.errors import InvalidInputError
from etiquette_lab.planning.kernels import (
    BOSCHLOO_MAX_N,
    DEFAULT_EPS,
    binomial_window,
    boschloo_power,
    fisher_power,
)
from etiquette_lab.planning.results import new_arm
from etiquette_lab.planning.search import SAWTOOTH, SawTooth, search_sample_size
from etiquette_lab.significance import rejects

#: Rates spread over 0.02..0.98; every ordered pair of them is a design.
RATES = (0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.65, 0.8, 0.9, 0.95, 0.98)
#: Close pairs, whose 80% crossing lies between 100 and 2,000 per arm (and the colleague's).
CLOSE = (
    (0.55, 0.46),
    (0.5, 0.55),
    (0.2, 0.24),
    (0.1, 0.13),
    (0.3, 0.36),
    (0.02, 0.04),
    (0.7, 0.76),
    (0.9, 0.93),
    (0.4, 0.45),
    (0.05, 0.08),
    (0.85, 0.8),
    (0.97, 0.92),
)
ALPHAS = (0.05, 0.01)
RATIOS = (1.0, 2.0, 0.5)
#: A side run: other ratios (uneven rounding of the new arm) on four close pairs, two-sided,
#: alpha 0.05.
SIDE_PAIRS = ((0.55, 0.46), (0.5, 0.55), (0.2, 0.24), (0.1, 0.13))
SIDE_RATIOS = (1.5, 3.0)
MAX_N = 2000
#: A curve stops once this many n in a row have power above 1 - SURE: the excess there is
#: below SURE, far under any allowance.
SURE, SURE_RUN = 1e-7, 20
GOALS = (0.5, 0.8, 0.9, 0.95)
#: Ranges of m in the excess table.
M_RANGES = ((1, 10), (11, 30), (31, 100), (101, 300), (301, 1000), (1001, 2000))


@dataclass(frozen=True)
class Design:
    test: str
    baseline: float
    target: float
    alternative: str
    alpha: float
    ratio: float

    @property
    def label(self) -> str:
        side = "2s" if self.alternative == "two-sided" else "gt"
        return (
            f"{self.test} {self.baseline:g} vs {self.target:g} {side} a={self.alpha:g} "
            f"r={self.ratio:g}"
        )

    def power(self, n: int) -> float:
        n_new = new_arm(n, self.ratio)
        if self.test == "boschloo":
            return boschloo_power(
                n, n_new, self.baseline, self.target, self.alpha, self.alternative
            )
        return fisher_power(
            n, n_new, self.baseline, self.target, self.alpha, self.alternative, DEFAULT_EPS
        )

    def max_n(self) -> int:
        if self.test == "boschloo":  # the kit's limit on either arm
            return max(n for n in range(1, BOSCHLOO_MAX_N + 1) if new_arm(n, self.ratio) <= 25)
        return MAX_N


def _symmetric_key(baseline: float, target: float, alternative: str, ratio: float):
    """One key for designs with the same power curve: swapping answered and unanswered
    (two-sided), and with equal arms also swapping the arms (two-sided) or both (one-sided)."""

    def flip(rate: float) -> float:
        return round(1.0 - rate, 9)

    pairs = {(baseline, target)}
    if alternative == "two-sided":
        pairs.add((flip(baseline), flip(target)))
        if ratio == 1.0:
            pairs |= {(b, a) for a, b in pairs}
    elif ratio == 1.0:
        pairs.add((flip(target), flip(baseline)))
    return min(pairs)


def designs(test: str, quick: bool) -> list[Design]:
    pairs = [(a, b) for a, b in itertools.permutations(RATES, 2)]
    pairs += list(CLOSE) + [(b, a) for a, b in CLOSE]
    if quick:
        pairs = [(0.55, 0.46), (0.2, 0.5), (0.02, 0.1), (0.2, 0.8)]
    chosen: dict[tuple, Design] = {}
    for (baseline, target), alternative, alpha, ratio in itertools.product(
        pairs, ("two-sided", "greater"), ALPHAS, RATIOS
    ):
        if alternative == "greater" and target < baseline:
            continue
        key = (_symmetric_key(baseline, target, alternative, ratio), alternative, alpha, ratio)
        chosen.setdefault(key, Design(test, baseline, target, alternative, alpha, ratio))
    if test == "fisher" and not quick:
        for (baseline, target), ratio in itertools.product(SIDE_PAIRS, SIDE_RATIOS):
            key = (baseline, target, "side", ratio)
            chosen[key] = Design(test, baseline, target, "two-sided", 0.05, ratio)
    return list(chosen.values())


def power_curve(design: Design) -> np.ndarray:
    """Exact power at n = 1, 2, ... (index n - 1), until max_n or power stays near 1."""
    powers: list[float] = []
    run = 0
    for n in range(1, design.max_n() + 1):
        powers.append(design.power(n))
        run = run + 1 if powers[-1] > 1.0 - SURE else 0
        if run == SURE_RUN:
            break
    return np.array(powers)


def excess(curve: np.ndarray) -> np.ndarray:
    """E(m) = max_{n' < m} power(n') - power(m), at least 0 (E(1) = 0)."""
    before = np.maximum.accumulate(np.concatenate([[-np.inf], curve[:-1]]))
    return np.maximum(before - curve, 0.0)


def all_curves(tests: tuple[str, ...], quick: bool, cache: Path | None) -> dict[Design, np.ndarray]:
    stored = dict(np.load(cache)) if cache is not None and cache.exists() else {}
    curves, fresh = {}, 0
    for test in tests:
        chosen = designs(test, quick)
        for i, design in enumerate(chosen):
            if design.label not in stored:
                stored[design.label] = power_curve(design)
                fresh += 1
                if cache is not None and fresh % 20 == 0:  # a long run keeps what it has
                    np.savez_compressed(cache, **stored)
                    print(f"{test}: {i + 1} of {len(chosen)} designs", file=sys.stderr)
            curves[design] = stored[design.label]
    if cache is not None and fresh:
        np.savez_compressed(cache, **stored)
    return curves


# -- 1. the kernels against scipy's fisher_exact, table by table ------------------------------


def brute_force_power(design: Design, n: int, tail: float = 1e-13) -> float:
    """``scipy.stats.fisher_exact`` on every table inside binomial windows holding all but
    *tail* of each arm's tails (power is low by at most 4 * tail), the kit's ``rejects``."""
    from scipy import stats

    n_new = new_arm(n, design.ratio)
    lo_c, hi_c = binomial_window(n, design.baseline, tail)
    lo_n, hi_n = binomial_window(n_new, design.target, tail)
    total = 0.0
    for x_c in range(lo_c, hi_c + 1):
        weight = stats.binom.pmf(x_c, n, design.baseline)
        for x_n in range(lo_n, hi_n + 1):
            table = [[x_n, x_c], [n_new - x_n, n - x_c]]
            p = stats.fisher_exact(table, alternative=design.alternative).pvalue
            if rejects(p, design.alpha):
                total += weight * stats.binom.pmf(x_n, n_new, design.target)
    return total


def cross_check(curves: dict[Design, np.ndarray], rng: np.random.Generator) -> list[str]:
    fisher = [d for d in curves if d.test == "fisher"]
    sample = [(fisher[i], int(rng.integers(1, 41))) for i in rng.choice(len(fisher), 40)]
    colleague = Design("fisher", 0.55, 0.46, "two-sided", 0.05, 1.0)
    worst = 0.0
    for design, n in sample:
        if n <= len(curves[design]):
            worst = max(worst, abs(brute_force_power(design, n) - curves[design][n - 1]))
    lines = [
        f"- {len(sample)} random (design, n) pairs with n <= 40: largest difference between the "
        f"kernel and `scipy.stats.fisher_exact` table by table: {worst:.1e}."
    ]
    for n in (500, 502):
        kit, brute = colleague.power(n), brute_force_power(colleague, n)
        lines.append(
            f"- 55% vs 46%, two-sided, alpha 0.05, n = {n}: kernel {kit:.6f}, "
            f"`fisher_exact` table by table {brute:.6f} (difference {abs(kit - brute):.1e})."
        )
    return lines


# -- 2. the excess against the allowances --------------------------------------------------------


class OldRule:
    """The search's rule before this study: power(n') <= power(m) + 2 / m for n' < m."""

    @staticmethod
    def ceiling(m: int, power: float) -> float:
        return power + min(1.0, 2.0 / m)


def rule_of(design: Design) -> SawTooth:
    """The search's rule now: the design's :class:`SawTooth`."""
    return SawTooth.of_design(design.baseline, design.target, design.ratio)


def ceilings(curve: np.ndarray, rule) -> np.ndarray:
    """The rule's ceiling at every m: the most any n' < m may have, given power(m)."""
    return np.array([rule.ceiling(m, float(p)) for m, p in enumerate(curve, start=1)])


def excess_table(curves: dict[Design, np.ndarray]) -> list[str]:
    rows = [
        "| m | designs reaching it | largest E(m) | at | largest E(m) sqrt(m) | largest "
        "E(m) / A(m), c = 1 |",
        "| --- | ---: | ---: | --- | ---: | ---: |",
    ]
    unit = {d: SawTooth(rule_of(d).scale, 1.0) for d in curves}  # E / A here is the c needed
    shares = {d: excess(c) / (ceilings(c, unit[d]) - c) for d, c in curves.items()}
    for lo, hi in M_RANGES:
        best, where, scaled, share, count = 0.0, "-", 0.0, 0.0, 0
        for design, curve in curves.items():
            if len(curve) < lo:
                continue
            count += 1
            e = excess(curve)[lo - 1 : hi]
            m = np.arange(lo, lo + len(e))
            if e.max() > best:
                best, where = float(e.max()), f"{design.label}, m = {int(m[e.argmax()])}"
            scaled = max(scaled, float((e * np.sqrt(m)).max()))
            share = max(share, float(shares[design][lo - 1 : hi].max()))
        rows.append(
            f"| {lo:,}-{hi:,} | {count} | {best:.4f} | {where} | {scaled:.3f} | {share:.2f} |"
        )
    return rows


def rule_breaks(curves: dict[Design, np.ndarray], rule_for) -> tuple[int, float, str]:
    """Designs whose excess exceeds the rule's allowance somewhere, the largest E / A, where."""
    broken, worst, where = 0, 0.0, "-"
    for design, curve in curves.items():
        share = excess(curve) / (ceilings(curve, rule_for(design)) - curve)
        broken += bool(np.any(share > 1.0))
        if share.max() > worst:
            worst, where = float(share.max()), f"{design.label}, m = {int(share.argmax()) + 1}"
    return broken, worst, where


# -- 3. the search against a full scan -------------------------------------------------------


def full_scan(curve: np.ndarray, goal: float) -> tuple[int, int] | None:
    """(first n reaching goal, first n from which every scanned n keeps it), or None."""
    reached = np.flatnonzero(curve >= goal)
    if len(reached) == 0:
        return None
    dips = np.flatnonzero(curve < goal)
    return int(reached[0]) + 1, (int(dips[-1]) + 2 if len(dips) else 1)


def search_checks(curves: dict[Design, np.ndarray], rule_for) -> tuple[int, int, list[str], int]:
    """Searches run, how many disagree with the full scan, examples, and n evaluated."""
    runs, wrong, examples, evaluated = 0, 0, [], 0
    for design, curve in curves.items():
        for goal in GOALS:
            expected = full_scan(curve, goal)
            if expected is None or expected[1] > len(curve):
                continue  # not reached, or lost again at the scan's end
            runs += 1
            try:
                first, stable, _, seen = search_sample_size(
                    lambda n, c=curve: float(c[n - 1]) if n <= len(c) else 1.0,
                    goal,
                    expected[0],
                    len(curve),
                    rule_for(design),
                )
            except InvalidInputError:
                first = stable = -1
                seen = {}
            evaluated += len(seen)
            if (first, stable) != expected:
                wrong += 1
                if len(examples) < 3:
                    examples.append(
                        f"{design.label}, goal {goal:g}: search ({first}, {stable}), "
                        f"scan {expected}"
                    )
    return runs, wrong, examples, evaluated


def report(curves: dict[Design, np.ndarray], seconds: float, checks: list[str]) -> None:
    by_test: dict[str, int] = {}
    for design in curves:
        by_test[design.test] = by_test.get(design.test, 0) + 1
    points = sum(len(c) for c in curves.values())
    print("## The saw-tooth study (`benchmarks/study_sawtooth.py`)\n")
    print(
        f"{', '.join(f'{k} {v} designs' for k, v in by_test.items())}: every ordered pair of "
        f"the rates {', '.join(f'{r:g}' for r in RATES)}, and {len(CLOSE)} close pairs both "
        f"ways; two-sided and one-sided; alpha {' and '.join(f'{a:g}' for a in ALPHAS)}; "
        f"ratios {' and '.join(f'{r:g}' for r in RATIOS)} (designs with the same curve by "
        f"symmetry counted once); and ratios {' and '.join(f'{r:g}' for r in SIDE_RATIOS)} for "
        f"{len(SIDE_PAIRS)} close pairs (two-sided, alpha 0.05). Exact power at every n "
        f"from 1 to {MAX_N:,} per arm "
        f"(Boschloo: n_new <= {BOSCHLOO_MAX_N}), or until {SURE_RUN} n in a row have power "
        f"above 1 - {SURE:g}: {points:,} powers ({seconds / 60:.1f} minutes in this run; "
        "about 0 when the curves come from --cache).\n"
    )
    print("Kernels against scipy:\n")
    print("\n".join(checks) + "\n")
    print(
        "The excess E(m) = max over n' < m of power(n') - power(m), its largest value per "
        "range of m over all designs, times sqrt(m), and divided by the allowance A(m) with "
        "c = 1 (that is, the constant c the design would need):\n"
    )
    print("\n".join(excess_table(curves)) + "\n")
    new = f"new: A(m) with c = {SAWTOOTH:g}"
    for name, rule in (("old: 2 / m", lambda d: OldRule), (new, rule_of)):
        broken, worst, where = rule_breaks(curves, rule)
        runs, wrong, examples, evaluated = search_checks(curves, rule)
        print(
            f"- Allowance {name}: exceeded by {broken} of {len(curves)} designs (largest "
            f"E / allowance {worst:.2f}, {where}); the search disagrees with the full scan "
            f"in {wrong} of {runs} searches (goals {', '.join(f'{g:g}' for g in GOALS)}), "
            f"{evaluated / max(runs, 1):.0f} n evaluated per search."
            + "".join(f"\n  - {e}" for e in examples)
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few designs only")
    parser.add_argument("--cache", type=Path, help=".npz file keeping the power curves")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    curves = all_curves(("fisher", "boschloo"), args.quick, args.cache)
    seconds = time.perf_counter() - began
    checks = cross_check(curves, np.random.default_rng(2026))
    report(curves, seconds, checks)


if __name__ == "__main__":
    main()
