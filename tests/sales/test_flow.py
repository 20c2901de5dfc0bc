"""Stage conversion and velocity on fixed stage histories."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kundebase.sales import services
from kundebase.sales.models import StageChange

pytestmark = pytest.mark.django_db


def test_conversion_and_days_per_stage(world, api):
    lead, qualified, proposal, _negotiation = world.stages
    t0 = timezone.now() - dt.timedelta(days=30)
    a = services.create_deal(data={"title": "A", "party_id": world.person.pk}, actor=world.admin)
    b = services.create_deal(data={"title": "B", "party_id": world.person.pk}, actor=world.admin)
    c = services.create_deal(data={"title": "C", "party_id": world.person.pk}, actor=world.admin)
    services.move_deal(deal_id=a.pk, stage_id=qualified.pk, actor=world.admin)
    services.move_deal(deal_id=a.pk, stage_id=proposal.pk, actor=world.admin)
    services.move_deal(deal_id=b.pk, stage_id=qualified.pk, actor=world.admin)
    services.lose_deal(deal_id=b.pk, reason="price", actor=world.admin)
    # Fix the times: each deal's rows 0, 1, 2 … happen at t0 + 0, 4, 10 days (C only entered Lead).
    for deal in (a, b, c):
        for row, offset in zip(deal.stage_changes.order_by("id"), (0, 4, 10), strict=False):
            StageChange.objects.filter(pk=row.pk).update(changed_at=t0 + dt.timedelta(days=offset))
    flow = {f["stage_id"]: f for f in api.get(f"/api/v1/pipelines/{world.pipeline.pk}/flow").json()}
    assert (flow[lead.pk]["entered"], flow[lead.pk]["moved_on"], flow[lead.pk]["conversion"]) == (3, 2, 0.6667)
    assert flow[lead.pk]["average_days"] == 4.0  # A and B left Lead after 4 days; C is still there
    assert (flow[qualified.pk]["entered"], flow[qualified.pk]["moved_on"]) == (2, 1)  # B was lost from it
    assert flow[qualified.pk]["average_days"] == 6.0
    assert (flow[proposal.pk]["entered"], flow[proposal.pk]["moved_on"], flow[proposal.pk]["average_days"]) == (
        1, 0, None)


def test_conversion_is_counted_in_the_database_not_in_python(world):
    """The history grows with every move of every deal: the report groups it in SQL and fetches one row per
    stage, however many changes there are."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kundebase.sales.flow import stage_flow

    _lead, qualified, proposal, _negotiation = world.stages
    for i in range(5):
        deal = services.create_deal(data={"title": f"D{i}", "party_id": world.person.pk}, actor=world.admin)
        services.move_deal(deal_id=deal.pk, stage_id=qualified.pk, actor=world.admin)
        services.move_deal(deal_id=deal.pk, stage_id=proposal.pk, actor=world.admin)
    with CaptureQueriesContext(connection) as ctx:
        flow = stage_flow(world.pipeline)
    history = [q["sql"] for q in ctx.captured_queries if "sales_stagechange" in q["sql"]]
    assert history and all("GROUP BY" in sql.upper() for sql in history)
    assert [(f.entered, f.moved_on) for f in flow] == [(5, 5), (5, 5), (5, 0), (0, 0)]
