"""The one error of the readers: bad input located by file and line, or by mailbox message."""

from __future__ import annotations

from ..errors import LocatedInputError

__all__ = ["SyncInputError"]


class SyncInputError(LocatedInputError):
    """A LinkedIn export or a mailbox the kit cannot read, named by file and line or message.

    Both a :class:`~etiquette_lab.errors.LogError` and an
    :class:`~etiquette_lab.errors.InvalidInputError`, so the command line prints it on one line
    and exits with code 2.

    Examples
    --------
    >>> str(SyncInputError("no headers", path="Inbox", message_number=12))
    'Inbox, message 12: no headers'
    >>> str(SyncInputError("not a date", path="export.zip/Connections.csv", line=9,
    ...                    field="Connected On"))
    "export.zip/Connections.csv, line 9, field 'Connected On': not a date"
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        field: str | None = None,
        message_number: int | None = None,
    ) -> None:
        self.message_number = message_number  # set first: the base class renders on init
        super().__init__(message, path=path, line=line, field=field)

    def _render(self) -> str:
        text = super()._render()
        if self.message_number is None:
            return text
        where = f"message {self.message_number}"
        if self.path is not None and text.startswith(f"{self.path}: "):
            return f"{self.path}, {where}: {text[len(self.path) + 2 :]}"
        return f"{where}: {text}"
