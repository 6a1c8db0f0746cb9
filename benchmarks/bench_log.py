"""Benchmark the request log: recording, reading, printing and exporting as the log grows.

Run: ``.venv/bin/python benchmarks/bench_log.py`` (prints one markdown section; ``--quick``
for a tenth of the sizes while working). This machine is shared and noisy, so every ratio
compares measurements of the same run, taken interleaved (A, B, A, B, ...) and repeated, and
reports the minimum and the median. CPU time (user + system: of this process for what runs
in it, of the child from ``os.wait4`` for whole commands) stands beside wall time, peak memory
is the child's ``ru_maxrss``, and the load average is stated at the start and the end.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from etiquette_lab import open_log
from etiquette_lab.log.file import LogFile

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic_logs import write_synthetic_log

__all__ = ["write_synthetic_log"]  # (other benchmarks may take their logs from here)

QUICK = "--quick" in sys.argv
SCALE = 10 if QUICK else 1
BIG = 1_000_000 // SCALE  # "a million events"
HUGE = 5_000_000 // SCALE  # for memory and the first append
REQUESTS_200K = 620_000 // SCALE  # about 200,000 requests
SMALL = 1_000
ROUNDS = 3 if QUICK else 7
PYTHON = sys.executable
CLI = str(Path(sys.executable).with_name("etiquette-lab"))


# -- measuring -------------------------------------------------------------------------------


TIME = "/usr/bin/time"  # GNU time: the measured command's own peak memory (see child)


def child(*args: str, timeout: float | None = None) -> tuple[float, float, float]:
    """A command in a fresh process: (CPU seconds, wall seconds, peak memory in MiB).

    CPU is the child's, from os.wait4. Peak memory is taken by GNU time, which starts the
    command from a process of its own: a child forked from this one (hundreds of MiB by now)
    would count this process's pages in its own peak.
    """
    with tempfile.NamedTemporaryFile("r") as peak:
        began = time.perf_counter()
        command = [TIME, "-f", "%M", "-o", peak.name, *args] if os.path.exists(TIME) else args
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = None if timeout is None else began + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if deadline is not None and time.perf_counter() > deadline:
                process.kill()
                os.wait4(process.pid, 0)
                return float("inf"), float("inf"), float("nan")
            time.sleep(0.005)
        if os.waitstatus_to_exitcode(status) not in (0, 1):  # (check exits 1 with findings)
            raise RuntimeError(f"{args} failed: {process.stderr.read().decode()}")
        wall = time.perf_counter() - began
        lines = peak.read().split()
        memory = int(lines[-1]) / 1024 if lines else usage.ru_maxrss / 1024
    return usage.ru_utime + usage.ru_stime, wall, memory


def in_process(action: Callable[[], object]) -> tuple[float, float, float]:
    """(CPU seconds, wall seconds, nan) of *action* run here."""
    cpu, wall = time.process_time(), time.perf_counter()
    action()
    return time.process_time() - cpu, time.perf_counter() - wall, float("nan")


def interleaved(
    runs: dict[str, Callable[[], tuple[float, float, float]]], rounds: int = ROUNDS
) -> dict[str, np.ndarray]:
    """Each run once a round, in turn; rows of (cpu, wall, memory) per run."""
    results: dict[str, list[tuple[float, float, float]]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            results[name].append(run())
    return {name: np.array(rows) for name, rows in results.items()}


def slope(sizes: list[int], seconds: list[float]) -> float:
    """The log-log slope: 1 is linear, 0 independent of the size."""
    return float(np.polyfit(np.log(sizes), np.log(seconds), 1)[0])


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min) on {os.cpu_count()} cores"


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:,.2f} ms" if seconds < 0.1 else f"{seconds:,.2f} s"


def stats(rows: np.ndarray, column: int = 0) -> tuple[float, float]:
    return float(np.min(rows[:, column])), float(np.median(rows[:, column]))


#: (measure, before: issue 12's figures, now, goal), printed first.
SUMMARY: list[tuple[str, str, str, str]] = []


def summarise(measure: str, before: str, now: str, goal: str) -> None:
    SUMMARY.append((measure, before, now, goal))


def row(*cells: object) -> None:
    print("| " + " | ".join(str(c) for c in cells) + " |")


# -- the measurements -------------------------------------------------------------------------


def commands_recording_one_event(folder: Path) -> None:
    small, big = folder / "small.csv", folder / "big.csv"
    write_synthetic_log(small, SMALL)
    write_synthetic_log(big, BIG)
    cold = child(CLI, "remind", str(big), "r0000001", "--at", "2026-11-04T09:00+01:00")
    commands = {
        "send": lambda log: ("send", log, "--to", "Bench Person", "--variant", "default"),
        "remind": lambda log: ("remind", log, "r0000001", "--at", "2026-11-04T09:00+01:00"),
        "respond": lambda log: ("respond", log, "r0000002", "--at", "2026-11-04T09:00+01:00"),
    }
    print("### Recording one event from the command line\n")
    print(
        f"`etiquette-lab send/remind/respond` on a log of {SMALL:,} events and on one of "
        f"{BIG:,} ({big.stat().st_size / 1e6:.0f} MB), in fresh processes, interleaved, "
        f"{ROUNDS} rounds. The first command on the large log found no index and built it "
        f"(cold, once): {cold[0]:.2f} s CPU, {cold[1]:.2f} s wall, {cold[2]:.0f} MiB. "
        "Goal: at most 1.5x the small log.\n"
    )
    row(
        "command", f"CPU, {SMALL:,} events (min / median)", f"CPU, {BIG:,} (min / median)",
        "ratio of medians (CPU)", "wall ratio", "peak memory (small / large)",
    )  # fmt: skip
    row(*["---"] * 6)
    ratios: list[str] = []
    for name, argv in commands.items():
        got = interleaved(
            {
                "small": lambda argv=argv: child(CLI, *argv(str(small))),
                "big": lambda argv=argv: child(CLI, *argv(str(big))),
            }
        )
        (s_min, s_med), (b_min, b_med) = stats(got["small"]), stats(got["big"])
        walls = np.median(got["big"][:, 1]) / np.median(got["small"][:, 1])
        ratios.append(f"{b_med / s_med:.2f}x")
        row(
            f"`{name}`", f"{s_min:.2f} / {s_med:.2f} s", f"{b_min:.2f} / {b_med:.2f} s",
            f"**{b_med / s_med:.2f}x**", f"{walls:.2f}x",
            f"{np.median(got['small'][:, 2]):.0f} / {np.median(got['big'][:, 2]):.0f} MiB",
        )  # fmt: skip
    # The slope over sizes: the command's cost must not grow with the log.
    sizes = sorted({SMALL, 10_000, 100_000, BIG})
    logs = {}
    for n in sizes[1:-1]:
        logs[n] = folder / f"sized-{n}.csv"
        write_synthetic_log(logs[n], n)
        child(CLI, "remind", str(logs[n]), "r0000001")  # builds the index where there is one
    logs[SMALL], logs[BIG] = small, big
    got = interleaved(
        {n: (lambda p=p: child(CLI, "remind", str(p), "r0000001")) for n, p in logs.items()}
    )
    medians = [float(np.median(got[n][:, 0])) for n in sizes]
    summarise(
        f"CLI `send` / `remind` / `respond`, {BIG:,} events / {SMALL:,}", "9-10x",
        f"{' / '.join(ratios)} (CPU medians); slope {slope(sizes, medians):.3f} over "
        f"{sizes[0]:,}-{sizes[-1]:,}", "at most 1.5x",
    )  # fmt: skip
    print(
        f"\n`remind` CPU (median) at {', '.join(f'{n:,}' for n in sizes)} events: "
        f"{', '.join(f'{m:.2f} s' for m in medians)}; log-log slope "
        f"**{slope(sizes, medians):.3f}** (0: independent of the log's size).\n"
    )


def appends_from_python(folder: Path) -> None:
    small, big = folder / "api-small.csv", folder / "api-big.csv"
    write_synthetic_log(small, 10)
    write_synthetic_log(big, BIG)
    logs = {"small": open_log(small), "big": open_log(big)}
    real_fsync, before_sync = os.fsync, []

    def noting_fsync(fd: int) -> None:
        before_sync.append(time.process_time())
        real_fsync(fd)

    def one_append(log: LogFile, i: int) -> tuple[float, float, float]:
        cpu, wall = time.process_time(), time.perf_counter()
        if i % 2:
            log.remind("r0000001", at="2026-11-03T09:00+01:00")
        else:
            log.send(f"Bench {i}", "default", at="2026-11-02T09:00+01:00")
        return before_sync[-1] - cpu, time.perf_counter() - wall, float("nan")

    results: dict[str, list[tuple[float, float, float]]] = {"small": [], "big": []}
    os.fsync = noting_fsync
    try:
        for i in range(20 * ROUNDS):
            for name, log in logs.items():
                results[name].append(one_append(log, i))
    finally:
        os.fsync = real_fsync
    print("### One append from Python\n")
    print(
        f"`log.send` / `log.remind` into an open log of 10 events and one of {BIG:,}, "
        f"alternating, {20 * ROUNDS} each. CPU counted up to the fsync (the disk's part is "
        "the wall time's). Goal: under 1 ms of CPU.\n"
    )
    medians = {name: float(np.median(np.array(rows)[:, 0])) for name, rows in results.items()}
    summarise(
        "one API append, CPU before the fsync", "5.6 ms",
        f"{ms(medians['big'])} ({BIG:,} events), {ms(medians['small'])} (10)", "under 1 ms",
    )  # fmt: skip
    row("open log", "CPU before the fsync (min / median)", "wall with the fsync (min / median)")
    row(*["---"] * 3)
    for name, size in (("small", 10), ("big", BIG)):
        rows = np.array(results[name])
        (c_min, c_med), (w_min, w_med) = stats(rows, 0), stats(rows, 1)
        row(f"{size:,} events", f"{ms(c_min)} / **{ms(c_med)}**", f"{ms(w_min)} / {ms(w_med)}")
    print()


def first_append_after_open(folder: Path) -> None:
    sizes = sorted({10_000, 100_000, BIG, HUGE})
    first: dict[int, list[float]] = {n: [] for n in sizes}
    second: dict[int, list[float]] = {n: [] for n in sizes}
    opened: dict[int, list[float]] = {n: [] for n in sizes}
    calls: dict[int, int] = {}
    real_fsync, before_sync = os.fsync, []

    def noting_fsync(fd: int) -> None:
        before_sync.append(time.process_time())
        real_fsync(fd)

    def counting(frame: object, event: str, arg: object) -> None:
        if event in ("call", "c_call"):
            calls[n] += 1

    def append(log: LogFile) -> float:
        began = time.process_time()
        log.remind("r0000001", at="2026-11-03T09:00+01:00")
        return before_sync[-1] - began

    # The control: the smallest log, its first append made after touching as much memory as
    # the largest log's read does (caches and address translations gone cold).
    control = -sizes[0]
    for name in (first, second, opened):
        name[control] = []
    for n in [*sizes, control]:
        path = folder / f"first-{abs(n)}.csv"
        if not path.exists():
            write_synthetic_log(path, abs(n))
        for round_ in range(1 + (3 if n >= HUGE else ROUNDS)):
            began = time.process_time()
            log = open_log(path)
            opened[n].append(time.process_time() - began)
            if n == control:
                np.ones(HUGE * 100 // 8).sum()  # about as many bytes as the big read
            os.fsync = noting_fsync
            try:
                if round_ == 0:  # the first append's calls, counted (not timed)
                    calls[n] = 0
                    sys.setprofile(counting)
                    append(log)
                    sys.setprofile(None)
                else:
                    first[n].append(append(log))
                    second[n].append(append(log))
            finally:
                os.fsync = real_fsync
            del log
        if n == sizes[-1] or n == control:
            path.unlink()
    medians = [statistics.median(first[n]) for n in sizes]
    print("### The first append after `open_log`\n")
    print(
        "CPU of the first `remind` into a log just opened (up to its fsync), and of the one "
        f"after it, median of {ROUNDS} (3 at {HUGE:,}); before: O(n), 7.4 s at 5,000,000 "
        "events. Goal: independent of n.\n"
    )
    row("events", "open_log (CPU, median)", "first append (CPU, min / median)",
        "second append (median)", "calls of the first append")  # fmt: skip
    row(*["---"] * 5)
    for n in [*sizes, control]:
        label = f"{n:,}" if n > 0 else f"{-n:,}, after touching {HUGE * 100 / 1e6:,.0f} MB"
        row(
            label, f"{statistics.median(opened[n]):.2f} s",
            f"{ms(min(first[n]))} / {ms(statistics.median(first[n]))}",
            ms(statistics.median(second[n])), f"{calls[n]:,}",
        )  # fmt: skip
    seconds = [statistics.median(second[n]) for n in sizes]
    summarise(
        "the first append after `open_log`", "O(n): 7.4 s at 5,000,000 events",
        f"{ms(medians[0])} to {ms(medians[-1])} from {sizes[0]:,} to {sizes[-1]:,} events, the "
        f"same {calls[sizes[0]]} calls (slope {slope(sizes, medians):.2f}: cold caches, "
        f"{ms(statistics.median(first[control]))} at {sizes[0]:,} after touching as much "
        "memory)", "independent of n",
    )  # fmt: skip
    print(
        f"\nLog-log slope of the first append: **{slope(sizes, medians):.3f}**, of the second "
        f"{slope(sizes, seconds):.3f}. The first makes the same calls at every size: what "
        "remains of its slope is not work that grows with n but the machine's caches, cold "
        "after reading hundreds of megabytes: the smallest log's first append costs as much "
        "once as much memory has been touched before it (last row).\n"
    )


def reading(folder: Path) -> None:
    sizes = sorted({10_000, 100_000, BIG})
    ours, floor = [], []
    for n in sizes:
        path = folder / f"read-{n}.csv"
        write_synthetic_log(path, n)
        got = interleaved(
            {
                "floor": lambda p=path: in_process(lambda: pd.read_csv(p)),
                "ours": lambda p=path: in_process(lambda: open_log(p).requests()),
            },
            rounds=3,
        )
        floor.append(stats(got["floor"])[0])
        ours.append(stats(got["ours"])[0])
    huge = folder / "read-huge.csv"
    write_synthetic_log(huge, HUGE)
    reader = "from etiquette_lab import read_requests; read_requests({!r})"
    got = interleaved(
        {
            "floor": lambda: child(PYTHON, "-c", f"import pandas; pandas.read_csv({str(huge)!r})"),
            "ours": lambda: child(PYTHON, "-c", reader.format(str(huge))),
        },
        rounds=3,
    )
    print("### Reading a log: read, validate every event, fold into requests\n")
    print(
        "`open_log(path).requests()` against `pandas.read_csv(path)` (the floor: no "
        "validation, no fold), in this process, interleaved, best of 3; at "
        f"{HUGE:,} events in fresh processes, with their peak memory. Goal: memory at most "
        "1.5x the floor's, time linear in the events.\n"
    )
    row("events", "read_csv (CPU)", "read, validate, fold (CPU)", "ratio")
    row(*["---"] * 4)
    for n, f, o in zip(sizes, floor, ours, strict=True):
        row(f"{n:,}", f"{f:.3f} s", f"{o:.3f} s", f"{o / f:.2f}x")
    (f_cpu, f_med), (o_cpu, o_med) = stats(got["floor"]), stats(got["ours"])
    f_mem, o_mem = float(np.median(got["floor"][:, 2])), float(np.median(got["ours"][:, 2]))
    row(
        f"{HUGE:,} (fresh processes, min / median)", f"{f_cpu:.1f} / {f_med:.1f} s",
        f"{o_cpu:.1f} / {o_med:.1f} s", f"{o_med / f_med:.2f}x",
    )  # fmt: skip
    summarise(
        f"peak memory reading {HUGE:,} events (read, validate, fold) / `read_csv`",
        "not measured", f"{o_mem / f_mem:.2f}x ({o_mem:,.0f} / {f_mem:,.0f} MiB); time "
        f"{o_med / f_med:.2f}x, slope {slope([*sizes, HUGE], [*ours, o_med]):.3f}",
        "at most 1.5x",
    )  # fmt: skip
    print(
        f"\nPeak memory at {HUGE:,} events: read_csv {f_mem:,.0f} MiB, the kit {o_mem:,.0f} MiB: "
        f"**{o_mem / f_mem:.2f}x**. Log-log slope of the kit's read from {sizes[0]:,} to "
        f"{HUGE:,} events: **{slope([*sizes, HUGE], [*ours, o_med]):.3f}** (1: linear).\n"
    )
    huge.unlink()


def printing_and_exporting(folder: Path) -> None:
    path, big = folder / "requests-200k.csv", folder / "export.csv"
    write_synthetic_log(path, REQUESTS_200K)
    write_synthetic_log(big, BIG)
    requests = len(open_log(path).requests())
    log = str(path)
    floor = f"from etiquette_lab import read_requests; read_requests({log!r})"
    got = interleaved(
        {
            "read_requests (the floor)": lambda: child(PYTHON, "-c", floor),
            "check": lambda: child(CLI, "check", log, "--as-of", "2026-01-01"),
            "todo": lambda: child(CLI, "todo", log, "--as-of", "2026-01-01"),
            "requests": lambda: child(CLI, "requests", log),
        },
        rounds=3,
    )
    reports = [child(CLI, "report", log, timeout=120) for _ in range(3)]
    report = float(np.median([r[0] for r in reports]))
    base = float(np.median(got["read_requests (the floor)"][:, 0]))
    print("### Printing a large log: check, todo, requests\n")
    print(
        f"A log of {REQUESTS_200K:,} events ({requests:,} requests), every command in a fresh "
        "process, interleaved, 3 rounds. The goal compares them with `report` on the same "
        "log, which cannot cost less than reading and folding the log (`read_requests` in a "
        "process of its own, the floor below). `report` itself, 3 times after the others: "
        + (
            f"{report:.2f} s CPU (median)."
            if np.isfinite(report)
            else "more than 120 s (its time-to-response part is quadratic; the other half "
            "of issue 12 fixes it), so the floor stands in for it."
        )
        + " Goal: at most 2x `report`.\n"
    )
    row("command", "CPU (min / median)", "wall (median)", "ratio to `report`",
        "ratio to the floor")  # fmt: skip
    row(*["---"] * 5)
    for name, rows in got.items():
        c_min, c_med = stats(rows)
        to_report = f"**{c_med / report:.2f}x**" if np.isfinite(report) else "-"
        row(f"`{name}`", f"{c_min:.2f} / {c_med:.2f} s", f"{np.median(rows[:, 1]):.2f} s",
            to_report, f"{c_med / base:.2f}x")  # fmt: skip
    if np.isfinite(report):
        summarise(
            f"`check`, `todo`, `requests` on {requests:,} requests / `report`", "10-20x",
            " / ".join(f"{np.median(got[name][:, 0]) / report:.2f}x"
                       for name in ("check", "todo", "requests")) + " (CPU medians)",
            "at most 2x",
        )  # fmt: skip
    got = interleaved(
        {
            "floor": lambda: child(PYTHON, "-c", f"import pandas; pandas.read_csv({str(big)!r})"),
            "csv": lambda: child(CLI, "requests", "--csv", str(big)),
        },
    )
    (f_min, f_med), (c_min, c_med) = stats(got["floor"]), stats(got["csv"])
    summarise(
        f"`requests --csv` at {BIG:,} events / `read_csv` floor", "5.2x",
        f"{c_med / f_med:.2f}x (medians), {c_min / f_min:.2f}x (minima)", "at most 2x",
    )  # fmt: skip
    print(
        f"\n`etiquette-lab requests --csv` on {BIG:,} events, {ROUNDS} rounds: "
        f"{c_min:.2f} / {c_med:.2f} s CPU "
        f"(min / median) against `python -c 'import pandas; pandas.read_csv(LOG)'` "
        f"{f_min:.2f} / {f_med:.2f} s: **{c_med / f_med:.2f}x** (of the minima "
        f"{c_min / f_min:.2f}x). Goal: at most 2x.\n"
    )


def imports() -> None:
    got = interleaved(
        {
            "python -c pass": lambda: child(PYTHON, "-c", "pass"),
            "import etiquette_lab": lambda: child(PYTHON, "-c", "import etiquette_lab"),
            "and the log API": lambda: child(PYTHON, "-c", "import etiquette_lab as e; e.open_log"),
            "etiquette-lab --help": lambda: child(CLI, "--help"),
        }
    )
    leaked = subprocess.run(
        [PYTHON, "-c",
         "import contextlib, io, sys\nimport etiquette_lab as e\n"
         "from etiquette_lab.cli import main\n"
         "with contextlib.redirect_stdout(io.StringIO()):\n"
         "    try: main(['--help'])\n    except SystemExit: pass\n"
         "e.open_log; e.create_log\nprint('matplotlib' in sys.modules)"],
        capture_output=True, text=True, check=True,
    ).stdout.strip().splitlines()[-1]  # fmt: skip
    start = float(np.median(got["python -c pass"][:, 1]))
    print("### Start-up\n")
    row("command", "wall (median)", "ratio to `python -c pass`")
    row(*["---"] * 3)
    for name, rows in got.items():
        wall = float(np.median(rows[:, 1]))
        row(f"`{name}`", f"{wall * 1e3:.0f} ms", f"{wall / start:.2f}x")
    print(f"\nmatplotlib imported by `--help`, `import etiquette_lab` and the log API: {leaked}.")


def main() -> None:
    started = load()
    details = io.StringIO()
    with contextlib.redirect_stdout(details):
        with tempfile.TemporaryDirectory(prefix="bench-log-") as name:
            folder = Path(name)
            for part in (
                commands_recording_one_event,
                appends_from_python,
                first_append_after_open,
                reading,
                printing_and_exporting,
            ):
                part(folder)
                for leftover in folder.iterdir():
                    with contextlib.suppress(OSError):
                        leftover.unlink()
        imports()
    print("## The request log (`benchmarks/bench_log.py`)\n")
    print(
        f"Measured {datetime.date.today().isoformat()}: Python {platform.python_version()}, "
        f"pandas {pd.__version__}, numpy {np.__version__}. Load average at the start: "
        f"{started}; at the end: {load()}. The goals are issue 12's; \"before\" is the issue's "
        "own measurement.\n"
    )
    row("measure", "before", "now", "goal")
    row(*["---"] * 4)
    for measure, before, now, goal in SUMMARY:
        row(measure, before, now, goal)
    print()
    print(details.getvalue().rstrip())


if __name__ == "__main__":
    main()
