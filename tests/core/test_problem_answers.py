"""Every operation of the OpenAPI document names its problem answers, as ``application/problem+json``.

The answers come from one list in ``core/problems.py``; a router that declares only its successful answers
(or none, like the analytics and import routes) still documents every problem a client can get back.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from kundebase.core.problems import CONTENT_TYPE

READS = {400, 401, 403, 404, 422, 429}
WRITES = READS | {409, 412, 413, 415}


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    from kundebase.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1")
    return [(path, method, operation) for path, operations in schema["paths"].items()
            for method, operation in operations.items()]


def test_every_operation_documents_its_problem_answers() -> None:
    missing = []
    for path, method, operation in _operations():
        expected = WRITES if method in ("post", "put", "patch", "delete") else READS
        if not operation.get("security"):
            expected = expected - {401, 429}  # an open route (health) refuses no token
        declared = {int(status) for status in operation["responses"]}
        if not expected <= declared:
            missing.append(f"{method.upper()} {path}: {sorted(expected - declared)}")
    assert not missing, "operations without their problem answers:\n" + "\n".join(missing)


def test_every_problem_answer_is_problem_json_with_the_problem_schema() -> None:
    wrong = []
    for path, method, operation in _operations():
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            content = response.get("content") or {}
            ref = content.get(CONTENT_TYPE, {}).get("schema", {}).get("$ref", "")
            if list(content) != [CONTENT_TYPE] or not ref.endswith("/Problem"):
                wrong.append(f"{method.upper()} {path} {status}: {json.dumps(content)[:120]}")
    assert not wrong, "problem answers in another shape:\n" + "\n".join(wrong)


def test_the_document_holds_the_problem_schema() -> None:
    from kundebase.api import api

    schemas = api.get_openapi_schema(path_prefix="/api/v1")["components"]["schemas"]
    assert set(schemas["Problem"]["required"]) == {"type", "title", "status", "code", "detail"}
    assert "FieldProblem" in schemas


@pytest.mark.django_db
def test_a_refused_analytics_call_answers_what_its_operation_documents(client: Any) -> None:
    """A route that declared no answers before: its real 401 is problem+json and listed in its operation."""
    response = client.get("/api/v1/analytics/reports")
    assert response.status_code == 401
    assert response["Content-Type"].startswith(CONTENT_TYPE)
    operation = dict(((p, m), o) for p, m, o in _operations())[("/api/v1/analytics/reports", "get")]
    assert "401" in {str(status) for status in operation["responses"]}
