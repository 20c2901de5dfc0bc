"""The review queue page: uncertain pairs side by side with the weight each field contributed."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kundebase.core.errors import DomainError
from kundebase.matching import services
from kundebase.matching.models import MatchJob
from kundebase.web.access import require, requires
from kundebase.web.page_errors import flash_error


@requires("matching.view_reviewpair")
def review(request: HttpRequest) -> HttpResponse:
    pairs = services.review_queue(kind=request.GET.get("kind") or None, limit=50)
    job = MatchJob.objects.order_by("-created_at").first()
    return render(request, "matching/review.html", {"pairs": pairs, "job": job,
                                                    "can_decide": request.user.has_perm("matching.change_reviewpair")})


@requires("matching.change_reviewpair")
@require_POST
def decide(request: HttpRequest, pair_id: int, action: str) -> HttpResponse:
    try:
        if action == "accept":
            require(request, "matching.add_mergerecord")
            services.accept(pair_id=pair_id, actor=request.user, channel="web")
            messages.success(request, _("Merged."))
        elif action == "reject":
            services.reject(pair_id=pair_id, actor=request.user, channel="web")
            messages.success(request, _("Marked as not a duplicate."))
        else:
            raise Http404(action)
    except DomainError as exc:
        flash_error(request, exc)
    return redirect("matching:review")
