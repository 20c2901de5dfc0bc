"""A small, varied customer base built through the services, and the facts a test oracle checks rules against."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

PLACES = [
    ("0150", "Oslo", "Oslo", "Oslo", "NO"),
    ("1337", "Sandvika", "Bærum", "Viken", "NO"),
    ("5003", "Bergen", "Bergen", "Vestland", "NO"),
    ("7010", "Trondheim", "Trondheim", "Trøndelag", "NO"),
    ("2100", "København Ø", "København", "Hovedstaden", "DK"),
    ("10115", "Berlin", "Berlin", "Berlin", "DE"),
    ("1051", "Budapest", "Budapest", "Budapest", "HU"),
]


@dataclass
class Facts:
    id: int
    kind: str
    status: str = "prospect"
    birth_date: dt.date | None = None
    gender: str = ""
    language: str = ""
    addresses: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    industry: str = ""
    employees: int | None = None
    dunning: str = "none"
    interests: set[str] = field(default_factory=set)
    shoe_size: int | None = None
    consent: str = "none"
    orders: list[tuple[float, Decimal, Decimal, str]] = field(default_factory=list)  # days ago, rev, cost, cat
    contacts: list[tuple[float, str]] = field(default_factory=list)  # days ago, channel
    tier: str | None = None
    points: int = 0
    opened: set[int] = field(default_factory=set)


@dataclass
class World:
    facts: dict[int, Facts]
    today: dt.date
    now: dt.datetime
    campaign_id: int = 0
    static_segment_id: int = 0
    dynamic_segment_id: int = 0
    users: dict[str, Any] = field(default_factory=dict)


def build(seed: int = 7, persons: int = 36, companies: int = 6) -> World:
    from kundebase.core.services import create_custom_field
    from kundebase.interactions.services import log_interaction
    from kundebase.marketing import loyalty
    from kundebase.marketing.models import Campaign, CampaignRecipient, LoyaltyActionRule, LoyaltyTier
    from kundebase.orders import services as orders
    from kundebase.parties import services as parties
    from kundebase.privacy import consent
    from kundebase.privacy.models import Purpose

    rnd = random.Random(seed)
    from kundebase.privacy.purposes import SHIPPED

    for p in SHIPPED:
        Purpose.objects.get_or_create(key=p.key, defaults={"name": p.name, "description": p.description,
                                                           "legal_basis": p.legal_basis})
    create_custom_field(data={"entity": "person", "key": "shoe_size", "label": "Shoe size", "field_type": "integer",
                              "purpose": "Fitting advice for hiking boots", "legal_basis": "consent"})
    outdoor = orders.create_category(name="Outdoor")
    hiking = orders.create_category(name="Hiking", parent_id=outdoor.pk)
    kitchen = orders.create_category(name="Kitchen")
    cats = {"hiking": hiking, "outdoor": outdoor, "kitchen": kitchen}
    for slug, cat in cats.items():
        orders.create_product(data={"sku": f"P-{slug}", "name": slug, "category_id": cat.pk, "list_price": 100})
    LoyaltyTier.objects.create(name="Silver", threshold=100)
    LoyaltyTier.objects.create(name="Gold", threshold=400)
    LoyaltyActionRule.objects.create(action="review", points=50)
    now = timezone.now()
    today = timezone.localdate(now)
    facts: dict[int, Facts] = {}
    for i in range(persons):
        if i == 0:
            born = today.replace(year=today.year - 40)  # birthday today
        elif i == 1:
            born = dt.date(1988, 2, 29)
        elif i == 2:
            born = None
        else:
            born = dt.date(rnd.randint(1940, 2007), rnd.randint(1, 12), rnd.randint(1, 28))
        gender = rnd.choice(["female", "male", "diverse", ""])
        language = rnd.choice(["nb", "en", "da", ""])
        places = rnd.sample(PLACES, rnd.choice([0, 1, 1, 1, 2]))
        shoe = rnd.choice([None, 38, 41, 44])
        data: dict[str, Any] = {"given_name": f"Given{i}", "family_name": f"Family{i}", "gender": gender,
                                "preferred_language": language, "birth_date": born.isoformat() if born else None}
        if shoe is not None:
            data["custom_fields"] = {"shoe_size": shoe}
        person = parties.create_person(
            data=data, contact_points=[{"kind": "email", "value": f"p{i}@example.org"}],
            addresses=[{"street": f"Gate {i}", "postcode": p[0], "city": p[1], "municipality": p[2],
                        "region": p[3], "country": p[4]} for p in places])
        facts[person.pk] = Facts(id=person.pk, kind="person", birth_date=born, gender=gender, language=language,
                                 addresses=list(places), shoe_size=shoe)
    for i in range(companies):
        places = rnd.sample(PLACES, 1)
        company = parties.create_company(
            data={"legal_name": f"Firma {i} AS", "industry_code": rnd.choice(["47.11", "47.64", "62.01"]),
                  "employees": rnd.choice([3, 40, 250]),
                  "dunning_status": rnd.choice(["none", "reminder_1", "debt_collection"])},
            addresses=[{"street": "Vei 1", "postcode": p[0], "city": p[1], "municipality": p[2], "region": p[3],
                        "country": p[4]} for p in places])
        company.refresh_from_db()
        facts[company.pk] = Facts(id=company.pk, kind="company", addresses=list(places),
                                  industry=company.industry_code, employees=company.employees,
                                  dunning=company.dunning_status)
    for f in facts.values():
        for _n in range(rnd.choice([0, 0, 1, 2, 4])):
            days = rnd.randint(0, 700) + 0.5
            slug = rnd.choice(["hiking", "outdoor", "kitchen"])
            revenue = Decimal(rnd.randint(50, 5000))
            cost = (revenue * Decimal(rnd.choice(["0.4", "0.9", "1.1"]))).quantize(Decimal("0.01"))
            orders.create_order(party_id=f.id, data={"ordered_at": now - dt.timedelta(days=days)},
                                lines=[{"sku": f"P-{slug}", "revenue": str(revenue), "cost": str(cost)}])
            f.orders.append((days, revenue, cost, slug))
        if f.orders:
            f.status = "active"
        for _n in range(rnd.choice([0, 1, 3])):
            days = rnd.randint(0, 200) + 0.5
            channel = rnd.choice(["phone", "email", "in_person"])
            log_interaction(party_id=f.id, data={"kind": "call" if channel == "phone" else "meeting",
                                                 "channel": channel, "occurred_at": (now - dt.timedelta(days=days)
                                                                                     ).isoformat()})
            f.contacts.append((days, channel))
        state = rnd.choice(["granted", "withdrawn", "none", "expired"])
        if state != "none":
            consent.record(party_id=f.id, purpose="direct_marketing", channel="email", status="granted",
                           captured_at=now - dt.timedelta(days=30),
                           valid_until=now - dt.timedelta(days=1) if state == "expired" else None)
        if state == "withdrawn":
            consent.record(party_id=f.id, purpose="direct_marketing", channel="email", status="withdrawn")
        f.consent = state if state in ("granted", "withdrawn") else "none"
        if rnd.random() < 0.3:
            slug = rnd.choice(["hiking", "kitchen"])
            orders.add_interest(party_id=f.id, category_id=cats[slug].pk)
            f.interests.add(slug)
    members = [f for f in facts.values() if f.kind == "person"][:10]
    for n, f in enumerate(members):
        loyalty.join(party_id=f.id, consent_given=True)
        for _k in range(n % 4 * 3):
            loyalty.earn_for_action(party_id=f.id, action="review")
        f.points = (n % 4 * 3) * 50
        f.tier = "Gold" if f.points >= 400 else "Silver" if f.points >= 100 else None
    world = World(facts=facts, today=today, now=now)
    from kundebase.marketing.models import Segment

    seg = Segment.objects.create(name="Campaign seg", rule={"attr": "kind", "op": "eq", "value": "person"})
    campaign = Campaign.objects.create(name="Spring", segment=seg, subject="s", body="b")
    for n, f in enumerate(list(facts.values())[::3]):
        CampaignRecipient.objects.create(campaign=campaign, party_id=f.id, status="sent", sent_at=now,
                                         opened_at=now if n % 2 == 0 else None)
        if n % 2 == 0:
            f.opened.add(campaign.pk)
    world.campaign_id = campaign.pk
    return world


def age(f: Facts, today: dt.date) -> int | None:
    if f.birth_date is None:
        return None
    b = f.birth_date
    return today.year - b.year - ((today.month, today.day) < (b.month, b.day))


def last_days(items: list[tuple[Any, ...]]) -> float | None:
    return min((x[0] for x in items), default=None)


def first_days(items: list[tuple[Any, ...]]) -> float | None:
    return max((x[0] for x in items), default=None)
