"""Mail intake throughput: messages fetched from a real IMAP server, parsed, matched and stored, per second.

``python -m benchmarks.mail [--messages 10000] [--backends sqlite,postgresql] [--customers 2000] [--profile DIR]``

A throwaway Dovecot (``tests.imapserver``) holds ``--messages`` messages (APPENDed before the clock starts),
from senders of whom half are customers; a store per backend is migrated and given the customers.  Measured
in the store's process, each after a fresh start of the folder's reading: *fetch only* — every message's
bytes by UID over IMAP, nothing else; *intake* — ``kundebase.service.fetching.fetch``: fetched, parsed,
matched to a customer, threaded, a case opened or updated and the timeline written, one transaction each.
Reported: messages/s of both and the ratio, with the load average (1 min) before and after each backend, as
the machine may be shared.  Target: intake at least 100 messages/s.  ``--profile DIR`` writes the intake's
cProfile statistics to ``DIR/mail-<backend>.prof`` (read them with ``python -m pstats``).
"""

from __future__ import annotations

import argparse
import imaplib
import json
import os
import random
import time
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from benchmarks.stores import measure, store

PASSWORD = "bench-pass"


def _message(rng: random.Random, i: int, customers: int, earlier: list[str]) -> bytes:
    msg = EmailMessage()
    known = rng.random() < 0.5
    msg["From"] = f"kunde{rng.randrange(customers)}@example.org" if known else f"ukjent{i}@example.net"
    msg["To"] = "support@kundebase.example"
    msg["Subject"] = rng.choice(["Varmepumpen bråker", "Faktura", "Levering av solpanel", "Spørsmål om avtale"])
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = make_msgid(domain="example.org")
    if earlier and rng.random() < 0.3:
        msg["In-Reply-To"] = rng.choice(earlier)
    msg.set_content("Hei,\n\n" + " ".join(rng.choice(["vi", "har", "en", "feil", "med", "anlegget", "hjemme"])
                                          for _ in range(80)) + "\n\nHilsen kunden\n")
    earlier.append(str(msg["Message-ID"]))
    return bytes(msg)


def fill(port: int, user: str, messages: int, customers: int, seed: int) -> None:
    rng, earlier = random.Random(seed), []
    client = imaplib.IMAP4("127.0.0.1", port)
    client.login(user, PASSWORD)
    for i in range(messages):
        client.append("INBOX", None, None, _message(rng, i, customers, earlier))
    client.logout()


def run_measure(port: int, user: str, customers: int, profile: str = "") -> dict[str, Any]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kundebase.settings")
    django.setup()
    from kundebase.parties.models import Party
    from kundebase.parties.services import create_person
    from kundebase.service import fetching
    from kundebase.service.models import Mailbox, SlaRule

    if not Party.objects.exists():
        for i in range(customers):
            create_person(data={"given_name": f"Kunde{i}", "family_name": "Test"},
                          contact_points=[{"kind": "email", "value": f"kunde{i}@example.org"}])
        SlaRule.objects.create(category="", priority="normal", hours=24)
    box = Mailbox.objects.create(name=f"bench-{time.time_ns()}", kind="imap", address="support@kundebase.example",
                                 host="127.0.0.1", port=port, use_tls=False, username=user, password=PASSWORD)
    start = time.perf_counter()
    client = imaplib.IMAP4("127.0.0.1", port)
    client.login(user, PASSWORD)
    client.select("INBOX", readonly=True)
    uids = client.uid("SEARCH", None, "ALL")[1][0].split()
    fetched = 0
    for uid in uids:
        fetched += len(client.uid("FETCH", uid.decode(), "(BODY.PEEK[])")[1][0][1])
    client.logout()
    fetch_seconds = time.perf_counter() - start
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    start = time.perf_counter()
    result = fetching.fetch(box)
    intake_seconds = time.perf_counter() - start
    if profiler is not None:
        profiler.disable()
        os.makedirs(os.path.dirname(profile), exist_ok=True)
        profiler.dump_stats(profile)
    return {"messages": len(uids), "bytes": fetched, "fetch_seconds": fetch_seconds, "intake_seconds": intake_seconds,
            "stored": result.stored}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--customers", type=int, default=2_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=20261206)
    parser.add_argument("--profile", default="", help="write the intake's cProfile statistics to this folder")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--user", help=argparse.SUPPRESS)
    parser.add_argument("--no-record", action="store_true", help="print only; leave benchmarks/RESULTS.md as it is")
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(run_measure(args.port, args.user, args.customers, args.profile)))
        return
    from tests import imapserver

    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    server = imapserver.start({f"bench{i}": PASSWORD for i in range(len(backends))})
    lines = ["| backend | messages | fetch only msg/s | intake msg/s | intake ÷ fetch | ≥ 100 msg/s | load (1 min) |",
             "|---|---|---|---|---|---|---|"]
    print("\n".join(lines), flush=True)
    try:
        for i, backend in enumerate(backends):
            user = f"bench{i}"
            fill(server.port, user, args.messages, args.customers, args.seed)
            profile = [] if not args.profile else ["--profile", os.path.join(os.path.abspath(args.profile),
                                                                               f"mail-{backend}.prof")]
            with store(backend) as env:
                before = os.getloadavg()[0]
                out = measure(env, "benchmarks.mail", "--port", str(server.port), "--user", user,
                              "--customers", str(args.customers), *profile)
                after = os.getloadavg()[0]
            fetch_rate = out["messages"] / out["fetch_seconds"]
            intake_rate = out["stored"] / out["intake_seconds"]
            lines.append(f"| {backend} | {out['stored']:,} | {fetch_rate:,.0f} | {intake_rate:,.0f} | "
                         f"{intake_rate / fetch_rate:.2f} | {'yes' if intake_rate >= 100 else 'no'} | "
                         f"{before:.1f} → {after:.1f} |")
            print(lines[-1], flush=True)
    finally:
        server.remove()
    if not args.no_record:
        from benchmarks.results import record

        intro = (f"{args.messages:,} messages in a real IMAP mailbox (Dovecot on loopback), senders half of them "
                 f"among {args.customers:,} customers; *fetch only* reads every message's bytes by UID, *intake* "
                 "fetches, parses, matches, threads, opens or updates cases and writes the timeline. "
                 "Target: intake at least 100 messages/s.")
        record("mail", "Mail intake: fetched, parsed, matched and stored", intro + "\n\n" + "\n".join(lines))


if __name__ == "__main__":
    main()
