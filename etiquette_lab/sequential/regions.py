"""Stopping regions on the outcome lattice, and everything computed from them.

A design is, at each look, a set of states that stop with evidence (and, optionally, a set that
stops for futility). :func:`exact_regions` chooses the evidence sets by exact search;
:func:`threshold_regions` takes them from given z boundaries (the normal-approximation design,
the unadjusted test); :mod:`.evalue` makes them from an e-value. :class:`Lattice` then carries
the alive fractions (:mod:`.lattice`) and answers every question about operating characteristics.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .lattice import (
    binomial_pmf,
    binomial_pmf_rows,
    carry,
    ranked_levels,
    split_of_total,
    statistic,
)
from .nuisance import NullCrossing, certify, rate_grid

__all__: list[str] = []

Size = tuple[int, int]


@dataclass(frozen=True)
class Lattice:
    """Sizes, stopping regions and alive fractions of a design, look by look.

    ``alive[k]`` obeys the futility stops (what happens if the user follows them);
    ``alive_binding_free[k]`` ignores them (the false-alarm guarantee: futility is non-binding).
    """

    sizes: tuple[Size, ...]
    reject: tuple[np.ndarray, ...]
    futility: tuple[np.ndarray | None, ...]
    alive: tuple[np.ndarray, ...]
    alive_binding_free: tuple[np.ndarray, ...]

    def stop_probabilities(self, p_c: float, p_n: float) -> tuple[np.ndarray, np.ndarray]:
        """P(stop with evidence at look k) and P(stop for futility at look k), futility obeyed."""
        evidence, futility = [], []
        for (c, n), alive, reject, futile in zip(
            self.sizes, self.alive, self.reject, self.futility, strict=True
        ):
            mass = alive * np.outer(binomial_pmf(c, p_c), binomial_pmf(n, p_n))
            evidence.append(float(mass[reject].sum()))
            futility.append(0.0 if futile is None else float(mass[futile & ~reject].sum()))
        return np.array(evidence), np.array(futility)

    def null_crossing(self, looks: int | None = None) -> NullCrossing:
        """Under a common rate: the chance of evidence by look *looks* (all), futility ignored."""
        crossing = NullCrossing()
        for (c, n), alive, reject in list(
            zip(self.sizes, self.alive_binding_free, self.reject, strict=True)
        )[:looks]:
            crossing.add(c + n, null_weights(alive, reject, c, n))
        return crossing


def null_weights(alive: np.ndarray, region: np.ndarray, c: int, n: int) -> np.ndarray:
    """w(s) = sum over the region's states with total s of alive * Hyp(x_c | s)."""
    hyp, total = split_of_total(c, n)
    return np.bincount(total[region], weights=(alive * hyp)[region], minlength=c + n + 1)


def _alive_fractions(
    sizes: Sequence[Size], reject: Sequence[np.ndarray], futility: Sequence[np.ndarray | None]
) -> list[np.ndarray]:
    alive = [np.ones((sizes[0][0] + 1, sizes[0][1] + 1))]
    for k in range(1, len(sizes)):
        stop = reject[k - 1] if futility[k - 1] is None else reject[k - 1] | futility[k - 1]
        alive.append(carry(np.where(stop, 0.0, alive[-1]), sizes[k - 1], sizes[k]))
    return alive


def make_lattice(
    sizes: Sequence[Size],
    reject: Sequence[np.ndarray],
    futility: Sequence[np.ndarray | None] | None = None,
    alive_binding_free: Sequence[np.ndarray] | None = None,
) -> Lattice:
    """A :class:`Lattice` from regions; alive fractions computed unless given."""
    futile = list(futility) if futility is not None else [None] * len(sizes)
    free = (
        list(alive_binding_free)
        if alive_binding_free is not None
        else _alive_fractions(sizes, reject, [None] * len(sizes))
    )
    obeyed = free if all(f is None for f in futile) else _alive_fractions(sizes, reject, futile)
    return Lattice(
        sizes=tuple(sizes),
        reject=tuple(reject),
        futility=tuple(futile),
        alive=tuple(obeyed),
        alive_binding_free=tuple(free),
    )


