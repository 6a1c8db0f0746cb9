"""Message templates: the shipped wordings, their placeholders and rendering.

A template is plain text with ``{field}`` placeholders naming columns of the contacts file
(``{first_name}``, ``{shared_project}``); ``{{`` and ``}}`` are literal braces. Nothing else of
Python's format mini-language is allowed, so a template can never reach into an object.
"""

from __future__ import annotations

import os
import string
import unicodedata
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any

from ..errors import InvalidInputError
from ..userfiles import read_text_file

__all__ = [
    "DEFAULT_TEMPLATES",
    "builtin_template",
    "builtin_template_names",
    "render_template",
    "template_fields",
]


#: The shipped default wording for each request kind that has one (names of builtin templates).
DEFAULT_TEMPLATES: dict[str, str] = {
    "recommendation": "linkedin-recommendation-default",
    "connection": "linkedin-connection-default",
}


def builtin_template_names() -> list[str]:
    """The names of the templates shipped with the kit.

    Examples
    --------
    >>> "linkedin-recommendation-default" in builtin_template_names()
    True
    """
    folder = resources.files("etiquette_lab") / "templates"
    return sorted(p.name[: -len(".txt")] for p in folder.iterdir() if p.name.endswith(".txt"))


def builtin_template(name: str) -> str:
    """The text of a shipped template, such as ``"linkedin-recommendation-default"``.

    Examples
    --------
    >>> builtin_template("linkedin-connection-default")
    "I'd like to add you to my professional network on LinkedIn."
    """
    if name not in builtin_template_names():
        raise InvalidInputError(
            f"no builtin template {name!r}; choose one of {', '.join(builtin_template_names())}"
        )
    path = resources.files("etiquette_lab") / "templates" / f"{name}.txt"
    return clean_template(path.read_text(encoding="utf-8"))


def read_template_file(path: str | os.PathLike[str]) -> str:
    """A template's text from a UTF-8 file (byte-order mark and trailing space dropped)."""
    return clean_template(read_text_file(path, "template file"))


def clean_template(text: str) -> str:
    """Template text as used: NFC, ``\\n`` line ends, no trailing blank space."""
    # Editors add a final newline; a message should not end with one. NFC so that "Zoë" typed
    # with a combining diaeresis matches "Zoë" in the contacts file.
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n")).rstrip()


def template_fields(template: str) -> tuple[str, ...]:
    """The placeholder names of *template*, in order of first appearance.

    Raises :class:`InvalidInputError` for anything but plain ``{name}`` placeholders.

    Examples
    --------
    >>> template_fields("Hi {first_name}, about {shared_project} ({first_name}) {{literal}}")
    ('first_name', 'shared_project')
    """
    fields: list[str] = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as error:
        raise InvalidInputError(
            f"template has unbalanced braces ({error}); write {{{{ for a literal {{"
        ) from None
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            shown = (
                "{"
                + name
                + (f"!{conversion}" if conversion else "")
                + (f":{spec}" if spec else "")
                + "}"
            )
            raise InvalidInputError(
                f"template placeholder {shown} is not a plain field name such as {{first_name}}"
            )
        if name not in fields:
            fields.append(name)
    return tuple(fields)


def render_template(template: str, fields: Mapping[str, Any], *, recipient: str = "") -> str:
    """Fill *template* with a recipient's *fields*.

    A missing or empty (blank) value is an error naming the recipient and the field.

    Examples
    --------
    >>> render_template("Hi {first_name}!", {"first_name": "Ørjan"}, recipient="Ørjan Lid")
    'Hi Ørjan!'
    """
    values = {}
    for name in template_fields(template):
        value = field_text(fields.get(name))
        if not value:
            who = f"recipient {recipient!r}" if recipient else "the recipient"
            raise InvalidInputError(f"{who} has no value for field {name!r} used by the template")
        values[name] = value
    return template.format_map(values)


def field_text(value: Any) -> str:
    """A contact field as rendered and compared: NFC text, trimmed; missing is empty."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return unicodedata.normalize("NFC", str(value)).strip()


def missing_fields(fields: Mapping[str, Any], names: Iterable[str]) -> list[str]:
    """The names among *names* whose value in *fields* is missing or blank."""
    return [name for name in names if not field_text(fields.get(name))]
