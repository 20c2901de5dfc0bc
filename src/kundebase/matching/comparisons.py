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
from typing import TYPE_CHECKING, Any

import numpy as np
from django.utils.translation import gettext_lazy as _
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Features = dict[str, np.ndarray]


CODE = "#"
"""Prefix of the integer code columns a batch adds beside each feature (``#given_plain``): equal values have
equal codes, ``0`` is the empty value.  With codes, equality is an integer comparison and a string similarity
is computed once per distinct pair of values; without them (one record at entry) the strings are compared.
Both give the same levels, which is what lets the entry check score a pair as the batch does."""
PARALLEL_FROM = 50_000
"""rapidfuzz spreads a similarity over every core from this many pairs on; below it threads cost more."""


def _workers(n: int) -> int:
    return -1 if n >= PARALLEL_FROM else 1


def _distinct(l: Features, r: Features, a: str, b: str) -> tuple[np.ndarray, np.ndarray] | None:  # noqa: E741
    """(first row of each distinct value pair of ``l[a]`` and ``r[b]``, inverse), when both are coded."""
    if CODE + a not in l or CODE + b not in r:
        return None
    key = l[CODE + a].astype(np.int64) << 32 | r[CODE + b].astype(np.int64)
    _keys, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    return first, inverse.ravel()


def _similarity(l: Features, r: Features, a: str, b: str, scorer: Any, dtype: type) -> np.ndarray:  # noqa: E741
    left, right = l[a], r[b]
    if len(left) == 0:
        return np.zeros(0, dtype=dtype)
    found = _distinct(l, r, a, b)
    if found is None or len(found[0]) > 0.7 * len(left):
        return process.cpdist(list(left), list(right), scorer=scorer, workers=_workers(len(left)))
    first, inverse = found
    values = process.cpdist(list(left[first]), list(right[first]), scorer=scorer, workers=_workers(len(first)))
    return values[inverse]


def _jw(l: Features, r: Features, a: str, b: str | None = None) -> np.ndarray:  # noqa: E741
    return _similarity(l, r, a, b or a, JaroWinkler.normalized_similarity, float)


def _lev(l: Features, r: Features, a: str, b: str | None = None) -> np.ndarray:  # noqa: E741
    return _similarity(l, r, a, b or a, DamerauLevenshtein.distance, np.int64)


def _eq(l: Features, r: Features, a: str, b: str | None = None) -> np.ndarray:  # noqa: E741
    b = b or a
    if CODE + a in l and CODE + b in r:
        return l[CODE + a] == r[CODE + b]
    return l[a] == r[b]


def _null(l: Features, r: Features, a: str) -> np.ndarray:  # noqa: E741
    if CODE + a in l and CODE + a in r:
        return (l[CODE + a] == 0) | (r[CODE + a] == 0)
    return (l[a] == "") | (r[a] == "")


def _full(l: Features, a: str) -> np.ndarray:  # noqa: E741
    return l[CODE + a] != 0 if CODE + a in l else l[a] != ""


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
    levels: tuple[StrOrPromise, ...]
    """Human description per level (lazily translated), index 0 = disagreement, last = strongest agreement."""
    fn: Callable[[Features, Features], np.ndarray]

    def compare(self, left: Features, right: Features) -> np.ndarray:
        return self.fn(left, right)


def _given(l: Features, r: Features) -> np.ndarray:  # noqa: E741
    jw = _jw(l, r, "given_plain")
    return _levels(_null(l, r, "given_plain"), [_eq(l, r, "given_key"), _eq(l, r, "given_nick"), jw >= 0.92,
                                                jw >= 0.8])


def _family(l: Features, r: Features) -> np.ndarray:  # noqa: E741
    jw = _jw(l, r, "family_plain")
    return _levels(_null(l, r, "family_plain"), [_eq(l, r, "family_key"), jw >= 0.92, jw >= 0.8])


def _birth(l: Features, r: Features) -> np.ndarray:  # noqa: E741
    lev = _lev(l, r, "birth_date")
    swapped = _eq(l, r, "birth_date", "birth_swapped")
    same_year = _eq(l, r, "birth_year")
    return _levels(_null(l, r, "birth_date"), [_eq(l, r, "birth_date"), (lev <= 1) | swapped,
                                               same_year | (lev <= 2)])


