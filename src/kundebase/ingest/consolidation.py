"""Deciding, for a chunk of validated records, what each one is: new, an update, a possible duplicate …

Existing customers are found with one query per key type for the whole chunk
(customer numbers, normalised e-mails and phones, organisation numbers), so a
million rows cost a few thousand queries, not millions.  New records are then
asked of ``matching.entry.likely_duplicates`` (continuous consolidation): what
it finds is held for review instead of being created blindly.  Deciding reads
only; :mod:`kundebase.ingest.writer` carries the decisions out, so a dry run
is exactly the same code without the writing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from kundebase.core import hooks
from kundebase.core.provenance import SourceRef
from kundebase.ingest import survivorship
from kundebase.ingest.records import Record
from kundebase.parties import validation

if TYPE_CHECKING:
    from kundebase.matching.entry import Candidate

KIND = {"persons": "person", "companies": "company"}


@dataclass
class Decision:
    outcome: str  # created / updated / unchanged / review / error / quarantine
    party_id: int | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    new_contact_points: list[dict[str, Any]] = field(default_factory=list)
    new_addresses: list[dict[str, Any]] = field(default_factory=list)
    candidates: list[dict[str, Any]] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    refs: dict[str, Any] = field(default_factory=dict)


TEXT_FIELDS = {"interactions": ("subject", "body", "outcome")}
"""Free-text fields per entity that the privacy screen reads; other entities: the texts in ``rec.extra``."""


def flagged_text(rec: Record) -> dict[str, list[str]]:
    """``{column: [categories]}`` for the record's free text that looks like special-category data."""
    from kundebase.privacy.quarantine import flagged_columns

    fields = TEXT_FIELDS.get(rec.entity)
    texts = ({f: rec.data.get(f) for f in fields} if fields is not None
             else {f: v for f, v in rec.extra.items() if isinstance(v, str)})
    return flagged_columns({rec.columns.get(f, f): v for f, v in texts.items() if isinstance(v, str) and v})


def screen(rec: Record) -> Decision | None:
    """A quarantine decision when the record's free text looks like special-category data, else ``None``.

    The decision names the file's columns and the categories, never the words; ``refs["flagged"]`` tells the
    importer which cells to hold back (:func:`kundebase.privacy.quarantine.hold_import_row`).
    """
    flagged = flagged_text(rec)
    if not flagged:
        return None
    problems = [(column, _("special-category data (%(categories)s): held in quarantine for review; the text is "
                           "not kept") % {"categories": ", ".join(cats)}) for column, cats in flagged.items()]
    return Decision("quarantine", problems=problems, refs={"flagged": flagged})


def blocked(kind: str, recs: list[Record]) -> list[str]:
    """Per record, why it must not be stored (an erased person coming back), or ``""``; one call per hook."""
    reasons = [""] * len(recs)
    for check in hooks.identity_blocked:
        for n, reason in enumerate(check(kind=kind, records=[(r.data, r.contact_points) for r in recs])):
            if reason and not reasons[n]:
                reasons[n] = str(reason)
    return reasons


