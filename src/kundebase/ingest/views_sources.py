"""One source's page (trust, activity, write key) and its mapping templates, set up in the browser through the
ingest services, with the checks an import applies to a mapping."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kundebase.core.errors import DomainError
from kundebase.ingest import mapping, services
from kundebase.ingest.models import MappingTemplate, Source
from kundebase.ingest.setup_forms import ENTITY_LABELS, SourceForm, TemplateForm
from kundebase.web.access import require, requires
from kundebase.web.page_errors import form_errors


@requires("ingest.view_source")
@require_http_methods(["GET", "POST"])
def source_detail(request: HttpRequest, source_id: int) -> HttpResponse:
    source = get_object_or_404(Source, pk=source_id)
    initial = {"priority": source.priority, "verified": source.verified, "active": source.active}
    form = SourceForm(request.POST if request.method == "POST" else None, initial=initial)
    new_key = ""
    if request.method == "POST":
        require(request, "ingest.change_source")
        if request.POST.get("action") == "rotate":
            new_key = services.rotate_key(source=source, actor=request.user, channel="web")
            form = SourceForm(initial=initial)
        elif form.is_valid():
            try:
                services.update_source(source=source, changes=form.service_data(), actor=request.user,
                                       channel="web")
            except DomainError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("Your changes were saved."))
                return redirect("ingest:import-source", source_id=source.pk)
    return render(request, "ingest/source.html", {
        "source": source, "form": form, "new_key": new_key, "templates": source.mappings.order_by("name"),
    }, status=422 if form.errors else 200)


def _template_page(request: HttpRequest, source: Source, template: MappingTemplate | None) -> HttpResponse:
    initial = {"name": template.name, "entity": template.entity,
               "mapping": TemplateForm.text_of(template.columns)} if template else {"entity": "persons"}
    form = TemplateForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST":
        require(request, "ingest.change_mappingtemplate" if template else "ingest.add_mappingtemplate")
        if form.is_valid():
            try:
                services.save_template(source=source, name=form.cleaned_data["name"],
                                       entity=form.cleaned_data["entity"], columns=form.cleaned_data["mapping"],
                                       template=template, actor=request.user, channel="web")
            except DomainError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("The mapping template was saved."))
                return redirect("ingest:import-source", source_id=source.pk)
    return render(request, "ingest/template.html", {
        "source": source, "template": template, "form": form,
        "targets": [(ENTITY_LABELS.get(entity, entity), ", ".join(fields))
                    for entity, fields in mapping.TARGETS.items()],
    }, status=422 if form.errors else 200)


@requires("ingest.view_mappingtemplate")
@require_http_methods(["GET", "POST"])
def template_new(request: HttpRequest, source_id: int) -> HttpResponse:
    return _template_page(request, get_object_or_404(Source, pk=source_id), None)


@requires("ingest.view_mappingtemplate")
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, source_id: int, template_id: int) -> HttpResponse:
    template = get_object_or_404(MappingTemplate.objects.select_related("source"), pk=template_id,
                                 source_id=source_id)
    return _template_page(request, template.source, template)
