"""Forms of the web application.

The fields here only carry what was typed: the rules (required fields, phone and e-mail formats,
organisation number checksums, dates in the future …) live in the parties and interactions
services and their validation modules, exactly as the REST API applies them.  ``editing``
sends the typed values there and puts each refusal next to the field it names.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kundebase.interactions.models import Interaction
from kundebase.parties.models import Gender, PartyStatus
from kundebase.parties.validation import LANGUAGES


class EndonymSelect(forms.Select):
    """A list of languages each named in itself (``dansk``, ``English``): each option says which language its
    name is in (``lang``), so a screen reader pronounces it right and nobody mistakes it for untranslated text."""

    def create_option(self, name: str, value: Any, label: Any, selected: Any, index: int,
                      subindex: int | None = None, attrs: dict[str, Any] | None = None) -> dict[str, Any]:
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value:
            option["attrs"]["lang"] = str(value)
        return option


ENDONYMS = {"nb": "norsk bokmål", "nn": "norsk nynorsk", "no": "norsk", "da": "dansk", "sv": "svenska",
            "de": "Deutsch", "hu": "magyar", "en": "English", "fi": "suomi", "fr": "français", "es": "español",
            "it": "italiano", "nl": "Nederlands", "pl": "polski"}
"""Each supported language by its own name, as people who speak it look for it."""
LANGUAGE_CHOICES = [("", "—"), *[(code, ENDONYMS[code]) for code in ENDONYMS if code in LANGUAGES],
                    *[(code, code) for code in sorted(LANGUAGES - set(ENDONYMS))]]


def _text(label: Any, **attrs: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, strip=True, widget=forms.TextInput(attrs=attrs))


class AddressFields(forms.Form):
    """The primary postal address, part of both customer forms."""

    street = _text(_("Street"), autocomplete="street-address")
    postcode = _text(_("Postcode"), autocomplete="postal-code", inputmode="numeric")
    city = _text(_("City"), autocomplete="address-level2")
    region = _text(_("Region"), autocomplete="address-level1")
    country = _text(_("Country (ISO code)"), autocomplete="country", maxlength="2", size="3")

    ADDRESS_FIELDS = ("street", "postcode", "city", "region", "country")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].initial = settings.KUNDEBASE_DEFAULT_COUNTRY


class PartyForm(AddressFields):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Status"), choices=PartyStatus.choices, initial=PartyStatus.PROSPECT)
    customer_number = _text(_("Customer number (leave empty to assign one)"))
    email = _text(_("E-mail"), type="email", autocomplete="email")
    phone = _text(_("Phone"), type="tel", autocomplete="tel")
    create_anyway = forms.BooleanField(label=_("This is a different customer: create anyway"), required=False)

    CONTACT_FIELDS: tuple[tuple[str, str], ...] = (("email", "email"), ("phone", "phone"))
    """(form field, contact point kind) pairs: each holds the customer's primary contact point of that kind."""
    PARTY_FIELDS: tuple[str, ...] = ()
    """The customer's own fields on this form (each kind's form names its own)."""

    duplicate_candidates: Sequence[dict[str, Any]] = ()
    """Customers this one probably is, shown above the form when the service refuses a likely duplicate."""


class PersonForm(PartyForm):
    given_name = _text(_("Given name"), autocomplete="given-name")
    family_name = _text(_("Family name (required)"), autocomplete="family-name")
    birth_date = forms.CharField(label=_("Birth date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    gender = forms.ChoiceField(label=_("Gender"), required=False, choices=[("", "—"), *Gender.choices])
    preferred_language = forms.ChoiceField(label=_("Preferred language"), required=False, choices=LANGUAGE_CHOICES,
                                           widget=EndonymSelect)
    mobile = _text(_("Mobile"), type="tel", autocomplete="tel")

    PARTY_FIELDS = ("given_name", "family_name", "birth_date", "gender", "preferred_language", "status",
                    "customer_number")
    CONTACT_FIELDS = (("email", "email"), ("mobile", "mobile"), ("phone", "phone"))
    field_order = ["given_name", "family_name", "birth_date", "gender", "preferred_language", "status",
                   "customer_number", "email", "mobile", "phone"]


class CompanyForm(PartyForm):
    legal_name = _text(_("Legal name (required)"), autocomplete="organization")
    org_number = _text(_("Organisation number"))
    org_country = _text(_("Country of registration (ISO code)"), maxlength="2", size="3")
    parent_number = _text(_("Parent company (customer number)"))
    industry_code = _text(_("Industry (NACE code)"))
    employees = _text(_("Employees"), inputmode="numeric")
    website = _text(_("Website"), type="url", autocomplete="url")

    PARTY_FIELDS = ("legal_name", "org_number", "org_country", "industry_code", "employees", "status",
                    "customer_number")
    CONTACT_FIELDS = (("email", "email"), ("phone", "phone"), ("website", "website"))
    field_order = ["legal_name", "org_number", "org_country", "parent_number", "industry_code", "employees",
                   "status", "customer_number", "email", "phone", "website"]


QUICK_KIND_CHANNEL = {"call": "phone", "email": "email", "visit": "in_person", "letter": "post", "note": "other",
                      "meeting": "in_person"}
"""The channel a quick action implies, so logging a call needs no second choice."""


class InteractionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), widget=forms.RadioSelect, initial="call",
                             choices=[(k, v) for k, v in Interaction.Kind.choices if k in QUICK_KIND_CHANNEL])
    direction = forms.ChoiceField(label=_("Direction"), initial="in",
                                  choices=[c for c in Interaction.Direction.choices if c[0] != "internal"])
    subject = _text(_("Subject"))
    body = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    outcome = _text(_("Outcome"))
    follow_up_on = forms.CharField(label=_("Follow up on"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))


class FollowUpForm(forms.Form):
    subject = _text(_("What to follow up"))
    follow_up_on = forms.CharField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


def place_errors(form: forms.Form, exc: Any) -> None:
    """A service's refusal (a ``DomainError``) on a page's form: each field error beside its field when the form
    has that field, anything else at the top of the form."""
    if not exc.errors:
        form.add_error(None, exc.detail)
    for err in exc.errors:
        form.add_error(err.field if err.field in form.fields else None, err.message)
