"""``compare`` (from counts) and ``report`` (from a log): the statistics on the command line."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InvalidInputError

if TYPE_CHECKING:  # the command's modules are imported when it runs: --help stays fast
    from ..design.experiment import Experiment

__all__ = ["parse_arm", "register"]

_ARM = re.compile(r"(?P<name>[^=]+)=(?P<x>[^/]*)/(?P<n>.*)")


def parse_arm(text: str) -> tuple[str, tuple[int, int]]:
    """``"default=1/5"`` -> ``("default", (1, 5))``; anything else is an InvalidInputError.

    Examples
    --------
    >>> parse_arm("personalised=4/5")
    ('personalised', (4, 5))
    """
    match = _ARM.fullmatch(text.strip())
    if match is None:
        raise InvalidInputError(f"arm {text!r}: write NAME=RESPONSES/REQUESTS, e.g. default=1/5")
    name = match["name"].strip()
    try:
        x, n = int(match["x"]), int(match["n"])
    except ValueError:
        raise InvalidInputError(
            f"arm {text!r}: responses and requests must be whole numbers"
        ) from None
    if x < 0 or n < 0:
        raise InvalidInputError(f"arm {text!r}: counts must not be negative")
    if x > n:
        raise InvalidInputError(f"arm {text!r}: {x} responses out of {n} requests is more than all")
    return name, (x, n)


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--control",
        metavar="NAME",
        help="the arm to compare against (default: 'default' if present, else the first)",
    )
    parser.add_argument(
        "--alpha",
        type=float,
        default=0.05,
        help="1 - confidence level, and the verdict's threshold (default 0.05)",
    )
    parser.add_argument(
        "--ci-method",
        default="wilson",
        choices=["wilson", "clopper-pearson", "jeffreys"],
        help="interval for each arm's rate (default wilson)",
    )
    parser.add_argument(
        "--diff-method",
        default="newcombe",
        choices=["newcombe", "agresti-caffo"],
        help="interval for the difference in rates (default newcombe)",
    )
    parser.add_argument(
        "--prior",
        default="uniform",
        choices=["uniform", "jeffreys"],
        help="Beta prior of the Bayesian comparison (default uniform)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print strict JSON (see docs/json-schema.md)"
    )


def _options(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "control": args.control,
        "alpha": args.alpha,
        "ci_method": args.ci_method,
        "diff_method": args.diff_method,
        "prior": args.prior,
    }


def _compare(args: argparse.Namespace) -> int:
    from ..stats import compare_counts
    from .output import print_result

    arms: dict[str, tuple[int, int]] = {}
    for text in args.arms:
        name, counts = parse_arm(text)
        if name in arms:
            raise InvalidInputError(f"arm {name!r} is given twice")
        arms[name] = counts
    print_result(compare_counts(arms, **_options(args)), as_json=args.json)
    return 0


def _report(args: argparse.Namespace) -> int:
    from ..analyse.report import FROM_EXPERIMENT, compare_requests
    from .output import print_json, print_result

    if args.full_curves and not args.json:
        raise InvalidInputError("--full-curves changes the --json output: add --json")
    plot = _plot_file(args.plot) if args.plot else None  # before the log: reading can be long
    success = [s.strip() for s in args.success.split(",") if s.strip()] if args.success else None
    experiment = _experiment(args.experiment)
    result = compare_requests(
        args.log,
        window=FROM_EXPERIMENT if args.window is None else args.window,
        as_of=args.as_of,
        success=success,
        experiment=experiment,
        strata=args.strata,
        **_options(args),
    )
    if plot is not None:
        import matplotlib.pyplot as plt

        from ..plots.report import plot_report

        figure = plot_report(result)[0].figure
        try:
            figure.savefig(plot, dpi=150, bbox_inches="tight")
        except OSError as error:
            raise InvalidInputError(f"cannot write the plot to {plot}: {error.strerror}") from None
        except (ValueError, RuntimeError) as error:  # a format that needs more, e.g. .pgf (LaTeX)
            raise InvalidInputError(f"cannot write the plot to {plot}: {error}") from None
        finally:
            plt.close(figure)
    if args.json:
        print_json(result.to_dict(full_curves=args.full_curves))
    else:
        print_result(result, as_json=False)
    return 0


def _experiment(text: str | None) -> str | Experiment | None:
    """``--experiment``: a name in the log, or an experiment file (a .toml file), loaded once."""
    from ..design.experiment import load_experiment

    if text is None or not (text.lower().endswith(".toml") or Path(text).is_file()):
        return text
    return load_experiment(text)


def _plot_file(text: str) -> Path:
    """The ``--plot`` file, refused in one line when matplotlib would not write it there.

    Given a folder, matplotlib wrote ``FOLDER.png`` beside it; given a name without a suffix,
    it added ``.png`` without a word; given ``.txt``, it failed after the whole report. The
    suffix chooses the format: any matplotlib writes (png, svg, pdf, jpg, ...).
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backend_bases import FigureCanvasBase

    path = Path(text)
    if path.is_dir():
        raise InvalidInputError(
            f"--plot {text} is a folder: name the image file, e.g. {path / 'report.png'}"
        )
    formats = FigureCanvasBase.get_supported_filetypes()
    if path.suffix.lower().lstrip(".") not in formats:
        raise InvalidInputError(
            f"--plot {text}: end the file name in an image format's suffix, .png, .svg or .pdf "
            f"(any of {', '.join('.' + f for f in sorted(formats))})"
        )
    return path


