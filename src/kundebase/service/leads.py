"""Senders who match no customer: proposed, and made customers only when a person accepts."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from kundebase.core.errors import Conflict, NotFound
from kundebase.service.models import Case, LeadProposal, MailMessage


@transaction.atomic
def accept(*, proposal_id: int, actor: object = None, channel: str = "web") -> int:
    """Create the person (through the register's services), then give them the sender's messages and cases."""
    from kundebase.parties import services as parties
    from kundebase.service.intake import CUSTOMER_WROTE

    proposal = LeadProposal.objects.select_for_update().filter(pk=proposal_id).first()
    if proposal is None:
        raise NotFound(_("Proposed lead"), proposal_id)
    if proposal.status != LeadProposal.Status.OPEN:
        raise Conflict(_("This proposal was already handled"), code="already_handled")
    given, _sep, family = (proposal.name or proposal.address.split("@")[0]).partition(" ")
    person = parties.create_person(data={"given_name": given or proposal.address, "family_name": family},
                                   contact_points=[{"kind": "email", "value": proposal.address}],
                                   actor=actor, channel=channel)
    from kundebase.interactions.services import log_interaction

    for message in MailMessage.objects.filter(party__isnull=True, from_address=proposal.address):
        message.party_id = person.pk
        message.interaction = log_interaction(party_id=person.pk, channel=channel, data={
            "kind": "email", "direction": "in", "channel": "email", "subject": message.subject,
            "body": message.text_body, "occurred_at": message.sent_at, "source": "mail",
            "confirm_special_category_reason": CUSTOMER_WROTE}, source_record_id=message.message_id)
        message.save(update_fields=["party", "interaction"])
        if message.case_id:
            Case.objects.filter(pk=message.case_id, party__isnull=True).update(party_id=person.pk)
    proposal.status = LeadProposal.Status.ACCEPTED
    proposal.party_id = person.pk
    proposal.save()
    return int(person.pk)


def dismiss(*, proposal_id: int) -> None:
    updated = LeadProposal.objects.filter(pk=proposal_id, status=LeadProposal.Status.OPEN).update(
        status=LeadProposal.Status.DISMISSED)
    if not updated:
        raise NotFound(_("Proposed lead"), proposal_id)
