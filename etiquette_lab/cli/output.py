"""How the command line prints results: text for people, strict JSON for programs."""

from __future__ import annotations

import json
import sys
from typing import Any


def print_json(data: Any) -> None:
    """Print *data* as strict JSON (a non-finite number is already None via ``json_safe``)."""
    from ..results import json_safe

    json.dump(json_safe(data), sys.stdout, allow_nan=False, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def print_result(result: Any, *, as_json: bool) -> None:
    """Print a :class:`~etiquette_lab.results.Result` as text or as JSON."""
    if as_json:
        print_json(result.to_dict())
    else:
        print(result)
