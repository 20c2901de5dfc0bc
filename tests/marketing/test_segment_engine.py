"""Live counts on the analytics mirror: the same number as the operational database, or no answer at all."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from kundebase.marketing import segment_engine, segments
from tests.marketing.dataset import build
from tests.marketing.test_segment_language import _cases

pytestmark = pytest.mark.django_db

REVENUE = {"attr": "orders.revenue", "op": "gte", "value": 1000, "window": {"days": 365}}


@pytest.fixture
def mirror_dir(settings: Any, tmp_path: Any) -> Any:
    """A mirror file of its own: the operational data is rolled back between tests, a mirror file is not."""
    settings.KUNDEBASE_DATA_DIR = tmp_path
    return tmp_path


def _load_mirror() -> None:
    from kundebase.analytics import engine

    engine.refresh()


def test_every_case_counts_the_same_on_the_mirror_and_the_database(mirror_dir: Any, backend: str) -> None:
    world = build()
    _load_mirror()
    on_mirror, differ = [], []
    for rule, _predicate in _cases(world):
        operational = segments.counted(rule=rule, analytics=False)
        routed = segments.counted(rule=rule)
        assert operational.engine == backend
        if routed.count != operational.count:
            differ.append(f"{rule}: mirror {routed.count}, {backend} {operational.count}")
        if routed.engine == "analytics":
            on_mirror.append(rule)
    assert not differ, "\n".join(differ)
    attrs = {r.get("attr") for r in on_mirror}
    # what the mirror holds is answered there; the rest falls back, and nothing is missed
    assert {"kind", "status", "gender", "age", "birthday", "orders.count", "orders.revenue", "orders.margin",
            "orders.days_since_last", "orders.days_since_first", "interactions.count",
            "interactions.days_since_last"} <= attrs
    assert not attrs & {"region", "postcode", "consent", "language", "orders.category", "company.industry",
                        "loyalty.tier", "campaign", "custom.shoe_size"}
    assert len(on_mirror) >= 40


def test_combined_order_conditions_share_one_scan_and_agree(mirror_dir: Any) -> None:
    build()
    _load_mirror()
    rules = [
        {"and": [REVENUE, {"attr": "orders.days_since_last", "op": "gte", "value": 30}]},
        {"or": [{"and": [{"attr": "orders.count", "op": "gte", "value": 2, "window": {"days": 730}},
                         {"attr": "orders.margin", "op": "lt", "value": 0, "window": {"days": 730}}]},
                {"attr": "interactions.count", "op": "gte", "value": 2, "channel": "phone", "window": {"days": 90}}]},
        {"not": {"or": [REVENUE, {"attr": "orders.count", "op": "eq", "value": 0}]}},
        {"and": [{"attr": "orders.count", "op": "gte", "value": 1, "category": ["outdoor"]}, REVENUE]},
    ]
    from kundebase.core.dialect import for_connection
    from kundebase.marketing.segment_language import count_sql

    sql, _params = count_sql(rules[1], for_connection())
    assert sql.count("FROM orders_order") == 1 and "p.id IN" not in sql
    for rule in rules:
        assert segments.counted(rule=rule).count == segments.counted(rule=rule, analytics=False).count, rule


def test_no_mirror_stale_mirror_or_unmirrored_table_means_the_database(mirror_dir: Any, monkeypatch: Any,
                                                                       backend: str) -> None:
    from kundebase.analytics import engine

    build(persons=8, companies=1)
    assert segments.counted(rule=REVENUE).engine == backend  # never loaded: a live count does not load it
    assert not engine.mirror_path().exists()
    _load_mirror()
    assert segments.counted(rule=REVENUE).engine == "analytics"
    assert segments.counted(rule={"attr": "city", "op": "eq", "value": "Oslo"}).engine == backend
    monkeypatch.setattr(segment_engine, "FRESH_ENOUGH", -1.0)
    assert segments.counted(rule=REVENUE).engine == backend
    monkeypatch.setattr("django.conf.settings.INSTALLED_APPS",
                        [a for a in __import__("django.conf").conf.settings.INSTALLED_APPS
                         if a != "kundebase.analytics"])
    assert not segment_engine.enabled()


def test_a_new_order_is_counted_on_the_mirror_at_once(mirror_dir: Any, monkeypatch: Any) -> None:
    from kundebase.analytics import engine
    from kundebase.orders import services as orders

    world = build(persons=8, companies=1)
    _load_mirror()
    rule = {"attr": "orders.revenue", "op": "gte", "value": 100000}
    assert segments.counted(rule=rule) == segments.Counted(0, "analytics")
    monkeypatch.setattr(engine, "MAX_STALENESS", 3600.0)  # not by age: the new row itself makes it refresh
    orders.create_order(party_id=next(iter(world.facts)), data={"ordered_at": timezone.now()},
                        lines=[{"sku": "P-hiking", "revenue": "150000", "cost": "1"}])
    assert segments.counted(rule=rule) == segments.Counted(1, "analytics")
    assert segments.counted(rule=rule, analytics=False).count == 1


def test_saved_dynamic_segment_counts_on_the_mirror_static_from_its_snapshot(mirror_dir: Any) -> None:
    build(persons=10, companies=2)
    _load_mirror()
    dynamic = segments.create_segment(data={"name": "Buyers", "rule": REVENUE})
    static = segments.create_segment(data={"name": "Frozen", "kind": "static", "rule": REVENUE})
    assert segments.segment_count(dynamic) == segments.segment_count(static) == \
        segments.counted(rule=REVENUE, analytics=False).count
