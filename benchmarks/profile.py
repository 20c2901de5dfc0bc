"""Profile and next-best-offer latency at a steady request rate, during a file import, and how fresh they are.

``python -m benchmarks.profile [--customers N] [--seconds S] [--rates 100,250,500,1000] [--import-rows R]``

A throwaway PostgreSQL cluster gets the book (default 1,000,000 customers with 10 orders each on average and
one interaction each; :mod:`benchmarks.profile_data`), 100 active web offers and a real
``kundebase serve --workers 2`` in production mode.  ``wrk`` (:mod:`benchmarks.wrk`) offers each rate for
``--seconds`` over loopback to ``GET /api/v1/profiles/{id}``, to ``…/offers?channel=web&limit=3`` and, as the
baseline of the same server in the same run, to ``GET /api/v1/health`` (routing, middleware and a JSON answer,
no database); the shop's read token is sent as the web shop sends it.  The profiles asked for are read once
before the measurement (a profile is computed on its first read and on the first read after a change; the
cold reads are reported separately).  Then the profile load runs again at 500 requests/s while
``kundebase import`` stores a 100,000-row persons file.  Last, freshness, one change at a time on the idle
server: a tracked event posted to the event API until the next profile call shows it on the timeline, and an
order posted to the order API until the customer's analytics key figures count it.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RATES = (100, 250, 500, 1000)
TARGETS = {"steady": 10.0, "import": 25.0, "event_lag": 1.0, "order_lag": 1.0}
"""p99 of the profile at 500 requests/s and during the import (ms); freshness p99 (s)."""


def _progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


class Installation:
    """The server's environment, its CLI, and the running `kundebase serve`."""

    def __init__(self, work: Path, url: str, workers: int, threads: int) -> None:
        self.work, self.workers, self.threads = work, workers, threads
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("KUNDEBASE_", "DJANGO_"))}
        self.env.update(KUNDEBASE_ENV="production", KUNDEBASE_DATA_DIR=str(work / "data"),
                        KUNDEBASE_DATABASE_URL=url, KUNDEBASE_SECRET_KEY=secrets.token_urlsafe(50),
                        KUNDEBASE_ALLOWED_HOSTS="127.0.0.1", KUNDEBASE_SSL_REDIRECT="0",
                        KUNDEBASE_SECURE_COOKIES="0", KUNDEBASE_PROFILE_RATE="1000000/s",
                        PYTHONPATH=f"{ROOT / 'src'}:{ROOT}")
        self.server: subprocess.Popen[bytes] | None = None

    def cli(self, *args: str, stdin: str | None = None) -> str:
        done = subprocess.run([sys.executable, "-m", "kundebase", *args], env=self.env, cwd=ROOT, input=stdin,
                              capture_output=True, text=True, check=False)
        if done.returncode:
            raise SystemExit(f"kundebase {' '.join(args)} exited {done.returncode}: {done.stderr[-2000:]}")
        return done.stdout.strip()

    def start(self) -> None:
        log = (self.work / "serve.log").open("wb")
        self.server = subprocess.Popen([sys.executable, "-m", "kundebase", "serve", "--port", str(self.port),
                                        "--workers", str(self.workers), "--threads", str(self.threads)],
                                       env=self.env, cwd=ROOT, stdout=log, stderr=log)
        import requests

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if requests.get(self.base + "/ready", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise SystemExit("the server did not become ready")

    def stop(self) -> None:
        if self.server is not None and self.server.poll() is None:
            self.server.terminate()
            self.server.wait(timeout=60)


def _warm(base: str, token: str, numbers: list[str], parallel: int) -> list[float]:
    """Read every profile once (one per worker at a time); the latencies of these first, computing reads."""
    import requests

    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"

    def one(number: str) -> float:
        started = time.perf_counter()
        res = session.get(f"{base}/api/v1/profiles/{number}", timeout=300)
        if res.status_code != 200:  # counted by wrk as failed in every run after; said here with the reason
            _progress(f"profile {number}: {res.status_code} {res.text[:300]}")
        return time.perf_counter() - started

    with ThreadPoolExecutor(parallel) as pool:
        return list(pool.map(one, numbers))


def _event_lag(base: str, token: str, write_key: str, trials: int) -> list[float]:
    """Seconds from posting ``track`` to the event API until the next profile call lists the event."""
    import requests

    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token}"
    run = uuid.uuid4().hex[:8]
    users = [f"bench-{run}-{i}" for i in range(trials)]
    identify = [{"type": "identify", "userId": u, "messageId": f"{u}-id", "traits": {
        "email": f"{u}@example.no", "firstName": "Kari", "lastName": f"Lag {i}"}} for i, u in enumerate(users)]
    res = requests.post(base + "/v1/batch", json={"batch": identify}, auth=(write_key, ""), timeout=60)
    assert res.status_code == 200, res.text
    deadline = time.monotonic() + 300
    for user in users:  # every visitor is known before the clock runs
        while http.get(f"{base}/api/v1/profiles/user:{user}", timeout=60).status_code != 200:
            if time.monotonic() > deadline:
                raise SystemExit(f"{user} was not processed within 300 s")
            time.sleep(0.1)
    lags = []
    for i, user in enumerate(users):
        name = f"Bench Viewed {run} {i}"
        started = time.perf_counter()
        res = requests.post(base + "/v1/batch", json={"batch": [{"type": "track", "userId": user, "event": name,
                                                                 "messageId": f"{user}-track"}]},
                            auth=(write_key, ""), timeout=60)
        assert res.status_code == 200, res.text
        while True:
            profile = http.get(f"{base}/api/v1/profiles/user:{user}", timeout=60).json()
            if any(entry.get("subject") == name for entry in profile["last_interactions"]):
                lags.append(time.perf_counter() - started)
                break
            if time.perf_counter() - started > 60:
                raise SystemExit(f"the event {name!r} was not on the profile after 60 s")
            time.sleep(0.01)
    return lags


