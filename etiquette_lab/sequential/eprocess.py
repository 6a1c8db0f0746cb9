"""E-values of observed looks: anytime-valid evidence against equal response rates."""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..checks import check_alpha
from .checks import check_alternative, check_look_counts
from .evalue import anytime_difference_interval, path_log_e
from .results import EProcess

__all__ = ["e_process"]


def e_process(
    looks: Sequence[Sequence[int]], *, alpha: float = 0.05, alternative: str = "two-sided"
) -> EProcess:
    """The e-value after each look, valid however often and whenever one looks.

    The requests added between two looks form one block; the block's e-value is Turner, Ly &
    Grünwald's (2024) likelihood ratio against the common rate closest to the alternative,
    averaged over a discrete uniform prior on the two rates (see ``docs/sequential.md`` for the
    proof that its expectation is at most 1 under every common rate). The product over blocks
    is a test martingale: stopping when it first reaches 1 / alpha keeps the false-alarm rate at
    most alpha under any stopping rule.

    Parameters
    ----------
    looks : sequence of (x_control, n_control, x_new, n_new)
        Cumulative counts at each look, control first; sizes and responses never decrease.
        The number of requests per block must not depend on their answers (windows that close
        on schedule do not).
    alpha : float
        Sets the threshold 1 / alpha and the anytime interval's level 1 - alpha.
    alternative : {"two-sided", "greater"}
        Evidence of any difference, or that the new wording answers more often.

    Returns
    -------
    EProcess
        E-values per look, the first look reaching 1 / alpha, and an interval for the
        difference (new minus control) valid at all looks at once.

    Examples
    --------
    >>> r = e_process([(1, 5, 4, 5), (2, 10, 8, 10), (3, 20, 16, 20)])
    >>> [round(e, 2) for e in r.e_value]
    [1.81, 7.42, 709.04]
    >>> r.crossed_at
    3
    """
    alpha = check_alpha(alpha)
    alternative = check_alternative(alternative)
    checked = check_look_counts(looks)
    log_e = path_log_e(checked, alternative)
    e_values = tuple(float(math.exp(v)) for v in log_e)
    threshold = 1.0 / alpha
    intervals = [anytime_difference_interval(*counts, alpha) for counts in checked]
    return EProcess(
        alternative=alternative,
        alpha=alpha,
        threshold=threshold,
        x_control=tuple(c[0] for c in checked),
        n_control=tuple(c[1] for c in checked),
        x_new=tuple(c[2] for c in checked),
        n_new=tuple(c[3] for c in checked),
        e_value=e_values,
        difference=tuple(
            (x_n / n_n - x_c / n_c) if n_c and n_n else None for x_c, n_c, x_n, n_n in checked
        ),
        difference_low=tuple(low for low, _ in intervals),
        difference_high=tuple(high for _, high in intervals),
        crossed_at=next((i + 1 for i, e in enumerate(e_values) if e >= threshold), None),
    )
