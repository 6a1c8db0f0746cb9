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
from typing import Any

from .. import userfiles
from ..errors import InvalidInputError, LogError

__all__ = [
    "DEFAULT_TEMPLATES",
    "LocatedInputError",
    "builtin_template",
    "builtin_template_names",
    "check_contact_values",
    "contact_line",
    "read_contacts",
    "record_lines",
    "render_template",
    "template_fields",
]


class LocatedInputError(LogError, InvalidInputError):
    """Bad input in a contacts, plan or experiment file, located by file, line and field.

    Both a :class:`~etiquette_lab.errors.LogError` (its one-line form names the place) and an
    :class:`~etiquette_lab.errors.InvalidInputError` (a ValueError), so either may be caught.

    Examples
    --------
    >>> str(LocatedInputError("the 'name' column is empty", path="c.csv", line=3, field="name"))
    "c.csv, line 3, field 'name': the 'name' column is empty"
    """


#: Key of ``DataFrame.attrs`` where :func:`read_contacts` keeps where each row came from.
_SOURCE = "etiquette_lab.contacts_source"

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


def read_text_file(path: str | os.PathLike[str], what: str) -> str:
    """The text of a user's UTF-8 file (a byte-order mark dropped), or one clear error.

    *what* names the file in the error: "experiment file 'x.toml' does not exist".
    """
    name = f"{what} {str(path)!r}"
    try:
        # A regular file only: a FIFO given by mistake would block the command for ever.
        with userfiles.open_regular(path) as handle:
            return handle.read().decode("utf-8-sig")
    except FileNotFoundError:
        raise InvalidInputError(f"{name} does not exist") from None
    except UnicodeDecodeError:
        raise InvalidInputError(f"{name} is not UTF-8 text") from None
    except LogError as error:  # a folder, a FIFO, a device
        raise InvalidInputError(f"{name} cannot be read: it {error.message}") from None
    except OSError as error:  # no permission, ...
        raise InvalidInputError(f"{name} cannot be read: {error.strerror or error}") from None


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


def record_lines(text: str, *, delimiter: str = ",") -> list[int]:
    """The 1-based physical line on which each record of CSV *text* starts, header excluded.

    A quoted cell may span lines, so record *n* is not always on line *n* + 1; blank lines are
    skipped, as :func:`pandas.read_csv` skips them.

    Examples
    --------
    >>> record_lines('name,note\\nZoë,"two\\nlines"\\n\\nÅse,x\\n')
    [2, 5]
    """
    from ..csvsafe import record_start_lines

    return [int(n) for n in record_start_lines(text.encode("utf-8"), 1)[1:]]


def read_contacts(path: str | os.PathLike[str], *, key: str = "name") -> Any:
    """Read a contacts CSV: every column as text, blanks as ``""``, one row per person.

    The file may start with a byte-order mark (Excel) and use ``,`` or ``;`` as delimiter. The
    *key* column must be present, non-empty and unique: it is how a person is named in the log.
    Each row remembers its line in the file (see :func:`contact_line`), so that errors found
    later name the file and the line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.csv"
    >>> _ = p.write_text("name;first_name\\nZoë Nordvik;Zoë\\n", encoding="utf-8")
    >>> contacts = read_contacts(p)
    >>> contacts.loc[0, "first_name"], contact_line(contacts, 0)[1]
    ('Zoë', 2)
    """
    import io

    import pandas as pd

    from ..csvsafe import sniff_delimiter

    text = read_text_file(path, "contacts file")
    if not text.strip():
        raise InvalidInputError(f"contacts file {str(path)!r} is empty")
    delimiter = sniff_delimiter(text.splitlines()[0])
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, ValueError) as error:
        raise LocatedInputError(
            f"not a readable CSV file ({str(error).strip()})", path=str(path)
        ) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    lines = record_lines(text, delimiter=delimiter)
    names = frame[key] if key in frame.columns else [""] * len(frame)
    rows = (
        dict(zip(frame.index, zip(lines, names, strict=True), strict=True))
        if len(lines) == len(frame)
        else {}
    )
    frame.attrs[_SOURCE] = {"path": str(path), "key": key, "rows": rows}
    return check_contacts(frame, key=key)


def contact_line(contacts: Any, label: Any) -> tuple[str | None, int | None]:
    """The file and 1-based line that the row *label* of *contacts* was read from.

    ``(None, None)`` for contacts built in Python; no line for a row whose name no longer
    matches the one read from that line (the table was re-indexed after reading).
    """
    info = _source(contacts)
    if not info:
        return None, None
    line, name = info["rows"].get(label, (None, None))
    key = info.get("key")
    if line is None or key not in contacts.columns or label not in contacts.index:
        return info["path"], None
    if _text(contacts.at[label, key]) != _text(name):
        return info["path"], None
    return info["path"], line


