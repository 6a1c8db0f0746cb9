"""How personal the planned messages are: one row of dots per wording, drafts beside them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .style import colour, get_axes

__all__ = ["plot_personalisation_scores"]

_DRAFT_COLOUR = colour(2)


def _rows(messages: Any, variants: Sequence[str] | None) -> list[tuple[str, list[float]]]:
    """(wording, scores) per wording, in the order given (the control first) or as they come."""
    names = list(variants) if variants is not None else list(dict.fromkeys(messages["variant"]))
    return [
        (name, [float(s) for s in messages.loc[messages["variant"] == name, "score"]])
        for name in names
    ]


def _draft_scores(drafts: Mapping[str, Any] | None) -> dict[str, float]:
    # A draft is a PersonalisationScore (from personalisation_score) or a bare number.
    return {name: float(getattr(s, "score", s)) for name, s in (drafts or {}).items()}


def plot_personalisation_scores(
    messages: Any,
    *,
    drafts: Mapping[str, Any] | None = None,
    variants: Sequence[str] | None = None,
    ax: Any = None,
) -> Any:
    """Draw each planned message's personalisation score, one row of dots per wording.

    Parameters
    ----------
    messages : pandas.DataFrame
        Rendered messages with ``variant`` and ``score`` columns
        (:func:`etiquette_lab.render_messages` or :func:`etiquette_lab.plan_messages`).
    drafts : mapping of name -> PersonalisationScore or float, optional
        Texts scored on their own (:func:`etiquette_lab.personalisation_score`), drawn as
        labelled diamonds on an extra row.
    variants : sequence of str, optional
        The wordings, in the order of the rows (the control first); by default in the order
        they first appear in *messages*.
    ax : matplotlib Axes, optional
        Drawn on a new figure when omitted.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> messages = pd.DataFrame({"variant": ["default", "personal"], "score": [0.0, 0.9]})
    >>> ax = plot_personalisation_scores(messages, drafts={"a draft": 0.4})
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['default (1 planned)', 'personal (1 planned)', 'drafts']
    """
    rows = _rows(messages, variants)
    scores = _draft_scores(drafts)
    ax = get_axes(ax, figsize=(8.0, 1.0 + 0.75 * (len(rows) + bool(scores))))
    labels = []
    for y, (name, values) in enumerate(rows):
        # Deterministic vertical spread, so that equal scores stay visible as many dots.
        last = max(len(values) - 1, 1)
        spread = [0.4 * (i / last - 0.5) if len(values) > 1 else 0.0 for i in range(len(values))]
        ax.scatter(
            values,
            [y + s for s in spread],
            s=45,
            alpha=0.7,
            color=colour(y),
        )
        labels.append(f"{name} ({len(values)} planned)")
    if scores:
        y = len(rows)
        for name, score in scores.items():
            ax.scatter([score], [y], s=70, marker="D", color=_DRAFT_COLOUR)
            # A label at either end of the scale is anchored inwards, so it stays in the frame.
            side = "left" if score < 0.15 else "right" if score > 0.85 else "center"
            ax.annotate(
                name, (score, y), xytext=(0, 9), textcoords="offset points", ha=side, fontsize=9
            )
        labels.append("drafts")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_ylim(-0.6, len(labels) - 0.2)
    ax.set_xlim(-0.05, 1.05)
    ax.invert_yaxis()
    ax.set_xlabel("personalisation score (0 = the default text, 1 = very personal)")
    ax.set_ylabel("wording")
    ax.set_title("How personal the planned messages are")
    ax.grid(True, axis="x", alpha=0.3)
    return ax


def describe_personalisation_scores(
    messages: Any,
    *,
    drafts: Mapping[str, Any] | None = None,
    variants: Sequence[str] | None = None,
) -> str:
    """What :func:`plot_personalisation_scores` draws, in words (its alternative text)."""

    def span(values: list[float]) -> str:
        if not values:
            return "no message"
        low, high = min(values), max(values)
        many = f"{len(values)} message{'s' if len(values) != 1 else ''}"
        scored = f"{low:.2f}" if low == high else f"{low:.2f} to {high:.2f}"
        return f"{many} scored {scored}"

    parts = [f"{name}: {span(values)}" for name, values in _rows(messages, variants)]
    scores = _draft_scores(drafts)
    if scores:
        parts.append(
            "drafts (diamonds): " + ", ".join(f"{name} {s:.2f}" for name, s in scores.items())
        )
    return (
        "Personalisation score of each planned message, from 0 (the default text) to 1 (very "
        "personal), one row of dots per wording. " + "; ".join(parts) + "."
    )
