"""Benchmark reading a LinkedIn export and a mailbox, and matching them against a log.

Run: ``.venv/bin/python benchmarks/bench_sync.py`` (prints one markdown section). The data are
generated here, once, under ``benchmarks/.data/`` (git-ignored): a Gmail-Takeout-like mbox of
at least 200 MB and a LinkedIn export with 30,000 connections and 100,000 messages. Every
ratio compares two measurements taken in the same run, because this machine is noisy.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import email.utils
import io
import json
import mailbox
import random
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data"
MBOX_MB = 200  # the issue asks for at least 200 MB
SMALL_MB = 50  # the same mails, a quarter of them: memory must not grow with the size
CONNECTIONS, MESSAGES, REQUESTS = 30_000, 100_000, 5_000
# The headers the stdlib baseline reads: those iter_mbox parses and classifies.
HEADERS = ("Message-ID", "In-Reply-To", "References", "From", "To", "Cc", "Date", "Subject",
           "X-Gmail-Labels", "Auto-Submitted", "X-Autoreply", "X-Autorespond", "Precedence",
           "Content-Type", "X-Failed-Recipients", "Return-Path")  # fmt: skip
FIRST = ("Ada Bjørn Cecilie Dag Eva Finn Gro Hans Ida Jon Kari Liv Mia Nils Ole Pia Rolf Siri "
         "Tor Una Vera Åse Øystein Zoë Ørjan").split()  # fmt: skip
LAST = ("Eksempel Fiktiv Prøve Oppdiktet Påfunnet Tenkt Diktet Innbilt Lånt Usann Antatt "
        "Tenkelig Mulig Kanskje Visstnok Liksom").split()  # fmt: skip


# -- data -------------------------------------------------------------------------------------


def person(n: int) -> str:
    """A distinct invented name for every n (a number suffix after the first 400)."""
    first, last = FIRST[n % len(FIRST)], LAST[(n // len(FIRST)) % len(LAST)]
    suffix = n // (len(FIRST) * len(LAST))
    return f"{first} {last}" + (f" {suffix}" if suffix else "")


def write_mbox(path: Path, megabytes: int, seed: int = 7) -> int:
    """A Takeout-like mbox (CRLF, X-Gmail-Labels): text mails, replies, attachments,
    automatic replies and bounces, until *megabytes* are written. Returns the mail count."""
    rng = random.Random(seed)
    written = count = 0
    start = dt.datetime(2024, 1, 1, 9, tzinfo=dt.UTC)
    words = ("Hei, ", "kaffe ", "neste uke ", "takk! ", "From the notes, ", "\n")
    with open(path, "wb") as out:
        while written < megabytes * 1_000_000:
            count += 1
            at = start + dt.timedelta(minutes=7 * count)
            kind = rng.random()
            text = "".join(rng.choice(words) for _ in range(rng.randint(50, 1500)))
            if 0.63 <= kind < 0.64:
                content, body = _bounce(count, "someone@example.org")
            elif kind > 0.9:
                content, body = _attachment(text, rng.randbytes(rng.randint(20_000, 400_000)))
            else:
                content, body = "text/plain; charset=utf-8", text
            lines = [
                f"X-GM-THRID: {rng.getrandbits(60)}",
                f"X-Gmail-Labels: {'Sent' if kind < 0.3 else 'Inbox,Opened'}",
                *(f"Received: from mx{i}.example.net by mail.example.net with ESMTPS id "
                  f"{rng.getrandbits(64):x}; {email.utils.format_datetime(at)}"
                  for i in range(rng.randint(2, 5))),
                f"Message-ID: <m{count}@example.org>",
                f"Date: {email.utils.format_datetime(at)}",
                f"From: =?UTF-8?Q?{person(rng.randrange(2000)).replace(' ', '_')}?= "
                "<someone@example.org>",
                "To: Kim Avsender <kim.avsender@example.net>",
                f"Subject: {'Re: ' if kind < 0.6 else ''}Kaffe {count}?",
                *([f"In-Reply-To: <m{count - 1}@example.org>",
                   f"References: <m{count - 1}@example.org>"] if kind < 0.6 else []),
                *(["Auto-Submitted: auto-replied"] if 0.6 <= kind < 0.63 else []),
                "MIME-Version: 1.0",
                f"Content-Type: {content}",
            ]  # fmt: skip
            # As mbox writers do: a body line starting "From " is escaped.
            mail = "\n".join(lines) + "\n\n" + re.sub(r"(?m)^From ", ">From ", body)
            separator = f"From {rng.getrandbits(63)}@xxx {at:%a %b %d %H:%M:%S +0000 %Y}\n"
            data = (separator + mail.rstrip("\n") + "\n\n").replace("\n", "\r\n").encode()
            out.write(data)
            written += len(data)
    return count


def _bounce(count: int, address: str) -> tuple[str, str]:
    """A delivery failure report on the previous mail."""
    return 'multipart/report; report-type=delivery-status; boundary="b"', (
        "--b\nContent-Type: text/plain\n\nNot delivered.\n--b\n"
        "Content-Type: message/delivery-status\n\nReporting-MTA: dns; x\n\n"
        f"Final-Recipient: rfc822; {address}\nAction: failed\nStatus: 5.1.1\n\n"
        "--b\nContent-Type: text/rfc822-headers\n\n"
        f"Message-ID: <m{count - 1}@example.org>\n\n--b--\n"
    )


def _attachment(text: str, blob: bytes) -> tuple[str, str]:
    """A text part and a base64 attachment."""
    return 'multipart/mixed; boundary="part"', (
        f"--part\nContent-Type: text/plain; charset=utf-8\n\n{text}\n--part\n"
        'Content-Type: application/pdf; name="cv.pdf"\nContent-Transfer-Encoding: base64\n\n'
        + base64.encodebytes(blob).decode()
        + "--part--\n"
    )


def ensure(path: Path, make) -> None:
    """Make *path* once; a marker remembers the parameters it was made with."""
    marker = path.with_suffix(path.suffix + ".json")
    wanted = {"version": 4}
    if path.exists() and marker.exists() and json.loads(marker.read_text()) == wanted:
        return
    print(f"generating {path.name} ...", file=sys.stderr, flush=True)
    make(path)
    marker.write_text(json.dumps(wanted))


def _csv(header: list[str], rows: list[list[str]], preamble: str = "") -> bytes:
    out = io.StringIO()
    out.write(preamble)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _profile(n: int | None) -> str:
    return f"https://www.linkedin.com/in/{'kim' if n is None else f'p{n}'}"


def write_export(path: Path, seed: int = 11) -> None:
    """A LinkedIn export ZIP: 30,000 connections, 100,000 messages, some recommendations."""
    rng = random.Random(seed)
    months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    connections = []
    for n in range(CONNECTIONS):
        day = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(6 * 365))
        on = f"{day.day:02d} {months[day.month - 1]} {day.year}"
        connections.append([*person(n).split(" ", 1), _profile(n), "", "Eksempel AS", "Dev", on])
    messages = []
    start = dt.datetime(2024, 1, 1)
    for n in range(MESSAGES):
        other = rng.randrange(CONNECTIONS)
        at = start + dt.timedelta(seconds=rng.randrange(2 * 365 * 86400))
        ends = [("Kim Avsender", None), (person(other), other)]
        (sender, sender_n), (to, to_n) = ends if n % 2 == 0 else ends[::-1]
        messages.append([
            f"2-{other}", person(other), sender, _profile(sender_n), to, _profile(to_n),
            f"{at:%Y-%m-%d %H:%M:%S} UTC", "", "Hei! Takk for sist. " * rng.randint(1, 75),
            "INBOX", "No",
        ])  # fmt: skip
    recommendations = []
    for _ in range(300):
        at = start + dt.timedelta(minutes=rng.randrange(2 * 365 * 1440))
        when = f"{at:%m/%d/%y}, {at.hour % 12 or 12:02d}:{at:%M} {'PM' if at.hour >= 12 else 'AM'}"
        who = person(rng.randrange(CONNECTIONS)).split(" ", 1)
        recommendations.append([*who, "Eksempel AS", "Dev", "Great to work with.", when, "VISIBLE"])
    preamble = 'Notes:\n"Some of the email addresses are missing."\n\n'
    files = {
        "Connections.csv": _csv(
            ["First Name", "Last Name", "URL", "Email Address", "Company", "Position",
             "Connected On"], connections, preamble),
        "messages.csv": _csv(
            ["CONVERSATION ID", "CONVERSATION TITLE", "FROM", "SENDER PROFILE URL", "TO",
             "RECIPIENT PROFILE URLS", "DATE", "SUBJECT", "CONTENT", "FOLDER",
             "IS MESSAGE DRAFT"], messages),
        "Recommendations_Received.csv": _csv(
            ["First Name", "Last Name", "Company", "Job Title", "Text", "Creation Date",
             "Status"], recommendations),
    }  # fmt: skip
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)


def write_log(path: Path, seed: int = 13) -> None:
    """A log of 5,000 requests to people of the export: connections, recommendations, asks."""
    from etiquette_lab import create_log

    rng = random.Random(seed)
    log = create_log(path, experiment="bench", variants=["a", "b"], at="2023-12-01T09:00+01:00")
    start = dt.datetime(2024, 1, 1, 9, tzinfo=dt.UTC)
    kinds = [("connection", "linkedin"), ("recommendation", "linkedin"),
             ("informational interview", "linkedin")]  # fmt: skip
    sends = [
        {
            "recipient": person(rng.randrange(int(CONNECTIONS * 1.2))),  # some are strangers
            "variant": "ab"[n % 2],
            "kind": kinds[n % 3][0],
            "channel": kinds[n % 3][1],
            "at": (start + dt.timedelta(minutes=131 * n)).isoformat(),
        }
        for n in range(REQUESTS)
    ]
    log.send_many(sends)


# -- measurements -----------------------------------------------------------------------------


def timed(action) -> tuple[float, float, object]:
    """(wall seconds, CPU seconds, result) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def stdlib_headers(path: Path) -> int:
    count = 0
    for message in mailbox.mbox(path):
        for name in HEADERS:
            message[name]
        count += 1
    return count


