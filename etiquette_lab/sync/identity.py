"""Who a request went to, in the forms the export and the mailbox can be searched by.

A recipient is found by profile URL or e-mail address first, then by the folded full name
(:func:`etiquette_lab.design.templates.fold_name`, the kit's one name folding). In a
pseudonymised log the recipient is ``p-`` and 12 hex digits of an HMAC of the name: the
export's names are pseudonymised with the same key and compared.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from ..design.templates import fold_name
from ..log.privacy import pseudonymise

__all__ = ["normalise_address", "normalise_profile_url"]

PSEUDONYM = re.compile(r"p-[0-9a-f]{12}")


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


def is_pseudonym(value: str) -> bool:
    """True for a stored pseudonym such as ``p-596aed2b6a11``."""
    return PSEUDONYM.fullmatch(value) is not None


@dataclass(frozen=True)
class Recipient:
    """A request's recipient as searched for: each key is ``""`` when the log has none."""

    name: str  # the folded name, or the pseudonym as stored
    url: str  # the normalised profile URL, or its pseudonym
    email: str  # the normalised address, or its pseudonym
    pseudonymised: bool

    @classmethod
    def of(cls, recipient: Any, profile_url: Any = None, email: Any = None) -> Recipient:
        name, url, address = text_of(recipient), text_of(profile_url), text_of(email)
        hidden = is_pseudonym(name)
        return cls(
            name=name if hidden else fold_name(name),
            url=url if is_pseudonym(url) else normalise_profile_url(url),
            email=address if is_pseudonym(address) else normalise_address(address),
            pseudonymised=hidden,
        )


class Keys:
    """The forms under which an export's name, URL or address is indexed.

    Without a pseudonym key: the folded name and the normalised URL or address. With one, also
    their pseudonyms (the URL and address both as written and normalised), so that a log
    pseudonymised by any of these forms is matched.
    """

    def __init__(self, key: bytes | None) -> None:
        self.key = key
        self._names: dict[str, list[str]] = {}  # a sender has many messages: hash each once

    def names(self, name: str) -> list[str]:
        found = self._names.get(name)
        if found is None:
            folded = fold_name(name)
            found = [] if not folded else [folded]
            if folded and self.key:
                found.append(pseudonymise(folded, self.key))
            self._names[name] = found
        return found

    def urls(self, url: str) -> list[str]:
        return self._forms(text_of(url), normalise_profile_url(url))

    def addresses(self, address: str) -> list[str]:
        return self._forms(text_of(address), normalise_address(address))

    def _forms(self, raw: str, normal: str) -> list[str]:
        if not normal:
            return []
        if not self.key:
            return [normal]
        return list(dict.fromkeys([normal, pseudonymise(normal, self.key),
                                   pseudonymise(raw, self.key)]))  # fmt: skip
