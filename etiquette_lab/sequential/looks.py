"""The counts at each look, from a log's table of requests: what a monitored experiment decides on.

Two kinds of look. A **planned** look of a group-sequential design analyses exactly the first
n evaluated requests of each wording, in the order their outcome windows closed; it happens
when the slower wording reaches n. A look **at a moment** (for the anytime e-value) counts
every request evaluated by then. Which requests are evaluated, and whether each succeeded, is
the outcome window's rule (:func:`etiquette_lab.window_status`); this module only counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from ..analyse.outcomes import count_outcomes, window_status
from ..arms import pick_control
from ..errors import InvalidInputError
from ..results import Result
from ..timestamps import parse_as_of
from .checks import Counts, check_positive_count

__all__ = ["LookCounts", "looks_from_requests"]


@dataclass(frozen=True)
class LookCounts(Result):
    """Cumulative counts at each look, control first, ready for :func:`replay_looks`.

    ``counts[k]`` is (x_control, n_control, x_new, n_new) at look k; ``at[k]`` when it happened
    (ISO 8601, UTC): for a planned look, when the window of the slower wording's n-th evaluated
    request closed; for a look at a moment, that moment. ``not_reached`` lists the planned sizes
    that no wording had reached yet by ``as_of``; those looks are not in ``counts``.
    """

    control: str
    new: str
    counts: tuple[Counts, ...]
    at: tuple[str, ...]
    not_reached: tuple[int, ...]
    window: str
    as_of: str

    _title = "Counts at each look"

    def _summary_frame(self):
        import pandas as pd

        rows = [
            {
                "at": at[:16].replace("T", " "),
                f"{self.control} (control)": f"{x_c} of {n_c}",
                self.new: f"{x_n} of {n_n}",
            }
            for (x_c, n_c, x_n, n_n), at in zip(self.counts, self.at, strict=True)
        ]
        return pd.DataFrame(rows, index=pd.Index(range(1, len(rows) + 1), name="look"))

    def _notes(self) -> list[str]:
        notes = [f"Successes of evaluated requests within {self.window}, as of {self.as_of}."]
        if self.not_reached:
            sizes = ", ".join(str(n) for n in self.not_reached)
            notes.append(f"Not reached yet: the planned look(s) at {sizes} per wording.")
        return notes


def _wordings(status: Any, control: str | None, new: str | None) -> tuple[str, str]:
    names = list(dict.fromkeys(status["variant"].astype(str)))
    chosen = pick_control(names, control)
    others = [n for n in names if n != chosen]
    if new is None:
        if len(others) != 1:
            raise InvalidInputError(
                f"the requests hold {len(names)} wordings ({', '.join(names)}): say which one "
                "is compared with the control (new=)"
            )
        new = others[0]
    if new not in others:
        raise InvalidInputError(
            f"new wording {new!r} is not one of the other wordings: {', '.join(others)}"
        )
    return chosen, new


def looks_from_requests(
    requests: Any,
    *,
    sizes: Sequence[int] | Any = None,
    at: Iterable[Any] | None = None,
    control: str | None = None,
    new: str | None = None,
    window: Any = "7d",
    as_of: Any = None,
    success: Iterable[str] | None = None,
    experiment: str | None = None,
) -> LookCounts:
    """Count the successes of two wordings at each look of a monitored experiment.

    Give exactly one of *sizes* (planned looks) and *at* (looks at moments).

    Parameters
    ----------
    requests : pandas.DataFrame
        The log's requests table (:func:`etiquette_lab.read_requests`).
    sizes : sequence of int, or a design
        The planned looks, in evaluated requests per wording (or a design from
        :func:`sequential_design`, whose ``looks`` are used). Look k counts the first
        ``sizes[k]`` evaluated requests of each wording, in the order their windows closed.
    at : iterable of datetimes or ISO 8601 texts
        The moments of looks at whatever the log holds (for :func:`anytime_design`).
    control, new : str, optional
        The two wordings; by default the control is "default" (else the first) and the new
        one is the only other wording.
    window, as_of, success, experiment
        As in :func:`etiquette_lab.count_outcomes`: the outcome window, the moment the log
        describes (now by default), the outcomes that count as a success and the experiment.

    Returns
    -------
    LookCounts

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.Timestamp("2025-01-01", tz="UTC")
    >>> table = pd.DataFrame({
    ...     "variant": ["default", "new"] * 3,
    ...     "first_sent_at": [t + pd.Timedelta(days=d) for d in (0, 0, 1, 1, 2, 2)],
    ...     "withdrawn_at": pd.NaT,
    ...     "first_response_at": [pd.NaT, t + pd.Timedelta(days=1)] * 3,
    ...     "first_outcome": [pd.NA, "recommended"] * 3})
    >>> table["last_response_at"], table["outcome"] = table["first_response_at"], table[
    ...     "first_outcome"]
    >>> looks = looks_from_requests(table, sizes=[2, 4], as_of="2025-02-01T00:00Z")
    >>> looks.counts, looks.not_reached
    (((0, 2, 2, 2),), (4,))
    """
    if (sizes is None) == (at is None):
        raise InvalidInputError(
            "give either the planned sizes of the looks (sizes=) or their moments (at=)"
            + ("" if sizes is None else ", not both")
        )
    now = parse_as_of(as_of)
    status = window_status(
        requests, window=window, as_of=now, success=success, experiment=experiment
    )
    control, new = _wordings(status, control, new)
    if at is not None:
        return _looks_at(requests, at, control, new, window, now, success, experiment)
    planned = [
        check_positive_count(n, f"look {i + 1}'s size")
        for i, n in enumerate(getattr(sizes, "looks", sizes))
    ]
    if not planned or any(b <= a for a, b in pairwise(planned)):
        raise InvalidInputError(f"the look sizes must increase, got {planned}")
    evaluated = status[status["status"] == "evaluated"].sort_values(
        "window_closes_at", kind="stable"
    )
    arms = {name: evaluated[evaluated["variant"].astype(str) == name] for name in (control, new)}
    counts, moments, missing = [], [], []
    for n in planned:
        if min(len(rows) for rows in arms.values()) < n:
            missing.append(n)
            continue
        first = {name: rows.head(n) for name, rows in arms.items()}
        counts.append(
            (int(first[control]["succeeded"].sum()), n, int(first[new]["succeeded"].sum()), n)
        )
        due = max(rows["window_closes_at"].max() for rows in first.values())
        moments.append(due.isoformat())
    return LookCounts(
        control, new, tuple(counts), tuple(moments), tuple(missing), str(window), now.isoformat()
    )


def _looks_at(requests, at, control, new, window, now, success, experiment) -> LookCounts:
    moments = sorted(parse_as_of(moment) for moment in at)
    if not moments:
        raise InvalidInputError("at= names no moment")
    if moments[-1] > now:
        raise InvalidInputError(
            f"a look at {moments[-1].isoformat()} is after the as-of time {now.isoformat()}"
        )
    counts = []
    for moment in moments:
        by_arm = count_outcomes(
            requests, window=window, as_of=moment, success=success, experiment=experiment
        ).success_counts
        counts.append((*by_arm.get(control, (0, 0)), *by_arm.get(new, (0, 0))))
    return LookCounts(
        control,
        new,
        tuple(counts),
        tuple(m.isoformat() for m in moments),
        (),
        str(window),
        now.isoformat(),
    )
