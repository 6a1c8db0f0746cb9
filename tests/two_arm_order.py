"""Two-arm counts as the references write them (arm first) in the kit's order (control first).

R's 2 x 2 matrices and statsmodels' ``*_2indep(count1, nobs1, count2, nobs2)`` put the arm
(the treatment) first; the kit's functions take the control first. The tests keep the
references' tuples as published and reorder them here, in one place.
"""

from __future__ import annotations

from collections.abc import Sequence


def control_first(counts: Sequence[int]) -> tuple[int, int, int, int]:
    """(x1, n1, x0, n0) -> (x0, n0, x1, n1)."""
    x1, n1, x0, n0 = counts
    return x0, n0, x1, n1
