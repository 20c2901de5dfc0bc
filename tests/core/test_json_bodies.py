"""Every JSON body of the API is read by one strict reader: hostile bodies get a 4xx problem+json, never a 500,
and ids are never coerced from booleans, strings or fractions."""

from __future__ import annotations

import inspect
import io
import typing
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

pytestmark = pytest.mark.django_db

HOSTILE = [
    (b"[" * 5000 + b"]" * 5000, "application/json", 400, "too_deep"),
    (b'{"a":' * 40 + b"1" + b"}" * 40, "application/json", 400, "too_deep"),
    (b'{"given_name": "\\ud800", "family_name": "x"}', "application/json", 422, "validation_failed"),
    (b'{"given_name": "x", "custom_fields": {"\\udfff": 1}}', "application/json", 422, "validation_failed"),
    (b'{"given_name": "a\\u0000b", "family_name": "x"}', "application/json", 422, "validation_failed"),
    (b'{"given_name": "\xff\xfe", "family_name": "x"}', "application/json", 400, "invalid_utf8"),
    (b'{"given_name": NaN, "family_name": "x"}', "application/json", 400, "non_finite_number"),
    (b'{"family_name": "x", "employees": 1e400}', "application/json", 400, "non_finite_number"),
    (b'{"family_name": ' + b"9" * 5000 + b"}", "application/json", 400, "invalid_json"),
    (b'{"family_name": "x"', "application/json", 400, "invalid_json"),
    (b"given_name=x", "application/x-www-form-urlencoded", 400, "invalid_json"),
    (b'--b\r\nContent-Disposition: form-data; name="given_name"\r\n\r\nx\r\n--b--\r\n',
     "multipart/form-data; boundary=b", 415, "unsupported_media_type"),
    (b"[1, 2]", "application/json", 422, "validation_failed"),
    (b'"a string"', "application/json", 422, "validation_failed"),
]


@pytest.mark.parametrize(("raw", "content_type", "status", "code"), HOSTILE)
def test_hostile_bodies_get_a_clear_problem(api, raw, content_type, status, code):
    from kundebase.parties.models import Party

    res = api.client.generic("POST", "/api/v1/persons", raw, content_type=content_type,
                             HTTP_AUTHORIZATION=f"Bearer {api.token}")
    assert res.status_code == status, res.content[:300]
    assert res["Content-Type"] == "application/problem+json"
    assert res.json()["code"] == code and res.json()["detail"]
    assert not Party.objects.exists()


