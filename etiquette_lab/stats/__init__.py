"""The statistics engine: it takes counts per arm (responses, requests), never a file.

Modules: :mod:`.rates` (one arm), :mod:`.compare` and :mod:`.oddsratio` (two arms),
:mod:`.bayes` (posterior probability), :mod:`.many` (k arms, strata, allocation),
:mod:`.results` (what a comparison returns), :mod:`.verdict` (plain words),
:mod:`.report` (:func:`compare_counts`). When a p-value rejects is decided in one place for the
whole kit, :mod:`etiquette_lab.significance`.
"""

from __future__ import annotations

from . import bayes, compare, many, oddsratio, rates, report, results, verdict
from .bayes import *  # noqa: F403
from .compare import *  # noqa: F403
from .many import *  # noqa: F403
from .oddsratio import *  # noqa: F403
from .rates import *  # noqa: F403
from .report import *  # noqa: F403
from .results import *  # noqa: F403
from .verdict import *  # noqa: F403

__all__ = [
    *rates.__all__,
    *compare.__all__,
    *oddsratio.__all__,
    *bayes.__all__,
    *many.__all__,
    *results.__all__,
    *verdict.__all__,
    *report.__all__,
]
