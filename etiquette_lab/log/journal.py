"""A write of several rows in progress, recorded beside the log so that a crash cannot leave half.

One append of one row is safe on its own: cut off, it leaves a torn last line that every reader
notices. A write of many rows (an import, ``send-planned``) cut off between two rows would leave
complete rows that no reader could tell apart from the rest. So before such a write, the kit
saves the bytes it is about to append, and where, in ``<log>.writing`` (synced), and removes
that file once the rows are synced in the log. A journal found later, under the log's lock (so
its writer is gone), tells which case it is:

- the log holds all of the write, or none of it: the journal is stale and is removed;
- the log holds a beginning of the write and nothing after it: the write was cut off. Readers
  and writers stop with :class:`~etiquette_lab.errors.UnfinishedWriteError`, and
  ``etiquette-lab repair`` takes the rows back (moving them to a file beside the log), so the
  write landed whole or not at all.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .. import userfiles

__all__: list[str] = []

SUFFIX = ".writing"
_MAGIC = b"etiquette-lab unfinished write, version 1\n"


@dataclass(frozen=True)
class Journal:
    """What a multi-row write was about to append: where, how much, from which source."""

    path: Path
    offset: int
    rows: int
    source: str
    data: bytes | None  # None when the journal itself was cut off: the log write never began

    @property
    def what(self) -> str:
        """The write in words: "an import from sheet.csv" or "a write"."""
        return f"an import from {self.source}" if self.source else "a write of several rows"


def journal_path(log_path: Path) -> Path:
    return log_path.with_name(log_path.name + SUFFIX)


def begin(log_path: Path, *, offset: int, data: bytes, rows: int, source: str) -> Path:
    """Record the write about to be made (synced before a byte of it reaches the log)."""
    header = {"offset": offset, "length": len(data), "rows": rows, "source": source}
    text = _MAGIC + json.dumps(header, ensure_ascii=False).encode("utf-8") + b"\n" + data
    return userfiles.write_private(journal_path(log_path), text, replace=True)


def finish(path: Path) -> None:
    """The write is in the log (or was taken back): forget it."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    userfiles.sync_folder(path.parent)


def read(log_path: Path) -> Journal | None:
    """The journal beside *log_path*, or None; a journal cut off itself has ``data=None``."""
    path = journal_path(log_path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError:
        return None  # unreadable (no permission): nothing this process can act on
    if not raw.startswith(_MAGIC):
        return Journal(path, 0, 0, "", None)
    header_line, _, data = raw[len(_MAGIC) :].partition(b"\n")
    try:
        header = json.loads(header_line)
        offset, length = int(header["offset"]), int(header["length"])
        rows, source = int(header["rows"]), str(header.get("source", ""))
    except (ValueError, KeyError, TypeError):
        return Journal(path, 0, 0, "", None)
    complete = len(data) == length
    return Journal(path, offset, rows, source, data if complete else None)


def written_part(journal: Journal, handle: IO[bytes]) -> bytes | None:
    """The part of the journal's write the log holds, if the write was cut off; else None.

    None means the journal is stale: the log holds the whole write, none of it, or (after a
    hand edit) something else at that place, which no rollback could safely remove.
    """
    if journal.data is None:
        return None
    size = os.fstat(handle.fileno()).st_size
    end = journal.offset + len(journal.data)
    if not journal.offset < size < end:
        return None
    handle.seek(journal.offset)
    held = handle.read(size - journal.offset)
    return held if journal.data.startswith(held) else None
