"""Finding customers: search as you type, the filtered list, and the call-centre screen pop.

Search as you type uses a small script of our own (``static/web/live-search.js``, ~40 lines)
rather than htmx: it needs only one behaviour (fetch a server-rendered fragment while typing,
debounced, cancelling the previous request), adds no build step or package download to a
fresh clone, and the page works without it — the search box is an ordinary GET form.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from kundebase.core import identifiers
from kundebase.parties import search as finding
from kundebase.parties import services
from kundebase.parties.models import Address, ContactPoint, Party
from kundebase.web import listing
from kundebase.web.access import VIEW_CUSTOMERS, requires

SEARCH_LIMIT = 20
MAX_QUERY = 200


def _offset(request: HttpRequest) -> int:
    """The page asked for; anything that is not a position within what is counted shows the first page."""
    raw = request.GET.get("offset", "0")
    return int(raw) if raw.isdigit() and int(raw) <= finding.COUNT_CAP else 0


def _with_details(parties: list[Party]) -> list[dict[str, object]]:
    """Each hit with its primary city and phone/e-mail, read for all hits in two queries."""
    ids = [p.pk for p in parties]
    cities: dict[int, str] = {}
    for pid, city in Address.objects.filter(party_id__in=ids).order_by("-is_primary", "id").values_list(
            "party_id", "city"):
        cities.setdefault(pid, city)
    contacts: dict[int, str] = {}
    for pid, value in ContactPoint.objects.filter(party_id__in=ids, kind__in=("email", "mobile", "phone")).order_by(
            "-is_primary", "kind", "id").values_list("party_id", "value"):
        contacts.setdefault(pid, value)
    return [{"party": p, "city": cities.get(p.pk, ""), "contact": contacts.get(p.pk, "")} for p in parties]


@requires(*VIEW_CUSTOMERS)
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:MAX_QUERY]
    page = finding.search(query, offset=_offset(request), limit=SEARCH_LIMIT) if query.strip() else None
    hits = _with_details(page.items) if page else []
    template = "web/search_results.html" if request.GET.get("fragment") == "1" else "web/search.html"
    links: dict[str, str] = {}
    if page is not None:
        for name, offset in (("next_url", page.next_offset), ("previous_url", page.previous_offset)):
            if offset is not None:
                links[name] = "?" + urlencode({"q": query, "offset": str(offset)})
    return render(request, template, {"query": query, "hits": hits, "page": page, **links})


@requires(*VIEW_CUSTOMERS)
def customer_list(request: HttpRequest) -> HttpResponse:
    form = listing.CustomerFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    page = listing.page(data, request.GET.get("page", 1))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "web/customer_list.html", {"form": form, "page": page, "filters": params.urlencode()})


@requires(*VIEW_CUSTOMERS)
def screen_pop(request: HttpRequest) -> HttpResponse:
    """``/lookup?phone=…`` from the telephony system: one match opens the customer, several ask, none offers
    a new customer with the number filled in.  One indexed look-up, so it answers well under 100 ms."""
    phone = request.GET.get("phone", "").strip()[:40]
    ids = services.lookup(phone) if phone else []
    parties = Party.objects.in_bulk(ids)
    # A merged record points at the customer who survived it; the caller is that customer.
    found: list[Party] = []
    for pid in ids:
        party = parties.get(pid)
        if party is None:
            continue
        target_id = party.merged_into_id or party.pk
        if all(p.pk != target_id for p in found):
            found.append(party if not party.merged_into_id else Party.objects.get(pk=target_id))
    if len(found) == 1:
        return redirect("customer", party_id=found[0].pk)
    if found:
        return render(request, "web/screen_pop.html", {"phone": phone, "hits": _with_details(found)})
    normalised = identifiers.phone_or_none(phone) if phone else None
    new_url = reverse("customer-create", args=["person"]) + "?" + urlencode({"phone": normalised or phone})
    return render(request, "web/screen_pop.html", {"phone": phone, "hits": [], "new_url": new_url,
                                                   "valid": bool(normalised)}, status=200 if phone else 400)
