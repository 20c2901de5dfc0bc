"""Everything the customer 360 page shows, read with a fixed number of queries whatever the history's size.

Key figures are aggregate queries (one over orders, one over the timeline) instead of Python sums,
lists are fetched with their related rows joined, and the timeline is paged, so a customer with
50,000 interactions costs the same number of queries as one with five.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, Prefetch, Sum

from kundebase.interactions.models import Interaction
from kundebase.matching import entry
from kundebase.orders.models import Order
from kundebase.parties import services
from kundebase.parties.models import Address, Company, ContactPoint, ContactRole, Party, Person

TIMELINE_PAGE = 25
RECENT_ORDERS = 10
QUICK_KINDS = ("call", "email", "visit", "letter", "note")
"""The interaction types the 360 page offers as one-click quick actions."""


@dataclass
class KeyFigures:
    revenue: Decimal
    cost: Decimal
    orders: int
    last_order: dt.datetime | None
    last_contact: dt.datetime | None

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.cost

    @property
    def margin_percent(self) -> Decimal | None:
        return (self.margin / self.revenue * 100).quantize(Decimal("0.1")) if self.revenue else None


@dataclass
class Overview:
    party: Party
    contact_points: list[ContactPoint]
    addresses: list[Address]
    roles: list[ContactRole]
    group: dict[str, Any] | None
    figures: KeyFigures | None
    timeline: Page | None
    orders: list[Order]
    follow_ups: list[Interaction]
    duplicates: list[entry.Candidate] = field(default_factory=list)


def key_figures(party_id: int) -> KeyFigures:
    """Revenue, margin, order count and dates.  Orders are summed as booked (the installation's currency)."""
    sums = Order.objects.filter(party_id=party_id).aggregate(
        revenue=Sum("revenue"), cost=Sum("cost"), orders=Count("id"), last_order=Max("ordered_at"))
    last_contact = Interaction.objects.filter(party_id=party_id).aggregate(last=Max("occurred_at"))["last"]
    return KeyFigures(revenue=sums["revenue"] or Decimal(0), cost=sums["cost"] or Decimal(0),
                      orders=sums["orders"] or 0, last_order=sums["last_order"], last_contact=last_contact)


def load_party(party_id: int) -> Person | Company:
    """The person or company with contact points and addresses prefetched (raises NotFound)."""
    kind = services.get_party(party_id).kind
    related = (Prefetch("contact_points", queryset=ContactPoint.objects.order_by("kind", "-is_primary", "id")),
               Prefetch("addresses", queryset=Address.objects.order_by("-is_primary", "id")))
    if kind == Party.Kind.PERSON:
        return Person.objects.prefetch_related(*related).get(pk=party_id)
    return Company.objects.select_related("parent").prefetch_related(*related).get(pk=party_id)


def possible_duplicates(party: Person | Company, contact_points: list[ContactPoint],
                        addresses: list[Address]) -> list[entry.Candidate]:
    """Ask matching with the customer's own data, as at entry, leaving the customer out."""
    if isinstance(party, Person):
        fields: dict[str, Any] = {"given_name": party.given_name, "family_name": party.family_name,
                                  "birth_date": party.birth_date}
    else:
        fields = {"legal_name": party.legal_name, "org_number": party.org_number, "org_country": party.org_country}
    cps = [{"kind": cp.kind, "value": cp.value, "normalised": cp.normalised} for cp in contact_points]
    addrs = [{"street": a.street, "postcode": a.postcode, "city": a.city, "country": a.country} for a in addresses]
    return entry.likely_duplicates(kind=party.kind, fields=fields, contact_points=cps, addresses=addrs,
                                   exclude_id=party.pk)


def timeline(party_id: int, *, kind: str = "", page: int | str = 1) -> Page:
    qs = Interaction.objects.filter(party_id=party_id).select_related("handled_by", "contact_person")
    if kind:
        qs = qs.filter(kind=kind)
    return Paginator(qs.order_by("-occurred_at", "-id"), TIMELINE_PAGE).get_page(page)


def build(party_id: int, *, user: Any, kind: str = "", page: int | str = 1) -> Overview:
    """Assemble the page; sections the user may not see are not even read."""
    party = load_party(party_id)
    cps = list(party.contact_points.all())
    addresses = list(party.addresses.all())
    if isinstance(party, Person):
        roles = list(party.roles.select_related("company").order_by("end_date", "company__display_name"))
        group = None
    else:
        roles = list(party.contact_roles.select_related("person").order_by("end_date", "person__display_name"))
        group = services.group_tree(party) if party.parent_id or Company.objects.filter(parent_id=party.pk).exists() \
            else None
    see_orders = user.has_perm("orders.view_order")
    see_timeline = user.has_perm("interactions.view_interaction")
    follow_ups: list[Interaction] = []
    if see_timeline:
        follow_ups = list(Interaction.objects.filter(party_id=party_id, follow_up_on__isnull=False,
                                                     follow_up_done_at__isnull=True)
                          .select_related("handled_by").order_by("follow_up_on", "id")[:20])
    return Overview(
        party=party, contact_points=cps, addresses=addresses, roles=roles, group=group,
        figures=key_figures(party_id) if see_orders else None,
        timeline=timeline(party_id, kind=kind, page=page) if see_timeline else None,
        orders=list(Order.objects.filter(party_id=party_id).order_by("-ordered_at", "-id")[:RECENT_ORDERS])
        if see_orders else [],
        follow_ups=follow_ups,
        duplicates=possible_duplicates(party, cps, addresses),
    )
