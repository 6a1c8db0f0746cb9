"""When a p-value rejects: the kit's one rule, with its one tie tolerance.

``plan``, ``power``, ``compare``, ``report`` and the simulations all decide "significant" with
:func:`rejects`, so a design planned with one command is judged the same way by the others.

Why a tolerance at all: an exact test's p-value is a sum of table probabilities, and at small
n it can equal alpha exactly (3 of 3 against 0 of 3, one-sided Fisher: p = 1/20). Floating point
then decides the side by accident: R's ``fisher.test`` computes that p-value as 0.05 + 2e-17,
the kit's fast planning kernel as 0.05 - 4e-17. Within a relative :data:`TIE_TOLERANCE` two
probabilities are treated as the same number (R's ``fisher.test`` uses the same 1e-7 to decide
which tables are as extreme as the observed one), and a p-value equal to alpha does not reject.
"""

from __future__ import annotations

from typing import TypeVar

__all__ = ["TIE_TOLERANCE", "rejects"]

#: Relative tolerance within which two probabilities computed in floating point count as equal:
#: a p-value and alpha here, and two tables' probabilities in the exact tests (R's ``relErr``).
TIE_TOLERANCE: float = 1e-7

P = TypeVar("P")


def rejects(p_value: P, alpha: float) -> P:
    """Whether *p_value* rejects at level *alpha*: p < alpha, ties excluded.

    A p-value within a relative :data:`TIE_TOLERANCE` of alpha counts as equal to alpha and does
    not reject. Works elementwise on numpy arrays.

    Parameters
    ----------
    p_value : float or numpy.ndarray
        One p-value or an array of them.
    alpha : float
        The significance level.

    Examples
    --------
    >>> rejects(0.049, 0.05), rejects(0.05, 0.05)
    (True, False)
    >>> rejects(0.05 - 4e-17, 0.05)  # 1/20 computed in floating point: still 1/20
    False
    """
    return p_value < alpha * (1.0 - TIE_TOLERANCE)  # type: ignore[operator,return-value]
