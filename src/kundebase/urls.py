"""URL map: the REST API under /api/v1, the event API under /v1, the web application at /."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.i18n import set_language

from kundebase.api import api
from kundebase.core.readiness import ready
from kundebase.web.access import public
from kundebase.web.views.auth import admin_sign_in

urlpatterns = [
    path("api/v1/", api.urls),
    path("ready", public(ready), name="ready"),
    path("admin/login/", admin_sign_in, name="admin-login"),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", public(set_language), name="set_language"),
    path("", include("kundebase.ingest.urls")),
    path("", include("kundebase.privacy.urls")),
    path("", include("kundebase.matching.urls")),
    path("", include("kundebase.marketing.urls")),
    path("", include("kundebase.analytics.urls")),
    path("", include("kundebase.offers.urls")),
    path("", include("kundebase.service.urls")),
    path("", include("kundebase.sales.urls")),
    path("", include("kundebase.orders.urls")),
    path("", include("kundebase.web.urls")),
]


def handler404(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Unknown paths under /api/ answer in the API's error shape; pages get the site's 404 page."""
    from django.views.defaults import page_not_found

    if request.path.startswith(("/api/", "/v1/")):
        from kundebase.core.problems import problem_response

        return problem_response(request, 404, "not_found", f"No route {request.path}")
    return page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    from django.views.defaults import server_error

    if request.path.startswith(("/api/", "/v1/")):
        from kundebase.core.problems import problem_response

        return problem_response(request, 500, "internal_error", "Something went wrong on our side; it was logged")
    return server_error(request)


def handler403(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A page refused to someone not signed in sends them to sign in (the page guard and the checks inside a
    page, :mod:`kundebase.web.access`, raise ``PermissionDenied``; this is the one place that tells "sign in
    first" from "your role may not")."""
    from django.contrib.auth.views import redirect_to_login
    from django.views.defaults import permission_denied

    if not request.path.startswith(("/api/", "/v1/")) and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return permission_denied(request, exception)
