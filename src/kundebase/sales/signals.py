"""A logged contact with a "follow up on" date becomes a task for whoever handled it (and stays in step)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from kundebase.interactions.models import Interaction


@receiver(post_save, sender=Interaction, dispatch_uid="sales-follow-up-task")
def follow_up_task(sender: type, instance: Interaction, raw: bool = False, **_kwargs: Any) -> None:
    if raw or instance.follow_up_on is None:  # no follow-up: nothing to keep in step, and no query
        return
    from kundebase.sales.services import task_from_follow_up

    task_from_follow_up(instance)
