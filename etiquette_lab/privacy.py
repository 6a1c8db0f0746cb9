"""Pseudonymised recipients: a stable keyed hash, with the key kept outside the log."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import unicodedata
from pathlib import Path

from .errors import InvalidInputError

__all__ = ["default_key_path", "load_pseudonym_key", "pseudonymise"]

KEY_ENVIRONMENT_VARIABLE = "ETIQUETTE_LAB_KEY"


def default_key_path() -> Path:
    """``$XDG_CONFIG_HOME/etiquette-lab/pseudonym.key`` (``~/.config/...`` by default)."""
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "etiquette-lab" / "pseudonym.key"


def load_pseudonym_key(path: str | os.PathLike[str] | None = None, *, create: bool = True) -> bytes:
    """The secret key for :func:`pseudonymise`.

    Taken from the environment variable ``ETIQUETTE_LAB_KEY`` if set, else from *path*
    (default :func:`default_key_path`), which is created with a random key, readable by you
    only, when it does not exist and *create* is true. Keep the key: without it the same person
    gets a different pseudonym. Never store it beside the log.
    """
    from_env = os.environ.get(KEY_ENVIRONMENT_VARIABLE)
    if from_env:
        return from_env.encode("utf-8")
    key_path = Path(path) if path is not None else default_key_path()
    try:
        if not key_path.exists():
            if not create:
                raise InvalidInputError(
                    f"no pseudonym key at {key_path} and {KEY_ENVIRONMENT_VARIABLE} is not set"
                )
            key_path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32) + "\n")
        key = key_path.read_text(encoding="utf-8").strip()
    except OSError as error:  # a folder where the key should be, no permission, ...
        raise InvalidInputError(
            f"cannot use the pseudonym key file {key_path}: {error.strerror or error} "
            f"(or set {KEY_ENVIRONMENT_VARIABLE})"
        ) from None
    except UnicodeDecodeError:
        raise InvalidInputError(f"the pseudonym key file {key_path} is not UTF-8 text") from None
    if not key:
        raise InvalidInputError(f"the pseudonym key file {key_path} is empty")
    return key.encode("utf-8")


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
