"""Who a request went to, in the forms the export and the mailbox can be searched by.

A recipient is found by profile URL or e-mail address first, then by the folded full name
(:func:`etiquette_lab.names.fold_name`, the kit's one name folding). In a
pseudonymised log the recipient is ``p-`` and 12 hex digits of an HMAC of the name: the
export's names are pseudonymised with the same key and compared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..log.contact import normalise_address, normalise_profile_url, text_of
from ..log.privacy import pseudonymise
from ..names import fold_name

# (normalise_address, normalise_profile_url: from log/contact.py, shared with the log)
__all__ = ["normalise_address", "normalise_profile_url"]

PSEUDONYM = re.compile(r"p-[0-9a-f]{12}")


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
