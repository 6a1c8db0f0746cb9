"""Looking while the experiment runs: planned looks (group-sequential) and anytime-valid evidence.

Public modules: :mod:`.spending` (alpha-spending functions), :mod:`.design` (the designs and the
naive-peeking comparison), :mod:`.normal` (classical boundaries), :mod:`.operating` (power,
stopping probabilities, expected size), :mod:`.eprocess` (e-values of observed looks),
:mod:`.decide` (the decision at a look, and a replay of looks), :mod:`.spec` (a design as an
experiment file declares it), :mod:`.monitor` (the decision at the current look from plain
counts), :mod:`.sizing` (the largest n of planned looks beside the fixed design's),
:mod:`.results` (the result objects). The engine underneath:
:mod:`.lattice` (the exact outcome lattice), :mod:`.regions` (stopping regions),
:mod:`.nuisance` (the maximum over the common response rate, with its proof), :mod:`.evalue`
(the e-value and the anytime interval). The engine takes counts; the counts at each look of a
log are :func:`etiquette_lab.analyse.looks.looks_from_requests`. See ``docs/sequential.md``.
"""

from __future__ import annotations

from . import (
    decide,
    design,
    eprocess,
    monitor,
    normal,
    operating,
    results,
    sizing,
    spec,
    spending,
)
from .decide import *  # noqa: F403
from .design import *  # noqa: F403
from .eprocess import *  # noqa: F403
from .monitor import *  # noqa: F403
from .normal import *  # noqa: F403
from .operating import *  # noqa: F403
from .results import *  # noqa: F403
from .sizing import *  # noqa: F403
from .spec import *  # noqa: F403
from .spending import *  # noqa: F403

__all__ = [
    *spending.__all__,
    *design.__all__,
    *normal.__all__,
    *operating.__all__,
    *eprocess.__all__,
    *decide.__all__,
    *spec.__all__,
    *monitor.__all__,
    *sizing.__all__,
    *results.__all__,
]
