"""The customer as they are: a party is a person or a company, with everything we may reach them by.

Persons and companies share one ``Party`` table (multi-table inheritance) so
that contact points, addresses, the timeline, orders and consents point at one
kind of thing and one search covers both.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kundebase.core.models import TimeStamped, Versioned


class PartyStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")


class Party(TimeStamped, Versioned):
    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        COMPANY = "company", _("Company")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, editable=False)
    customer_number = models.CharField(_("customer number"), max_length=30, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=PartyStatus.choices,
                              default=PartyStatus.PROSPECT, db_index=True)
    display_name = models.CharField(_("name"), max_length=300)
    search_name = models.CharField(max_length=300, db_index=True, editable=False)
    preferred_language = models.CharField(_("preferred language"), max_length=10, blank=True)
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="merged_parties", verbose_name=_("merged into"))
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)
    restricted_at = models.DateTimeField(_("processing restricted"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [models.Index(fields=["kind", "status"], name="party_kind_status")]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.customer_number})"

    @property
    def is_person(self) -> bool:
        return self.kind == Party.Kind.PERSON


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    DIVERSE = "diverse", _("Diverse")


class Person(Party):
    given_name = models.CharField(_("given name"), max_length=150, blank=True)
    family_name = models.CharField(_("family name"), max_length=150)
    birth_date = models.DateField(_("birth date"), null=True, blank=True, db_index=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")

    def age(self, on: dt.date | None = None) -> int | None:
        """Age in whole years, derived: we store the birth date, never an age that goes stale."""
        if self.birth_date is None:
            return None
        on = on or timezone.localdate()
        born = self.birth_date
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


class DunningStatus(models.TextChoices):
    NONE = "none", _("None")
    REMINDER_1 = "reminder_1", _("Reminder 1")
    REMINDER_2 = "reminder_2", _("Reminder 2")
    DEBT_COLLECTION = "debt_collection", _("Debt collection")


class Company(Party):
    legal_name = models.CharField(_("legal name"), max_length=300)
    org_number = models.CharField(_("organisation number"), max_length=60, blank=True)
    org_number_key = models.CharField(max_length=60, blank=True, db_index=True, editable=False)
    org_country = models.CharField(_("country of registration"), max_length=2, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="subsidiaries", verbose_name=_("parent company"))
    industry_code = models.CharField(_("industry (NACE)"), max_length=12, blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    annual_revenue = models.DecimalField(_("annual revenue"), max_digits=18, decimal_places=2,
                                         null=True, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=40, blank=True)
    payment_terms_days = models.PositiveSmallIntegerField(_("payment terms (days)"), null=True, blank=True)
    credit_limit = models.DecimalField(_("credit limit"), max_digits=18, decimal_places=2, null=True, blank=True)
    dunning_status = models.CharField(_("dunning status"), max_length=20, choices=DunningStatus.choices,
                                      default=DunningStatus.NONE)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")


class ContactPoint(TimeStamped):
    class Kind(models.TextChoices):
        EMAIL = "email", _("E-mail")
        PHONE = "phone", _("Phone")
        MOBILE = "mobile", _("Mobile")
        FAX = "fax", _("Fax")
        WEBSITE = "website", _("Website")
        SOCIAL = "social", _("Social profile")

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="contact_points")
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    value = models.CharField(_("value"), max_length=320)
    normalised = models.CharField(max_length=320, db_index=True, editable=False)
    label = models.CharField(_("label"), max_length=60, blank=True)
    is_primary = models.BooleanField(_("primary"), default=False)
    is_verified = models.BooleanField(_("verified"), default=False)

    class Meta:
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        indexes = [models.Index(fields=["party", "kind"], name="cp_party_kind")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.value}"

    PHONE_KINDS = ("phone", "mobile", "fax")


class Address(TimeStamped):
    class Kind(models.TextChoices):
        POSTAL = "postal", _("Postal")
        VISITING = "visiting", _("Visiting")
        BILLING = "billing", _("Billing")
        DELIVERY = "delivery", _("Delivery")

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.POSTAL)
    street = models.CharField(_("street"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=12, blank=True, db_index=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2)
    is_primary = models.BooleanField(_("primary"), default=False)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")

    def __str__(self) -> str:
        return ", ".join(p for p in (self.street, f"{self.postcode} {self.city}".strip(), self.country) if p)


class ContactRole(TimeStamped):
    """A person's role at a company: the contact person and their position."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="roles")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="contact_roles")
    position = models.CharField(_("position"), max_length=150, blank=True)
    department = models.CharField(_("department"), max_length=150, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    is_primary_contact = models.BooleanField(_("primary contact"), default=False)

    class Meta:
        verbose_name = _("contact role")
        verbose_name_plural = _("contact roles")
        indexes = [models.Index(fields=["company", "end_date"], name="role_company_end")]

    @property
    def is_current(self) -> bool:
        return self.end_date is None or self.end_date >= timezone.localdate()

