"""A small, realistic customer set made through the services, shared by the web tests and the screenshot script."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from kundebase.interactions import services as interactions
from kundebase.orders import services as orders
from kundebase.parties import services as parties


@dataclass
class Seeded:
    kari: Any
    ola: Any
    company: Any
    parent: Any
    twin: Any


def seed(actor: Any = None) -> Seeded:
    parent = parties.create_company(
        data={"legal_name": "Nordlys Holding AS", "org_number": "974760673", "org_country": "NO", "status": "active"},
        contact_points=[{"kind": "phone", "value": "+47 22 00 00 00"}],
        addresses=[{"street": "Karl Johans gate 1", "postcode": "0154", "city": "Oslo", "country": "NO"}],
        actor=actor, channel="web")
    company = parties.create_company(
        data={"legal_name": "Fjordkraft Service AS", "org_number": "923609016", "org_country": "NO",
              "parent_id": parent.pk, "status": "active", "industry_code": "47.11", "employees": 42},
        contact_points=[{"kind": "email", "value": "post@fjordkraft-service.no"},
                        {"kind": "website", "value": "fjordkraft-service.no"}],
        addresses=[{"street": "Bryggen 5", "postcode": "5003", "city": "Bergen", "region": "Vestland",
                    "country": "NO"}],
        actor=actor, channel="web")
    kari = parties.create_person(
        data={"given_name": "Kari", "family_name": "Nordmann", "birth_date": "1980-12-31", "gender": "female",
              "preferred_language": "nb", "status": "active"},
        contact_points=[{"kind": "email", "value": "kari.nordmann@example.no"},
                        {"kind": "mobile", "value": "+47 412 34 567"}],
        addresses=[{"street": "Storgata 1", "postcode": "0155", "city": "Oslo", "region": "Oslo", "country": "NO"}],
        actor=actor, channel="web")
    ola = parties.create_person(
        data={"given_name": "Åse", "family_name": "Bække", "status": "prospect"},
        contact_points=[{"kind": "phone", "value": "+47 55 12 34 56"}],
        addresses=[{"street": "Nygårdsgaten 3", "postcode": "5015", "city": "Bergen", "country": "NO"}],
        actor=actor, channel="web")
    # A second record sharing Kari's mobile number: a likely duplicate, and two hits for the screen pop.
    twin = parties.create_person(
        data={"given_name": "Kari", "family_name": "Nordman", "status": "prospect"},
        contact_points=[{"kind": "mobile", "value": "0047 41234567"}], actor=actor, channel="web")
    parties.add_role(person_id=kari.pk, company_id=company.pk,
                     data={"position": "Innkjøpssjef", "department": "Innkjøp", "is_primary_contact": True},
                     actor=actor)
    now = timezone.now()
    for days, kind, subject in ((40, "visit", "Årlig gjennomgang"), (12, "email", "Tilbud sendt"),
                                (2, "call", "Spørsmål om faktura")):
        interactions.log_interaction(party_id=kari.pk, actor=actor, channel="web", data={
            "kind": kind, "direction": "out" if kind != "call" else "in", "channel": "phone" if kind == "call" else
            "email", "subject": subject, "occurred_at": now - dt.timedelta(days=days)})
    interactions.log_interaction(party_id=kari.pk, actor=actor, channel="web", data={
        "kind": "note", "direction": "internal", "subject": "Ring tilbake om fornyelse",
        "follow_up_on": (timezone.localdate() + dt.timedelta(days=1)).isoformat()})
    category = orders.create_category(name="Strøm")
    product = orders.create_product(data={"sku": "STROM-1", "name": "Strømavtale", "category_id": category.pk,
                                          "list_price": "1200", "unit_cost": "900"})
    orders.add_interest(party_id=kari.pk, category_id=category.pk, actor=actor)
    for days in (200, 90, 10):
        orders.create_order(party_id=kari.pk, actor=actor, data={"ordered_at": now - dt.timedelta(days=days)},
                            lines=[{"sku": product.sku, "quantity": 2}])
    orders.create_order(party_id=company.pk, actor=actor, data={"channel": "sales"},
                        lines=[{"description": "Rammeavtale", "revenue": "250000", "cost": "180000"}])
    return Seeded(kari=kari, ola=ola, company=company, parent=parent, twin=twin)
