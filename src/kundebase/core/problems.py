"""``application/problem+json`` responses for every failure the API can have."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import DataError
from django.http import Http404, HttpRequest, JsonResponse
from django.http.request import RawPostDataException
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import REF_TEMPLATE
from ninja.parser import Parser
from ninja.schema import NinjaGenerateJsonSchema

from kundebase.core import json_body
from kundebase.core.errors import DomainError

log = logging.getLogger("kundebase.api")
CONTENT_TYPE = "application/problem+json"

TITLES = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found", 405: "Method not allowed",
          409: "Conflict", 411: "Length required", 412: "Precondition failed", 413: "Payload too large",
          415: "Unsupported media type", 422: "Validation failed", 428: "Precondition required",
          429: "Too many requests", 500: "Internal server error", 503: "Service unavailable"}


class FieldProblem(Schema):
    field: str
    message: str
    code: str


class Problem(Schema):
    """RFC 9457 problem details, with the fields at fault under ``errors``."""

    type: str
    title: str
    status: int
    code: str
    detail: str
    instance: str | None = None
    errors: list[FieldProblem] | None = None


def problem_response(request: HttpRequest | None, status: int, code: str, detail: str,
                     errors: list[dict[str, str]] | None = None, extra: dict[str, Any] | None = None) -> JsonResponse:
    body: dict[str, Any] = {
        "type": f"https://kundebase.org/problems/{code}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "code": code,
        "detail": detail,
    }
    if request is not None:
        body["instance"] = request.path
    if errors:
        body["errors"] = errors
    if extra:
        body.update(extra)
    return JsonResponse(body, status=status, content_type=CONTENT_TYPE, json_dumps_params={"ensure_ascii": False})


def _loc_to_field(loc: list[Any] | tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "payload", "cookie")]
    out = ""
    for part in parts:
        out += f"[{part}]" if part.isdigit() else (f".{part}" if out else part)
    return out or "body"


EVERY_OPERATION = (400, 403, 404, 422)
"""Problems any operation can answer: a malformed request, a role that may not, an unknown id, invalid values."""
BEHIND_A_TOKEN = (401, 429)
"""Problems of an operation that needs a session or token: none sent, or too many unknown tokens from one address."""
WITH_A_BODY = (409, 412, 413, 415)
"""Problems of a write: a conflict, a stale ``If-Match``, a body too large, a body that is not JSON."""
WRITE_METHODS = ("post", "put", "patch", "delete")


def problem_statuses(method: str, *, behind_a_token: bool) -> tuple[int, ...]:
    """The problem answers an operation documents: one list for every router, so none can leave them out."""
    statuses = EVERY_OPERATION + (BEHIND_A_TOKEN if behind_a_token else ())
    if method.lower() in WRITE_METHODS:
        statuses += WITH_A_BODY
    return tuple(sorted(statuses))


def _problem_component(schema: dict[str, Any]) -> str:
    """Add the :class:`Problem` schema to the document's components; returns its reference."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    if "Problem" not in components:
        body = Problem.model_json_schema(ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema,
                                         mode="serialization")
        components.update(body.pop("$defs", {}))
        components["Problem"] = body
    return REF_TEMPLATE.format(model="Problem")


def _document_problems(schema: Any) -> Any:
    """Every operation names its problem answers, all as ``application/problem+json`` (not ``application/json``).

    The routers declare only their successful answers; the problem answers come from :func:`problem_statuses`.
    """
    ref = _problem_component(schema)
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status, response in responses.items():
                content = response.get("content") or {}
                if str(status)[:1] in "45" and "application/json" in content:
                    response["content"] = {CONTENT_TYPE: content["application/json"]}
            declared = {str(status) for status in responses}
            for status in problem_statuses(method, behind_a_token=bool(operation.get("security"))):
                if str(status) not in declared:
                    responses[status] = {"description": TITLES[status],
                                         "content": {CONTENT_TYPE: {"schema": {"$ref": ref}}}}
    return schema


class JsonParser(Parser):
    """Bodies parsed by the strict loader; the middleware has normally parsed (and vetted) the body already."""

    def parse_body(self, request: HttpRequest) -> Any:
        if hasattr(request, "json_body"):
            return request.json_body
        return json_body.loads(request.body)


def install(api: Any) -> None:
    """Register the handlers on a NinjaAPI instance, and make its OpenAPI document name the error media type."""
    plain_schema = api.get_openapi_schema

    def get_openapi_schema(**kwargs: Any) -> Any:
        return _document_problems(plain_schema(**kwargs))

    api.get_openapi_schema = get_openapi_schema

    @api.exception_handler(DomainError)
    def _domain(request: HttpRequest, exc: DomainError) -> JsonResponse:
        body = exc.problem(request.path)
        response = JsonResponse(body, status=exc.status, content_type=CONTENT_TYPE,
                                json_dumps_params={"ensure_ascii": False})
        if "retry_after" in exc.extra:
            response["Retry-After"] = str(exc.extra["retry_after"])
        if exc.status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="kundebase"'
        return response

    @api.exception_handler(ValidationError)
    def _validation(request: HttpRequest, exc: ValidationError) -> JsonResponse:
        errors = [{"field": _loc_to_field(e.get("loc", [])), "message": str(e.get("msg", "invalid")),
                   "code": str(e.get("type", "invalid"))} for e in exc.errors]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "The request is not valid"
        return problem_response(request, 422, "validation_failed", detail, errors)

    @api.exception_handler(AuthenticationError)
    def _auth(request: HttpRequest, exc: AuthenticationError) -> JsonResponse:
        response = problem_response(request, 401, "unauthorized",
                                    "Sign in, or send an API token as 'Authorization: Bearer <token>'")
        response["WWW-Authenticate"] = 'Bearer realm="kundebase"'
        return response

    @api.exception_handler(HttpError)
    def _http(request: HttpRequest, exc: HttpError) -> JsonResponse:
        code = TITLES.get(exc.status_code, "error").lower().replace(" ", "_")
        return problem_response(request, exc.status_code, code, str(exc))

    @api.exception_handler(RawPostDataException)
    def _form_body(request: HttpRequest, exc: RawPostDataException) -> JsonResponse:
        # A form (multipart) body sent where the route reads a JSON body.
        return problem_response(request, 415, "unsupported_media_type",
                                "This route reads a JSON body; send it as Content-Type: application/json")

    @api.exception_handler(RequestDataTooBig)
    def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> JsonResponse:
        return problem_response(request, 413, "payload_too_large", "The request body is too large")

    @api.exception_handler(Http404)
    def _404(request: HttpRequest, exc: Http404) -> JsonResponse:
        return problem_response(request, 404, "not_found", str(exc) or "Not found")

    @api.exception_handler(PermissionDenied)
    def _403(request: HttpRequest, exc: PermissionDenied) -> JsonResponse:
        return problem_response(request, 403, "forbidden", str(exc) or "You do not have permission to do this")

    @api.exception_handler(OverflowError)
    @api.exception_handler(DataError)
    def _data(request: HttpRequest, exc: Exception) -> JsonResponse:
        return problem_response(request, 422, "out_of_range", "A value is too large or malformed for storage")

    @api.exception_handler(Exception)
    def _500(request: HttpRequest, exc: Exception) -> JsonResponse:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return problem_response(request, 500, "internal_error",
                                "Something went wrong on our side; the error was logged and nothing was saved")
