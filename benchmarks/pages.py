"""Server time of the pages a call centre lives on, at register scale.

``python -m benchmarks.pages [--customers 100000] [--interactions 1000000] [--backend both|sqlite|postgresql]``

Bulk-inserts a synthetic register (persons and companies with a mobile number, e-mail and address;
interactions and orders spread over them), then measures in-process with the Django test client
(the full request path: middleware, session, permission checks, queries, template rendering):

* search as you type: the fragment requests a user sends while typing names, typos and phones;
* the customer 360 page of random customers;
* the screen pop ``/lookup?phone=…`` with numbers written as ``0047 4xx xx xxx``;

each against ``parties.services.lookup`` of the same numbers measured in the same run.  With
``--backend both`` each backend runs in its own process (PostgreSQL in a throwaway cluster).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tqdm import tqdm

from benchmarks.party_rows import insert_parties

GIVEN = ["Kari", "Ola", "Åse", "Øystein", "Bjørn", "Ingrid", "Lars", "Sofie", "Jørgen", "Mette", "Henrik", "Silje",
         "Knut", "Ragnhild", "Frode", "Tone", "Anders", "Hanne", "Sigurd", "Marit", "Søren", "Ágnes", "Jürgen", "Emma"]
FAMILY = ["Nordmann", "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen",
          "Jensen", "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen", "Bakken", "Solberg",
          "Ødegård", "Brække", "Lund", "Strand", "Moe", "Dahl", "Lie", "Nagy", "Müller", "Sørensen", "Kovács"]
CITIES = ["Oslo", "Bergen", "Trondheim", "Stavanger", "Tromsø", "Drammen", "Kristiansand", "Ålesund", "Bodø", "Hamar"]
KINDS = ["call", "email", "visit", "letter", "note", "meeting", "inquiry", "web_visit"]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def generate(customers: int, interactions: int, seed: int = 7) -> None:
    """Bulk-insert the register with plain INSERTs (the services would take hours at this size)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from kundebase.core import identifiers
    from kundebase.core.sequences import bump_past

    rng = random.Random(seed)
    now = timezone.now()
    batch = 5000
    companies = customers // 10
    with connection.cursor() as cur, tqdm(total=customers + interactions, desc="generating", unit="row",
                                          file=sys.stderr) as bar:
        for start in range(0, customers, batch):
            rows, people, firms, cps, addrs = [], [], [], [], []
            for i in range(start, min(customers, start + batch)):
                pid = i + 1
                is_company = i < companies
                if is_company:
                    name = f"{rng.choice(FAMILY)} {rng.choice(['Bygg', 'Handel', 'Data', 'Transport', 'Invest'])} AS"
                    firms.append((pid, name, "", "", "NO", None, "", None, None, "", None, None, "none"))
                else:
                    given, family = rng.choice(GIVEN), rng.choice(FAMILY)
                    name = f"{given} {family}"
                    people.append((pid, given, family, None, ""))
                rows.append((pid, now, now, 1, "company" if is_company else "person", str(100000 + pid),
                             rng.choice(["prospect", "active", "active", "inactive"]), name, identifiers.fold(name),
                             "", "{}", None, None, None))
                phone = f"+474{pid:07d}"
                cps.append((now, now, pid, "mobile", phone, phone, "", True, False))
                email = f"kunde{pid}@example.no"
                cps.append((now, now, pid, "email", email, email, "", True, False))
                city = rng.choice(CITIES)
                addrs.append((now, now, pid, "postal", f"Gate {pid % 300}", f"{rng.randint(1, 9999):04d}", city, "",
                              "", "NO", True, None))
            with transaction.atomic():
                insert_parties(cur, rows, people, firms)
                cur.executemany(
                    "INSERT INTO parties_contactpoint (created_at, updated_at, party_id, kind, value, normalised, "
                    "label, is_primary, is_verified) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)", cps)
                cur.executemany(
                    "INSERT INTO parties_address (created_at, updated_at, party_id, kind, street, postcode, city, "
                    "municipality, region, country, is_primary, valid_from) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", addrs)
            bar.update(len(rows))
        bump_past("customer_number", 100000 + customers)
        batch = 20000
        for start in range(0, interactions, batch):
            rows = []
            for _i in range(start, min(interactions, start + batch)):
                # Heavy-tailed: a few customers have long histories, most have a handful.
                pid = min(customers, 1 + int(rng.paretovariate(1.2) * customers / 20) % customers)
                moment = now - __import__("datetime").timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60))
                rows.append((moment, moment, pid, rng.choice(KINDS), "out", "phone", moment, "Samtale om avtale",
                             "", "", None, None, "", "", "{}"))
            with transaction.atomic():
                cur.executemany(
                    "INSERT INTO interactions_interaction (created_at, updated_at, party_id, kind, direction, channel, "
                    "occurred_at, subject, body, outcome, follow_up_on, follow_up_done_at, source, source_record_id, "
                    "custom_fields) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", rows)
            bar.update(len(rows))
        orders = []
        for n in range(customers // 2):
            pid = rng.randint(1, customers)
            revenue = rng.randint(100, 50000)
            orders.append((now, now, pid, f"B{n}", now, "web", "", "NOK", revenue, revenue * 0.7, None))
        for start in range(0, len(orders), batch):
            with transaction.atomic():
                cur.executemany(
                    "INSERT INTO orders_order (created_at, updated_at, party_id, order_number, ordered_at, channel, "
                    "source, currency, revenue, cost, anonymised_at) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", orders[start:start + batch])
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    else:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")


def measure(customers: int, samples: int, seed: int = 11) -> dict[str, dict[str, float]]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    from kundebase.core.roles import sync_roles
    from kundebase.parties import services

    sync_roles()
    user = get_user_model().objects.create_user("bench", password=None)
    user.groups.set([Group.objects.get(name="sales")])
    client = Client()
    client.force_login(user)
    rng = random.Random(seed)
    ids = [rng.randint(1, customers) for _ in range(samples)]
    digits = [f"4{pid:07d}" for pid in ids]
    phones = [f"0047 {d[:3]} {d[3:5]} {d[5:]}" for d in digits]
    typed: list[str] = []
    while len(typed) < samples:
        name = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
        for cut in range(3, len(name) + 1, 2):
            typed.append(name[:cut])
        typed.append(name.replace("a", "e", 1).lower())  # a typo
        typed.append(f"4{rng.randint(1, customers):07d}")  # a phone typed without country code
    typed = typed[:samples]

    def timed(fn: Callable[[object], object], inputs: list[object], expect: int | None = None) -> list[float]:
        for value in inputs[:10]:
            fn(value)  # warm caches and connections
        out = []
        for value in inputs:
            start = time.perf_counter()
            result = fn(value)
            out.append((time.perf_counter() - start) * 1000)
            status = getattr(result, "status_code", None)
            if expect is not None and status != expect:
                raise SystemExit(f"unexpected status {status} for {value!r}")
        return out

    results = {
        "API lookup (services.lookup, baseline)": timed(lambda p: services.lookup(str(p)), phones),
        "search as you type (/search/?fragment=1)": timed(
            lambda q: client.get("/search/", {"q": q, "fragment": "1"}), typed, 200),
        "customer 360 page": timed(lambda pid: client.get(f"/customers/{pid}/"), ids, 200),
        "screen pop (/lookup?phone=)": timed(lambda p: client.get("/lookup", {"phone": p}), phones, 302),
    }
    return {name: {"p50": _pct(v, 0.5), "p99": _pct(v, 0.99), "mean": statistics.fmean(v)}
            for name, v in results.items()}


def run_backend(backend: str, customers: int, interactions: int, samples: int) -> dict[str, object]:
    import django

    os.environ["DJANGO_SETTINGS_MODULE"] = "kundebase.settings"
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    generate(customers, interactions)
    generated = time.perf_counter() - started
    load_before = os.getloadavg()[0]
    results = measure(customers, samples)
    return {"backend": backend, "generate_seconds": generated, "results": results,
            "load": [load_before, os.getloadavg()[0]]}


def child(args: argparse.Namespace) -> int:
    out = run_backend(args.backend, args.customers, args.interactions, args.samples)
    print("RESULT " + json.dumps(out))
    return 0


def _spawn(backend: str, url: str, args: argparse.Namespace, data_dir: str) -> dict[str, object]:
    env = dict(os.environ, KUNDEBASE_DATABASE_URL=url, KUNDEBASE_ENV="test", KUNDEBASE_DATA_DIR=data_dir)
    cmd = [sys.executable, "-m", "benchmarks.pages", "--child", "--backend", backend, "--customers",
           str(args.customers), "--interactions", str(args.interactions), "--samples", str(args.samples)]
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True, check=True)
    line = next(row for row in proc.stdout.splitlines() if row.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--backend", choices=["both", "sqlite", "postgresql"], default="both")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args(argv)
    if args.child:
        return child(args)
    work = Path(tempfile.mkdtemp(prefix="kb-bench-pages-"))
    runs = []
    if args.backend in ("both", "sqlite"):
        runs.append(_spawn("sqlite", f"sqlite:///{work}/pages.sqlite3", args, str(work / "d1")))
    if args.backend in ("both", "postgresql"):
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from tests import pgcluster

        cluster = pgcluster.start()
        try:
            runs.append(_spawn("postgresql", cluster.url, args, str(work / "d2")))
        finally:
            cluster.stop()
    lines = [f"{args.customers:,} customers, {args.interactions:,} interactions, {args.customers // 2:,} orders; "
             f"{args.samples} requests per row; server time in-process (Django test client, signed-in sales user).",
             ""]
    for run in runs:
        results: dict[str, dict[str, float]] = run["results"]  # type: ignore[assignment]
        base = results["API lookup (services.lookup, baseline)"]
        load = run.get("load") or [0.0, 0.0]
        lines += [f"### {run['backend']} (data generated in {run['generate_seconds']:.0f} s; machine load average "
                  f"{load[0]:.1f} → {load[1]:.1f} on {os.cpu_count()} cores during the measurement)", "",
                  "| measured | p50 ms | p99 ms | p50 ÷ lookup | p99 ÷ lookup | p99 < 100 ms |",
                  "|---|---:|---:|---:|---:|:---:|"]
        for name, r in results.items():
            lines.append(f"| {name} | {r['p50']:.2f} | {r['p99']:.2f} | {r['p50'] / base['p50']:.1f}× | "
                         f"{r['p99'] / base['p99']:.1f}× | {'yes' if r['p99'] < 100 else 'NO'} |")
        lines.append("")
    text = "\n".join(lines)
    print(text)
    if not args.no_record:
        from benchmarks.results import record

        record("pages", "Web pages: search as you type, customer 360, screen pop", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