class Index:
    """Existing customers by key, loaded per chunk; records created earlier in the same chunk are added."""

    def __init__(self) -> None:
        self.by_number: dict[str, int] = {}
        self.by_contact: dict[str, set[int]] = {}
        self.by_org: dict[str, set[int]] = {}
        self.pending: dict[str, int] = {}  # key → index of a record created earlier in this chunk

    def load(self, recs: list[Record], kind: str | None) -> None:
        from kundebase.parties.models import Company, ContactPoint, Party

        numbers = {str(r.data.get("customer_number") or r.refs.get("customer_number") or "") for r in recs} - {""}
        contacts = {cp["normalised"] for r in recs for cp in r.contact_points if cp.get("normalised")}
        contacts |= {r.refs[k] for r in recs for k in ("email", "phone") if r.refs.get(k)}
        orgs = {str(r.data.get("org_number_key") or r.refs.get("org_number") or "") for r in recs} - {""}
        live = Party.objects.filter(merged_into__isnull=True)
        if kind:
            live = live.filter(kind=kind)
        if numbers:
            self.by_number = dict(live.filter(customer_number__in=numbers).values_list("customer_number", "id"))
        if contacts:
            # Two queries, each on its own index: joined, SQLite walked every party of the kind and looked up
            # its contact points (0.4 s a chunk at 250,000 persons, growing with the store).
            pairs = list(ContactPoint.objects.filter(normalised__in=contacts).values_list("normalised", "party_id"))
            current = set(live.filter(pk__in={pid for _key, pid in pairs}).values_list("pk", flat=True))
            for key, pid in pairs:
                if pid in current:
                    self.by_contact.setdefault(key, set()).add(pid)
        if orgs:
            for key, pid in Company.objects.filter(org_number_key__in=orgs, merged_into__isnull=True).values_list(
                    "org_number_key", "party_ptr_id"):
                self.by_org.setdefault(key, set()).add(pid)

    def find(self, number: str, contacts: list[str], org_key: str) -> tuple[set[int], list[str]]:
        found: set[int] = set()
        reasons: list[str] = []
        if number and number in self.by_number:
            return {self.by_number[number]}, [_("same customer number")]
        for key in contacts:
            if key in self.by_contact:
                found |= self.by_contact[key]
                reasons.append(_("same e-mail") if "@" in key else _("same phone"))
        if org_key and org_key in self.by_org:
            found |= self.by_org[org_key]
            reasons.append(_("same organisation number"))
        return found, reasons

    def find_pending(self, number: str, contacts: list[str], org_key: str) -> int | None:
        for key in [f"n:{number}" if number else "", *(f"c:{c}" for c in contacts), f"o:{org_key}" if org_key else ""]:
            if key and key in self.pending:
                return self.pending[key]
        return None

    def remember(self, position: int, number: str, contacts: list[str], org_key: str) -> None:
        for key in [f"n:{number}" if number else "", *(f"c:{c}" for c in contacts), f"o:{org_key}" if org_key else ""]:
            if key:
                self.pending.setdefault(key, position)


def _org_key(rec: Record) -> str:
    from kundebase.core import identifiers

    number = rec.data.get("org_number") or ""
    return identifiers.org_number_key(number) if number else ""


Likely = Callable[[list[Record], list[tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]]],
                  list[list["Candidate"]]]
"""Answers the probabilistic check for a chunk's records in order (``entry.Candidate`` lists, ``earlier`` a
position among them), as :func:`kundebase.matching.entry.likely_duplicates_many` with ``within`` does."""


def match_record(rec: Record) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """What the duplicate check reads of a record: its fields, contact points and addresses."""
    return ({k: v for k, v in rec.data.items() if k != "org_number_key"}, rec.contact_points, rec.addresses)


def stored_matches(recs: list[Record], entity: str) -> list[bool]:
    """Per record, whether a stored customer has its customer number, an e-mail or phone of it, or its
    organisation number: such a record is an update and never reaches the duplicate check."""
    kind = KIND[entity]
    index = Index()
    index.load([r for r in recs if r.ok], kind)
    return [bool(rec.ok and index.find(str(rec.data.get("customer_number") or ""),
                                       [cp["normalised"] for cp in rec.contact_points if cp.get("normalised")],
                                       _org_key(rec) if entity == "companies" else "")[0]) for rec in recs]


