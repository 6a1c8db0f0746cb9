"""Planned looks (group-sequential) and anytime-valid designs for two wordings.

:func:`sequential_design` builds a group-sequential design with exact boundaries (or, for large
n, normal-approximation ones); :func:`anytime_design` the e-value rule "stop when e >= 1/alpha";
:func:`naive_peeking` shows what an unadjusted test at the same looks does. See
``docs/sequential.md`` for the methods and their guarantees.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from ..checks import check_alpha, check_method
from ..errors import InvalidInputError
from ..planning.kernels import fisher_p_values
from .checks import MAX_ANYTIME_N, MAX_EXACT_N, check_alternative, check_futility, look_sizes
from .evalue import PRIOR_POINTS, state_log_e
from .lattice import statistic
from .normal import spending_bounds
from .nuisance import maximise
from .regions import (
    Lattice,
    exact_regions,
    futility_regions,
    make_lattice,
    threshold_regions,
)
from .results import AnytimeDesign, NaivePeeking, SequentialDesign
from .spending import check_spending, spent

__all__ = [
    "PEEKING_TESTS",
    "SEQUENTIAL_METHODS",
    "anytime_design",
    "naive_peeking",
    "sequential_design",
]

#: ``method=`` of :func:`sequential_design`, the first being the default.
SEQUENTIAL_METHODS: tuple[str, ...] = ("exact", "normal")
#: ``test=`` of :func:`naive_peeking`, the first being the default.
PEEKING_TESTS: tuple[str, ...] = ("exact", "fisher", "z")


def _pairs(sizes: tuple[int, ...]) -> list[tuple[int, int]]:
    return [(n, n) for n in sizes]


def _frozen(lattice: Lattice) -> Lattice:
    for arrays in (lattice.reject, lattice.alive, lattice.alive_binding_free, lattice.futility):
        for array in arrays:
            if array is not None:
                array.setflags(write=False)
    return lattice


@lru_cache(maxsize=32)
def _exact_lattice(
    sizes: tuple[int, ...], alpha: float, alternative: str, spending: str, rho: float | None
) -> tuple[Lattice, tuple[float, ...]]:
    sides = 2 if alternative == "two-sided" else 1
    budgets = [spent(n / sizes[-1], alpha, spending, rho, sides) for n in sizes]
    search = exact_regions(_pairs(sizes), budgets, alternative)
    return _frozen(search.lattice), search.boundaries


@lru_cache(maxsize=32)
def _threshold_lattice(
    sizes: tuple[int, ...], bounds: tuple[float, ...], alternative: str
) -> Lattice:
    pairs = _pairs(sizes)
    return _frozen(make_lattice(pairs, threshold_regions(pairs, bounds, alternative)))


@lru_cache(maxsize=32)
def _anytime_lattice(sizes: tuple[int, ...], alpha: float, alternative: str) -> Lattice:
    pairs = _pairs(sizes)
    level = math.log(1.0 / alpha)
    regions = [state_log_e(c, n, alternative) >= level for c, n in pairs]
    return _frozen(make_lattice(pairs, regions))


@lru_cache(maxsize=256)
def _single_look_region(n: int, alpha: float, alternative: str, test: str) -> np.ndarray:
    """Where an unadjusted test at level alpha rejects, on the n-versus-n lattice."""
    if test == "exact":
        region = exact_regions([(n, n)], [alpha], alternative).lattice.reject[0]
    elif test == "fisher":
        grid = np.arange(n + 1)
        region = fisher_p_values(n, n, grid, grid, alternative) <= alpha
    else:
        from scipy.special import ndtri

        sides = 2 if alternative == "two-sided" else 1
        region = statistic(n, n, alternative) >= ndtri(1.0 - alpha / sides)
    region = np.array(region, dtype=bool)
    region.setflags(write=False)
    return region


def _base_lattice(design: SequentialDesign) -> Lattice:
    if design.method == "exact":
        return _exact_lattice(
            design.looks, design.alpha, design.alternative, design.spending, design.rho
        )[0]
    if design.max_n > MAX_EXACT_N:
        raise InvalidInputError(
            f"exact operating characteristics go up to {MAX_EXACT_N:,} requests per wording; "
            f"this design has {design.max_n:,}"
        )
    return _threshold_lattice(design.looks, design.boundary_z, design.alternative)


@lru_cache(maxsize=32)
def _futility_lattice(design: SequentialDesign) -> Lattice:
    base = _base_lattice(design)
    regions = futility_regions(list(base.sizes), design.futility_z, design.alternative)
    return _frozen(
        make_lattice(base.sizes, base.reject, regions, alive_binding_free=base.alive_binding_free)
    )


def lattice_of(design: SequentialDesign | AnytimeDesign) -> Lattice:
    """The stopping regions and alive fractions of *design* (cached; recomputed if needed)."""
    if isinstance(design, AnytimeDesign):
        return _anytime_lattice(design.looks, design.alpha, design.alternative)
    if design.futility_z is None:
        return _base_lattice(design)
    return _futility_lattice(design)


def _check_exact_size(sizes: tuple[int, ...], what: str, limit: int = MAX_EXACT_N) -> None:
    if sizes[-1] > limit:
        advice = "" if limit != MAX_EXACT_N else "; at this size use method='normal'"
        raise InvalidInputError(
            f"{what} go up to {limit:,} requests per wording, got {sizes[-1]:,}{advice}"
        )


def _smallest_differences(lattice: Lattice, alternative: str) -> tuple[float | None, ...]:
    out: list[float | None] = []
    for (c, n), region in zip(lattice.sizes, lattice.reject, strict=True):
        if not region.any():
            out.append(None)
            continue
        difference = np.arange(n + 1)[None, :] / n - np.arange(c + 1)[:, None] / c
        if alternative == "two-sided":
            difference = np.abs(difference)
        out.append(float(difference[region].min()))
    return tuple(out)


def _least_extreme_z(lattice: Lattice, alternative: str) -> tuple[float, ...]:
    out = []
    for (c, n), region in zip(lattice.sizes, lattice.reject, strict=True):
        out.append(float(statistic(c, n, alternative)[region].min()) if region.any() else math.inf)
    return tuple(out)


def _by_look(lattice: Lattice) -> tuple[tuple[float, ...], float, float, float]:
    """Exact worst-case false alarm by each look, and the last one's rate and proven bound."""
    figures = [maximise(lattice.null_crossing(k)) for k in range(1, len(lattice.sizes) + 1)]
    last = figures[-1]
    return tuple(f.value for f in figures), last.value, last.rate, last.bound


