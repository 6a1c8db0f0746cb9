"""What an open log knows of its file: the state the next rows are validated against.

A :class:`LogState` grows as the file is read and is never rebuilt for an append. Looking up
the requests an append names must cost the same on a log of ten events as on one of five
million, so the sends are kept as the arrays the reads produced, each behind a pandas index
whose hash table the read builds (:class:`SentRequests`); the largest request number is kept
as the sends arrive. Events validated row by row (a small append) wait as plain rows and
become a DataFrame only when someone asks for the events.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .format import COLUMNS, FORMAT_VERSION, LAYOUTS

__all__: list[str] = []

#: Fewer sends than this are kept in a dictionary; more get an index (built in C).
_FEW = 64


class _HashedPart:
    """Sends a read produced: their ids behind a pandas index, whose hash table is built at
    once (with the read), not at the first lookup (an append)."""

    def __init__(
        self, ids: np.ndarray, at_ns: np.ndarray, kinds: np.ndarray, index: Any = None
    ) -> None:
        self.ids = pd.Index(ids, dtype=object) if index is None else index
        self.ids.get_indexer(ids[:1])
        self.at_ns, self.kinds = at_ns, kinds

    def position(self, request_id: str) -> int:
        return int(self.ids.get_loc(request_id)) if request_id in self.ids else -1

    def positions(self, ids: np.ndarray) -> np.ndarray:
        return self.ids.get_indexer(ids)

    def kinds_at(self, positions: np.ndarray) -> np.ndarray:
        return self.kinds[positions]

    def as_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.ids.to_numpy(dtype=object), self.at_ns, self.kinds


class SortedPart:
    """Sends as an index file keeps them (:mod:`etiquette_lab.log.index`): ids as sorted
    UTF-8 bytes, found by binary search without building anything."""

    def __init__(
        self, ids: np.ndarray, at_ns: np.ndarray, kind_codes: np.ndarray, kinds: list[str]
    ) -> None:
        self.ids, self.at_ns, self.kind_codes = ids, at_ns, kind_codes
        self.kinds = np.array(kinds, dtype=object)

    def position(self, request_id: str) -> int:
        return int(self.positions(np.array([request_id], dtype=object))[0])

    def positions(self, ids: np.ndarray) -> np.ndarray:
        if not len(self.ids) or not len(ids):
            return np.full(len(ids), -1, dtype=np.int64)
        keys = np.array([i.encode("utf-8", "surrogatepass") for i in ids.tolist()], dtype=bytes)
        found = np.minimum(np.searchsorted(self.ids, keys), len(self.ids) - 1)
        return np.where(self.ids[found] == keys, found, -1)

    def kinds_at(self, positions: np.ndarray) -> np.ndarray:
        return self.kinds[self.kind_codes[positions]]

    def as_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        ids = np.array([i.decode("utf-8") for i in self.ids.tolist()], dtype=object)
        return ids, self.at_ns, self.kinds[self.kind_codes]


class SentRequests:
    """Request id -> (send time in ns since the epoch, kind), for the ids an append names.

    ``below`` is the state a pending write is layered on: lookups fall through to it, and
    what is added stays in the layer until :meth:`absorb` commits it.
    """

    def __init__(self, below: SentRequests | None = None) -> None:
        self._few: dict[str, tuple[int, str]] = {}
        self._parts: list[_HashedPart | SortedPart] = []
        self._below = below
        #: The largest N among ids of the form ``rN`` (0 when there is none).
        self.largest_number: int = below.largest_number if below is not None else 0

    def add(self, ids: Any, at_ns: Any, kinds: Any, index: Any = None) -> None:
        """Add sends (ids new and distinct, validated) as arrays; *index*, a pandas index of
        the same ids, saves building another."""
        ids = np.asarray(ids, dtype=object)
        self.largest_number = max(self.largest_number, largest_number(ids))
        if len(ids) < _FEW:
            self._few.update(
                zip(ids.tolist(), zip(at_ns.tolist(), kinds.tolist(), strict=True), strict=True)
            )
            return
        at_ns, kinds = np.asarray(at_ns, dtype=np.int64), np.asarray(kinds, dtype=object)
        self._parts.append(_HashedPart(ids, at_ns, kinds, index))

    def add_part(self, part: SortedPart, few: dict[str, tuple[int, str]], largest: int) -> None:
        """Add the sends an index file holds."""
        self._parts.append(part)
        self._few.update(few)
        self.largest_number = max(self.largest_number, largest)

    def get(self, request_id: str, default: Any = None) -> Any:
        found = self._few.get(request_id)
        if found is not None:
            return found
        for part in self._parts:
            position = part.position(request_id)
            if position >= 0:
                return int(part.at_ns[position]), part.kinds_at(np.array([position]))[0]
        return default if self._below is None else self._below.get(request_id, default)

    def __contains__(self, request_id: object) -> bool:
        return isinstance(request_id, str) and self.get(request_id) is not None

    def lookup(self, ids: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For many ids at once: (known, send time in ns, kind), 0 and "" where unknown."""
        ids = np.asarray(ids, dtype=object)
        known = np.zeros(len(ids), dtype=bool)
        at_ns = np.zeros(len(ids), dtype=np.int64)
        kinds = np.full(len(ids), "", dtype=object)
        layer: SentRequests | None = self
        while layer is not None and not known.all():
            for part in layer._parts:
                position = part.positions(ids)
                hit = (position >= 0) & ~known
                at_ns[hit], kinds[hit] = part.at_ns[position[hit]], part.kinds_at(position[hit])
                known |= hit
            if layer._few:
                for i in np.flatnonzero(~known):
                    entry = layer._few.get(ids[i])
                    if entry is not None:
                        known[i], (at_ns[i], kinds[i]) = True, entry
            layer = layer._below
        return known, at_ns, kinds

    def as_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every send of this state (not of a layer below): ids, times in ns, kinds."""
        parts = [part.as_arrays() for part in self._parts]
        if self._few:
            ids = np.array(list(self._few), dtype=object)
            values = list(self._few.values())
            parts.append(
                (
                    ids,
                    np.array([ns for ns, _ in values], dtype=np.int64),
                    np.array([kind for _, kind in values], dtype=object),
                )
            )
        if not parts:
            return np.empty(0, object), np.empty(0, np.int64), np.empty(0, object)
        return tuple(np.concatenate(arrays) for arrays in zip(*parts, strict=True))  # type: ignore[return-value]

    def layer(self) -> SentRequests:
        """A layer for a pending write: lookups see this state, additions stay in the layer."""
        return SentRequests(below=self)

    def absorb(self, layer: SentRequests) -> None:
        """Take in what a committed layer added."""
        self._few.update(layer._few)
        self._parts.extend(layer._parts)
        self.largest_number = max(self.largest_number, layer.largest_number)


_NUMBERED_ID = re.compile(r"^r(\d+)$")


def largest_number(ids: np.ndarray) -> int:
    """The largest N among the ids of the form ``rN`` (``r0042``), 0 when there is none.

    Vectorised over the bytes of ASCII ids (all the ids the kit makes); other ids go through
    the regular expression one by one.

    Examples
    --------
    >>> largest_number(np.array(["r0009", "r0100", "x7", "r12a", "R5"], dtype=object))
    100
    """
    if not len(ids):
        return 0
    try:
        raw = ids.astype("S")
    except UnicodeEncodeError:  # another script's digits count too (\d)
        raw = None
    width = raw.dtype.itemsize if raw is not None else 0
    # Up to 18 digits (an int64 holds them), and no line feed ("$" matches before a final one).
    if raw is None or not 2 <= width <= 19 or b"\n" in raw.tobytes():
        numbers = [int(m.group(1)) for rid in ids.tolist() if (m := _NUMBERED_ID.match(rid))]
        return max(numbers, default=0)
    codes = raw.view(np.uint8).reshape(len(raw), width)
    numbered = codes[:, 0] == ord("r")
    number = np.zeros(len(raw), dtype=np.int64)
    ended = np.zeros(len(raw), dtype=bool)  # numpy pads shorter ids with NUL bytes
    for position in range(1, width):  # one column at a time: no n-by-width temporaries
        byte = codes[:, position]
        padding = byte == 0
        digit = (byte >= ord("0")) & (byte <= ord("9"))
        numbered &= (digit & ~ended) | padding  # digits, then only padding
        ended |= padding
        number = np.where(digit & ~ended, number * 10 + (byte.astype(np.int64) - ord("0")), number)
    numbered &= codes[:, 1] != 0  # at least one digit
    return int(number[numbered].max()) if numbered.any() else 0


class Rows:
    """Events validated row by row (a small append or read): a DataFrame only when asked."""

    def __init__(self) -> None:
        self.lines: list[int] = []
        self.cells: list[list[str]] = []  # the text columns as restored, at and score as read
        self.at_us: list[int] = []  # UTC microseconds since the epoch
        self.scores: list[float] = []

    def __len__(self) -> int:
        return len(self.lines)


def frame_of_rows(batches: list[Rows]) -> pd.DataFrame:
    """One events frame of row batches, with exactly the columns and types a read gives."""
    lines = [n for b in batches for n in b.lines]
    cells = [c for b in batches for c in b.cells]
    frame = pd.DataFrame({"line": np.array(lines, dtype=np.int64)})
    for position, column in enumerate(COLUMNS):
        if column == "at":
            at = np.array([u for b in batches for u in b.at_us], dtype="datetime64[us]")
            frame[column] = pd.Series(at).dt.tz_localize("UTC")
        elif column == "score":
            frame[column] = np.array([s for b in batches for s in b.scores], dtype=float)
        else:
            frame[column] = pd.Series([c[position] for c in cells], dtype=str)
    return frame


class _Sends:
    """What LogState and PendingState share: their sends (``sent``, ``sent_count``) and the
    log's format version."""

    sent: SentRequests
    sent_count: int
    version: str

    @property
    def columns(self) -> tuple[str, ...]:
        """The log's columns, as its header has them (:data:`~.format.LAYOUTS`)."""
        return LAYOUTS[self.version]

    @property
    def next_request_number(self) -> int:
        """One more than the largest number in the ids of the form ``r0042``."""
        return self.sent.largest_number + 1

    def add_sent(self, ids: Any, at_ns: Any, kinds: Any, index: Any = None) -> None:
        self.sent_count += len(ids)
        self.sent.add(ids, at_ns, kinds, index)


