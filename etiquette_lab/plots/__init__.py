"""Every matplotlib call of the kit. Each function takes ``ax=`` and returns the Axes.

pyplot is imported inside the functions, never at module level, so that importing the kit does
not import matplotlib.
"""

from __future__ import annotations

from . import power, rates, report, sequential, simulation, survival
from .power import *  # noqa: F403
from .rates import *  # noqa: F403
from .report import *  # noqa: F403
from .sequential import *  # noqa: F403
from .simulation import *  # noqa: F403
from .survival import *  # noqa: F403

__all__ = [*power.__all__, *rates.__all__, *report.__all__, *simulation.__all__, *survival.__all__]
__all__ += sequential.__all__