def _order_lag(base: str, token: str, party_ids: list[int]) -> list[float]:
    """Seconds from posting an order until the customer's analytics key figures count it."""
    import requests

    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token}"
    lags = []
    for party_id in party_ids:
        figures = f"{base}/api/v1/analytics/customers/{party_id}/key-figures"
        before = http.get(figures, timeout=300).json()["orders"]
        started = time.perf_counter()
        res = http.post(base + "/api/v1/orders", json={"party_id": party_id, "lines": [
            {"description": "Benchmark", "revenue": "100", "cost": "40"}]}, timeout=60)
        assert res.status_code == 201, res.text
        while http.get(figures, timeout=60).json()["orders"] <= before:
            if time.perf_counter() - started > 60:
                raise SystemExit(f"the order of {party_id} was not in the key figures after 60 s")
            time.sleep(0.01)
        lags.append(time.perf_counter() - started)
    return lags


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally: stop the server and the cluster
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--orders-per-customer", type=int, default=10)
    parser.add_argument("--offers", type=int, default=100)
    parser.add_argument("--sample", type=int, default=500, help="distinct customers the load asks for")
    parser.add_argument("--rates", default=",".join(map(str, RATES)), help="requests per second, comma-separated")
    parser.add_argument("--seconds", type=float, default=20, help="length of each measured run")
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--import-rate", type=int, default=500)
    parser.add_argument("--max-import-seconds", type=float, default=900,
                        help="the load stops by then, and an import still running is stopped")
    parser.add_argument("--lag-trials", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--no-record", action="store_true", help="print only (for trial runs)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from benchmarks import wrk

    if not wrk.available():
        raise SystemExit("wrk is not installed: bash scripts/system-packages.sh")
    from benchmarks import profile_data
    from tests import pgcluster

    load_start = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="kb-bench-profile-"))
    cluster = pgcluster.start()
    site = Installation(work, cluster.url, args.workers, args.threads)
    timings: dict[str, float] = {}
    try:
        started = time.perf_counter()
        profile_data.setup_django(work / "data", cluster.url)  # the server's data folder: its analytics mirror
        orders = args.customers * args.orders_per_customer
        profile_data.load_book(work, {"host": str(cluster.folder), "port": cluster.port, "user": "postgres",
                                      "dbname": "postgres"}, args.customers, orders, args.customers, _progress)
        party_ids = profile_data.sample(args.customers, args.sample)
        profile_data.offers_and_consents(args.offers, party_ids, _progress)
        from django.db import connections

        connections.close_all()
        timings["book"] = time.perf_counter() - started
        started = time.perf_counter()
        site.cli("analytics", "refresh")
        timings["mirror"] = time.perf_counter() - started
        _progress(f"analytics mirror built in {timings['mirror']:.1f} s")
        site.cli("createuser", "bench", "--role", "administrator", "--password-stdin", stdin="bench-password-2026\n")
        admin = site.cli("tokens", "issue", "bench", "--name", "benchmark")
        shop = site.cli("tokens", "issue", "bench", "--name", "webshop", "--scope", "read")
        write_key = site.cli("sources", "add", "webshop")
        rows = profile_data.import_file(work / "import" / "persons.csv", args.import_rows)
        site.start()
        numbers = [profile_data.customer_number(p) for p in party_ids]
        profile_paths = [f"/api/v1/profiles/{n}" for n in numbers]
        offer_paths = [f"{p}/offers?channel=web&limit=3" for p in profile_paths]
        started = time.perf_counter()
        cold = _warm(site.base, shop, numbers, args.workers)
        timings["warm"] = time.perf_counter() - started
        _progress(f"{len(numbers)} profiles computed in {timings['warm']:.1f} s")
        rates = [int(r) for r in args.rates.split(",")]
        runs: dict[tuple[str, int], wrk.Run] = {}
        for rate in rates:
            for kind, paths in (("health", ["/api/v1/health"]), ("profile", profile_paths)):
                runs[(kind, rate)] = wrk.run(site.base, paths, rate=rate, seconds=args.seconds, token=shop)
                _progress(f"{kind} at {rate}/s: p99 {runs[(kind, rate)].percentile(0.99):.1f} ms")
        for rate in rates:
            runs[("offers", rate)] = wrk.run(site.base, offer_paths, rate=rate, seconds=args.seconds, token=shop)
            _progress(f"offers at {rate}/s: p99 {runs[('offers', rate)].percentile(0.99):.1f} ms")
        _warm(site.base, shop, numbers, args.workers)  # the offers put "Offers shown" on these timelines
        during = wrk.Run()
        importing = subprocess.Popen([sys.executable, "-m", "kundebase", "import", str(rows), "--source", "crm",
                                      "--no-progress"], env=site.env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
        started = time.perf_counter()
        while importing.poll() is None and time.perf_counter() - started < args.max_import_seconds:
            during.add(wrk.run(site.base, profile_paths, rate=args.import_rate, seconds=10, token=shop))
        import_seconds = time.perf_counter() - started
        import_done = importing.poll() is not None
        if not import_done:  # bounded in time: the import is stopped (its open chunk rolls back)
            importing.terminate()
        _err = importing.communicate(timeout=600)[1]
        if import_done and importing.returncode:
            raise SystemExit(f"the import failed: {_err[-2000:]}")
        _progress(f"import of {args.import_rows} rows took {import_seconds:.0f} s; "
                  f"profile p99 meanwhile {during.percentile(0.99):.1f} ms")
        event_lags = _event_lag(site.base, admin, write_key, args.lag_trials)
        order_lags = _order_lag(site.base, admin, party_ids[: args.lag_trials])
        parts = profile_data.build_parts(party_ids[-21:])
        body = _report(args, orders, runs, during, import_seconds, import_done, cold, event_lags, order_lags,
                       timings, load_start, parts)
        print(body)
        if not args.no_record:
            from benchmarks.results import record

            record("profile", "Profile and next-best offer under load", body)
    finally:
        site.stop()
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _ms(value: float) -> str:
    return f"{value:.1f} ms"


def _report(args: argparse.Namespace, orders: int, runs: dict[tuple[str, int], Any], during: Any,
            import_seconds: float, import_done: bool, cold: list[float], event_lags: list[float],
            order_lags: list[float], timings: dict[str, float], load_start: tuple[float, float, float],
            parts: dict[str, list[float]]) -> str:
    rates = sorted({rate for _kind, rate in runs})
    lines = [
        f"Book: {args.customers:,} customers, {orders:,} orders, {args.customers:,} interactions, "
        f"{args.offers} active web offers; {len(cold):,} customers asked for (with consent to profiling). Server: "
        f"`kundebase serve --workers {args.workers} --threads {args.threads}`, production mode, PostgreSQL, "
        "the load generator (`wrk`, paced to a constant rate, one thread) on the same 2 cores over loopback. "
        f"Each run {args.seconds:g} s. Setting up: book and offers {timings['book']:.0f} s, analytics mirror "
        f"{timings['mirror']:.0f} s, first reads of the profiles {timings['warm']:.0f} s (a cold profile: p50 "
        f"{_ms(_percentile(cold, 0.5) * 1000)}, p99 {_ms(_percentile(cold, 0.99) * 1000)}).",
        "",
        "| endpoint | offered req/s | achieved req/s | p50 | p99 | p99.9 | failed | p99 ÷ health p99 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, label in (("health", "`/api/v1/health` (baseline)"), ("profile", "`/api/v1/profiles/{id}`"),
                        ("offers", "`/api/v1/profiles/{id}/offers`")):
        for rate in rates:
            run, base = runs[(kind, rate)], runs[("health", rate)]
            lines.append(f"| {label} | {rate:,} | {run.throughput:,.0f} | {_ms(run.percentile(0.5))} | "
                         f"{_ms(run.percentile(0.99))} | {_ms(run.percentile(0.999))} | {run.failed} | "
                         f"{run.percentile(0.99) / base.percentile(0.99):.1f}× |")
    base = runs.get(("health", args.import_rate))
    ratio = f"{during.percentile(0.99) / base.percentile(0.99):.1f}×" if base else "—"
    lines.append(f"| `/api/v1/profiles/{{id}}` during a {args.import_rows:,}-row import | {args.import_rate:,} | "
                 f"{during.throughput:,.0f} | {_ms(during.percentile(0.5))} | {_ms(during.percentile(0.99))} | "
                 f"{_ms(during.percentile(0.999))} | {during.failed} | {ratio} |")
    steady = runs.get(("profile", 500))
    event_p99, order_p99 = _percentile(event_lags, 0.99), _percentile(order_lags, 0.99)
    verdicts = [
        ("profile p99 at 500 req/s < 10 ms", steady.percentile(0.99) if steady else float("nan"),
         TARGETS["steady"], "ms"),
        ("profile p99 during the import < 25 ms", during.percentile(0.99), TARGETS["import"], "ms"),
        ("event → profile p99 < 1 s", event_p99, TARGETS["event_lag"], "s"),
        ("order → analytics p99 < 1 s", order_p99, TARGETS["order_lag"], "s"),
    ]
    import_note = (f"took {import_seconds:.0f} s ({args.import_rows / import_seconds:,.0f} rows/s) under the load"
                   if import_done else f"had not finished after {import_seconds:.0f} s, when the load and the import "
                   "were stopped")
    lines += [
        "",
        f"The import ({args.import_rows:,} persons, `kundebase import`, a process of its own at the lowered "
        f"priority imports run at by default, `KUNDEBASE_BACKGROUND_NICE` 10) {import_note}.",
        "",
        "| freshness | trials | p50 | p99 | worst |", "|---|---:|---:|---:|---:|",
        f"| tracked event (event API) → on the next profile call | {len(event_lags)} | "
        f"{_percentile(event_lags, 0.5):.3f} s | {event_p99:.3f} s | {max(event_lags):.3f} s |",
        f"| order (order API) → in the customer's analytics key figures | {len(order_lags)} | "
        f"{_percentile(order_lags, 0.5):.3f} s | {order_p99:.3f} s | {max(order_lags):.3f} s |",
        "",
        "Targets: " + "; ".join(f"{name} — **{'met' if value < limit else 'not met'}** "
                                f"({value:.1f} {unit})" if unit == "ms" else
                                f"{name} — **{'met' if value < limit else 'not met'}** ({value:.3f} {unit})"
                                for name, value, limit, unit in verdicts) + ".",
        "",
        "Where a cold profile's time goes (each part of `offers.profiles.build` timed in the benchmark's own "
        f"process on the same database and mirror, {len(next(iter(parts.values())))} customers, idle server):",
        "",
        "| part | p50 | worst |", "|---|---:|---:|",
        *[f"| {name} | {_ms(_percentile(times, 0.5) * 1000)} | {_ms(max(times) * 1000)} |"
          for name, times in parts.items()],
        "",
        f"Load average when the run started: {load_start[0]:.1f} / {load_start[1]:.1f} / {load_start[2]:.1f} "
        "(1, 5, 15 min; 2 cores shared with other work).",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
