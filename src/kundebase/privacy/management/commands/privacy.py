"""``kundebase privacy …``: screen text, import opt-out registers, serve access/erasure/restriction requests and
run the retention policies from the command line (cron-friendly: exit 0 on success, errors on stderr)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kundebase.core.errors import DomainError


class Command(BaseCommand):
    help = "Privacy tasks: screen, registers import, access, erase, restrict, retention"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="task", required=True)
        sub.add_parser("screen", help="Read one text per line on stdin; print one JSON object per line")
        registers = sub.add_parser("registers", help="Opt-out registers")
        reg_sub = registers.add_subparsers(dest="action", required=True)
        imp = reg_sub.add_parser("import", help="Import a register file as keyed hashes")
        imp.add_argument("file")
        imp.add_argument("--register", required=True, choices=["no_reservasjon", "dk_robinson", "internal"])
        imp.add_argument("--append", action="store_true", help="Add to the register instead of replacing it")
        acc = sub.add_parser("access", help="Everything held about a person (access request)")
        acc.add_argument("party_id", type=int)
        acc.add_argument("--format", choices=["json", "html", "pdf"], default="json")
        acc.add_argument("--output", help="File to write (default: stdout)")
        acc.add_argument("--requested-by", default="")
        er = sub.add_parser("erase", help="Erase a person (erasure request)")
        er.add_argument("party_id", type=int)
        er.add_argument("--requested-by", default="")
        rs = sub.add_parser("restrict", help="Restrict processing of a customer (or --lift it)")
        rs.add_argument("party_id", type=int)
        rs.add_argument("--lift", action="store_true")
        ret = sub.add_parser("retention", help="Show what the retention policies would erase; --apply erases it")
        ret.add_argument("--apply", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['task']}")(options)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc

    def _screen(self, options: dict[str, Any]) -> None:
        from kundebase.privacy.screen import summary

        stream = getattr(sys.stdin, "buffer", None)
        lines = (raw.decode("utf-8", errors="replace") for raw in stream) if stream else iter(sys.stdin)
        for line in lines:
            text = line.rstrip("\r\n")
            self.stdout.write(json.dumps(summary(text), ensure_ascii=False))

    def _registers(self, options: dict[str, Any]) -> None:
        from kundebase.privacy.registers import import_register

        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        from kundebase.ingest import limits

        try:
            limits.check_size(path.stat().st_size)
        except limits.LimitExceeded as exc:
            raise CommandError(str(exc)) from exc
        result = import_register(register=options["register"], content=path.read_bytes(), batch=path.name,
                                 replace=not options["append"], actor="cli", channel="cli")
        for line in result.skipped[:100]:
            self.stderr.write(f"skipped {line}")
        self.stdout.write(f"{result.register}: {result.imported} entries imported, {len(result.skipped)} lines "
                          f"skipped, {result.matched_customers} customers on the register")

    def _access(self, options: dict[str, Any]) -> None:
        from kundebase.privacy.access import access_request

        body, request = access_request(party_id=options["party_id"], actor="cli", channel="cli",
                                       fmt=options["format"], requested_by=options["requested_by"])
        data = body if isinstance(body, bytes) else body.encode("utf-8")
        if options.get("output"):
            Path(options["output"]).write_bytes(data)
            self.stderr.write(f"access report written to {options['output']} (request {request.pk})")
        elif isinstance(body, bytes):
            self.stdout.flush()
            out = cast(IO[bytes], getattr(self.stdout._out, "buffer", self.stdout._out))  # the text stream's bytes
            out.write(body)  # a PDF goes out as bytes
        else:
            self.stdout.write(body)

    def _erase(self, options: dict[str, Any]) -> None:
        from kundebase.privacy.erasure import erase

        request = erase(party_id=options["party_id"], actor="cli", channel="cli",
                        requested_by=options["requested_by"])
        self.stdout.write(f"erased customer {options['party_id']} (request {request.pk}): {request.outcome}")

    def _restrict(self, options: dict[str, Any]) -> None:
        from kundebase.privacy.erasure import restrict

        request = restrict(party_id=options["party_id"], actor="cli", channel="cli", lift=options["lift"])
        self.stdout.write(f"customer {options['party_id']}: {request.outcome} (request {request.pk})")

    def _retention(self, options: dict[str, Any]) -> None:
        from tqdm import tqdm

        from kundebase.privacy import retention

        plan = retention.plan()
        self.stdout.write("country\tcategory\tpersons")
        for (country, category), count in sorted(plan.summary().items()):
            self.stdout.write(f"{country}\t{category}\t{count}")
        self.stdout.write(f"bookkeeping ({plan.bookkeeping_country}, {plan.bookkeeping_years} years): "
                          f"{len(plan.expired_orders)} anonymised orders placed before "
                          f"{plan.orders_kept_until:%Y-%m-%d} are past their retention period")
        for name, count in plan.expiring.items():
            self.stdout.write(f"{name}: {count} past their retention period")
        if not options["apply"]:
            self.stdout.write(f"dry run: {len(plan.candidates)} persons would be erased and "
                              f"{len(plan.expired_orders)} orders deleted; add --apply to do it")
            return
        orders = retention.delete_expired_orders(plan, actor="retention")
        self.stdout.write(f"deleted {orders} anonymised orders past their bookkeeping period")
        for name, count in retention.apply_expiries(plan, actor="retention").items():
            self.stdout.write(f"{name}: {count} removed")
        with tqdm(total=len(plan.candidates), file=sys.stderr, unit="person", disable=not plan.candidates) as bar:
            done = retention.apply(plan, actor="retention", progress=bar.update)
        self.stdout.write(f"erased {done} of {len(plan.candidates)} persons")
