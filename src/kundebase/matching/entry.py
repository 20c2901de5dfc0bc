"""The duplicate check at entry: is the record being created already known?

This first version scores exact agreement on normalised identifiers (e-mail,
phone, organisation number) plus name and birth date; the probabilistic model
replaces the scoring without changing this interface.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from kundebase.core import identifiers

THRESHOLD = 0.9


@dataclass
class Candidate:
    party_id: int
    display_name: str
    customer_number: str
    score: float
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"party_id": self.party_id, "display_name": self.display_name,
                "customer_number": self.customer_number, "score": round(self.score, 4), "reasons": self.reasons}


def likely_duplicates(*, kind: str, fields: dict[str, Any], contact_points: list[dict[str, Any]],
                      addresses: list[dict[str, Any]], exclude_id: int | None = None,
                      threshold: float = THRESHOLD) -> list[Candidate]:
    from kundebase.parties.models import Company, ContactPoint, Party, Person

    evidence: dict[int, list[str]] = {}
    keys = [(cp["kind"], cp["normalised"]) for cp in contact_points if cp.get("normalised")]
    for cp_kind, party_id in (
        ContactPoint.objects.filter(normalised__in=[key for _kind, key in keys]).values_list("kind", "party_id")
        if keys else []
    ):
        reason = _("same e-mail") if cp_kind == "email" else _("same phone")
        evidence.setdefault(party_id, [])
        if reason not in evidence[party_id]:
            evidence[party_id].append(reason)
    if kind == "company" and fields.get("org_number"):
        key = identifiers.org_number_key(fields["org_number"])
        for pid in Company.objects.filter(org_number_key=key).values_list("party_ptr_id", flat=True):
            evidence.setdefault(pid, []).append(_("same organisation number"))
    if kind == "person" and fields.get("birth_date") and fields.get("family_name"):
        name = identifiers.fold(" ".join(filter(None, [fields.get("given_name", ""), fields["family_name"]])))
        for pid in Person.objects.filter(birth_date=fields["birth_date"], search_name=name).values_list(
                "party_ptr_id", flat=True):
            evidence.setdefault(pid, []).extend([_("same name"), _("same birth date")])
    evidence.pop(exclude_id, None)  # type: ignore[arg-type]
    if not evidence:
        return []
    parties = Party.objects.filter(pk__in=evidence, kind=kind, merged_into__isnull=True).in_bulk()
    out = []
    for pid, reasons in evidence.items():
        party = parties.get(pid)
        if party is None:
            continue
        score = 0.99 if len(reasons) > 1 or _("same organisation number") in reasons else 0.92
        if score >= threshold:
            out.append(Candidate(pid, party.display_name, party.customer_number, score, reasons))
    return sorted(out, key=lambda c: -c.score)
