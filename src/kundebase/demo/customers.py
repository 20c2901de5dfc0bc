"""Persons and companies of one chunk: names, birth dates, contact points, addresses, groups and contact roles."""

from __future__ import annotations

import bisect
import datetime as dt
import random
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from itertools import accumulate

from kundebase.core.identifiers import fold, org_number_key
from kundebase.demo import numbers
from kundebase.demo.mailboxes import SHARED_MAILBOX_SHARE, Mailboxes
from kundebase.demo.places import COUNTRIES, Country, Place
from kundebase.demo.pools import Pools, street_line
from kundebase.parties.names import person_name

CUMULATIVE = tuple(accumulate(c.weight for c in COUNTRIES))
COMPANY_SHARE = 0.10
DUPLICATE_SHARE = 0.05
TLD = {"NO": "no", "DK": "dk", "HU": "hu", "DE": "de", "GB": "co.uk"}
COUNTRY_WORD = {"NO": "Norge", "DK": "Danmark", "HU": "Magyarország", "DE": "Deutschland", "GB": "UK"}
NACE = ("47.64", "47.71", "46.42", "46.49", "62.01", "41.20", "43.21", "56.10", "85.51", "86.21", "49.41",
        "70.22", "93.11", "93.29", "55.10", "79.12", "71.12", "69.20", "01.13", "16.23")
POSITIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "nb": (("Daglig leder", "Ledelse"), ("Innkjøpssjef", "Innkjøp"), ("Innkjøper", "Innkjøp"),
           ("Økonomisjef", "Økonomi"), ("HR-rådgiver", "HR"), ("Butikksjef", "Salg"), ("Kontormedarbeider", "Admin")),
    "da": (("Administrerende direktør", "Ledelse"), ("Indkøbschef", "Indkøb"), ("Indkøber", "Indkøb"),
           ("Økonomichef", "Økonomi"), ("HR-konsulent", "HR"), ("Butikschef", "Salg")),
    "hu": (("Ügyvezető igazgató", "Vezetőség"), ("Beszerzési vezető", "Beszerzés"), ("Beszerző", "Beszerzés"),
           ("Pénzügyi vezető", "Pénzügy"), ("HR-munkatárs", "HR"), ("Üzletvezető", "Értékesítés")),
    "de": (("Geschäftsführer", "Geschäftsleitung"), ("Einkaufsleiter", "Einkauf"), ("Einkäufer", "Einkauf"),
           ("Leiter Finanzen", "Finanzen"), ("Personalreferentin", "Personal"), ("Filialleiter", "Vertrieb")),
    "en": (("Managing Director", "Management"), ("Head of Procurement", "Procurement"), ("Buyer", "Procurement"),
           ("Finance Director", "Finance"), ("HR Manager", "HR"), ("Store Manager", "Sales")),
}


@dataclass(slots=True)
class Customer:
    """What the rest of the chunk needs to know about a generated customer."""

    id: int
    number: str
    country: Country
    kind: str
    since: dt.datetime
    name: str
    given: str = ""
    family: str = ""
    birth: dt.date | None = None
    gender: str = ""
    email: str = ""
    mobile: str = ""
    phone: str = ""
    place: Place | None = None
    street: str = ""
    contacts: list[int] = field(default_factory=list)
    profile: str = "regular"
    status: str = "prospect"


@lru_cache(maxsize=20000)
def ascii_word(text: str) -> str:
    """A name as it appears in an e-mail address: folded to ASCII, letters only."""
    return re.sub(r"[^a-z]", "", fold(text))


@lru_cache(maxsize=50000)
def search_name(name: str) -> str:
    return fold(name)


def pick_country(rng: random.Random) -> Country:
    return COUNTRIES[min(bisect.bisect(CUMULATIVE, rng.random() * CUMULATIVE[-1]), len(COUNTRIES) - 1)]


def email_for(rng: random.Random, country: Country, given: str, family: str, birth: dt.date | None) -> str:
    first, last = ascii_word(given.split()[0]) or "post", ascii_word(family) or "mail"
    style = rng.random()
    if style < 0.35:
        local = f"{first}.{last}"
    elif style < 0.55:
        local = f"{first}{last}"
    elif style < 0.7:
        local = f"{first[0]}.{last}"
    elif style < 0.8:
        local = f"{first}_{last}"
    else:
        local = f"{first}{rng.randrange(1, 1000)}"
    if rng.random() < 0.6:
        local += str(birth.year % 100).zfill(2) if birth and rng.random() < 0.5 else str(rng.randrange(1, 100))
    return f"{local}@{rng.choice(country.email_domains)}"


def random_street(rng: random.Random, country: Country, pools: Pools) -> str:
    letter = ""
    if country.code == "NO" and rng.random() < 0.15:
        letter = rng.choice("ABC")
    elif country.code == "DK" and rng.random() < 0.4:
        letter = f"{rng.randrange(1, 5)}. {rng.choice(('th', 'tv', 'mf'))}"
    return street_line(country, rng.choice(pools.streets), rng.randrange(1, 140), letter)


