"""The user's own files, opened and written safely: regular files only, sizes capped, private modes.

Logs, sheets, plans and keys name real people, so everything the kit creates is readable by
the user only (``0600``, folders ``0700``) and appears whole or not at all: it is written under a
temporary name beside its target, synced, and then linked or renamed into place. Anything that
is not a regular file (a FIFO, a device such as ``/dev/zero``, a folder) is refused before a
single byte is read, so no command can block forever or read without end.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from pathlib import Path
from typing import IO

from .errors import InvalidInputError, LogError

__all__: list[str] = []

PRIVATE_FILE_MODE = 0o600
PRIVATE_FOLDER_MODE = 0o700

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def open_regular(path: str | os.PathLike[str], *, write: bool = False) -> IO[bytes]:
    """Open *path* for reading (or reading and writing), refusing anything but a regular file.

    The file is opened without blocking and checked with ``fstat`` on the descriptor itself,
    so a FIFO is refused rather than waited on, and nothing can be swapped in between the check
    and the read. Missing files and permission problems raise the usual :class:`OSError`.
    """
    flags = (os.O_RDWR if write else os.O_RDONLY) | getattr(os, "O_NONBLOCK", 0)
    flags |= getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise LogError(f"is {_kind(mode)}, not a file", path=str(path))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "r+b" if write else "rb")
    except BaseException:
        os.close(fd)
        raise


def read_limited(path: str | os.PathLike[str], *, what: str, limit: int | None = None) -> bytes:
    """The bytes of a regular file; more than *limit* bytes is an error naming the file.

    Raises :class:`~etiquette_lab.errors.LogError` (one line naming the file) for a missing,
    unreadable, non-regular or too large file.
    """
    name = str(path)
    try:
        with open_regular(path) as handle:
            data = handle.read() if limit is None else handle.read(limit + 1)
    except FileNotFoundError:
        raise LogError(f"no such {what}", path=name) from None
    except OSError as error:
        raise LogError(f"cannot read the {what}: {error.strerror or error}", path=name) from None
    if limit is not None and len(data) > limit:
        raise LogError(
            f"is larger than a {what} may be ({_size_text(limit)}); is it the right file?",
            path=name,
        )
    return data


def decode_text(data: bytes, *, path: str, what: str) -> str:
    """UTF-8 text (a byte-order mark dropped), or one line naming the file and the byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise LogError(
            f"the {what} is not UTF-8 text (byte {error.start}); save it as UTF-8", path=path
        ) from None


def _size_text(limit: int) -> str:
    for unit, size in (("MiB", 2**20), ("KiB", 2**10)):
        if limit >= size:
            return f"{limit / size:g} {unit}"
    return f"{limit} bytes"


# -- writing ---------------------------------------------------------------------------------


def make_private_folder(folder: str | os.PathLike[str]) -> None:
    """Create *folder* (and its parents) if missing; a folder the kit creates is ``0700``."""
    try:
        Path(folder).mkdir(mode=PRIVATE_FOLDER_MODE, parents=True, exist_ok=True)
    except FileExistsError:  # a file where the folder should be
        raise NotADirectoryError(errno.ENOTDIR, "Not a directory", str(folder)) from None


def temporary_beside(target: str | os.PathLike[str]) -> Path:
    """A new, empty, private file in *target*'s folder, under a hidden name of its own."""
    target = Path(target)
    make_private_folder(target.parent)
    while True:
        candidate = target.with_name(f".{target.name}.new-{secrets.token_hex(4)}")
        try:
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
        except FileExistsError:  # pragma: no cover - 32 random bits taken
            continue
        os.close(fd)
        return candidate


def publish(temporary: Path, target: str | os.PathLike[str], *, replace: bool = False) -> None:
    """Give the synced *temporary* file its final name, atomically, then drop the temporary name.

    Without *replace* an existing *target* is never overwritten (:class:`FileExistsError`):
    the file is hard-linked into place, which either creates the name with the whole content
    or fails. File systems without hard links fall back to an exclusive create and a copy.
    """
    target = Path(target)
    try:
        if replace:
            os.replace(temporary, target)
        else:
            try:
                os.link(temporary, target)
            except OSError as error:
                if error.errno not in _NO_HARD_LINKS:
                    raise
                _copy_exclusively(temporary, target)
            temporary.unlink()
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    sync_folder(target.parent)


_NO_HARD_LINKS = {
    code
    for code in (
        errno.EPERM,
        getattr(errno, "ENOTSUP", None),
        getattr(errno, "EOPNOTSUPP", None),
        getattr(errno, "ENOSYS", None),
        getattr(errno, "EMLINK", None),
    )
    if code is not None
}


def _copy_exclusively(source: Path, target: Path) -> None:
    data = source.read_bytes()
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    try:
        _write_fully(fd, data)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            target.unlink()
        raise
    os.close(fd)


def write_private(target: str | os.PathLike[str], data: bytes, *, replace: bool = False) -> Path:
    """Write *data* as a new private file *target*, whole or not at all.

    Without *replace* an existing file is never overwritten (:class:`FileExistsError`). On any
    failure (a full disk) nothing is left behind, not even an empty file.
    """
    temporary = temporary_beside(target)
    try:
        fd = os.open(temporary, os.O_WRONLY)
        try:
            _write_fully(fd, data)
        finally:
            os.close(fd)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    publish(temporary, target, replace=replace)
    return Path(target)


def _write_fully(fd: int, data: bytes) -> None:
    view, written = memoryview(data), 0
    while written < len(data):
        written += os.write(fd, view[written:])
    os.fsync(fd)


def sync_folder(folder: str | os.PathLike[str]) -> None:
    """Make a new or removed name in *folder* durable (a no-op where folders cannot be synced)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def read_text_file(path: str | os.PathLike[str], what: str) -> str:
    """The text of a user's UTF-8 file (a byte-order mark dropped), or one clear error.

    *what* names the file in the error: "experiment file 'x.toml' does not exist".
    """
    name = f"{what} {str(path)!r}"
    try:
        # A regular file only: a FIFO given by mistake would block the command for ever.
        with open_regular(path) as handle:
            return handle.read().decode("utf-8-sig")
    except FileNotFoundError:
        raise InvalidInputError(f"{name} does not exist") from None
    except UnicodeDecodeError:
        raise InvalidInputError(f"{name} is not UTF-8 text") from None
    except LogError as error:  # a folder, a FIFO, a device
        raise InvalidInputError(f"{name} cannot be read: it {error.message}") from None
    except OSError as error:  # no permission, ...
        raise InvalidInputError(f"{name} cannot be read: {error.strerror or error}") from None
