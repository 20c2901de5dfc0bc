"""Comparisons: for each pair of records, which agreement level each field reached.

Levels are small integers, ``-1`` when either side has no value (no evidence
either way), ``0`` for disagreement and higher numbers for closer agreement.
The functions are vectorised over arrays of pairs (rapidfuzz's C loops), and
the at-entry check calls the very same functions with arrays of length one —
that is why the fast path and the batch engine give a pair the same score.
Comparisons are a registry, so a deployment can add its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext_lazy as _
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

Features = dict[str, np.ndarray]


def _jw(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if len(a) == 0:
        return np.zeros(0)
    return process.cpdist(list(a), list(b), scorer=JaroWinkler.normalized_similarity, workers=1)


def _lev(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if len(a) == 0:
        return np.zeros(0, dtype=np.int64)
    return process.cpdist(list(a), list(b), scorer=DamerauLevenshtein.distance, workers=1)


def _null(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a == "") | (b == "")


def _levels(null: np.ndarray, conditions: list[np.ndarray]) -> np.ndarray:
    """First condition that holds wins; conditions are given strongest first."""
    out = np.zeros(len(null), dtype=np.int8)
    top = len(conditions)
    for rank, cond in enumerate(conditions):
        out = np.where((out == 0) & cond, top - rank, out)
    return np.where(null, -1, out).astype(np.int8)


@dataclass(frozen=True)
class Comparison:
    name: str
    roles: tuple[str, ...]
    """Mapping roles any one of which makes this comparison meaningful."""
    levels: tuple[str, ...]
    """Human description per level, index 0 = disagreement, last = strongest agreement."""
    fn: Callable[[Features, Features], np.ndarray]

    def compare(self, left: Features, right: Features) -> np.ndarray:
        return self.fn(left, right)


def _given(l: Features, r: Features) -> np.ndarray:  # noqa: E741
    a, b = l["given_plain"], r["given_plain"]
    jw = _jw(a, b)
    return _levels(_null(a, b), [l["given_key"] == r["given_key"], l["given_nick"] == r["given_nick"],
                                 jw >= 0.92, jw >= 0.8])


def _family(l: Features, r: Features) -> np.ndarray:  # noqa: E741
    a, b = l["family_plain"], r["family_plain"]
    jw = _jw(a, b)
    return _levels(_null(a, b), [l["family_key"] == r["family_key"], jw >= 0.92, jw >= 0.8])


def _birth(l: Features, r: Features) -> np.ndarray:  # noqa: E741
    a, b = l["birth_date"], r["birth_date"]
    lev = _lev(a, b)
    swapped = l["birth_date"] == r["birth_swapped"]
    same_year = l["birth_year"] == r["birth_year"]
    return _levels(_null(a, b), [a == b, (lev <= 1) | swapped, same_year | (lev <= 2)])


def _street(l: Features, r: Features) -> np.ndarray:  # noqa: E741
    a, b = l["street_key"], r["street_key"]
    jw = _jw(l["street_name"], r["street_name"])
    same_house = (l["house"] == r["house"]) & (l["house"] != "")
    return _levels(_null(a, b), [a == b, same_house & (jw >= 0.88), jw >= 0.88])


def _place(l: Features, r: Features) -> np.ndarray:  # noqa: E741
    """Postcode and city as one comparison: they say nearly the same thing, and counting both would
    double the evidence of two strangers living in one postcode area."""
    pa, pb, ca, cb = l["postcode"], r["postcode"], l["city"], r["city"]
    pc_null, city_null = _null(pa, pb), _null(ca, cb)
    pc_eq = (pa == pb) & ~pc_null
    pc_close = (_lev(pa, pb) <= 1) & ~pc_null
    city_eq = (ca == cb) & ~city_null
    city_close = (_jw(ca, cb) >= 0.88) & ~city_null
    return _levels(pc_null & city_null, [pc_eq & (city_eq | city_null), pc_eq | (pc_close & city_close),
                                         city_eq | city_close])


def _phone(l: Features, r: Features) -> np.ndarray:  # noqa: E741
    a, b = l["phone"], r["phone"]
    tail = l["phone_tail"] == r["phone_tail"]
    return _levels(_null(a, b), [a == b, tail])


def _email(l: Features, r: Features) -> np.ndarray:  # noqa: E741
    a, b = l["email"], r["email"]
    # only the exact user name counts: "kari.nordmann12" and "kari.nordmann7" are usually two Karis
    return _levels(_null(a, b), [a == b, l["email_local"] == r["email_local"]])


def _national_id(l: Features, r: Features) -> np.ndarray:  # noqa: E741
    a, b = l["national_id"], r["national_id"]
    lev = _lev(a, b)
    return _levels(_null(a, b), [a == b, lev <= 1])


def _company_name(l: Features, r: Features) -> np.ndarray:  # noqa: E741
    a, b = l["company_key"], r["company_key"]
    jw = _jw(a, b)
    token = process.cpdist(list(a), list(b), scorer=_token_set, workers=1) if len(a) else np.zeros(0)
    return _levels(_null(a, b), [a == b, jw >= 0.93, token >= 0.85])


def _token_set(x: str, y: str, **_kw: object) -> float:
    sx, sy = set(x.split()), set(y.split())
    return len(sx & sy) / max(1, min(len(sx), len(sy)))


def _org(l: Features, r: Features) -> np.ndarray:  # noqa: E741
    a, b = l["org_number"], r["org_number"]
    return _levels(_null(a, b), [a == b])


def _website(l: Features, r: Features) -> np.ndarray:  # noqa: E741
    a, b = l["website"], r["website"]
    return _levels(_null(a, b), [a == b])


PERSON_COMPARISONS: list[Comparison] = [
    Comparison("given_name", ("given_name", "full_name"),
               (_("different given name"), _("similar given name"), _("close given name"), _("nickname"),
                _("same given name")), _given),
    Comparison("family_name", ("family_name", "full_name"),
               (_("different family name"), _("similar family name"), _("close family name"),
                _("same family name")), _family),
    Comparison("birth_date", ("birth_date",),
               (_("different birth date"), _("birth year close"), _("birth date one typo apart"),
                _("same birth date")), _birth),
    Comparison("street", ("street",),
               (_("different street"), _("similar street"), _("same street and number, spelled differently"),
                _("same street address")), _street),
    Comparison("place", ("postcode", "city"), (_("different place"), _("same city"), _("nearly the same postcode"),
                                              _("same postcode and city")), _place),
    Comparison("phone", ("phone",), (_("different phone"), _("phone ends alike"), _("same phone")), _phone),
    Comparison("email", ("email",), (_("different e-mail"), _("same e-mail user name"), _("same e-mail")), _email),
    Comparison("national_id", ("national_id",),
               (_("different national id"), _("national id one typo apart"), _("same national id")), _national_id),
]
COMPANY_COMPARISONS: list[Comparison] = [
    Comparison("company_name", ("company_name",),
               (_("different name"), _("name shares its words"), _("similar name"), _("same name")), _company_name),
    Comparison("org_number", ("org_number",), (_("different organisation number"),
                                               _("same organisation number")), _org),
    Comparison("website", ("website",), (_("different website"), _("same website")), _website),
    Comparison("street", ("street",),
               (_("different street"), _("similar street"), _("same street and number, spelled differently"),
                _("same street address")), _street),
    Comparison("place", ("postcode", "city"), (_("different place"), _("same city"), _("nearly the same postcode"),
                                              _("same postcode and city")), _place),
    Comparison("phone", ("phone",), (_("different phone"), _("phone ends alike"), _("same phone")), _phone),
    Comparison("email", ("email",), (_("different e-mail"), _("same e-mail user name"), _("same e-mail")), _email),
]
REGISTRY: dict[str, list[Comparison]] = {"person": PERSON_COMPARISONS, "company": COMPANY_COMPARISONS}


def for_roles(kind: str, roles: set[str]) -> list[Comparison]:
    return [c for c in REGISTRY[kind] if set(c.roles) & roles]


def align_names(left: Features, right: Features) -> Features:
    """Swap the right side's given and family name where that fits much better (family-name-first lists)."""
    if "given_plain" not in left or len(left["given_plain"]) == 0:
        return right
    straight = _jw(left["given_plain"], right["given_plain"]) + _jw(left["family_plain"], right["family_plain"])
    cross = _jw(left["given_plain"], right["family_plain"]) + _jw(left["family_plain"], right["given_plain"])
    flip = cross > straight + 0.3
    if not flip.any():
        return right
    out = dict(right)
    for a, b in (("given_plain", "family_plain"), ("given_key", "family_key")):
        out[a] = np.where(flip, right[b], right[a])
        out[b] = np.where(flip, right[a], right[b])
    from kundebase.matching.normalise.names import nickname_group

    out["given_nick"] = np.where(flip, np.array([nickname_group(x) for x in out["given_plain"]], dtype=object),
                                 right["given_nick"])
    return out


def compare(kind: str, comparisons: list[Comparison], left: Features, right: Features) -> np.ndarray:
    """A (pairs × comparisons) matrix of levels."""
    if kind == "person":
        right = align_names(left, right)
    n = len(next(iter(left.values())))
    if not comparisons:
        return np.zeros((n, 0), dtype=np.int8)
    return np.stack([c.compare(left, right) for c in comparisons], axis=1)


