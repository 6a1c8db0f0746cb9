"""Where a newcomer starts: the README's Python example runs as shown, and the package's
docstring points at the notebooks, the README and the main entry points that exist."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import etiquette_lab

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PYCON = re.compile(r"^```pycon\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def test_the_readme_shows_the_python_form_of_a_comparison_and_its_output():
    blocks = PYCON.findall(README.read_text(encoding="utf-8"))
    assert any("el.compare_counts({" in block for block in blocks)
    # Run every >>> line and compare with the output shown. Long printed lines are wrapped in
    # the README for reading: whitespace, line breaks included, is compared loosely.
    parser, runner = (
        doctest.DocTestParser(),
        doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS),
    )
    for number, block in enumerate(blocks, 1):
        test = parser.get_doctest(block, {}, f"README pycon block {number}", str(README), 0)
        assert any(e.want for e in test.examples), block  # shows what it prints
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


def test_the_package_docstring_says_where_to_start():
    doc = etiquette_lab.__doc__
    assert "Where to start" in doc and "README.md" in doc and "make lab" in doc
    notebooks = re.findall(r"``(0\d_\w+?)(?:\.ipynb)?``", doc)
    assert sorted(notebooks) == sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    entry_points = re.findall(r":func:`(\w+)`", doc)
    assert {"compare_counts", "open_log", "compare_requests", "sample_size"} <= set(entry_points)
    assert set(entry_points) <= set(etiquette_lab.__all__)
