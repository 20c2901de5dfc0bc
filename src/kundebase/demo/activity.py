"""Three years of orders, interactions and product interests for each customer of a chunk.

Spending is heavy-tailed on purpose (a customer's activity is log-normal, and
big customers buy both more often and more per order), so that a fifth of
the customers bring about four fifths of the revenue.  The "busy" profile buys
very often at thin margins and keeps the service desk occupied: frequent but
not profitable.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from kundebase.demo import texts
from kundebase.demo.catalogue import Catalogue
from kundebase.demo.customers import Customer
from kundebase.demo.rows import ChunkRows

YEARS = 3
ORDER_CHANNELS = (("web", 0.5), ("store", 0.27), ("phone", 0.1), ("email", 0.05), ("sales", 0.08))
SOURCES = {"web": "webshop", "store": "pos", "phone": "customer-service", "email": "customer-service",
           "sales": "field-sales"}
CENT = Decimal("0.01")
SIGMA = 0.72
"""Spread of the log-normal activity per customer; with the prospects who never buy it puts ≈ 80 % of the
revenue with the top 20 % of customers."""
COMPANY_SCALE = 1.5


def _money(cents: int) -> Decimal:
    return Decimal(cents) * CENT


class ActivityFactory:
    def __init__(self, rng: random.Random, catalogue: Catalogue, staff: list[int], now: dt.datetime,
                 currency: str) -> None:
        self.rng = rng
        self.catalogue = catalogue
        self.staff: list[int | None] = list(staff) or [None]
        self.now = now
        self.start = now - dt.timedelta(days=365 * YEARS)
        self.currency = currency
        self.prices = [(pid, name, int(price * 100), int(cost * 100), cat)
                       for pid, name, price, cost, cat in catalogue.products]
        self.channels = [c for c, _w in ORDER_CHANNELS]
        self.channel_weights = [w for _c, w in ORDER_CHANNELS]

    # --- orders ---------------------------------------------------------------------------------------------

    def _moments(self, c: Customer, count: int) -> list[dt.datetime]:
        first = max(self.start, c.since)
        span = max(1, int((self.now - first).total_seconds()) - 3600)
        return sorted(first + dt.timedelta(seconds=self.rng.randrange(span)) for _ in range(count))

    def orders(self, c: Customer, out: ChunkRows, next_order_id: int) -> tuple[int, list[int]]:
        """Append the customer's orders and lines; return the next free order id and the products bought."""
        rng = self.rng
        if c.profile == "prospect":
            return next_order_id, []
        if c.profile == "busy":
            count, scale = rng.randrange(22, 48), 1.0
        elif c.profile == "duplicate":
            count, scale = (1 if rng.random() < 0.4 else 0), 1.0
        else:
            activity = rng.lognormvariate(0.0, SIGMA)
            count = min(80, 1 + int(rng.expovariate(1.0) * activity * 1.6))
            scale = activity * (COMPANY_SCALE if c.kind == "company" else 1.0)
        bought: list[int] = []
        for moment in self._moments(c, count):
            channel = "sales" if c.kind == "company" and rng.random() < 0.5 else rng.choices(
                self.channels, self.channel_weights)[0]
            revenue = cost = 0
            order_id = next_order_id
            next_order_id += 1
            for _line in range(1 if rng.random() < 0.55 else rng.randrange(2, 5)):
                if c.profile == "busy":
                    index = rng.choice(self.catalogue.services if rng.random() < 0.7 else self.catalogue.goods)
                    discount = 0.0 if self.prices[index][4] in ("repair", "rental", "courses") else rng.uniform(
                        0.35, 0.45)
                    quantity = 1
                else:
                    index = rng.choice(self.catalogue.goods) if rng.random() < 0.88 else rng.choice(
                        self.catalogue.services)
                    discount = 0.0 if rng.random() < 0.8 else rng.choice((0.1, 0.15, 0.2))
                    quantity = max(1, int(rng.uniform(0.6, 1.4) * scale)) if scale > 1.5 else 1
                pid, name, price, unit_cost, _cat = self.prices[index]
                line_revenue = int(price * quantity * (1 - discount))
                line_cost = unit_cost * quantity
                revenue += line_revenue
                cost += line_cost
                out.order_lines.append((order_id, pid, name, Decimal(quantity), _money(line_revenue),
                                        _money(line_cost)))
                bought.append(index)
            out.orders.append([order_id, moment, moment, c.id, None, moment, channel, SOURCES[channel],
                               self.currency, _money(revenue), _money(cost)])
        if count:
            last = out.orders[-1][5]
            c.status = "active" if (self.now - last).days < 540 else "inactive"
        return next_order_id, bought

    # --- interactions ---------------------------------------------------------------------------------------

    def _text(self, pool: tuple[tuple[str, str], ...], c: Customer, product: str) -> tuple[str, str]:
        subject, body = self.rng.choice(pool)
        first = c.given.split()[0] if c.given else c.name
        return subject.format(product=product, name=first), body.format(product=product, name=first)

    def interactions(self, c: Customer, out: ChunkRows, bought: list[int]) -> None:
        rng = self.rng
        if c.profile == "busy":
            count = rng.randrange(12, 30)
        elif c.profile == "duplicate":
            count = rng.randrange(0, 2)
        else:
            count = min(40, int(rng.expovariate(1.0) * (1.5 + len(bought) * 0.3)))
            if c.kind == "company":
                count += rng.randrange(1, 5)
        lang = c.country.language
        for moment in self._moments(c, count):
            index = rng.choice(bought) if bought and rng.random() < 0.8 else rng.randrange(len(self.prices))
            _pid, product, _price, _cost, category = self.prices[index]
            r = rng.random()
            if c.profile == "busy":
                kind = "complaint" if r < 0.4 else "call" if r < 0.75 else "inquiry" if r < 0.9 else "email"
            elif c.kind == "company":
                kind = ("meeting" if r < 0.15 else "visit" if r < 0.25 else "call" if r < 0.45 else "email"
                        if r < 0.6 else "inquiry" if r < 0.72 else "letter" if r < 0.8 else "note" if r < 0.88
                        else "complaint" if r < 0.93 else "web_visit")
            else:
                kind = ("web_visit" if r < 0.25 else "email" if r < 0.4 else "call" if r < 0.52 else "inquiry"
                        if r < 0.64 else "complaint" if r < 0.7 else "visit" if r < 0.78 else "letter" if r < 0.82
                        else "note" if r < 0.88 else "campaign" if r < 0.97 else "purchase")
            out.interactions.append(self._interaction(c, kind, moment, product, category, lang))

    def _interaction(self, c: Customer, kind: str, moment: dt.datetime, product: str, category: str,
                     lang: str) -> tuple[object, ...]:
        rng = self.rng
        handler: int | None = rng.choice(self.staff)
        outcome = ""
        follow_up = None
        done_at = None
        if kind in ("inquiry", "complaint"):
            pool = (texts.COMPLAINT if kind == "complaint" else texts.INQUIRY)[lang]
            subject, body = self._text(pool, c, product)
            stored_kind = "inquiry" if kind == "inquiry" or rng.random() < 0.4 else "email"
            direction, channel = "in", ("email" if stored_kind == "email" else rng.choice(("email", "web", "phone")))
            outcome = rng.choice(texts.OUTCOMES[kind])
        elif kind == "email":
            subject, body = self._text(texts.INQUIRY[lang], c, product)
            if rng.random() < 0.5:
                stored_kind, direction, channel = "email", "in", "email"
            else:
                stored_kind, direction, channel = "email", "out", "email"
                subject = "Re: " + subject
                first = c.given.split()[0] if c.given else c.name
                body = texts.REPLIES[lang].format(name=first, product=product)
        elif kind == "call":
            subject, body = self._text(texts.CALL_NOTES, c, product)
            stored_kind, direction, channel = "call", rng.choice(("in", "in", "out")), "phone"
            outcome = rng.choice(texts.OUTCOMES["call"])
        elif kind == "visit":
            subject, body = self._text(texts.VISIT_NOTES, c, product)
            stored_kind, direction, channel = "visit", "in" if c.kind == "person" else "out", "in_person"
            outcome = rng.choice(texts.OUTCOMES["visit"])
        elif kind == "meeting":
            subject, body = self._text(texts.MEETINGS, c, product)
            stored_kind, direction, channel = "meeting", "out", "in_person"
            outcome = rng.choice(texts.OUTCOMES["meeting"])
        elif kind == "letter":
            subject, body = self._text(texts.LETTER_NOTES, c, product)
            stored_kind, direction, channel = "letter", "out", "post"
        elif kind == "note":
            subject, body = self._text(texts.NOTES, c, product)
            stored_kind, direction, channel = "note", "internal", "other"
        elif kind == "campaign":
            subject, body = rng.choice(texts.CAMPAIGNS[lang]), ""
            stored_kind, direction, channel, handler = "campaign", "out", "email", None
        elif kind == "purchase":
            subject, body = f"Web shop purchase: {product}", ""
            stored_kind, direction, channel, handler = "purchase", "in", "web", None
        else:
            page = rng.choice(texts.WEB_PAGES).format(sku=product.lower().replace(" ", "-")[:40], category=category)
            subject, body = page, ""
            stored_kind, direction, channel, handler = "web_visit", "in", "web", None
        if stored_kind in ("inquiry", "email", "call", "meeting", "visit") and direction != "internal" and \
                rng.random() < 0.2:
            follow_up = (moment + dt.timedelta(days=rng.randrange(2, 15))).date()
            if follow_up < self.now.date() and rng.random() < 0.85:
                done_at = dt.datetime.combine(follow_up, dt.time(rng.randrange(8, 16), rng.randrange(60)),
                                              tzinfo=dt.UTC)
        contact = rng.choice(c.contacts) if c.contacts and stored_kind not in ("web_visit", "campaign") else None
        return (c.id, contact, moment, moment, stored_kind, direction, channel, moment, subject[:300], body,
                outcome, handler, follow_up, done_at, "demo", "", {})

    # --- interests ------------------------------------------------------------------------------------------

    def interests(self, c: Customer, out: ChunkRows, bought: list[int]) -> None:
        rng = self.rng
        if rng.random() > (0.55 if bought else 0.25):
            return
        seen: set[tuple[int | None, int | None]] = set()
        for _i in range(rng.randrange(1, 4)):
            index = rng.choice(bought) if bought and rng.random() < 0.7 else rng.randrange(len(self.prices))
            pid, _name, _price, _cost, category = self.prices[index]
            key = (self.catalogue.category_ids[category], None) if rng.random() < 0.6 else (None, pid)
            if key in seen:
                continue
            seen.add(key)
            source = "purchase history" if bought and rng.random() < 0.5 else "stated"
            out.interests.append((c.id, key[0], key[1], c.since, c.since, source, True))
