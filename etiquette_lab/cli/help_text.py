"""How ``--help`` reads: prose wrapped to the terminal, examples kept line by line."""

from __future__ import annotations

import argparse
import textwrap

__all__ = ["HelpFormatter", "epilog"]


class HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, except that indented lines (examples) are kept as written.

    Descriptions stay one paragraph in the source and are wrapped as usual; an epilog made by
    :func:`epilog` keeps each example on its own line, so it can be copied into a shell.
    """

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        lines: list[str] = []
        paragraph: list[str] = []

        def flush() -> None:
            if paragraph:
                lines.extend(
                    textwrap.wrap(
                        " ".join(paragraph),
                        width,
                        initial_indent=indent,
                        subsequent_indent=indent,
                    )
                )
                paragraph.clear()

        for line in text.splitlines():
            if line[:1].isspace() or not line.strip():
                flush()
                lines.append(indent + line if line.strip() else "")
            else:
                paragraph.append(line.strip())
        flush()
        return "\n".join(lines)


def epilog(*examples: str, docs: str) -> str:
    """The end of a command's ``--help``: one or two examples, then where it is explained.

    Examples
    --------
    >>> print(epilog("etiquette-lab plan --baseline 0.2 --target 0.5", docs="docs/planning.md"))
    examples:
      etiquette-lab plan --baseline 0.2 --target 0.5
    <BLANKLINE>
    explained in docs/planning.md
    """
    return "\n".join(
        ["examples:", *(f"  {example}" for example in examples), "", f"explained in {docs}"]
    )
