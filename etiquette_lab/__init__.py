"""etiquette-lab: honest experiments on how you ask.

Log the outreach requests you send (recommendation and connection requests, cold e-mails) and
what came back, then compare how each wording was answered with statistics that stay truthful
at five requests per wording.

Where to start
--------------
* The notebooks in ``notebooks/`` (``make lab`` opens them), in order:
  ``01_article_five_vs_five.ipynb`` (the article's 1 of 5 against 4 of 5, and what it does and
  does not prove), ``02_plan_your_experiment``, ``03_log_and_follow_up``,
  ``04_analyse_your_results``, ``05_how_small_is_too_small``,
  ``06_published_field_experiment`` and ``07_peeking_without_fooling_yourself``.
* ``README.md``: the quick start and the ``etiquette-lab`` command (``etiquette-lab --help``;
  every command's help ends with examples). ``docs/`` explains the log format, the methods,
  planning and the etiquette checks in plain words.
* The main entry points, one per step:

  - compare wordings from counts: :func:`compare_counts`;
  - record sends and answers: :func:`create_log`, :func:`open_log` (then ``log.send``,
    ``log.respond``, ...), or :func:`import_requests` from a spreadsheet;
  - analyse a log: :func:`read_requests`, :func:`compare_requests`, :func:`time_to_response`,
    :func:`plot_report`;
  - plan before you send: :func:`sample_size`, :func:`exact_power`;
  - follow the article's etiquette: :func:`check_etiquette`, :func:`todo_list`;
  - look while it runs without fooling yourself: :func:`sequential_design`,
    :func:`anytime_design`, :func:`sequential_decision`.

  Every result prints as plain text, renders as a table in a notebook, and has ``.summary``
  (a DataFrame) and ``.to_dict()`` (JSON-safe).

The public API is flat: every name listed in a submodule's ``__all__`` is available here, as
``etiquette_lab.compare_counts`` or ``from etiquette_lab import open_log``. Submodules are
imported on first use, so ``import etiquette_lab`` (and ``etiquette-lab --help``) stays fast and
never imports matplotlib, pandas or scipy until a function needs them.

Examples
--------
>>> import etiquette_lab as el
>>> result = el.compare_counts({"default": (1, 5), "personalised": (4, 5)})
>>> round(result.comparisons[0].tests.fisher.p_value, 2)  # the article's table
0.21
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

__version__ = "0.1.0"

# One module per stage of the loop, in the order the loop runs; each lists its public names in
# __all__. Adding a module means adding it here.
_MODULES: tuple[str, ...] = (
    "errors",
    "results",
    "timestamps",
    "significance",
    "log.format",
    "log.file",
    "log.repair",
    "log.requests",
    "arms",
    "analyse.outcomes",
    "stats",
    "log.privacy",
    "log.importing",
    "sync",
    "planning.power",
    "planning.bayes",
    "planning.results",
    "design.messages",
    "followup.etiquette",
    "analyse.timing",
    "lessons.datasets",
    "lessons.simulation",
    "sequential",
    "plots",
)

_exports: dict[str, str] | None = None


def _export_map() -> dict[str, str]:
    global _exports
    if _exports is None:
        found: dict[str, str] = {}
        for module_name in _MODULES:
            module = importlib.import_module(f"{__name__}.{module_name}")
            for name in module.__all__:
                if name in found:
                    raise ImportError(f"{name} is exported by both {found[name]} and {module_name}")
                found[name] = module_name
        _exports = found
    return _exports


def __getattr__(name: str) -> Any:
    # `from . import x` inside a submodule asks for x here first; answer with the submodule
    # itself, so that resolving it never imports every other module (and never cycles).
    if importlib.util.find_spec(f"{__name__}.{name}") is not None:
        return importlib.import_module(f"{__name__}.{name}")
    if name == "__all__":
        return ["__version__", *_export_map()]
    # Import modules in loop order only until one exports the name: el.open_log needs the log,
    # not scipy's statistics.
    for module_name in _MODULES:
        module = importlib.import_module(f"{__name__}.{module_name}")
        if name in module.__all__:
            value = getattr(module, name)
            globals()[name] = value
            return value
    raise AttributeError(f"module 'etiquette_lab' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_export_map()})