def register(subparsers: Any) -> None:
    """Add the ``compare`` and ``report`` commands."""
    from .help_text import epilog

    compare = subparsers.add_parser(
        "compare",
        help="compare response rates from counts",
        description="Compare response rates from counts: responses out of requests per arm.",
        epilog=epilog(
            "etiquette-lab compare default=1/5 personalised=4/5",
            "etiquette-lab compare default=1/5 personalised=4/5 short=3/5 --json",
            docs="docs/methods.md; --json: docs/json-schema.md",
        ),
    )
    compare.add_argument(
        "arms", nargs="+", metavar="NAME=RESPONSES/REQUESTS", help="one per arm, e.g. default=1/5"
    )
    _add_common(compare)
    compare.set_defaults(handler=_compare)

    report = subparsers.add_parser(
        "report",
        help="compare the arms of a log",
        description="Compare the arms of a request log within an outcome window.",
        epilog=epilog(
            "etiquette-lab report data/examples/example_log.csv --as-of 2026-03-16T12:00+01:00",
            "etiquette-lab report data/private/asks.csv --window 14d --plot report.png",
            docs="docs/methods.md and docs/time-to-response.md",
        ),
    )
    report.add_argument("log", metavar="LOG", help="the request log (CSV)")
    report.add_argument(
        "--window",
        help="outcome window from the first send, e.g. 7d, 48h, 2w, or none (default: the "
        "experiment file's, else 7d)",
    )
    report.add_argument(
        "--as-of",
        metavar="DATETIME",
        help="count what had happened by then (ISO 8601; default now; naive = local time)",
    )
    report.add_argument(
        "--success",
        metavar="OUTCOMES",
        help="comma-separated outcomes that count as success (default: all but declined)",
    )
    report.add_argument(
        "--experiment",
        metavar="NAME|FILE.toml",
        help="the experiment to report when the log holds several: its name, or its experiment "
        "file, whose outcome window and control become the defaults",
    )
    report.add_argument(
        "--strata",
        action="store_true",
        help="also compare within strata (the log's stratum column): Mantel-Haenszel",
    )
    report.add_argument(
        "--plot",
        metavar="FILE.png",
        help="also write the plot (rates and time-to-response curves) to this image file; "
        "its suffix sets the format (.png, .svg, .pdf, ...)",
    )
    _add_common(report)
    report.add_argument(
        "--full-curves",
        action="store_true",
        help="with --json: every time of the time-to-response curves (by default a curve of "
        "more than 1,000 times is thinned for display; docs/time-to-response.md)",
    )
    report.set_defaults(handler=_report)
