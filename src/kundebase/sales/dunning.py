"""Dunning rules per country and the credit policy: the one write path for both, and what they say about a
customer (which country's rule applies, its payment terms, the dunning level its overdue days have reached).

The level is computed from the ledger on every read, never stored, so a payment imported tonight lowers it
tomorrow without anyone resetting a flag; a company's recorded dunning status (set by hand) still counts when
it says more.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from kundebase.core.errors import ErrorCollector, NotFound
from kundebase.sales.models import CreditPolicy, DunningLevel, DunningRule

ORDER = [DunningLevel.NONE, DunningLevel.REMINDER_1, DunningLevel.REMINDER_2, DunningLevel.COLLECTION]
"""The levels from mildest to most serious."""
MAX_DAYS = 3650


def worse(a: str, b: str) -> str:
    """The more serious of two dunning levels (unknown values count as none)."""
    rank = {level.value: i for i, level in enumerate(ORDER)}
    return a if rank.get(a, 0) >= rank.get(b, 0) else b


def _country(value: Any, errors: ErrorCollector) -> str:
    code = str(value or "").strip().upper()
    if len(code) != 2 or not code.isalpha():
        errors.add("country", _("Use a two-letter ISO 3166 country code"), "invalid_country")
    return code


def _days(data: dict[str, Any], key: str, errors: ErrorCollector, *, minimum: int = 0) -> int:
    value = data.get(key)
    try:
        days = int(str(value).strip())
    except (TypeError, ValueError):
        errors.add(key, _("%(v)s is not a whole number") % {"v": value}, "invalid_number")
        return 0
    if not minimum <= days <= MAX_DAYS:
        errors.add(key, _("Between %(a)d and %(b)d") % {"a": minimum, "b": MAX_DAYS}, "out_of_range")
    return days


@transaction.atomic
def set_rule(*, country: str, data: dict[str, Any]) -> DunningRule:
    """Create or replace a country's rule; the three thresholds must rise (reminder 1 < reminder 2 <
    collection), each refused field named."""
    errors = ErrorCollector()
    code = _country(country, errors)
    terms = _days(data, "payment_terms_days", errors)
    first = _days(data, "reminder_1_days", errors, minimum=1)
    second = _days(data, "reminder_2_days", errors, minimum=1)
    collection = _days(data, "collection_days", errors, minimum=1)
    if not errors and not first < second:
        errors.add("reminder_2_days", _("Must be later than reminder 1 (%(d)d days)") % {"d": first}, "order")
    if not errors and not second < collection:
        errors.add("collection_days", _("Must be later than reminder 2 (%(d)d days)") % {"d": second}, "order")
    errors.raise_if_any()
    rule, _created = DunningRule.objects.update_or_create(country=code, defaults={
        "payment_terms_days": terms, "reminder_1_days": first, "reminder_2_days": second,
        "collection_days": collection})
    return rule


@transaction.atomic
def delete_rule(*, country: str) -> None:
    deleted, _n = DunningRule.objects.filter(country=str(country).upper()).delete()
    if not deleted:
        raise NotFound(_("Dunning rule"), country)


def policy() -> CreditPolicy:
    """The credit policy row (made with the default, warn, when missing)."""
    found = CreditPolicy.objects.order_by("pk").first()
    return found if found is not None else CreditPolicy.objects.create()


@transaction.atomic
def set_policy(*, mode: str) -> CreditPolicy:
    if mode not in CreditPolicy.Mode.values:
        errors = ErrorCollector()
        errors.add("mode", _("%(v)s is not one of: %(c)s") % {"v": mode, "c": ", ".join(CreditPolicy.Mode.values)},
                   "invalid_choice")
        errors.raise_if_any()
    current = policy()
    current.mode = mode
    current.save(update_fields=["mode", "updated_at"])
    return current


def refuses() -> bool:
    return policy().mode == CreditPolicy.Mode.REFUSE


def customer_country(party_id: int, registered: str | None = None) -> str:
    """The country whose rule applies: the company's country of registration (``registered`` when the caller
    has read it), else the country of its billing (then primary, then any) address, else the installation's
    default country."""
    from kundebase.parties.models import Address, Company

    if registered is None:
        registered = Company.objects.filter(pk=party_id).values_list("org_country", flat=True).first()
    if registered:
        return str(registered).upper()
    address = (Address.objects.filter(party_id=party_id).exclude(country="")
               .order_by("-is_primary", "id").values_list("kind", "country"))
    found = list(address[:20])
    for kind, country in found:
        if kind == Address.Kind.BILLING:
            return str(country).upper()
    if found:
        return str(found[0][1]).upper()
    return str(settings.KUNDEBASE_DEFAULT_COUNTRY).upper()


def rule_for(country: str) -> DunningRule | None:
    """The country's rule, else the default country's, else none (no dunning is computed)."""
    rules = {r.country: r for r in DunningRule.objects.filter(
        country__in={country, str(settings.KUNDEBASE_DEFAULT_COUNTRY).upper()})}
    return rules.get(country) or rules.get(str(settings.KUNDEBASE_DEFAULT_COUNTRY).upper())


def payment_terms(party_id: int, rule: DunningRule | None = None, *, own: int | None = None) -> int | None:
    """The customer's own payment terms when recorded (companies; ``own`` when the caller has read them), else
    its country's."""
    from kundebase.parties.models import Company

    if own is None:
        own = Company.objects.filter(pk=party_id).values_list("payment_terms_days", flat=True).first()
    if own is not None:
        return int(own)
    rule = rule if rule is not None else rule_for(customer_country(party_id))
    return rule.payment_terms_days if rule else None
