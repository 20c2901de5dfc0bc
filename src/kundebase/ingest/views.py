"""The import pages: upload, mapping editor with preview, progress, error file; the sources page; and the
events that could not be processed (dead letters).

Thin: every page is behind the one page guard; every decision is in :mod:`kundebase.ingest.importer` and
every write in :mod:`kundebase.ingest.services`; the job runs as a background task
(:mod:`kundebase.ingest.tasks`) with its state in the database, so a page reload, a second browser or a
server restart sees (and can resume) the same job.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kundebase.core.errors import DomainError
from kundebase.ingest import importer, mapping, readers, services
from kundebase.ingest.models import ImportJob, MappingTemplate, Source
from kundebase.web.access import require, requires


@requires("ingest.view_importjob")
def import_list(request: HttpRequest) -> HttpResponse:
    jobs = ImportJob.objects.select_related("source")[:100]
    return render(request, "ingest/import_list.html", {"jobs": jobs})


@requires("ingest.add_importjob")
def upload(request: HttpRequest) -> HttpResponse:
    errors: dict[str, str] = {}
    if request.method == "POST":
        upload_file = request.FILES.get("file")
        source_name = (request.POST.get("source") or "").strip()
        entity = request.POST.get("entity") or "persons"
        template = (request.POST.get("template") or "").strip() or None
        if upload_file is None:
            errors["file"] = _("Choose a file")
        if not source_name:
            errors["source"] = _("Name the source (where the file comes from)")
        if entity not in mapping.ENTITIES:
            errors["entity"] = _("Choose what the file holds")
        if not errors and upload_file is not None:
            with tempfile.NamedTemporaryFile(suffix=Path(upload_file.name or "").suffix, delete=False) as tmp:
                for chunk in upload_file.chunks():
                    tmp.write(chunk)
            try:
                source = importer.get_source(source_name, create=True)
                job, _created = importer.create_job(path=Path(tmp.name), source=source, entity=entity,
                                                    name=upload_file.name or "", template=template, user=request.user)
                return redirect("ingest:import-mapping", job_id=job.pk)
            except DomainError as exc:
                errors["file"] = str(exc)
            finally:
                Path(tmp.name).unlink(missing_ok=True)
    return render(request, "ingest/upload.html", {
        "errors": errors, "entities": mapping.ENTITIES, "sources": Source.objects.all(),
        "templates": MappingTemplate.objects.select_related("source"), "values": request.POST,
    }, status=400 if errors else 200)


@requires("ingest.view_importjob")
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(ImportJob.objects.select_related("source"), pk=job_id)
    return render(request, "ingest/detail.html", {"job": job, "stale": services.stalled(job)})


@requires("ingest.add_importjob")
def job_mapping(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(ImportJob.objects.select_related("source"), pk=job_id)
    errors: list[str] = []
    headers = list(job.options.get("headers", []))
    if request.method == "POST" and job.status == ImportJob.Status.PENDING:
        columns = {h: request.POST.get(f"col_{i}", "") for i, h in enumerate(headers)}
        columns = {h: t for h, t in columns.items() if t}
        try:
            services.set_mapping(job=job, columns=columns, template_name=request.POST.get("template_name") or "")
            return redirect("ingest:import-mapping", job_id=job.pk)
        except DomainError as exc:
            errors.append(str(exc))
    path = Path(job.file_path)
    info = readers.FileInfo(format=job.file_format, encoding=job.options.get("encoding", ""),
                            delimiter=job.options.get("delimiter", ""))
    preview = importer.dry_run(path, source=job.source, entity=job.entity, columns=job.mapping, info=info,
                               limit=2000)
    samples: dict[str, list[str]] = {h: [] for h in headers}
    for _line, row in readers.open_rows(path, readers.FileInfo(format=info.format, encoding=info.encoding,
                                                               delimiter=info.delimiter)):
        for h in headers:
            samples[h].append(str(row.get(h, "") or ""))
        if len(samples[headers[0]] if headers else []) >= 3:
            break
    rows = [{"index": i, "header": h, "target": job.mapping.get(h, ""), "samples": samples.get(h, [])}
            for i, h in enumerate(headers)]
    return render(request, "ingest/mapping.html", {
        "job": job, "rows": rows, "targets": mapping.TARGETS[job.entity], "preview": preview, "errors": errors,
    })


@requires("ingest.add_importjob")
@require_POST
def job_start(request: HttpRequest, job_id: int) -> HttpResponse:
    """Start a waiting import, or resume a paused or stalled one (the same button on its page)."""
    job = get_object_or_404(ImportJob, pk=job_id)
    try:
        services.resume(job, actor=request.user, channel="web", stale=services.stalled(job))
    except DomainError:
        pass  # already running or finished (a second click): its page shows which
    return redirect("ingest:import-detail", job_id=job.pk)


@requires("ingest.add_importjob")
@require_POST
def job_pause(request: HttpRequest, job_id: int) -> HttpResponse:
    """Pause a running import after its current chunk; a finished one is left as it is (its page says so)."""
    job = get_object_or_404(ImportJob, pk=job_id)
    try:
        services.pause(job, actor=request.user, channel="web")
    except DomainError:
        pass  # finished or paused meanwhile: the page shows the state it is in
    return redirect("ingest:import-detail", job_id=job.pk)


@requires("ingest.view_importjob")
def job_progress(request: HttpRequest, job_id: int) -> JsonResponse:
    job = get_object_or_404(ImportJob, pk=job_id)
    return JsonResponse(importer.progress(job))


@requires("ingest.view_importjob")
def job_errors(request: HttpRequest, job_id: int) -> StreamingHttpResponse:
    job = get_object_or_404(ImportJob, pk=job_id)
    buffer = io.StringIO()
    importer.error_file(job, buffer)
    response = StreamingHttpResponse(iter([buffer.getvalue()]), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    return response


@requires("ingest.view_source")
def sources(request: HttpRequest) -> HttpResponse:
    new_key = ""
    error = ""
    if request.method == "POST":
        require(request, "ingest.add_source")
        try:
            _source, new_key = services.add_source(name=request.POST.get("name", ""), actor=request.user)
        except DomainError as exc:
            error = str(exc)
    return render(request, "ingest/sources.html", {"sources": Source.objects.all(), "new_key": new_key,
                                                   "error": error}, status=400 if error else 200)


@requires("ingest.change_event")
def dead_letter_list(request: HttpRequest) -> HttpResponse:
    """The events set aside because they could not be processed, with the reason; retry or discard them."""
    from django.contrib import messages

    from kundebase.ingest import dead_letters

    if request.method == "POST":
        action = request.POST.get("action", "")
        ids = [int(v) for v in request.POST.getlist("id") if v.isdigit() and len(v) < 19]
        chosen = None if request.POST.get("all") == "1" else ids
        if action == "retry" and (chosen is None or chosen):
            processed, still = dead_letters.retry(chosen)
            messages.info(request, _("%(done)d processed, %(still)d still could not be processed.")
                          % {"done": processed, "still": still})
        elif action == "discard" and chosen:
            require(request, "ingest.delete_event")
            messages.info(request, _("%(n)d discarded.") % {"n": dead_letters.discard(chosen)})
        else:
            messages.error(request, _("Choose the events and what to do with them."))
        return redirect("ingest:dead-letters")
    letters = dead_letters.dead_letters()
    return render(request, "ingest/dead_letters.html", {"letters": letters[:200], "total": letters.count()})
