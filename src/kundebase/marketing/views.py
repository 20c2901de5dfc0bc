"""Web pages of the marketing app (thin: the services decide and write)."""

from __future__ import annotations

import json
from typing import Any

from csp.decorators import csp_replace
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.request import RawPostDataException
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from kundebase.core.errors import DomainError, ValidationFailed
from kundebase.marketing import campaigns, exports, language_info, newsletters, personalise, segments, tasks
from kundebase.marketing.models import Campaign, CampaignRecipient, Export, Segment
from kundebase.web.access import public, require, requires

PIXEL = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"
         b"\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")


@requires("marketing.view_segment")
def segment_list(request: HttpRequest) -> HttpResponse:
    return render(request, "marketing/segment_list.html", {"segments": Segment.objects.all()[:500]})


def _builder(request: HttpRequest, segment: Segment | None) -> HttpResponse:
    errors: list[dict[str, str]] = []
    values = {"name": segment.name if segment else "", "kind": segment.kind if segment else "dynamic",
              "description": segment.description if segment else "",
              "rule": json.dumps(segment.rule if segment else {"and": [{"attr": "kind", "op": "eq",
                                                                        "value": "person"}]})}
    if request.method == "POST":
        require(request, "marketing.change_segment" if segment else "marketing.add_segment")
        values = {k: request.POST.get(k, "") for k in ("name", "kind", "description", "rule")}
        try:
            rule = json.loads(values["rule"] or "null")
        except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser recurses
            errors.append({"field": "rule", "message": _("The rule is not valid JSON")})
        else:
            data = {"name": values["name"], "kind": values["kind"], "description": values["description"],
                    "rule": rule}
            try:
                if segment is None:
                    segment = segments.create_segment(data=data, actor=request.user, channel="web")
                else:
                    segments.update_segment(segment_id=segment.pk, changes=data, actor=request.user, channel="web")
                return HttpResponseRedirect(reverse("marketing:segments"))
            except DomainError as exc:
                errors = [e.as_dict() for e in exc.errors] or [{"field": "", "message": str(exc)}]
    field_errors = {e["field"]: e["message"] for e in errors if not e["field"].startswith("rule")}
    rule_errors = [e for e in errors if e["field"].startswith("rule")]
    return render(request, "marketing/segment_builder.html", {
        "segment": segment, "values": values, "field_errors": field_errors, "rule_errors": rule_errors,
        "language": language_info.for_people(), "uses": list(exports.USES), "kinds": Segment.Kind.choices,
    }, status=422 if errors else 200)


@requires("marketing.view_segment")
@require_http_methods(["GET", "POST"])
def segment_new(request: HttpRequest) -> HttpResponse:
    return _builder(request, None)


@requires("marketing.view_segment")
@require_http_methods(["GET", "POST"])
def segment_edit(request: HttpRequest, segment_id: int) -> HttpResponse:
    return _builder(request, segments.get_segment(segment_id))


@requires("marketing.view_segment")
@require_POST
def segment_count(request: HttpRequest) -> JsonResponse:
    """The builder's live count: JSON in, ``{"count": n}`` or ``{"errors": [...]}`` (422) out."""
    try:
        rule = json.loads(request.body or b"null").get("rule")
        return JsonResponse({"count": segments.count(rule=rule)})
    except (ValueError, AttributeError, RawPostDataException, RecursionError):  # not JSON, or a form already read
        return JsonResponse({"errors": [{"field": "rule", "message": _("Not valid JSON")}]}, status=422)
    except ValidationFailed as exc:
        return JsonResponse({"errors": [e.as_dict() for e in exc.errors]}, status=422)


@requires("marketing.add_export")
@require_POST
def segment_export(request: HttpRequest, segment_id: int) -> HttpResponse:
    result = exports.export_segment(segment_id=segment_id, use=request.POST.get("use", ""),
                                    file_format=request.POST.get("format", "csv"), actor=request.user,
                                    channel="web")
    return HttpResponseRedirect(reverse("marketing:export", args=[result.export.pk]))


@requires("marketing.view_export")
def export_detail(request: HttpRequest, export_id: int) -> HttpResponse:
    export = Export.objects.filter(pk=export_id).first()
    if export is None:
        raise Http404
    return render(request, "marketing/export_detail.html", {"export": export})


