"""--help: the whole help without a command, and every command's help ends with examples that
really parse and the doc that explains it."""

from __future__ import annotations

import argparse
import re
import shlex
from pathlib import Path

import pytest

from etiquette_lab.cli import main
from etiquette_lab.cli.main import build_parser

ROOT = Path(__file__).resolve().parents[1]
#: A doc named in a help text, with the section in quotes that may follow it.
DOC = re.compile(r"((?:docs/[\w-]+|README)\.md)(?: \(\"([^\"]+)\"\))?")
#: Commands that only read what they are given, so that their examples can be run as they are.
READ_ONLY = {"compare", "plan", "power", "requests", "report", "todo", "check"}


def commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    found = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(found[0].choices)


def ending(help_text: str) -> tuple[list[str], str]:
    """The example command lines and the 'explained in' paragraph a help text ends with."""
    head, _, pointer = help_text.rstrip("\n").rpartition("\n\n")
    _, _, examples = head.rpartition("examples:\n")
    return [line.strip() for line in examples.splitlines()], " ".join(pointer.split())


def assert_names_docs_that_exist(pointer: str) -> None:
    assert pointer.startswith("explained in "), pointer
    docs = DOC.findall(pointer)
    assert docs, pointer
    for path, section in docs:
        text = (ROOT / path).read_text(encoding="utf-8")
        if section:
            assert re.search(rf"^#+ {re.escape(section)}$", text, re.MULTILINE), (path, section)


def test_no_command_prints_the_whole_help(capsys):
    assert main([]) == 2
    out, err = capsys.readouterr()
    assert out.startswith("usage: etiquette-lab") and err == ""
    assert all(f"    {name} " in out or f"    {name}\n" in out for name in commands())
    assert out.rstrip().endswith("each command's --help has its own examples and doc)")


def test_an_explicit_help_exits_0(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["--help"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out.startswith("usage: etiquette-lab")


def test_the_overview_help_names_the_readme_and_examples_that_parse(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    examples, pointer = ending(build_parser().format_help())
    assert_names_docs_that_exist(pointer)
    assert "README.md" in pointer and 1 <= len(examples) <= 2
    for example in examples:
        build_parser().parse_args(shlex.split(example)[1:])


@pytest.mark.parametrize("command", sorted(commands()))
def test_every_command_help_ends_with_examples_that_parse_and_its_doc(command, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    examples, pointer = ending(commands()[command].format_help())
    assert 1 <= len(examples) <= 2, examples
    for example in examples:
        argv = shlex.split(example)
        assert argv[:2] == ["etiquette-lab", command], example
        args = build_parser().parse_args(argv[1:])  # SystemExit(2) if it does not parse
        assert args.command == command
    assert_names_docs_that_exist(pointer)


def test_the_examples_that_only_read_bundled_files_run(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(ROOT)  # the examples name files relative to the repository
    ran = []
    for command, parser in commands().items():
        for example in ending(parser.format_help())[0] if command in READ_ONLY else []:
            argv = shlex.split(example)[1:]
            files = [a for a in argv if a.endswith((".csv", ".toml", ".png", ".txt"))]
            # Only the bundled examples: data/private/ may hold a user's own logs.
            if all(f.startswith("data/examples/") and (ROOT / f).is_file() for f in files):
                assert main(argv) in (0, 1), example  # 1: check's findings
                ran.append(command)
    capsys.readouterr()
    assert {"compare", "plan", "power", "requests", "report", "todo", "check"} <= set(ran)