def ours(path: Path) -> int:
    from etiquette_lab.sync import iter_mbox

    return sum(1 for _ in iter_mbox(path))


def peak_memory(reader: str, path: Path) -> tuple[float, float, float]:
    """Peak memory of *reader* over *path* in a fresh process, in MB: the peak resident set
    after the imports, the peak after reading, and what the reading itself allocated
    (tracemalloc). The peak is /proc's VmHWM: ru_maxrss would keep the parent's peak across
    the fork and exec."""
    code = f"""
import sys, tracemalloc
sys.path.insert(0, {str(HERE)!r})
import bench_sync
from etiquette_lab.sync import iter_mbox  # imported before measuring: code is not data
def peak():
    status = open("/proc/self/status").read()
    return int(status.split("VmHWM:")[1].split()[0]) / 1024
before = peak()
tracemalloc.start()
bench_sync.{reader}(__import__("pathlib").Path({str(path)!r}))
print(before, peak(), tracemalloc.get_traced_memory()[1] / 1e6)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    before, after, traced = (float(v) for v in out.stdout.split())
    return before, after, traced


def mbox_section(big: Path, small: Path) -> str:
    import etiquette_lab.sync  # noqa: F401 - imported outside the timings
    from etiquette_lab.sync import read_mailbox

    runs: dict[str, list[tuple[float, float, object]]] = {"stdlib": [], "ours": []}
    for _ in range(2):  # interleaved, best of two: the machine is shared
        runs["stdlib"].append(timed(lambda: stdlib_headers(big)))
        runs["ours"].append(timed(lambda: ours(big)))
    base, mine = min(runs["stdlib"]), min(runs["ours"])
    assert base[2] == mine[2], "both readers must see the same mails"
    table_wall, table_cpu, box = timed(lambda: read_mailbox(big))
    memory = {(r, p): peak_memory(r, p) for r in ("ours", "stdlib_headers") for p in (small, big)}

    def peaks(reader: str) -> str:
        cells = []
        for p in (small, big):
            before, after, traced = memory[(reader, p)]
            cells.append(f"{after:.0f} MB (+{after - before:.0f}) / {traced:.1f} MB")
        return " | ".join(cells)

    rows = [
        f"| `mailbox.mbox` iteration, {len(HEADERS)} headers read per mail (baseline) "
        f"| {base[0]:.1f} s | {base[1]:.1f} s | 1 | |",
        f"| `iter_mbox`: headers parsed, decoded, automatic replies and bounces classified "
        f"| {mine[0]:.1f} s | {mine[1]:.1f} s | {mine[0] / base[0]:.2f}x | at most 1.5x |",
        f"| `read_mailbox`: the same, as a table with threads | {table_wall:.1f} s "
        f"| {table_cpu:.1f} s | {table_wall / base[0]:.2f}x | |",
    ]
    return f"""## Reading your archive (`benchmarks/bench_sync.py`)

