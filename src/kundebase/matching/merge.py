"""Merging two customers, and undoing it exactly.

A merge moves *everything* that points at the merged party to the survivor —
found generically by walking the foreign keys to ``Party`` and to its
``Person``/``Company`` child, so rows of apps written later (loyalty points,
tickets …) move too — keeps every source value (observations are re-pointed,
never dropped), picks the shown value per field by the survivorship policy and
stores a :class:`MergeRecord` with both parties' rows and every moved row.

Unmerge puts every moved row back exactly as it was and restores both parties'
rows.  Rows created *after* the merge stay with the survivor, unless they came
through an identifier of the restored record: a new contact point with the
restored record's e-mail or phone, or a new row (interaction, order …) whose
text fields carry such an e-mail or phone, goes back to the restored record.
Fields of the survivor changed since the merge keep their new value.  The
version of both rows grows (never goes back), so an ETag from before the
merge cannot overwrite the restored record.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.apps import apps
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kundebase.core import audit, hooks, identifiers
from kundebase.core.errors import Conflict, NotFound, ValidationFailed
from kundebase.core.models import Observation
from kundebase.ingest import survivorship
from kundebase.matching import store
from kundebase.matching.models import MergeRecord, ReviewPair
from kundebase.matching.normalise import contacts
from kundebase.parties.models import Company, ContactPoint, Party, Person
from kundebase.parties.services import lifecycle
from kundebase.privacy import consent

SKIP_APPS = frozenset({"matching"})
"""Our own bookkeeping (blocking keys, review pairs, merge records) is not customer data to move."""


def _child(kind: str) -> type[Person] | type[Company]:
    return Person if kind == Party.Kind.PERSON else Company


def _relations(kind: str) -> list[tuple[type[models.Model], str]]:
    """(model, foreign-key attname) of every one-to-many relation that points at a party of this kind."""
    out: list[tuple[type[models.Model], str]] = []
    for target in (Party, _child(kind)):
        for rel in target._meta.related_objects:
            if rel.many_to_many or rel.related_model._meta.app_label in SKIP_APPS:
                continue
            if getattr(rel, "parent_link", False) or (rel.one_to_one and rel.field.remote_field.parent_link):
                continue
            if (rel.related_model, rel.field.attname) not in out:  # the child also lists Party's relations
                out.append((rel.related_model, rel.field.attname))
    return out


class _ExactEncoder(DjangoJSONEncoder):
    """Django's encoder cuts times to milliseconds; an unmerge must restore them to the microsecond."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


def _dump(objs: list[models.Model]) -> list[dict[str, Any]]:
    return json.loads(serializers.serialize("json", objs, cls=_ExactEncoder))


def _party_rows(party_id: int, kind: str) -> list[dict[str, Any]]:
    """Both MTI rows of a party, Party first."""
    return _dump([Party.objects.get(pk=party_id), *_child(kind).objects.filter(pk=party_id)])


def _load(rows: list[dict[str, Any]]) -> list[Any]:
    return list(serializers.deserialize("json", json.dumps(rows)))


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


