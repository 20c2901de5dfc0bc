"""An import writes through the parties' one write path: custom fields kept, an audit entry per person."""

from __future__ import annotations

from pathlib import Path

import pytest

from kundebase.core import audit
from kundebase.core.models import AuditEntry, CustomFieldDefinition
from kundebase.ingest.models import ImportJob
from kundebase.parties.models import Person

pytestmark = pytest.mark.django_db

HEADER = "Fornavn;Etternavn;E-post;Skostørrelse\n"


def _file(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "persons.csv"
    path.write_text(HEADER + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return path


@pytest.fixture
def shoe_size(db):
    return CustomFieldDefinition.objects.create(
        entity="person", key="shoe_size", label="Skostørrelse", field_type="integer",
        purpose="Boot fitting advice in the store needs the customer's shoe size.",
        legal_basis="legitimate_interest", data_category="other")


def test_an_imported_custom_field_value_lands_on_the_person(run_import, tmp_path, shoe_size):
    job = run_import(_file(tmp_path, "Kari;Nordmann;kari@example.no;39", "Ola;Åsheim;ola@example.no;"))
    assert job.status == ImportJob.Status.DONE and job.created_count == 2
    assert job.mapping["Skostørrelse"] == "custom_fields.shoe_size"  # proposed from the field's label
    assert Person.objects.get(family_name="Nordmann").custom_fields == {"shoe_size": 39}
    assert Person.objects.get(family_name="Åsheim").custom_fields == {}


def test_a_bad_custom_field_value_is_an_error_naming_its_column(run_import, tmp_path, shoe_size):
    job = run_import(_file(tmp_path, "Kari;Nordmann;kari@example.no;large", "Ola;Åsheim;ola@example.no;44"))
    assert (job.created_count, job.error_count) == (1, 1)
    row = job.rows.get(outcome="error")
    assert [column for column, _message in row.problems] == ["Skostørrelse"], row.problems
    assert not Person.objects.filter(family_name="Nordmann").exists()
    assert Person.objects.get(family_name="Åsheim").custom_fields == {"shoe_size": 44}


def test_each_imported_person_has_the_creation_in_their_access_report(run_import, tmp_path):
    from kundebase.privacy import access

    job = run_import(_file(tmp_path, "Kari;Nordmann;kari@example.no;", "Ola;Åsheim;ola@example.no;"))
    assert job.created_count == 2
    for person in Person.objects.all():
        report = access.collect(person.pk)
        created = [a for a in report["audit_entries"] if a["action"] == "create"]
        assert len(created) == 1, report["audit_entries"]
        assert created[0]["channel"] == "import" and created[0]["entity"] == "person"
        assert "family_name" in created[0]["fields"] and "contact_points.email" in created[0]["fields"]
    entries = AuditEntry.objects.filter(action="create", entity="person")
    assert sorted(entries.values_list("party_id", flat=True)) == sorted(Person.objects.values_list("pk", flat=True))
    assert all(e.note.startswith("crm line ") for e in entries)
    assert audit.verify().ok


def test_an_update_with_new_values_phones_and_addresses_is_one_version_and_one_audit_entry(run_import, tmp_path):
    """What a row changes and what it adds are one change of the customer, told and audited once."""
    from kundebase.core.models import Observation

    first = tmp_path / "crm.csv"
    first.write_text("Fornavn;Etternavn;E-post\nKari;Nordmann;kari@example.no\n", encoding="utf-8")
    run_import(first, source="crm")
    kari = Person.objects.get()
    version, entries = kari.version, AuditEntry.objects.filter(party_id=kari.pk).count()
    second = tmp_path / "shop.csv"
    second.write_text("Fornavn;Etternavn;E-post;Mobil;Fødselsdato;Adresse;Postnummer;Poststed\n"
                      "Kari;Nordmann;kari@example.no;+47 900 11 222;31.12.1980;Storgata 1;0155;Oslo\n",
                      encoding="utf-8")
    job = run_import(second, source="shop")
    assert job.updated_count == 1
    kari.refresh_from_db()
    assert str(kari.birth_date) == "1980-12-31"
    assert kari.version == version + 1
    added = list(AuditEntry.objects.filter(party_id=kari.pk).order_by("pk"))[entries:]
    assert len(added) == 1 and added[0].channel == "import"
    assert {"birth_date", "contact_points.mobile", "addresses"} <= set(added[0].fields)
    assert kari.contact_points.filter(normalised="+4790011222").exists() and kari.addresses.count() == 1
    shop = set(Observation.objects.filter(record_id=kari.pk, source="shop").values_list("field", flat=True))
    assert {"birth_date", "mobile", "address"} <= shop  # each value still observed from its source
