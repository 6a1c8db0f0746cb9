"""Message templates: the shipped wordings, placeholders, the contacts file and rendering.

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
from pathlib import Path
from typing import Any

from .errors import InvalidInputError

__all__ = [
    "DEFAULT_TEMPLATES",
    "builtin_template",
    "builtin_template_names",
    "read_contacts",
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
    try:
        return clean_template(Path(path).read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise InvalidInputError(f"template file {str(path)!r} does not exist") from None
    except UnicodeDecodeError:
        raise InvalidInputError(f"template file {str(path)!r} is not UTF-8 text") from None


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
        value = _text(fields.get(name))
        if not value:
            who = f"recipient {recipient!r}" if recipient else "the recipient"
            raise InvalidInputError(f"{who} has no value for field {name!r} used by the template")
        values[name] = value
    return template.format_map(values)


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return unicodedata.normalize("NFC", str(value)).strip()


def missing_fields(fields: Mapping[str, Any], names: Iterable[str]) -> list[str]:
    """The names among *names* whose value in *fields* is missing or blank."""
    return [name for name in names if not _text(fields.get(name))]


def read_contacts(path: str | os.PathLike[str], *, key: str = "name") -> Any:
    """Read a contacts CSV: every column as text, blanks as ``""``, one row per person.

    The file may start with a byte-order mark (Excel) and use ``,`` or ``;`` as delimiter. The
    *key* column must be present, non-empty and unique: it is how a person is named in the log.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.csv"
    >>> _ = p.write_text("name;first_name\\nZoë Nordvik;Zoë\\n", encoding="utf-8")
    >>> read_contacts(p).loc[0, "first_name"]
    'Zoë'
    """
    import pandas as pd

    from .csvsafe import sniff_delimiter

    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InvalidInputError(f"contacts file {str(path)!r} does not exist") from None
    except UnicodeDecodeError:
        raise InvalidInputError(f"contacts file {str(path)!r} is not UTF-8 text") from None
    if not text.strip():
        raise InvalidInputError(f"contacts file {str(path)!r} is empty")
    import io

    frame = pd.read_csv(
        io.StringIO(text),
        sep=sniff_delimiter(text.splitlines()[0]),
        dtype=str,
        keep_default_na=False,
    )
    frame.columns = [str(c).strip() for c in frame.columns]
    return check_contacts(frame, key=key, source=str(path))


def check_contacts(contacts: Any, *, key: str = "name", source: str = "contacts") -> Any:
    """Contacts as a text DataFrame with a clean, unique *key* column (a copy)."""
    import pandas as pd

    if not isinstance(contacts, pd.DataFrame):
        contacts = pd.DataFrame(list(contacts))
    if key not in contacts.columns:
        raise InvalidInputError(
            f"{source} has no {key!r} column (columns: {', '.join(map(str, contacts.columns))})"
        )
    frame = contacts.copy()
    frame.columns = [str(c) for c in frame.columns]
    for column in frame.columns:
        frame[column] = frame[column].map(_text).astype(object)
    frame = frame.reset_index(drop=True)
    blank = frame.index[frame[key] == ""]
    if len(blank):
        raise InvalidInputError(f"{source}, row {int(blank[0]) + 1}: the {key!r} column is empty")
    folded = frame[key].map(fold_name)
    duplicated = frame[key][folded.duplicated()]
    if len(duplicated):
        raise InvalidInputError(
            f"{source}: {duplicated.iloc[0]!r} appears more than once in column {key!r} "
            "(names are compared ignoring case and spacing)"
        )
    return frame


def fold_name(name: str) -> str:
    """A person's name as compared: NFC, case-folded, inner spaces collapsed.

    Examples
    --------
    >>> fold_name("  ØRJAN   Lid ") == fold_name("ørjan lid")
    True
    """
    return " ".join(unicodedata.normalize("NFC", str(name)).casefold().split())
