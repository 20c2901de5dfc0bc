"""The marketing work that runs in the background: sending a prepared campaign.

A django-tasks task, queued in the database when "send" is pressed and run by the worker (``kundebase worker``,
started by ``kundebase serve``). The campaign's rows carry its state (the recipients still pending, the counts
its page shows as progress), so a send that is interrupted and run again sends each message once.
"""

from __future__ import annotations

import logging

from django_tasks import task

from kundebase.marketing import campaigns

log = logging.getLogger(__name__)


@task()
def send_campaign(campaign_id: int) -> None:
    """Send every pending message of the campaign; a failure is stored on the campaign row for its page."""
    try:
        campaigns.run_campaign(campaign_id=campaign_id)
    except Exception:  # stored on the campaign as FAILED by run_campaign
        log.exception("campaign %s stopped", campaign_id)


def start_sending(campaign_id: int) -> None:
    """Queue the prepared campaign for the worker."""
    send_campaign.enqueue(campaign_id)
