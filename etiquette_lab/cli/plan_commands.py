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
        default=None,
        help="exact test (fisher, boschloo: n <= 25) or the normal approximation (fisher)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")


def register(subparsers: Any) -> None:
    """Add ``plan`` and ``power`` to the command line's sub-parsers."""
    from .help_text import epilog

    plan = subparsers.add_parser(
        "plan",
        help="how many requests per wording you need",
        description="Smallest n per wording reaching a power, by exact enumeration. With "
        "--looks K: the largest n of a design that looks K times while the experiment runs "
        "(and may stop early), beside the fixed design's n, with the exact false-alarm rate, "
        "power, chance of stopping at each look and expected size of both.",
        epilog=epilog(
            "etiquette-lab plan --baseline 0.2 --target 0.5",
            "etiquette-lab plan --baseline 0.2 --target 0.5 --looks 3",
            docs='docs/planning.md ("The two sample sizes") and docs/sequential.md',
        ),
    )
    _design_options(plan)
    plan.add_argument("--power", type=float, default=0.8, help="power wanted (0.8)")
    plan.add_argument("--ratio", type=float, default=1.0, help="n_new / n_control (1)")
    plan.add_argument(
        "--max-n",
        type=int,
        default=None,
        help="largest n per arm searched (2000; 1000 with --looks)",
    )
    looks = plan.add_argument_group("planned looks (docs/sequential.md)")
    looks.add_argument(
        "--looks", type=int, metavar="K", help="look K times, equally spaced (at least 2)"
    )
    looks.add_argument(
        "--spending",
        metavar="NAME",
        default=None,
        help="how the false-alarm budget is spread over the looks: obrien-fleming (default), "
        "pocock or power",
    )
    looks.add_argument(
        "--rho", type=float, default=None, help="the exponent of --spending power (1)"
    )
    looks.add_argument(
        "--futility",
        type=float,
        metavar="Z",
        default=None,
        help="non-binding futility bound on z (|z| two-sided) at every interim look",
    )
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


#: The default --max-n: the planning search's, and the exact sequential engine's limit.
_MAX_N = 2000
_MAX_N_LOOKS = 1000


def _plan(args: argparse.Namespace) -> int:
    from .output import print_result

    if args.looks is not None:
        print_result(_planned_looks(args), as_json=args.json)
        return 0
    from ..errors import InvalidInputError
    from ..planning.power import sample_size

    for flag, value in (("--spending", args.spending), ("--rho", args.rho),
                        ("--futility", args.futility)):  # fmt: skip
        if value is not None:
            raise InvalidInputError(f"{flag} applies to planned looks: add --looks K")
    result = sample_size(
        args.baseline,
        args.target,
        power=args.power,
        alpha=args.alpha,
        alternative=args.alternative,
        test=args.test or "fisher",
        ratio=args.ratio,
        max_n=_MAX_N if args.max_n is None else args.max_n,
    )
    print_result(result, as_json=args.json)
    return 0


def _planned_looks(args: argparse.Namespace) -> Any:
    from ..errors import InvalidInputError
    from ..sequential.sizing import sequential_sample_size

    if args.test is not None:
        raise InvalidInputError(
            "--test does not apply with --looks: planned looks use the exact unconditional test "
            "ordered by the pooled z (docs/sequential.md)"
        )
    if args.ratio != 1.0:
        raise InvalidInputError("--ratio does not apply with --looks: both wordings get n")
    return sequential_sample_size(
        args.baseline,
        args.target,
        power=args.power,
        looks=args.looks,
        alpha=args.alpha,
        alternative=args.alternative,
        spending=args.spending or "obrien-fleming",
        rho=args.rho,
        futility=args.futility,
        max_n=_MAX_N_LOOKS if args.max_n is None else args.max_n,
    )


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
        test=args.test or "fisher",
    )
    print_result(result, as_json=args.json)
    return 0
