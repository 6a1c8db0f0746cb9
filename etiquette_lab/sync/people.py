"""Rows of an export or mailbox table found by profile URL, e-mail address or folded name."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..names import fold_name
from .findings import HIGH, MEDIUM
from .identity import Keys, Recipient, normalise_address, normalise_profile_url

__all__: list[str] = []


@dataclass(frozen=True)
class Lookup:
    """The rows that may be the recipient, how they were found, and whether the name they
    were found by belongs to several people (then nothing may be proposed)."""

    rows: list[int]
    rule: str
    confidence: str
    shared_name: bool = False


class PeopleIndex:
    """An index of a table's people: by URL, by address, by folded name (and pseudonyms).

    The rule: a request's profile URL or address decides when the table has it; otherwise the
    folded full name, leaving out rows whose URL or address differs from the request's (another
    person of the same name). A name that *homonyms* lists (two people of that name in the
    export) never matches on its own.
    """

    def __init__(
        self,
        names: Sequence[str],
        *,
        keys: Keys,
        homonyms: frozenset[str] = frozenset(),
        urls: Sequence[str] | None = None,
        emails: Sequence[str] | None = None,
    ) -> None:
        self.homonyms = homonyms
        # Columns repeat their values (a sender has many messages): work on each value once.
        folded = {name: fold_name(name) for name in set(names)}
        self.folded = [folded[name] for name in names]
        self.urls = _normalised(urls, normalise_profile_url)
        self.emails = _normalised(emails, normalise_address)
        self.by_name: dict[str, list[int]] = defaultdict(list)
        self.by_url: dict[str, list[int]] = defaultdict(list)
        self.by_email: dict[str, list[int]] = defaultdict(list)
        for column, index, forms in (
            (names, self.by_name, keys.names),
            (urls, self.by_url, keys.urls),
            (emails, self.by_email, keys.addresses),
        ):
            if column is None:
                continue
            rows_of: dict[str, list[int]] = defaultdict(list)
            for row, value in enumerate(column):
                rows_of[value].append(row)
            for value, rows in rows_of.items():
                for form in forms(value):
                    index[form].extend(rows)
        for index in (self.by_name, self.by_url, self.by_email):
            for rows in index.values():
                rows.sort()  # rows in table order, also where two spellings share a form

    def find(self, who: Recipient) -> Lookup:
        if who.url and who.url in self.by_url:
            return Lookup(list(self.by_url[who.url]), "profile URL", HIGH)
        if who.email and who.email in self.by_email:
            return Lookup(list(self.by_email[who.email]), "e-mail address", HIGH)
        rows = list(self.by_name.get(who.name, ()))
        if who.url and self.urls is not None:
            rows = [r for r in rows if not self.urls[r]]  # another URL: another person
        if who.email and self.emails is not None:
            rows = [r for r in rows if not self.emails[r]]
        shared = any(self.folded[r] in self.homonyms for r in rows)
        rule = "pseudonymised name" if who.pseudonymised else "full name"
        return Lookup(rows, rule, MEDIUM, shared)


def _normalised(column: Sequence[str] | None, normalise: Callable[[str], str]) -> list[str] | None:
    if column is None:
        return None
    normal = {value: normalise(value) for value in set(column)}
    return [normal[value] for value in column]
