"""Commands that design and follow up an experiment: assign, send-planned, todo, check."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import Any

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``assign``, ``send-planned``, ``todo`` and ``check`` commands."""
    from .help_text import epilog

    assign = subparsers.add_parser(
        "assign",
        help="assign wordings at random and render every message (a plan CSV)",
        description="Validate the contacts, assign each person a wording by seeded block "
        "randomisation (balanced within strata) and render their message with its "
        "personalisation score. Writes the plan as CSV, ready to send and log.",
        epilog=epilog(
            "etiquette-lab assign data/examples/experiment.toml data/examples/contacts.csv "
            "--out data/private/plan.csv",
            "etiquette-lab assign experiment.toml contacts.csv --out plan.csv --log asks.csv",
            docs='docs/experiment-file.md ("Random assignment")',
        ),
    )
    assign.add_argument("experiment", metavar="EXPERIMENT", help="experiment file (TOML)")
    assign.add_argument("contacts", metavar="CONTACTS", help="contacts CSV, one row per person")
    assign.add_argument("--out", metavar="FILE", help="write the plan here (default: stdout)")
    assign.add_argument("--key", default="name", help="the column naming each person (name)")
    locked = assign.add_mutually_exclusive_group()
    locked.add_argument(
        "--previous", metavar="PLAN", help="an earlier plan: those people keep their wording"
    )
    locked.add_argument(
        "--log", metavar="LOG", help="a log: people already sent to keep their wording"
    )
    assign.add_argument("--json", action="store_true", help="print the plan as JSON")
    assign.set_defaults(handler=_assign)

    sent = subparsers.add_parser(
        "send-planned",
        help="record planned messages as sent (all, or --to NAME one by one)",
        description="Record messages of a plan (from 'assign') as sends in a log, with their "
        "variant, stratum, assignment and personalisation score.",
        epilog=epilog(
            "etiquette-lab send-planned data/private/plan.csv data/private/asks.csv "
            '--to "Ørjan Fjelltopp"',
            "etiquette-lab send-planned data/private/plan.csv data/private/asks.csv",
            docs='docs/experiment-file.md ("From file to sends")',
        ),
    )
    sent.add_argument("plan", metavar="PLAN", help="plan CSV written by 'assign --out'")
    sent.add_argument("log", metavar="LOG", help="the log to record into")
    sent.add_argument("--to", action="append", metavar="NAME", help="only this person (repeatable)")
    sent.add_argument("--at", help="when they were sent (ISO 8601; default now)")
    sent.add_argument(
        "--allow-repeat", action="store_true", help="record even if already in the log"
    )
    sent.add_argument(
        "--pseudonymise",
        action="store_true",
        help="store keyed pseudonyms instead of names, and leave the (personal) message text "
        "out of the log; the score is kept",
    )
    sent.set_defaults(handler=_send_planned)

    todo = subparsers.add_parser(
        "todo",
        help="who to thank, who to remind, what to withdraw",
        description="The to-do list the article's etiquette implies, as of a date.",
        epilog=epilog(
            "etiquette-lab todo data/private/asks.csv",
            "etiquette-lab todo data/examples/example_log.csv --as-of 2026-02-01 "
            "--experiment data/examples/experiment.toml",
            docs="docs/etiquette.md and docs/sequential.md",
        ),
    )
    _add_log_options(todo)
    todo.add_argument(
        "--experiment",
        action="append",
        default=[],
        metavar="FILE",
        help="experiment file; with a [monitoring] table, say when its next look is due "
        "(repeatable)",
    )
    todo.set_defaults(handler=_todo)

    check = subparsers.add_parser(
        "check",
        help="check a log against the article's etiquette (exit 1 on findings)",
        description="Run every etiquette check (see docs/etiquette.md). Exit code 0 when "
        "clean, 1 when there are findings, 2 on bad input.",
        epilog=epilog(
            "etiquette-lab check data/private/asks.csv --experiment data/examples/experiment.toml",
            "etiquette-lab check data/examples/example_log.csv --as-of 2026-02-01 "
            "--set remind_after_days=10",
            docs="docs/etiquette.md",
        ),
    )
    _add_log_options(check)
    check.add_argument(
        "--experiment",
        action="append",
        default=[],
        metavar="FILE",
        help="experiment file whose control arm may use the default wording (repeatable)",
    )
    check.set_defaults(handler=_check)


