"""A corpus of malformed logs, each run through every command that reads a log.

Every command must answer with one line on stderr naming the file, the line and (where there
is one) the field, exit with code 2, never show a traceback, and leave the file byte for byte
as it was: `repair` too, since none of these is a torn last line (the last case is, and shows
what repair does then).
"""

from __future__ import annotations

import pytest

from etiquette_lab.cli import main
from etiquette_lab.log.format import HEADER_LINE

BOM = b"\xef\xbb\xbf"
HEADER = BOM + HEADER_LINE.encode()
DECLARED = b"2026-11-01T09:00:00+01:00,declared,,,,default|personalised,,,,,,,,,1\n"


def send(rid="r0001", who="Ada", variant="default", at="2026-11-02T09:00:00+01:00", note=""):
    return f"{at},sent,{rid},,{who},{variant},recommendation,linkedin,,,,,,{note},1\n".encode()


GOOD = HEADER + DECLARED + b"".join(send(f"r{i:04d}", f"P {i}") for i in range(1, 9))
REPLY = b"2026-11-03T09:00:00+01:00,responded,r0001,,,,,,,,,recommended,,,1\n"

# name -> (file content, words the one line must hold, line, field)
CASES: dict[str, tuple[bytes, tuple[str, ...], int | None, str | None]] = {
    "empty": (b"", ("is empty",), 1, None),
    "binary": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, ("not",), 1, None),
    "foreign csv": (b"Name,Email\nAda,a@b.c\n", ("not an etiquette-lab log",), 1, "at"),
    "reordered": (
        BOM + HEADER_LINE.replace("at,event", "event,at").encode(),
        ("reordered",),
        1,
        "at",
    ),
    "missing column": (
        BOM + HEADER_LINE.replace(",note", "").encode(),
        ("missing column(s) note",),
        1,
        "note",
    ),
    "latin-1": (HEADER + send(who="Ørjan").decode().encode("latin-1"), ("UTF-8",), 2, None),
    "nul byte": (GOOD + send("r0099", "B\x00o"), ("NUL",), 11, None),
    "stray quote, final newline": (
        GOOD.replace(b",P 3,", b',"P 3,'),
        ("never closed",),
        5,
        None,
    ),
    "stray quote, no final newline": (
        GOOD.replace(b",P 3,", b',"P 3,').rstrip(b"\n"),
        ("never closed",),
        5,
        None,
    ),
    "unknown event": (GOOD.replace(b",sent,r0004,", b",semt,r0004,"), ("'semt'",), 6, "event"),
    "time without offset": (
        GOOD + send("r0099", at="2026-11-02T09:00:00"),
        ("UTC offset",),
        11,
        "at",
    ),
    "leap second": (GOOD + send("r0099", at="2026-12-31T23:59:60+01:00"), (), 11, "at"),
    "other digits": (GOOD + send("r0099", at="٢٠٢٦-11-02T09:00:00+01:00"), (), 11, "at"),
    "impossible date": (
        GOOD + send("r0099", at="2026-02-30T09:00:00+01:00"),
        ("not a possible date",),
        11,
        "at",
    ),
    # Year 0 parsed as ISO 8601 came back as 1972 (through Timestamps) and was taken.
    "year 0000": (GOOD + send("r0099", at="0000-01-01T09:00:00Z"), ("possible date",), 11, "at"),
    "answer before send": (
        GOOD + REPLY.replace(b"2026-11-03", b"2026-10-03"),
        ("dated before",),
        11,
        "at",
    ),
    "answer to nothing": (
        GOOD + REPLY.replace(b"r0001", b"r0999"),
        ("no request",),
        11,
        "request_id",
    ),
    "duplicate id": (GOOD + send("r0002", "Bo"), ("already used",), 11, "request_id"),
    "sixteen fields": (GOOD + send("r0099").replace(b",1\n", b",1,x\n"), ("16 fields",), 11, None),
    "short row mid-log": (
        GOOD + b"2026-11-02T09:00:00+01:00,sent,r0099\n" + send("r0100"),
        ("expected '1'", "missing or extra fields"),
        11,
        "log_format",
    ),
    "line of spaces": (GOOD + b"   \n" + send("r0099"), ("only spaces",), 11, None),
    "bare carriage return": (
        GOOD + send("r0099", "A\rda") + send("r0100"),
        ("carriage return",),
        11,
        None,
    ),
    "cr-only line ends": (GOOD.replace(b"\n", b"\r"), ("carriage return alone",), 1, None),
    "recipient of spaces": (GOOD + send("r0099", "   "), ("is empty",), 11, "recipient"),
    "undeclared variant": (
        GOOD + send("r0099", variant="personalized"),
        ("'personalized' is not declared",),
        11,
        "variant",
    ),
    "a score of 100 kB": (
        GOOD + send("r0099").replace(b",,,,,,", b",,," + b"9" * 100_000 + b",,,", 1),
        ("(100,000 characters)",),
        11,
        "score",
    ),
    "semicolons, bad event": (
        (GOOD.replace(b",", b";")).replace(b";sent;r0004;", b";semt;r0004;"),
        ("'semt'",),
        6,
        "event",
    ),
}

COMMANDS = {
    "requests": ["requests", "{log}"],
    "report": ["report", "{log}", "--as-of", "2026-12-01"],
    "todo": ["todo", "{log}", "--as-of", "2026-12-01"],
    "check": ["check", "{log}"],
    "send": ["send", "{log}", "--to", "Cy", "--variant", "default"],
    "remind": ["remind", "{log}", "r0001"],
    "repair": ["repair", "{log}"],
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", CASES)
def test_every_command_names_the_problem_in_one_line_and_changes_nothing(
    tmp_path, capsys, case, command
):
    content, words, line, field = CASES[case]
    log = tmp_path / "asks.csv"
    log.write_bytes(content)
    code = main([a.format(log=log) for a in COMMANDS[command]])
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert err.startswith(f"etiquette-lab: error: {log}") and err.count("\n") == 1, err
    assert "Traceback" not in err and len(err) < 600, err
    where = f"{log}" + (f", line {line}" if line else "") + (f", field {field!r}" if field else "")
    assert err.startswith(f"etiquette-lab: error: {where}:"), err
    for word in words:
        assert word in err, (word, err)
    assert log.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["asks.csv"]


def test_the_good_log_the_cases_start_from_reads(tmp_path):
    # Each case is the good log with one defect: without it, the log reads.
    from etiquette_lab import read_events

    log = tmp_path / "good.csv"
    log.write_bytes(GOOD + REPLY)
    assert len(read_events(log)) == 10


def test_a_torn_last_line_is_named_by_every_command_and_repaired_by_one(tmp_path, capsys):
    log = tmp_path / "asks.csv"
    torn = GOOD + send("r0099")[:40]
    for command, argv in COMMANDS.items():
        log.write_bytes(torn)
        code = main([a.format(log=log) for a in argv])
        out, err = capsys.readouterr()
        if command == "repair":
            assert code == 0 and "moved the torn last line (line 11)" in out
            assert log.read_bytes() == GOOD
        else:
            assert code == 2 and err.startswith(f"etiquette-lab: error: {log}, line 11:")
            assert "repair" in err and log.read_bytes() == torn
