"""The structural measures of ``scripts/structure.py``: small files, and detectors that see what they claim."""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _structure() -> ModuleType:
    spec = importlib.util.spec_from_file_location("structure", ROOT / "scripts" / "structure.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("structure", module)
    spec.loader.exec_module(module)
    return module


def test_no_file_is_over_600_lines() -> None:
    assert _structure().files_over(ROOT) == []


def test_a_long_file_is_counted(tmp_path: Path) -> None:
    (tmp_path / "long.py").write_text("x = 1\n" * 601)
    (tmp_path / "short.py").write_text("x = 1\n" * 600)
    assert _structure().files_over(tmp_path) == ["long.py"]


def test_customer_row_writes_are_seen_in_the_syntax_tree() -> None:
    writes = _structure().writes_customer_rows
    assert writes(ast.parse("Person.objects.create(given_name='Kari')"))
    assert writes(ast.parse("ContactPoint.objects.filter(party_id=1).update(is_primary=False)"))
    assert writes(ast.parse("Party.objects.bulk_create(rows)"))
    assert writes(ast.parse("insert_rows(Address, rows)"))
    assert writes(ast.parse("def f():\n    p = Person.objects.get(pk=1)\n    p.save()"))
    assert not writes(ast.parse("Person.objects.filter(pk=1).exists()"))
    assert not writes(ast.parse("Order.objects.create(party_id=1)"))
    assert not writes(ast.parse("values.update({'kind': 'email'})"))


def test_vendor_branches_are_seen_in_the_syntax_tree() -> None:
    branches = _structure().has_vendor_branch
    assert branches(ast.parse("if connection.vendor == 'postgresql': pass"))
    assert branches(ast.parse("vendor = connections['default'].vendor"))
    assert branches(ast.parse("ok = self.conn.vendor in ('sqlite',)"))
    assert not branches(ast.parse("if dialect.name == 'postgresql': pass"))
    assert branches(ast.parse("def f(schema_editor):\n    return schema_editor.connection.vendor"))
    assert branches(ast.parse("def f(cursor):\n    return cursor.db.vendor"))
    assert branches(ast.parse("kind = getattr(connection, 'vendor', '')"))
    assert not branches(ast.parse("kind = for_connection(connection).name"))


def test_only_the_dialect_layer_asks_which_database_it_runs_on() -> None:
    structure = _structure()
    found = structure.vendor_branch_modules(ROOT)
    assert [name for name in found if not name.startswith(structure.DIALECT_LAYER)] == []
    assert found and all(name.startswith(structure.DIALECT_LAYER) for name in found)  # the layer itself is seen


def test_a_second_module_with_vendor_branches_is_above_the_threshold() -> None:
    structure = _structure()
    layer = ["src/kundebase/core/dialect/__init__.py"]
    alone = structure.Measures(files_over_600_lines=[], customer_row_writers=[], vendor_branch_modules=layer,
                               mypy_errors=0)
    assert structure.over_thresholds(alone) == []
    second = structure.Measures(files_over_600_lines=[], customer_row_writers=[],
                                vendor_branch_modules=[*layer, "src/kundebase/parties/search.py"], mypy_errors=0)
    assert structure.over_thresholds(second) == ["vendor_branch_modules: 2 > 1"]


def test_only_the_parties_write_path_writes_customer_rows() -> None:
    """Issue 16: one write path per entity.  A module that writes Party, Person, Company, ContactPoint or
    Address rows itself (not through ``kundebase.parties.services``) fails this test."""
    assert _structure().customer_row_writers(ROOT) == ["src/kundebase/parties/services/"]


def test_the_write_path_package_counts_as_one_module(tmp_path: Path) -> None:
    package = tmp_path / "src" / "kundebase" / "parties" / "services"
    package.mkdir(parents=True)
    (package / "creation.py").write_text("Person.objects.bulk_create(rows)\n")
    (package / "updates.py").write_text("Party.objects.filter(pk=1).update(version=2)\n")
    (tmp_path / "src" / "kundebase" / "orders.py").write_text("ContactPoint.objects.create(party_id=1)\n")
    (tmp_path / "src" / "kundebase" / "reads.py").write_text("Person.objects.filter(pk=1).exists()\n")
    assert _structure().customer_row_writers(tmp_path) == ["src/kundebase/orders.py",
                                                           "src/kundebase/parties/services/"]


def test_check_fails_above_a_threshold() -> None:
    structure = _structure()
    measures = structure.Measures(files_over_600_lines=["a.py"], customer_row_writers=["x.py"],
                                  vendor_branch_modules=[], mypy_errors=None)
    assert structure.over_thresholds(measures) == ["files_over_600_lines: 1 > 0"]


# --- layers: what sits below privacy -----------------------------------------------------------------------------

SRC = ROOT / "src" / "kundebase"


def _module(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function (``from a import b`` counts ``a`` and
    ``a.b``, since ``b`` may be a module)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _sources() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "migrations" not in p.parts)


def _is_views(module: str) -> bool:
    parts = module.split(".")
    return "views" in parts[:-1] or parts[-1] == "views" or parts[-1].startswith("views_")


def _is_api(module: str) -> bool:
    last = module.split(".")[-1]
    return last == "api" or last.startswith("api_") or last.endswith("_api")


PRESENTATION = ("serializers", "api", "views", "admin")
"""Modules that show records to a user: they may ask privacy how to mask what they show."""


def _is_presentation(module: str) -> bool:
    return _is_views(module) or _is_api(module) or module.split(".")[-1] in PRESENTATION


def test_the_lower_apps_do_not_depend_on_privacy() -> None:
    """core, parties, orders and interactions sit below privacy (privacy reads them).  Core imports nothing of
    privacy (who is pseudonymised is decided in ``core.roles``); in the other three only the modules that show
    records (serializers, API, views) ask ``privacy.masking`` how to mask what they show."""

    def below_privacy(module: str) -> bool:
        app = (module.split(".") + [""])[1]
        return app == "core" or (app in ("parties", "orders", "interactions") and not _is_presentation(module))

    wrong = [f"{_module(p)} imports {name}" for p in _sources() if below_privacy(_module(p))
             for name in sorted(_imports(p)) if name == "kundebase.privacy" or name.startswith("kundebase.privacy.")]
    assert wrong == []



def test_the_privacy_layer_detectors_see_what_they_claim(tmp_path: Path) -> None:
    assert _is_views("kundebase.sales.views_tasks") and _is_views("kundebase.web.views.customers")
    assert _is_api("kundebase.core.tokens_api") and _is_api("kundebase.core.api_auth") and _is_api("kundebase.api")
    assert not _is_views("kundebase.sales.access") and not _is_api("kundebase.ingest.apps")
    sample = tmp_path / "m.py"
    sample.write_text("def f():\n    from kundebase.ingest.views import progress\nimport kundebase.privacy.masking\n")
    assert {"kundebase.ingest.views", "kundebase.ingest.views.progress", "kundebase.privacy.masking"} <= _imports(
        sample)


# --- layers: pages and API are two thin surfaces over the same services ------------------------------------------

def _surface(module: str) -> str:
    """``views`` for a page module, ``api`` for an API module, "" for anything else (services, models …)."""
    parts = module.split(".")
    if "views" in parts or parts[-1].startswith("views_"):
        return "views"
    if "api" in parts[:-1] or parts[-1] == "api" or parts[-1].endswith("_api"):
        return "api"
    return ""


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT / "src").with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_modules(path: Path, module: str) -> set[str]:
    """Every module the file imports, at the top or inside a function (``from a import b`` names ``a.b`` too)."""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return found


