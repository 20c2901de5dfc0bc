"""Cross-origin requests to the API: off unless ``KUNDEBASE_CORS_ORIGINS`` lists the origins a browser page may
call from (a web shop's own pages).  Only listed origins get the CORS headers; a preflight from any other
origin gets none, so the browser refuses it.  Credentials (cookies) are never allowed cross-origin: the web
shop calls with a bearer read token."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

API_PATHS = ("/api/",)
ALLOWED_HEADERS = "Authorization, Content-Type, If-None-Match, If-Match"
EXPOSED_HEADERS = "ETag, Retry-After"


class CorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        origin = request.headers.get("Origin", "")
        allowed = (origin and request.path.startswith(API_PATHS)
                   and origin.rstrip("/") in settings.KUNDEBASE_CORS_ORIGINS)
        if allowed and request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = "GET, POST, PATCH, OPTIONS"
            response["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
            response["Access-Control-Max-Age"] = "600"
        else:
            response = self.get_response(request)
        if allowed:
            response["Access-Control-Allow-Origin"] = origin.rstrip("/")
            response["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
            response["Vary"] = ", ".join(filter(None, [response.get("Vary", ""), "Origin"]))
        return response
