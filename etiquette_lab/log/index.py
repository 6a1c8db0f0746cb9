"""An index beside a large log, so that recording one event does not read every event before it.

``etiquette-lab remind LOG r0042`` must know that r0042 was sent, when, and as what kind, and
``send`` which number the next request gets. Reading a log of a million events to learn that
took seconds. The index, ``<log>.index`` beside the log (readable by you only), keeps what an
append is checked against, as it stood when the log had a certain length: the sends (id, time,
kind), the declared experiments, the outcomes used, the largest request number, the lines and
events counted. A command appending one event loads it, reads only the part of the log written
after that length, and checks its row against both.

The log stays the truth. The index is used only while the log is still the file it describes:
the same file (device and inode), at least as long, the same bytes at its start and just
before the length the index covers, and, when exactly that long, the same modification and
change times; its own bytes must pass their checksum, and its version be this kit's. Anything
else (missing, damaged, another log's, an older kit's, a log replaced, shortened or edited in
place) and the command reads the log in full, as it would without an index, then writes a new
one. A row refused on the index's word is checked again against the whole log before the
refusal stands (:meth:`etiquette_lab.log.file.LogFile._append`), and ``repair`` removes the index.
One change goes unseen, as it does for a log a notebook holds open: an edit in the middle of
the log that keeps its length, followed by an append from another program, before the next
command.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd

from .. import userfiles
from ..errors import LogError
from .state import LogState, SentRequests, SortedPart

__all__: list[str] = []

SUFFIX = ".index"
#: A log smaller than this is read whole faster than an index is loaded and kept.
INDEX_FROM_BYTES = 1 << 20
#: The index is rewritten once this much has been appended after the length it covers, so a
#: command never reads more than about this much of the log (a few milliseconds).
REWRITE_AFTER_BYTES = 256 << 10
_MAGIC = b"etiquette-lab log index, version 1\n"
_EDGE = 4096  # bytes of the log compared at its start and before the covered length
_LONG_ID = 64  # ids longer than this (in UTF-8 bytes) are kept in the header


def index_path(log_path: Path) -> Path:
    return log_path.with_name(log_path.name + SUFFIX)


@dataclass(frozen=True)
class Snapshot:
    """A log's state when it was *covered* bytes long, as its index keeps it."""

    covered: int
    mtime_ns: int
    delimiter: str
    ends_with_newline: bool
    state: LogState


def load(log_path: Path, handle: BinaryIO, info: os.stat_result) -> Snapshot | None:
    """The snapshot the index beside *log_path* keeps, if it still describes the log open in
    *handle* (stat *info*); None for a missing, damaged, foreign or stale index."""
    try:
        with userfiles.open_regular(index_path(log_path)) as index:
            raw = index.read()
    except (OSError, LogError):  # missing, unreadable, not a regular file
        return None
    try:
        header, body = _checked(raw)
        if not _describes(header, handle, info):
            return None
        return _snapshot(header, body, str(log_path))
    except (ValueError, KeyError, TypeError, IndexError):
        return None


def save(
    log_path: Path,
    handle: BinaryIO,
    state: LogState,
    *,
    delimiter: str,
    ends_with_newline: bool,
) -> int | None:
    """Write the index of the log open in *handle* (whose whole length *state* covers), under
    the log's exclusive lock. Returns the length covered, or None if it could not be written
    (a full disk, a read-only folder: the index is only ever an optimisation)."""
    info = os.fstat(handle.fileno())
    covered = info.st_size
    ids, at_ns, kinds = state.sent.as_arrays()
    encoded = _encoded(ids)
    long = np.fromiter(map(len, encoded), np.int64, len(encoded)) > _LONG_ID
    short = np.array(encoded[~long] if len(encoded) else [], dtype=bytes)
    order = np.argsort(short, kind="stable") if len(short) else np.empty(0, np.int64)
    codes, kind_names = pd.factorize(kinds[~long])
    body = (
        short[order].tobytes()
        + np.ascontiguousarray(at_ns[~long][order], dtype="<i8").tobytes()
        + np.ascontiguousarray(codes[order], dtype="<i4").tobytes()
    )
    header = {
        "identity": [info.st_dev, info.st_ino],
        "covered": covered,
        "mtime_ns": info.st_mtime_ns,
        "ctime_ns": info.st_ctime_ns,
        "head": _digest(handle, 0, covered),
        "tail": _digest(handle, max(0, covered - _EDGE), covered),
        "delimiter": delimiter,
        "ends_with_newline": ends_with_newline,
        "lines_read": state.lines_read,
        "event_count": state.event_count,
        "sent_count": state.sent_count,
        "declared": state.declared,
        "outcomes": sorted(state.outcomes),
        "largest_number": state.sent.largest_number,
        "sends": len(short),
        "width": short.dtype.itemsize if len(short) else 0,
        "kinds": [str(k) for k in kind_names],
        "long_ids": {
            i: [int(ns), str(kind)]
            for i, ns, kind in zip(ids[long], at_ns[long], kinds[long], strict=True)
        },
    }
    text = json.dumps(header, ensure_ascii=False).encode("utf-8") + b"\n" + body
    data = _MAGIC + f"{zlib.crc32(text):08x} {len(text)}\n".encode() + text
    try:
        userfiles.write_private(index_path(log_path), data, replace=True)
    except OSError:
        return None
    return covered