@transaction.atomic
def merge(*, survivor_id: int, merged_id: int, actor: object = None, channel: str = "api") -> MergeRecord:
    if survivor_id == merged_id:
        raise ValidationFailed.one("merged_id", _("A customer cannot be merged with itself"))
    parties = {p.pk: p for p in Party.objects.select_for_update().filter(pk__in=[survivor_id, merged_id])}
    for pid in (survivor_id, merged_id):
        if pid not in parties:
            raise NotFound(_("Customer"), pid)
        if parties[pid].merged_into_id:
            raise Conflict(_("Customer %(n)s was already merged into another") % {"n": parties[pid].customer_number},
                           code="already_merged")
    kind = parties[survivor_id].kind
    if parties[merged_id].kind != kind:
        raise ValidationFailed.one("merged_id", _("A person cannot be merged with a company"))
    child = _child(kind)
    snapshot: dict[str, Any] = {"kind": kind, "survivor": _party_rows(survivor_id, kind),
                                "merged": _party_rows(merged_id, kind), "moved": [], "survivor_rows": {}}
    consent_before = consent.states_before_merge(survivor_id, merged_id)
    merged_identifiers = sorted(set(ContactPoint.objects.filter(party_id=merged_id).values_list("normalised",
                                                                                                   flat=True)))
    snapshot["merged_identifiers"] = merged_identifiers
    for model, attname in _relations(kind):
        label = f"{_label(model)}.{attname}"
        snapshot["survivor_rows"][label] = list(model._default_manager.filter(**{attname: survivor_id})
                                                .values_list("pk", flat=True))
        rows = list(model._default_manager.filter(**{attname: merged_id}))
        if not rows:
            continue
        snapshot["moved"].append({"model": _label(model), "field": attname, "rows": _dump(rows)})
        lifecycle.repoint(model, attname, merged_id, survivor_id)
    # one primary contact point and address per kind: the survivor's stay primary
    moved_ids = {label: [row["pk"] for entry in snapshot["moved"] if entry["model"] == label for row in entry["rows"]]
                 for label in ("parties.contactpoint", "parties.address")}
    lifecycle.demote_primaries(moved_ids["parties.contactpoint"], moved_ids["parties.address"])
    obs = Observation.objects.filter(entity=kind, record_id=merged_id)
    snapshot["observations"] = list(obs.values_list("pk", flat=True))
    obs.update(record_id=survivor_id)

    current: dict[int, dict[str, Any]] = {pid: dict(child.objects.filter(pk=pid).values().first() or {})
                                          for pid in (survivor_id, merged_id)}
    chosen = survivorship.merged_values(kind, survivor_id, merged_id, current)
    changes = {k: v for k, v in chosen.items() if current[survivor_id].get(k) != v}
    lifecycle.apply_values(survivor_id, changes)
    snapshot["survivor_changes"] = {k: str(v) for k, v in changes.items()}
    snapshot["survivor_after"] = _party_rows(survivor_id, kind)
    lifecycle.mark_merged(survivor_id=survivor_id, merged_id=merged_id)
    snapshot["consents_written"] = consent.reconcile_merge(survivor_id=survivor_id, before=consent_before, actor=actor)
    for fn in hooks.after_merge:
        fn(survivor_id=survivor_id, merged_id=merged_id, actor=actor)
    record = MergeRecord.objects.create(survivor_id=survivor_id, merged_id=merged_id, snapshot=snapshot,
                                        merged_by=(getattr(actor, "username", "") or str(actor or ""))[:150])
    moved_names = sorted({entry["model"] for entry in snapshot["moved"]})
    audit.record(action="merge", actor=actor, entity=kind, record_id=merged_id, party_id=survivor_id,
                 channel=channel, fields=[*changes, *moved_names],
                 note=f"merged {parties[merged_id].customer_number} into {parties[survivor_id].customer_number}"
                      f" (merge {record.pk})")
    ReviewPair.objects.filter(left_id__in=[survivor_id, merged_id], right_id__in=[survivor_id, merged_id]).update(
        status=ReviewPair.Status.MERGED, decided_at=timezone.now(), decided_by=record.merged_by)
    store.refresh_keys(kind, [survivor_id, merged_id])
    return record


def _identifier_keys(values: list[str]) -> set[str]:
    keys = set()
    for value in values:
        text = str(value or "")
        if "@" in text:
            keys.add(contacts.email(text))
        digits = sum(ch.isdigit() for ch in text)
        if 6 <= digits <= 16 and len(text) <= 40:
            keys.add(identifiers.phone_key(text))
    keys.discard("")
    return keys


def _text_identifiers(obj: models.Model) -> set[str]:
    values = [getattr(obj, f.attname) for f in obj._meta.concrete_fields
              if isinstance(f, models.CharField | models.TextField)]
    found: set[str] = set()
    for value in values:
        for word in str(value or "").replace(",", " ").replace(";", " ").split():
            found |= _identifier_keys([word])
    return found


