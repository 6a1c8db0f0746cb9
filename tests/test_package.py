"""The package as a whole: a flat, unambiguous public API that imports lightly."""

from __future__ import annotations

import subprocess
import sys


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
