"""Every matplotlib call of the kit. Each function takes ``ax=`` and returns the Axes.

pyplot is imported inside the functions, never at module level, so that importing the kit does
not import matplotlib.
"""

from __future__ import annotations

from .power import plot_power_curve
from .rates import plot_response_rates
from .survival import plot_time_to_response

__all__ = ["plot_power_curve", "plot_response_rates", "plot_time_to_response"]
