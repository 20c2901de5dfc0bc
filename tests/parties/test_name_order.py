"""A person's full name is written in the order of the person's own language: Hungarian family name first."""

from __future__ import annotations

import importlib

import pytest

from kundebase.parties.names import person_name

HUNGARIAN = {"given_name": "István", "family_name": "Nagy", "preferred_language": "hu", "birth_date": "1975-03-15",
             "contact_points": [{"kind": "email", "value": "nagy.istvan@example.hu"}],
             "addresses": [{"street": "Váci utca 12", "postcode": "1052", "city": "Budapest", "country": "HU"}]}


@pytest.mark.parametrize(("given", "family", "language", "shown"), [
    ("István", "Nagy", "hu", "Nagy István"),
    ("István", "Nagy", "HU", "Nagy István"),
    ("Kari", "Nordmann", "nb", "Kari Nordmann"),
    ("Anna", "Schmidt", "de", "Anna Schmidt"),
    ("Mette", "Jensen", "", "Mette Jensen"),
    ("", "Nagy", "hu", "Nagy"),
    ("Kari", "", None, "Kari"),
])
def test_person_name_follows_the_persons_language(given, family, language, shown):
    assert person_name(given, family, language) == shown


@pytest.mark.django_db
def test_api_shows_a_hungarian_customer_family_name_first(api, person_payload):
    res = api.post("/api/v1/persons", HUNGARIAN)
    assert res.status_code == 201, res.content
    assert res.json()["display_name"] == "Nagy István"
    norwegian = api.post("/api/v1/persons", person_payload)
    assert norwegian.json()["display_name"] == "Kari Nordmann"


@pytest.mark.django_db
def test_changing_language_or_name_writes_the_name_in_the_new_order(api, person_payload):
    from kundebase.parties.models import Party

    created = api.post("/api/v1/persons", person_payload)
    pid, etag = created.json()["id"], created["ETag"]
    res = api.patch(f"/api/v1/persons/{pid}", {"preferred_language": "hu"}, headers={"If-Match": etag})
    assert res.status_code == 200, res.content
    assert res.json()["display_name"] == "Nordmann Kari"
    assert Party.objects.get(pk=pid).search_name == "nordmann kari"
    res = api.patch(f"/api/v1/persons/{pid}", {"given_name": "Kari Anne"}, headers={"If-Match": res["ETag"]})
    assert res.json()["display_name"] == "Nordmann Kari Anne"
    res = api.patch(f"/api/v1/persons/{pid}", {"preferred_language": "nb"}, headers={"If-Match": res["ETag"]})
    assert res.json()["display_name"] == "Kari Anne Nordmann"


@pytest.mark.django_db
def test_values_chosen_by_a_merge_keep_the_hungarian_order(api):
    from kundebase.parties.models import Party
    from kundebase.parties.services import lifecycle

    pid = api.post("/api/v1/persons", HUNGARIAN).json()["id"]
    lifecycle.apply_values(pid, {"given_name": "Pista"})
    assert Party.objects.get(pk=pid).display_name == "Nagy Pista"


@pytest.mark.django_db
def test_migration_rewrites_stored_hungarian_names(api, person_payload):
    from django.apps import apps

    from kundebase.parties.models import Party

    migration = importlib.import_module("kundebase.parties.migrations.0003_hungarian_name_order")
    hungarian = api.post("/api/v1/persons", HUNGARIAN).json()["id"]
    norwegian = api.post("/api/v1/persons", person_payload).json()["id"]
    Party.objects.filter(pk=hungarian).update(display_name="István Nagy", search_name="istvan nagy")
    migration.family_first(apps, None)
    assert Party.objects.get(pk=hungarian).display_name == "Nagy István"
    assert Party.objects.get(pk=hungarian).search_name == "nagy istvan"
    assert Party.objects.get(pk=norwegian).display_name == "Kari Nordmann"
    migration.given_first(apps, None)
    assert Party.objects.get(pk=hungarian).display_name == "István Nagy"


@pytest.mark.django_db
def test_without_a_language_the_installations_country_decides(api, settings):
    settings.KUNDEBASE_DEFAULT_COUNTRY = "HU"
    unknown = api.post("/api/v1/persons", HUNGARIAN | {"preferred_language": ""})
    assert unknown.json()["display_name"] == "Nagy István"
    norwegian = api.post("/api/v1/persons", {"given_name": "Kari", "family_name": "Nordmann",
                                             "preferred_language": "nb"})
    assert norwegian.json()["display_name"] == "Kari Nordmann"
    settings.KUNDEBASE_DEFAULT_COUNTRY = "NO"
    assert api.post("/api/v1/persons", {"given_name": "Ola", "family_name": "Nordmann"}).json()["display_name"] \
        == "Ola Nordmann"
