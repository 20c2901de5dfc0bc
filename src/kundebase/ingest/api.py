"""REST routes of the ingest app: provenance of any customer field, and import progress."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from kundebase.core.api_auth import require
from kundebase.core.errors import NotFound

router = Router(tags=["ingest"])


@router.get("/provenance/{entity}/{record_id}", summary="Which sources said what, for every field of a record")
def provenance(request: HttpRequest, entity: str, record_id: int) -> list[dict[str, Any]]:
    from kundebase.ingest import survivorship
    from kundebase.parties.models import Party

    require(request, "parties.view_party")
    if entity not in ("person", "company") or not Party.objects.filter(pk=record_id, kind=entity).exists():
        raise NotFound(entity, record_id)
    from kundebase.privacy.masking import mask_provenance

    return mask_provenance(survivorship.provenance(entity, record_id), request.user)


@router.get("/imports/{job_id}", summary="Progress and counts of an import")
def import_progress(request: HttpRequest, job_id: int) -> dict[str, Any]:
    from kundebase.ingest.importer import progress

    require(request, "ingest.view_importjob")
    return progress(_job(job_id))


def _job(job_id: int) -> Any:
    from kundebase.ingest.models import ImportJob

    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        raise NotFound("Import", job_id)
    return job


@router.post("/imports/{job_id}/pause", summary="Pause an import after the chunk it is writing")
def import_pause(request: HttpRequest, job_id: int) -> dict[str, Any]:
    from kundebase.ingest import services
    from kundebase.ingest.importer import progress

    require(request, "ingest.add_importjob")
    return progress(services.pause(_job(job_id), actor=request.user))


@router.post("/imports/{job_id}/resume", summary="Resume a paused import where it stopped")
def import_resume(request: HttpRequest, job_id: int) -> dict[str, Any]:
    from kundebase.ingest import services
    from kundebase.ingest.importer import progress

    require(request, "ingest.add_importjob")
    return progress(services.resume(_job(job_id), actor=request.user))
