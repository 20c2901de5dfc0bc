"""Reading customers: one by id (a 404 when absent), a corporate group, a page of search results."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from kundebase.core.errors import NotFound
from kundebase.parties import search as finding
from kundebase.parties.models import Company, Party, Person
from kundebase.parties.services.rules import MAX_GROUP_DEPTH


def get_party(party_id: int) -> Party:
    party = Party.objects.filter(pk=party_id).first()
    if party is None:
        raise NotFound(_("Customer"), party_id)
    return party


def get_person(party_id: int) -> Person:
    person = Person.objects.filter(pk=party_id).first()
    if person is None:
        raise NotFound(_("Person"), party_id)
    return person


def get_company(party_id: int) -> Company:
    company = Company.objects.filter(pk=party_id).first()
    if company is None:
        raise NotFound(_("Company"), party_id)
    return company


def group_tree(company: Company) -> dict[str, Any]:
    """The whole corporate group of a company: walk up to the top, then down, level by level."""
    top = company
    for _depth in range(MAX_GROUP_DEPTH):
        if top.parent_id is None:
            break
        top = Company.objects.only("id", "display_name", "parent_id", "customer_number").get(pk=top.parent_id)
    nodes: dict[int, dict[str, Any]] = {
        top.pk: {"id": top.pk, "name": top.display_name, "customer_number": top.customer_number, "children": []}
    }
    level = [top.pk]
    for _depth in range(MAX_GROUP_DEPTH):
        if not level:
            break
        children = list(Company.objects.filter(parent_id__in=level)
                        .values("id", "display_name", "customer_number", "parent_id").order_by("display_name"))
        level = []
        for child in children:
            node = {"id": child["id"], "name": child["display_name"], "customer_number": child["customer_number"],
                    "children": []}
            nodes[child["id"]] = node
            nodes[child["parent_id"]]["children"].append(node)
            level.append(child["id"])
    return nodes[top.pk]


def search(query: str, *, kind: str | None = None, limit: int = 20, offset: int = 0) -> list[Party]:
    """One page of customers found by identifier, name or a name with a typo (see ``parties.search``)."""
    return finding.search(query, kind=kind, offset=offset, limit=limit).items