def decide_parties(recs: list[Record], entity: str, source: SourceRef, priority: int,
                   likely: Likely | None = None) -> list[Decision]:
    """Persons or companies: new, update of an existing customer, unchanged, or held for review.

    ``likely`` answers the duplicate check instead of the per-row entry check (the whole-file check,
    :mod:`kundebase.ingest.filecheck`)."""
    from kundebase.matching import entry
    from kundebase.parties.models import Address, Company, ContactPoint, Person

    kind = KIND[entity]
    for rec in recs:
        if entity == "companies" and rec.data.get("org_number"):
            rec.data["org_number_key"] = _org_key(rec)
    index = Index()
    index.load([r for r in recs if r.ok], kind)
    decisions: list[Decision | None] = []
    matched: dict[int, int] = {}
    keys: dict[int, tuple[str, list[str], str]] = {}
    valid = [n for n, rec in enumerate(recs) if rec.ok]
    refusals = dict(zip(valid, blocked(kind, [recs[n] for n in valid]), strict=True))
    for position, rec in enumerate(recs):
        if not rec.ok:
            decisions.append(Decision("error", problems=rec.problems))
            continue
        reason = refusals[position]
        if reason:
            decisions.append(Decision("error", problems=[("", _("suppressed: %(r)s") % {"r": reason})]))
            continue
        held = screen(rec)
        if held is not None:
            decisions.append(held)
            continue
        number = str(rec.data.get("customer_number") or "")
        contacts = [cp["normalised"] for cp in rec.contact_points if cp.get("normalised")]
        org_key = str(rec.data.get("org_number_key") or "")
        found, reasons = index.find(number, contacts, org_key)
        if len(found) > 1:
            decisions.append(Decision("review", candidates=[{"party_id": pid, "reasons": reasons}
                                                            for pid in sorted(found)],
                                      problems=[("", _("matches several customers: %(ids)s")
                                                 % {"ids": ", ".join(map(str, sorted(found)))})]))
            continue
        if found:
            matched[position] = next(iter(found))
            decisions.append(Decision("updated", party_id=matched[position]))
            continue
        keys[position] = (number, contacts, org_key)
        decisions.append(None)  # decided below, in order, once the chunk's duplicate check has run
    # The probabilistic check for the whole chunk at once; it reads only what is stored, so asking before the
    # in-order pass below gives each row the answer it would get on its own.
    checked = list(keys)  # chunk positions of the records checked, in order
    items = [match_record(recs[n]) for n in checked]
    answers = (likely([recs[n] for n in checked], items) if likely is not None
               else entry.likely_duplicates_many(kind=kind, items=items, within=True))
    likely_of = dict(zip(checked, answers, strict=True))
    for position, (number, contacts, org_key) in keys.items():
        earlier = index.find_pending(number, contacts, org_key)
        if earlier is not None:
            # The same customer twice in one chunk: the later row updates the one created just before (the
            # writer decides it again once that row is stored).  What it adds is that customer's too: a row
            # after it sharing only those is the same customer again.
            decisions[position] = Decision("updated", refs={"same_as": earlier})
            index.remember(earlier, number, contacts, org_key)
            continue
        stored = [c for c in likely_of[position] if c.party_id is not None]
        if stored:
            decisions[position] = Decision(
                "review", candidates=[c.as_dict() for c in stored],
                problems=[("", _("possible duplicate of %(name)s (%(number)s): %(why)s")
                           % {"name": stored[0].display_name, "number": stored[0].customer_number,
                              "why": ", ".join(stored[0].reasons)})])
            continue
        # An earlier row of this chunk that is being created: held for review beside it, as it would be had
        # that row come in an earlier chunk.  The writer names the customer once it exists.
        alike = [c for c in likely_of[position] if c.earlier is not None
                 and getattr(decisions[checked[c.earlier]], "outcome", "") == "created"]
        if alike:
            first = checked[alike[0].earlier]  # type: ignore[index]
            decisions[position] = Decision(
                "review", candidates=[{**alike[0].as_dict(), "party_id": None}], refs={"like": first},
                problems=[("", _("possible duplicate of line %(line)s of this file: %(why)s")
                           % {"line": recs[first].line, "why": ", ".join(alike[0].reasons)})])
            continue
        index.remember(position, number, contacts, org_key)
        decisions[position] = Decision("created")
    decided = [d for d in decisions if d is not None]  # every row is decided now
    if not matched:
        return decided
    # Updates: what changes under the survivorship policy, and which contact points and addresses are new.
    ids = set(matched.values())
    model = Person if kind == "person" else Company
    fields = survivorship.SURVIVING_FIELDS[kind]
    current = {row["pk"]: row for row in model.objects.filter(pk__in=ids).values("pk", *fields)}
    have_cps: dict[int, set[str]] = {}
    for pid, key in ContactPoint.objects.filter(party_id__in=ids).values_list("party_id", "normalised"):
        have_cps.setdefault(pid, set()).add(key)
    have_addr: dict[int, set[tuple[str, str]]] = {}
    for pid, street, postcode in Address.objects.filter(party_id__in=ids).values_list("party_id", "street",
                                                                                    "postcode"):
        have_addr.setdefault(pid, set()).add(validation.address_key(street, postcode))
    for position, pid in matched.items():
        rec, decision = recs[position], decided[position]
        incoming = {k: v for k, v in rec.data.items() if k in fields and v not in (None, "")}
        decision.changes = survivorship.decide(kind, pid, current.get(pid, {}), incoming, source,
                                               priority=priority)
        decision.refs["incoming"] = incoming
        decision.new_contact_points = [cp for cp in rec.contact_points
                                       if cp["normalised"] not in have_cps.get(pid, set())]
        decision.new_addresses = [a for a in rec.addresses
                                  if validation.address_key(a["street"], a["postcode"]) not in
                                  have_addr.get(pid, set())]
        if not (decision.changes or decision.new_contact_points or decision.new_addresses):
            decision.outcome = "unchanged"
    return decided