class CustomerFactory:
    """Makes the rows of persons and companies; one per load, fed one chunk at a time."""

    def __init__(self, rng: random.Random, pools: dict[str, Pools], today: dt.date, now: dt.datetime) -> None:
        self.rng = rng
        self.pools = pools
        self.today = today
        self.now = now
        self.first_birth = dt.date(today.year - 88, 1, 1).toordinal()
        self.last_birth = dt.date(today.year - 18, 1, 1).toordinal()
        self.mailboxes = Mailboxes()
        self.households: list[Customer] = []
        """Recent persons with a mailbox and a home, whose partner may come next and share both."""

    def since(self) -> dt.datetime:
        """When the customer was first registered: up to ten years ago, most within the last four."""
        days = int(min(3650, self.rng.expovariate(1 / 700)))
        return self.now - dt.timedelta(days=days, seconds=self.rng.randrange(86400))

    def person(self, party_id: int, number: str) -> Customer:
        rng = self.rng
        partner = rng.choice(self.households) if self.households and rng.random() < SHARED_MAILBOX_SHARE else None
        country = partner.country if partner else pick_country(rng)
        pools = self.pools[country.code]
        r = rng.random()
        gender = "female" if r < 0.49 else "male" if r < 0.975 else "diverse" if r < 0.985 else ""
        names = pools.female if gender == "female" or (gender in ("", "diverse") and r < 0.98) else pools.male
        given = rng.choice(names)
        if rng.random() < 0.08:
            given = f"{given} {rng.choice(names)}" if country.code != "HU" else given
        family = partner.family if partner and rng.random() < 0.5 else rng.choice(pools.family)
        if not partner and country.code in ("NO", "DK") and rng.random() < 0.06:
            joiner = " " if country.code == "DK" else "-"
            family = f"{rng.choice(pools.family)}{joiner}{family}"
        birth = dt.date.fromordinal(rng.randrange(self.first_birth, self.last_birth)) if rng.random() < 0.85 else None
        c = Customer(id=party_id, number=number, country=country, kind="person", since=self.since(),
                     name=person_name(given, family, country.language), given=given, family=family, birth=birth,
                     gender=gender)
        if partner:  # a household's shared mailbox, at the shared home
            c.email, c.place, c.street = partner.email, partner.place, partner.street
        elif rng.random() < 0.9:
            c.email = self.mailboxes.claim(rng, email_for(rng, country, given, family, birth))
        if rng.random() < 0.85:
            c.mobile = numbers.phone(rng, country)
        if rng.random() < 0.15:
            c.phone = numbers.phone(rng, country, mobile=False)
        if not partner and rng.random() < 0.97:
            c.place = rng.choice(country.places)
            c.street = random_street(rng, country, pools)
        if not partner and c.email and c.place:
            self.households.append(c)
            if len(self.households) > 400:
                del self.households[:200]
        return c

    def company(self, party_id: int, number: str, parent: Customer | None, parent_stem: str | None) -> tuple[
            Customer, tuple[object, ...], str]:
        rng = self.rng
        country = pick_country(rng)
        pools = self.pools[country.code]
        stem = rng.choice(pools.companies)
        if parent_stem and rng.random() < 0.7:
            stem = f"{parent_stem} {COUNTRY_WORD[country.code]}"
        form = rng.choice(country.company_forms)
        legal_name = f"{stem} {form}"
        domain = re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", fold(stem))).strip("-")[:40] or "firma"
        c = Customer(id=party_id, number=number, country=country, kind="company", since=self.since(), name=legal_name)
        c.email = f"{rng.choice(('post', 'info', 'kontakt', 'office', 'invoice'))}@{domain}.{TLD[country.code]}"
        c.phone = numbers.phone(rng, country, mobile=False)
        c.place = rng.choice(country.places)
        c.street = random_street(rng, country, pools)
        employees = max(1, int(rng.lognormvariate(2.3, 1.4)))
        org = numbers.org_number(rng, country.code)
        r = rng.random()
        dunning = "none" if r < 0.85 else "reminder_1" if r < 0.93 else "reminder_2" if r < 0.97 else "debt_collection"
        revenue = Decimal(int(employees * rng.uniform(0.8, 2.5) * 1_000_000) // 1000 * 1000)
        row = (party_id, legal_name, org, org_number_key(org), country.code, parent.id if parent else None,
               rng.choice(NACE), employees, revenue,
               numbers.bank_account(rng, country.code) if rng.random() < 0.7 else "",
               rng.choice((10, 14, 14, 30, 30, 30, 45, 60)), Decimal(rng.choice((0, 25, 50, 100, 250, 500)) * 1000),
               dunning)
        return c, row, domain

    def contact_points(self, c: Customer, domain: str = "") -> list[tuple[object, ...]]:
        created = c.since
        out: list[tuple[object, ...]] = []
        if c.email:
            out.append((c.id, created, created, "email", c.email, c.email.lower(), "", True, self.rng.random() < 0.6))
        if c.mobile:
            out.append((c.id, created, created, "mobile", c.mobile, c.mobile, "", True, self.rng.random() < 0.4))
        if c.phone:
            out.append((c.id, created, created, "phone", c.phone, c.phone, "work" if c.kind == "company" else "home",
                        True, False))
        if domain:
            site = f"https://www.{domain}.{TLD[c.country.code]}"
            out.append((c.id, created, created, "website", site, site.removeprefix("https://www."), "", True, False))
        return out

    def address(self, c: Customer, kind: str = "postal") -> tuple[object, ...] | None:
        if c.place is None:
            return None
        p = c.place
        return (c.id, c.since, c.since, kind, c.street, p.postcode, p.city, p.municipality, p.region, c.country.code,
                True, c.since.date())

    def role(self, person: Customer, company: Customer, first: bool) -> tuple[object, ...]:
        rng = self.rng
        position, department = rng.choice(POSITIONS[company.country.language])
        start = (company.since - dt.timedelta(days=rng.randrange(0, 2000))).date()
        end = None
        if rng.random() < 0.1:
            end = start + dt.timedelta(days=rng.randrange(200, 1500))
            if end >= self.today:
                end = None
        created = max(person.since, company.since)
        return (person.id, company.id, created, created, position, department, start, end, first and end is None)
