"""Logging contacts on the timeline and keeping follow-ups."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kundebase.core import audit
from kundebase.core.custom_fields import clean_values
from kundebase.core.errors import ErrorCollector, NotFound
from kundebase.core.field_values import date_value, datetime_value
from kundebase.interactions.models import Interaction
from kundebase.parties.models import Party, Person

text_screens: list[Any] = []
"""Callables ``(fields: dict[str, str], errors, data) -> None`` run on free text before it is stored (privacy)."""

MAX_BODY = 100_000





_CHOICES = {"kind": frozenset(Interaction.Kind.values), "direction": frozenset(Interaction.Direction.values),
            "channel": frozenset(Interaction.Channel.values)}
"""Django computes an enum's ``values`` afresh on every read: once here, not once per interaction."""


def clean(data: dict[str, Any], errors: ErrorCollector, *, partial: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, choices in (("kind", Interaction.Kind), ("direction", Interaction.Direction),
                         ("channel", Interaction.Channel)):
        if key in data or not partial:
            value = data.get(key)
            if value in (None, "") and key != "kind":
                value = {"direction": "in", "channel": "other"}[key]
            if value not in _CHOICES[key]:
                errors.add(key, _("%(v)s is not one of: %(c)s") % {"v": value, "c": ", ".join(choices.values)},
                           "invalid_choice")
            out[key] = value
    for key, limit in (("subject", 300), ("outcome", 300), ("body", MAX_BODY), ("source", 120)):
        if key in data or not partial:
            value = str(data.get(key) or "")
            if len(value) > limit:
                errors.add(key, _("At most %(n)d characters (got %(m)d)") % {"n": limit, "m": len(value)}, "too_long")
            if "\x00" in value:
                errors.add(key, _("Contains a NUL character"))
            out[key] = value
    if "occurred_at" in data or not partial:
        moment = datetime_value(data.get("occurred_at"), "occurred_at", errors) or timezone.now()
        if moment > timezone.now() + dt.timedelta(days=1):
            errors.add("occurred_at", _("The time is in the future"), "future_date")
        out["occurred_at"] = moment
    if "follow_up_on" in data:
        out["follow_up_on"] = date_value(data.get("follow_up_on"), "follow_up_on", errors)
    if data.get("contact_person_id") is not None:
        if not Person.objects.filter(pk=data["contact_person_id"]).exists():
            errors.add("contact_person_id", _("Person %(id)s does not exist") % {"id": data["contact_person_id"]},
                       "not_found")
        out["contact_person_id"] = data["contact_person_id"]
    return out


def build_interaction(*, party_id: int, data: dict[str, Any], actor: object = None,
                      source_record_id: str = "") -> tuple[Interaction, list[str]]:
    """The interaction, validated (the privacy text screens included) but not saved, and the fields given.

    What :func:`log_interaction` stores one at a time.  ``ValidationFailed`` when the data is wrong.
    """
    values, fields = interaction_values(party_id=party_id, data=data, actor=actor, source_record_id=source_record_id)
    return Interaction(**values), fields


def interaction_values(*, party_id: int, data: dict[str, Any], actor: object = None,
                       source_record_id: str = "") -> tuple[dict[str, Any], list[str]]:
    """The interaction's validated values (field name → value, the privacy text screens applied) and the fields
    given: what :func:`build_interaction` makes its instance of, and what a batch of tracking events inserts as
    rows (an instance per page view costs more than the checks).  ``ValidationFailed`` when the data is wrong.
    """
    errors = ErrorCollector()
    cleaned = clean(data, errors)
    custom = clean_values("interaction", data.get("custom_fields"), errors, context=data)
    for screen in text_screens:
        screen({"subject": cleaned.get("subject", ""), "body": cleaned.get("body", ""),
                "outcome": cleaned.get("outcome", "")}, errors, data)
    errors.raise_if_any()
    handled_by = actor if isinstance(actor, User) and actor.pk else None  # a signed-in person, not a system actor
    values = {"party_id": party_id, "handled_by": handled_by, "custom_fields": custom,
              "source_record_id": source_record_id[:200], **cleaned}
    return values, sorted(k for k, v in cleaned.items() if v)


@transaction.atomic
def log_interaction(*, party_id: int, data: dict[str, Any], actor: object = None, channel: str = "api",
                    source_record_id: str = "") -> Interaction:
    from kundebase.parties.services import refuse_erased

    if not Party.objects.filter(pk=party_id).exists():
        raise NotFound(_("Customer"), party_id)
    refuse_erased(party_id)
    interaction, fields = build_interaction(party_id=party_id, data=data, actor=actor,
                                            source_record_id=source_record_id)
    interaction.save(force_insert=True)
    audit.record(action="create", actor=actor, entity="interaction", record_id=interaction.pk, party_id=party_id,
                 channel=channel, fields=fields)
    return interaction


@transaction.atomic
def update_interaction(*, interaction_id: int, changes: dict[str, Any], actor: object = None,
                       channel: str = "api") -> Interaction:
    interaction = Interaction.objects.filter(pk=interaction_id).first()
    if interaction is None:
        raise NotFound(_("Interaction"), interaction_id)
    errors = ErrorCollector()
    cleaned = clean(changes, errors, partial=True)
    if changes.get("follow_up_done") is not None:
        cleaned["follow_up_done_at"] = timezone.now() if changes["follow_up_done"] else None
    for screen in text_screens:
        texts = {k: cleaned[k] for k in ("subject", "body", "outcome") if k in cleaned}
        if texts:
            screen(texts, errors, changes)
    errors.raise_if_any()
    for key, value in cleaned.items():
        setattr(interaction, key, value)
    interaction.save()
    audit.record(action="change", actor=actor, entity="interaction", record_id=interaction.pk,
                 party_id=interaction.party_id, channel=channel, fields=sorted(cleaned))
    return interaction


@transaction.atomic
def delete_interaction(*, interaction_id: int, actor: object = None, channel: str = "api") -> None:
    interaction = Interaction.objects.filter(pk=interaction_id).first()
    if interaction is None:
        raise NotFound(_("Interaction"), interaction_id)
    interaction.delete()
    audit.record(action="delete", actor=actor, entity="interaction", record_id=interaction_id,
                 party_id=interaction.party_id, channel=channel)


def open_follow_ups(*, user: User | None = None, due_by: dt.date | None = None) -> Any:
    qs = Interaction.objects.filter(follow_up_on__isnull=False, follow_up_done_at__isnull=True)
    if user is not None:
        qs = qs.filter(handled_by=user)
    if due_by is not None:
        qs = qs.filter(follow_up_on__lte=due_by)
    return qs.select_related("party").order_by("follow_up_on", "id")


def clear_bodies(*, interaction_ids: list[int]) -> int:
    """Empty the text of these timeline entries, keeping their kind, subject and date: the source they copied
    (an e-mail) reached the end of its retention period.  Call inside the caller's transaction, which records
    the audit entry for the batch; returns how many entries were changed."""
    return Interaction.objects.filter(pk__in=interaction_ids).exclude(body="").update(body="")
