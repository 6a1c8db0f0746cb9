"""The contacts file: one row per person, read with the line each row came from, and checked
against what the templates need (a missing value is named by file, line and field)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from ..csvsafe import record_start_lines, sniff_delimiter
from ..errors import InvalidInputError, LocatedInputError
from ..names import fold_name
from ..userfiles import read_text_file
from .templates import field_text, missing_fields

__all__ = [
    "check_contact_values",
    "check_contacts",
    "contact_line",
    "read_contacts",
    "record_lines",
]

#: Key of ``DataFrame.attrs`` where :func:`read_contacts` keeps where each row came from.
_SOURCE = "etiquette_lab.contacts_source"


def record_lines(text: str, *, delimiter: str = ",") -> list[int]:
    """The 1-based physical line on which each record of CSV *text* starts, header excluded.

    A quoted cell may span lines, so record *n* is not always on line *n* + 1; blank lines are
    skipped, as :func:`pandas.read_csv` skips them.

    Examples
    --------
    >>> record_lines('name,note\\nZoë,"two\\nlines"\\n\\nÅse,x\\n')
    [2, 5]
    """

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
    if field_text(contacts.at[label, key]) != field_text(name):
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
        frame[column] = frame[column].map(field_text).astype(object)
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
    etiquette_lab.errors.LocatedInputError: field 'project': recipient 'Nils Moe' ...
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
            f"recipient {field_text(contacts.at[label, key])!r} has no value "
            f"(used by {needed[name]}){more}",
            path=path, line=contact_line(contacts, label)[1], field=name,
        )  # fmt: skip
