"""The notebooks: committed clean, free of hand-written statistics, and runnable top to bottom.

Each notebook is executed in a fresh kernel with ETIQUETTE_LAB_SCRATCH pointing at a temporary
folder, so running the tests never writes into the repository. They call the package only, by
the flat ``el.`` API; their figures carry alternative text; their links open from JupyterLab
as ``make lab`` starts it; and their prose reads p-values the way the verdict does.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CELL_TIMEOUT_SECONDS = 120

# Statistics belong in the package, where they are tested; a notebook only calls it.
HAND_WRITTEN_STATISTICS = re.compile(
    r"\bscipy\.stats\b|from scipy import stats|statsmodels|fisher_exact|chi2_contingency|"
    r"binomtest|boschloo_exact|norm\.ppf|beta\.ppf"
)


def _cells(path: Path, kind: str) -> list[str]:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == kind]


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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_call_the_package_by_its_flat_api(path):
    code = "\n".join(_cells(path, "code"))
    assert "import etiquette_lab as el" in code
    assert not re.search(r"from etiquette_lab\b|import etiquette_lab\.", code)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_figure_is_shown_with_its_alternative_text(path):
    for cell in _cells(path, "code"):
        assert "plt.show()" not in cell  # a bare PNG: nbconvert warns, screen readers get nothing
        if "el.plot_" in cell:
            assert "el.figure_with_alt(" in cell and "el.alt_text(" in cell, cell


#: A markdown link: [text](target).
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_links_open_files_inside_the_repository(path):
    # make lab roots JupyterLab at the repository (next test), so ../docs/... is reachable; a
    # #heading fragment is not used: JupyterLab and GitHub make different ids from a heading.
    prose = "\n".join(_cells(path, "markdown"))
    for target in LINK.findall(prose):
        if re.match(r"https?://|mailto:", target):
            continue
        assert "#" not in target, target
        resolved = (path.parent / target).resolve()
        assert resolved.is_file() and resolved.is_relative_to(ROOT), target
    # Every doc the prose names is a link, not a file name to go and find.
    unlinked = re.findall(r"docs/[\w-]+\.md", LINK.sub("", prose))
    assert unlinked == [], unlinked


def test_make_lab_roots_jupyterlab_at_the_repository_and_opens_the_notebooks():
    recipe = (ROOT / "Makefile").read_text(encoding="utf-8").split("\nlab:", 1)[1]
    recipe = recipe.split("\n\n", 1)[0]
    assert "--ServerApp.root_dir=." in recipe and "--notebook-dir" not in recipe
    assert "--LabApp.default_url=/lab/tree/notebooks" in recipe


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_a_notebook_that_reads_no_log_does_not_ask_for_one(path):
    parameters = _cells(path, "code")[0]
    if not re.search(r"\b(LOG_PATH|MY_LOG)\b", parameters):
        assert not re.search(r"\blogs?\b", parameters, re.IGNORECASE), path.name


#: Readings of a p-value (or of a result) that a statistician would not sign: a p-value says
#: how surprising the data would be if the wordings did not differ, never how likely a
#: difference is to be real or to be luck.
MISREADINGS = [
    r"by chance alone",
    r"unlikely to be (?:luck|chance)",
    r"could (?:well )?be luck",
    r"convincing repeat",
    r"most likely truth",
    r"(?:difference|effect) is (?:real|luck)",
    r"probability (?:that )?(?:the|this|it) (?:difference|result|gap) is",
]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_the_prose_reads_p_values_the_right_way_round(path):
    prose = " ".join(" ".join(_cells(path, "markdown")).split())
    for pattern in MISREADINGS:
        assert not re.search(pattern, prose, re.IGNORECASE), (pattern, path.name)


def _verdict_strengths(report) -> set[str]:
    from etiquette_lab.stats.verdict import STRENGTH_WORDS

    return {kind for kind, words in STRENGTH_WORDS.items() if words in report.verdict}


def _article():
    import etiquette_lab as el

    return el.compare_counts(el.article_counts())


def _example():
    import etiquette_lab as el

    requests = el.read_requests(el.example_log_path())
    return el.compare_requests(requests, window="7d", as_of=el.example_log_as_of(), strata=True)


def _published():
    import etiquette_lab as el

    study = el.published_experiment()
    return el.compare_counts(study["counts"], control=study["control"])


#: The words a notebook's prose may use for the strength of a verdict it describes.
STRENGTH_IN_PROSE = {"suggestive": r"suggestive", "unclear": r"no clear difference"}


@pytest.mark.parametrize(
    ("name", "verdict"),
    [("01_", _article), ("02_", _article), ("04_", _example), ("06_", _published)],
)
def test_the_prose_grants_no_strength_the_verdict_does_not(name, verdict):
    (path,) = [p for p in NOTEBOOKS if p.name.startswith(name)]
    prose = " ".join(" ".join(_cells(path, "markdown")).split())
    said = {kind for kind, words in STRENGTH_IN_PROSE.items() if re.search(words, prose, re.I)}
    assert said <= _verdict_strengths(verdict()), (path.name, said)


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
    client = NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=CELL_TIMEOUT_SECONDS,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    for output in outputs:
        data = output.get("data", {})
        if "image/png" in data:  # shown by figure_with_alt: an <img> with its alt text
            assert re.search(r'<img [^>]*alt="[^"]{20,}"', data.get("text/html", ""))
        # What a reader sees (the HTML when there is one) says what is missing, never NaN.
        shown = output.get("text", "") + data.get("text/html", data.get("text/plain", ""))
        assert not re.search(r"\bnan\b|\bNaT\b", shown, re.IGNORECASE)
    assert _repository_state(path.parent.parent) == before  # nothing in the repo changed


def _repository_state(root: Path) -> dict[str, float]:
    watched = [root / "data", root / "notebooks", root / "etiquette_lab" / "data"]
    return {
        str(p): p.stat().st_mtime
        for folder in watched
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
