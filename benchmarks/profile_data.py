"""The profile benchmark's installation: a book of customers and orders, offers, consents, tokens, an import file.

The customers, their orders and interactions are the analytics benchmark's book (:mod:`benchmarks.analytics_data`:
generated set-based in DuckDB, loaded into PostgreSQL with ``COPY`` and the indexes built afterwards), because
ten million orders written through the demo loader's Python factories take far longer than the measurement.
What a web shop's calls touch beyond that goes through the product's own services: the offers
(``offers.services.create_offer``) and the consent to profiling of the customers the load asks for
(``privacy.consent.record``) — without it every web offer is left out for want of consent and the offers
endpoint would never record a showing.  The 100,000-row file imported during the measurement is the demo
generator's persons (:mod:`kundebase.demo.person_file`), as the import benchmark uses them.
"""

from __future__ import annotations

import os
import random
import sys
from collections.abc import Callable
from pathlib import Path

from benchmarks import analytics_data

ROOT = Path(__file__).resolve().parent.parent
Progress = Callable[[str], None]


def setup_django(data_dir: Path, url: str) -> None:
    """Django in this process, on the benchmark's database, migrated (the setup writes through the services)."""
    os.environ.update(KUNDEBASE_ENV="test", KUNDEBASE_DATA_DIR=str(data_dir), KUNDEBASE_DATABASE_URL=url,
                      DJANGO_SETTINGS_MODULE="kundebase.settings", KUNDEBASE_EVENT_PROCESSING="off")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def load_book(work: Path, conninfo: dict[str, object], customers: int, orders: int, interactions: int,
              progress: Progress) -> None:
    """Customers (persons with an address), orders and interactions, by COPY."""
    from django.db import connections

    files = analytics_data.generate(work, customers, orders, interactions, progress)
    connections.close_all()
    analytics_data.load_postgresql(conninfo, files, progress)
    for path in files.values():
        path.unlink()


def sample(customers: int, size: int, seed: int = 17) -> list[int]:
    """The customers the load asks for: spread over the whole book, the same ones in every run."""
    return sorted(random.Random(seed).sample(range(1, customers + 1), min(size, customers)))


def customer_number(party_id: int) -> str:
    return f"K{party_id:08d}"  # the book's numbering (analytics_data)


def offers_and_consents(count: int, party_ids: list[int], progress: Progress) -> None:
    """``count`` active web offers, and consent to profiling for every customer in ``party_ids``."""
    from kundebase.offers import services
    from kundebase.privacy import consent
    from kundebase.privacy.models import Purpose

    Purpose.objects.get_or_create(key="direct_marketing", defaults={
        "name": "Direct marketing", "description": "Offers", "legal_basis": "consent"})
    rng = random.Random(5)
    for i in range(count):
        services.create_offer(data={"name": f"Offer {i + 1}", "kind": "content", "content": f"Offer number {i + 1}",
                                    "discount_pct": rng.choice([0, 5, 10, 15, 20]), "margin": 20 + rng.random() * 180,
                                    "channel": "web", "priority": rng.randint(0, 9), "active": True})
    for party_id in party_ids:
        consent.record(party_id=party_id, purpose="direct_marketing", channel="profiling", status="granted")
    progress(f"{count} offers, consent to profiling for {len(party_ids)} customers")


def build_parts(party_ids: list[int]) -> dict[str, list[float]]:
    """Seconds each part of a profile's computation takes, per customer: where a cold read's time goes.

    Runs the product's own part functions (``offers.profiles``) in this process, on the benchmark's database
    and the server's analytics mirror; the first customer is left out (it pays for loading the code).
    """
    import time

    from kundebase.offers import profiles
    from kundebase.offers.freshness import EVERYTHING

    parts = {"identity": profiles._identity_part, "consent": profiles.consent_part,
             "segments": lambda party_id: profiles._segments_part(party_id, EVERYTHING, None),
             "key figures, RFM and lifetime value": profiles._figures_part,
             "loyalty": profiles._loyalty_part, "last interactions": profiles._interactions_part,
             "interests": profiles._interests_part, "offer counters": profiles._offers_part}
    out: dict[str, list[float]] = {name: [] for name in parts}
    for n, party_id in enumerate(party_ids):
        for name, part in parts.items():
            started = time.perf_counter()
            part(party_id)
            if n:
                out[name].append(time.perf_counter() - started)
    return out


def import_file(path: Path, rows: int) -> Path:
    """A persons file of ``rows`` rows from the demo generator (with its share of second records)."""
    from kundebase.demo import person_file

    person_file.write(rows, path, path.with_suffix(".truth.csv"), seed=23)
    return path
