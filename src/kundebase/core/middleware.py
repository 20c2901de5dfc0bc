"""Request-level guards that must run before Django's own middleware reads the body."""

from __future__ import annotations

import io
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.multipartparser import MultiPartParserError

from kundebase.core import json_body
from kundebase.core.problems import problem_response

MAX_ID = 2**63 - 1
API_PREFIXES = ("/api/", "/v1/")
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def _problem(request: HttpRequest, status: int, code: str, detail: str, field: str = "") -> HttpResponse:
    errors = [{"field": field, "message": detail, "code": code}] if field else None
    return problem_response(request, status, code, detail, errors)


def _too_large(request: HttpRequest) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
    return _problem(request, 413, "payload_too_large", f"A request body may hold at most {limit} MB")


def _read_unsized(request: HttpRequest) -> bool:
    """Read a body sent without Content-Length (chunked), up to the limit; ``False`` when it is larger.

    Django reads exactly Content-Length bytes, so such a body would silently arrive empty; the server
    (gunicorn) decodes the chunks and marks the stream as ending on its own (``wsgi.input_terminated``).
    """
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    stream = request.META.get("wsgi.input")
    data = stream.read(limit + 1) if stream is not None else b""
    if len(data) > limit:
        return False
    request._body = data  # what request.body returns from now on
    request._stream = io.BytesIO(data)
    request.META["CONTENT_LENGTH"] = str(len(data))
    return True


def _api_body(request: HttpRequest) -> HttpResponse | None:
    """Size and JSON checks of an API body; an answer when the body is refused, else ``None``.

    Every body of the API but a file upload is JSON (whatever Content-Type the client sent): it is parsed
    here, once, by the strict loader and kept for the API's parser (``request.json_body``), so a body that
    is too large, too deep, not UTF-8 or not storable gets a 4xx problem+json before any view runs.
    """
    declared = request.META.get("CONTENT_LENGTH") or ""
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    try:
        if not declared and request.META.get("wsgi.input_terminated"):
            if not _read_unsized(request):
                return _too_large(request)
        elif not declared and chunked:
            # A server that does not decode chunks (the development server) hands over the raw stream.
            return _problem(request, 411, "length_required", "Send the body with a Content-Length")
        elif int(declared or 0) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return _too_large(request)
    except ValueError:
        return _problem(request, 400, "malformed_body", "Content-Length is not a number")
    if request.content_type == "multipart/form-data" and request.path.startswith("/v1/"):
        # The event API reads JSON only; parsing a form here would leave it no body to read.
        return _problem(request, 415, "unsupported_media_type",
                        "The event API reads JSON: send the events as application/json")
    if request.content_type == "multipart/form-data":
        try:
            request.POST  # noqa: B018  (parses the body once; Django caches the result)
        except MultiPartParserError as exc:
            return _problem(request, 400, "malformed_body", f"The multipart body is malformed: {exc}")
        except RequestDataTooBig:
            return _too_large(request)
        return None
    if request.path.startswith("/v1/"):
        return None  # the event API reads its (possibly gzip-compressed) body itself, with the same loader
    try:
        raw = request.body
    except RequestDataTooBig:
        return _too_large(request)
    if not raw.strip():
        return None
    try:
        request.json_body = json_body.loads(raw)  # type: ignore[attr-defined]
    except json_body.InvalidJson as exc:
        if exc.code == "invalid_character":  # well-formed JSON, a value that cannot be kept: a field error
            return problem_response(request, 422, "validation_failed", f"{exc.field or 'body'}: {exc.message}",
                                    [{"field": exc.field or "body", "message": exc.message, "code": exc.code}])
        return _problem(request, 400, exc.code, exc.message, exc.field)
    return None


class MalformedBodyMiddleware:
    """A body the server cannot use is the client's error: answer 4xx, never 500; an id in an API path beyond
    what any database stores is a 404, not an overflow.

    The CSRF middleware reads ``request.POST`` on every unsafe request, so a body
    Django cannot parse would otherwise escape as an unhandled exception.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        api = request.path.startswith(API_PREFIXES)
        if api and any(part.isdigit() and int(part) > MAX_ID for part in request.path.split("/")):
            # No record has an id beyond a signed 64-bit integer; the database would refuse to even look.
            return _problem(request, 404, "not_found", "No record has this id")
        if api and request.method in BODY_METHODS:
            refused = _api_body(request)
            if refused is not None:
                return refused
        elif request.method in BODY_METHODS and request.content_type == "multipart/form-data":
            try:
                request.POST  # noqa: B018
            except MultiPartParserError:
                return HttpResponseBadRequest("Malformed multipart body")
        return self.get_response(request)
