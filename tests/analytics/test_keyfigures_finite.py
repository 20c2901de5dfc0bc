"""Key figures are always finite numbers or null: a fitted model that cannot predict a customer (every order
placed in the same instant) gives null, never NaN, which JSON and PostgreSQL's jsonb refuse."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def test_a_shop_whose_orders_all_came_at_once_gets_finite_key_figures(settings: Any, tmp_path: Any) -> None:
    from django.utils import timezone

    from kundebase.analytics import keyfigures
    from kundebase.orders.services import create_order
    from kundebase.parties.services import create_person

    settings.KUNDEBASE_DATA_DIR = tmp_path
    now = timezone.now()
    people = []
    for n in range(keyfigures.MIN_CUSTOMERS_FOR_MODEL + 5):  # enough buyers for the model to be fitted
        person = create_person(data={"given_name": f"N{n}", "family_name": "Now"})
        for _ in range(n % 3 + 1):  # and some bought again in the same instant
            create_order(party_id=person.pk, data={"ordered_at": now}, lines=[{"revenue": "199", "cost": "99"}])
        people.append(person)
    for person in people[:6]:
        figures = keyfigures.key_figures(person.pk)
        json.dumps(figures, allow_nan=False)  # raises on NaN or infinity
        for key in ("predicted_value_12m", "expected_orders_12m", "p_alive", "churn_risk"):
            assert figures[key] is None or math.isfinite(figures[key]), (key, figures[key])
