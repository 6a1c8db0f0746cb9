"""The statistics engine: it takes counts per arm (responses, requests), never a file.

Modules: :mod:`.rates` (one arm), :mod:`.compare` and :mod:`.oddsratio` (two arms),
:mod:`.bayes` (posterior probability), :mod:`.many` (k arms, strata, allocation),
:mod:`.verdict` (sensitivity table and plain words), :mod:`.report` (:func:`compare_counts`),
:mod:`.significance` (the one rule deciding when a p-value rejects).
"""

from __future__ import annotations

from . import bayes, compare, many, oddsratio, rates, report, significance, verdict
from .bayes import *  # noqa: F403
from .compare import *  # noqa: F403
from .many import *  # noqa: F403
from .oddsratio import *  # noqa: F403
from .rates import *  # noqa: F403
from .report import *  # noqa: F403
from .significance import *  # noqa: F403
from .verdict import *  # noqa: F403

__all__ = [
    *significance.__all__,
    *rates.__all__,
    *compare.__all__,
    *oddsratio.__all__,
    *bayes.__all__,
    *many.__all__,
    *verdict.__all__,
    *report.__all__,
]
