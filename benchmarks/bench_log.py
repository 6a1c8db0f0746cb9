"""Benchmark the request log: appends into an open log, reading a large log, import time.

Run: ``.venv/bin/python benchmarks/bench_log.py`` (prints one markdown section). Every ratio
compares two measurements taken in the same run, because this machine is noisy.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from etiquette_lab import open_log, requests_from_events
from etiquette_lab.csvsafe import BOM, format_row, neutralise
from etiquette_lab.log_format import COLUMNS, HEADER_LINE

BIG = 1_000_000
APPENDS = 60


def write_synthetic_log(path: Path, events: int, seed: int = 1, *, message_lines: int = 1) -> None:
    """A valid log of *events* events: sends, responses, reminders and thanks, written fast.

    ``message_lines`` > 1 writes messages with line breaks, as the personalised templates have.
    """
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2024-01-01T09:00:00+01:00")
    rows: list[str] = []
    request = 0
    while len(rows) < events:
        request += 1
        rid = f"r{request:07d}"
        sent = start + pd.Timedelta(minutes=int(request))
        cells = dict.fromkeys(COLUMNS, "")
        cells.update(
            at=sent.isoformat(),
            event="sent",
            request_id=rid,
            recipient=f"Person {request}",
            variant=("default", "personalised")[request % 2],
            kind="recommendation",
            channel="linkedin",
            # Like real messages: apostrophes inside, and 1 in 100 opening with a bullet, which
            # the log stores neutralised (so reading has cells to restore).
            message=neutralise(
                ("- " if request % 100 == 0 else "")
                + "\n".join(
                    ["Hi, I'm updating my profile:"] * (message_lines - 1)
                    + ["would you write a few lines?"]
                )
            ),
            log_format="1",
        )
        rows.append(format_row([cells[c] for c in COLUMNS]))
        for event, outcome in (("reminded", ""), ("responded", "recommended"), ("thanked", "")):
            if len(rows) >= events or rng.random() < 0.3:
                continue
            sent += pd.Timedelta(days=int(rng.integers(1, 9)))
            follow = dict.fromkeys(COLUMNS, "")
            follow.update(
                at=sent.isoformat(), event=event, request_id=rid, outcome=outcome, log_format="1"
            )
            rows.append(format_row([follow[c] for c in COLUMNS]))
    path.write_text(BOM + HEADER_LINE + "".join(rows[:events]), encoding="utf-8")


def time_appends(log, count: int) -> list[float]:
    timings = []
    rid = log.send("Warm-up", "default", at="2026-11-02T09:00+01:00")
    for i in range(count):
        began = time.perf_counter()
        if i % 2:
            log.remind(rid, at="2026-11-03T09:00+01:00")
        else:
            rid = log.send(f"Bench {i}", "default", at="2026-11-02T09:00+01:00")
        timings.append(time.perf_counter() - began)
    return timings


def best_of(repeats: int, action) -> float:
    best = float("inf")
    for _ in range(repeats):
        began = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - began)
    return best


def command_seconds(*args: str, repeats: int = 5) -> float:
    return best_of(repeats, lambda: subprocess.run(args, check=True, capture_output=True))


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-log-"))
    big, small = folder / "big.csv", folder / "small.csv"
    write_synthetic_log(big, BIG)
    write_synthetic_log(small, 10)

    open_big, open_small = open_log(big), open_log(small)
    # Interleave the two so that machine noise hits both alike.
    small_times, big_times = [], []
    for _ in range(3):
        small_times += time_appends(open_small, APPENDS // 3)
        big_times += time_appends(open_big, APPENDS // 3)
    append_small, append_big = statistics.median(small_times), statistics.median(big_times)

    read_csv_floor = best_of(3, lambda: pd.read_csv(big))
    read_requests = best_of(3, lambda: open_log(big).requests())
    multi = folder / "multi.csv"
    write_synthetic_log(multi, BIG, message_lines=3)
    multi_floor = best_of(3, lambda: pd.read_csv(multi))
    multi_read = best_of(3, lambda: open_log(multi).requests())
    fold_only = best_of(3, lambda: requests_from_events(open_big.events()))
    cli = [str(Path(sys.executable).with_name("etiquette-lab"))]
    one_off = command_seconds(
        *cli, "remind", str(big), "r0000001", "--at", "2026-11-04T09:00+01:00", repeats=3
    )

    python_startup = command_seconds(sys.executable, "-c", "pass")
    import_kit = command_seconds(sys.executable, "-c", "import etiquette_lab")
    import_api = command_seconds(sys.executable, "-c", "import etiquette_lab as e; e.open_log")
    cli_help = command_seconds(*cli, "--help")
    leaked = (
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import contextlib, io, sys\nimport etiquette_lab as e\n"
                "from etiquette_lab.cli import main\n"
                "with contextlib.redirect_stdout(io.StringIO()):\n"
                "    try: main(['--help'])\n    except SystemExit: pass\n"
                "e.open_log; e.create_log\nprint('matplotlib' in sys.modules)",
            ],
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )

    size_mb = big.stat().st_size / 1e6
    print("## The request log (`benchmarks/bench_log.py`)\n")
    print(
        f"A synthetic log of {BIG:,} events ({size_mb:.0f} MB) and one of 10 events; "
        f"{APPENDS} appends into each open log, interleaved; best of 3 for reads.\n"
    )
    print("| measurement | time | ratio | requirement |")
    print("|---|---|---|---|")
    print(
        f"| append into an open log of 10 events (median) | {append_small * 1e3:.2f} ms | 1 "
        "(baseline) | |"
    )
    print(
        f"| append into an open log of {BIG:,} events (median) | {append_big * 1e3:.2f} ms | "
        f"{append_big / append_small:.2f}x | within 3x |"
    )
    print(
        f"| `pandas.read_csv` of the {BIG:,}-event file (the floor) | {read_csv_floor:.2f} s | "
        "1 (baseline) | |"
    )
    print(
        f"| `open_log(path).requests()`: read, validate and fold | {read_requests:.2f} s | "
        f"{read_requests / read_csv_floor:.2f}x | at most 2.5x |"
    )
    print(
        f"| of which the fold (events -> requests) | {fold_only:.2f} s | "
        f"{fold_only / read_csv_floor:.2f}x | |"
    )
    print(
        f"| `pandas.read_csv` of {BIG:,} events with three-line messages (its floor) | "
        f"{multi_floor:.2f} s | 1 (baseline) | |"
    )
    print(
        f"| `open_log(path).requests()` of the same | {multi_read:.2f} s | "
        f"{multi_read / multi_floor:.2f}x | at most 2.5x |"
    )
    print(
        f"| `etiquette-lab remind` on the {BIG:,}-event log (one-off: reads it once) | "
        f"{one_off:.2f} s | {one_off / read_requests:.2f}x of one full read | one read |"
    )
    print(
        f"| `python -c pass` (interpreter start, baseline) | {python_startup * 1e3:.0f} ms | 1 | |"
    )
    print(
        f"| `import etiquette_lab` | {import_kit * 1e3:.0f} ms | "
        f"{import_kit / python_startup:.2f}x | no matplotlib |"
    )
    print(
        f"| `import etiquette_lab` and first use of the log API | {import_api * 1e3:.0f} ms | "
        f"{import_api / python_startup:.2f}x | |"
    )
    print(
        f"| `etiquette-lab --help` | {cli_help * 1e3:.0f} ms | "
        f"{cli_help / python_startup:.2f}x | no matplotlib |"
    )
    print(f"\nmatplotlib imported by `--help`, `import etiquette_lab` and the log API: {leaked}.")


if __name__ == "__main__":
    main()
