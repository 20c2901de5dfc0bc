"""The filtered customer list: one query for the page (with per-row subqueries on indexed columns) and one count.

Filters that follow a relation (city, company, product interest, last contact) are written as
``EXISTS`` subqueries rather than joins, so no ``DISTINCT`` is needed and every filter can use
the index on its foreign key.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kundebase.core import identifiers
from kundebase.interactions.models import Interaction
from kundebase.orders.models import ProductCategory, ProductInterest
from kundebase.parties.models import Address, ContactRole, Party, PartyStatus

PAGE_SIZE = 25
LAST_CONTACT_CHOICES = [
    ("", _("Any time")),
    ("30", _("Within 30 days")),
    ("90", _("Within 90 days")),
    ("365", _("Within a year")),
    ("-365", _("Not in the last year")),
    ("never", _("Never")),
]


class CustomerFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=[("", _("Persons and companies")), *Party.Kind.choices])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any status")),
                                                                           *PartyStatus.choices])
    place = forms.CharField(label=_("City or region"), required=False, max_length=100)
    company = forms.CharField(label=_("Company (name or customer number)"), required=False, max_length=200)
    interest = forms.TypedChoiceField(label=_("Product interest"), required=False, coerce=int, empty_value=None)
    last_contact = forms.ChoiceField(label=_("Last contact"), required=False, choices=LAST_CONTACT_CHOICES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        categories = ProductCategory.objects.order_by("name").values_list("id", "name")
        interest = cast(forms.ChoiceField, self.fields["interest"])  # declared as a ChoiceField above
        interest.choices = [("", _("Any interest")), *categories]


def _company_ids(text: str) -> QuerySet[Any]:
    text = text.strip()
    by_name = Q(search_name__startswith=identifiers.fold(text)) if identifiers.fold(text) else Q(pk__in=[])
    return Party.objects.filter(Q(kind="company") & (Q(customer_number=text) | by_name)).values("id")


def filtered(data: dict[str, Any]) -> QuerySet[Party]:
    qs = Party.objects.filter(merged_into__isnull=True)
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    if data.get("place"):
        place = data["place"].strip()
        qs = qs.filter(Exists(Address.objects.filter(party=OuterRef("pk")).filter(
            Q(city__iexact=place) | Q(region__iexact=place) | Q(municipality__iexact=place))))
    if data.get("company"):
        companies = _company_ids(data["company"])
        qs = qs.filter(Q(pk__in=companies) | Exists(ContactRole.objects.filter(
            person_id=OuterRef("pk"), company_id__in=companies)))
    if data.get("interest"):
        qs = qs.filter(Exists(ProductInterest.objects.filter(party=OuterRef("pk"), accepted=True).filter(
            Q(category_id=data["interest"]) | Q(product__category_id=data["interest"]))))
    choice = data.get("last_contact") or ""
    contacts = Interaction.objects.filter(party=OuterRef("pk"))
    if choice == "never":
        qs = qs.filter(~Exists(contacts))
    elif choice.lstrip("-").isdigit():
        since = timezone.now() - dt.timedelta(days=int(choice.lstrip("-")))
        recent = Exists(contacts.filter(occurred_at__gte=since))
        qs = qs.filter(~recent if choice.startswith("-") else recent)
    return qs


def page(data: dict[str, Any], number: int | str) -> Page:
    """One page of customers with their primary city and last contact, newest customer numbers last."""
    qs = filtered(data).annotate(
        city=Subquery(Address.objects.filter(party=OuterRef("pk")).order_by("-is_primary", "id").values("city")[:1]),
        last_contact=Subquery(Interaction.objects.filter(party=OuterRef("pk")).order_by("-occurred_at")
                              .values("occurred_at")[:1]),
    ).order_by("search_name", "id").only("id", "kind", "display_name", "customer_number", "status")
    return Paginator(qs, PAGE_SIZE).get_page(number)