def layer_crossings(root: Path) -> list[str]:
    """``views → api`` or ``api → views`` imports under ``root/src/kundebase``: shared code belongs in a service."""
    crossings: set[str] = set()
    for path in sorted((root / "src" / "kundebase").rglob("*.py")):
        module = _module_name(path) if root == ROOT else ".".join(
            path.relative_to(root / "src").with_suffix("").parts)
        side = _surface(module)
        if not side:
            continue
        for name in sorted(_imported_modules(path, module)):
            other = _surface(name)
            if name.startswith("kundebase.") and other and other != side:
                parts = name.split(".")
                cut = next(i for i in range(1, len(parts) + 1) if _surface(".".join(parts[:i])))
                crossings.add(f"{module} imports {'.'.join(parts[:cut])}")
    return sorted(crossings)


def test_views_and_api_modules_do_not_import_each_other() -> None:
    assert layer_crossings(ROOT) == []


def test_a_view_importing_an_api_module_is_seen(tmp_path: Path) -> None:
    app = tmp_path / "src" / "kundebase" / "shop"
    app.mkdir(parents=True)
    (app / "views.py").write_text("def page():\n    from kundebase.shop.api import helper\n")
    (app / "api.py").write_text("from . import views\n")
    (app / "services.py").write_text("from kundebase.shop import api, views\n")
    assert layer_crossings(tmp_path) == ["kundebase.shop.api imports kundebase.shop.views",
                                         "kundebase.shop.views imports kundebase.shop.api"]
