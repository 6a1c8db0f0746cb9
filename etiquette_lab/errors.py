"""The kit's exceptions: one base class, so the command line can turn any of them into one line."""

from __future__ import annotations

__all__ = [
    "EtiquetteLabError",
    "InvalidInputError",
    "LocatedInputError",
    "LogError",
    "TornLineError",
    "UnfinishedWriteError",
]

#: How much of a value an error message quotes: enough to recognise it, never a whole file.
SHOWN_CHARACTERS = 80


class EtiquetteLabError(Exception):
    """Base class of every error the kit raises on purpose.

    The command line prints ``str(error)`` on one line and exits with code 2.
    """


class InvalidInputError(EtiquetteLabError, ValueError):
    """An argument is out of range or inconsistent (a rate above 1, an empty arm, ...)."""


class LogError(EtiquetteLabError):
    """A problem with a log file or an event, located by file, line and field.

    Parameters
    ----------
    message : str
        What is wrong, in plain words.
    path : str or None
        The file concerned.
    line : int or None
        The 1-based physical line number in that file (the header is line 1).
    field : str or None
        The column concerned.
    rejected : bool
        True for an event refused before it was written (the line it would have had).

    Examples
    --------
    >>> str(LogError("not a valid timestamp", path="log.csv", line=7, field="at"))
    "log.csv, line 7, field 'at': not a valid timestamp"
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        field: str | None = None,
        rejected: bool = False,
    ) -> None:
        self.message = message
        self.rejected = rejected  # an event refused before it was written, not a row in the file
        self.path = path
        self.line = line
        self.field = field
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.path is not None:
            where.append(str(self.path))
        if self.line is not None:
            where.append(f"line {self.line}" + (" (not written)" if self.rejected else ""))
        elif self.rejected:
            where.append("new event (not written)")
        if self.field is not None:
            where.append(f"field {self.field!r}")
        return (", ".join(where) + ": " if where else "") + self.message


class TornLineError(LogError):
    """The log's last line is incomplete: a write was cut off (crash, power loss, full disk).

    Nothing is dropped silently: :func:`etiquette_lab.repair_log` (``etiquette-lab repair``)
    moves the torn bytes to a file beside the log so that the log can be used again.
    """


class UnfinishedWriteError(TornLineError):
    """A write of several rows (an import) was cut off part-way: its rows must not count.

    :func:`etiquette_lab.repair_log` (``etiquette-lab repair``) takes the rows it wrote back
    out of the log, keeping them in a file beside it, so the write counts as never made.
    """


def shown(value: object, limit: int = SHOWN_CHARACTERS) -> str:
    """*value* as an error message quotes it: its ``repr``, cut to about *limit* characters.

    A cell can hold a whole file (a CR-only sheet is one long line; a pasted essay is one
    score): a message names it, it does not echo it.

    Examples
    --------
    >>> shown("personalized")
    "'personalized'"
    >>> shown("Zoë " * 1000, limit=12)
    "'Zoë Zoë Zoë …' (4,000 characters)"
    """
    text = value if isinstance(value, str) else str(value)
    if len(text) <= limit:
        return repr(value)
    return f"{text[:limit]!r}"[:-1] + f"…{repr(text)[0]} ({len(text):,} characters)"


class LocatedInputError(LogError, InvalidInputError):
    """Bad input in a contacts, plan or experiment file, located by file, line and field.

    Both a :class:`~etiquette_lab.errors.LogError` (its one-line form names the place) and an
    :class:`~etiquette_lab.errors.InvalidInputError` (a ValueError), so either may be caught.

    Examples
    --------
    >>> str(LocatedInputError("the 'name' column is empty", path="c.csv", line=3, field="name"))
    "c.csv, line 3, field 'name': the 'name' column is empty"
    """