def _add_log_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("log", metavar="LOG", help="the request log (CSV)")
    parser.add_argument(
        "--as-of", metavar="DATE", help="look from this date or time (default now; a date "
        "means the end of that day)",
    )  # fmt: skip
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="change a threshold, e.g. --set remind_after_days=10 (repeatable)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")


def _settings(pairs: list[str]) -> Any:
    from ..errors import InvalidInputError
    from ..followup.etiquette import EtiquetteSettings

    fields = {f.name: f for f in dataclasses.fields(EtiquetteSettings)}
    values: dict[str, Any] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or name not in fields:
            raise InvalidInputError(
                f"--set {pair!r}: use NAME=VALUE with NAME one of {', '.join(fields)}"
            )
        default = fields[name].default
        assert default is not dataclasses.MISSING  # (every setting has a default)
        try:
            if isinstance(default, tuple):
                values[name] = tuple(v.strip() for v in text.split(",") if v.strip())
            else:
                values[name] = type(default)(text.strip())
        except ValueError:
            raise InvalidInputError(
                f"--set {pair!r}: {text!r} is not a {type(default).__name__}"
            ) from None
    return EtiquetteSettings(**values)


def _assign(args: argparse.Namespace) -> int:
    from ..design.messages import (
        assignment_balance,
        load_experiment,
        plan_messages,
        read_contacts,
        read_plan,
        write_plan,
    )
    from .output import print_json

    experiment = load_experiment(args.experiment)
    contacts = read_contacts(args.contacts, key=args.key)
    previous = None
    if args.previous:
        previous = read_plan(args.previous)
    elif args.log:
        from ..log.file import read_requests

        previous = read_requests(args.log)
    plan = plan_messages(experiment, contacts, key=args.key, previous=previous)
    if args.json:
        print_json(plan)
        return 0
    if not args.out:
        write_plan(plan, sys.stdout)
        return 0
    write_plan(plan, args.out)
    print(f"{len(plan)} messages for experiment {experiment.name!r} written to {args.out}")
    print(assignment_balance(plan, variants=experiment.variant_names).to_string())
    return 0


def _send_planned(args: argparse.Namespace) -> int:
    from ..design.messages import log_messages, planned_sends, read_plan
    from ..log.file import open_log

    key = None
    if args.pseudonymise:
        from ..log.privacy import load_pseudonym_key

        key = load_pseudonym_key()
    plan = read_plan(args.plan)
    # The plan's problems first: they are what the user is fixing, whatever the log's state.
    planned_sends(plan, recipients=args.to, pseudonym_key=key)
    ids = log_messages(
        open_log(args.log),
        plan,
        recipients=args.to,
        at=args.at,
        allow_repeat=args.allow_repeat,
        pseudonym_key=key,
    )
    print("\n".join(ids))
    return 0


def _todo(args: argparse.Namespace) -> int:
    from ..followup.etiquette import todo_list
    from .output import print_result

    experiments = []
    if args.experiment:  # (the design module is imported only when it is needed)
        from ..design.messages import load_experiment

        experiments = [load_experiment(path) for path in args.experiment]
    result = todo_list(
        args.log,
        as_of=args.as_of,
        settings=_settings(args.set),
        experiments=experiments,
        log_name=args.log,
    )
    print_result(result, as_json=args.json)
    return 0


def _check(args: argparse.Namespace) -> int:
    from ..followup.etiquette import check_etiquette
    from .output import print_result

    controls = {}
    if args.experiment:  # (the design module is imported only when it is needed)
        from ..design.messages import load_experiment

        controls = {e.name: e.control for e in map(load_experiment, args.experiment)}
    report = check_etiquette(
        args.log, as_of=args.as_of, settings=_settings(args.set), controls=controls or None
    )
    print_result(report, as_json=args.json)
    return 0 if report.ok else 1
