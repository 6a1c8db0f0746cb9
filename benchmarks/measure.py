"""Measuring helpers shared by bench_report.py, bench_stats.py and bench_planning.py.

This machine is shared and noisy, so a goal is always a ratio of two measurements taken in the
same run, interleaved (A, B, A, B, ...) and repeated, reported as minimum and median, with CPU
time beside wall time (CPU time is what the code used; wall time also holds the waits for a
core) and the load average printed.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

__all__ = ["Runs", "child", "in_process", "interleave", "load_text", "log_log_slope"]


@dataclass
class Runs:
    """Repeated measurements of one thing: wall and CPU seconds, peak memory, output size."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)
    output_bytes: list[int] = field(default_factory=list)

    def add(self, wall: float, cpu: float, peak_mb: float = 0.0, output_bytes: int = 0) -> None:
        self.wall.append(wall)
        self.cpu.append(cpu)
        self.peak_mb.append(peak_mb)
        self.output_bytes.append(output_bytes)

    @property
    def wall_min(self) -> float:
        return min(self.wall)

    @property
    def wall_median(self) -> float:
        return statistics.median(self.wall)

    @property
    def cpu_min(self) -> float:
        return min(self.cpu)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)

    @property
    def peak(self) -> float:
        return max(self.peak_mb)


def child(args: Sequence[str], runs: Runs) -> None:
    """Run *args* as a fresh process; add its wall time, CPU time (user + system, from
    ``os.wait4``), peak resident memory (``ru_maxrss``) and the size of its output."""
    with tempfile.TemporaryFile() as out:
        began = time.perf_counter()
        process = subprocess.Popen(list(args), stdout=out, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - began
        process.returncode = os.waitstatus_to_exitcode(status)
        error = process.stderr.read().decode() if process.stderr else ""
        if process.returncode != 0:
            raise RuntimeError(f"{' '.join(map(str, args))} failed: {error}")
        size = out.seek(0, os.SEEK_END)
    runs.add(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, size)


def in_process(action: Callable[[], object], runs: Runs) -> None:
    """Time *action* in this process: wall (perf_counter) and CPU (process_time)."""
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    runs.add(time.perf_counter() - wall, time.process_time() - cpu)


def interleave(repeats: int, *steps: Callable[[], None]) -> None:
    """Run every step once per round, *repeats* rounds: noise hits all of them alike."""
    for _ in range(repeats):
        for step in steps:
            step()


def log_log_slope(sizes: Sequence[float], seconds: Sequence[float]) -> float:
    """Least-squares slope of log(seconds) on log(size): 1 is linear, 2 quadratic."""
    import math

    xs, ys = [math.log(s) for s in sizes], [math.log(t) for t in seconds]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


def load_text() -> str:
    """The machine's load average (1, 5 and 15 minutes) and core count, in words."""
    one, five, fifteen = os.getloadavg()
    return (
        f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min) on "
        f"{os.cpu_count()} cores"
    )
