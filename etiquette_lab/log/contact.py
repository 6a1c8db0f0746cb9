"""A recipient's profile URL and e-mail address: the forms the log stores and sync compares.

They live beside the log, not in :mod:`etiquette_lab.sync`, because both sides use them: the log
pseudonymises these forms (:func:`etiquette_lab.log.privacy.pseudonymise_contact`), and sync
compares an export's URLs and a mailbox's addresses in the same forms, so the two always agree.
"""

from __future__ import annotations

import functools
import unicodedata
from typing import Any
from urllib.parse import unquote, urlsplit

from ..errors import LogError

__all__ = ["normalise_address", "normalise_profile_url"]


def normalise_profile_url(url: Any) -> str:
    """A LinkedIn profile URL as compared: no scheme, ``www.``, query or trailing slash.

    Percent-escapes are decoded and case is folded, so the forms LinkedIn and browsers write
    for the same profile compare equal. Pseudonymise this form when a log stores the URL.

    Examples
    --------
    >>> normalise_profile_url("https://www.linkedin.com/in/%C3%B8rjan-lid-1a2b/?trk=x")
    'linkedin.com/in/ørjan-lid-1a2b'
    >>> normalise_profile_url("http://no.linkedin.com/in/Ørjan-Lid-1a2b")
    'linkedin.com/in/ørjan-lid-1a2b'
    """
    return _normal_url(text_of(url))


@functools.lru_cache(maxsize=1 << 17)  # a sender has many messages: each URL once
def _normal_url(text: str) -> str:
    if not text:
        return ""
    parts = urlsplit(text if "//" in text else "//" + text)
    host = parts.netloc.casefold().rsplit("@", 1)[-1]
    if host.endswith("linkedin.com"):  # www., no., de.linkedin.com are one site
        host = "linkedin.com"
    path = unquote(parts.path).rstrip("/")
    return unicodedata.normalize("NFC", f"{host}{path}").casefold()


def normalise_address(address: Any) -> str:
    """An e-mail address as compared: no surrounding space or angle brackets, no case.

    Examples
    --------
    >>> normalise_address(" <Ada.Eksempel@Example.ORG> ")
    'ada.eksempel@example.org'
    """
    return text_of(address).strip("<>").strip().casefold()


def text_of(value: Any) -> str:
    """A cell as stripped text; missing values (None, NaN, NA) as ``""``."""
    if type(value) is str:  # nearly always: the checks below are for pandas' missing values
        return value.strip()
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if type(value).__name__ in ("NAType", "NaTType"):
        return ""
    return str(value).strip()


def contact_problem(column: str, value: str) -> str | None:
    """What is wrong with a ``profile_url`` or ``email`` to store, or None.

    A pseudonym (``p-`` and 12 hex digits) is taken as it is. An address needs one ``@`` with
    text on both sides; neither may hold white space (two values pasted into one field).

    Examples
    --------
    >>> contact_problem("email", "ada@example.org"), contact_problem("email", "ada.example.org")
    (None, "'ada.example.org' is not an e-mail address (name@domain)")
    >>> contact_problem("profile_url", "linkedin.com/in/ada lovelace")
    "'linkedin.com/in/ada lovelace' holds a space: one profile URL, please"
    """
    text = value.strip()
    if not text or (text.startswith("p-") and len(text) == 14):
        return None
    if any(character.isspace() for character in text):
        what = "e-mail address" if column == "email" else "profile URL"
        return f"{text[:80]!r} holds a space: one {what}, please"
    if column == "email":
        name, at, domain = text.partition("@")
        if not at or not name or not domain or "@" in domain:
            return f"{text[:80]!r} is not an e-mail address (name@domain)"
    return None


def check_contacts(path: str, *, profile_url: str, email: str) -> None:
    """Refuse a send's contact field that :func:`contact_problem` finds wrong, naming the log
    (not written) and the field."""
    for column, value in (("profile_url", profile_url), ("email", email)):
        problem = contact_problem(column, value)
        if problem is not None:
            raise LogError(problem, path=path, field=column, rejected=True)
