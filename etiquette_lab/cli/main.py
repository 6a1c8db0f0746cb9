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
    args = parser.parse_args(argv)
    try:
        code = args.handler(args)
    except EtiquetteLabError as error:
        print(f"etiquette-lab: error: {error}", file=sys.stderr)
        return 2
    except (BrokenPipeError, KeyboardInterrupt):
        return 130
    return int(code or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
