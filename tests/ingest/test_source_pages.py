"""Sources and mapping templates set up in the browser: the ingest services' rules (the ones an import applies),
errors beside the fields, and only the roles that may change imports."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_role(make_user):
    def make(role: str) -> Client:
        client = Client()
        client.force_login(make_user(f"{role}-i", role))
        return client

    return make


@pytest.fixture
def source(db):
    from kundebase.ingest import services

    return services.add_source(name="nettbutikk")[0]


def test_a_sources_trust_and_write_key_are_changed(as_role, source):
    client = as_role("administrator")
    assert f'href="/import/sources/{source.pk}/"' in client.get("/import/sources").content.decode()
    url = f"/import/sources/{source.pk}/"
    res = client.post(url, {"action": "save", "priority": "101", "verified": "on", "active": "on"})
    assert res.status_code == 422 and 'id="id_priority_error"' in res.content.decode()
    source.refresh_from_db()
    assert (source.priority, source.verified) == (50, False)
    assert client.post(url, {"action": "save", "priority": "80", "verified": "on"}).status_code == 302
    source.refresh_from_db()
    assert (source.priority, source.verified, source.active) == (80, True, False)
    old = source.key_digest
    page = client.post(url, {"action": "rotate"}).content.decode()
    source.refresh_from_db()
    assert 'id="write-key"' in page and source.key_digest != old


def test_a_mapping_template_is_made_and_changed_with_the_imports_checks(as_role, source):
    from kundebase.ingest.models import MappingTemplate

    client = as_role("administrator")
    new = f"/import/sources/{source.pk}/templates/new"
    res = client.post(new, {"name": "", "entity": "persons", "mapping": "E-post = email\nSko = shoe_size"})
    page = res.content.decode()
    assert res.status_code == 422 and not MappingTemplate.objects.exists()
    assert 'id="id_name_error"' in page and 'id="id_mapping_error"' in page and "shoe_size" in page
    res = client.post(new, {"name": "Shop", "entity": "persons", "mapping": "no equals sign"})
    assert res.status_code == 422 and "Line 1" in res.content.decode()
    res = client.post(new, {"name": "Shop", "entity": "persons", "mapping": "E-post = email\nFornavn = given_name"})
    assert res.status_code == 302
    template = MappingTemplate.objects.get()
    assert template.columns == {"E-post": "email", "Fornavn": "given_name"}
    edit = f"/import/sources/{source.pk}/templates/{template.pk}/"
    assert "Fornavn = given_name" in client.get(edit).content.decode()
    client.post(new, {"name": "Other", "entity": "persons", "mapping": "a = email"})
    res = client.post(edit, {"name": "Other", "entity": "persons", "mapping": "a = email"})
    assert res.status_code == 422 and "already has a template named Other" in res.content.decode()
    assert client.post(edit, {"name": "Shop 2", "entity": "persons", "mapping": "Mail = email"}).status_code == 302
    template.refresh_from_db()
    assert (template.name, template.columns) == ("Shop 2", {"Mail": "email"})


@pytest.mark.parametrize("role", ["sales", "marketing", "service", "analyst"])
def test_only_administrators_set_up_sources_and_templates(as_role, source, role):
    from kundebase.ingest.models import MappingTemplate

    client = as_role(role)
    assert client.get(f"/import/sources/{source.pk}/").status_code == 403
    assert client.post(f"/import/sources/{source.pk}/", {"action": "rotate"}).status_code == 403
    res = client.post(f"/import/sources/{source.pk}/templates/new", {"name": "x", "entity": "persons",
                                                                       "mapping": "a = email"})
    assert res.status_code == 403 and not MappingTemplate.objects.exists()
