"""Parser, dispatch and error handling of the command line.

Each command group lives in its own module with a ``register(subparsers)`` function; handlers
import the API inside their bodies so that ``etiquette-lab --help`` stays fast.
Exit codes: 0 success, 1 findings (``check``), 2 bad input of any kind (one line on stderr).
Without a command the full help is printed (on stdout, so that it can be paged) and the exit
code is 2, as for any other call that did nothing. Every command's ``--help`` ends with examples
and the doc that explains it.

The API's error messages name keyword arguments, the Python user's words ("say so with
new_outcome=True"); :func:`command_line_message` rewrites them in the command line's words
("say so with --new-outcome") through the one table :data:`PYTHON_TO_COMMAND_LINE`, so that one
message serves both. ``tests/test_cli_messages.py`` fails when a message raised anywhere in the
package names a Python option the table cannot translate.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

__all__ = [
    "PYTHON_TO_COMMAND_LINE",
    "build_parser",
    "command_line_message",
    "main",
    "os_error_text",
]

from .. import __version__
from .help_text import HelpFormatter, epilog

# Command modules, in the order their commands appear in --help.
_COMMAND_MODULES: tuple[str, ...] = (
    "log_commands",
    "sync_commands",
    "stats_commands",
    "plan_commands",
    "design_commands",
)


#: Python spelling in an API message (a regular expression) -> the command line's spelling.
#: Applied in order, each to the whole message, by :func:`command_line_message`.
PYTHON_TO_COMMAND_LINE: tuple[tuple[str, str], ...] = (
    # respond takes new_outcome=, send_many and import_requests new_outcomes=.
    (r"\bnew_outcomes?=True\b", "--new-outcome"),
    (r"\ballow_repeat=True\b", "--allow-repeat"),
    (r"\bdayfirst=True/False\b", "--dayfirst or --monthfirst"),
    (r"\btest='(fisher|boschloo|normal)'", r"--test \1"),
    (r"\bmax_n\b", "--max-n"),
    (r"\bspending='power'", "--spending power"),
    (r"\bcolumns=\{'(\w+)': 'NAME'\}", r"--column \1=NAME"),
    (r"\bvariants=\['default', 'personalised'\]", "--variants default,personalised"),
    (
        r"make a plan with plan_messages\(\) and write_plan\(\)",
        "make a plan with 'etiquette-lab assign EXPERIMENT CONTACTS --out PLAN'",
    ),
    (r"create (it|one) with create_log\(\)", r"create \1 with 'etiquette-lab new'"),
    (r"\brepair_log\(\)", "'etiquette-lab repair LOG'"),
    (r"\bexperiment=NAME\b", "--experiment NAME"),
    # import_history: its history options.
    (r"\bpseudonymise=True\b", "--pseudonymise"),
    (r"\bmessages=True\b", "--messages"),
    (r"\bexperiment=''", "--experiment ''"),
    (r"\(LogFile\.declare\)", "('etiquette-lab declare LOG --experiment NAME --variants A,B')"),
    # create_log: the command line opens a log by naming it, there is no open_log to call.
    (
        r"already exists; open it instead of creating it",
        "already exists (use it as LOG in other commands, or choose a new name)",
    ),
)


def command_line_message(message: str) -> str:
    """*message* with the Python spellings of :data:`PYTHON_TO_COMMAND_LINE` in CLI words.

    Examples
    --------
    >>> command_line_message("record another only with allow_repeat=True")
    'record another only with --allow-repeat'
    >>> command_line_message("n per arm is limited to 25; use test='fisher' for larger designs")
    'n per arm is limited to 25; use --test fisher for larger designs'
    """
    for python, command_line in PYTHON_TO_COMMAND_LINE:
        message = re.sub(python, command_line, message)
    return message


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)  # keeps the epilog's examples
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:  # one line and exit 2, like every other bad input
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="etiquette-lab",
        description="Log outreach requests and compare how wordings are answered, honestly.",
        epilog=epilog(
            "etiquette-lab compare default=1/5 personalised=4/5",
            "etiquette-lab new data/private/asks.csv --variants default,personalised",
            docs="README.md (each command's --help has its own examples and doc)",
        ),
    )
    parser.add_argument("--version", action="version", version=f"etiquette-lab {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    # Not required: without a command, main() prints the whole help instead of
    # "the following arguments are required: COMMAND".
    for module_name in _COMMAND_MODULES:
        importlib.import_module(f"{__package__}.{module_name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (also used by the console script)."""
    from ..errors import EtiquetteLabError

    parser = build_parser()
    args = parser.parse_args(_negative_values_joined(sys.argv[1:] if argv is None else argv))
    if args.command is None:
        parser.print_help()
        return 2
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


_LONGEST_ERROR = 1000


def _fail(message: str) -> int:
    # One line, whatever the message holds: a file name or a sheet's cell may contain a newline.
    one_line = command_line_message(message)
    one_line = one_line.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    if len(one_line) > _LONGEST_ERROR:  # a message quotes values cut short; this is the net
        one_line = f"{one_line[:_LONGEST_ERROR]}… ({len(one_line):,} characters)"
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
