"""``kundebase demo --customers N [--seed S] [--if-empty] [--truth PATH]``: load realistic demo data."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from tqdm import tqdm

from kundebase.orders.models import Order
from kundebase.parties.models import Party

MAX_CUSTOMERS = 10_000_000


class Command(BaseCommand):
    help = ("Generate a deterministic demo data set: persons and companies in five countries, corporate groups, "
            "contact persons, three years of orders, interactions and injected duplicates (ground truth as CSV).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customers", type=int, default=10_000, help="number of customer records (default 10000)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed; the same seed gives the same data")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when customers exist already")
        parser.add_argument("--truth", type=Path, default=None,
                            help="CSV of the duplicates' ground truth (default: <data dir>/demo_duplicates.csv)")
        parser.add_argument("--chunk", type=int, default=2500, help="customers per transaction (default 2500)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **opts: Any) -> None:
        from kundebase.demo.loader import Loader, default_truth_path

        customers = opts["customers"]
        if not 1 <= customers <= MAX_CUSTOMERS:
            raise CommandError(f"--customers must be between 1 and {MAX_CUSTOMERS:,}")
        if not 100 <= opts["chunk"] <= 50_000:
            raise CommandError("--chunk must be between 100 and 50000")
        try:
            exists = Party.objects.exists()
            Order.objects.exists()
        except DatabaseError as exc:
            raise CommandError(f"the database is not ready ({exc}); run `kundebase migrate` first") from exc
        if opts["if_empty"] and exists:
            self.stdout.write("customers exist already; no demo data loaded (--if-empty)")
            return
        truth = opts["truth"] or default_truth_path()
        started = time.perf_counter()
        bar = tqdm(total=customers, unit="customers", desc="demo data", disable=opts["no_progress"] or None,
                   file=sys.stderr, dynamic_ncols=True)
        try:
            result = Loader(seed=opts["seed"], chunk=opts["chunk"]).run(customers, truth, bar.update)
        except OSError as exc:
            raise CommandError(f"cannot write {truth}: {exc}") from exc
        finally:
            bar.close()
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"loaded {result.customers} customers ({result.persons} persons of whom {result.duplicates} duplicates, "
            f"{result.companies} companies of whom {result.company_duplicates} duplicates), {result.orders} orders, "
            f"{result.interactions} interactions: "
            f"{result.rows} rows in {elapsed:.1f} s ({result.rows / max(elapsed, 1e-9):,.0f} rows/s); "
            f"duplicates' ground truth in {result.truth_path}")
