"""Commands that create, record into and read a log: new, send, respond, ..., requests, import."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

_FOLLOW_UPS = {
    "resend": ("resend", "record that the same request was sent again"),
    "remind": ("remind", "record a reminder"),
    "withdraw": ("withdraw", "record that a request was withdrawn"),
    "thank": ("thank", "record that you thanked the person"),
}


def register(subparsers: Any) -> None:
    from .help_text import epilog

    new = subparsers.add_parser(
        "new",
        help="create a new log file",
        description="Create a new, empty log file.",
        epilog=epilog(
            "etiquette-lab new data/private/asks.csv --variants default,personalised",
            "etiquette-lab new data/private/asks.csv --experiment wording-2026 "
            "--variants default,personalised",
            docs="README.md and docs/log-format.md (keep logs in data/private/)",
        ),
    )
    new.add_argument("log", metavar="LOG", help="path of the CSV log to create")
    new.add_argument("--experiment", default="", help="experiment name (sends default to it)")
    new.add_argument(
        "--variants",
        help="comma-separated wordings, e.g. default,personalised; "
        "a send with any other spelling is then rejected",
    )
    new.set_defaults(handler=_new)

    send = subparsers.add_parser(
        "send",
        help="record a request you sent (prints its id)",
        description="Record a request you sent; prints the request id.",
        epilog=epilog(
            'etiquette-lab send data/private/asks.csv --to "Ørjan Berg" --variant default',
            'etiquette-lab send data/private/asks.csv --to "Zoë Lind" --variant personalised '
            "--message-file zoe.txt",
            docs='docs/log-format.md ("Events and their rules")',
        ),
    )
    send.add_argument("log", metavar="LOG")
    send.add_argument("--to", required=True, metavar="NAME", help="the recipient")
    send.add_argument("--variant", required=True, help="the wording used, e.g. personalised")
    send.add_argument(
        "--kind",
        default="recommendation",
        help="recommendation (default), connection, informational interview, endorsement, "
        "cold email (any capitalisation)",
    )
    send.add_argument("--channel", default="linkedin", help="linkedin (default), email, ...")
    text = send.add_mutually_exclusive_group()
    text.add_argument("--message", help="the message text as sent")
    text.add_argument("--message-file", metavar="FILE", help="read the message text from FILE")
    send.add_argument("--stratum", default="", help="e.g. close colleague / acquaintance")
    send.add_argument("--experiment", help="experiment name (default: the log's)")
    send.add_argument(
        "--profile-url",
        default="",
        metavar="URL",
        help="their LinkedIn profile, e.g. https://www.linkedin.com/in/zoe-lind-1a2b: "
        "'sync' then finds them by it before the name",
    )
    send.add_argument(
        "--email", default="", metavar="ADDRESS", help="their e-mail address (as --profile-url)"
    )
    send.add_argument(
        "--pseudonymise",
        action="store_true",
        help="store a keyed pseudonym instead of the name (and of the profile URL and address) "
        "and leave the message text out of the log (it names the person); a --note is still "
        "stored as typed "
        "(key: $ETIQUETTE_LAB_KEY or ~/.config/etiquette-lab/pseudonym.key)",
    )
    _add_common(send)
    send.set_defaults(handler=_send)

    for name, (_, help_text) in _FOLLOW_UPS.items():
        when = "" if name == "resend" else "; when to do it: docs/etiquette.md"
        follow = subparsers.add_parser(
            name,
            help=help_text,
            description=help_text.capitalize(),
            epilog=epilog(
                f"etiquette-lab {name} data/private/asks.csv r0001",
                f"etiquette-lab {name} data/private/asks.csv r0001 --at 2026-11-16T09:00",
                docs=f"docs/log-format.md{when}",
            ),
        )
        follow.add_argument("log", metavar="LOG")
        follow.add_argument("request_id", metavar="REQUEST_ID")
        _add_common(follow)
        follow.set_defaults(handler=_follow_up, action=name)

    respond = subparsers.add_parser(
        "respond",
        help="record a response",
        description="Record a response to a request.",
        epilog=epilog(
            "etiquette-lab respond data/private/asks.csv r0002 --outcome recommended",
            "etiquette-lab respond data/private/asks.csv r0003 --outcome declined --at 2026-11-04",
            docs='docs/log-format.md ("Events and their rules")',
        ),
    )
    respond.add_argument("log", metavar="LOG")
    respond.add_argument("request_id", metavar="REQUEST_ID")
    respond.add_argument(
        "--outcome",
        help="recommended, accepted, endorsed, replied, declined (default follows the "
        "request's kind)",
    )
    respond.add_argument(
        "--new-outcome",
        action="store_true",
        help="accept an outcome the kit does not know (default: refused as a likely typo)",
    )
    _add_common(respond)
    respond.set_defaults(handler=_respond)

    table = subparsers.add_parser(
        "requests",
        help="print the table of requests",
        description="Print one row per request.",
        epilog=epilog(
            "etiquette-lab requests data/examples/example_log.csv",
            "etiquette-lab requests data/private/asks.csv --csv",
            docs='docs/log-format.md ("The table of requests")',
        ),
    )
    table.add_argument("log", metavar="LOG")
    fmt = table.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print JSON")
    fmt.add_argument(
        "--csv",
        action="store_true",
        help="print CSV; text a spreadsheet would run as a formula (=, +, -, @) is prefixed "
        "with ' so that it shows as typed",
    )
    table.set_defaults(handler=_requests)

    imp = subparsers.add_parser(
        "import",
        help="import a spreadsheet with one row per request, or your history (--linkedin, --mbox)",
        description="Append one request per row of a CSV table (columns such as Name, Variant, "
        "Date sent, Responded, Outcome are found by name). With --linkedin EXPORT or --mbox "
        "FILE instead of a table: turn your past invitations, messages or sent mails into the "
        "sends of an observational experiment (a dry run unless --write).",
        epilog=epilog(
            "etiquette-lab import sheet.csv data/private/asks.csv --dayfirst",
            "etiquette-lab import --linkedin Basic_LinkedInDataExport_02-10-2026.zip "
            "data/private/asks.csv --experiment history-2025",
            docs='docs/log-format.md ("Importing a spreadsheet"), docs/sync.md ("Your history '
            'as an observational experiment")',
        ),
    )
    imp.add_argument("table", metavar="TABLE", nargs="?", help="CSV file, one row per request")
    imp.add_argument(
        "log", metavar="LOG", nargs="?", help="the log to append to (created if missing)"
    )
    from .sync_commands import add_history_arguments

    add_history_arguments(imp)
    imp.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="FIELD=NAME",
        help="name a column explicitly, e.g. --column recipient=Who (repeatable)",
    )
    order = imp.add_mutually_exclusive_group()
    order.add_argument(
        "--dayfirst",
        dest="dayfirst",
        action="store_true",
        default=None,
        help="numeric dates are day first (03/11/2026 = 3 November)",
    )
    order.add_argument(
        "--monthfirst",
        dest="dayfirst",
        action="store_false",
        help="numeric dates are month first (03/11/2026 = 11 March)",
    )
    imp.add_argument(
        "--allow-repeat",
        action="store_true",
        help="import rows the log already has (same person, wording and time)",
    )
    imp.add_argument(
        "--new-outcome",
        action="store_true",
        help="accept outcomes the kit does not know (default: refused as typos)",
    )
    imp.add_argument(
        "--kind",
        help="for rows without a kind (default recommendation); with --linkedin --messages or "
        "--mbox: the kind of those requests (default message, cold email)",
    )
    imp.add_argument("--channel", default="linkedin", help="for rows without a channel")
    imp.add_argument("--variants", help="when creating LOG: its declared variants")
    imp.add_argument(
        "--pseudonymise",
        action="store_true",
        help="store keyed pseudonyms instead of names, and leave the sheet's message and note "
        "columns out of the log (they may name the person)",
    )
    imp.set_defaults(handler=_import)

    pseudo = subparsers.add_parser(
        "pseudonym",
        help="print the pseudonym of a name",
        description="Print the keyed pseudonym a name is stored as.",
        epilog=epilog('etiquette-lab pseudonym "Zoë Lind"', docs='docs/log-format.md ("Privacy")'),
    )
    pseudo.add_argument("name", metavar="NAME")
    pseudo.set_defaults(handler=_pseudonym)

    repair = subparsers.add_parser(
        "repair",
        help="move what a crash left unfinished aside (a torn last line, a cut-off import)",
        description="If the log's last line was cut off by a crash, move it to a file beside "
        "the log so the log can be used again; if an import (or another write of several "
        "rows) was cut off part-way, take all of its rows back. Nothing else is changed.",
        epilog=epilog(
            "etiquette-lab repair data/private/asks.csv",
            docs='docs/log-format.md ("Concurrency and crashes")',
        ),
    )
    repair.add_argument("log", metavar="LOG")
    repair.set_defaults(handler=_repair)

    declare = subparsers.add_parser(
        "declare",
        help="declare a new experiment and its wordings in a log",
        description="Declare an experiment and its wordings in an existing log; sends naming "
        "it (--experiment NAME) are then checked against them.",
        epilog=epilog(
            "etiquette-lab declare data/private/asks.csv --experiment connections "
            "--variants short,long",
            docs='docs/log-format.md ("Events and their rules")',
        ),
    )
    declare.add_argument("log", metavar="LOG")
    declare.add_argument("--experiment", required=True, help="the experiment's name")
    declare.add_argument(
        "--variants", required=True, help="comma-separated wordings, e.g. default,personalised"
    )
    declare.add_argument("--at", metavar="TIME", help="when (default: now)")
    declare.add_argument(
        "--observational",
        action="store_true",
        help="the wordings were not assigned at random (your history, imported): every "
        "report on it then says the comparison is not a randomised experiment",
    )
    declare.set_defaults(handler=_declare)


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--at",
        metavar="TIME",
        help="when it happened, ISO 8601 (default: now; no zone = local time)",
    )
    parser.add_argument(
        "--note",
        default="",
        help="a free-text note, stored as typed (also with --pseudonymise: do not name anyone)",
    )


def _new(args: argparse.Namespace) -> int:
    from ..log.file import create_log

    variants = [v for v in (args.variants or "").split(",") if v.strip()] or None
    log = create_log(args.log, experiment=args.experiment, variants=variants)
    declared = f" with variants {', '.join(variants)}" if variants else ""
    print(f"created {log.path}{declared}")
    return 0


def _send(args: argparse.Namespace) -> int:
    from ..log.file import LogFile
    from ..log.format import canonical_kind

    message = args.message or ""
    if args.message_file:
        message = _read_message_file(args.message_file)
    recipient, profile_url, email = args.to, args.profile_url, args.email
    if args.pseudonymise:
        from ..log.contact import check_contacts
        from ..log.privacy import check_not_named, pseudonymise, pseudonymise_contact

        check_not_named(args.to, {"stratum": args.stratum, "note": args.note})
        key = _pseudonym_key()
        recipient = pseudonymise(recipient, key)
        # (checked as typed first: a pseudonym would hide a typo)
        check_contacts(args.log, profile_url=profile_url, email=email)
        profile_url = pseudonymise_contact("profile_url", profile_url, key)
        email = pseudonymise_contact("email", email, key)
        message = ""  # "Hi Ada Lovelace, ..." would undo the pseudonym
    # LogFile, not open_log: recording one event reads only what it must (log_index).
    request_id = LogFile(args.log).send(
        recipient,
        args.variant,
        kind=canonical_kind(args.kind),
        channel=args.channel,
        message=message,
        at=args.at,
        experiment=args.experiment,
        stratum=args.stratum,
        note=args.note,
        profile_url=profile_url,
        email=email,
    )
    print(request_id)
    return 0


def _read_message_file(path: str) -> str:
    """A message from a file: a regular file, UTF-8, no larger than a cell may be."""
    from ..log.file import MAX_CELL_CHARACTERS
    from ..userfiles import decode_text, read_limited

    # Four bytes a character at most in UTF-8: the log then counts the characters.
    data = read_limited(path, what="message file", limit=4 * MAX_CELL_CHARACTERS)
    return decode_text(data, path=path, what="message file")


def _pseudonym_key() -> bytes:
    """The pseudonym key; creating it says so once, where it is and why to keep it."""
    from ..log.privacy import load_pseudonym_key

    return load_pseudonym_key(
        announce=lambda text: print(f"etiquette-lab: {text}", file=sys.stderr)
    )


# action -> (what the confirmation says, the event it records)
_DONE = {
    "resend": ("sent again", "resent"),
    "remind": ("reminded", "reminded"),
    "withdraw": ("withdrawn", "withdrawn"),
    "thank": ("thanked", "thanked"),
}


def _follow_up(args: argparse.Namespace) -> int:
    from ..log.file import LogFile

    log = LogFile(args.log)  # (as _send: not reading every event)
    getattr(log, args.action)(args.request_id, at=args.at, note=args.note)
    _confirm(log, args.request_id, *_DONE[args.action])
    return 0


def _respond(args: argparse.Namespace) -> int:
    from ..log.file import LogFile

    log = LogFile(args.log)  # (as _send: not reading every event)
    log.respond(
        args.request_id,
        outcome=args.outcome,
        at=args.at,
        note=args.note,
        new_outcome=args.new_outcome,
    )
    _confirm(log, args.request_id, "responded", "responded")
    return 0


def _confirm(log: Any, request_id: str, what: str, event_type: str) -> None:
    """One line saying what was recorded, with the time as stored (the default is now)."""
    import pandas as pd

    # The row this command wrote, as written: not the log's last row (another writer may have
    # appended since), and without reading the log back.
    (row,) = log._written_rows
    outcome = f" ({row['outcome']})" if event_type == "responded" else ""
    when = pd.Timestamp(row["at"]).tz_convert(_local_zone()).strftime("%Y-%m-%d %H:%M")
    print(f"{request_id}: {what}{outcome} at {when}")


def _requests(args: argparse.Namespace) -> int:
    from ..csvsafe import frame_to_csv
    from ..log.file import read_requests
    from ..text_table import UtcIsoColumns, frame_to_text
    from .output import print_json

    table = read_requests(args.log)
    if args.json:
        print_json(table.to_dict(orient="records"))
    elif args.csv:
        # Times as ISO 8601 (isoformat), text a spreadsheet would run neutralised, as the CSV
        # is written.
        times = dict.fromkeys(table.select_dtypes("datetimetz").columns, UtcIsoColumns())
        for text in frame_to_csv(table, lineterminator=os.linesep, neutralise=True, as_text=times):
            sys.stdout.write(text)
    elif table.empty:
        print("no requests logged yet")
    else:
        print(frame_to_text(_readable(table), index=False))
    return 0


def _readable(table: Any) -> Any:
    """The columns a person scans, times shown as local dates and times; the experiment too
    when the log holds more than one (the analysis then asks which)."""
    from ..text_table import local_minutes_text

    several = table["experiment"].nunique() > 1
    shown = table[
        [
            "request_id",
            *(["experiment"] if several else []),
            "recipient",
            "variant",
            "kind",
            "first_sent_at",
            "sends",
            "reminders",
            "withdrawn_at",
            "first_response_at",
            "outcome",
        ]
    ].copy()
    for column in ("first_sent_at", "withdrawn_at", "first_response_at"):
        shown[column] = local_minutes_text(shown[column], _local_zone(), na_rep="-")
    shown["outcome"] = shown["outcome"].fillna("-")
    return shown.rename(
        columns={
            "request_id": "id",
            "first_sent_at": "sent",
            "withdrawn_at": "withdrawn",
            "first_response_at": "responded",
        }
    )


def _local_zone() -> Any:
    # The machine's zone with its daylight-saving rules (not today's fixed offset), so a
    # summer time shows as it was typed in winter.
    from dateutil.tz import tzlocal

    return tzlocal()


def _import(args: argparse.Namespace) -> int:
    from ..errors import InvalidInputError
    from ..log.file import building_log, open_log
    from ..log.importing import import_requests

    if args.linkedin or args.mbox:
        from .sync_commands import import_history_command

        return import_history_command(args)
    if args.table is None or args.log is None:
        raise InvalidInputError(
            "import needs a TABLE and a LOG (or --linkedin EXPORT / --mbox FILE and a LOG)"
        )
    history_only = [o for o, v in (("--experiment", args.experiment), ("--messages", args.messages),
                    ("--wording-rule", args.wording_rule), ("--write", args.write),
                    ("--timezone", args.timezone), ("--my-address", args.my_address),
                    ("--json", args.json)) if v]  # fmt: skip
    if history_only:
        raise InvalidInputError(
            f"{history_only[0]} is for importing your history (--linkedin or --mbox), not a "
            "spreadsheet"
        )
    columns = {}
    for item in args.column:
        field, sep, name = item.partition("=")
        if not sep or not field or not name:
            raise InvalidInputError(f"--column {item!r}: use FIELD=NAME, e.g. recipient=Who")
        columns[field.strip()] = name
    key = _pseudonym_key() if args.pseudonymise else None

    def run(log: Any) -> list[str]:
        return import_requests(
            args.table, log, columns=columns, dayfirst=args.dayfirst,
            kind=args.kind or "recommendation",
            channel=args.channel, pseudonym_key=key, allow_repeat=args.allow_repeat,
            new_outcomes=args.new_outcome,
        )  # fmt: skip

    if os.path.lexists(args.log):
        log = open_log(args.log)
        ids = run(log)
    else:
        # A new log appears only once every row is in it: a bad row, a crash or Ctrl-C
        # leaves nothing, and no other command can write into it half-made.
        variants = [v for v in (args.variants or "").split(",") if v.strip()] or None
        with building_log(args.log, variants=variants) as log:
            ids = run(log)
    count = f"{len(ids)} request{'s' if len(ids) != 1 else ''}"
    span = ids[0] if len(ids) == 1 else f"{ids[0]} to {ids[-1]}"
    print(f"imported {count} ({span}) into {log.path}")
    return 0


def _pseudonym(args: argparse.Namespace) -> int:
    from ..log.privacy import load_pseudonym_key, pseudonymise

    print(pseudonymise(args.name, load_pseudonym_key()))
    return 0


def _repair(args: argparse.Namespace) -> int:
    from ..log.repair import repair_log

    repair = repair_log(args.log)
    print("the log needed no repair; nothing changed" if repair is None else str(repair))
    return 0


def _declare(args: argparse.Namespace) -> int:
    from ..log.file import LogFile

    variants = [v for v in args.variants.split(",") if v.strip()]
    assignment = "observational" if args.observational else ""
    LogFile(args.log).declare(args.experiment, variants, at=args.at, assignment=assignment)
    kind = " (observational: not randomised)" if args.observational else ""
    print(f"declared experiment {args.experiment!r}{kind} with variants {', '.join(variants)}")
    return 0