@transaction.atomic
def unmerge(*, merge_id: int, actor: object = None, channel: str = "api") -> MergeRecord:
    record = MergeRecord.objects.select_for_update().filter(pk=merge_id).first()
    if record is None:
        raise NotFound(_("Merge"), merge_id)
    if record.unmerged_at:
        raise Conflict(_("This merge was already undone"), code="already_unmerged")
    snap = record.snapshot
    kind, survivor_id, merged_id = snap["kind"], record.survivor_id, record.merged_id
    if Party.objects.filter(pk=survivor_id, merged_into__isnull=False).exists():
        raise Conflict(_("The surviving customer was merged again since; undo that merge first"),
                       code="merged_again")
    restored_keys = {k for k in snap.get("merged_identifiers", []) if k}
    survivor_keys = set(ContactPoint.objects.filter(pk__in=_ids(snap["survivor_rows"], "parties.contactpoint"))
                        .values_list("normalised", flat=True))
    only_restored = restored_keys - survivor_keys
    # 1. moved rows go back exactly as they were
    moved_pks: dict[str, set[Any]] = {}
    for entry in snap["moved"]:
        model = apps.get_model(entry["model"])
        existing = set(model._default_manager.filter(pk__in=[r["pk"] for r in entry["rows"]])
                       .values_list("pk", flat=True))
        lifecycle.restore(_load([r for r in entry["rows"] if r["pk"] in existing]))
        moved_pks.setdefault(f"{entry['model']}.{entry['field']}", set()).update(r["pk"] for r in entry["rows"])
    Observation.objects.filter(pk__in=snap.get("observations", [])).update(record_id=merged_id)
    # 2. rows added to the survivor since the merge: the restored record's identifiers take theirs back
    moved_back = []
    for model, attname in _relations(kind):
        label = f"{_label(model)}.{attname}"
        before = set(snap["survivor_rows"].get(label, [])) | moved_pks.get(label, set())
        for obj in model._default_manager.filter(**{attname: survivor_id}).exclude(pk__in=before):
            keys = {obj.normalised} if isinstance(obj, ContactPoint) else _text_identifiers(obj)
            if keys & only_restored:
                lifecycle.repoint(model, attname, survivor_id, merged_id, pks=[obj.pk])
                moved_back.append(f"{label}:{obj.pk}")
    # 3. both parties' rows as they were, except fields of the survivor changed since the merge
    survivor_now = {row["model"]: row["fields"] for row in _party_rows(survivor_id, kind)}
    after = {row["model"]: row["fields"] for row in snap["survivor_after"]}
    rows = []
    for row in snap["survivor"]:
        fields = dict(row["fields"])
        for name, value in survivor_now[row["model"]].items():
            if name not in ("version", "updated_at") and value != after[row["model"]].get(name):
                fields[name] = value  # changed by someone after the merge: keep the newer value
        rows.append({**row, "fields": fields})
    versions = dict(Party.objects.filter(pk__in=[survivor_id, merged_id]).values_list("pk", "version"))
    lifecycle.restore(_load([*rows, *snap["merged"]]))
    lifecycle.advance_versions(versions)
    consent.restore_after_unmerge(survivor_id=survivor_id, written=snap.get("consents_written", []), actor=actor)
    for fn in hooks.after_unmerge:
        fn(survivor_id=survivor_id, restored_id=merged_id, actor=actor)
    record.unmerged_at = timezone.now()
    record.unmerged_by = (getattr(actor, "username", "") or str(actor or ""))[:150]
    record.snapshot = {**snap, "moved_back_after_merge": moved_back}
    record.save(update_fields=["unmerged_at", "unmerged_by", "snapshot"])
    audit.record(action="unmerge", actor=actor, entity=kind, record_id=merged_id, party_id=survivor_id,
                 channel=channel, fields=moved_back[:50], note=f"merge {record.pk} undone")
    pair = ReviewPair.objects.filter(left_id__in=[survivor_id, merged_id], right_id__in=[survivor_id, merged_id])
    pair.update(status=ReviewPair.Status.REJECTED, decided_at=timezone.now(), decided_by=record.unmerged_by)
    store.refresh_keys(kind, [survivor_id, merged_id])
    return record


def _ids(rows: dict[str, list[Any]], model_label: str) -> list[Any]:
    return [pk for label, pks in rows.items() if label.startswith(model_label + ".") for pk in pks]
