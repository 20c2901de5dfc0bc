"""A web shop page that shows a signed-in customer's next-best offers — server side, standard library only.

The shop's server (never the browser) calls Kundebase with a *read* token, which can only read profiles and
offers, so a leaked token cannot change or export anything.  Run it beside Kundebase:

    kundebase tokens issue shop-user --name webshop --scope read      # prints kb_…
    KUNDEBASE_URL=http://127.0.0.1:8000 KUNDEBASE_READ_TOKEN=kb_… python examples/webshop_offers.py

and open http://127.0.0.1:8080/?customer=10001 (any id form works: customer number, the shop's own user id
as sent to the event API, e-mail, phone).  When the customer takes an offer, the shop sends
``track "Offer Accepted"`` with ``properties.offer_id`` through the event API with its write key.

If Kundebase is slow or down the page still renders, without offers: an offer is a nicety, the shop is not.
"""

from __future__ import annotations

import html
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TIMEOUT = 0.5
"""Seconds the page waits for Kundebase before it renders without offers."""


def fetch_offers(base_url: str, token: str, customer: str, *, channel: str = "web", limit: int = 3
                 ) -> dict[str, Any] | None:
    """The offers answer for one customer, or ``None`` when there is none to show (unknown customer,
    rate-limited, Kundebase unreachable)."""
    query = urllib.parse.urlencode({"channel": channel, "limit": limit})
    url = f"{base_url.rstrip('/')}/api/v1/profiles/{urllib.parse.quote(customer, safe='')}/offers?{query}"
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}",
                                                   "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return json.load(response)
    except (urllib.error.URLError, TimeoutError, ValueError):
        return None


def render(answer: dict[str, Any] | None) -> str:
    """The page: the offers, each with its name and discount, escaped."""
    items = []
    for ranked in (answer or {}).get("offers") or []:
        offer = ranked["offer"]
        discount = f" – {offer['discount_pct']:g} %" if offer.get("discount_pct") else ""
        items.append(f'<li data-offer="{int(offer["id"])}">{html.escape(offer["name"])}{html.escape(discount)}'
                     f'<p>{html.escape(offer.get("content") or "")}</p></li>')
    body = f"<ul>{''.join(items)}</ul>" if items else "<p>Welcome back!</p>"
    return f"<!doctype html><meta charset=utf-8><title>Offers for you</title><h1>Offers for you</h1>{body}"


class OfferPage(BaseHTTPRequestHandler):
    base_url = os.environ.get("KUNDEBASE_URL", "http://127.0.0.1:8000")
    token = os.environ.get("KUNDEBASE_READ_TOKEN", "")

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        customer = (query.get("customer") or [""])[0]
        answer = fetch_offers(self.base_url, self.token, customer) if customer and self.token else None
        page = render(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)


def main() -> None:
    port = int(os.environ.get("PORT", "8080"))
    if not OfferPage.token:
        sys.stderr.write("set KUNDEBASE_READ_TOKEN to a read token (kundebase tokens issue USER --scope read)\n")
        raise SystemExit(2)
    ThreadingHTTPServer(("127.0.0.1", port), OfferPage).serve_forever()


if __name__ == "__main__":
    main()