def threshold_regions(
    sizes: Sequence[Size], bounds: Sequence[float], alternative: str
) -> list[np.ndarray]:
    """Evidence regions "statistic >= bound" (|z| two-sided, z one-sided) at each look."""
    return [statistic(c, n, alternative) >= b for (c, n), b in zip(sizes, bounds, strict=True)]


def futility_regions(
    sizes: Sequence[Size], bounds: Sequence[float] | None, alternative: str
) -> list[np.ndarray | None]:
    """Futility regions "statistic < bound" at every look but the last (None: no futility)."""
    if bounds is None:
        return [None] * len(sizes)
    regions: list[np.ndarray | None] = [
        statistic(c, n, alternative) < b for (c, n), b in zip(sizes[:-1], bounds, strict=True)
    ]
    return [*regions, None]


@dataclass(frozen=True)
class ExactSearch:
    """What :func:`exact_regions` found: regions, boundaries and the lattice they make."""

    lattice: Lattice
    boundaries: tuple[float, ...]  # least extreme statistic that stops; inf: none can


def exact_regions(sizes: Sequence[Size], budgets: Sequence[float], alternative: str) -> ExactSearch:
    """The largest evidence region at each look whose false-alarm chance stays within budget.

    Look by look, states are ranked by the statistic (ties together); the region is the longest
    run of top-ranked groups such that, for every common rate p, the chance of evidence by this
    look is at most ``budgets[k]``. A binary search on a grid of rates finds the candidate;
    :func:`.nuisance.certify` proves it for all p, else the next smaller region is tried.
    """
    rates = rate_grid()
    crossing = NullCrossing()
    so_far = np.zeros(len(rates))  # chance of evidence by the previous look, on the grid
    reject: list[np.ndarray] = []
    alive: list[np.ndarray] = []
    boundaries: list[float] = []
    for k, (c, n) in enumerate(sizes):
        if k == 0:
            current = np.ones((c + 1, n + 1))
        else:
            current = carry(np.where(reject[-1], 0.0, alive[-1]), sizes[k - 1], (c, n))
        alive.append(current)
        look = _LookSearch(c, n, current, alternative, rates)
        chosen = look.largest_fitting(so_far, budgets[k])
        while chosen >= 0:
            ok, *_ = certify(crossing.copy_with(c + n, look.weights(chosen)), budget=budgets[k])
            if ok:
                break
            chosen -= 1
        reject.append(look.rank <= chosen)
        boundaries.append(float(look.lowest[chosen]) if chosen >= 0 else float("inf"))
        added = look.weights(chosen)
        crossing.add(c + n, added)
        so_far = so_far + look.pmf @ added
    lattice = make_lattice(sizes, reject, alive_binding_free=alive)
    return ExactSearch(lattice=lattice, boundaries=tuple(boundaries))


class _LookSearch:
    """One look's candidate regions: the r + 1 most extreme groups of states, r = -1, 0, ..."""

    def __init__(
        self, c: int, n: int, alive: np.ndarray, alternative: str, rates: np.ndarray
    ) -> None:
        self.rank, self.lowest = ranked_levels(statistic(c, n, alternative))
        hyp, self.total = split_of_total(c, n)
        self.weight = alive * hyp
        self.size = c + n + 1
        self.pmf = binomial_pmf_rows(c + n, rates)

    def weights(self, last_group: int) -> np.ndarray:
        """w(s) of the region made of groups 0..last_group (empty for -1)."""
        region = self.rank <= last_group
        return np.bincount(self.total[region], weights=self.weight[region], minlength=self.size)

    def largest_fitting(self, so_far: np.ndarray, budget: float) -> int:
        """The last group such that the chance of evidence stays within budget on the grid."""
        low, high = -1, len(self.lowest) - 1  # low always fits (the empty region adds nothing)
        while low < high:
            middle = (low + high + 1) // 2
            if (so_far + self.pmf @ self.weights(middle)).max() <= budget:
                low = middle
            else:
                high = middle - 1
        return low
