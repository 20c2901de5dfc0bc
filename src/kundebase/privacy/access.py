"""Right of access (Art. 15): everything held about a person, as JSON, a readable HTML report and a PDF.

The report also says why each kind of datum is held (purpose and legal basis from ``declarations``), which
recipients and retention apply, so the person gets what Art. 15(1) lists, not only a data dump.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kundebase.core import audit
from kundebase.core.errors import NotFound
from kundebase.core.languages import language_for
from kundebase.core.models import AuditEntry, CustomFieldDefinition, Observation
from kundebase.privacy.declarations import DECLARATIONS
from kundebase.privacy.models import ConsentEvent, DataSubjectRequest
from kundebase.privacy.requests import close_request, open_request

FORMATS = {"json": "application/json", "html": "text/html; charset=utf-8", "pdf": "application/pdf"}
"""The report's formats and their media types."""

access_sections: list[Callable[..., dict[str, Any]]] = []
"""Other apps' contributions to the access report: ``fn(*, party_id: int) -> {section_name: rows}`` for what
that app holds about the person (segments, campaign messages, loyalty points …); JSON-serialisable values."""


def report_language(preferred: str) -> str:
    """The person's language where we have a catalogue (en, nb, da, de, hu), else English."""
    return language_for(preferred)


def _rows(qs: Any, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    return list(qs.values(*fields))


def collect(party_id: int) -> dict[str, Any]:
    """The data held about one customer (no side effects; ``access_request`` logs it)."""
    from kundebase.interactions.models import Interaction
    from kundebase.orders.models import Order, OrderLine, ProductInterest
    from kundebase.parties.models import Party, Person
    from kundebase.parties.serializers import company_dict, person_dict, with_children

    party = Party.objects.filter(pk=party_id).first()
    if party is None:
        raise NotFound(_("Customer"), party_id)
    if party.kind == Party.Kind.PERSON:
        profile = person_dict(with_children(Person.objects.filter(pk=party_id)).get())
    else:
        from kundebase.parties.models import Company

        profile = company_dict(with_children(Company.objects.filter(pk=party_id)).get())
    profile.pop("age", None)
    contact_points = profile.pop("contact_points", [])
    addresses = profile.pop("addresses", [])
    roles = profile.pop("roles", None) or profile.pop("contacts", [])
    custom = [{"key": d.key, "label": d.label, "value": party.custom_fields.get(d.key), "purpose": d.purpose,
               "legal_basis": d.legal_basis}
              for d in CustomFieldDefinition.objects.filter(entity=party.kind, key__in=list(party.custom_fields))]
    interactions = _rows(Interaction.objects.filter(party_id=party_id).order_by("occurred_at", "id"),
                         ("id", "kind", "direction", "channel", "occurred_at", "subject", "body", "outcome",
                          "handled_by__username", "follow_up_on", "source"))
    orders = []
    for order in Order.objects.filter(party_id=party_id).order_by("ordered_at", "id"):
        lines = _rows(OrderLine.objects.filter(order_id=order.pk).order_by("id"),
                      ("id", "product__sku", "description", "quantity", "revenue", "cost"))
        orders.append({"id": order.pk, "order_number": order.order_number, "ordered_at": order.ordered_at,
                       "channel": order.channel, "source": order.source, "currency": order.currency,
                       "revenue": order.revenue, "lines": lines, "anonymised_at": order.anonymised_at})
    consents = _rows(ConsentEvent.objects.filter(party_id=party_id).order_by("captured_at", "id"),
                     ("purpose__key", "channel", "status", "legal_basis", "explanation", "source", "captured_at",
                      "notice_version", "double_opt_in_at", "valid_from", "valid_until"))
    observations = _rows(Observation.objects.filter(entity__in=(party.kind, "party"), record_id=party_id)
                         .order_by("received_at", "id"), ("field", "value", "source", "received_at", "verified"))
    # An entry for a batch of changes (tracking events) names the customer among its records.
    audit_rows = _rows(AuditEntry.objects.filter(Q(party_id=party_id) | Q(records__party_id=party_id)).distinct()
                       .order_by("id"),
                       ("occurred_at", "actor", "action", "entity", "channel", "fields"))
    requests = _rows(DataSubjectRequest.objects.filter(party_id_at_request=party_id).order_by("received_at"),
                     ("kind", "status", "received_at", "due_at", "completed_at", "outcome"))
    interests = _rows(ProductInterest.objects.filter(party_id=party_id).order_by("id"),
                      ("product__sku", "product__name", "category__name", "source", "accepted", "created_at"))
    extra: dict[str, Any] = {}
    for fn in access_sections:
        extra.update(fn(party_id=party_id))
    purposes = sorted({(d.model.split(".")[1], d.purpose, d.legal_basis) for d in DECLARATIONS.values()
                       if d.category != "other"})
    return {
        "generated_at": timezone.now(),
        "language": report_language(party.preferred_language),
        "customer_id": party_id,
        "profile": profile,
        "custom_fields": custom,
        "contact_points": contact_points,
        "addresses": addresses,
        "roles": roles,
        "interactions": interactions,
        "orders": orders,
        "product_interests": interests,
        "consents": consents,
        "provenance": observations,
        "audit_entries": audit_rows,
        "requests": requests,
        "purposes": [{"record": m, "purpose": p, "legal_basis": b} for m, p, b in purposes],
        "other": extra,
    }


def to_json(report: dict[str, Any]) -> str:
    return json.dumps(report, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def to_html(report: dict[str, Any]) -> str:
    with translation.override(report["language"]):
        return render_to_string("privacy/access_report.html", {"r": report})


def to_pdf(report: dict[str, Any]) -> bytes:
    from kundebase.privacy.access_pdf import to_pdf as render_pdf

    return render_pdf(report)


def render(report: dict[str, Any], fmt: str) -> str | bytes:
    """The collected report in one of :data:`FORMATS` (``pdf`` is bytes, the others text)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}")
    renderers: dict[str, Callable[[dict[str, Any]], str | bytes]] = {"json": to_json, "html": to_html,
                                                                       "pdf": to_pdf}
    return renderers[fmt](report)


@transaction.atomic
def access_request(*, party_id: int, actor: object = None, channel: str = "api", fmt: str = "json",
                   requested_by: str = "") -> tuple[str | bytes, DataSubjectRequest]:
    """Produce the report (``json``, ``html`` or ``pdf``), log it as a data subject request and an export in the
    audit log."""
    report = collect(party_id)
    request = open_request(kind=DataSubjectRequest.Kind.ACCESS, party_id=party_id, actor=actor,
                           requested_by=requested_by)
    report["request_id"] = request.pk
    body = render(report, fmt)
    audit.record(action="export", actor=actor, entity="access_report", record_id=request.pk, party_id=party_id,
                 channel=channel, fields=[k for k, v in report.items() if v], note=f"access report ({fmt})")
    close_request(request, f"report produced ({fmt})")
    return body, request
