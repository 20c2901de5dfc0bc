"""Change marks for the mirror: which customers, orders and interactions were changed or deleted.

Connected in :meth:`AnalyticsConfig.ready`.  Creations are left to the mirror's id watermark;
writes that bypass model signals (``QuerySet.update``, raw SQL) are caught by the periodic
key reconciliation in :mod:`kundebase.analytics.engine`.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save


def _mark(table: str, row_id: int | None) -> None:
    from kundebase.analytics.models import ChangeMark

    if row_id is not None:
        ChangeMark.objects.create(table=table, row_id=row_id)


def _order_saved(sender: Any, instance: Any, created: bool = False, **kw: Any) -> None:
    from kundebase.analytics import rfm_lookup

    rfm_lookup.forget()  # RFM boundaries held by this process may have moved
    if not created:
        _mark("orders", instance.pk)


def _order_deleted(sender: Any, instance: Any, **kw: Any) -> None:
    from kundebase.analytics import rfm_lookup

    rfm_lookup.forget()
    _mark("orders", instance.pk)


def _interaction_saved(sender: Any, instance: Any, created: bool = False, **kw: Any) -> None:
    if not created:
        _mark("interactions", instance.pk)


def _interaction_deleted(sender: Any, instance: Any, **kw: Any) -> None:
    _mark("interactions", instance.pk)


def _party_changed(sender: Any, instance: Any, created: bool = False, **kw: Any) -> None:
    # A customer's row also holds its person data and primary address, so those mark the party too.
    party_id = getattr(instance, "party_id", None) or getattr(instance, "pk", None)
    if not (created and sender.__name__ in {"Party", "Person", "Company"}):
        _mark("customers", party_id)


def connect() -> None:
    from kundebase.interactions.models import Interaction
    from kundebase.orders.models import Order
    from kundebase.parties.models import Address, Company, Party, Person

    post_save.connect(_order_saved, sender=Order, dispatch_uid="analytics_order_saved")
    post_delete.connect(_order_deleted, sender=Order, dispatch_uid="analytics_order_deleted")
    post_save.connect(_interaction_saved, sender=Interaction, dispatch_uid="analytics_interaction_saved")
    post_delete.connect(_interaction_deleted, sender=Interaction, dispatch_uid="analytics_interaction_deleted")
    for model in (Party, Person, Company, Address):
        post_save.connect(_party_changed, sender=model, dispatch_uid=f"analytics_{model.__name__}_saved")
        post_delete.connect(_party_changed, sender=model, dispatch_uid=f"analytics_{model.__name__}_deleted")
