"""Run every benchmark and write docs/benchmarks.md.

Each ``bench_*.py`` prints one markdown section with its own baseline measured in the same run
(this machine is noisy, so only ratios within one run are compared). ``make bench`` runs this.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE.parent / "docs" / "benchmarks.md"


def main() -> None:
    sections = []
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"running {script.name} ...", file=sys.stderr, flush=True)
        result = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, check=True
        )
        sections.append(result.stdout.strip())
    import numpy
    import pandas
    import scipy

    header = (
        "# Benchmarks\n\n"
        f"Measured {dt.date.today().isoformat()} with `make bench` on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, pandas "
        f"{pandas.__version__}, numpy {numpy.__version__}, scipy {scipy.__version__}. "
        "Every ratio compares two measurements from the same run; absolute times vary with "
        "the load on the machine.\n"
    )
    OUTPUT.write_text(header + "\n" + "\n\n".join(sections) + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
