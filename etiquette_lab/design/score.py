"""The personalisation score: how far a message is from the default wording, and whether it
carries details only this recipient would recognise.

``score = (distance + detail) / 2``, a number in [0, 1]:

* ``distance`` = 1 - difflib's similarity ratio between the message and the default wording
  rendered for the same recipient (so "Dear Ørjan" in both costs nothing). With
  ``method="tokens"`` (the default) the ratio is over case-folded words, ignoring punctuation and
  spacing; ``method="characters"`` compares the raw characters.
* ``detail`` = 1 when at least one of the recipient's own field values (a shared project, a
  skill; not their name, see :data:`IDENTITY_FIELDS`) appears in the message as whole words
  (case-insensitive, punctuation ignored) and not in the default wording, else 0.

So LinkedIn's default text scores 0; a rewritten but generic message scores at most 0.5; a
rewritten message that names the shared project scores above 0.5. An empty message (the
"Connect" button, which sends no note) scores 0.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidInputError
from ..results import Result

__all__ = ["IDENTITY_FIELDS", "PersonalisationScore", "personalisation_score", "wording_distance"]

#: Fields that name the person rather than say something about them: their presence in a
#: message is not "recipient-specific detail" (LinkedIn's default greets by first name too).
IDENTITY_FIELDS: tuple[str, ...] = ("name", "first_name", "last_name", "full_name", "email")

_METHODS = ("tokens", "characters")
_WORD = re.compile(r"\w+(?:'\w+)*")


@dataclass(frozen=True)
class PersonalisationScore(Result):
    """How personal one message is (see the module docstring for the definition)."""

    score: float
    distance: float
    detail: bool
    detail_fields: tuple[str, ...]
    method: str

    _title = "Personalisation score"

    def _summary_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame(
            {
                "score": [self.score],
                "distance": [self.distance],
                "detail": [self.detail],
                "detail_fields": [", ".join(self.detail_fields)],
            }
        )


def _words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFC", text).casefold())


def wording_distance(message: str, default: str, *, method: str = "tokens") -> float:
    """1 minus difflib's similarity ratio of *message* to *default*, in [0, 1].

    Examples
    --------
    >>> wording_distance("Hi Ada, please recommend me.", "hi ada -- PLEASE recommend me")
    0.0
    >>> round(wording_distance("a b c d", "a b x y"), 4)
    0.5
    """
    if method not in _METHODS:
        raise InvalidInputError(f"unknown method {method!r}; choose one of {', '.join(_METHODS)}")
    if method == "tokens":
        a: Any = _words(message)
        b: Any = _words(default)
    else:
        a, b = message, default
    ratio = difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
    return float(min(1.0, max(0.0, 1.0 - ratio)))


def _appears(value: str, words: str) -> bool:
    needle = " ".join(_words(value))
    return bool(needle) and f" {needle} " in words


def personalisation_score(
    message: str,
    *,
    default: str,
    fields: Mapping[str, Any] | None = None,
    ignore: Iterable[str] = IDENTITY_FIELDS,
    method: str = "tokens",
) -> PersonalisationScore:
    """Score how personal *message* is, in [0, 1].

    Parameters
    ----------
    message : str
        The message as sent.
    default : str
        The default wording rendered for the same recipient (LinkedIn's standard text).
    fields : mapping, optional
        The recipient's fields (a contacts row); values that appear in *message* as whole words
        count as recipient-specific detail.
    ignore : iterable of str
        Field names never counted as detail (default :data:`IDENTITY_FIELDS`).
    method : {"tokens", "characters"}
        How the distance to the default is measured (see :func:`wording_distance`).

    Examples
    --------
    >>> default = "Dear Ada, please write me a recommendation."
    >>> personalisation_score(default, default=default).score
    0.0
    >>> s = personalisation_score(
    ...     "Ada, could you recommend my work on Apollo?",
    ...     default=default, fields={"first_name": "Ada", "shared_project": "Apollo"})
    >>> s.detail, s.detail_fields, round(s.score, 4)
    (True, ('shared_project',), 0.9333)
    """
    if not _words(message):
        distance = wording_distance("", "", method=method)  # validates method; no note at all
        return PersonalisationScore(0.0, distance, False, (), method)
    distance = wording_distance(message, default, method=method)
    skip = set(ignore)
    words = " " + " ".join(_words(message)) + " "
    baseline = " " + " ".join(_words(default)) + " "
    # A value the default wording also contains ("writing" in "I'm writing to ask") is no detail.
    found = tuple(
        str(name)
        for name, value in (fields or {}).items()
        if name not in skip
        and value is not None
        and _appears(str(value), words)
        and not _appears(str(value), baseline)
    )
    detail = bool(found)
    return PersonalisationScore((distance + detail) / 2, distance, detail, found, method)