A Gmail-Takeout-like mbox of {big.stat().st_size / 1e6:,.0f} MB ({mine[2]:,} mails, CRLF line
ends, X-Gmail-Labels; a tenth with base64 attachments, replies, automatic replies and bounces),
generated under `benchmarks/.data/`. The baseline iterates it with the standard library's
`mailbox.mbox` and reads {len(HEADERS)} headers of each mail (the fields `iter_mbox` uses); both
see the same {mine[2]:,} mails. Best of two interleaved runs; wall time and CPU time.

| measurement | wall | CPU | ratio | requirement |
|---|---|---|---|---|
{chr(10).join(rows)}

Peak memory of a fresh process reading a {SMALL_MB} MB and the {MBOX_MB} MB file (mails of the
same kind): peak resident set size (interpreter and imports included; in brackets, its growth
during the reading) / the peak of what the reading itself allocated (tracemalloc).

| reader | {SMALL_MB} MB file | {MBOX_MB} MB file |
|---|---|---|
| `iter_mbox` | {peaks("ours")} |
| `mailbox.mbox` | {peaks("stdlib_headers")} |

`iter_mbox` keeps about one 1 MiB chunk and one header block, whatever the file's size; the
table `read_mailbox` builds holds one row of headers per mail ({len(box.mails):,} rows here)."""


def sync_section(export: Path, log: Path) -> str:
    from etiquette_lab import read_requests
    from etiquette_lab.sync import match_outcomes, read_linkedin_export

    runs = []
    for _ in range(3):
        wall, cpu = time.perf_counter(), time.process_time()
        read = timed(lambda: read_linkedin_export(export, timezone="Europe/Oslo"))
        requests = timed(lambda: read_requests(log))
        match = timed(lambda r=read[2], t=requests[2]: match_outcomes(t, export=r))
        runs.append(
            ((time.perf_counter() - wall, time.process_time() - cpu), read, requests, match)
        )
    (total, total_cpu), read, requests, match = min(runs, key=lambda run: run[0][0])
    proposal, size = match[2], export.stat().st_size / 1e6
    with zipfile.ZipFile(export) as archive:
        unpacked = sum(member.file_size for member in archive.infolist()) / 1e6
    return f"""A LinkedIn export ZIP ({size:.1f} MB, {unpacked:.0f} MB unpacked) with
{CONNECTIONS:,} connections, {MESSAGES:,} messages and 300 recommendations, matched against a
log of {REQUESTS:,} requests (a third each connection requests, recommendation requests and
message asks; a sixth to people not in the export). Best of three; the whole sync reads the
export, reads the log and matches.

