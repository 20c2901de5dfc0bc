"""The demo load: customers in chunks, each chunk generated in memory and written in one transaction.

Memory stays flat however many customers are asked for: a chunk is built,
inserted and dropped before the next.  Customer and order numbers come from
the shared sequences, so numbers handed out later never collide with demo
ones.  The customers go through the parties' write path for generated rows,
which gives each one an audit entry (their access report says they are demo
data); one more entry records the load.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from kundebase.core import audit, sequences
from kundebase.demo import catalogue, duplicates, pools, rows
from kundebase.demo.activity import ActivityFactory
from kundebase.demo.customers import COMPANY_SHARE, DUPLICATE_SHARE, Customer, CustomerFactory, search_name
from kundebase.demo.writer import Table, next_id, reset_sequences
from kundebase.interactions.models import Interaction
from kundebase.orders.models import Order, OrderLine, ProductInterest
from kundebase.parties.models import Party
from kundebase.parties.services import generated

CHUNK = 2500
DEMO_ACTOR = "kundebase demo"
TRUTH_HEADER = ("original_customer_number", "duplicate_customer_number", "change")
STAFF = (("anne.berg", "sales"), ("lars.holm", "sales"), ("mette.dahl", "service"), ("jonas.lie", "service"),
         ("eva.nagy", "sales"), ("tobias.krause", "service"))
"""Employees who handle the demo timeline (no password: they cannot sign in until an administrator sets one)."""


@dataclass
class Result:
    customers: int
    persons: int
    companies: int
    duplicates: int
    """Duplicate persons, part of ``persons``."""
    orders: int
    interactions: int
    rows: int
    truth_path: Path
    company_duplicates: int = 0
    """Duplicate companies, part of ``companies``; the ground truth lists them beside the persons."""


def _staff() -> list[int]:
    from kundebase.core.roles import sync_roles

    User = get_user_model()
    if not Group.objects.filter(name="sales").exists():
        sync_roles()
    ids = []
    for name, role in STAFF:
        user = User.objects.filter(username=name).first()
        if user is None:
            user = User(username=name, first_name=name.split(".")[0].capitalize(),
                        last_name=name.split(".")[1].capitalize())
            user.set_unusable_password()
            user.save()
            user.groups.set([Group.objects.get(name=role)])
        ids.append(user.pk)
    return ids


class Loader:
    def __init__(self, *, seed: int, chunk: int = CHUNK) -> None:
        self.seed = seed
        self.chunk = chunk
        self.rng = random.Random(seed)
        # Midnight today: the same seed gives the same data all day, and nothing lies in the future.
        self.now = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
        self.today = timezone.localdate()
        self.pools = pools.build(seed)
        self.customers = CustomerFactory(self.rng, self.pools, self.today, self.now)
        self.company_duplicates = 0
        self.customer_columns = {
            "parties": rows.PARTY, "persons": rows.PERSON, "companies": rows.COMPANY,
            "contact_points": rows.CONTACT_POINT, "addresses": rows.ADDRESS, "roles": rows.ROLE}
        """The customers' tables, written by the parties' write path."""
        self.tables = {
            "orders": Table(Order, rows.ORDER), "order_lines": Table(OrderLine, rows.ORDER_LINE),
            "interactions": Table(Interaction, rows.INTERACTION), "interests": Table(ProductInterest, rows.INTEREST),
        }

    def run(self, customers: int, truth_path: Path, progress: Callable[[int], object] | None = None) -> Result:
        with transaction.atomic():
            cat = catalogue.ensure()
            staff = _staff()
        self.activity = ActivityFactory(self.rng, cat, staff, self.now, settings.KUNDEBASE_DEFAULT_CURRENCY)
        totals = {"persons": 0, "companies": 0, "duplicates": 0, "orders": 0, "interactions": 0, "rows": 0}
        truth_path.parent.mkdir(parents=True, exist_ok=True)
        with truth_path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(TRUTH_HEADER)
            done = 0
            while done < customers:
                size = min(self.chunk, customers - done)
                with transaction.atomic():
                    chunk = self._chunk(size)
                    self._write(chunk)
                writer.writerows(chunk.truth)
                fh.flush()
                totals["persons"] += len(chunk.persons)
                totals["companies"] += len(chunk.companies)
                totals["duplicates"] += len(chunk.truth)
                totals["orders"] += len(chunk.orders)
                totals["interactions"] += len(chunk.interactions)
                totals["rows"] += chunk.count()
                done += size
                if progress:
                    progress(size)
        with transaction.atomic():
            reset_sequences(Party, Order)
            audit.record(action="create", actor=DEMO_ACTOR, entity="demo", channel="cli",
                         fields=["parties", "orders", "interactions"],
                         note=f"demo data loaded: {customers} customers, seed {self.seed}")
        totals["duplicates"] -= self.company_duplicates
        return Result(customers=customers, truth_path=truth_path, company_duplicates=self.company_duplicates,
                      **totals)

    def _chunk(self, size: int) -> rows.ChunkRows:
        rng, factory = self.rng, self.customers
        out = rows.ChunkRows()
        first_number = sequences.allocate("customer_number", size)
        party_id = next_id(Party)
        persons: list[Customer] = []
        originals: list[Customer] = []
        companies: list[tuple[Customer, str, int]] = []
        company_originals: list[tuple[Customer, tuple[object, ...], str]] = []
        stems: dict[int, str] = {}
        generated: list[Customer] = []
        for i in range(size):
            number = str(first_number + i)
            r = rng.random()
            if r < COMPANY_SHARE and company_originals and rng.random() < DUPLICATE_SHARE:
                original, original_row, domain = rng.choice(company_originals[-100:])
                dup, row, domain, changes = duplicates.make_company(rng, original, original_row, domain, party_id,
                                                                    number, self.pools[original.country.code])
                out.truth.append((original.number, dup.number, ";".join(changes)))
                self.company_duplicates += 1
                out.companies.append(row)
                out.contact_points.extend(factory.contact_points(dup, domain))
                address = factory.address(dup, "visiting")
                if address:
                    out.addresses.append(address)
                generated.append(dup)
            elif r < COMPANY_SHARE:
                parent = None
                candidates = [c for c in companies[-40:] if c[2] < 3]
                if candidates and rng.random() < 0.3:
                    parent_c, _domain, depth = rng.choice(candidates)
                    parent = (parent_c, depth)
                company, row, domain = factory.company(party_id, number, parent[0] if parent else None,
                                                       stems.get(parent[0].id) if parent else None)
                stems[company.id] = company.name.rsplit(" ", 1)[0] if not parent else stems[parent[0].id]
                companies.append((company, domain, parent[1] + 1 if parent else 1))
                company_originals.append((company, row, domain))
                company.profile = "prospect" if rng.random() < 0.15 else "business"
                out.companies.append(row)
                out.contact_points.extend(factory.contact_points(company, domain))
                for kind in ("visiting", "billing") if rng.random() < 0.3 else ("visiting",):
                    address = factory.address(company, kind)
                    if address:
                        out.addresses.append(address)
                generated.append(company)
            elif originals and r < COMPANY_SHARE + DUPLICATE_SHARE:
                original = rng.choice(originals[-200:])
                dup, changes, spelled = duplicates.make(rng, original, party_id, number,
                                                        self.pools[original.country.code], factory.since(),
                                                        settings.KUNDEBASE_DEFAULT_COUNTRY, factory.mailboxes)
                out.truth.append((original.number, dup.number, ";".join(changes)))
                self._person_rows(dup, out, spelled)
                generated.append(dup)
            else:
                person = factory.person(party_id, number)
                r2 = rng.random()
                person.profile = "prospect" if r2 < 0.28 else "busy" if r2 < 0.32 else "regular"
                persons.append(person)
                originals.append(person)
                self._person_rows(person, out, "")
                generated.append(person)
            party_id += 1
        for company, _domain, _depth in companies:
            if not persons:
                break
            for j in range(rng.randrange(1, 4)):
                contact = rng.choice(persons)
                if contact.id in company.contacts:
                    continue
                company.contacts.append(contact.id)
                out.roles.append(factory.role(contact, company, j == 0))
        order_id = next_id(Order)
        for c in generated:
            order_id, bought = self.activity.orders(c, out, order_id)
            self.activity.interactions(c, out, bought)
            self.activity.interests(c, out, bought)
        for c in generated:
            out.parties.append((c.id, c.since, self.now, 1, c.kind, c.number, c.status, c.name, search_name(c.name),
                                c.country.language, {}))
        if out.orders:
            first_order = sequences.allocate("order_number", len(out.orders))
            for i, order in enumerate(out.orders):
                order[4] = str(first_order + i)
        return out

    def _person_rows(self, c: Customer, out: rows.ChunkRows, spelled_phone: str) -> None:
        out.persons.append((c.id, c.given, c.family, c.birth, c.gender))
        points = self.customers.contact_points(c)
        if spelled_phone:
            points = [p if p[3] not in ("mobile", "phone") or p[5] != (c.mobile or c.phone) else
                      (*p[:4], spelled_phone, *p[5:]) for p in points]
        out.contact_points.extend(points)
        address = self.customers.address(c)
        if address:
            out.addresses.append(address)

    def _write(self, chunk: rows.ChunkRows) -> None:
        chunk.companies.sort(key=lambda row: (row[5] is not None, row[0]))
        generated.store_generated({name: (columns, getattr(chunk, name))
                                   for name, columns in self.customer_columns.items()},
                                  actor=DEMO_ACTOR, channel="cli", note=f"demo data, seed {self.seed}")
        for name in ("orders", "order_lines", "interactions", "interests"):
            self.tables[name].insert(getattr(chunk, name))


def default_truth_path() -> Path:
    return Path(settings.KUNDEBASE_DATA_DIR) / "demo_duplicates.csv"