def _street(l: Features, r: Features) -> np.ndarray:  # noqa: E741
    jw = _jw(l, r, "street_name")
    same_house = _eq(l, r, "house") & _full(l, "house")
    return _levels(_null(l, r, "street_key"), [_eq(l, r, "street_key"), same_house & (jw >= 0.88), jw >= 0.88])


def _place(l: Features, r: Features) -> np.ndarray:  # noqa: E741
    """Postcode and city as one comparison: they say nearly the same thing, and counting both would
    double the evidence of two strangers living in one postcode area."""
    pc_null, city_null = _null(l, r, "postcode"), _null(l, r, "city")
    pc_eq = _eq(l, r, "postcode") & ~pc_null
    pc_close = (_lev(l, r, "postcode") <= 1) & ~pc_null
    city_eq = _eq(l, r, "city") & ~city_null
    city_close = (_jw(l, r, "city") >= 0.88) & ~city_null
    return _levels(pc_null & city_null, [pc_eq & (city_eq | city_null), pc_eq | (pc_close & city_close),
                                         city_eq | city_close])


def _phone(l: Features, r: Features) -> np.ndarray:  # noqa: E741
    return _levels(_null(l, r, "phone"), [_eq(l, r, "phone"), _eq(l, r, "phone_tail")])


def _email(l: Features, r: Features) -> np.ndarray:  # noqa: E741
    # only the exact user name counts: "kari.nordmann12" and "kari.nordmann7" are usually two Karis
    # and only a user name that is more than the person's name spelled out (see ``fields._email_user``)
    return _levels(_null(l, r, "email"), [_eq(l, r, "email"), _eq(l, r, "email_user") & _full(l, "email_user")])


def _national_id(l: Features, r: Features) -> np.ndarray:  # noqa: E741
    lev = _lev(l, r, "national_id")
    return _levels(_null(l, r, "national_id"), [_eq(l, r, "national_id"), lev <= 1])


def _company_name(l: Features, r: Features) -> np.ndarray:  # noqa: E741
    jw = _jw(l, r, "company_key")
    token = _similarity(l, r, "company_key", "company_key", _token_set, float)
    return _levels(_null(l, r, "company_key"), [_eq(l, r, "company_key"), jw >= 0.93, token >= 0.85])


def _token_set(x: str, y: str, **_kw: object) -> float:
    sx, sy = set(x.split()), set(y.split())
    return len(sx & sy) / max(1, min(len(sx), len(sy)))


def _org(l: Features, r: Features) -> np.ndarray:  # noqa: E741
    return _levels(_null(l, r, "org_number"), [_eq(l, r, "org_number")])


def _website(l: Features, r: Features) -> np.ndarray:  # noqa: E741
    return _levels(_null(l, r, "website"), [_eq(l, r, "website")])


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
    straight = _jw(left, right, "given_plain") + _jw(left, right, "family_plain")
    cross = _jw(left, right, "given_plain", "family_plain") + _jw(left, right, "family_plain", "given_plain")
    flip = cross > straight + 0.3
    if not flip.any():
        return right
    out = right.copy()
    for a, b in (("given_plain", "family_plain"), ("given_key", "family_key"), ("given_nick", "family_nick")):
        for x, y in ((a, b), (CODE + a, CODE + b)):
            if x in right:
                out[x], out[y] = np.where(flip, right[y], right[x]), np.where(flip, right[x], right[y])
    return out


def pair_count(features: Features) -> int:
    """How many records (pairs, on one side) ``features`` describes.

    A batch hands over its chunk's features lazily (``batch.Taken``: a column is taken only when a
    comparison reads it), so before the first comparison the mapping may hold no column at all; such a
    mapping says its length as ``rows``.
    """
    rows = getattr(features, "rows", None)
    if rows is not None:
        return int(rows)
    return len(next(iter(features.values()))) if features else 0


def compare(kind: str, comparisons: list[Comparison], left: Features, right: Features) -> np.ndarray:
    """A (pairs × comparisons) matrix of levels."""
    if kind == "person":
        right = align_names(left, right)
    if not comparisons:
        return np.zeros((pair_count(left), 0), dtype=np.int8)
    return np.stack([c.compare(left, right) for c in comparisons], axis=1)


