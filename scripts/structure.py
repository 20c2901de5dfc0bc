"""Structural measures of the code base, the ones docs/development.md lists.

    python scripts/structure.py            # print the measures; exits 0
    python scripts/structure.py --check    # exit 1 when a measure is above its threshold
    python scripts/structure.py --no-mypy  # leave out the type check (it takes a minute or two)

The measures:

* files over 600 lines (source files kept in git, migrations left out);
* modules writing customer rows directly (the parties services' package counts as one): modules other than
  the parties services that call ``create``,
  ``save``, ``update``, ``delete``, ``bulk_create``, ``bulk_update`` or ``insert_rows`` on ``Party``,
  ``Person``, ``Company``, ``ContactPoint`` or ``Address``, or hand one of them to a raw bulk writer (found in
  the syntax tree, not by text);
* modules with database vendor branches (``connection.vendor``, ``connections[...].vendor``, ``cursor.db.vendor``,
  ``getattr(connection, "vendor")``, ``… .vendor ==``): the dialect layer, ``core/dialect``, should be the only one;
* mypy errors (``mypy src`` with the configuration of pyproject.toml).
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src" / "kundebase"
MAX_LINES = 600
SOURCE_SUFFIXES = (".py", ".html", ".js", ".css", ".sh")
CUSTOMER_MODELS = frozenset({"Party", "Person", "Company", "ContactPoint", "Address"})
WRITE_METHODS = frozenset({"create", "get_or_create", "update_or_create", "save", "update", "delete",
                           "bulk_create", "bulk_update"})
BULK_WRITERS = frozenset({"insert_rows", "Table"})
"""Raw bulk writers that take the model as first argument (``core.bulk.insert_rows``, the demo loader's tables)."""
WRITE_PATH = "src/kundebase/parties/services"
"""The one place customer rows should be written (a module, or a package of that name)."""
THRESHOLDS = {"files_over_600_lines": 0, "customer_row_writers": 1, "vendor_branch_modules": 1, "mypy_errors": 0}
"""What ``--check`` allows (issue 16's "done when")."""


@dataclass
class Measures:
    files_over_600_lines: list[str]
    customer_row_writers: list[str]
    vendor_branch_modules: list[str]
    mypy_errors: int | None  # None when not run


def _tracked(root: Path) -> list[Path]:
    """Files under version control (every file under ``root`` when it is not a git work tree)."""
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True).stdout
        return [root / name for name in out.decode().split("\0") if name]
    except (OSError, subprocess.CalledProcessError):
        return [p for p in root.rglob("*") if p.is_file() and ".git" not in p.parts]


def files_over(root: Path = ROOT, limit: int = MAX_LINES) -> list[str]:
    """Source files longer than ``limit`` lines, relative to ``root`` (migrations are generated: left out)."""
    long = []
    for path in _tracked(root):
        if path.suffix not in SOURCE_SUFFIXES or "migrations" in path.parts or not path.is_file():
            continue
        with path.open("rb") as handle:
            if sum(1 for _ in handle) > limit:
                long.append(path.relative_to(root).as_posix())
    return sorted(long)


def _modules(root: Path) -> Iterator[tuple[str, ast.Module]]:
    for path in sorted((root / "src" / "kundebase").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        yield path.relative_to(root).as_posix(), ast.parse(path.read_text(encoding="utf-8"), str(path))


def _root_name(node: ast.expr) -> str | None:
    """The name a chain such as ``Person.objects.filter(...).update`` starts from."""
    while True:
        if isinstance(node, ast.Attribute):
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Name):
            return node.id
        else:
            return None


def _chain_has_manager(node: ast.expr) -> bool:
    """Whether a chain passes through ``.objects`` or ``._default_manager`` (a query, not an instance)."""
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        if isinstance(node, ast.Attribute) and node.attr in ("objects", "_default_manager", "_base_manager"):
            return True
        node = node.func if isinstance(node, ast.Call) else node.value
    return False


def _instances(tree: ast.AST) -> set[str]:
    """Names bound to a customer model's instance: ``p = Person(...)``, ``p = Person.objects.get(...)``."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            if _root_name(node.value) in CUSTOMER_MODELS:
                names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def writes_customer_rows(tree: ast.AST) -> bool:
    """Whether a module writes ``Party``, ``Person``, ``Company``, ``ContactPoint`` or ``Address`` rows."""
    instances = _instances(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        callee = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if callee in BULK_WRITERS and node.args:
            if isinstance(node.args[0], ast.Name) and node.args[0].id in CUSTOMER_MODELS:
                return True
        if not isinstance(func, ast.Attribute) or func.attr not in WRITE_METHODS:
            continue
        root = _root_name(func.value)
        if root in CUSTOMER_MODELS and _chain_has_manager(func.value):
            return True
        if root in instances and func.attr in ("save", "delete") and isinstance(func.value, ast.Name):
            return True
    return False


def customer_row_writers(root: Path = ROOT) -> list[str]:
    """Modules that write customer rows; the parties services are the one that should.

    The write path is a package (``parties/services/``, split into small modules by what they write): it
    counts as one, listed by its folder's name."""
    found = []
    for name, tree in _modules(root):
        if writes_customer_rows(tree):
            name = f"{WRITE_PATH}/" if name.startswith(f"{WRITE_PATH}/") else name
            if name not in found:
                found.append(name)
    return found