def sequential_design(
    max_n: int,
    *,
    looks: int | Sequence[int] = 5,
    alpha: float = 0.05,
    alternative: str = "two-sided",
    spending: str = "obrien-fleming",
    rho: float | None = None,
    futility: float | Sequence[float] | None = None,
    method: str = "exact",
) -> SequentialDesign:
    """A group-sequential design: planned looks, each with a boundary for stopping early.

    Parameters
    ----------
    max_n : int
        Requests per wording at the last look (both wordings get the same number).
    looks : int or sequence of int
        The number of equally spaced looks (look k at k * max_n / looks, rounded), or the
        cumulative requests per wording at each look, increasing (max_n is added as the last).
    alpha : float
        The overall false-alarm rate, in (0, 1).
    alternative : {"two-sided", "greater"}
        Two-sided (either wording better) or one-sided: the new wording answers more often.
    spending : {"obrien-fleming", "pocock", "power"}
        How alpha is spread over the looks (:func:`alpha_spending`). The default,
        O'Brien-Fleming-type, keeps the last look close to the fixed-sample test.
    rho : float, optional
        The exponent of ``spending="power"`` (alpha * t^rho; default 1).
    futility : float or sequence of float, optional
        Non-binding futility bounds on z (|z| two-sided) for the interim looks: one value for
        all, or one per interim look. They never change the evidence boundaries.
    method : {"exact", "normal"}
        ``"exact"``: boundaries chosen on the exact binomial distribution so that the chance of
        a false alarm by each look stays within the alpha spent for every common response rate
        (up to 1,000 per wording). ``"normal"``: boundaries from the normal approximation
        (any n); their exact false-alarm rate is reported when n allows.

    Returns
    -------
    SequentialDesign
        Boundaries per look, the exact worst-case false-alarm rate with its proven bound, and
        the rate an unadjusted test at the same looks would have.

    Raises
    ------
    InvalidInputError
        Looks that do not increase, a maximum below the first look, alpha outside (0, 1), an
        unknown spending or method, rho without ``spending="power"``.

    Examples
    --------
    >>> d = sequential_design(50, looks=5)
    >>> d.looks
    (10, 20, 30, 40, 50)
    >>> d.type_one_error <= d.type_one_error_bound <= 0.05
    True
    >>> round(d.boundary_z[-1], 3)
    2.06
    """
    sizes = look_sizes(max_n, looks)
    alpha = check_alpha(alpha)
    alternative = check_alternative(alternative)
    spending_name, exponent = check_spending(spending, rho)
    method = check_method(method, SEQUENTIAL_METHODS, "method")
    futility_z = check_futility(futility, len(sizes), alternative)
    if method == "exact":
        _check_exact_size(sizes, "exact designs")
    sides = 2 if alternative == "two-sided" else 1
    information = tuple(n / sizes[-1] for n in sizes)
    budgets = tuple(spent(t, alpha, spending_name, exponent, sides) for t in information)
    normal_bounds = tuple(spending_bounds(information, budgets, sides == 2))
    exact_figures: tuple[tuple[float, ...], float, float, float] | None = None
    naive: tuple[float, float] | None = None
    lattice: Lattice | None
    if method == "exact":
        lattice, boundaries = _exact_lattice(sizes, alpha, alternative, spending_name, exponent)
    else:
        boundaries = normal_bounds
        lattice = (
            _threshold_lattice(sizes, normal_bounds, alternative)
            if sizes[-1] <= MAX_EXACT_N
            else None
        )
    differences: tuple[float | None, ...] = (None,) * len(sizes)
    if lattice is not None:
        exact_figures = _by_look(lattice)
        differences = _smallest_differences(lattice, alternative)
        naive_figure = maximise(_naive_lattice(sizes, alpha, alternative, "exact").null_crossing())
        naive = (naive_figure.value, naive_figure.rate)
    return SequentialDesign(
        method=method,
        alternative=alternative,
        alpha=alpha,
        spending=spending_name,
        rho=exponent,
        looks=sizes,
        information=information,
        alpha_spent=budgets,
        boundary_z=tuple(boundaries),
        smallest_difference=differences,
        futility_z=futility_z,
        normal_boundary_z=normal_bounds,
        false_alarm_by_look=exact_figures[0] if exact_figures else None,
        type_one_error=exact_figures[1] if exact_figures else None,
        worst_rate=exact_figures[2] if exact_figures else None,
        type_one_error_bound=exact_figures[3] if exact_figures else None,
        naive_type_one_error=naive[0] if naive else None,
        naive_worst_rate=naive[1] if naive else None,
    )


