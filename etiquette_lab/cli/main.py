"""Parser, dispatch and error handling of the command line.

Each command group lives in its own module with a ``register(subparsers)`` function; handlers
import the API inside their bodies so that ``etiquette-lab --help`` stays fast.
Exit codes: 0 success, 1 findings (``check``), 2 bad input of any kind (one line on stderr).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

__all__ = ["build_parser", "main", "os_error_text"]

from .. import __version__

# Command modules, in the order their commands appear in --help.
_COMMAND_MODULES: tuple[str, ...] = (
    "log_commands",
    "stats_commands",
    "plan_commands",
    "design_commands",
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line and exit 2, like every other bad input
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="etiquette-lab",
        description="Log outreach requests and compare how wordings are answered, honestly.",
    )
    parser.add_argument("--version", action="version", version=f"etiquette-lab {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    subparsers.required = True
    for module_name in _COMMAND_MODULES:
        importlib.import_module(f"{__package__}.{module_name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (also used by the console script)."""
    from ..errors import EtiquetteLabError

    parser = build_parser()
    args = parser.parse_args(_negative_values_joined(sys.argv[1:] if argv is None else argv))
    try:
        code = args.handler(args)
    except EtiquetteLabError as error:
        return _fail(str(error))
    except (BrokenPipeError, KeyboardInterrupt):
        return 130
    except OSError as error:  # a folder given as a file, no permission, a full disk, ...
        return _fail(os_error_text(error))
    except UnicodeDecodeError as error:  # a reader that did not name its file
        return _fail(f"a file is not UTF-8 text ({error.reason} at byte {error.start})")
    return int(code or 0)


def _negative_values_joined(argv: Sequence[str]) -> list[str]:
    """``--window -1d`` as ``--window=-1d``: argparse takes a value that starts with ``-`` for
    an option and says only "expected one argument"; given as the value, the command can say
    what is wrong with it (no option of the kit looks like ``-1``)."""
    joined: list[str] = []
    for token in argv:
        if joined and joined[-1].startswith("--") and "=" not in joined[-1] and token[:2] in _NEG:
            joined[-1] = f"{joined[-1]}={token}"
        else:
            joined.append(token)
    return joined


_NEG = {f"-{digit}" for digit in "0123456789"} | {"-."}


def _fail(message: str) -> int:
    # One line, whatever the message holds: a file name or a sheet's cell may contain a newline.
    one_line = message.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    print(f"etiquette-lab: error: {one_line}", file=sys.stderr)
    return 2


def os_error_text(error: OSError) -> str:
    """``<filename>: <strerror>``, the way the shell reports a file it cannot use.

    Examples
    --------
    >>> os_error_text(IsADirectoryError(21, "Is a directory", "plans"))
    'plans: Is a directory'
    >>> os_error_text(OSError("disk on fire"))
    'disk on fire'
    """
    if error.strerror is None:
        return str(error)
    names = [str(n) for n in (error.filename, error.filename2) if n is not None]
    return ": ".join([" -> ".join(names), error.strerror] if names else [error.strerror])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