CONNECTION_NAMES = frozenset({"connection", "conn", "db"})
"""Names and attributes that hold a Django connection (``connection``, ``schema_editor.connection``, ``cursor.db``)."""
DIALECT_LAYER = "src/kundebase/core/dialect"
"""The one place that may ask which database it runs on (a module, or a package of that name)."""


def _is_connection(node: ast.expr) -> bool:
    if isinstance(node, ast.Name):
        return node.id in CONNECTION_NAMES
    if isinstance(node, ast.Attribute):
        return node.attr in CONNECTION_NAMES
    if isinstance(node, ast.Subscript):
        return isinstance(node.value, ast.Name) and node.value.id == "connections"
    return False


def has_vendor_branch(tree: ast.AST) -> bool:
    """``connection.vendor``, ``connections[alias].vendor``, ``cursor.db.vendor``, ``getattr(connection, "vendor")``
    or any ``… .vendor ==`` / ``in`` comparison."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "vendor" and _is_connection(node.value):
            return True
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
                and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) and node.args[1].value == "vendor"):
            return True
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(isinstance(side, ast.Attribute) and side.attr == "vendor" for side in sides):
                return True
    return False


def vendor_branch_modules(root: Path = ROOT) -> list[str]:
    """Modules that branch on the database vendor; the dialect layer should be the only one."""
    return [name for name, tree in _modules(root) if has_vendor_branch(tree)]


def mypy_errors(root: Path = ROOT) -> int:
    """The number of errors ``mypy src`` reports (pyproject.toml holds its configuration)."""
    env = {**os.environ, "PYTHONPATH": str(root / "src"), "KUNDEBASE_ENV": os.environ.get("KUNDEBASE_ENV", "test")}
    run = subprocess.run([sys.executable, "-m", "mypy", "src"], cwd=root, env=env, capture_output=True, text=True)
    if "Success:" in run.stdout:
        return 0
    found = re.search(r"Found (\d+) errors?", run.stdout)
    if found is None:
        raise RuntimeError(f"mypy did not run: {run.stdout[-500:]}{run.stderr[-500:]}")
    return int(found.group(1))


def measure(root: Path = ROOT, *, with_mypy: bool = True) -> Measures:
    return Measures(files_over_600_lines=files_over(root), customer_row_writers=customer_row_writers(root),
                    vendor_branch_modules=vendor_branch_modules(root),
                    mypy_errors=mypy_errors(root) if with_mypy else None)


def _report(label: str, names: Iterable[str]) -> list[str]:
    names = list(names)
    return [f"{label}: {len(names)}",
            *(f"  {name}{_role(name)}" for name in names)]


def _role(name: str) -> str:
    if name.startswith(WRITE_PATH):
        return "  (the write path)"
    if name.startswith(DIALECT_LAYER):
        return "  (the dialect layer)"
    return ""


def over_thresholds(measures: Measures, thresholds: dict[str, int] = THRESHOLDS) -> list[str]:
    """The measures above their threshold, as ``name: value > threshold``."""
    values = {"files_over_600_lines": len(measures.files_over_600_lines),
              "customer_row_writers": len(measures.customer_row_writers),
              "vendor_branch_modules": len(measures.vendor_branch_modules),
              "mypy_errors": measures.mypy_errors}
    return [f"{name}: {value} > {thresholds[name]}" for name, value in values.items()
            if value is not None and value > thresholds[name]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a measure is above its threshold")
    parser.add_argument("--no-mypy", action="store_true", help="leave out the type check")
    for name, default in THRESHOLDS.items():
        parser.add_argument(f"--max-{name.replace('_', '-')}", type=int, default=default, dest=name,
                            help=f"threshold for --check (default {default})")
    args = parser.parse_args(argv)
    measures = measure(with_mypy=not args.no_mypy)
    lines = [*_report(f"files over {MAX_LINES} lines", measures.files_over_600_lines),
             *_report("modules writing customer rows", measures.customer_row_writers),
             *_report("modules with database vendor branches", measures.vendor_branch_modules),
             f"mypy errors: {'not run' if measures.mypy_errors is None else measures.mypy_errors}"]
    print("\n".join(lines))  # noqa: T201
    if args.check:
        above = over_thresholds(measures, {name: getattr(args, name) for name in THRESHOLDS})
        if above:
            print("above the threshold: " + "; ".join(above), file=sys.stderr)  # noqa: T201
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