def clear_caches() -> None:
    """Forget every cached lattice (the benchmarks build designs cold)."""
    for cached in (
        _exact_lattice,
        _threshold_lattice,
        _anytime_lattice,
        _single_look_region,
        _futility_lattice,
    ):
        cached.cache_clear()


def _naive_lattice(sizes: tuple[int, ...], alpha: float, alternative: str, test: str) -> Lattice:
    regions = [_single_look_region(n, alpha, alternative, test) for n in sizes]
    return make_lattice(_pairs(sizes), regions)


def anytime_design(
    max_n: int,
    *,
    looks: int | Sequence[int] = 5,
    alpha: float = 0.05,
    alternative: str = "two-sided",
) -> AnytimeDesign:
    """The anytime-valid test of two response rates, with its exact operating characteristics.

    The rule is "stop as soon as the e-value reaches 1 / alpha" (see :func:`e_process`); it is
    valid however often and whenever one looks. *looks* only fixes the schedule for which the
    operating characteristics (false-alarm rate, power, expected size) are computed exactly.

    Parameters
    ----------
    max_n : int
        The budget: requests per wording at the last look.
    looks : int or sequence of int
        Looks for the operating characteristics, as in :func:`sequential_design`.
    alpha : float
        The false-alarm rate guaranteed at any stopping time, in (0, 1).
    alternative : {"two-sided", "greater"}
        Two-sided, or one-sided (the new wording answers more often).

    Returns
    -------
    AnytimeDesign

    Examples
    --------
    >>> d = anytime_design(50, looks=5)
    >>> d.threshold
    20.0
    >>> d.type_one_error < 0.05
    True
    """
    sizes = look_sizes(max_n, looks)
    alpha = check_alpha(alpha)
    alternative = check_alternative(alternative)
    _check_exact_size(sizes, "exact operating characteristics of the anytime design", MAX_ANYTIME_N)
    lattice = _anytime_lattice(sizes, alpha, alternative)
    by_look, value, rate, bound = _by_look(lattice)

    pairs = "all pairs" if alternative == "two-sided" else "the pairs with the new rate higher"
    return AnytimeDesign(
        alternative=alternative,
        alpha=alpha,
        threshold=1.0 / alpha,
        looks=sizes,
        boundary_z=_least_extreme_z(lattice, alternative),
        smallest_difference=_smallest_differences(lattice, alternative),
        false_alarm_by_look=by_look,
        type_one_error=value,
        worst_rate=rate,
        type_one_error_bound=bound,
        prior=(
            f"E-value: Turner, Ly & Grünwald's block likelihood ratio averaged over a uniform "
            f"grid of {PRIOR_POINTS} x {PRIOR_POINTS} rate pairs ({pairs})."
        ),
    )


