"""Erasure (Art. 17) and restriction (Art. 18), field by field as ``declarations`` says.

An erased person's row stays as an anonymous tombstone because orders point at it: bookkeeping law keeps the
orders (anonymised, so revenue reports still add up), and the tombstone owns them.  Everything that
identifies the person is emptied or masked; contact points, addresses and roles are deleted; interaction
texts are deleted; provenance and consent rows about them are deleted; keyed hashes of their e-mails, phones
and name + birth date are kept so an import cannot bring them back.  Each request is one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models as djm
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kundebase.core import audit
from kundebase.core.errors import Conflict, NotFound
from kundebase.core.models import Observation
from kundebase.parties.services import lifecycle
from kundebase.privacy import suppression
from kundebase.privacy.declarations import DELETE, MASK, for_model
from kundebase.privacy.models import ConsentEvent, DataSubjectRequest, RegisterMatch
from kundebase.privacy.requests import close_request, open_request

ERASED_NAME = "—"

on_erase: list[Callable[..., int]] = []
"""Other apps' clean-up inside the erasure transaction: ``fn(*, party_id: int) -> int`` deletes or anonymises
what that app holds about the person (segment memberships, campaign recipients, import staging rows …) and
returns how many rows it touched.  Register from ``AppConfig.ready``."""


def _field(model: type[djm.Model], name: str) -> djm.Field[Any, Any]:
    """A declared field of ``model``; a declaration names a stored field, never a reverse relation."""
    field = model._meta.get_field(name)
    if not isinstance(field, djm.Field):
        raise TypeError(f"{model.__name__}.{name} is a reverse relation, not a stored field")
    return field


def _empty(field: djm.Field[Any, Any]) -> Any:
    if isinstance(field, djm.JSONField):
        return {} if field.default is dict else []
    if field.null:
        return None
    return ""


def _masked(model_field: djm.Field[Any, Any], pk: int) -> Any:
    if model_field.name == "customer_number":
        return f"ERASED-{pk}"
    return ERASED_NAME


def _apply_declarations(obj: djm.Model, labels: tuple[str, ...]) -> list[str]:
    """Empty or mask every declared field of ``obj``; returns the field keys touched (for the audit log)."""
    touched = []
    for label in labels:
        for decl in for_model(label):
            if decl.erasure not in (DELETE, MASK):
                continue
            field = obj._meta.get_field(decl.field)
            if not isinstance(field, djm.Field) or (field.is_relation and not field.many_to_one):
                continue
            name = field.attname
            value = _masked(field, obj.pk) if decl.erasure == MASK else _empty(field)
            if getattr(obj, name) != value:
                setattr(obj, name, value)
                touched.append(decl.key)
    return touched


def _erase_one(person: Any, now: Any) -> dict[str, int]:
    from kundebase.interactions.models import Interaction
    from kundebase.orders.models import Order, ProductInterest
    from kundebase.parties.models import ContactPoint

    cps = list(ContactPoint.objects.filter(party_id=person.pk).values("kind", "normalised", "value"))
    hashes = suppression.identity_hashes(
        fields={"given_name": person.given_name, "family_name": person.family_name, "birth_date": person.birth_date},
        contact_points=cps)
    counts = {"suppression_hashes": suppression.suppress(hashes, f"erasure of customer {person.pk}")}
    counts.update(lifecycle.remove_identity_rows(person.pk))
    interaction_fields = {_field(Interaction, d.field).attname: _empty(_field(Interaction, d.field))
                          for d in for_model("interactions.Interaction") if d.erasure == DELETE}
    counts["interactions"] = Interaction.objects.filter(party_id=person.pk).update(**interaction_fields)
    Interaction.objects.filter(contact_person_id=person.pk).update(contact_person=None)
    order_fields = {_field(Order, d.field).attname: _empty(_field(Order, d.field))
                    for d in for_model("orders.Order") if d.erasure == DELETE}
    counts["orders_anonymised"] = Order.objects.filter(party_id=person.pk).update(anonymised_at=now, **order_fields)
    counts["observations"] = Observation.objects.filter(entity__in=("person", "party"), record_id=person.pk).delete()[0]
    counts["consent_events"] = ConsentEvent.objects.filter(party_id=person.pk).delete()[0]
    counts["product_interests"] = ProductInterest.objects.filter(party_id=person.pk).delete()[0]
    for fn in on_erase:
        key = f"other:{getattr(fn, '__module__', 'app')}"
        counts[key] = counts.get(key, 0) + int(fn(party_id=person.pk) or 0)
    RegisterMatch.objects.filter(party_id=person.pk).delete()
    touched = _apply_declarations(person, ("parties.Party", "parties.Person"))
    lifecycle.store_tombstone(person, now)
    counts["fields"] = len(touched)
    return counts


@transaction.atomic
def erase(*, party_id: int, actor: object = None, channel: str = "api", requested_by: str = "") -> DataSubjectRequest:
    """Erase a person (and the records merged into them) in one transaction; returns the closed request."""
    from kundebase.parties.models import Person

    person = Person.objects.select_for_update().filter(pk=party_id).first()
    if person is None:
        raise NotFound(_("Person"), party_id)
    if person.erased_at is not None:
        raise Conflict(_("Person %(id)s was already erased") % {"id": party_id}, code="already_erased")
    request = open_request(kind=DataSubjectRequest.Kind.ERASURE, party_id=party_id, actor=actor,
                           requested_by=requested_by)
    now = timezone.now()
    totals: dict[str, int] = {}
    targets = [person, *Person.objects.filter(merged_into_id=party_id, erased_at__isnull=True)]
    for target in targets:
        for key, value in _erase_one(target, now).items():
            totals[key] = totals.get(key, 0) + value
        audit.record(action="erase", actor=actor, entity="person", record_id=target.pk, party_id=target.pk,
                     channel=channel, fields=sorted(totals), note=f"data subject request {request.pk}")
    close_request(request, ", ".join(f"{k}: {v}" for k, v in sorted(totals.items())))
    return request


@transaction.atomic
def restrict(*, party_id: int, actor: object = None, channel: str = "api", lift: bool = False,
             requested_by: str = "") -> DataSubjectRequest:
    """Freeze (or unfreeze) processing: nothing is deleted, but services refuse changes and marketing skips them."""
    from kundebase.parties.models import Party

    party = Party.objects.select_for_update().filter(pk=party_id).first()
    if party is None:
        raise NotFound(_("Customer"), party_id)
    if party.erased_at is not None:
        raise Conflict(_("Customer %(id)s was erased") % {"id": party_id}, code="already_erased")
    if bool(party.restricted_at) != lift:
        state = _("restricted") if not lift else _("not restricted")
        raise Conflict(_("Customer %(id)s is already %(state)s") % {"id": party_id, "state": state},
                       code="no_change")
    request = open_request(kind=DataSubjectRequest.Kind.RESTRICTION, party_id=party_id, actor=actor,
                           requested_by=requested_by)
    lifecycle.set_restricted(party_id, not lift)
    audit.record(action="restrict", actor=actor, entity=party.kind, record_id=party_id, party_id=party_id,
                 channel=channel, fields=["restricted_at"], note="lifted" if lift else "restricted")
    close_request(request, "restriction lifted" if lift else "processing restricted")
    return request
