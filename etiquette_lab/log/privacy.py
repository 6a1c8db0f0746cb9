"""Pseudonymised recipients: a stable keyed hash, with the key kept outside the log."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import stat
import unicodedata
from collections.abc import Callable, Mapping
from pathlib import Path

from .. import userfiles
from ..errors import InvalidInputError, LogError

__all__ = ["check_not_named", "default_key_path", "load_pseudonym_key", "pseudonymise"]

KEY_ENVIRONMENT_VARIABLE = "ETIQUETTE_LAB_KEY"


def default_key_path() -> Path:
    """``$XDG_CONFIG_HOME/etiquette-lab/pseudonym.key`` (``~/.config/...`` by default)."""
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "etiquette-lab" / "pseudonym.key"


#: The shortest key accepted: a short key can be guessed, and with it every pseudonym undone.
MIN_KEY_CHARACTERS = 16


def load_pseudonym_key(
    path: str | os.PathLike[str] | None = None,
    *,
    create: bool = True,
    announce: Callable[[str], None] | None = None,
) -> bytes:
    """The secret key for :func:`pseudonymise`.

    Taken from the environment variable ``ETIQUETTE_LAB_KEY`` if set, else from *path*
    (default :func:`default_key_path`), which is created with a random key, readable by you
    only, when it does not exist (or is empty) and *create* is true; *announce* is then called
    once with a sentence saying where the key is and why to keep it. Keep the key: without it
    the same person gets a different pseudonym. Never store it beside the log.

    A key shorter than 16 characters, or a key file that others may read, is refused: either
    would let someone with the log work out who the pseudonyms are.
    """
    from_env = os.environ.get(KEY_ENVIRONMENT_VARIABLE)
    if from_env:
        return _long_enough(from_env, f"${KEY_ENVIRONMENT_VARIABLE}").encode("utf-8")
    key_path = Path(path) if path is not None else default_key_path()
    try:
        key = _read_key(key_path)
        if key is None:
            if not create:
                raise InvalidInputError(
                    f"no pseudonym key at {key_path} and {KEY_ENVIRONMENT_VARIABLE} is not set"
                )
            key = secrets.token_hex(32)
            replace = key_path.exists()  # an empty file, left by a full disk: never used
            try:
                userfiles.write_private(key_path, (key + "\n").encode("utf-8"), replace=replace)
            except FileExistsError:  # another process made one meanwhile: use theirs
                return _long_enough(_read_key(key_path) or "", f"the key file {key_path}").encode()
            if announce is not None:
                announce(
                    f"created the pseudonym key {key_path} (readable by you only): keep it, and "
                    "back it up; without it the same person gets a new pseudonym, and the ones "
                    "already in your logs can no longer be matched to anyone"
                )
    except OSError as error:  # a folder where the key should be, no permission, ...
        raise InvalidInputError(
            f"cannot use the pseudonym key file {key_path}: {error.strerror or error} "
            f"(or set {KEY_ENVIRONMENT_VARIABLE})"
        ) from None
    return _long_enough(key, f"the pseudonym key file {key_path}").encode("utf-8")


def _read_key(key_path: Path) -> str | None:
    """The key in *key_path*, or None when there is none yet (missing or empty file)."""
    if not key_path.exists():
        return None
    try:
        data = userfiles.read_limited(key_path, what="pseudonym key file", limit=4096)
    except LogError as error:  # a folder, a FIFO, no permission, ...
        raise InvalidInputError(
            f"cannot use the pseudonym key file {key_path}: {error.message} "
            f"(or set {KEY_ENVIRONMENT_VARIABLE})"
        ) from None
    try:
        key = data.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise InvalidInputError(f"the pseudonym key file {key_path} is not UTF-8 text") from None
    mode = key_path.stat().st_mode
    if key and os.name == "posix" and mode & 0o077:  # (an empty file holds no secret)
        raise InvalidInputError(
            f"the pseudonym key file {key_path} may be read by others (mode "
            f"{stat.S_IMODE(mode):04o}); make it yours only: chmod 600 {key_path}"
        )
    return key or None


def _long_enough(key: str, where: str) -> str:
    key = key.strip()
    if len(key) < MIN_KEY_CHARACTERS:
        raise InvalidInputError(
            f"{where} holds a key of {len(key)} character{'s' if len(key) != 1 else ''}; a key "
            f"needs at least {MIN_KEY_CHARACTERS} (delete the file to have one made for you)"
        )
    return key


def pseudonymise(name: str, key: bytes) -> str:
    """A stable pseudonym for *name*: ``p-`` and 12 hex digits of HMAC-SHA256.

    Case, surrounding and repeated spaces and Unicode normalisation do not matter, so
    "Ørjan  Berg" and "ørjan berg" map to the same id.

    Examples
    --------
    >>> pseudonymise("Ørjan Berg", b"secret") == pseudonymise(" ørjan  berg", b"secret")
    True
    >>> pseudonymise("Ørjan Berg", b"secret")
    'p-596aed2b6a11'
    """
    normal = " ".join(unicodedata.normalize("NFC", name).casefold().split())
    if not normal:
        raise InvalidInputError("cannot pseudonymise an empty name")
    digest = hmac.new(key, normal.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"p-{digest[:12]}"


def check_not_named(
    name: str,
    fields: Mapping[str, str],
    *,
    path: str | None = None,
    line: int | None = None,
) -> None:
    """Refuse text that names the person whose name is to be pseudonymised.

    A pseudonymised log keeps its other columns as typed; "Ada's team" as a stratum would
    undo the pseudonym of Ada. Any word of the name (two letters or more, in any case)
    found as a whole word in a field is refused, naming the field (*fields* maps the field,
    or the sheet's column, to its text).

    Examples
    --------
    >>> check_not_named("Ada Lovelace", {"stratum": "close colleague"})
    >>> check_not_named("Ada Lovelace", {"stratum": "ada's team"})
    Traceback (most recent call last):
    ...
    etiquette_lab.errors.LogError: field 'stratum': names the person ('ada'): ...
    """
    words = {w for w in _words(name) if len(w) >= 2}
    for field, text in fields.items():
        found = next((w for w in _words(text) if w in words), None)
        if found is not None:
            raise LogError(
                f"names the person ({found!r}): with pseudonyms on, it would undo the "
                "pseudonym; leave the name out of it",
                path=path,
                line=line,
                field=field,
            )


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", unicodedata.normalize("NFC", str(text)).casefold())