def naive_peeking(
    max_n: int,
    *,
    looks: int | Sequence[int] = 5,
    alpha: float = 0.05,
    alternative: str = "two-sided",
    test: str = "exact",
) -> NaivePeeking:
    """The exact false-alarm rate of testing at every look without adjusting for the looks.

    Parameters
    ----------
    max_n, looks, alpha, alternative
        As in :func:`sequential_design`.
    test : {"exact", "fisher", "z"}
        The test applied at each look at level alpha: the exact unconditional test ordered by
        the pooled z (at level alpha on its own, whatever the rate), Fisher's exact test, or the
        two-proportion z-test with its normal critical value.

    Returns
    -------
    NaivePeeking
        The worst-case (over the common response rate) chance of a false alarm at each look
        alone and by each look.

    Examples
    --------
    >>> r = naive_peeking(20, looks=[5, 10, 15, 20], test="fisher")
    >>> round(r.single_look[-1], 4), round(r.by_look[-1], 4)  # one look at 20, four looks
    (0.0253, 0.051)
    """
    sizes = look_sizes(max_n, looks)
    alpha = check_alpha(alpha)
    alternative = check_alternative(alternative)
    test = check_method(test, PEEKING_TESTS, "test")
    _check_exact_size(sizes, "exact false-alarm rates")
    lattice = _naive_lattice(sizes, alpha, alternative, test)
    single, by_look, rates = [], [], []
    for k, n in enumerate(sizes):
        alone = make_lattice([(n, n)], [lattice.reject[k]])
        single.append(maximise(alone.null_crossing()).value)
        figure = maximise(lattice.null_crossing(k + 1))
        by_look.append(figure.value)
        rates.append(figure.rate)
    return NaivePeeking(
        test=test,
        alternative=alternative,
        alpha=alpha,
        looks=sizes,
        single_look=tuple(single),
        by_look=tuple(by_look),
        worst_rate=tuple(rates),
    )
