"""Customers of the operational database as matching records (role → raw value).

Entry, incremental and full runs all read customers through :func:`load`, so a
pair is prepared identically wherever it is scored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kundebase.matching.normalise import companies

PHONE_KINDS = ("mobile", "phone")


def _first(items: list[dict[str, Any]], kinds: Iterable[str]) -> str:
    kinds = tuple(kinds)
    ranked = sorted((cp for cp in items if cp["kind"] in kinds),
                    key=lambda cp: (not cp.get("is_primary"), kinds.index(cp["kind"]), cp.get("id") or 0))
    return ranked[0]["value"] if ranked else ""


def from_input(kind: str, fields: Mapping[str, Any], contact_points: list[dict[str, Any]],
               addresses: list[dict[str, Any]]) -> dict[str, Any]:
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


def load(kind: str, party_ids: Iterable[int] | None = None) -> dict[int, dict[str, Any]]:
    """Records of the given (or all current, not merged) customers of a kind, keyed by party id."""
    from kundebase.parties.models import Address, Company, ContactPoint, Person

    model = Person if kind == "person" else Company
    rows = model.objects.filter(merged_into__isnull=True, erased_at__isnull=True)
    if party_ids is not None:
        rows = rows.filter(pk__in=list(party_ids))
    if kind == "person":
        base = {r["pk"]: {"given_name": r["given_name"], "family_name": r["family_name"],
                          "birth_date": r["birth_date"] or ""}
                for r in rows.values("pk", "given_name", "family_name", "birth_date")}
    else:
        parents = dict(Company.objects.values_list("pk", "parent_id"))
        base = {r["pk"]: {"company_name": r["legal_name"], "org_number": r["org_number_key"],
                          "group": str(companies.group_root(r["pk"], parents)) if parents.get(r["pk"]) or
                          r["pk"] in set(parents.values()) else "", "display_name": r["display_name"]}
                for r in rows.values("pk", "legal_name", "org_number_key", "display_name")}
    ids = list(base)
    cps: dict[int, list[dict[str, Any]]] = {}
    addrs: dict[int, list[dict[str, Any]]] = {}
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