@dataclass
class LogState(_Sends):
    """What is known of a log so far: enough to validate the next rows without re-reading."""

    path: str
    lines_read: int = 1  # physical lines consumed, header included
    #: The format version the log's header shows; its rows are read and appended in it.
    version: str = FORMAT_VERSION
    event_count: int = 0
    sent_count: int = 0
    declared: dict[str, list[str]] = field(default_factory=dict)  # experiment -> variants
    chunks: list[Any] = field(default_factory=list)  # DataFrames and Rows, in file order
    outcomes: set[str] = field(default_factory=set)  # every outcome the log has used
    sent: SentRequests = field(default_factory=SentRequests)
    #: True when the state was restored from an index file: it can validate appends, but
    #: holds none of the events before the index's end (a read starts again from the file).
    from_index: bool = False
    #: While the events are the one piece first read: each event's request as its row in the
    #: table of requests (the reader looked them up; the fold need not again).
    request_rows: np.ndarray | None = None
    _events: pd.DataFrame | None = None

    def known_request_rows(self) -> np.ndarray | None:
        """:attr:`request_rows` while the events are still that one first piece."""
        if len(self.chunks) == 1 and self.request_rows is not None:
            if len(self.request_rows) == self.event_count:
                return self.request_rows
        return None

    def events(self) -> pd.DataFrame:
        if self._events is None or len(self._events) != self.event_count:
            frames: list[pd.DataFrame] = []
            batches: list[Rows] = []
            for chunk in [*self.chunks, None]:  # (None: the end, flushing the last rows)
                if isinstance(chunk, Rows):
                    batches.append(chunk)
                    continue
                if batches:
                    frames.append(frame_of_rows(batches))
                    batches = []
                if chunk is not None and len(chunk):
                    frames.append(chunk)
            self._events = (
                pd.concat(frames, ignore_index=True)
                if len(frames) > 1
                else frames[0].reset_index(drop=True)
                if frames
                else empty_events()
            )
            self.chunks = [self._events]
        return self._events

    def pending(self) -> PendingState:
        """A state to validate a write against; cheap, because only the new rows are added."""
        return PendingState(self)


class PendingState(_Sends):
    """A LogState plus rows not yet written; committed only once the write succeeded."""

    def __init__(self, base: LogState) -> None:
        self.base = base
        self.path = base.path
        self.version = base.version
        self.lines_read = base.lines_read
        self.event_count = base.event_count
        self.sent_count = base.sent_count
        self.sent = base.sent.layer()  # lookups fall through to the base; adds stay here
        self.declared = {k: list(v) for k, v in base.declared.items()}
        self.outcomes = set(base.outcomes)
        self.chunks: list[Any] = []

    def commit(self) -> LogState:
        base = self.base
        base.lines_read = self.lines_read
        base.event_count = self.event_count
        base.sent_count = self.sent_count
        base.sent.absorb(self.sent)
        base.declared = self.declared
        base.outcomes = self.outcomes
        base.chunks.extend(self.chunks)
        return base


def empty_events() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=str) for c in COLUMNS})
    frame.insert(0, "line", pd.Series(dtype=np.int64))
    frame["at"] = pd.Series(dtype="datetime64[ns, UTC]")
    frame["score"] = pd.Series(dtype=float)
    return frame
