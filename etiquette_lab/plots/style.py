"""Shared look of the kit's plots: a colour-blind-safe palette and the Axes helper."""

from __future__ import annotations

from typing import Any

__all__: list[str] = []

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision
# deficiency. The control arm always gets the first (grey-ish) colour.
PALETTE: tuple[str, ...] = (
    "#7f7f7f",  # control: neutral grey
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#D55E00",  # vermillion
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
)


def colour(index: int) -> str:
    """The palette colour for the *index*-th arm (0 is the control), cycling past the end."""
    return PALETTE[index % len(PALETTE)]


def get_axes(ax: Any = None, *, figsize: tuple[float, float] = (7.0, 4.0)) -> Any:
    """Return *ax*, or a new Axes on a new figure of a readable size."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new_ax = plt.subplots(figsize=figsize, layout="constrained")
    return new_ax
