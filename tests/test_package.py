"""The package as a whole: a flat, unambiguous public API that imports lightly."""

from __future__ import annotations

import importlib
import subprocess
import sys

import etiquette_lab


def test_every_public_name_is_exported_by_exactly_one_module():
    owners: dict[str, list[str]] = {}
    for module_name in etiquette_lab._MODULES:
        module = importlib.import_module(f"etiquette_lab.{module_name}")
        for name in module.__all__:
            owners.setdefault(name, []).append(module_name)
            assert hasattr(module, name), f"{module_name}.__all__ lists missing {name}"
    assert {n: m for n, m in owners.items() if len(m) > 1} == {}
    assert set(etiquette_lab.__all__) == {"__version__", *owners}


def _modules_after(code: str) -> set[str]:
    script = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return set(result.stdout.split())


def test_import_loads_no_heavy_dependency():
    loaded = _modules_after("import etiquette_lab")
    assert not {"matplotlib", "pandas", "scipy", "numpy"} & loaded


def test_the_log_api_does_not_load_scipy_or_matplotlib():
    loaded = _modules_after("import etiquette_lab as el\nel.open_log\nel.create_log")
    assert "pandas" in loaded
    assert not {"matplotlib", "scipy"} & loaded


def test_plot_functions_import_matplotlib_only_when_called():
    loaded = _modules_after("import etiquette_lab as el\nel.plot_report\nel.compare_counts")
    assert "matplotlib" not in loaded