def remove(log_path: Path) -> None:
    """Forget the index (``repair`` changed the log)."""
    with contextlib.suppress(FileNotFoundError):
        index_path(log_path).unlink()


# -- reading ---------------------------------------------------------------------------------


def _checked(raw: bytes) -> tuple[dict[str, Any], bytes]:
    """The header and the body of an index whose checksum holds; ValueError otherwise."""
    if not raw.startswith(_MAGIC):
        raise ValueError("not an index of this version")
    sums, _, text = raw[len(_MAGIC) :].partition(b"\n")
    checksum, length = sums.split(b" ")
    if len(text) != int(length) or zlib.crc32(text) != int(checksum, 16):
        raise ValueError("damaged")
    header_line, _, body = text.partition(b"\n")
    return json.loads(header_line), body


def _describes(header: dict[str, Any], handle: BinaryIO, info: os.stat_result) -> bool:
    """Whether the log open in *handle* is still the file the index describes, grown at most."""
    covered = int(header["covered"])
    if [info.st_dev, info.st_ino] != header["identity"] or info.st_size < covered:
        return False
    times = [info.st_mtime_ns, info.st_ctime_ns] == [header["mtime_ns"], header["ctime_ns"]]
    if info.st_size == covered and not times:
        return False  # as long as it was, but written since: edited in place
    head = _digest(handle, 0, covered)
    return head == header["head"] and _digest(handle, covered - _EDGE, covered) == header["tail"]


def _snapshot(header: dict[str, Any], body: bytes, path: str) -> Snapshot:
    count, width = int(header["sends"]), int(header["width"])
    ids_end, at_end = count * width, count * width + 8 * count
    if len(body) != at_end + 4 * count:
        raise ValueError("damaged")
    ids = np.frombuffer(body, dtype=f"S{width}" if width else "S1", count=count, offset=0)
    at_ns = np.frombuffer(body, dtype="<i8", count=count, offset=ids_end)
    codes = np.frombuffer(body, dtype="<i4", count=count, offset=at_end)
    kinds = [str(k) for k in header["kinds"]]
    if count and (codes.min() < 0 or codes.max() >= len(kinds)):
        raise ValueError("damaged")
    sent = SentRequests()
    few = {str(i): (int(ns), str(kind)) for i, (ns, kind) in header["long_ids"].items()}
    sent.add_part(SortedPart(ids, at_ns, codes, kinds), few, int(header["largest_number"]))
    state = LogState(
        path=path,
        lines_read=int(header["lines_read"]),
        event_count=int(header["event_count"]),
        sent_count=int(header["sent_count"]),
        declared={str(k): [str(v) for v in vs] for k, vs in header["declared"].items()},
        outcomes={str(o) for o in header["outcomes"]},
        sent=sent,
        from_index=True,
    )
    covered = int(header["covered"])
    return Snapshot(
        covered=covered,
        mtime_ns=int(header["mtime_ns"]),
        delimiter=str(header["delimiter"]),
        ends_with_newline=bool(header["ends_with_newline"]),
        state=state,
    )


def _digest(handle: BinaryIO, start: int, covered: int) -> str:
    """SHA-256 of the log's bytes from *start* (at most _EDGE of them, not past *covered*):
    the index compares the log's ends without keeping a copy of their text (names)."""
    start = max(0, start)
    size = min(_EDGE, covered - start)
    return hashlib.sha256(_read_at(handle, start, size)).hexdigest()


def _read_at(handle: BinaryIO, offset: int, size: int) -> bytes:
    return os.pread(handle.fileno(), size, offset) if size else b""


def _encoded(ids: np.ndarray) -> np.ndarray:
    """The ids as UTF-8 bytes (an object array of bytes)."""
    encoded = np.empty(len(ids), dtype=object)
    encoded[:] = [i.encode("utf-8") for i in ids.tolist()]
    return encoded
