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
