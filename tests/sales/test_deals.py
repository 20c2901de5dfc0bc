"""Deal services: every rule and every bad input, on SQLite and PostgreSQL (nothing half-written on refusal)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kundebase.core.errors import Conflict, NotFound, ValidationFailed
from kundebase.sales import services
from kundebase.sales.models import Deal, Pipeline, StageChange
from tests.sales.conftest import later

pytestmark = pytest.mark.django_db


def fields(exc: ValidationFailed) -> dict[str, str]:
    return {e.field: e.code for e in exc.errors}


def counts() -> tuple[int, int, int]:
    from kundebase.interactions.models import Interaction

    return Deal.objects.count(), StageChange.objects.count(), Interaction.objects.count()


def test_seeded_default_pipeline_has_ordered_translated_stages(world):
    from django.utils import translation

    assert [(s.name, s.probability) for s in world.stages] == [
        ("Lead", 10), ("Qualified", 25), ("Proposal", 50), ("Negotiation", 75)]
    with translation.override("nb"):
        assert [s.label for s in world.stages] == ["Emne", "Kvalifisert", "Tilbud", "Forhandling"]
        assert world.pipeline.label == "Salg"


def test_create_deal_defaults_history_and_timeline(world):
    from kundebase.interactions.models import Interaction

    deal = services.create_deal(data={"title": "Ny strømavtale", "party_id": world.company.pk,
                                      "contact_person_id": world.contact.pk, "amount": "120000",
                                      "expected_close_on": later()}, actor=world.seller)
    assert deal.pipeline == world.pipeline and deal.stage == world.stages[0]
    assert deal.probability == 10 and deal.owner == world.seller and deal.currency == "NOK"
    assert deal.amount_base == Decimal("120000.00") and deal.weighted_amount == Decimal("12000.00")
    assert list(deal.stage_changes.values_list("from_stage", "to_stage", "status")) == [
        (None, world.stages[0].pk, "open")]
    note = Interaction.objects.get(party=world.company, source_record_id=f"deal:{deal.pk}")
    assert "Ny strømavtale" in note.subject and note.handled_by == world.seller and note.kind == "note"


def test_move_win_lose_keep_history_and_timeline(world):
    from kundebase.interactions.models import Interaction

    deal = services.create_deal(data={"title": "A", "party_id": world.person.pk}, actor=world.seller)
    services.move_deal(deal_id=deal.pk, stage_id=world.stages[2].pk, actor=world.seller)
    deal.refresh_from_db()
    assert deal.stage == world.stages[2] and deal.probability == 50
    services.win_deal(deal_id=deal.pk, note="Signed", actor=world.seller)
    deal.refresh_from_db()
    assert deal.status == "won" and deal.probability == 100 and deal.closed_at is not None
    assert [c.status for c in deal.stage_changes.all()] == ["open", "open", "won"]
    assert [(c.from_stage_id, c.to_stage_id) for c in deal.stage_changes.all()][1] == (
        world.stages[0].pk, world.stages[2].pk)
    subjects = list(Interaction.objects.filter(source_record_id=f"deal:{deal.pk}").values_list("subject", flat=True))
    assert len(subjects) == 3 and any("won" in s for s in subjects) and any("moved" in s for s in subjects)

    lost = services.create_deal(data={"title": "B", "party_id": world.person.pk}, actor=world.seller)
    services.lose_deal(deal_id=lost.pk, reason="price", note="Too dear", actor=world.seller)
    lost.refresh_from_db()
    assert lost.status == "lost" and lost.lost_reason == "price" and lost.probability == 0


def test_closed_deal_cannot_move_or_close_again(world):
    deal = services.create_deal(data={"title": "A", "party_id": world.person.pk}, actor=world.seller)
    services.win_deal(deal_id=deal.pk, actor=world.seller)
    before = counts()
    with pytest.raises(Conflict) as exc:
        services.move_deal(deal_id=deal.pk, stage_id=world.stages[1].pk, actor=world.seller)
    assert exc.value.code == "deal_closed"
    with pytest.raises(Conflict):
        services.lose_deal(deal_id=deal.pk, reason="price", actor=world.seller)
    assert counts() == before


def test_foreign_currency_needs_a_rate(world):
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        services.create_deal(data={"title": "Export", "party_id": world.company.pk, "amount": "1000",
                                   "currency": "EUR"}, actor=world.seller)
    assert fields(exc.value) == {"currency": "no_exchange_rate"}
    assert counts() == before
    services.set_exchange_rate(currency="eur", rate="11.5")
    deal = services.create_deal(data={"title": "Export", "party_id": world.company.pk, "amount": "1000",
                                      "currency": "EUR"}, actor=world.seller)
    assert deal.amount_base == Decimal("11500.00")


@pytest.mark.parametrize(("currency", "rate", "bad"), [
    ("NOK", "1", "currency"), ("EURO", "2", "currency"), ("USD", "0", "rate"), ("USD", "-1", "rate"),
    ("USD", "abc", "rate"),
])
def test_bad_exchange_rates_are_refused(db, currency, rate, bad):
    with pytest.raises(ValidationFailed) as exc:
        services.set_exchange_rate(currency=currency, rate=rate)
    assert bad in fields(exc.value)


def test_past_close_date_for_an_open_deal_is_refused(world):
    from django.utils import timezone

    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        services.create_deal(data={"title": "Late", "party_id": world.person.pk, "expected_close_on": yesterday},
                             actor=world.seller)
    assert fields(exc.value) == {"expected_close_on": "past_date"}
    assert counts() == before
    deal = services.create_deal(data={"title": "Late", "party_id": world.person.pk}, actor=world.seller)
    with pytest.raises(ValidationFailed):
        services.update_deal(deal_id=deal.pk, changes={"expected_close_on": yesterday}, actor=world.seller)
    services.win_deal(deal_id=deal.pk, actor=world.seller)
    services.update_deal(deal_id=deal.pk, changes={"expected_close_on": yesterday}, actor=world.seller)


def test_stage_from_another_pipeline_is_refused(world):
    other = services.create_pipeline(name="Partners", stages=[{"name": "Intro", "probability": 5},
                                                              {"name": "Contract", "probability": 80}])
    foreign = other.stages.get(name="Contract")
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        services.create_deal(data={"title": "X", "party_id": world.person.pk, "stage_id": foreign.pk},
                             actor=world.seller)
    assert fields(exc.value) == {"stage_id": "wrong_pipeline"}
    deal = services.create_deal(data={"title": "X", "party_id": world.person.pk}, actor=world.seller)
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        services.move_deal(deal_id=deal.pk, stage_id=foreign.pk, actor=world.seller)
    assert fields(exc.value) == {"stage_id": "wrong_pipeline"}
    assert counts() == before
    deal.refresh_from_db()
    assert deal.stage == world.stages[0]
    in_other = services.create_deal(data={"title": "Y", "party_id": world.person.pk, "pipeline_id": other.pk,
                                          "stage_id": foreign.pk}, actor=world.seller)
    assert in_other.probability == 80


def test_every_bad_field_is_reported_at_once(world):
    with pytest.raises(ValidationFailed) as exc:
        services.create_deal(data={"title": "", "party_id": 999999, "amount": "-5", "probability": 120,
                                   "contact_person_id": 999998, "campaign_id": 999997, "currency": "??"},
                             actor=world.seller)
    assert set(fields(exc.value)) == {"title", "party_id", "amount", "probability", "contact_person_id",
                                      "campaign_id", "currency"}


def test_contact_person_must_belong_to_the_company(world):
    with pytest.raises(ValidationFailed) as exc:
        services.create_deal(data={"title": "X", "party_id": world.company.pk,
                                   "contact_person_id": world.person.pk}, actor=world.seller)
    assert fields(exc.value) == {"contact_person_id": "not_a_contact"}


def test_lose_needs_a_reason_from_the_list(world):
    deal = services.create_deal(data={"title": "X", "party_id": world.person.pk}, actor=world.seller)
    with pytest.raises(ValidationFailed) as exc:
        services.lose_deal(deal_id=deal.pk, reason="bored", actor=world.seller)
    assert fields(exc.value) == {"reason": "invalid_choice"}
    deal.refresh_from_db()
    assert deal.status == "open"


def test_source_campaign_is_kept(world):
    from kundebase.marketing import campaigns, segments

    segment = segments.create_segment(data={"name": "All", "kind": "static",
                                            "rule": {"attr": "kind", "op": "eq", "value": "person"}})
    campaign = campaigns.create_campaign(data={"name": "Vår", "segment_id": segment.pk, "subject": "Hei",
                                               "body": "Hei"})
    deal = services.create_deal(data={"title": "X", "party_id": world.person.pk, "campaign_id": campaign.pk},
                                actor=world.seller)
    assert deal.campaign == campaign


def test_salesperson_sees_and_changes_only_own_deals(world):
    from kundebase.sales.access import deals_for

    mine = services.create_deal(data={"title": "Mine", "party_id": world.person.pk}, actor=world.seller)
    theirs = services.create_deal(data={"title": "Theirs", "party_id": world.person.pk}, actor=world.other_seller)
    assert list(deals_for(world.seller)) == [mine]
    assert set(deals_for(world.admin)) == {mine, theirs}
    with pytest.raises(NotFound):
        services.move_deal(deal_id=theirs.pk, stage_id=world.stages[1].pk, actor=world.seller)
    with pytest.raises(ValidationFailed) as exc:
        services.create_deal(data={"title": "Gift", "party_id": world.person.pk,
                                   "owner_id": world.other_seller.pk}, actor=world.seller)
    assert fields(exc.value) == {"owner_id": "forbidden_owner"}
    handed = services.create_deal(data={"title": "Handed", "party_id": world.person.pk,
                                        "owner_id": world.other_seller.pk}, actor=world.admin)
    assert handed.owner == world.other_seller
    services.move_deal(deal_id=theirs.pk, stage_id=world.stages[1].pk, actor=world.admin)


def test_pipeline_and_stage_rules(db):
    with pytest.raises(ValidationFailed) as exc:
        services.create_pipeline(name="", stages=[])
    assert set(fields(exc.value)) == {"name", "stages"}
    with pytest.raises(ValidationFailed) as exc:
        services.create_pipeline(name="P", stages=[{"name": "A", "probability": 10},
                                                   {"name": "a", "probability": 101}])
    assert set(fields(exc.value)) == {"stages[1].name", "stages[1].probability"}
    assert not Pipeline.objects.filter(name="P").exists()
    pipeline = services.create_pipeline(name="P", stages=[{"name": "A", "probability": 10},
                                                          {"name": "C", "probability": 60}])
    services.add_stage(pipeline_id=pipeline.pk, name="B", probability=30, position=2)
    assert list(pipeline.stages.order_by("position").values_list("name", "position")) == [
        ("A", 1), ("B", 2), ("C", 3)]
    with pytest.raises(ValidationFailed) as exc:
        services.add_stage(pipeline_id=pipeline.pk, name="A", probability=30, position=9)
    assert set(fields(exc.value)) == {"name", "position"}
    with pytest.raises(NotFound):
        services.add_stage(pipeline_id=999999, name="Z", probability=1)


def test_update_deal_refuses_read_only_fields_and_reconverts(world):
    services.set_exchange_rate(currency="SEK", rate="0.95")
    deal = services.create_deal(data={"title": "X", "party_id": world.person.pk, "amount": "100"},
                                actor=world.seller)
    with pytest.raises(ValidationFailed) as exc:
        services.update_deal(deal_id=deal.pk, changes={"stage_id": world.stages[1].pk}, actor=world.seller)
    assert fields(exc.value) == {"stage_id": "read_only"}
    deal = services.update_deal(deal_id=deal.pk, changes={"currency": "SEK", "amount": "200"}, actor=world.seller)
    assert deal.amount_base == Decimal("190.00")


def test_deals_and_tasks_follow_the_survivor_of_a_merge(world):
    from kundebase.matching.merge import merge
    from kundebase.parties import services as parties

    twin = parties.create_person(data={"given_name": "Per", "family_name": "Privat"})
    deal = services.create_deal(data={"title": "Twin", "party_id": twin.pk}, actor=world.seller)
    task = services.create_task(data={"title": "T", "due_at": "2031-01-01T10:00", "party_id": twin.pk},
                                actor=world.seller)
    merge(survivor_id=world.person.pk, merged_id=twin.pk, actor=world.admin)
    deal.refresh_from_db()
    task.refresh_from_db()
    assert deal.party_id == world.person.pk and task.party_id == world.person.pk
