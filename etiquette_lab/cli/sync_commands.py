"""The sync command: let your LinkedIn export and your mailbox fill in the log's outcomes."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(subparsers: Any) -> None:
    from .help_text import epilog

    sync = subparsers.add_parser(
        "sync",
        help="find the outcomes your LinkedIn export and mailbox show (a dry run unless --write)",
        description="For every open request of LOG, look for the answer (or the bounce) in "
        "LinkedIn's data export and in mbox files, and print what would be logged, with the "
        "file and row each event comes from and the rule that matched it. Requests it cannot "
        "decide (two candidates, one answer claimed twice) are listed and left to you. Nothing "
        "is written without --write; running it again adds nothing.",
        epilog=epilog(
            "etiquette-lab sync data/private/asks.csv --linkedin "
            "Basic_LinkedInDataExport_02-10-2026.zip",
            "etiquette-lab sync data/private/asks.csv --mbox Takeout/Mail/Sent.mbox "
            "--mbox Takeout/Mail/Inbox.mbox --write",
            docs="docs/sync.md",
        ),
    )
    sync.add_argument("log", metavar="LOG")
    sync.add_argument(
        "--linkedin", metavar="EXPORT", help="LinkedIn's data export: the ZIP or its folder"
    )
    sync.add_argument(
        "--mbox",
        action="append",
        default=[],
        metavar="FILE",
        help="an mbox file (Gmail Takeout, a Thunderbird folder such as Inbox and Sent); "
        "repeatable",
    )
    sync.add_argument(
        "--write", action="store_true", help="append the proposed events (default: a dry run)"
    )
    sync.add_argument(
        "--timezone",
        metavar="ZONE",
        help="your zone for times the export gives without one, e.g. Europe/Oslo "
        "(default: the machine's)",
    )
    sync.add_argument("--json", action="store_true", help="print JSON")
    sync.set_defaults(handler=_sync)


def _sync(args: argparse.Namespace) -> int:
    from ..sync import sync_log
    from .output import print_json

    result = sync_log(
        args.log,
        linkedin=args.linkedin,
        mailboxes=args.mbox,
        write=args.write,
        timezone=args.timezone,
        progress=sys.stderr.isatty() or bool(args.mbox),
    )
    if args.json:
        print_json(result.to_dict())
    else:
        print(result)
        if result.written is None and len(result.proposed):
            print(
                f"\nNothing written. To log these events: etiquette-lab sync {args.log} ... --write"
            )
    return 0
