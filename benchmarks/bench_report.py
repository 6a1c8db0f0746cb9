"""Benchmark ``report`` as the log grows, against reading the same file with pandas.

Run: ``.venv/bin/python benchmarks/bench_report.py [--sizes 10000,100000,...]`` (prints one
markdown section; ``make bench`` runs it with the default sizes, up to 5,000,000 events).

The logs come from ``bench_log.write_synthetic_log``, with one change: that generator puts
every answer a whole number of days after its send, so a log holds about thirty distinct
response times; a real log has one per answer, which is what made the log-rank test
quadratic. Each answer is therefore moved later by a random 0 to 20 hours (it stays before
the thank-you that follows it). The logs are kept under ``benchmarks/.data/`` (git-ignored).

Every size is measured in fresh processes, interleaved and repeated: the floor
(``python -c 'import pandas; pandas.read_csv(LOG)'``), ``etiquette-lab report LOG`` and
``report LOG --json``, with wall time, CPU time and peak resident memory from ``os.wait4``.
One more process per size splits the report's own work after its imports: reading the log
into the table of requests (``read_requests``, the log's code) and everything after it
(outcomes, statistics, time to response, the text and the JSON), with that part's peak
memory by ``tracemalloc``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from bench_log import write_synthetic_log
from measure import Runs, child, interleave, load_text, log_log_slope

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data"
SIZES = (10_000, 30_000, 100_000, 300_000, 1_000_000, 5_000_000)
AS_OF = "2035-01-01T00:00Z"  # after every event of the largest log: every window has closed
COMMAND = str(Path(sys.executable).with_name("etiquette-lab"))

# The child that splits one report into its parts (imports first, then the measured work).
SPLIT = r"""
import io, json, sys, time, tracemalloc, contextlib, resource
import scipy.stats, pandas  # the imports, outside the measurement
from etiquette_lab.cli.output import print_json
from etiquette_lab.analyse.outcomes import compare_requests
from etiquette_lab.log.requests import read_requests
path, as_of = sys.argv[1], sys.argv[2]
clock = time.process_time()
pandas.read_csv(path)
floor = time.process_time() - clock
clock = time.process_time()
table = read_requests(path)
read = time.process_time() - clock
rss_table = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

def after_the_table():
    result = compare_requests(table, as_of=as_of)
    with contextlib.redirect_stdout(io.StringIO()):
        print(result)
        print_json(result.to_dict())

clock = time.process_time()
after_the_table()
after = time.process_time() - clock
tracemalloc.start()  # a second run for the memory: tracemalloc slows what it watches
after_the_table()
_, peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
print(json.dumps({"floor": floor, "read": read, "after": after, "after_peak_mb": peak / 2**20,
                  "rss_table_mb": rss_table, "requests": len(table)}))
