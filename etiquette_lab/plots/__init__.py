"""Every matplotlib call of the kit. Each function takes ``ax=`` and returns the Axes.

pyplot is imported inside the functions, never at module level, so that importing the kit does
not import matplotlib.
"""

from __future__ import annotations

from . import (
    descriptions,
    design_power,
    power,
    rates,
    report,
    scores,
    sequential,
    simulation,
    survival,
    timeline,
)
from .descriptions import *  # noqa: F403
from .design_power import *  # noqa: F403
from .power import *  # noqa: F403
from .rates import *  # noqa: F403
from .report import *  # noqa: F403
from .scores import *  # noqa: F403
from .sequential import *  # noqa: F403
from .simulation import *  # noqa: F403
from .survival import *  # noqa: F403
from .timeline import *  # noqa: F403

__all__ = [*power.__all__, *rates.__all__, *report.__all__, *simulation.__all__, *survival.__all__]
__all__ += sequential.__all__
__all__ += [*timeline.__all__, *scores.__all__, *design_power.__all__, *descriptions.__all__]
