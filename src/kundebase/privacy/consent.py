"""The consent ledger: append entries, derive the current state.

The state of (person, purpose, channel) is the status of the latest entry
whose validity window covers now; with no entry it is "none".  Nothing here
ever updates or deletes a ledger row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kundebase.core import audit
from kundebase.core.errors import ErrorCollector, NotFound
from kundebase.core.models import LegalBasis
from kundebase.parties.models import Party
from kundebase.privacy.models import Channel, ConsentEvent, ConsentStatus, Purpose

NONE = "none"


def _valid_now(now: dt.datetime) -> Q:
    started = Q(valid_from__isnull=True) | Q(valid_from__lte=now)
    return started & (Q(valid_until__isnull=True) | Q(valid_until__gt=now))


def current_state(party_id: int, *, at: dt.datetime | None = None) -> dict[tuple[str, str], str]:
    """``{(purpose_key, channel): status}`` for every pair the person has entries for."""
    now = at or timezone.now()
    state: dict[tuple[str, str], str] = {}
    rows = (ConsentEvent.objects.filter(party_id=party_id, captured_at__lte=now).filter(_valid_now(now))
            .order_by("captured_at", "id").values_list("purpose__key", "channel", "status"))
    for purpose, channel, status in rows:
        state[(purpose, channel)] = status
    return state


def has_consent(party_id: int, purpose: str, channel: str, *, at: dt.datetime | None = None) -> bool:
    return current_state(party_id, at=at).get((purpose, channel), NONE) == ConsentStatus.GRANTED


@transaction.atomic
def record(*, party_id: int, purpose: str, channel: str, status: str, legal_basis: str = "consent",
           source: str = "api", explanation: str = "", source_detail: str = "", notice_version: str = "",
           captured_at: dt.datetime | None = None, double_opt_in_at: dt.datetime | None = None,
           valid_from: dt.datetime | None = None, valid_until: dt.datetime | None = None,
           actor: object = None, channel_of_request: str = "api") -> ConsentEvent:
    """Append one ledger entry; a withdrawal takes effect at once because the state is always derived."""
    captured_at, double_opt_in_at, valid_from, valid_until = (
        timezone.make_aware(m) if m is not None and timezone.is_naive(m) else m
        for m in (captured_at, double_opt_in_at, valid_from, valid_until))
    errors = ErrorCollector()
    if not Party.objects.filter(pk=party_id).exists():
        raise NotFound(_("Customer"), party_id)
    from kundebase.parties.services import refuse_erased

    refuse_erased(party_id)
    found = Purpose.objects.filter(key=purpose).first() if purpose else None
    if not purpose:
        errors.add("purpose", _("A consent needs a purpose"), "required")
    elif found is None:
        errors.add("purpose", _("No purpose %(p)s is defined") % {"p": purpose}, "not_found")
    if channel not in Channel.values:
        errors.add("channel", _("Must be one of %(c)s") % {"c": ", ".join(Channel.values)}, "invalid_choice")
    if status not in ConsentStatus.values:
        errors.add("status", _("Must be one of %(c)s") % {"c": ", ".join(ConsentStatus.values)}, "invalid_choice")
    if source not in ConsentEvent.Source.values:
        errors.add("source", _("Must be one of %(c)s") % {"c": ", ".join(ConsentEvent.Source.values)})
    if valid_from and valid_until and valid_until <= valid_from:
        errors.add("valid_until", _("The validity ends before it starts"))
    if legal_basis not in LegalBasis.values:
        errors.add("legal_basis", _("Must be one of %(c)s") % {"c": ", ".join(LegalBasis.values)}, "invalid_choice")
    latest_allowed = timezone.now() + dt.timedelta(minutes=5)
    for name, moment in (("captured_at", captured_at), ("double_opt_in_at", double_opt_in_at)):
        if moment is not None and moment > latest_allowed:
            errors.add(name, _("The time is in the future"), "future_date")
    errors.raise_if_any()
    assert found is not None  # a missing or unknown purpose was reported just above
    event = ConsentEvent.objects.create(
        party_id=party_id, purpose=found, channel=channel, status=status, legal_basis=legal_basis[:30],
        explanation=explanation, source=source, source_detail=source_detail[:200],
        captured_at=captured_at or timezone.now(), notice_version=notice_version[:60],
        double_opt_in_at=double_opt_in_at, valid_from=valid_from, valid_until=valid_until,
        recorded_by=(getattr(actor, "username", "") or "")[:150],
    )
    audit.record(action="change", actor=actor, entity="consent", record_id=event.pk, party_id=party_id,
                 channel=channel_of_request, fields=[f"consent.{purpose}.{channel}"], note=status)
    return event


def parties_with_consent(purpose: str, channel: str, party_ids: Iterable[int] | None = None) -> Any:
    """A queryset of party ids whose current state for (purpose, channel) is granted (for SQL subqueries)."""
    from django.db.models import OuterRef, Subquery

    now = timezone.now()
    latest = (ConsentEvent.objects.filter(party_id=OuterRef("pk"), purpose__key=purpose, channel=channel,
                                          captured_at__lte=now).filter(_valid_now(now))
              .order_by("-captured_at", "-id").values("status")[:1])
    qs = Party.objects.annotate(consent_status=Subquery(latest)).filter(consent_status=ConsentStatus.GRANTED)
    if party_ids is not None:
        qs = qs.filter(pk__in=list(party_ids))
    return qs.values_list("pk", flat=True)


def ledger(party_id: int) -> Any:
    """The person's ledger entries, oldest first (for the API, the UI and the access report)."""
    return ConsentEvent.objects.filter(party_id=party_id).select_related("purpose").order_by("captured_at", "id")


