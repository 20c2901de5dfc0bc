"""Merge then unmerge: everything moves, every source value is kept, and undoing restores the exact state."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core import serializers

from kundebase.core.errors import NotFound, ValidationFailed
from kundebase.core.models import AuditEntry, Observation
from kundebase.interactions.services import log_interaction
from kundebase.matching import merge as merging
from kundebase.matching.models import MergeRecord
from kundebase.orders.services import create_order
from kundebase.parties import services
from kundebase.parties.models import Address, Company, ContactPoint, ContactRole, Party, Person
from kundebase.privacy import consent
from kundebase.privacy.models import ConsentEvent, Purpose
from tests.matching.helpers import company, person

pytestmark = pytest.mark.django_db
VOLATILE = {"version", "updated_at"}
"""Versions grow on unmerge on purpose (a pre-merge ETag must not overwrite); everything else must be equal."""


def _dump_party_world(*party_ids: int) -> dict[str, Any]:
    """Full row dumps of both parties and of every row of every app that points at them."""
    from kundebase.interactions.models import Interaction
    from kundebase.orders.models import Order

    rows = []
    rows += Party.objects.filter(pk__in=party_ids)
    rows += Person.objects.filter(pk__in=party_ids)
    rows += Company.objects.filter(pk__in=party_ids)
    rows += ContactPoint.objects.filter(party_id__in=party_ids)
    rows += Address.objects.filter(party_id__in=party_ids)
    rows += ContactRole.objects.filter(person_id__in=party_ids)
    rows += Interaction.objects.filter(party_id__in=party_ids)
    rows += Order.objects.filter(party_id__in=party_ids)
    rows += ConsentEvent.objects.filter(party_id__in=party_ids)
    rows += Observation.objects.filter(record_id__in=party_ids, entity__in=["person", "company"])
    out = {}
    for row in json.loads(serializers.serialize("json", rows)):
        out[(row["model"], row["pk"])] = {k: v for k, v in row["fields"].items() if k not in VOLATILE}
    return out


@pytest.fixture
def purposes() -> None:
    for key in ("newsletter", "profiling"):
        Purpose.objects.get_or_create(key=key, defaults={"name": key, "description": key, "legal_basis": "consent"})


def _pair() -> tuple[Any, Any]:
    kari = person("Kari", "Nordmann", born="1980-12-31", email="kari@example.no", phone="+47 412 34 567",
                  street="Storgata 1", postcode="0155", city="Oslo")
    dup = person("Kari", "Nordman", born="1980-12-31", email="kari.n@firma.no", phone="+47 913 45 678",
                 street="Storgt. 1", postcode="0155", city="Oslo")
    employer = company("Nordisk Fisk AS", org="923609016")
    services.add_role(person_id=dup.pk, company_id=employer.pk, data={"position": "CEO"})
    log_interaction(party_id=dup.pk, data={"kind": "call", "subject": "Asked about delivery"})
    log_interaction(party_id=kari.pk, data={"kind": "note", "subject": "Met at fair"})
    create_order(party_id=dup.pk, data={"order_number": "W-1"}, lines=[{"description": "Box", "revenue": "100"}])
    return kari, dup


def test_merge_moves_everything_and_keeps_every_source_value(purposes: None) -> None:
    kari, dup = _pair()
    dup_observations = Observation.objects.filter(entity="person", record_id=dup.pk).count()
    record = merging.merge(survivor_id=kari.pk, merged_id=dup.pk, actor="tester")
    assert Party.objects.get(pk=dup.pk).merged_into_id == kari.pk
    assert kari.interactions.count() == 2 and kari.orders.count() == 1
    assert ContactRole.objects.filter(person_id=kari.pk).count() == 1
    assert set(ContactPoint.objects.filter(party_id=kari.pk).values_list("normalised", flat=True)) >= {
        "kari@example.no", "kari.n@firma.no", "+4741234567", "+4791345678"}
    # one primary per kind stays the survivor's
    assert ContactPoint.objects.filter(party_id=kari.pk, kind="email", is_primary=True).get().value == "kari@example.no"
    assert Observation.objects.filter(entity="person", record_id=kari.pk).count() >= dup_observations
    assert Observation.objects.filter(entity="person", record_id=dup.pk).count() == 0
    assert AuditEntry.objects.filter(action="merge", party_id=kari.pk, record_id=dup.pk).exists()
    assert record.snapshot["moved"]
    with pytest.raises(Exception, match="already merged"):
        merging.merge(survivor_id=kari.pk, merged_id=dup.pk)


def test_survivorship_prefers_verified_then_most_recent() -> None:
    kari, dup = _pair()
    Observation.objects.create(entity="person", record_id=kari.pk, field="family_name", value="Nordmann",
                               source="folkeregister", verified=True)
    services.update_person(party_id=dup.pk, changes={"given_name": "Karianne"})
    merging.merge(survivor_id=kari.pk, merged_id=dup.pk)
    merged = Person.objects.get(pk=kari.pk)
    assert merged.given_name == "Karianne"  # the newest observation wins …
    assert merged.family_name == "Nordmann"  # … unless an older one was verified ("Nordman" is newer)
    assert merged.display_name == "Karianne Nordmann"


def test_merge_follows_the_same_survivorship_policy_as_imports() -> None:
    """Source priority decides before recency, as it does when an import or an event updates a customer."""
    from kundebase.ingest import services as ingest
    from kundebase.ingest.models import Source

    kari, dup = _pair()
    ingest.add_source(name="master-data")
    Source.objects.filter(name="master-data").update(priority=90)
    Observation.objects.create(entity="person", record_id=kari.pk, field="given_name", value="Kari",
                               source="master-data")
    services.update_person(party_id=dup.pk, changes={"given_name": "Kåre"})  # newer, from a lower priority
    merging.merge(survivor_id=kari.pk, merged_id=dup.pk)
    assert Person.objects.get(pk=kari.pk).given_name == "Kari"


def test_merge_then_unmerge_restores_the_exact_prior_state(purposes: None) -> None:
    kari, dup = _pair()
    consent.record(party_id=dup.pk, purpose="newsletter", channel="email", status="granted")
    before = _dump_party_world(kari.pk, dup.pk)
    versions = dict(Party.objects.filter(pk__in=[kari.pk, dup.pk]).values_list("pk", "version"))
    record = merging.merge(survivor_id=kari.pk, merged_id=dup.pk)
    assert _dump_party_world(kari.pk, dup.pk) != before
    merging.unmerge(merge_id=record.pk)
    assert _dump_party_world(kari.pk, dup.pk) == before
    after_versions = dict(Party.objects.filter(pk__in=[kari.pk, dup.pk]).values_list("pk", "version"))
    assert all(after_versions[pid] > versions[pid] for pid in versions)
    assert MergeRecord.objects.get(pk=record.pk).unmerged_at is not None
    assert AuditEntry.objects.filter(action="unmerge", party_id=kari.pk).exists()
    with pytest.raises(Exception, match="already undone"):
        merging.unmerge(merge_id=record.pk)


def test_rows_added_after_the_merge_go_to_the_right_side() -> None:
    kari, dup = _pair()
    record = merging.merge(survivor_id=kari.pk, merged_id=dup.pk)
    # through the restored record's e-mail: goes back with it
    services.add_contact_point(party_id=kari.pk, data={"kind": "email", "value": "Kari.N@firma.no"})
    came_by_mail = log_interaction(party_id=kari.pk, data={"kind": "email", "subject": "From kari.n@firma.no"})
    # anything else: stays with the survivor
    note = log_interaction(party_id=kari.pk, data={"kind": "note", "subject": "Called about invoice"})
    services.update_person(party_id=kari.pk, changes={"family_name": "Nordmann-Berg"})
    merging.unmerge(merge_id=record.pk)
    came_by_mail.refresh_from_db()
    note.refresh_from_db()
    assert came_by_mail.party_id == dup.pk
    assert note.party_id == kari.pk
    assert ContactPoint.objects.filter(party_id=dup.pk, value="Kari.N@firma.no").exists()
    assert Person.objects.get(pk=kari.pk).family_name == "Nordmann-Berg"  # changed since: kept
    assert Party.objects.get(pk=dup.pk).merged_into_id is None


def test_consents_after_merge_a_withdrawal_anywhere_wins(purposes: None) -> None:
    kari, dup = _pair()
    consent.record(party_id=dup.pk, purpose="newsletter", channel="email", status="withdrawn")
    consent.record(party_id=kari.pk, purpose="newsletter", channel="email", status="granted")  # later grant
    consent.record(party_id=kari.pk, purpose="profiling", channel="profiling", status="denied")
    consent.record(party_id=dup.pk, purpose="profiling", channel="profiling", status="granted")  # later grant
    consent.record(party_id=dup.pk, purpose="newsletter", channel="sms", status="granted")
    before = consent.current_state(kari.pk)
    record = merging.merge(survivor_id=kari.pk, merged_id=dup.pk)
    state = consent.current_state(kari.pk)
    assert state[("newsletter", "email")] == "withdrawn"
    assert state[("profiling", "profiling")] == "withdrawn"
    assert state[("newsletter", "sms")] == "granted"
    merging.unmerge(merge_id=record.pk)
    assert consent.current_state(kari.pk) == before
    assert consent.current_state(dup.pk)[("newsletter", "email")] == "withdrawn"


def test_merge_refuses_bad_requests() -> None:
    kari, dup = _pair()
    acme = company("Acme AS")
    with pytest.raises(ValidationFailed):
        merging.merge(survivor_id=kari.pk, merged_id=kari.pk)
    with pytest.raises(ValidationFailed):
        merging.merge(survivor_id=kari.pk, merged_id=acme.pk)
    with pytest.raises(NotFound):
        merging.merge(survivor_id=kari.pk, merged_id=999999)
    assert Party.objects.get(pk=dup.pk).merged_into_id is None


def test_unmerge_restores_times_to_the_microsecond() -> None:
    """A time with sub-millisecond digits (e.g. 11.000400) must come back exactly, not cut to 11.000."""
    import datetime as dt

    from kundebase.orders.models import Order

    kari, dup = _pair()
    order = create_order(party_id=dup.pk, data={}, lines=[{"description": "x", "revenue": "10"}])
    exact = dt.datetime(2026, 1, 2, 3, 4, 5, 400, tzinfo=dt.UTC)
    Order.objects.filter(pk=order.pk).update(created_at=exact, ordered_at=exact)
    Party.objects.filter(pk=dup.pk).update(created_at=exact)
    record = merging.merge(survivor_id=kari.pk, merged_id=dup.pk)
    merging.unmerge(merge_id=record.pk)
    order.refresh_from_db()
    assert (order.party_id, order.created_at, order.ordered_at) == (dup.pk, exact, exact)
    assert Party.objects.get(pk=dup.pk).created_at == exact
