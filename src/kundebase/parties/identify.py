"""Finding the customer a form is about, as people name them: customer number, e-mail, phone or name.

The pages never ask for an internal id.  An identifier (customer number, e-mail, phone) is an exact match
through the look-up the call centre uses; otherwise the name search of the search page.  Exactly one customer
must match: several are listed in the error so the person at the desk can type the customer number instead.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from kundebase.core.errors import ValidationFailed
from kundebase.parties.lookup import lookup
from kundebase.parties.models import Party
from kundebase.parties.search import search

SHOWN_CANDIDATES = 5


def find(text: str, field: str = "customer") -> Party:
    """The one customer ``text`` names; a :class:`ValidationFailed` on ``field`` when none or several do."""
    query = (text or "").strip()
    if not query:
        raise ValidationFailed.one(field, _("Type the customer number, name or e-mail address"), "required")
    ids = lookup(query, limit=SHOWN_CANDIDATES + 1)
    if not ids:
        ids = [p.pk for p in search(query, limit=SHOWN_CANDIDATES + 1).items]
    if not ids:
        raise ValidationFailed.one(field, _("No customer found: “%(q)s” does not exist as a customer number, name "
                                            "or e-mail address") % {"q": query}, "not_found")
    if len(ids) > 1:
        found = Party.objects.filter(pk__in=ids[:SHOWN_CANDIDATES]).order_by("display_name")
        names = ", ".join(f"{p.display_name} ({p.customer_number})" for p in found)
        raise ValidationFailed.one(field, _("Several customers match: %(names)s. Type the customer number.")
                                   % {"names": names}, "ambiguous")
    return Party.objects.get(pk=ids[0])
