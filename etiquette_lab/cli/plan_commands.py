"""The ``plan`` and ``power`` commands: sample size and power of a two-arm design."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["register"]


def _design_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--baseline", type=float, required=True, help="the control wording's expected rate (0-1)"
    )
    parser.add_argument(
        "--target", type=float, required=True, help="the rate hoped for with the new wording"
    )
    parser.add_argument("--alpha", type=float, default=0.05, help="significance level (0.05)")
    parser.add_argument(
        "--alternative",
        choices=("two-sided", "greater"),
        default="two-sided",
        help="'greater': test only that the new wording is answered more often",
    )
    parser.add_argument(
        "--test",
        choices=("fisher", "boschloo", "normal"),
        default="fisher",
        help="exact test (fisher, boschloo: n <= 25) or the normal approximation",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")


def register(subparsers: Any) -> None:
    """Add ``plan`` and ``power`` to the command line's sub-parsers."""
    from .help_text import epilog

    plan = subparsers.add_parser(
        "plan",
        help="how many requests per wording you need",
        description="Smallest n per wording reaching a power, by exact enumeration.",
        epilog=epilog(
            "etiquette-lab plan --baseline 0.2 --target 0.5",
            "etiquette-lab plan --baseline 0.2 --target 0.5 --alternative greater --power 0.9",
            docs='docs/planning.md ("The two sample sizes")',
        ),
    )
    _design_options(plan)
    plan.add_argument("--power", type=float, default=0.8, help="power wanted (0.8)")
    plan.add_argument("--ratio", type=float, default=1.0, help="n_new / n_control (1)")
    plan.add_argument("--max-n", type=int, default=2000, help="largest n per arm searched (2000)")
    plan.set_defaults(handler=_plan)

    power = subparsers.add_parser(
        "power",
        help="the power of a design you have in mind",
        description="Chance that the test detects the difference, by exact enumeration.",
        epilog=epilog(
            "etiquette-lab power --n 5 --baseline 0.2 --target 0.8",
            "etiquette-lab power --n 40 --n-control 20 --baseline 0.2 --target 0.5",
            docs="docs/planning.md",
        ),
    )
    power.add_argument("--n", type=int, required=True, help="requests with the new wording")
    power.add_argument(
        "--n-control", type=int, default=None, help="requests with the control (default: --n)"
    )
    _design_options(power)
    power.set_defaults(handler=_power)


def _plan(args: argparse.Namespace) -> int:
    from ..planning.power import sample_size
    from .output import print_result

    result = sample_size(
        args.baseline,
        args.target,
        power=args.power,
        alpha=args.alpha,
        alternative=args.alternative,
        test=args.test,
        ratio=args.ratio,
        max_n=args.max_n,
    )
    print_result(result, as_json=args.json)
    return 0


def _power(args: argparse.Namespace) -> int:
    from ..planning.power import exact_power
    from .output import print_result

    n_control = args.n if args.n_control is None else args.n_control
    result = exact_power(
        n_control,
        args.n,
        args.baseline,
        args.target,
        alpha=args.alpha,
        alternative=args.alternative,
        test=args.test,
    )
    print_result(result, as_json=args.json)
    return 0
