"""``kundebase campaigns send ID`` (with a progress bar) and ``kundebase campaigns bounces FILE``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from kundebase.core.errors import DomainError
from kundebase.marketing import campaigns
from kundebase.marketing.models import Campaign


class Command(BaseCommand):
    help = "Send an e-mail campaign, produce a letter/call list, or apply a bounce report."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        send = sub.add_parser("send", help="choose recipients and send (resumes a started campaign)")
        send.add_argument("campaign_id", type=int)
        lst = sub.add_parser("list", help="write the target list (with call scripts) of a letter or call campaign")
        lst.add_argument("campaign_id", type=int)
        lst.add_argument("--output", required=True)
        bounces = sub.add_parser("bounces", help="a file with one bounced address per line (address;reason)")
        bounces.add_argument("file")
        stats = sub.add_parser("stats", help="print a campaign's statistics as JSON")
        stats.add_argument("campaign_id", type=int)

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            getattr(self, "_" + opts["action"])(opts)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc

    def _send(self, opts: dict[str, Any]) -> None:
        campaign = campaigns.get_campaign(opts["campaign_id"])
        if campaign.status == Campaign.Status.DRAFT:
            campaign = campaigns.prepare(campaign_id=campaign.pk, channel="cli")
        bar = tqdm(total=campaign.total, unit="msg", file=cast(IO[str], self.stderr._out))  # the command's stderr

        def progress(done: int, total: int) -> None:
            bar.update(done - bar.n)

        try:
            campaign = campaigns.run_campaign(campaign_id=campaign.pk, progress=progress)
        finally:
            bar.close()
        self.stdout.write(json.dumps(campaigns.statistics(campaign)))

    def _list(self, opts: dict[str, Any]) -> None:
        fmt = "xlsx" if opts["output"].endswith(".xlsx") else "csv"
        result = campaigns.produce_list(campaign_id=opts["campaign_id"], file_format=fmt, channel="cli")
        Path(opts["output"]).write_bytes(result.path.read_bytes())
        self.stdout.write(json.dumps({"rows": result.rows, "excluded": result.excluded}))

    def _bounces(self, opts: dict[str, Any]) -> None:
        marked = 0
        for line in Path(opts["file"]).read_text(encoding="utf-8").splitlines():
            address, _sep, reason = line.strip().partition(";")
            if address:
                marked += campaigns.record_bounce(address=address, reason=reason, channel="cli")
        self.stdout.write(f"{marked} bounces recorded")

    def _stats(self, opts: dict[str, Any]) -> None:
        self.stdout.write(json.dumps(campaigns.statistics(campaigns.get_campaign(opts["campaign_id"]))))
