"""Property-based: any JSON value posted to any POST/PUT/PATCH route of the OpenAPI document — as the body, or as
a form field where the route reads JSON — gets an answer below 500, and every 4xx is problem+json."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.json_values import deep, dumps, values

pytestmark = pytest.mark.django_db
MISSING_ID = "987654321"
"""Path ids name no record: the body is what is under test (and no campaign is sent, no job started)."""


def _routes() -> list[tuple[str, str, list[str]]]:
    from kundebase.api import api

    schema = api.get_openapi_schema()
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in ("post", "put", "patch"):
                continue
            body = (operation.get("requestBody") or {}).get("content", {})
            if "multipart/form-data" in body:
                continue  # a file upload, not a JSON body
            ref = (body.get("application/json", {}).get("schema") or {}).get("$ref", "")
            component = schema.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[-1], {})
            found.append((method, path, sorted(component.get("properties", {}))))
    return found


ROUTES = _routes()


def test_every_json_route_is_covered():
    assert len(ROUTES) >= 20
    assert ("post", "/api/v1/persons") in {(m, p) for m, p, _ in ROUTES}


FORM = "multipart/form-data; boundary=kb"


def _as_form(raw: bytes) -> bytes:
    """The same JSON as one field of a form, as a client posting a form to a JSON route would send it."""
    return (b'--kb\r\nContent-Disposition: form-data; name="payload"\r\n\r\n' + raw + b"\r\n--kb--\r\n")


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, str, bytes, str]:
    method, path, fields = draw(st.sampled_from(ROUTES))
    path = re.sub(r"\{[^}]+\}", MISSING_ID, path)
    shape = draw(st.sampled_from(["object", "value", "deep"]))
    if shape == "object" and fields:
        body: Any = draw(st.dictionaries(st.sampled_from(fields) | st.text(max_size=6), values(6), max_size=5))
    elif shape == "deep":
        body = {fields[0] if fields else "x": deep(draw(st.integers(20, 60)))}
    else:
        body = draw(values())
    if draw(st.integers(0, 4)) == 0:
        return method, path, _as_form(dumps(body)), FORM
    return method, path, dumps(body), "application/json"


@settings(max_examples=120, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(request=requests())
def test_any_json_body_gets_an_answer_below_500_and_problems_as_problem_json(api, request):
    method, path, raw, content_type = request
    res = api.client.generic(method.upper(), path, raw, content_type=content_type,
                             HTTP_AUTHORIZATION=f"Bearer {api.token}")
    assert res.status_code < 500, (method, path, raw[:300], res.content[:300])
    if res.status_code >= 400:
        assert res["Content-Type"] == "application/problem+json", (method, path, res.content[:300])
        assert res.json()["status"] == res.status_code
