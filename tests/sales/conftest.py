"""A small sales world: a company with a contact person, a private customer, a salesperson and an administrator."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.web.conftest import client_as  # noqa: F401  (signed-in page clients for the sales pages)


@dataclass
class World:
    company: Any
    contact: Any
    person: Any
    seller: Any
    other_seller: Any
    admin: Any
    pipeline: Any
    stages: list[Any]


@pytest.fixture
def world(make_user: Callable[..., Any]) -> World:
    from kundebase.parties import services as parties
    from kundebase.sales.services import default_pipeline

    company = parties.create_company(data={"legal_name": "Fjordkraft Handel AS"})
    contact = parties.create_person(data={"given_name": "Siri", "family_name": "Kontakt"})
    parties.add_role(person_id=contact.pk, company_id=company.pk, data={"position": "Buyer"})
    person = parties.create_person(data={"given_name": "Per", "family_name": "Privat"})
    pipeline = default_pipeline()
    return World(company=company, contact=contact, person=person, seller=make_user("selma", "sales"),
                 other_seller=make_user("sigurd", "sales"), admin=make_user("ada", "administrator"),
                 pipeline=pipeline, stages=list(pipeline.stages.order_by("position")))


def later(days: int = 30) -> str:
    from django.utils import timezone

    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()