"""


def jittered_log(events: int) -> Path:
    """The benchmark log of *events* events (written once, then reused)."""
    path = DATA / f"report-{events}.csv"
    if path.exists():
        return path
    DATA.mkdir(exist_ok=True)
    write_synthetic_log(path, events)
    rng = np.random.default_rng(events)
    lines = path.read_text(encoding="utf-8").split("\n")
    for i, line in enumerate(lines):
        at, comma, rest = line.partition(",")
        if rest.startswith("responded,"):
            moved = dt.datetime.fromisoformat(at) + dt.timedelta(seconds=int(rng.integers(72_000)))
            lines[i] = moved.isoformat() + comma + rest
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def measure_size(events: int, repeats: int) -> dict:
    log = str(jittered_log(events))
    floor, text, as_json = Runs(), Runs(), Runs()
    read_csv = "import pandas, sys; pandas.read_csv(sys.argv[1])"
    interleave(
        repeats,
        lambda: child([sys.executable, "-c", read_csv, log], floor),
        lambda: child([COMMAND, "report", log, "--as-of", AS_OF], text),
        lambda: child([COMMAND, "report", log, "--as-of", AS_OF, "--json"], as_json),
    )
    full = Runs()
    child([COMMAND, "report", log, "--as-of", AS_OF, "--json", "--full-curves"], full)
    split = json.loads(
        subprocess.run(
            [sys.executable, "-c", SPLIT, log, AS_OF], capture_output=True, text=True, check=True
        ).stdout
    )
    return {
        "events": events,
        "megabytes": Path(log).stat().st_size / 1e6,
        "floor": floor,
        "text": text,
        "json": as_json,
        "full": full,
        "split": split,
    }


def _slopes(events: list[int], series: dict[str, list[float]]) -> None:
    steps = [f"{a:,} to {b:,}" for a, b in itertools.pairwise(events)]
    print(f"| CPU time of | all sizes | {' | '.join(steps)} |")
    print("|---|" + "---:|" * (len(steps) + 1))
    for name, seconds in series.items():
        local = [log_log_slope(events[i : i + 2], seconds[i : i + 2]) for i in range(len(steps))]
        cells = " | ".join(f"{v:.2f}" for v in local)
        print(f"| {name} | {log_log_slope(events, seconds):.2f} | {cells} |")
    print()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()
    sizes = [int(s) for s in options.sizes.split(",")]
    before = load_text()
    rows = [measure_size(n, options.repeats if n < 5_000_000 else 2) for n in sizes]
    after = load_text()

    print("## Report as the log grows (`benchmarks/bench_report.py`)\n")
    print(
        "Synthetic logs (`write_synthetic_log`, each answer moved by a random 0-20 h so that "
        "every answer has its own time, as in a real log), as of a time after every event. "
        "Fresh processes, interleaved, "
        f"{options.repeats} rounds (2 at 5,000,000 events); median CPU time (user + system, "
        "`os.wait4`), wall time beside it; the floor is "
        "`python -c 'import pandas; pandas.read_csv(LOG)'`. "
        f"Load before: {before}; after: {after}.\n"
    )
    print(
        "| events | MB | requests | read_csv floor: CPU (wall) | `report`: CPU (wall) | ratio | "
        "`report --json`: CPU | ratio | peak memory: floor / `report` | ratio |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        f, t, j = r["floor"], r["text"], r["json"]
        print(
            f"| {r['events']:,} | {r['megabytes']:.0f} | {r['split']['requests']:,} | "
            f"{f.cpu_median:.2f} s ({f.wall_median:.2f}) | {t.cpu_median:.2f} s "
            f"({t.wall_median:.2f}) | {t.cpu_median / f.cpu_median:.2f}x | "
            f"{j.cpu_median:.2f} s | {j.cpu_median / f.cpu_median:.2f}x | "
            f"{f.peak:.0f} / {j.peak:.0f} MB | {j.peak / f.peak:.2f}x |"
        )
    events = [r["events"] for r in rows]
    print(
        f"\nLog-log slope of the CPU time over {events[0]:,} to {events[-1]:,} events (1 is "
        "linear, 2 quadratic), over all sizes and from each size to the next; a fixed "
        "start-up (imports, about a second) flattens it at small sizes, so the last steps "
        "show the growth:\n"
    )
    _slopes(
        events,
        {
            "`report`": [r["text"].cpu_median for r in rows],
            "`report --json`": [r["json"].cpu_median for r in rows],
            "read_csv floor": [r["floor"].cpu_median for r in rows],
            "after the table (below)": [r["split"]["after"] for r in rows],
            "read_requests (below)": [r["split"]["read"] for r in rows],
        },
    )
    print(
        "The report's own work, in one more process after its imports, CPU time: "
        "`pandas.read_csv` of the log (the floor, in process), reading the log into the table "
        "of requests (the log's code) and everything after the table (outcomes, statistics, "
        "time to response, text and JSON); then the peak memory allocated after the table "
        "(tracemalloc, a second run) beside the process's peak once the table was read.\n"
    )
    print(
        "| events | read_csv | read_requests | after the table | after / read_csv | peak memory "
        "after the table | process peak with the table |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        s = r["split"]
        print(
            f"| {r['events']:,} | {s['floor']:.2f} s | {s['read']:.2f} s | {s['after']:.2f} s | "
            f"{s['after'] / s['floor']:.2f}x | {s['after_peak_mb']:.0f} MB | "
            f"{s['rss_table_mb']:.0f} MB |"
        )
    print()
    print("| events | `--json` (curves thinned) | `--json --full-curves` |")
    print("|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['events']:,} | {r['json'].output_bytes[0] / 1e6:.2f} MB | "
            f"{r['full'].output_bytes[0] / 1e6:.1f} MB |"
        )


if __name__ == "__main__":
    main()
