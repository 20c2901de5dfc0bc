"""Helpers for the ingest tests: run an import of a committed sample file the way the CLI does."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).resolve().parent.parent / "data" / "import"


@pytest.fixture
def run_import(db: Any, tmp_path: Path, settings: Any) -> Callable[..., Any]:
    from kundebase.ingest import importer

    settings.KUNDEBASE_DATA_DIR = tmp_path / "data"

    def run(name: str | Path, *, entity: str = "persons", source: str = "crm", columns: dict | None = None,
            chunk_size: int = importer.CHUNK) -> Any:
        path = Path(name) if Path(name).is_absolute() else DATA / name
        src = importer.get_source(source, create=True)
        job, _created = importer.create_job(path=path, source=src, entity=entity, name=path.name, columns=columns)
        return importer.run_job(job.pk, chunk_size=chunk_size)

    return run


@pytest.fixture
def sample_copy(tmp_path: Path) -> Callable[[str], Path]:
    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copyfile(DATA / name, target)
        return target

    return copy
