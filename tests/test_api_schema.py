"""The served OpenAPI schema, fuzzed over real HTTP: no 5xx, and every response conforms to the schema.

Schemathesis generates valid and invalid requests for every operation from
``/api/v1/openapi.json`` of a live server; a bounded, derandomised number of
examples per operation keeps the run short and the same in every CI run.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

pytestmark = pytest.mark.slow
EXAMPLES = 12


@pytest.fixture
def admin_token(transactional_db: Any) -> str:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from kundebase.core.models import ApiToken
    from kundebase.core.roles import sync_roles

    sync_roles()
    user = get_user_model().objects.create_user(username="fuzz-admin", password="unused-but-long-enough")
    user.groups.set([Group.objects.get(name="administrator")])
    return ApiToken.issue(user)[1]


def _served_schema() -> dict[str, Any]:
    """The document ``/api/v1/openapi.json`` serves (checked over HTTP below: the two are the same).

    It is built at collection time because schemathesis' fixture-based loader does not run under this pytest.
    """
    from kundebase.api import api

    return api.get_openapi_schema(path_prefix="/api/v1")


schema = schemathesis.openapi.from_dict(_served_schema())


@pytest.fixture
def data(transactional_db: Any) -> None:
    """Something to find, so that reads of existing ids and the search paths are exercised too."""
    from kundebase.parties import services

    services.create_person(data={"given_name": "Kari", "family_name": "Nordmann"},
                           contact_points=[{"kind": "email", "value": "kari@example.no"}])
    services.create_company(data={"legal_name": "Fjellsport AS"})


def test_served_schema_is_the_one_fuzzed(live_server: Any) -> None:
    import json
    import urllib.request

    with urllib.request.urlopen(f"{live_server.url}/api/v1/openapi.json", timeout=30) as res:
        served = json.loads(res.read())
    assert served == json.loads(json.dumps(_served_schema()))


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: Any, live_server: Any, admin_token: str, data: None) -> None:
    case.call_and_validate(
        base_url=live_server.url,
        headers={"Authorization": f"Bearer {admin_token}"},
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
        timeout=30,
    )
