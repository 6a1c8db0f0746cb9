"""The notebooks: committed clean, free of hand-written statistics, and runnable top to bottom.

Each notebook is executed in a fresh kernel with ETIQUETTE_LAB_SCRATCH pointing at a temporary
folder, so running the tests never writes into the repository.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
CELL_TIMEOUT_SECONDS = 120

# Statistics belong in the package, where they are tested; a notebook only calls it.
HAND_WRITTEN_STATISTICS = re.compile(
    r"\bscipy\.stats\b|from scipy import stats|statsmodels|fisher_exact|chi2_contingency|"
    r"binomtest|boschloo_exact|norm\.ppf|beta\.ppf"
)


def test_the_seven_stories_are_there():
    assert [p.name[:3] for p in NOTEBOOKS] == ["01_", "02_", "03_", "04_", "05_", "06_", "07_"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs_and_with_kernel_python3(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [] and cell.get("execution_count") is None, path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_statistics_are_written_inside_a_notebook(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    code = "\n".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code")
    assert not HAND_WRITTEN_STATISTICS.search(code), HAND_WRITTEN_STATISTICS.search(code)
    first = "".join(next(c for c in notebook["cells"] if c["cell_type"] == "code")["source"])
    assert "__version__" in first and "sys.version" in first  # the first cell says what runs


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_top_to_bottom(path, tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    # Not created beforehand: on a fresh clone data/private/ does not exist either.
    monkeypatch.setenv("ETIQUETTE_LAB_SCRATCH", str(tmp_path / "private"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    before = _repository_state(path.parent.parent)
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, kernel_name="python3", timeout=CELL_TIMEOUT_SECONDS,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors
    assert _repository_state(path.parent.parent) == before  # nothing in the repo changed


def _repository_state(root: Path) -> dict[str, float]:
    watched = [root / "data", root / "notebooks", root / "etiquette_lab" / "data"]
    return {str(p): p.stat().st_mtime for folder in watched for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}