REFUSED = (ConsentStatus.WITHDRAWN, ConsentStatus.DENIED)


def states_before_merge(survivor_id: int, merged_id: int) -> dict[int, dict[tuple[str, str], str]]:
    """Both records' consent states, taken before a merge moves the merged record's ledger to the survivor."""
    return {pid: current_state(pid) for pid in (survivor_id, merged_id)}


def reconcile_merge(*, survivor_id: int, before: dict[int, dict[tuple[str, str], str]], actor: object = None
                    ) -> list[tuple[str, str, str]]:
    """A refusal or withdrawal on either record wins on the survivor, so a merge never resurrects a consent.

    Appends a withdrawal (source ``merge``) wherever either record had refused and the survivor's state is not a
    refusal now.  Returns ``(purpose, channel, survivor's status before)`` per entry written, which an unmerge
    hands to :func:`restore_after_unmerge`.
    """
    now_state = current_state(survivor_id)
    written = []
    keys = set().union(*(state.keys() for state in before.values()))
    for purpose, channel in sorted(keys):
        refused = [state.get((purpose, channel)) for state in before.values()
                   if state.get((purpose, channel)) in REFUSED]
        if refused and now_state.get((purpose, channel)) not in REFUSED:
            record(party_id=survivor_id, purpose=purpose, channel=channel, status=ConsentStatus.WITHDRAWN,
                   source="merge", explanation="Merged with a record on which this was withdrawn",
                   actor=actor, channel_of_request="merge")
            written.append((purpose, channel, before.get(survivor_id, {}).get((purpose, channel), NONE)))
    return written


def restore_after_unmerge(*, survivor_id: int, written: list[Any], actor: object = None) -> None:
    """After an unmerge, give the survivor back the state it had where only the merge had withdrawn.

    The ledger is append-only, so this appends the earlier status again.  Where the survivor had no
    entry at all ("none"), the withdrawal stays: the ledger cannot say "none", and refusing is the safe side.
    """
    for purpose, channel, status in written:
        if status in ConsentStatus.values:
            record(party_id=survivor_id, purpose=purpose, channel=channel, status=status, source="merge",
                   explanation="Merge undone: the withdrawal belonged to the other record",
                   actor=actor, channel_of_request="merge")


def reconcile_after_merge(*, survivor_id: int, merged_id: int, actor: object = None) -> None:
    """Reconcile two records that are being merged, before their ledgers are combined."""
    reconcile_merge(survivor_id=survivor_id, before=states_before_merge(survivor_id, merged_id), actor=actor)