def _source(contacts: Any) -> dict[str, Any]:
    return dict(getattr(contacts, "attrs", {}).get(_SOURCE) or {})


def check_contacts(contacts: Any, *, key: str = "name", source: str = "contacts") -> Any:
    """Contacts as a text DataFrame with a clean, unique *key* column (a copy).

    Errors name the file and line when the contacts were read by :func:`read_contacts`,
    otherwise the row or the recipient.
    """
    import pandas as pd

    if not isinstance(contacts, pd.DataFrame):
        contacts = pd.DataFrame(list(contacts))
    info = _source(contacts)
    path = info.get("path")
    if key not in contacts.columns:
        columns = ", ".join(map(str, contacts.columns))
        raise LocatedInputError(
            f"{'the contacts have' if path else source + ' has'} no {key!r} column "
            f"(columns: {columns})",
            path=path, line=1 if path else None, field=key,
        )  # fmt: skip
    lines = [contact_line(contacts, label)[1] for label in contacts.index]
    frame = contacts.copy()
    frame.columns = [str(c) for c in frame.columns]
    for column in frame.columns:
        frame[column] = frame[column].map(_text).astype(object)
    frame = frame.reset_index(drop=True)
    if info:  # the new index 0..n-1 points at the same lines
        frame.attrs[_SOURCE] = {
            **info,
            "key": key,
            "rows": {
                i: (n, name) for i, (n, name) in enumerate(zip(lines, frame[key], strict=True))
            },
        }
    blank = frame.index[frame[key] == ""]
    if len(blank):
        row = int(blank[0])
        where = "" if lines[row] else f"row {row + 1}: "
        raise LocatedInputError(
            f"{where}the {key!r} column is empty", path=path, line=lines[row], field=key
        )
    folded = frame[key].map(fold_name)
    duplicated = folded.duplicated()
    if duplicated.any():
        row = int(duplicated.to_numpy().argmax())
        first = int((folded == folded[row]).to_numpy().argmax())
        also = f"also on line {lines[first]}; " if lines[first] else ""
        raise LocatedInputError(
            f"{frame[key][row]!r} appears more than once in column {key!r} ({also}names are "
            "compared ignoring case and spacing)",
            path=path, line=lines[row], field=key,
        )  # fmt: skip
    return frame


def check_contact_values(contacts: Any, needed: Mapping[str, str], *, key: str = "name") -> None:
    """Check that every contact has a column and a non-blank value for each *needed* field.

    Parameters
    ----------
    contacts : DataFrame
        From :func:`check_contacts` or :func:`read_contacts` (then errors name file and line).
    needed : mapping of field -> user
        Each placeholder and what uses it (``"variant 'personalised'"``), as
        :attr:`etiquette_lab.design.messages.Experiment.field_users` gives them.
    key : str
        The column naming each person.

    Raises
    ------
    LocatedInputError
        Naming the first missing column, or the first recipient and field with a missing or
        empty value (with its file and line when known) and how many such problems there are.

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"name": ["Nils Moe"], "project": [" "]})
    >>> check_contact_values(people, {"project": "variant 'b'"})
    Traceback (most recent call last):
    ...
    etiquette_lab.design.templates.LocatedInputError: field 'project': recipient 'Nils Moe' ...
    """
    path = _source(contacts).get("path")
    absent = [name for name in needed if name not in contacts.columns]
    if absent:
        raise LocatedInputError(
            f"the contacts have no column {absent[0]!r} (used by {needed[absent[0]]})",
            path=path, line=1 if path else None, field=absent[0],
        )  # fmt: skip
    problems = [
        (label, name)
        for label, row in zip(contacts.index, contacts.to_dict("records"), strict=True)
        for name in missing_fields(row, needed)
    ]
    if problems:
        label, name = problems[0]
        more = f"; {len(problems)} missing values in all" if len(problems) > 1 else ""
        raise LocatedInputError(
            f"recipient {_text(contacts.at[label, key])!r} has no value "
            f"(used by {needed[name]}){more}",
            path=path, line=contact_line(contacts, label)[1], field=name,
        )  # fmt: skip


def fold_name(name: str) -> str:
    """A person's name as compared: NFC, case-folded, inner spaces collapsed.

    Examples
    --------
    >>> fold_name("  ØRJAN   Lid ") == fold_name("ørjan lid")
    True
    """
    return " ".join(unicodedata.normalize("NFC", str(name)).casefold().split())