def decide_linked(recs: list[Record], entity: str) -> list[Decision]:
    """Roles, interactions and orders: each must name an existing customer."""
    index = Index()
    index.load([r for r in recs if r.ok], "person" if entity == "roles" else None)  # a role's first party is a person
    decisions = []
    for rec in recs:
        if not rec.ok:
            decisions.append(Decision("error", problems=rec.problems))
            continue
        refs = rec.refs
        found, _reasons = index.find(refs.get("customer_number", ""),
                                     [refs[k] for k in ("email", "phone") if refs.get(k)], refs.get("org_number", ""))
        if len(found) != 1:
            message = (_("no customer with this customer number, e-mail, phone or org number") if not found
                       else _("matches several customers: %(ids)s") % {"ids": ", ".join(map(str, sorted(found)))})
            decisions.append(Decision("error", problems=[("", message)]))
            continue
        party_id = next(iter(found))
        if entity == "interactions":
            held = screen(rec)
            if held is not None:
                held.party_id = party_id
                decisions.append(held)
                continue
        decisions.append(Decision("created", party_id=party_id))
    if entity == "roles":
        _resolve_companies(recs, decisions)
    return decisions


def _resolve_companies(recs: list[Record], decisions: list[Decision]) -> None:
    from kundebase.core import identifiers
    from kundebase.parties.models import Company

    for rec, decision in zip(recs, decisions, strict=True):
        if decision.outcome != "created":
            continue
        ref = rec.extra["company"]
        companies = Company.objects.filter(merged_into__isnull=True)
        if ref.get("customer_number"):
            companies = companies.filter(customer_number=ref["customer_number"])
        elif ref.get("org_number"):
            companies = companies.filter(org_number_key=identifiers.org_number_key(ref["org_number"]))
        else:
            companies = companies.filter(search_name=identifiers.fold(ref["name"]))
        ids = list(companies.values_list("pk", flat=True)[:2])
        if len(ids) != 1:
            decision.outcome = "error"
            decision.problems = [("", _("no company found") if not ids else _("several companies match"))]
        else:
            decision.refs["company_id"] = ids[0]
