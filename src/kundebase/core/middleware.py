"""Request-level guards that must run before Django's own middleware reads the body."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.multipartparser import MultiPartParserError

MAX_ID = 2**63 - 1


class MalformedBodyMiddleware:
    """A broken multipart body (no or bad boundary) is the client's error: answer 400, never 500;
    an id in an API path beyond what any database stores is a 404, not an overflow.

    The CSRF middleware reads ``request.POST`` on every unsafe request, so a body
    Django cannot parse would otherwise escape as an unhandled exception.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(("/api/", "/v1/")) and any(
                part.isdigit() and int(part) > MAX_ID for part in request.path.split("/")):
            # No record has an id beyond a signed 64-bit integer; the database would refuse to even look.
            from kundebase.core.problems import problem_response

            return problem_response(request, 404, "not_found", "No record has this id")
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.content_type == "multipart/form-data":
            try:
                request.POST  # noqa: B018  (parses the body once; Django caches the result)
            except MultiPartParserError as exc:
                if request.path.startswith(("/api/", "/v1/")):
                    from kundebase.core.problems import problem_response

                    return problem_response(request, 400, "malformed_body", f"The multipart body is malformed: {exc}")
                return HttpResponseBadRequest("Malformed multipart body")
        return self.get_response(request)
