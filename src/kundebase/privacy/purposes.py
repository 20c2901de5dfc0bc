"""The processing purposes the product ships with, named once.

Every module that needs a purpose by key (loyalty sign-up, campaigns, newsletters,
exports, the marketing check) takes it from here, and the migration that seeds the
``Purpose`` table reads :data:`SHIPPED` too, so code and database cannot disagree about
a key.  Administrators may add purposes or change names and descriptions; the keys
below are what the code relies on being there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from kundebase.core.errors import ErrorCollector

DIRECT_MARKETING = "direct_marketing"
NEWSLETTER = "newsletter"
LOYALTY_CLUB = "loyalty_club"
PROFILING = "profiling"
CUSTOMER_SERVICE = "customer_service"


class ShippedPurpose(NamedTuple):
    key: str
    name: str
    description: str
    legal_basis: str
    requires_consent: bool


SHIPPED: tuple[ShippedPurpose, ...] = (
    ShippedPurpose(DIRECT_MARKETING, "Direct marketing", "Offers about our products by e-mail, SMS, phone or post.",
                   "consent", True),
    ShippedPurpose(NEWSLETTER, "Newsletter", "The periodic newsletter the person subscribed to.", "consent", True),
    ShippedPurpose(LOYALTY_CLUB, "Loyalty club", "Membership benefits, points and member offers.", "contract", False),
    ShippedPurpose(PROFILING, "Profiling", "Analysing purchases and behaviour to personalise offers.", "consent",
                   True),
    ShippedPurpose(CUSTOMER_SERVICE, "Customer service", "Answering inquiries and handling orders and complaints.",
                   "contract", False),
)
"""Seeded by migration ``privacy.0003``; the defaults below must be among these keys."""

CAMPAIGN_DEFAULT = DIRECT_MARKETING
"""The purpose a campaign, a target-list export and the marketing check use unless told otherwise."""
NEWSLETTER_DEFAULT = NEWSLETTER
LOYALTY_DEFAULT = LOYALTY_CLUB


def require_defined(key: str, errors: ErrorCollector, field: str = "purpose") -> None:
    """Add a field error unless a purpose with this key exists (campaigns, newsletters, exports name one)."""
    from django.utils.translation import gettext as _

    from kundebase.privacy.models import Purpose

    if not Purpose.objects.filter(key=key).exists():
        errors.add(field, _("No purpose %(p)s is defined") % {"p": key[:60]}, "not_found")
