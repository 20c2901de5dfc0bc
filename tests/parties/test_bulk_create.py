"""``create_persons``: the bulk service every channel creates persons through (the API passes a list of one)."""

from __future__ import annotations

import pytest

from kundebase.core import audit
from kundebase.core.errors import ValidationFailed
from kundebase.core.models import AuditEntry, Observation
from kundebase.core.provenance import SourceRef
from kundebase.parties import services
from kundebase.parties.models import ContactPoint, Party, Person

pytestmark = pytest.mark.django_db


def _record(family: str, email: str, **data: object) -> services.NewCustomer:
    return services.NewCustomer({"given_name": "Kari", "family_name": family, **data},
                                contact_points=[{"kind": "email", "value": email},
                                                {"kind": "email", "value": f"other.{email}"}],
                                addresses=[{"street": "Storgata 1", "postcode": "0155", "city": "Oslo",
                                            "country": "NO"}],
                                source=SourceRef(name="carddav:anne", record_id=email))


def test_a_batch_is_stored_with_an_audit_entry_and_provenance_per_person():
    ids = services.create_persons([_record("Nordmann", "kari@example.no"), _record("Olsen", "kari@example.com"),
                                   _record("Berg", "kb@example.no", birth_date="1980-12-31")],
                                  actor="anne", channel="carddav")
    assert len(ids) == 3 == Person.objects.count()
    assert [Person.objects.get(pk=pid).family_name for pid in ids] == ["Nordmann", "Olsen", "Berg"]
    numbers = [int(n) for n in Party.objects.filter(pk__in=ids).order_by("pk").values_list("customer_number",
                                                                                           flat=True)]
    assert numbers == list(range(numbers[0], numbers[0] + 3))
    for pid in ids:
        entries = AuditEntry.objects.filter(party_id=pid)
        assert [(e.action, e.channel, e.entity) for e in entries] == [("create", "carddav", "person")]
        assert entries.get().note.startswith("carddav:anne ")
        primary = ContactPoint.objects.filter(party_id=pid, is_primary=True)
        assert primary.count() == 1 and not primary.get().value.startswith("other.")
        assert Observation.objects.filter(record_id=pid, field="email", source="carddav:anne").exists()
    assert audit.verify().ok


def test_one_bad_record_refuses_the_batch_and_names_it():
    with pytest.raises(ValidationFailed) as refused:
        services.create_persons([_record("Nordmann", "kari@example.no"), _record("", "not an e-mail")])
    fields = {e.field for e in refused.value.errors}
    assert {"[1].family_name", "[1].contact_points[0].value"} <= fields
    assert not any(f.startswith("[0].") for f in fields)
    assert not Party.objects.exists() and not AuditEntry.objects.filter(action="create").exists()


def test_the_single_service_is_a_batch_of_one():
    person = services.create_person(data={"given_name": "Kari", "family_name": "Nordmann"},
                                    contact_points=[{"kind": "email", "value": "kari@example.no"}])
    assert isinstance(person, Person) and person.display_name == "Kari Nordmann"
    entry = AuditEntry.objects.get(party_id=person.pk)
    assert (entry.action, entry.channel, entry.note) == ("create", "api", "")
    with pytest.raises(ValidationFailed) as refused:
        services.create_person(data={"given_name": "Kari"})
    assert [e.field for e in refused.value.errors] == ["family_name"]
