"""The sync command: let your LinkedIn export and your mailbox fill in the log's outcomes; and
``import --linkedin`` / ``import --mbox``: your history as an observational experiment."""

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


def add_history_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``import`` that read your history instead of a spreadsheet."""
    history = parser.add_argument_group(
        "your history (instead of TABLE: import --linkedin EXPORT LOG or --mbox FILE LOG)"
    )
    history.add_argument(
        "--linkedin",
        metavar="EXPORT",
        help="LinkedIn's data export (ZIP or folder): its outgoing invitations (with "
        "--messages: the messages of yours that open a conversation)",
    )
    history.add_argument(
        "--messages", action="store_true", help="with --linkedin: messages.csv, not invitations"
    )
    history.add_argument(
        "--mbox",
        action="append",
        default=[],
        metavar="FILE",
        help="an mbox file: your mails that start a thread with one person (repeatable; give "
        "your Inbox too, so that sync finds the replies)",
    )
    history.add_argument(
        "--experiment", help="the observational experiment to log them in, e.g. history-2025"
    )
    history.add_argument(
        "--wording-rule",
        metavar="RULE",
        help="which sends had a note: note (the text is not empty; invitations' default), "
        "longer:N (more than N characters; messages' and mails' default longer:300) or "
        "contains:TEXT (e.g. 'contains:{first_name}')",
    )
    history.add_argument(
        "--my-address",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="your e-mail address (default: learned from your sent-mail folder); repeatable",
    )
    history.add_argument(
        "--timezone", metavar="ZONE", help="your zone for times the export gives without one"
    )
    history.add_argument(
        "--write", action="store_true", help="append the sends (default: a dry run)"
    )
    history.add_argument("--json", action="store_true", help="print JSON")


def import_history_command(args: argparse.Namespace) -> int:
    from ..errors import InvalidInputError
    from ..sync import import_history
    from .output import print_json

    log = args.log if args.log is not None else args.table
    if log is None or (args.table is not None and args.log is not None):
        raise InvalidInputError(
            "import --linkedin EXPORT LOG (or --mbox FILE LOG) takes the log only, no TABLE"
        )
    spreadsheet_only = [o for o, v in (("--column", args.column), ("--dayfirst/--monthfirst",
                        args.dayfirst is not None), ("--allow-repeat", args.allow_repeat),
                        ("--new-outcome", args.new_outcome), ("--variants", args.variants),
                        ("--channel", args.channel != "linkedin")) if v]  # fmt: skip
    if spreadsheet_only:
        raise InvalidInputError(f"{spreadsheet_only[0]} is for importing a spreadsheet")
    if args.messages and not args.linkedin:
        raise InvalidInputError(
            "--messages reads messages.csv of a LinkedIn export: add --linkedin"
        )
    if not args.experiment:
        raise InvalidInputError(
            "name the observational experiment to import into, e.g. --experiment history-2025"
        )
    result = import_history(
        log,
        args.experiment,
        linkedin=args.linkedin,
        messages=args.messages,
        mailboxes=args.mbox,
        wording_rule=args.wording_rule,
        kind=args.kind,
        my_addresses=args.my_address or None,
        timezone=args.timezone,
        pseudonymise=args.pseudonymise,
        write=args.write,
        progress=sys.stderr.isatty() or bool(args.mbox),
    )
    if args.json:
        print_json(result.to_dict())
    else:
        print(result)
        if result.written is None and len(result.sends):
            print(f"\nNothing written. To log these sends: etiquette-lab import ... {log} --write")
    return 0
