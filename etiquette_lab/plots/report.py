"""The picture of a whole report: response rates beside the time-to-response curves."""

from __future__ import annotations

from typing import Any

from ..analyse.report import LogReport
from ..errors import InvalidInputError
from .rates import plot_response_rates
from .survival import plot_time_to_response

__all__ = ["plot_report"]


def plot_report(report: Any, *, axes: Any = None) -> Any:
    """Draw a comparison report: rates with intervals, and (when present) the response curves.

    Parameters
    ----------
    report : LogReport or ComparisonReport
        From :func:`etiquette_lab.compare_requests` (with its ``time_to_response``) or
        :func:`etiquette_lab.compare_counts` (rates only).
    axes : sequence of matplotlib Axes, optional
        One Axes per panel (two when the report has a time-to-response section, else one);
        a new figure when omitted.

    Returns
    -------
    tuple of matplotlib Axes
        The panels drawn, rates first.
    """
    timing = report.time_to_response if isinstance(report, LogReport) else None
    panels = 1 if timing is None else 2
    if axes is None:
        import matplotlib.pyplot as plt

        _, created = plt.subplots(
            1, panels, figsize=(6.5 * panels, 5.0), layout="constrained", squeeze=False
        )
        axes = tuple(created[0])
    axes = tuple(axes)
    if len(axes) != panels:
        raise InvalidInputError(f"this report needs {panels} Axes, got {len(axes)}")
    plot_response_rates(report, ax=axes[0])
    if timing is not None:
        plot_time_to_response(timing, ax=axes[1])
    return axes
