"""A small TOML writer for the experiment file: text, numbers, booleans and flat arrays.

Only what the schema needs. Text with line breaks becomes a multi-line basic string, so that a
template stays readable and editable in the file; everything else TOML would misread is escaped.
Reading back is :mod:`tomllib`'s job, which the tests use as the independent judge.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from ..errors import InvalidInputError

__all__: list[str] = []


def toml_value(value: Any) -> str:
    """*value* as TOML text.

    Examples
    --------
    >>> print(toml_value('Say "hi"'), toml_value(7.0), toml_value(["a", 1]))
    "Say \\"hi\\"" 7.0 ["a", 1]
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidInputError(f"cannot write the non-finite number {value!r}")
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, Sequence):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise InvalidInputError(f"cannot write {type(value).__name__} values to an experiment file")


def _toml_string(text: str) -> str:
    """A TOML basic string; multi-line text becomes a readable multi-line basic string."""
    escaped = "".join(_escape(ch, multiline="\n" in text) for ch in text)
    if "\n" in text:
        # The newline right after the opening quotes is dropped by TOML readers.
        return '"""\n' + escaped + '"""'
    return '"' + escaped + '"'


def _escape(ch: str, *, multiline: bool) -> str:
    if ch == "\\":
        return "\\\\"
    if ch == '"':
        return '\\"'
    if ch == "\n" and multiline:
        return "\n"
    if ch == "\t":
        return "\\t"
    if ord(ch) < 0x20 or ord(ch) == 0x7F:
        return f"\\u{ord(ch):04X}"
    return ch