@requires("marketing.view_export")
def export_file(request: HttpRequest, export_id: int) -> FileResponse:
    export = Export.objects.filter(pk=export_id).first()
    if export is None or not exports.export_path(export).exists():
        raise Http404
    return FileResponse(exports.open_for(export, request.user), as_attachment=True,
                        filename=exports.export_path(export).name)


@requires("marketing.view_campaign")
def campaign_list(request: HttpRequest) -> HttpResponse:
    items = [(c, campaigns.statistics(c)) for c in Campaign.objects.select_related("segment")[:100]]
    return render(request, "marketing/campaign_list.html", {"items": items})


@requires("marketing.change_campaign")
@require_POST
def campaign_send(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = campaigns.prepare(campaign_id=campaign_id, actor=request.user, channel="web")
    tasks.start_sending(campaign.pk)
    return HttpResponseRedirect(reverse("marketing:campaigns"))


# --- pages for recipients (no sign-in: a signed token is the credential) ----------------------------------

@public
@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" without any cookie
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    recipient_id = personalise.read_token(personalise.UNSUBSCRIBE_SALT, token)
    if recipient_id is None or not CampaignRecipient.objects.filter(pk=recipient_id).exists():
        return render(request, "marketing/unsubscribe.html", {"ok": False}, status=404)
    campaigns.unsubscribe(recipient_id=recipient_id, channel="web")
    return render(request, "marketing/unsubscribe.html", {"ok": True})


@public
def track_open(request: HttpRequest, token: str) -> HttpResponse:
    recipient_id = personalise.read_token(personalise.OPEN_SALT, token)
    if recipient_id is not None:
        campaigns.record_open(recipient_id)
    response = HttpResponse(PIXEL, content_type="image/gif")
    response["Cache-Control"] = "no-store"
    return response


@public
def track_click(request: HttpRequest, token: str) -> HttpResponse:
    found = personalise.read_click(token)
    # The target is inside the signed token, so only links we sent can be followed; anything else is refused.
    if found is None or not found[1].startswith(("https://", "http://")):
        raise Http404
    campaigns.record_click(found[0])
    return HttpResponseRedirect(found[1])


@public
@csrf_exempt  # protected by a signed, time-limited form token instead (the form is embedded on other sites)
@xframe_options_exempt
# django-csp types its decorators for views without URL arguments; this view takes one
@csp_replace({"frame-ancestors": ["*"]})  # type: ignore[arg-type]  # any customer site may frame the form
@require_http_methods(["GET", "POST"])
def newsletter_subscribe(request: HttpRequest, key: str) -> HttpResponse:
    newsletter = newsletters.get_newsletter(key)
    context: dict[str, Any] = {"newsletter": newsletter, "token": newsletters.form_token(newsletter),
                               "errors": {}, "values": {}}
    if request.method == "POST":
        context["values"] = {k: request.POST.get(k, "") for k in ("email", "name", "language")}
        try:
            newsletters.request_signup(key=key, email=request.POST.get("email", ""), name=request.POST.get("name", ""),
                                       language=request.POST.get("language", ""),
                                       form_token_value=request.POST.get("token", ""),
                                       client=request.META.get("REMOTE_ADDR", ""))
            return render(request, "marketing/newsletter_sent.html", {"newsletter": newsletter})
        except DomainError as exc:
            context["errors"] = {e.field: e.message for e in exc.errors} or {"": str(exc)}
            return render(request, "marketing/newsletter_form.html", context, status=exc.status)
    return render(request, "marketing/newsletter_form.html", context)


@public
def newsletter_confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        signup = newsletters.confirm(token=token)
    except DomainError:
        return render(request, "marketing/newsletter_confirmed.html", {"ok": False}, status=400)
    return render(request, "marketing/newsletter_confirmed.html", {"ok": True, "newsletter": signup.newsletter})


@requires("marketing.view_newsletter")
def newsletter_embed(request: HttpRequest, key: str) -> HttpResponse:
    newsletter = newsletters.get_newsletter(key)
    url = personalise.absolute(reverse("marketing:newsletter-subscribe", args=[key]))
    return render(request, "marketing/newsletter_embed.html", {"newsletter": newsletter, "url": url})