def test_the_place_of_an_unstorable_value_is_named(api):
    res = api.client.generic("POST", "/api/v1/persons", b'{"addresses": [{"city": "\\ud83d"}]}',
                             content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {api.token}")
    assert res.status_code == 422 and res.json()["errors"][0] == {
        "field": "addresses[0].city", "code": "invalid_character",
        "message": "contains an unpaired UTF-16 surrogate escape (such as \\ud800), which is no character"}


def test_a_body_over_10_mb_is_413(api):
    raw = b'{"family_name": "' + b"x" * (10 * 1024 * 1024) + b'"}'
    res = api.client.generic("POST", "/api/v1/persons", raw, content_type="application/json",
                             HTTP_AUTHORIZATION=f"Bearer {api.token}")
    assert res.status_code == 413 and res["Content-Type"] == "application/problem+json"
    assert res.json()["code"] == "payload_too_large"


def _chunked(api: Any, raw: bytes) -> Any:
    """As gunicorn hands a chunked request to Django: the chunks decoded, no Content-Length, the stream marked
    as ending on its own."""
    return api.client.generic("POST", "/api/v1/persons", raw, content_type="application/json",
                              HTTP_AUTHORIZATION=f"Bearer {api.token}", CONTENT_LENGTH="",
                              HTTP_TRANSFER_ENCODING="chunked",
                              **{"wsgi.input_terminated": True, "wsgi.input": io.BytesIO(raw)})


def test_a_chunked_body_is_read_and_one_over_10_mb_is_413(api):
    from kundebase.parties.models import Person

    res = _chunked(api, b'{"given_name": "Kari", "family_name": "Chunk"}')
    assert res.status_code == 201, res.content
    assert Person.objects.get().family_name == "Chunk"
    res = _chunked(api, b'{"family_name": "' + b"x" * (10 * 1024 * 1024 + 10) + b'"}')
    assert res.status_code == 413 and res.json()["code"] == "payload_too_large"


def test_a_person_with_legitimate_unicode_is_still_welcome(api):
    res = api.client.generic("POST", "/api/v1/persons",
                             '{"given_name": "Åse 😀", "family_name": "Ødegård"}'.encode(),
                             content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {api.token}")
    assert res.status_code == 201 and res.json()["given_name"] == "Åse 😀"


def test_an_id_is_never_coerced_from_true(api):
    from kundebase.parties.models import Party

    first = api.post("/api/v1/persons", {"given_name": "A", "family_name": "First"}).json()
    second = api.post("/api/v1/persons", {"given_name": "B", "family_name": "Second"}).json()
    for survivor in (True, str(first["id"]), float(first["id"]) + 0.5):
        res = api.post("/api/v1/matching/merges", {"survivor_id": survivor, "merged_id": second["id"]})
        assert res.status_code == 422, (survivor, res.content)
        assert res.json()["errors"][0]["field"] == "survivor_id"
    assert not Party.objects.filter(merged_into__isnull=False).exists()
    res = api.post("/api/v1/matching/merges", {"survivor_id": first["id"], "merged_id": second["id"]})
    assert res.status_code == 201


def _int_fields(model: type[BaseModel], seen: set[type], found: list[tuple[str, Any]]) -> None:
    if model in seen:
        return
    seen.add(model)
    for name, field in model.model_fields.items():
        annotation = Annotated[field.annotation, *field.metadata] if field.metadata else field.annotation
        stack = [field.annotation]
        while stack:
            ann = stack.pop()
            if ann is int:
                found.append((f"{model.__module__}.{model.__qualname__}.{name}", annotation))
                break
            if inspect.isclass(ann) and issubclass(ann, BaseModel):
                _int_fields(ann, seen, found)
            else:
                stack.extend(a for a in typing.get_args(ann) if a is not type(None))


def body_int_fields() -> list[tuple[str, Any]]:
    from kundebase.api import api

    found: list[tuple[str, Any]] = []
    seen: set[type] = set()
    for _prefix, router in api._routers:
        for view in router.path_operations.values():
            for operation in view.operations:
                for model in operation.models:
                    if getattr(model, "__ninja_param_source__", "") == "body":
                        _int_fields(model, seen, found)
    return found


def test_every_integer_of_every_request_body_is_strict():
    """Walks the body schema of every route: no integer field accepts true, "12" or 12.5 (the generic guard
    that keeps a new schema from bringing loose coercion back)."""
    fields = body_int_fields()
    assert len(fields) >= 25  # ids of persons, companies, segments, campaigns, categories, products …
    loose = []
    for where, annotation in fields:
        adapter = TypeAdapter(annotation)
        for value in (True, "12", 12.5):
            try:
                adapter.validate_python(value)
            except ValidationError:
                continue
            loose.append(f"{where} accepts {value!r}")
    assert not loose, loose


def test_a_chunked_body_the_server_did_not_decode_is_411(api):
    """The development server hands the raw chunked stream over with no length: ask for one, never guess."""
    res = api.client.generic("POST", "/api/v1/persons", b'{"family_name": "x"}', content_type="application/json",
                             HTTP_AUTHORIZATION=f"Bearer {api.token}", CONTENT_LENGTH="",
                             HTTP_TRANSFER_ENCODING="chunked")
    assert res.status_code == 411 and res.json()["code"] == "length_required"
