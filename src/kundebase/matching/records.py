"""Customers of the operational database as matching records (role → raw value).

Entry, incremental and full runs all read customers through :func:`load`, so a
pair is prepared identically wherever it is scored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from kundebase.matching.normalise import companies

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from kundebase.parties.models import Party

P = TypeVar("P", bound="Party")
PHONE_KINDS = ("mobile", "phone")


def _first(items: Sequence[Mapping[str, Any]], kinds: Iterable[str]) -> str:
    kinds = tuple(kinds)
    ranked = sorted((cp for cp in items if cp["kind"] in kinds),
                    key=lambda cp: (not cp.get("is_primary"), kinds.index(cp["kind"]), cp.get("id") or 0))
    return ranked[0]["value"] if ranked else ""


def from_input(kind: str, fields: Mapping[str, Any], contact_points: Sequence[Mapping[str, Any]],
               addresses: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """A record from what the parties services validated (the shape ``likely_duplicates`` receives)."""
    addr = next((a for a in addresses if a.get("is_primary")), addresses[0] if addresses else {})
    record: dict[str, Any] = {
        "street": addr.get("street", ""), "postcode": addr.get("postcode", ""), "city": addr.get("city", ""),
        "country": addr.get("country", ""), "phone": _first(contact_points, PHONE_KINDS),
        "email": _first(contact_points, ("email",)), "website": _first(contact_points, ("website",)),
        "extra_phones": [cp["value"] for cp in contact_points if cp["kind"] in PHONE_KINDS],
        "extra_emails": [cp["value"] for cp in contact_points if cp["kind"] == "email"],
    }
    if kind == "person":
        record.update(given_name=fields.get("given_name", ""), family_name=fields.get("family_name", ""),
                      birth_date=fields.get("birth_date") or "")
    else:
        record.update(company_name=fields.get("legal_name") or fields.get("display_name", ""),
                      org_number=fields.get("org_number", ""), group=str(fields.get("group", "") or ""))
    return record


def _current(rows: QuerySet[P], party_ids: Iterable[int] | None) -> QuerySet[P]:
    """The customers of ``rows`` not merged away nor erased, only ``party_ids`` when given."""
    rows = rows.filter(merged_into__isnull=True, erased_at__isnull=True)
    return rows if party_ids is None else rows.filter(pk__in=list(party_ids))


def load(kind: str, party_ids: Iterable[int] | None = None) -> dict[int, dict[str, Any]]:
    """Records of the given (or all current, not merged) customers of a kind, keyed by party id."""
    from kundebase.parties.models import Address, Company, ContactPoint, Person

    base: dict[int, dict[str, Any]]
    if kind == "person":
        base = {r["pk"]: {"given_name": r["given_name"], "family_name": r["family_name"],
                          "birth_date": r["birth_date"] or ""}
                for r in _current(Person.objects.all(), party_ids).values("pk", "given_name", "family_name",
                                                                         "birth_date")}
    else:
        parents: dict[int, int | None] = dict(Company.objects.values_list("pk", "parent_id"))
        heads = set(parents.values())  # once: built per company, it made loading every company quadratic
        base = {r["pk"]: {"company_name": r["legal_name"], "org_number": r["org_number_key"],
                          "group": str(companies.group_root(r["pk"], parents)) if parents.get(r["pk"]) or
                          r["pk"] in heads else "", "display_name": r["display_name"]}
                for r in _current(Company.objects.all(), party_ids).values("pk", "legal_name", "org_number_key",
                                                                          "display_name")}
    ids = list(base)
    cps: dict[int, list[Mapping[str, Any]]] = {}
    addrs: dict[int, list[Mapping[str, Any]]] = {}
    for chunk in range(0, len(ids), 5000):
        part = ids[chunk:chunk + 5000]
        for cp in ContactPoint.objects.filter(party_id__in=part).values("id", "party_id", "kind", "value",
                                                                         "is_primary"):
            cps.setdefault(cp["party_id"], []).append(cp)
        for a in Address.objects.filter(party_id__in=part).values("party_id", "street", "postcode", "city",
                                                                    "country", "is_primary"):
            addrs.setdefault(a["party_id"], []).append(a)
    out = {}
    for pid, fields in base.items():
        rec = from_input(kind, {**fields, "legal_name": fields.get("company_name", "")}, cps.get(pid, []),
                         addrs.get(pid, []))
        if kind == "company":
            rec["group"] = fields["group"]
        out[pid] = rec
    return out
