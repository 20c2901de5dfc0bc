"""Names and streets drawn from Faker once per locale, then sampled: Faker itself is far too slow per row.

A pool keeps Faker's frequencies (common names come up often because they
were drawn often), and sampling it with a seeded ``random.Random`` makes a run
repeatable and fast enough for a million customers.
"""

from __future__ import annotations

from dataclasses import dataclass

from faker import Faker

from kundebase.demo.places import COUNTRIES, Country

POOL_SIZE = 1500
STREET_POOL_SIZE = 800
COMPANY_POOL_SIZE = 600


@dataclass(frozen=True)
class Pools:
    female: tuple[str, ...]
    male: tuple[str, ...]
    family: tuple[str, ...]
    streets: tuple[str, ...]
    companies: tuple[str, ...]


def _draw(fn: object, count: int) -> tuple[str, ...]:
    return tuple(fn() for _ in range(count))  # type: ignore[operator]


def _company_stem(fake: Faker) -> str:
    """Faker's company name without its legal form; the form is added per country by the generator."""
    name = fake.company()
    for suffix in (" A/S", " ApS", " AS", " ASA", " BA", " Kft.", " Nyrt.", " Zrt.", " Bt.", " Kkt.", " GmbH & Co. KG",
                   " GmbH & Co. OHG", " GmbH", " AG", " KGaA", " KG", " OHG", " PLC", " Ltd", " LLC", " Inc",
                   " and Sons", " Group", " Gruppen"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return name.strip(" ,") or fake.last_name()


def build(seed: int) -> dict[str, Pools]:
    """One pool per demo country, the same for the same seed."""
    out: dict[str, Pools] = {}
    for i, country in enumerate(COUNTRIES):
        fake = Faker(country.locale)
        fake.seed_instance(seed * 31 + i)
        out[country.code] = Pools(
            female=_draw(fake.first_name_female, POOL_SIZE),
            male=_draw(fake.first_name_male, POOL_SIZE),
            family=_draw(fake.last_name, POOL_SIZE),
            streets=_draw(fake.street_name, STREET_POOL_SIZE),
            companies=tuple(_company_stem(fake) for _ in range(COMPANY_POOL_SIZE)),
        )
    return out


def street_line(country: Country, street: str, number: int, letter: str) -> str:
    """A street address as it is written in the country."""
    if country.code == "GB":
        return f"{number} {street}"
    if country.code == "HU":
        return f"{street} {number}."
    if country.code == "DK" and letter:
        return f"{street} {number}, {letter}"
    return f"{street} {number}{letter if country.code == 'NO' else ''}"
