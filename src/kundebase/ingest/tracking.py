"""The event API under ``/v1/…``, compatible with the Segment HTTP tracking spec.

Plain Django views, so the answers are exactly what tracking clients expect:
``200 {"success": true}`` once the events are committed, and errors as
problem+json (with ``code`` and ``message`` too, as Segment's own API answers)
with 400 (bad request, size limits, a field of the wrong type, naming the
event and field), 401 (write key) or 503 (source in maintenance: clients keep
the events and retry).  Nothing is acknowledged that cannot be stored as it
was sent.  Limits are measured on the decompressed body; a gzip body is never
inflated beyond the batch limit, so a compression bomb costs nothing.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import hashlib
import io
import json
import zlib
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from kundebase.core import json_body
from kundebase.core.problems import problem_response
from kundebase.ingest import events
from kundebase.ingest.models import Event, Source
from kundebase.web.access import public

MAX_EVENT = 32 * 1024
MAX_BATCH = 500 * 1024
TYPES = ("identify", "track", "page", "screen", "group", "alias")


OBJECT_FIELDS = ("context", "integrations", "traits", "properties")
"""Fields the spec defines as objects; ``null`` stands for an empty one."""
ID_FIELDS = ("userId", "anonymousId", "previousId", "groupId", "messageId")
"""Identifiers: a string, or a number (some clients send numeric user ids)."""
TEXT_FIELDS = ("event", "name", "category")
TIME_FIELDS = ("timestamp", "originalTimestamp", "sentAt", "receivedAt")


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str, field: str = "") -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


def _answer(request: HttpRequest, exc: Refused) -> JsonResponse:
    errors = [{"field": exc.field, "message": exc.message, "code": exc.code}] if exc.field else None
    response = problem_response(request, exc.status, exc.code, exc.message, errors, extra={"message": exc.message})
    if exc.status == 503:
        response["Retry-After"] = "1"
    return response


def _body(request: HttpRequest) -> bytes:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BATCH + 4096:  # even gzip cannot make this fit; refuse before reading it
        raise Refused(400, "batch_too_large", "A batch may hold at most 500 KB")
    raw = request.body
    encoding = request.headers.get("Content-Encoding", "").strip().lower()
    if encoding in ("", "identity"):
        data = raw
    elif encoding == "gzip":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(raw)) as fh:
                data = fh.read(MAX_BATCH + 1)
        except (OSError, EOFError, zlib.error) as exc:
            raise Refused(400, "invalid_gzip", "The body is not valid gzip") from exc
    else:
        raise Refused(400, "unsupported_encoding", f"Content-Encoding {encoding} is not supported; use gzip")
    if len(data) > MAX_BATCH:
        raise Refused(400, "batch_too_large", "A batch may hold at most 500 KB")
    return data


def _parse(data: bytes) -> dict[str, Any]:
    try:
        body = json_body.loads(data)
    except json_body.InvalidJson as exc:
        where = f"{exc.field}: " if exc.field else ""
        raise Refused(400, exc.code, f"{where}{exc.message}", exc.field) from exc
    if not isinstance(body, dict):
        raise Refused(400, "invalid_json", "The body must be a JSON object")
    return body


def _source(request: HttpRequest, body: dict[str, Any]) -> Source:
    key = ""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("basic "):
        try:
            key = base64.b64decode(header[6:].strip(), validate=True).decode().split(":", 1)[0]
        except (binascii.Error, UnicodeDecodeError, ValueError):
            key = ""
    key = key or str(body.get("writeKey") or "")
    if not key:
        raise Refused(401, "missing_write_key", "Send the source's write key as HTTP Basic user name or writeKey")
    source = events.sources_with_key(key)
    if source is None:
        raise Refused(401, "invalid_write_key", "Unknown or inactive write key")
    if source.maintenance_until and source.maintenance_until > timezone.now():
        Source.objects.filter(pk=source.pk).update(refused_count=F("refused_count") + 1)
        raise Refused(503, "maintenance", "The source is in maintenance; retry shortly")
    return source


def _wrong(where: str, name: str, expected: str) -> Refused:
    field = f"{where}.{name}" if where != "message" else name
    return Refused(400, "invalid_field", f"{field} must be {expected}", field)


def _check_fields(message: dict[str, Any], where: str) -> None:
    """Refuse a field of the wrong type, so that an acknowledged event is one the processing can read."""
    for name in OBJECT_FIELDS:
        if message.get(name) is not None and not isinstance(message[name], dict):
            raise _wrong(where, name, "an object")
    for name in ID_FIELDS:
        value = message.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, str | int | float)):
            raise _wrong(where, name, "a string")
    for name in TEXT_FIELDS:
        if message.get(name) is not None and not isinstance(message[name], str):
            raise _wrong(where, name, "a string")
    for name in TIME_FIELDS:
        value = message.get(name)
        if value is None:
            continue
        try:
            moment = parse_datetime(value) if isinstance(value, str) else None
        except ValueError:
            moment = None
        if moment is None:
            raise _wrong(where, name, "an ISO 8601 date and time, such as 2024-05-01T12:00:00Z")
    for holder in ("traits", "properties"):
        inner = message.get(holder) or {}
        if inner.get("products") is not None and not (
                isinstance(inner["products"], list) and all(isinstance(p, dict) for p in inner["products"])):
            raise _wrong(where, f"{holder}.products", "a list of objects")
    traits = (message.get("context") or {}).get("traits")
    if traits is not None and not isinstance(traits, dict):
        raise _wrong(where, "context.traits", "an object")


def _check(message: Any, kind: str | None, position: int) -> dict[str, Any]:
    where = f"batch[{position}]" if kind is None else "message"
    if not isinstance(message, dict):
        raise Refused(400, "invalid_message", f"{where} must be a JSON object", where)
    _check_fields(message, where)
    size = len(json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode())
    if size > MAX_EVENT:
        raise Refused(400, "message_too_large", f"{where} is {size} bytes; an event may hold at most 32 KB")
    kind = kind or str(message.get("type") or "")
    if kind not in TYPES:
        raise Refused(400, "invalid_type", f"{where} has type {kind!r}; expected one of {', '.join(TYPES)}",
                      f"{where}.type" if where != "message" else "type")
    message["type"] = kind
    user_id, anonymous_id = message.get("userId"), message.get("anonymousId")
    if kind == "alias":
        if not message.get("previousId") or not user_id:
            raise Refused(400, "invalid_message", f"{where}: alias needs previousId and userId")
    elif user_id in (None, "") and anonymous_id in (None, ""):
        raise Refused(400, "invalid_message", f"{where} needs a userId or an anonymousId")
    if kind == "track" and not message.get("event"):
        raise Refused(400, "invalid_message", f"{where}: track needs an event name")
    if kind == "group" and not message.get("groupId"):
        raise Refused(400, "invalid_message", f"{where}: group needs a groupId")
    if not message.get("messageId"):
        # Clients that do not send one still get deduplicated retries: the content names the message.
        digest = hashlib.sha256(json.dumps(message, sort_keys=True, default=str).encode()).hexdigest()
        message["messageId"] = f"kb-{digest[:40]}"
    return message


def _store(source: Source, messages: list[dict[str, Any]], context: Any) -> list[int]:
    now = timezone.now()
    rows = []
    for message in messages:
        if context and isinstance(context, dict) and "context" not in message:
            message["context"] = context
        rows.append(Event(source=source, message_id=str(message["messageId"])[:200], type=message["type"],
                          user_id=str(message.get("userId") or "")[:200],
                          anonymous_id=str(message.get("anonymousId") or "")[:200], payload=message,
                          received_at=now))
    ids = [r.message_id for r in rows]
    with transaction.atomic():
        try:
            Event.objects.bulk_create(rows, ignore_conflicts=True)  # a retried messageId is already here
        except IntegrityError as exc:  # pragma: no cover - ignore_conflicts handles it on both backends
            raise Refused(400, "conflict", str(exc)) from exc
    return list(Event.objects.filter(source=source, message_id__in=ids, processed_at__isnull=True)
                .values_list("pk", flat=True))


def _receive(request: HttpRequest, kind: str | None) -> JsonResponse:
    try:
        body = _parse(_body(request))
        source = _source(request, body)
        if kind is None:
            batch = body.get("batch")
            if not isinstance(batch, list):
                raise Refused(400, "invalid_batch", "batch must be a list of events", "batch")
            if body.get("context") is not None and not isinstance(body["context"], dict):
                raise Refused(400, "invalid_field", "context must be an object", "context")
            messages = [_check(m, None, i) for i, m in enumerate(batch)]
        else:
            messages = [_check(body, kind, 0)]
        ids = _store(source, messages, body.get("context") if kind is None else None) if messages else []
    except Refused as exc:
        return _answer(request, exc)
    # Committed: acknowledged even if processing trips afterwards (the event stays queued for the worker).
    try:
        events.kick(ids)
    except Exception:  # processing errors never turn a stored event into a failed request
        events.log.exception("processing after receipt failed; the events stay queued")
    return JsonResponse({"success": True}, status=200)


@public  # no sign-in: the source's write key is the credential
@csrf_exempt
@require_POST
def batch(request: HttpRequest) -> JsonResponse:
    return _receive(request, None)


def _single(kind: str) -> Callable[[HttpRequest], JsonResponse]:
    @csrf_exempt
    @require_POST
    def view(request: HttpRequest) -> JsonResponse:
        return _receive(request, kind)

    view.__name__ = kind
    return public(view)


identify, track, page, screen, group, alias = (_single(k) for k in TYPES)
