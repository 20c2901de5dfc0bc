"""The privacy checks other apps run through their hook lists (registered in ``PrivacyConfig.ready``).

* ``custom_field_guard`` – ``core.custom_fields.special_category_guard``: a custom field about an Art. 9/10
  category needs a documented basis, permission reference and date.
* ``interaction_text_screen`` – ``interactions.services.text_screens`` and ``core.custom_fields.text_screens``:
  free text (interaction notes, custom text fields) with special-category words is refused (422, code
  ``special_category``) unless the user resends it with a reason, which is audited.
* ``refuse_restricted`` – ``core.hooks.party_saved``: a customer whose processing is restricted cannot be changed.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from kundebase.core import audit
from kundebase.core.errors import Conflict, ErrorCollector
from kundebase.core.models import DataCategory
from kundebase.privacy.screen import CATEGORIES, categories, screen_text

FIELD_TERMS: dict[str, str] = {
    r"health|helse|helbred|sundhed|hälsa|gesundheit|egészség\w*|medical|medisinsk|medizinisch|illness|blood ?type|"
    r"blodtype|blutgruppe|vércsoport|disab\w*|sick\w*": "health",
    r"religion|faith|trosretning|livssyn|konfession|vallás|denomination": "religion",
    r"ethnic\w*|etnisk\w*|ethnisch\w*|race|rase|rasse|skin colou?r|hudfarge": "ethnic",
    r"politic\w*|politisk\w*|politisch\w*|party membership|partimedlemskap|parteimitglied\w*": "political",
    r"trade union|union membership|fagforening|fackförening|gewerkschaft|szakszervezet": "union",
    r"criminal\w*|crime|conviction\w*|straffe\w*|vorstrafe\w*|priusz|record of offences": "criminal",
    r"sexual\w*|orientation|legning|orientierung|irányultság": "sexual",
    r"genetic\w*|dna|gene": "genetic",
    r"biometric\w*|fingerprint\w*|face ?id|fingeravtrykk": "biometric",
}
_FIELD_RE = [(re.compile(rf"(?<![a-z0-9]){pattern}(?![a-z0-9])"), cat) for pattern, cat in FIELD_TERMS.items()]

MIN_REASON = 10


def field_categories(*texts: str) -> dict[str, list[str]]:
    """``{category: [triggering words]}`` for a field's key, label and purpose."""
    found: dict[str, list[str]] = {}
    for text in texts:
        plain = (text or "").replace("_", " ").replace("-", " ")
        for finding in screen_text(plain):
            found.setdefault(finding.category, []).append(finding.word)
        lowered = plain.lower()
        for regex, category in _FIELD_RE:
            for match in regex.finditer(lowered):
                found.setdefault(category, []).append(match.group(0))
    return found


def custom_field_guard(cleaned: dict[str, Any], errors: ErrorCollector) -> None:
    """Refuse an Art. 9/10 custom field unless the basis, the permission/exemption reference and its date are
    all recorded.  Only administrators can create custom fields (``core.add_customfielddefinition``)."""
    found = field_categories(cleaned.get("key", ""), cleaned.get("label", ""), cleaned.get("purpose", ""))
    if cleaned.get("data_category") == DataCategory.SPECIAL:
        found.setdefault("special", ["data_category"])
    if not found:
        return
    missing = [name for name in ("special_category_basis", "special_category_reference", "special_category_date")
               if not cleaned.get(name)]
    if not missing:
        cleaned["data_category"] = DataCategory.SPECIAL
        return
    described = "; ".join(f"{CATEGORIES.get(cat, cat)}: {', '.join(sorted(set(words)))}"
                          for cat, words in found.items())
    for name in missing:
        errors.add(name, _("This field looks like special-category data (%(what)s). Record the legal basis "
                           "(Art. 9(2)/10), the permission or exemption reference and its date, or remove it.")
                   % {"what": described}, "special_category")


def describe(findings_by_category: dict[str, list[str]]) -> str:
    return "; ".join(f'"{", ".join(sorted(set(words)))}" → {CATEGORIES.get(cat, cat)}'
                     for cat, words in findings_by_category.items())


def interaction_text_screen(fields: dict[str, str], errors: ErrorCollector, data: dict[str, Any]) -> None:
    """At entry: name the words that look like special-category data, or accept them with a recorded reason."""
    flagged: dict[str, dict[str, list[str]]] = {}
    for name, text in fields.items():
        findings = screen_text(text or "")
        if findings:
            per_cat: dict[str, list[str]] = {}
            for f in findings:
                per_cat.setdefault(f.category, []).append(f.word)
            flagged[name] = per_cat
    if not flagged:
        return
    reason = str(data.get("confirm_special_category_reason") or "").strip()
    if len(reason) >= MIN_REASON:
        cats = sorted({c for per in flagged.values() for c in per})
        # The reason and the categories are logged; the words themselves are not.
        audit.record(action="change", actor=data.get("_actor"), entity=str(data.get("_entity") or "interaction"),
                     party_id=data.get("_party_id"), channel=str(data.get("_channel") or "api"),
                     fields=sorted(flagged), note=f"special category kept ({', '.join(cats)}): {reason}")
        return
    for name, per_cat in flagged.items():
        errors.add(name, _("This text looks like special-category data: %(what)s. Rephrase it, or resend with "
                           "confirm_special_category_reason explaining why it must be stored.")
                   % {"what": describe(per_cat)}, "special_category")
    if reason:
        errors.add("confirm_special_category_reason", _("Give a reason of at least %(n)d characters")
                   % {"n": MIN_REASON}, "too_short")


def refuse_restricted(*, party_ids: list[int], created: bool) -> None:
    """Restriction (Art. 18) freezes a customer: a change through the services is refused (and rolled back)."""
    from kundebase.parties.models import Party

    if created:
        return
    party_id = (Party.objects.filter(pk__in=party_ids, restricted_at__isnull=False)
                .order_by("pk").values_list("pk", flat=True).first())
    if party_id is not None:
        raise Conflict(_("Processing of customer %(id)s is restricted; lift the restriction first")
                       % {"id": party_id}, code="restricted")


def screened_categories(text: str) -> list[str]:
    return categories(screen_text(text))
