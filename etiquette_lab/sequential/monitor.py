"""The decision at the current look of a monitored experiment, from plain counts.

What a report or a to-do list knows about a running experiment is, per wording, how many
requests have a closed outcome window and how many of them succeeded, and how many were sent
but are still open. :func:`monitor_look` turns that (and the declared design) into the decision
at the current look; :func:`next_planned_look` says, without computing any boundary, how far
away the next planned look is (the to-do list's line).

A planned look at n per wording analyses the *first* n closed requests of each wording
(``docs/sequential.md``). When both wordings have exactly n closed, the closed counts are that
look's counts; when the faster wording has gone past n, the look's counts are those of its first
n closed requests, which plain totals cannot give: pass them as ``looks=``
(:func:`~etiquette_lab.analyse.looks.looks_from_requests` counts them from a log).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..checks import check_count, check_counts
from ..errors import InvalidInputError
from ..results import Paragraphs, Result
from .checks import Counts, check_look_counts
from .decide import SEQUENTIAL_DECISIONS, replay_looks
from .lattice import pooled_z_of
from .operating import Design, check_design
from .results import AnytimeDesign, SequentialDecision, SequentialDesign
from .spec import DesignSpec

__all__ = ["MonitorDecision", "NextLook", "monitor_look", "next_planned_look"]

#: Decisions after which the experiment is over: they stand at every later look.
_FINAL = ("stop_evidence", "stopped_earlier", "stop_maximum")
#: The decisions that end an experiment at their look (the later looks say "stopped_earlier").
_STOPS = ("stop_evidence", "stop_futility", "stop_maximum")


@dataclass(frozen=True)
class NextLook(Result):
    """Where a monitored experiment stands in its schedule of planned looks.

    ``reached`` planned looks of ``looks`` have been reached (the slower wording has at least
    that many closed windows); ``due`` is True when the slower wording has exactly the size of
    the last one reached (its look is due now). ``size`` is the next planned look's size per
    wording (None after the last), ``more_control``/``more_new`` the closed windows each
    wording still needs for it, ``send_control``/``send_new`` the requests still to send for it
    beyond those already sent and open. The anytime design has no schedule: ``looks`` is empty.
    """

    _title = "The next planned look"

    looks: tuple[int, ...]
    reached: int
    due: bool
    size: int | None
    more_control: int
    more_new: int
    send_control: int
    send_new: int

    @property
    def more(self) -> int:
        """Closed windows still needed for the next planned look, both wordings together."""
        return self.more_control + self.more_new

    def text(self, control: str = "the control", new: str = "the new wording") -> str:
        """One line for a to-do list.

        Examples
        --------
        >>> from etiquette_lab.sequential.spec import design_spec
        >>> position = next_planned_look(design_spec(3, 30), (7, 6), (3, 4))
        >>> print(position.text("default", "personal"))  # doctest: +NORMALIZE_WHITESPACE
        next planned look after 7 more closed windows (look 1 of 3, at 10 per wording:
        3 on default, 4 on personal; all already sent)
        """
        if not self.looks:
            return "anytime design: the e-value may be looked at whenever you like"
        if self.due:
            return f"a look is due now (look {self.reached} of {len(self.looks)})"
        if self.size is None:
            return f"the last planned look ({self.looks[-1]} per wording) has been reached"
        send = self.send_control + self.send_new
        sending = (
            "all already sent"
            if send == 0
            else f"send {self.send_control} more on {control} and {self.send_new} on {new}"
        )
        return (
            f"next planned look after {self.more} more closed window{'s' * (self.more != 1)} "
            f"(look {self.reached + 1} "
            f"of {len(self.looks)}, at {self.size} per wording: {self.more_control} on {control}, "
            f"{self.more_new} on {new}; {sending})"
        )


@dataclass(frozen=True)
class MonitorDecision(Result):
    """The decision at the current look, with the counts it was made on and what comes next.

    ``decision`` is a key of :data:`~etiquette_lab.sequential.decide.SEQUENTIAL_DECISIONS`
    (``continue``, ``stop_evidence``, ``stop_futility``, ``stop_maximum``, ``no_decision``,
    ``stopped_earlier``), ``decision_text`` its words. ``x_control`` ... ``n_new`` are the
    closed counts now; ``look_counts`` the counts the decision was made on (a planned look's,
    None when there is no decision). ``z`` is the pooled z of ``look_counts`` (of the closed
    counts when there is no decision: for information only). For planned looks:
    ``planned_look`` of ``planned_looks``, ``boundary_z``, ``futility_z`` and the
    ``alpha_spent`` by that look; for the anytime design ``e_value`` and ``threshold``
    (1 / alpha). ``next_look_size``, ``more_control``, ``more_new``, ``send_control``,
    ``send_new``: the next planned look and the closed windows (requests to send) each wording
    still needs. ``message`` says it all in sentences (:meth:`paragraphs`).
    """

    design: str
    control: str
    new: str
    x_control: int
    n_control: int
    x_new: int
    n_new: int
    open_control: int
    open_new: int
    decision: str
    decision_text: str
    look_counts: tuple[int, int, int, int] | None
    z: float
    planned_look: int | None
    planned_looks: int | None
    boundary_z: float | None
    futility_z: float | None
    alpha: float
    alpha_spent: float | None
    e_value: float | None
    threshold: float | None
    look_due: bool
    next_look_size: int | None
    more_control: int | None
    more_new: int | None
    send_control: int | None
    send_new: int | None
    message: tuple[str, ...]

    _title = "Monitoring: the decision at this look"

    def _summary_frame(self):
        import pandas as pd

        return pd.DataFrame(
            {
                "responded": [self.x_control, self.x_new],
                "closed": [self.n_control, self.n_new],
                "open": [self.open_control, self.open_new],
            },
            index=pd.Index([f"{self.control} (control)", self.new], name="wording"),
        )

    def _notes(self) -> list[str]:
        return [f"Decision: {self.decision_text} ({self.design}).", *self.message]

    def paragraphs(self) -> Paragraphs:
        """The decision and its explanation as paragraphs (for a report's text)."""
        return Paragraphs(tuple(self._notes()))


def _arms(
    closed: Mapping[str, Sequence[int]], open_requests: Mapping[str, int] | None
) -> tuple[str, str, Counts, tuple[int, int]]:
    if not isinstance(closed, Mapping) or len(closed) != 2:
        raise InvalidInputError(
            "closed must map the two wordings, control first, to (responded, closed) counts; "
            f"got {len(closed) if isinstance(closed, Mapping) else type(closed).__name__}"
            + (" wordings" if isinstance(closed, Mapping) else "")
        )
    (control, (x_c, n_c)), (new, (x_n, n_n)) = ((str(k), tuple(v)) for k, v in closed.items())
    x_c, n_c = check_counts(x_c, n_c, f"wording {control!r}")
    x_n, n_n = check_counts(x_n, n_n, f"wording {new!r}")
    waiting = dict(open_requests or {})
    unknown = [str(k) for k in waiting if str(k) not in (control, new)]
    if unknown:
        raise InvalidInputError(
            f"open requests name the wording {unknown[0]!r}, which is neither {control!r} nor "
            f"{new!r}"
        )
    opened = tuple(
        check_count(waiting.get(name, 0), f"open requests of {name!r}") for name in (control, new)
    )
    return control, new, (x_c, n_c, x_n, n_n), opened  # type: ignore[return-value]


def _check_plan(design: Design | DesignSpec, counts: Counts, opened: tuple[int, int],
                names: tuple[str, str]) -> None:  # fmt: skip
    maximum = design.max_per_arm if isinstance(design, DesignSpec) else design.max_n
    for name, closed, waiting in zip(names, counts[1::2], opened, strict=True):
        if closed + waiting > maximum:
            raise InvalidInputError(
                f"wording {name!r} has {closed + waiting} requests sent ({closed} closed, "
                f"{waiting} open), beyond the plan's {maximum} per wording: the design's "
                "guarantee covers the planned requests only"
            )


def _position(looks: tuple[int, ...], counts: Counts, opened: tuple[int, int]) -> NextLook:
    _, n_c, _, n_n = counts
    slower = min(n_c, n_n)
    reached = sum(1 for size in looks if size <= slower)
    size = looks[reached] if reached < len(looks) else None
    more = (0, 0) if size is None else (max(0, size - n_c), max(0, size - n_n))
    return NextLook(
        looks=looks,
        reached=reached,
        due=reached > 0 and slower == looks[reached - 1],
        size=size,
        more_control=more[0],
        more_new=more[1],
        send_control=max(0, more[0] - opened[0]),
        send_new=max(0, more[1] - opened[1]),
    )


def next_planned_look(
    design: DesignSpec | SequentialDesign | AnytimeDesign,
    closed: Sequence[int],
    open_requests: Sequence[int] = (0, 0),
) -> NextLook:
    """How far the next planned look is: closed windows still needed, requests still to send.

    Computes no boundary (a to-do list can afford it every time).

    Parameters
    ----------
    design : DesignSpec, SequentialDesign or AnytimeDesign
    closed : (n_control, n_new)
        Requests per wording whose outcome window has closed.
    open_requests : (open_control, open_new)
        Requests per wording sent but still inside their window.

    Returns
    -------
    NextLook

    Examples
    --------
    >>> from etiquette_lab.sequential.spec import design_spec
    >>> n = next_planned_look(design_spec([10, 20], 30), (12, 10))
    >>> n.reached, n.due, n.size, n.more_control, n.more_new
    (1, True, 20, 8, 10)
    """
    counts = (0, check_count(closed[0], "closed control requests"), 0,
              check_count(closed[1], "closed new-wording requests"))  # fmt: skip
    opened = (check_count(open_requests[0], "open control requests"),
              check_count(open_requests[1], "open new-wording requests"))  # fmt: skip
    if isinstance(design, DesignSpec):
        looks = design.planned_looks
    else:
        looks = () if isinstance(check_design(design), AnytimeDesign) else design.looks
    return _position(looks, counts, opened)


def monitor_look(
    design: DesignSpec | SequentialDesign | AnytimeDesign,
    closed: Mapping[str, Sequence[int]],
    open_requests: Mapping[str, int] | None = None,
    *,
    looks: Sequence[Sequence[int]] | None = None,
) -> MonitorDecision:
    """The decision at the current look: continue, stop (evidence), stop (futility), or none.

    Parameters
    ----------
    design : DesignSpec, SequentialDesign or AnytimeDesign
        The declared design (an experiment's ``monitoring``), or a built one.
    closed : mapping wording -> (responded, closed), control first
        Per wording, the requests whose outcome window has closed and how many of them
        succeeded (``count_outcomes(...).success_counts`` in the control-first order).
    open_requests : mapping wording -> int, optional
        Per wording, the requests sent whose window is still open (default none).
    looks : sequence of (x_control, n_control, x_new, n_new), optional
        Planned looks: the counts among the first n closed requests per wording at each planned
        look reached so far, in order (``looks_from_requests(requests, sizes=spec.looks,
        ...).counts``). Needed only once the faster wording has passed a planned look's size;
        with them, a stop at an earlier look is remembered. Anytime design: the cumulative
        counts at earlier looks (each look's new requests form one block of the e-value);
        without them, all closed requests form one block.

    Returns
    -------
    MonitorDecision
        Printable, ``to_dict()``, ``paragraphs()`` for the words.

    Raises
    ------
    InvalidInputError
        More requests sent on a wording (closed plus open) than the plan's maximum, counts
        that are not whole numbers or have more responses than requests, a ``looks`` entry
        that is not at a planned size.

    Examples
    --------
    >>> from etiquette_lab.sequential.spec import design_spec
    >>> spec = design_spec(4, 40)
    >>> r = monitor_look(spec, {"default": (2, 10), "personal": (5, 10)}, {"personal": 3})
    >>> r.decision, r.planned_look, r.next_look_size, r.send_new
    ('continue', 1, 20, 7)
    >>> monitor_look(spec, {"default": (2, 12), "personal": (5, 11)}).decision_text
    'not a planned look: no decision'
    """
    control, new, counts, opened = _arms(closed, open_requests)
    _check_plan(design, counts, opened, (control, new))
    built = check_design(design.build() if isinstance(design, DesignSpec) else design)
    position = next_planned_look(built, counts[1::2], opened)
    if isinstance(built, AnytimeDesign):
        earlier = check_look_counts(looks) if looks else []
        path = [*earlier, counts] if not earlier or earlier[-1] != counts else earlier
        decided = replay_looks(built, path).decisions[-1]
        return _result(built, control, new, counts, opened, position, decided, counts,
                       list(decided.message))  # fmt: skip
    planned = _planned_counts(built, looks, position.reached)
    at_look = position.due and counts[1] == counts[3]
    if at_look and len(planned) < position.reached:
        planned.append(counts)  # earlier looks not given: skipping them is allowed
    size = built.looks[position.reached - 1] if position.reached else None
    if not planned or planned[-1][1] != size:
        return _no_decision(built, control, new, counts, opened, position, None)
    replayed = replay_looks(built, planned).decisions
    decided = replayed[-1]
    if at_look:
        return _result(built, control, new, counts, opened, position, decided, planned[-1],
                       list(decided.message))  # fmt: skip
    if decided.decision in _FINAL:
        # The look that decided: a stop at an earlier look stands at the later ones.
        deciding = next(k for k, d in enumerate(replayed) if d.decision in _STOPS)
        size = built.looks[deciding]
        since = counts[1] + counts[3] - 2 * size
        return _result(built, control, new, counts, opened, position, decided, planned[deciding],
                       [*decided.message,
                        f"Decided on the first {size} closed requests of each wording; the "
                        f"{since} closed since do not change the decision."])  # fmt: skip
    return _no_decision(built, control, new, counts, opened, position, decided)


def _planned_counts(
    design: SequentialDesign, looks: Sequence[Sequence[int]] | None, reached: int
) -> list[Counts]:
    if not looks:
        return []
    checked = check_look_counts(looks)
    if len(checked) > reached:
        raise InvalidInputError(
            f"looks= gives {len(checked)} planned looks, but the closed counts reach only "
            f"{reached} of them"
        )
    for k, (_, n_c, _, n_n) in enumerate(checked):
        if n_c != design.looks[k] or n_n != design.looks[k]:
            raise InvalidInputError(
                f"looks= entry {k + 1} has {n_c} and {n_n} requests; planned look {k + 1} is "
                f"at {design.looks[k]} per wording"
            )
    return checked


def _no_decision(
    design: SequentialDesign,
    control: str,
    new: str,
    counts: Counts,
    opened: tuple[int, int],
    position: NextLook,
    last: SequentialDecision | None,
) -> MonitorDecision:
    x_c, n_c, x_n, n_n = counts
    z = pooled_z_of(x_c, n_c, x_n, n_n)
    lines = [
        f"Not a planned look: no decision. {n_c} control and {n_n} new-wording requests have "
        f"closed windows (z = {z:.2f}, for information only: deciding on it would void the "
        "design's false-alarm guarantee)."
    ]
    if position.reached and last is None:
        size = design.looks[position.reached - 1]
        lines.append(
            f"Planned look {position.reached} ({size} per wording) has been reached; its decision "
            f"needs the responses among the first {size} closed requests of each wording, which "
            "the totals do not give (pass them as looks=)."
        )
    elif last is not None:
        lines.append(last.message[0])  # "Planned look k of K (...): ... Continue to ..."
    if position.size is not None:
        lines.append(
            f"The next planned look ({position.reached + 1} of {len(design.looks)}) is at "
            f"{position.size} closed requests per wording: {position.more_control} more on the "
            f"control, {position.more_new} more on the new wording; of these, "
            f"{position.send_control} and {position.send_new} are still to be sent (the rest "
            "are sent and waiting for their windows)."
        )
    code = "no_decision"
    return MonitorDecision(
        design=design.label, control=control, new=new,
        x_control=x_c, n_control=n_c, x_new=x_n, n_new=n_n,
        open_control=opened[0], open_new=opened[1],
        decision=code, decision_text=SEQUENTIAL_DECISIONS[code], look_counts=None, z=z,
        planned_look=None, planned_looks=len(design.looks), boundary_z=None, futility_z=None,
        alpha=design.alpha,
        alpha_spent=design.alpha_spent[position.reached - 1] if position.reached else 0.0,
        e_value=None, threshold=None, look_due=False,
        next_look_size=position.size, more_control=position.more_control,
        more_new=position.more_new, send_control=position.send_control,
        send_new=position.send_new, message=tuple(lines),
    )  # fmt: skip


def _result(
    design: Design,
    control: str,
    new: str,
    counts: Counts,
    opened: tuple[int, int],
    position: NextLook,
    decided: SequentialDecision,
    basis: Counts,
    lines: list[str],
) -> MonitorDecision:
    x_c, n_c, x_n, n_n = counts
    planned = isinstance(design, SequentialDesign)
    onward = planned and decided.decision not in _FINAL and position.size is not None
    return MonitorDecision(
        design=design.label, control=control, new=new,
        x_control=x_c, n_control=n_c, x_new=x_n, n_new=n_n,
        open_control=opened[0], open_new=opened[1],
        decision=decided.decision, decision_text=decided.decision_text,
        look_counts=tuple(basis),  # type: ignore[arg-type]
        z=decided.z, planned_look=decided.planned_look, planned_looks=decided.planned_looks,
        boundary_z=decided.boundary_z, futility_z=decided.futility_z, alpha=design.alpha,
        alpha_spent=decided.alpha_spent, e_value=decided.e_value, threshold=decided.threshold,
        look_due=planned and position.due,
        next_look_size=position.size if onward else None,
        more_control=position.more_control if onward else None,
        more_new=position.more_new if onward else None,
        send_control=position.send_control if onward else None,
        send_new=position.send_new if onward else None,
        message=tuple(lines),
    )  # fmt: skip
