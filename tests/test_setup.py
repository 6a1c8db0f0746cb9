"""The first `make lab` / `make test`: it says what it is doing, and installs without warnings."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Stands in for python3 and for the venv's python: `-m venv DIR` makes DIR/bin/python (this
# script again), the version check runs the real interpreter, anything else (pip) is echoed.
FAKE_PYTHON = textwrap.dedent(
    f"""\
    #!/bin/sh
    if [ "$1" = -m ] && [ "$2" = venv ]; then
      mkdir -p "$3/bin" && cp "$0" "$3/bin/python" && exit 0
    fi
    if [ "$1" = -c ]; then exec {sys.executable} "$@"; fi
    echo "fake python $*"
    """
)


@pytest.fixture
def fake_python(tmp_path):
    path = tmp_path / "python3"
    path.write_text(FAKE_PYTHON, encoding="utf-8")
    path.chmod(0o755)
    return path


def make_setup(venv: Path, python: Path) -> list[str]:
    result = subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), f"VENV={venv}", f"PYTHON={python}",
         f"{venv}/.installed"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return result.stdout.splitlines()


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_the_setup_says_what_it_does_before_the_quiet_install(tmp_path, fake_python):
    venv = tmp_path / "venv"
    lines = make_setup(venv, fake_python)
    first_pip = next(i for i, line in enumerate(lines) if "-m pip install" in line)
    said = [line for line in lines[:first_pip] if line.startswith("setting up")]
    assert said == [f"setting up {venv} (first time only, a few minutes)"]
    assert lines[-1] == f"{venv} is ready"
    assert (venv / ".installed").exists()

    again = make_setup(venv, fake_python)  # set up: nothing to say, nothing to install
    assert not any(line.startswith(("setting up", "updating")) or "pip" in line for line in again)

    os.utime(venv / ".installed", (0, 0))  # older than pyproject.toml: the install is redone
    lines = make_setup(venv, fake_python)
    assert (
        lines[0] == f"updating {venv} to match pyproject.toml and constraints.txt (a minute or two)"
    )
    assert not any(line.startswith("setting up") for line in lines)


# setuptools prints its progress on stdout (and rewrites sys.argv): the warnings go to a file.
BUILD_EDITABLE = """
import pathlib, sys, warnings
import setuptools.build_meta as backend

wheel_dir, warnings_file = sys.argv[1:]
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    backend.build_editable(wheel_dir)
pathlib.Path(warnings_file).write_text(
    "".join(f"{w.category.__name__}: {w.message}\\n" for w in caught), encoding="utf-8"
)
"""


def test_the_editable_install_builds_without_a_warning(tmp_path):
    # What `pip install -e .` runs, on a copy of what the install reads (it writes egg-info
    # beside the sources, which must not land in the repository).
    project = tmp_path / "project"
    project.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, project / name)
    shutil.copytree(ROOT / "etiquette_lab", project / "etiquette_lab",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-c", BUILD_EDITABLE, tmp_path / "wheel", tmp_path / "warnings"],
        cwd=project, capture_output=True, text=True, check=True,
    )  # fmt: skip
    # Before the fix setuptools warned "Editable installation. ... Please be careful with
    # folders in your working directory with the same name as your package" in a box of stars.
    assert (tmp_path / "warnings").read_text(encoding="utf-8") == ""
    assert "careful" not in result.stdout + result.stderr
    assert list((tmp_path / "wheel").glob("etiquette_lab-*.whl"))


def test_the_built_package_carries_every_data_file(tmp_path):
    # An installed (not editable) kit must find its datasets, templates and the synthetic
    # LinkedIn export and mailbox, which live in sub-folders of data/.
    import zipfile

    project = tmp_path / "project"
    project.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, project / name)
    shutil.copytree(ROOT / "etiquette_lab", project / "etiquette_lab",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    subprocess.run(
        [sys.executable, "-c", "import sys, setuptools.build_meta as b; b.build_wheel(sys.argv[1])",
         tmp_path / "wheel"],
        cwd=project, capture_output=True, text=True, check=True,
    )  # fmt: skip
    (wheel,) = (tmp_path / "wheel").glob("etiquette_lab-*.whl")
    packaged = set(zipfile.ZipFile(wheel).namelist())
    package = ROOT / "etiquette_lab"
    for folder in ("data", "templates"):
        for path in (package / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                assert path.relative_to(ROOT).as_posix() in packaged, path
