"""etiquette-lab: honest experiments on how you ask.

The public API is flat: every name listed in a submodule's ``__all__`` is available here, as
``etiquette_lab.compare_counts`` or ``from etiquette_lab import open_log``. Submodules are
imported on first use, so ``import etiquette_lab`` (and ``etiquette-lab --help``) stays fast and
never imports matplotlib, pandas or scipy until a function needs them.
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
    "log_format",
    "log",
    "requests",
    "arms",
    "outcomes",
    "stats",
    "privacy",
    "importing",
    "planning",
    "planning_bayes",
    "planning_results",
    "design",
    "etiquette",
    "timing",
    "datasets",
    "simulation",
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
