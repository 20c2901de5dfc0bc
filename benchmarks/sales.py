"""Server time of the deal board and the forecast report on PostgreSQL, with deals and without.

``python -m benchmarks.sales [--customers 1000000] [--open-deals 200000] [--closed-deals 2000000]
[--owners 50] [--samples 200] [--backend postgresql|sqlite] [--url URL]``

Bulk-loads customers (a tenth of them companies) with ``COPY`` into a throwaway PostgreSQL cluster (or ``--url``;
``--backend sqlite`` inserts row by row), then
measures in-process with the Django test client, signed in as an administrator (who sees every deal, the
heaviest case):

* the board of the default pipeline, ``/sales/pipelines/<id>/`` (a column per stage with its count and sums
  and up to 200 cards);
* the weighted forecast report, ``GET /api/v1/sales-reports/forecast`` (twelve months);

first with no deals, then after bulk-inserting the open deals (spread over the stages, owners and the next
eighteen months, some undated) and the closed ones (won and lost over three years), so each figure has its
ratio to the same page with no deals, measured in the same run. The issue's scale is the default; develop
with small numbers.
"""

from __future__ import annotations

import argparse
import datetime as dt
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

from benchmarks.party_rows import bulk_rows, indexes_dropped, insert_parties

TARGET_P99_MS = 300.0
BATCH = 20_000


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def generate_customers(customers: int, seed: int = 7) -> None:
    """Customers streamed in with COPY on PostgreSQL (the services would take hours at this size)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from kundebase.core.sequences import bump_past

    rng = random.Random(seed)
    now = timezone.now()
    companies = max(1, customers // 10)
    with (connection.cursor() as cur,
          indexes_dropped(cur, ["parties_party", "parties_person", "parties_company"]),
          tqdm(total=customers, desc="customers", unit="row", file=sys.stderr) as bar):
        for start in range(0, customers, BATCH):
            rows, people, firms = [], [], []
            for i in range(start, min(customers, start + BATCH)):
                pid = i + 1
                is_company = i < companies
                name = f"Kunde {pid} AS" if is_company else f"Kari {pid}"
                if is_company:
                    firms.append((pid, name, "", "", "NO", None, "", None, None, "", None,
                                  rng.choice([None, 100000, 500000]), "none"))
                else:
                    people.append((pid, "Kari", str(pid), None, ""))
                rows.append((pid, now, now, 1, "company" if is_company else "person", str(100000 + pid), "active",
                             name, name.lower(), "", "{}", None, None, None))
            with transaction.atomic():
                insert_parties(cur, rows, people, firms)
            bar.update(len(rows))
    bump_past("customer_number", 100000 + customers)


def generate_deals(customers: int, open_deals: int, closed_deals: int, owners: list[int], seed: int = 9) -> None:
    """Open deals over the default pipeline's stages and the next 18 months (a tenth undated); closed deals won
    and lost over the last three years."""
    from django.db import connection, transaction
    from django.utils import timezone

    from kundebase.sales.services import default_pipeline

    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    pipeline = default_pipeline()
    stages = list(pipeline.stages.order_by("position").values_list("pk", "probability"))
    columns = ("created_at", "updated_at", "title", "amount", "currency", "amount_base", "expected_close_on",
               "probability", "status", "lost_reason", "close_note", "closed_at", "stage_entered_at", "campaign_id",
               "contact_person_id", "owner_id", "party_id", "pipeline_id", "stage_id")
    total = open_deals + closed_deals
    with connection.cursor() as cur:
        with (indexes_dropped(cur, ["sales_deal"]),
              tqdm(total=total, desc="deals", unit="row", file=sys.stderr) as bar):
            for start in range(0, total, BATCH):
                rows = []
                for n in range(start, min(total, start + BATCH)):
                    amount = rng.randint(1, 500) * 1000
                    stage_id, probability = rng.choice(stages)
                    created = now - dt.timedelta(days=rng.randint(0, 3 * 365))
                    if n < open_deals:
                        close = None if rng.random() < 0.1 else today + dt.timedelta(days=rng.randint(0, 540))
                        rows.append((created, created, f"Avtale {n}", amount, "NOK", amount, close, probability, "open",
                                     "", "", None, created, None, None, rng.choice(owners),
                                     rng.randint(1, customers), pipeline.pk, stage_id))
                    else:
                        won = rng.random() < 0.3
                        closed = created + dt.timedelta(days=rng.randint(1, 120))
                        rows.append((created, closed, f"Avtale {n}", amount, "NOK", amount, None, 100 if won else 0,
                                     "won" if won else "lost", "" if won else "price", "", closed, created, None, None,
                                     rng.choice(owners), rng.randint(1, customers), pipeline.pk, stage_id))
                with transaction.atomic():
                    bulk_rows(cur, "sales_deal", columns, rows)
                bar.update(len(rows))
        # After a bulk load PostgreSQL's documentation advises VACUUM ANALYZE (a running database's autovacuum
        # keeps the visibility map that index-only scans need); inside a transaction (the tests) ANALYZE only.
        from django.db import connection

        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
        cur.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")


def measure(pipeline_id: int, client: object, samples: int) -> dict[str, dict[str, float]]:
    def timed(fn: Callable[[], object]) -> list[float]:
        for _ in range(5):
            fn()  # warm caches and connections
        out = []
        for _ in range(samples):
            start = time.perf_counter()
            result = fn()
            out.append((time.perf_counter() - start) * 1000)
            if getattr(result, "status_code", None) != 200:
                raise SystemExit(f"unexpected status {getattr(result, 'status_code', None)}")
        return out

    get = client.get  # type: ignore[attr-defined]
    results = {
        "board of one pipeline": timed(lambda: get(f"/sales/pipelines/{pipeline_id}/")),
        "forecast report (12 months)": timed(lambda: get("/api/v1/sales-reports/forecast")),
    }
    return {name: {"p50": _pct(v, 0.5), "p99": _pct(v, 0.99), "mean": statistics.fmean(v)}
            for name, v in results.items()}


def run_backend(args: argparse.Namespace) -> dict[str, object]:
    import django

    os.environ["DJANGO_SETTINGS_MODULE"] = "kundebase.settings"
    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.test import Client

    from kundebase.core.roles import sync_roles
    from kundebase.sales.services import default_pipeline

    call_command("migrate", verbosity=0)
    sync_roles()
    users = get_user_model().objects
    admin = users.create_user("bench-admin", password=None)
    admin.groups.set([Group.objects.get(name="administrator")])
    owners = [users.create_user(f"bench-seller-{i}", password=None).pk for i in range(args.owners)]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin)
    started = time.perf_counter()
    generate_customers(args.customers)
    pipeline_id = default_pipeline().pk
    empty = measure(pipeline_id, client, args.samples)
    generate_deals(args.customers, args.open_deals, args.closed_deals, owners)
    generated = time.perf_counter() - started
    load_before = os.getloadavg()[0]
    full = measure(pipeline_id, client, args.samples)
    return {"backend": args.backend, "generate_seconds": generated, "empty": empty, "full": full,
            "load": [load_before, os.getloadavg()[0]]}


def _spawn(url: str, args: argparse.Namespace, data_dir: str) -> dict[str, object]:
    env = dict(os.environ, KUNDEBASE_DATABASE_URL=url, KUNDEBASE_ENV="test", KUNDEBASE_DATA_DIR=data_dir)
    cmd = [sys.executable, "-m", "benchmarks.sales", "--child", "--backend", args.backend,
           "--customers", str(args.customers), "--open-deals", str(args.open_deals),
           "--closed-deals", str(args.closed_deals), "--owners", str(args.owners), "--samples", str(args.samples)]
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True, check=True)
    line = next(row for row in proc.stdout.splitlines() if row.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


def report(run: dict[str, object], args: argparse.Namespace) -> str:
    empty: dict[str, dict[str, float]] = run["empty"]  # type: ignore[assignment]
    full: dict[str, dict[str, float]] = run["full"]  # type: ignore[assignment]
    load = run.get("load") or [0.0, 0.0]
    lines = [f"{args.customers:,} customers, {args.open_deals:,} open deals, {args.closed_deals:,} closed, "
             f"{args.owners} owners; {args.samples} requests per row; server time in-process (Django test client, "
             "signed-in administrator, who sees every deal).", "",
             f"### {run['backend']} (data generated in {run['generate_seconds']:.0f} s; machine load average "
             f"{load[0]:.1f} → {load[1]:.1f} on {os.cpu_count()} cores during the measurement)", "",
             "| measured | p50 ms | p99 ms | p99 with no deals | p99 ÷ no deals | p99 < 300 ms |",
             "|---|---:|---:|---:|---:|:---:|"]
    for name, r in full.items():
        base = empty[name]
        lines.append(f"| {name} | {r['p50']:.2f} | {r['p99']:.2f} | {base['p99']:.2f} | "
                     f"{r['p99'] / base['p99']:.1f}× | {'yes' if r['p99'] < TARGET_P99_MS else 'NO'} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--open-deals", type=int, default=200_000)
    parser.add_argument("--closed-deals", type=int, default=2_000_000)
    parser.add_argument("--owners", type=int, default=50)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--url", default="", help="a PostgreSQL database to use instead of a throwaway cluster")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args(argv)
    if args.child:
        print("RESULT " + json.dumps(run_backend(args)))
        return 0
    work = Path(tempfile.mkdtemp(prefix="kb-bench-sales-"))
    if args.backend == "sqlite":
        run = _spawn(f"sqlite:///{work}/sales.sqlite3", args, str(work / "d"))
    elif args.url:
        run = _spawn(args.url, args, str(work / "d"))
    else:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from tests import pgcluster

        cluster = pgcluster.start()
        try:
            run = _spawn(cluster.url, args, str(work / "d"))
        finally:
            cluster.stop()
    text = report(run, args)
    print(text)
    if not args.no_record:
        from benchmarks.results import record

        record("sales", "Sales: the deal board and the forecast report", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
