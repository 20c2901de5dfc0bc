"""Pressing "send" queues the campaign as background work: at once in the tests' immediate mode, and in the
database for ``kundebase worker`` otherwise, with the campaign's progress on its page while it sends."""

from __future__ import annotations

import pytest

from kundebase.marketing.models import Campaign
from tests.core.test_tasks import DATABASE, start_worker, stop, wait
from tests.marketing.test_campaigns import _campaign, _people


@pytest.mark.django_db
def test_send_runs_the_campaign_when_tasks_run_at_once(api, smtp, purposes) -> None:
    _people()
    campaign = _campaign()
    response = api.post(f"/api/v1/campaigns/{campaign.pk}/send", {})
    assert response.status_code == 202, response.content
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DONE and len(smtp.messages) == 3  # the bounced address is refused


@pytest.mark.slow
def test_send_waits_in_the_queue_until_a_worker_sends_it(api, smtp, purposes, transactional_db, settings,
                                                         tmp_path) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE
    _people()
    campaign = _campaign()
    assert api.post(f"/api/v1/campaigns/{campaign.pk}/send", {}).status_code == 202
    assert api.get(f"/api/v1/campaigns/{campaign.pk}").json()["status"] == "queued" and not smtp.messages
    assert DBTaskResult.objects.get().task_path == "kundebase.marketing.tasks.send_campaign"

    worker = start_worker(tmp_path, KUNDEBASE_SMTP_URL=settings.KUNDEBASE_SMTP_URL)
    try:
        assert wait(lambda: api.get(f"/api/v1/campaigns/{campaign.pk}").json()["status"] == "done")
    finally:
        stop(worker)
    assert len(smtp.messages) == 3  # the bounced address is refused
