"""Synthetic request logs for the benchmarks: valid logs of any size, written in seconds.

Each request is sent one minute after the previous one (from 2024-01-01 09:00 +01:00); 70% of
requests each get a reminder, a response and a thank-you, 1 to 8 days apart, written right
after their send (so the file order is the order of logging). Messages have apostrophes
inside, and one in a hundred opens with a bullet, which the log stores neutralised (so a read
has cells to restore). ``message_lines`` > 1 gives messages with line breaks, as the
personalised templates have. The same seed gives the same bytes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from etiquette_lab.csvsafe import BOM
from etiquette_lab.log.format import FORMAT_VERSION, HEADER_LINE

START_SECONDS = 1_704_096_000  # 2024-01-01T08:00:00Z, 09:00 at +01:00


def write_synthetic_log(path: Path, events: int, seed: int = 1, *, message_lines: int = 1) -> None:
    """A valid log of exactly *events* events (see the module docstring)."""
    rng = np.random.default_rng(seed)
    requests = events // 3 + 2  # enough: 3.1 events a request on average
    follow = rng.random((requests, 3)) >= 0.3  # reminded, responded, thanked
    steps = rng.integers(1, 9, size=(requests, 3)) * 86_400 * follow
    sent = START_SECONDS + 60 * np.arange(1, requests + 1)
    times = sent[:, None] + np.cumsum(steps, axis=1)
    lines = "\n".join(["Hi, I'm updating my profile:"] * (message_lines - 1))
    text = (lines + "\n" if lines else "") + "would you write a few lines?"
    cell = '"' + text + '"' if "\n" in text or "," in text else text
    bullet = "\"'- " + text + '"' if "\n" in text or "," in text else "'- " + text
    stamp = _local_times(np.concatenate([sent, times.ravel()]))
    sent_stamp, follow_stamp = stamp[:requests], stamp[requests:].reshape(requests, 3)
    rows: list[str] = []
    for k in range(requests):
        rid = f"r{k + 1:07d}"
        variant = ("default", "personalised")[(k + 1) % 2]
        message = bullet if (k + 1) % 100 == 0 else cell
        rows.append(
            f"{sent_stamp[k]},sent,{rid},,Person {k + 1},{variant},recommendation,linkedin,"
            f",,,,{message},,,,{FORMAT_VERSION}\n"
        )
        for j, (event, outcome) in enumerate(
            (("reminded", ""), ("responded", "recommended"), ("thanked", ""))
        ):
            if follow[k, j]:
                rows.append(
                    f"{follow_stamp[k, j]},{event},{rid},,,,,,,,,{outcome},,,,,{FORMAT_VERSION}\n"
                )
        if len(rows) >= events:
            break
    path.write_text(BOM + HEADER_LINE + "".join(rows[:events]), encoding="utf-8")


def _local_times(seconds: np.ndarray) -> np.ndarray:
    """Epoch seconds as stored times at +01:00 (2024-01-01T09:01:00+01:00)."""
    local = (seconds + 3600).astype("datetime64[s]")
    return np.strings.add(np.datetime_as_string(local, unit="s"), "+01:00").astype(object)
