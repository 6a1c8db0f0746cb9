"""Which wording a past message had: ``with-note`` or ``without-note``, by one simple rule.

Your history was not assigned at random, so it is only ever compared as two wordings: with a
note (a personal text) and without. One rule, chosen per import, decides which a message had:

* ``note``: with a note when the text is not empty (an invitation's ``Message``);
* ``longer:N``: with a note when the text has more than *N* characters (spaces collapsed);
* ``contains:TEXT``: with a note when the text contains *TEXT* (case and spacing ignored),
  where ``{first_name}``, ``{last_name}`` and ``{name}`` stand for the recipient's.

The rules are documented in ``docs/sync.md`` ("Your history as an observational experiment").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import InvalidInputError
from ..names import fold_name

__all__ = ["WITHOUT_NOTE", "WITH_NOTE", "WordingRule"]

WITH_NOTE, WITHOUT_NOTE = "with-note", "without-note"
#: More than fits in a LinkedIn connection note (300 characters): a message, not a line.
DEFAULT_LENGTH = 300
_PLACEHOLDER = re.compile(r"\{(first_name|last_name|name)\}")


@dataclass(frozen=True)
class WordingRule:
    """A parsed wording rule (``note``, ``longer:N`` or ``contains:TEXT``).

    Examples
    --------
    >>> rule = WordingRule.parse("contains:{first_name}")
    >>> rule.variant("Hi Ada, could we talk?", name="Ada Eksempel")
    'with-note'
    >>> rule.variant("Hi, could we talk?", name="Ada Eksempel")
    'without-note'
    >>> WordingRule.parse("longer:10").variant("Short one.", name="Bo")
    'without-note'
    >>> str(WordingRule.parse("note"))
    'note'
    """

    kind: str  # "note", "longer" or "contains"
    length: int = 0
    text: str = ""

    @classmethod
    def parse(cls, spec: str) -> WordingRule:
        """The rule written as ``note``, ``longer:N`` or ``contains:TEXT``."""
        name, sep, value = str(spec).strip().partition(":")
        name = name.strip().casefold()
        if name == "note" and not sep:
            return cls("note")
        if name == "longer" and sep and value.strip().isdigit():
            return cls("longer", length=int(value.strip()))
        if name == "contains" and sep and value.strip():
            unknown = set(re.findall(r"\{([^{}]*)\}", value)) - {"first_name", "last_name", "name"}
            if not unknown:
                return cls("contains", text=value.strip())
            raise InvalidInputError(
                f"wording rule {spec!r}: unknown placeholder {{{sorted(unknown)[0]}}} (known: "
                "{first_name}, {last_name}, {name})"
            )
        raise InvalidInputError(
            f"unknown wording rule {spec!r}; use note (the text is not empty), longer:N (more "
            "than N characters, e.g. longer:300) or contains:TEXT (e.g. contains:{first_name})"
        )

    def __str__(self) -> str:
        if self.kind == "longer":
            return f"longer:{self.length}"
        if self.kind == "contains":
            return f"contains:{self.text}"
        return "note"

    def variant(self, text: str, *, name: str) -> str:
        """``with-note`` or ``without-note`` for a message *text* sent to *name*."""
        words = " ".join(str(text).split())
        if self.kind == "note":
            found = bool(words)
        elif self.kind == "longer":
            found = len(words) > self.length
        else:
            parts = str(name).split()
            values = {
                "first_name": parts[0] if parts else "",
                "last_name": parts[-1] if len(parts) > 1 else "",
                "name": " ".join(parts),
            }
            if any(not values[p] for p in _PLACEHOLDER.findall(self.text)):
                found = False  # no such name to look for: the text cannot contain it
            else:
                wanted = _PLACEHOLDER.sub(lambda m: values[m.group(1)], self.text)
                found = fold_name(wanted) in fold_name(words)
        return WITH_NOTE if found else WITHOUT_NOTE
