"""The package's shape (issue 13): stage folders whose imports run one way.

- no import circles between modules (imports under ``TYPE_CHECKING`` do not run and are
  not counted);
- no module imports another module's private name (a leading underscore);
- internal imports sit at module level, where a reader looks for them. Only pandas, scipy,
  numpy and matplotlib may be imported inside functions (so that ``import etiquette_lab`` stays
  fast), and the command line's handlers import their stage there: every command module is
  loaded to build ``--help``, and ``etiquette-lab plan`` must not pay for reading logs.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "etiquette_lab"
# Modules whose functions may import the package's own modules, and why.
LAZY_ALLOWED = {
    "etiquette_lab.cli.design_commands": "a command's handler imports its stage when it runs",
    "etiquette_lab.cli.log_commands": "a command's handler imports its stage when it runs",
    "etiquette_lab.cli.plan_commands": "a command's handler imports its stage when it runs",
    "etiquette_lab.cli.stats_commands": "a command's handler imports its stage when it runs",
    "etiquette_lab.cli.sync_commands": "a command's handler imports its stage when it runs",
    "etiquette_lab.cli.main": "the error types are imported when a command runs",
    "etiquette_lab.cli.output": "printing a result needs the results module only then",
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(name: str):
    """(imported module, imported names, at module level?) for each runtime internal import."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and _is_type_checking(node)
        for stmt in node.body
        for inner in ast.walk(stmt)
    }
    top = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        if id(node) in skipped or not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
            target = ".".join(base + ([node.module] if node.module else []))
        else:
            target = node.module or ""
        if not target.startswith("etiquette_lab"):
            continue
        yield target, [a.name for a in node.names], id(node) in top


def _edges() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for name in MODULES:
        for target, names, _ in _imports(name):
            for imported in names:
                module = f"{target}.{imported}"
                edges.setdefault(name, set()).add(module if module in MODULES else target)
    return edges


def test_no_import_circles():
    # A package importing its own submodules (the re-exports of an __init__) is not a circle.
    edges = {
        source: {t for t in targets if t in MODULES and not t.startswith(source + ".")}
        for source, targets in _edges().items()
    }
    circles: list[str] = []
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> None:
        for nxt in sorted(edges.get(node, ())):
            if nxt in path:
                circles.append(" -> ".join([*path[path.index(nxt) :], nxt]))
            elif nxt not in done:
                visit(nxt, [*path, nxt])
        done.add(node)

    for start in sorted(MODULES):
        if start not in done:
            visit(start, [start])
    assert circles == []


def test_no_module_imports_a_private_name_of_another():
    private = [
        f"{name}: from {target} import {imported}"
        for name in MODULES
        for target, names, _ in _imports(name)
        for imported in names
        if imported.startswith("_") and not imported.startswith("__")
    ]
    assert private == []


def test_internal_imports_are_at_module_level():
    inside = sorted(
        f"{name}: {target}"
        for name in MODULES
        if name not in LAZY_ALLOWED
        for target, _, at_top in _imports(name)
        if not at_top
    )
    assert inside == []


def test_the_readme_table_lists_every_stage_folder_and_no_other():
    # The README's "Where things live" is the map a newcomer reads first.
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## Where things live") :]
    listed = set(re.findall(r"^\| `etiquette_lab/(\w+)/` \|", table, re.M))
    folders = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert listed == folders


def test_every_module_without_pandas_is_type_checked_strictly():
    # pyproject.toml lists the modules mypy checks with the strict flags: every module that
    # does not import pandas at all belongs there (a new one is easy to forget).
    import tomllib

    config = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))
    strict = {
        name
        for override in config["tool"]["mypy"]["overrides"]
        if override.get("disallow_untyped_defs")
        for name in override["module"]
    }
    pandas_free = {
        name
        for name, path in MODULES.items()
        if not re.search(r"^\s*(import|from) pandas", path.read_text(encoding="utf-8"), re.M)
    }
    assert sorted(pandas_free - strict) == []