| step | wall | CPU |
|---|---|---|
| `read_linkedin_export` (ZIP -> typed tables) | {read[0]:.2f} s | {read[1]:.2f} s |
| `read_requests` (the log of {REQUESTS:,} requests) | {requests[0]:.2f} s | {requests[1]:.2f} s |
| `match_outcomes` | {match[0]:.2f} s | {match[1]:.2f} s |
| **the whole sync** (requirement: under 5 s) | **{total:.2f} s** | {total_cpu:.2f} s |

It proposed {len(proposal.proposed):,} events, left {len(proposal.ambiguous):,} requests
ambiguous and found nothing for {len(proposal.unmatched):,}."""


def main() -> None:
    DATA.mkdir(exist_ok=True)
    big, small = DATA / "takeout_200mb.mbox", DATA / "takeout_50mb.mbox"
    ensure(big, lambda p: write_mbox(p, MBOX_MB))
    ensure(small, lambda p: write_mbox(p, SMALL_MB))
    export = DATA / "Basic_LinkedInDataExport_01-15-2026.zip"
    ensure(export, write_export)
    log = DATA / "bench_log.csv"
    if not log.exists():
        write_log(log)
    print(mbox_section(big, small) + "\n\n" + sync_section(export, log))


if __name__ == "__main__":
    main()
