"""The duplicate check at entry against a database of N customers (used by ``benchmarks/matching.py``).

The customers are the multilingual benchmark file, written straight into an
SQLite database with their blocking keys (services would take hours for a
million); queries are corrupted copies of customers, the way a duplicate is
typed at the counter.  The check runs ``entry.likely_duplicates`` exactly as the
parties services call it.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
WARM_UP = 20
"""Calls not timed at the start of each measured loop, on both sides."""


def entry_benchmark(size: int, work: Path, queries: int = 2000) -> str:
    """Run the measurement in a child process with its own database; return the markdown section."""
    db = work / f"entry_{size}.sqlite3"
    env = dict(os.environ, KUNDEBASE_DATABASE_URL=f"sqlite:///{db}", KUNDEBASE_DATA_DIR=str(work / "data"),
               KUNDEBASE_ENV="test", DJANGO_SETTINGS_MODULE="kundebase.settings")
    out = work / f"entry_{size}.json"
    subprocess.run([sys.executable, "-m", "benchmarks.matching_entry", str(size), str(work), str(queries), str(out)],
                   cwd=ROOT.parent, env=env, check=True)
    r = json.loads(out.read_text())
    return (f"### Entry check against {r['customers']:,} customers (SQLite)\n\n"
            f"| query | p50 ms | p99 ms | ratio p99 to a primary-key SELECT |\n|---|---|---|---|\n"
            f"| `likely_duplicates` ({r['queries']} corrupted copies, {r['found_share']:.0%} found) | "
            f"{r['p50']:.2f} | {r['p99']:.2f} | {r['p99'] / r['pk_p99']:.1f} |\n"
            f"| primary-key SELECT (baseline) | {r['pk_p50']:.3f} | {r['pk_p99']:.3f} | 1.0 |\n\n"
            f"{r['keys']:,} blocking keys; " + (f"loading the database took {r['load_seconds']:.0f} s." if
                                                r["load_seconds"] else "the database was loaded by an earlier run."))


def _load(size: int, work: Path) -> tuple[list[dict[str, Any]], int, float]:
    from django.core.management import call_command
    from django.db import connection, transaction

    from benchmarks.multilingual import generate
    from kundebase.core import identifiers
    from kundebase.matching import store
    from kundebase.matching.normalise import contacts
    from kundebase.parties.models import Party

    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    data, _truth = generate(size, work)
    rows = list(csv.DictReader(data.open(encoding="utf-8")))
    if Party.objects.count() >= size:
        _drop_impossible_dates()
        return rows, 0, 0.0
    now = "2026-01-01 00:00:00"
    keys = 0
    with transaction.atomic(), connection.cursor() as cur:
        for chunk in range(0, len(rows), 20_000):
            part = rows[chunk:chunk + 20_000]
            parties, persons, cps, addrs, bks = [], [], [], [], []
            for i, r in enumerate(part, start=chunk + 1):
                name = f"{r['given_name']} {r['family_name']}"
                parties.append((i, now, now, 1, "person", str(100000 + i), "active", name, name.lower(), "", "{}"))
                persons.append((i, r["given_name"], r["family_name"], _valid_date(r["birth_date"]), ""))
                if r["email"]:
                    cps.append((now, now, i, "email", r["email"], contacts.email(r["email"]), "", True, False))
                if r["phone"]:
                    cps.append((now, now, i, "mobile", r["phone"], identifiers.phone_key(r["phone"], r["country"]), "",
                                True, False))
                addrs.append((now, now, i, "postal", r["street"], r["postcode"], r["city"], "", "", r["country"],
                              True))
                record = {**r, "extra_phones": [r["phone"]] if r["phone"] else [],
                          "extra_emails": [r["email"]] if r["email"] else []}
                bks += [(i, k) for k in store.record_keys("person", record)]
            cur.executemany("INSERT INTO parties_party (id, created_at, updated_at, version, kind, customer_number, "
                            "status, display_name, search_name, preferred_language, custom_fields) "
                            "VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)", parties)
            cur.executemany("INSERT INTO parties_person (party_ptr_id, given_name, family_name, birth_date, gender) "
                            "VALUES (%s,%s,%s,%s,%s)", persons)
            cur.executemany("INSERT INTO parties_contactpoint (created_at, updated_at, party_id, kind, value, "
                            "normalised, label, is_primary, is_verified) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s)", cps)
            cur.executemany("INSERT INTO parties_address (created_at, updated_at, party_id, kind, street, postcode, "
                            "city, municipality, region, country, is_primary) "
                            "VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)", addrs)
            cur.executemany("INSERT INTO matching_blockingkey (party_id, key) VALUES (%s,%s)", bks)
            keys += len(bks)
    return rows, keys, time.perf_counter() - start


def _valid_date(text: str) -> str | None:
    """The generator's corrupted copies may carry an impossible date (30 February); the DateField cannot."""
    import datetime as dt

    try:
        return dt.date.fromisoformat(text).isoformat() if text else None
    except ValueError:
        return None


def _drop_impossible_dates() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT party_ptr_id, CAST(birth_date AS TEXT) FROM parties_person WHERE birth_date IS NOT NULL")
        bad = [(pid,) for pid, born in cur.fetchall() if _valid_date(str(born)) is None]
        cur.executemany("UPDATE parties_person SET birth_date = NULL WHERE party_ptr_id = %s", bad)


def _measure(size: int, work: Path, queries: int, out: Path) -> None:
    import django

    django.setup()
    import numpy as np
    from django.db import connection

    from benchmarks.multilingual import _corrupt
    from kundebase.matching import entry
    from kundebase.matching.models import BlockingKey

    rows, keys, load_seconds = _load(size, work)
    keys = keys or BlockingKey.objects.count()
    rng = np.random.default_rng(3)
    pool = {"street": ["Ringveien", "Hauptstraße"], "place": ["0155|Oslo", "10115|Berlin"]}
    picks = rng.integers(0, len(rows), queries)
    times, found = [], 0
    for n, i in enumerate(picks):
        r = _corrupt(rng, rows[int(i)], pool, "+47")
        cps = ([{"kind": "email", "value": r["email"]}] if r["email"] else []) + (
            [{"kind": "mobile", "value": r["phone"]}] if r["phone"] else [])
        addrs = [{"street": r["street"], "postcode": r["postcode"], "city": r["city"], "country": r["country"],
                  "is_primary": True}]
        fields = {"given_name": r["given_name"], "family_name": r["family_name"], "birth_date": r["birth_date"]}
        t = time.perf_counter()
        result = entry.likely_duplicates(kind="person", fields=fields, contact_points=cps, addresses=addrs)
        if n >= WARM_UP:  # the first calls warm caches, as a running server has
            times.append((time.perf_counter() - t) * 1000)
        found += any(c.party_id == int(i) + 1 for c in result)
    pk_times = []
    with connection.cursor() as cur:
        for n, i in enumerate(rng.integers(1, len(rows), queries)):
            t = time.perf_counter()
            cur.execute("SELECT * FROM parties_party WHERE id = %s", [int(i)])
            cur.fetchall()
            if n >= WARM_UP:  # the same warm-up as the check above
                pk_times.append((time.perf_counter() - t) * 1000)
    out.write_text(json.dumps({
        "customers": len(rows), "queries": queries, "keys": keys, "load_seconds": load_seconds,
        "p50": float(np.percentile(times, 50)), "p99": float(np.percentile(times, 99)),
        "pk_p50": float(np.percentile(pk_times, 50)), "pk_p99": float(np.percentile(pk_times, 99)),
        "found_share": found / queries}))


if __name__ == "__main__":
    _measure(int(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4]))
