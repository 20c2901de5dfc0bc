"""Writes of the ingest app's own records: sources and their write keys, an import's mapping and its start."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kundebase.core import audit
from kundebase.core.errors import ErrorCollector, ValidationFailed
from kundebase.ingest.models import ImportJob, MappingTemplate, Source


@transaction.atomic
def add_source(*, name: str, priority: int = 50, verified: bool = False, actor: object = None,
               channel: str = "api") -> tuple[Source, str]:
    """Create a source with a new write key; the key is returned once and only its hash is stored."""
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ValidationFailed.one("name", _("Give a name of at most 120 characters"), "required")
    if Source.objects.filter(name=name).exists():
        raise ValidationFailed.one("name", _("A source named %(n)s exists") % {"n": name}, "duplicate")
    if not 0 <= priority <= 100:
        raise ValidationFailed.one("priority", _("Must be between 0 and 100"))
    source = Source(name=name, priority=priority, verified=verified)
    key = source.issue_key()
    source.save()
    audit.record(action="create", actor=actor, entity="source", record_id=source.pk, channel=channel,
                 fields=["name", "write_key"])
    return source, key


@transaction.atomic
def rotate_key(*, source: Source, actor: object = None, channel: str = "api") -> str:
    """A source that never had a key (made by an import) or whose key leaked gets a new one."""
    key = source.issue_key()
    source.save(update_fields=["key_digest", "key_prefix", "updated_at"])
    audit.record(action="change", actor=actor, entity="source", record_id=source.pk, channel=channel,
                 fields=["write_key"])
    return key


@transaction.atomic
def set_mapping(*, job: ImportJob, columns: dict[str, str], template_name: str = "") -> ImportJob:
    """Keep the columns chosen for a waiting import (each must be a field of its entity), and, when named, the
    same mapping as a template for the next file from the source; a wrong mapping changes nothing."""
    from kundebase.ingest import importer

    importer.check_columns(job.entity, columns)
    job.mapping = columns
    job.save(update_fields=["mapping", "updated_at"])
    if template_name.strip():
        importer.save_template(source=job.source, name=template_name.strip(), entity=job.entity, columns=columns)
    return job


STALE_SECONDS = 60
"""A running import whose heartbeat (written with every chunk) is older than this has stopped: its worker died."""


def stalled(job: ImportJob) -> bool:
    """A failed import, or a running one whose worker stopped writing chunks: it may be resumed."""
    return job.status == ImportJob.Status.FAILED or (job.status == ImportJob.Status.RUNNING and (
        job.heartbeat_at is None or (timezone.now() - job.heartbeat_at).total_seconds() > STALE_SECONDS))


def claim_for_start(job: ImportJob, *, stale: bool) -> bool:
    """Mark a waiting, paused (or stalled) import as running so that one worker picks it up; False when it is
    none of these.  The update is conditional, so two clicks on "start" queue one run."""
    startable = [ImportJob.Status.PENDING, ImportJob.Status.PAUSED]
    if stale:
        startable += [ImportJob.Status.RUNNING, ImportJob.Status.FAILED]
    claimed = ImportJob.objects.filter(pk=job.pk, status__in=startable).update(
        status=ImportJob.Status.RUNNING, heartbeat_at=timezone.now())
    return bool(claimed)


def pause(job: ImportJob, *, actor: object = None, channel: str = "api") -> ImportJob:
    """Ask a running (or waiting) import to stop after the chunk it is writing; it resumes from there.

    A finished, failed or already paused import is refused with 409, saying why, so a client knows its
    request did nothing.
    """
    from kundebase.core.errors import Conflict

    paused = ImportJob.objects.filter(pk=job.pk, status__in=[ImportJob.Status.PENDING, ImportJob.Status.RUNNING]
                                      ).update(status=ImportJob.Status.PAUSED)
    job.refresh_from_db()
    if not paused:
        raise Conflict(_("This import is %(status)s; only a running or waiting import can be paused")
                       % {"status": job.get_status_display().lower()}, code="not_running")
    audit.record(action="change", actor=actor, entity="import", record_id=job.pk, channel=channel,
                 fields=["status"])
    return job



def resume(job: ImportJob, *, actor: object = None, channel: str = "api", stale: bool = False) -> ImportJob:
    """Queue a paused (or waiting, or stalled) import for the worker; it goes on after its last written chunk.

    409 when the import is running or finished: nothing to resume.
    """
    from kundebase.core.errors import Conflict
    from kundebase.ingest import tasks

    if not claim_for_start(job, stale=stale):
        job.refresh_from_db()
        raise Conflict(_("This import is %(status)s; only a paused or waiting import can be resumed")
                       % {"status": job.get_status_display().lower()}, code="not_paused")
    tasks.start_import(job.pk, actor=actor)
    job.refresh_from_db()
    audit.record(action="change", actor=actor, entity="import", record_id=job.pk, channel=channel,
                 fields=["status"])
    return job

@transaction.atomic
def update_source(*, source: Source, changes: dict[str, object], actor: object = None,
                  channel: str = "api") -> Source:
    """Change how much a source is trusted (priority 0–100, verified) and whether it may send events (active)."""
    errors = ErrorCollector()
    priority = changes.get("priority", source.priority)
    if not isinstance(priority, int) or isinstance(priority, bool) or not 0 <= priority <= 100:
        errors.add("priority", _("Must be between 0 and 100"))
    errors.raise_if_any()
    assert isinstance(priority, int)  # refused above otherwise
    source.priority = priority
    source.verified = bool(changes.get("verified", source.verified))
    source.active = bool(changes.get("active", source.active))
    source.save(update_fields=["priority", "verified", "active", "updated_at"])
    audit.record(action="change", actor=actor, entity="source", record_id=source.pk, channel=channel,
                 fields=["priority", "verified", "active"])
    return source


@transaction.atomic
def save_template(*, source: Source, name: str, entity: str, columns: dict[str, str],
                  template: MappingTemplate | None = None, replace: bool = False, actor: object = None,
                  channel: str = "api") -> MappingTemplate:
    """Create or change a source's mapping template (file column → field), with the checks an import applies.
    With ``replace`` (an import keeping its mapping under a name), a template of the same name is overwritten."""
    from kundebase.ingest import importer

    errors = ErrorCollector()
    name = (name or "").strip()
    if replace and template is None:
        template = MappingTemplate.objects.filter(source=source, name=name).first()
    if not name or len(name) > 120:
        errors.add("name", _("Give a name of at most 120 characters"), "required")
    elif MappingTemplate.objects.filter(source=source, name=name).exclude(
            pk__in=[template.pk] if template is not None else []).exists():
        errors.add("name", _("This source already has a template named %(n)s") % {"n": name}, "duplicate")
    if not columns:
        errors.add("mapping", _("Map at least one file column to a field"), "required")
    try:
        importer.check_columns(entity, columns)
    except ValidationFailed as exc:
        errors.errors.extend(exc.errors)
    errors.raise_if_any()
    if template is None:
        template = MappingTemplate(source=source)
    template.name, template.entity, template.columns = name, entity, columns
    template.save()
    audit.record(action="change", actor=actor, entity="mapping_template", record_id=template.pk, channel=channel,
                 fields=["name", "entity", "columns"])
    return template
