"""The demo generator's persons and injected duplicates as a plain CSV file, without a database.

The matching benchmark and anyone evaluating a matcher need the same customers
``kundebase demo`` loads, with the ground truth of which rows are one person,
but not a database around them.  The rows come from the very factories the
loader uses (``CustomerFactory.person`` and ``duplicates.make``), with the same
share of duplicates among persons, drawn from the last 200 originals as the
loader does.  The truth file lists every pair of rows that are one person (an
original with each of its duplicates, and duplicates of one original with each
other), which is what pairwise precision and recall are counted against.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path

from kundebase.demo import duplicates, pools
from kundebase.demo.customers import COMPANY_SHARE, DUPLICATE_SHARE, Customer, CustomerFactory

HEADER = ("id", "given_name", "family_name", "birth_date", "street", "postcode", "city", "phone", "email",
          "country")
DUPLICATE_SHARE_OF_PERSONS = DUPLICATE_SHARE / (1 - COMPANY_SHARE)
"""The loader draws companies, duplicates and persons from one roll; a persons-only file keeps the persons' share."""


def _row(c: Customer, spelled_phone: str) -> tuple[str, ...]:
    place = c.place
    return (c.number, c.given, c.family, c.birth.isoformat() if c.birth else "", c.street,
            place.postcode if place else "", place.city if place else "", spelled_phone or c.mobile or c.phone,
            c.email, c.country.code)


def write(count: int, data: Path, truth: Path, *, seed: int = 42, home: str = "NO",
          progress: Callable[[int], None] | None = None) -> tuple[int, int]:
    """Write ``count`` person rows to ``data`` and the true pairs to ``truth``; returns (rows, pairs).

    ``home`` is the register's home country: only there is a phone number written without its country code.
    """
    rng = random.Random(seed)
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    factory = CustomerFactory(rng, pools.build(seed), now.date(), now)
    originals: list[Customer] = []
    groups: dict[str, list[str]] = {}
    data.parent.mkdir(parents=True, exist_ok=True)
    truth.parent.mkdir(parents=True, exist_ok=True)
    with data.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for i in range(count):
            number = str(100_000 + i)
            if originals and rng.random() < DUPLICATE_SHARE_OF_PERSONS:
                original = rng.choice(originals[-200:])
                dup, _changes, spelled = duplicates.make(rng, original, i, number, factory.pools[original.country.code],
                                                         factory.since(), home, factory.mailboxes)
                groups.setdefault(original.number, [original.number]).append(number)
                writer.writerow(_row(dup, spelled))
            else:
                person = factory.person(i, number)
                originals.append(person)
                if len(originals) > 400:
                    del originals[:200]
                writer.writerow(_row(person, ""))
            if progress and (i + 1) % 10_000 == 0:
                progress(10_000)
    pairs = 0
    with truth.open("w", newline="", encoding="utf-8") as th:
        tw = csv.writer(th)
        tw.writerow(("id_l", "id_r"))
        for members in groups.values():
            for a in range(len(members)):
                for b in range(a + 1, len(members)):
                    tw.writerow((members[a], members[b]))
                    pairs += 1
    return count, pairs
