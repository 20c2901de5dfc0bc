"""The fields a record is matched on, and the prepared (normalised) columns the comparisons read.

A record is a dict of *roles* (given_name, family_name, birth_date, …) to raw text;
``prepare`` turns a column of records into arrays of keys.  The same function
prepares one record at entry and a million in a batch, so both score alike.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from kundebase.core import identifiers
from kundebase.matching.normalise import addresses, companies, contacts, names

PERSON_ROLES = ("given_name", "family_name", "full_name", "birth_date", "street", "house_number", "postcode",
                "city", "phone", "email", "national_id")
COMPANY_ROLES = ("company_name", "org_number", "website", "street", "house_number", "postcode", "city", "phone",
                 "email", "group")
ROLES = tuple(dict.fromkeys((*PERSON_ROLES, *COMPANY_ROLES)))


@lru_cache(maxsize=1 << 16)
def _date(value: Any) -> str:
    """ISO date from the spellings files use: 1980-12-31, 31.12.1980, 31/12/1980, 19801231, 1980.12.31."""
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value or "").strip()
    if not text:
        return ""
    digits = re.findall(r"\d+", text)
    if len(digits) == 1 and len(digits[0]) == 8:
        d = digits[0]
        return f"{d[:4]}-{d[4:6]}-{d[6:]}" if d[:2] in {"18", "19", "20"} else f"{d[4:]}-{d[2:4]}-{d[:2]}"
    if len(digits) >= 3:
        a, b, c = digits[:3]
        if len(a) == 4:
            return f"{a}-{b.zfill(2)}-{c.zfill(2)}"
        if len(c) == 4:
            return f"{c}-{b.zfill(2)}-{a.zfill(2)}"
    return text


def _text(value: Any) -> str:
    return str(value or "").strip()


def _country(value: Any, default_country: str) -> str:
    return (str(value or default_country) or "NO").upper()[:2]


def _given(given: str) -> tuple[str, str, str]:
    return names.plain(given), names.key(names.first_token(given)), names.nickname_group(given) if given else ""


def _family(family: str) -> tuple[str, str, str]:
    plain = names.plain(family)
    # the nickname key of the family name too, for lists typed family-name-first (Nagy István)
    return plain, names.key(family), names.nickname_group(plain) if plain else ""


def _birth(value: Any) -> tuple[str, str, str]:
    born = _date(value)
    # derived once per record, so comparisons of millions of pairs stay vectorised
    return born, born[:4], f"{born[:4]}-{born[8:10]}-{born[5:7]}" if len(born) == 10 else ""


def _street(street: str, house_number: str) -> tuple[str, str, str]:
    street_name, house, letter = addresses.split_street(street)
    if house_number:
        _n, house, letter = addresses.split_street("x " + house_number)
    return street_name, f"{house}{letter}", f"{street_name} {house}{letter}".strip()


def _phone(raw: str, country: str) -> tuple[str, str]:
    phone = identifiers.phone_key(raw, country) if raw else ""
    if raw and not phone:
        phone = re.sub(r"\D", "", raw)
    return phone, phone[-6:]


def _email(raw: str) -> tuple[str, str]:
    email = contacts.email(raw)
    return email, email.split("@")[0] if email else ""


_NOT_LETTER = re.compile(r"[^a-z]+")


def _email_user(given: str, family: str, raw: str) -> tuple[str]:
    """The e-mail user name when it says more than the name does, else "".

    ``peter.szabo`` at two providers is mostly two Péter Szabós: a user name spelled from the person's
    own name agrees whenever the names do, so counting it beside them counts the names twice (at a
    million customers most wrongly matched pairs were such namesakes).  A user name with digits or
    other words (``szabo.p75``, ``kalle.kanin``) stays evidence of its own.
    """
    email = contacts.email(raw)
    if not email:
        return ("",)
    user = email.split("@")[0]
    if any(ch.isdigit() for ch in user):
        return (user,)
    letters = _NOT_LETTER.sub("", names.plain(user))
    g, f = _NOT_LETTER.sub("", names.plain(given)), _NOT_LETTER.sub("", names.plain(family))
    first = _NOT_LETTER.sub("", names.first_token(given))
    spelled = {g + f, f + g, first + f, f + first, g, f, first}
    spelled |= {x[:1] + f for x in (g, first) if x} | {f + x[:1] for x in (g, first) if x}
    return ("",) if letters and letters in spelled - {""} else (user,)


_PARTS: tuple[tuple[tuple[str, ...], tuple[str, ...], Any], ...] = (
    (("given",), ("given_plain", "given_key", "given_nick"), _given),
    (("family",), ("family_plain", "family_key", "family_nick"), _family),
    (("birth_date",), ("birth_date", "birth_year", "birth_swapped"), _birth),
    (("street", "house_number"), ("street_name", "house", "street_key"), _street),
    (("postcode", "country"), ("postcode",), lambda pc, c: (addresses.postcode(pc, c),)),
    (("city",), ("city",), lambda city: (addresses.city(city),)),
    (("phone", "country"), ("phone", "phone_tail"), _phone),
    (("email",), ("email", "email_local"), _email),
    (("given", "family", "email"), ("email_user",), _email_user),
    (("national_id",), ("national_id",), lambda v: (re.sub(r"[\s\-]", "", v).upper(),)),
    (("company_name",), ("company_key",), lambda v: (companies.key(v) if v else "",)),
    (("org_number",), ("org_number",), lambda v: (re.sub(r"[^0-9A-Za-z]", "", v).upper(),)),
    (("website",), ("website",), lambda v: (contacts.website(v),)),
    (("group",), ("group",), lambda v: (v,)),
)
"""(inputs, features, function): each feature group is computed from a few cleaned inputs.

Splitting a record this way lets a batch compute each group once per *distinct* input
(a million customers share a few thousand given names) while ``prepare_one`` runs the
very same functions, so entry and batch cannot drift apart.
"""


TEXT_ROLES = ("birth_date", "street", "house_number", "postcode", "city", "phone", "email", "national_id",
              "company_name", "org_number", "website", "group")
"""Roles whose text is an input as it stands (stripped); names and country are worked out first."""
RECORD_KEYS = ("given_name", "family_name", "full_name", "language", "country", *TEXT_ROLES)


def quote(column: str) -> str:
    """A column name as a DuckDB identifier (file headers may hold spaces and quotes)."""
    return '"' + column.replace('"', '""') + '"'


def _inputs(record: Mapping[str, Any], default_country: str) -> dict[str, str]:
    given, family = _text(record.get("given_name")), _text(record.get("family_name"))
    full = _text(record.get("full_name"))
    if not (given or family) and full:
        given, family = names.split_full_name(full, str(record.get("language") or ""))
    out = {role: _text(record.get(role)) for role in TEXT_ROLES}
    out.update(given=given, family=family, country=_country(record.get("country"), default_country))
    return out


def prepare_one(record: Mapping[str, Any], default_country: str = "NO") -> dict[str, str]:
    """Keys of one record (every role present, empty string where unknown)."""
    inputs = _inputs(record, default_country)
    out: dict[str, str] = {}
    for args, names_, fn in _PARTS:
        out.update(zip(names_, fn(*(inputs[a] for a in args)), strict=True))
    return {f: out[f] for f in FEATURES}


FEATURES = ("given_plain", "given_key", "given_nick", "family_plain", "family_key", "family_nick", "birth_date",
            "birth_year", "birth_swapped", "street_name", "house", "street_key", "postcode", "city", "phone",
            "phone_tail", "email", "email_local", "email_user", "national_id", "company_key", "org_number", "website",
            "group")


def prepare(records: Iterable[Mapping[str, Any]], default_country: str = "NO", codes: bool = False
            ) -> dict[str, np.ndarray]:
    """Column arrays (object dtype) of every feature for many records.

    Each feature group is computed once per distinct input and shared: the arrays hold
    references to the same few strings, which keeps a million records in memory cheaply.
    """
    rows = list(records)
    return prepare_columns({key: [r.get(key) for r in rows] for key in RECORD_KEYS}, len(rows), default_country,
                           codes)


def prepare_columns(columns: Mapping[str, Sequence[Any]], n: int, default_country: str = "NO",
                    codes: bool = False) -> dict[str, np.ndarray]:
    """``prepare`` for records given as columns (role → values), as a file is read."""
    def get(role: str) -> Sequence[Any]:
        values = columns.get(role)
        return [""] * n if values is None else values

    given = [_text(v) for v in get("given_name")]
    family = [_text(v) for v in get("family_name")]
    if "full_name" in columns:
        language = get("language")
        for i, full in enumerate(get("full_name")):
            if not (given[i] or family[i]) and _text(full):
                given[i], family[i] = names.split_full_name(_text(full), str(language[i] or ""))
    inputs: dict[str, list[str]] = {"given": given, "family": family,
                                    "country": [_country(v, default_country) for v in get("country")]}
    for role in TEXT_ROLES:
        inputs[role] = [_text(v) for v in get(role)] if role in columns else [""] * n
    return prepare_inputs(inputs, n, codes)


def prepare_inputs(inputs: Mapping[str, Sequence[str]], n: int, codes: bool = False) -> dict[str, np.ndarray]:
    """Every feature from cleaned inputs, each group computed once per distinct input.

    With ``codes``, an integer code column is added beside each feature (``#given_plain``), from one
    vocabulary for all features, at the cost of a look-up per distinct value, not per row.  A batch compares
    millions of pairs: codes make equality an integer comparison and let a similarity be computed once per
    distinct pair of values; one vocabulary, so a given name can be compared with a family name (a swapped
    name order).
    """
    vocab: dict[str, int] = {"": 0}
    out: dict[str, np.ndarray] = {}
    for args, names_, fn in _PARTS:
        memo: dict[Any, int] = {}
        columns = [inputs[a] for a in args]
        keys = columns[0] if len(columns) == 1 else zip(*columns, strict=True)
        index = np.fromiter((memo.setdefault(key, len(memo)) for key in keys), dtype=np.int64, count=n)
        distinct = [fn(*key) if len(columns) > 1 else fn(key) for key in memo]
        _assemble(out, names_, distinct, index, vocab if codes else None)
    return _ordered(out, codes)


TABLE_INPUTS = {"given": "given_name", "family": "family_name"}
"""Inputs named differently from the role that fills them."""


def prepare_table(con: Any, table: str, mapping: Mapping[str, str], n: int, default_country: str = "NO",
                  codes: bool = False) -> dict[str, np.ndarray]:
    """``prepare_columns`` for records in a DuckDB table (``mapping``: role → column), as a file is read.

    DuckDB finds each group's distinct inputs and which one every row has, so Python touches a
    distinct value once and no row at all: at a million rows the per-row loop was most of the time.
    Names given only as a full name need Python to split them, and go through ``prepare_columns``.
    """
    if "full_name" in mapping:
        raise ValueError("full names are split in Python: use prepare_columns")
    vocab: dict[str, int] = {"": 0}
    out: dict[str, np.ndarray] = {}
    for args, names_, fn in _PARTS:
        exprs = []
        for arg in args:
            column = mapping.get(TABLE_INPUTS.get(arg, arg))
            exprs.append(f"coalesce(CAST({quote(column)} AS VARCHAR), '')" if column else "''")
        clean = [(lambda v: _country(v, default_country)) if arg == "country" else _text for arg in args]
        if all(e == "''" for e in exprs):
            keys: list[tuple[Any, ...]] = [("",) * len(args)]
            index = np.zeros(n, dtype=np.int64)
        else:
            names_sql = ", ".join(f"k{i}" for i in range(len(args)))
            select = ", ".join(f"{e} AS k{i}" for i, e in enumerate(exprs))
            con.execute(f"CREATE OR REPLACE TEMP TABLE kb_group AS SELECT row_number() OVER () - 1 AS gid, * "
                        f"FROM (SELECT DISTINCT {select} FROM {table})")
            keys = con.execute(f"SELECT {names_sql} FROM kb_group ORDER BY gid").fetchall()
            index = con.execute(f"SELECT gid FROM (SELECT rowid AS rid, {select} FROM {table}) "
                                f"JOIN kb_group USING ({names_sql}) ORDER BY rid").fetchnumpy()["gid"]
            index = np.asarray(index, dtype=np.int64)
            con.execute("DROP TABLE kb_group")
        distinct = [fn(*(c(v) for c, v in zip(clean, key, strict=True))) for key in keys]
        del keys
        clear_caches()  # every value was distinct here: what the caches hold will not be asked again
        _assemble(out, names_, distinct, index, vocab if codes else None)
    return _ordered(out, codes)


def _assemble(out: dict[str, np.ndarray], names_: tuple[str, ...], distinct: list[tuple[str, ...]],
              index: np.ndarray, vocab: dict[str, int] | None) -> None:
    from kundebase.matching.comparisons import CODE

    for j, name in enumerate(names_):
        values = np.empty(len(distinct), dtype=object)
        values[:] = [v[j] for v in distinct]
        out[name] = values[index]
        if vocab is not None:
            coded = np.fromiter((vocab.setdefault(v, len(vocab)) for v in values), dtype=np.int32, count=len(values))
            out[CODE + name] = coded[index]


def _ordered(out: dict[str, np.ndarray], codes: bool) -> dict[str, np.ndarray]:
    from kundebase.matching.comparisons import CODE

    return {f: out[f] for f in (*FEATURES, *((CODE + f for f in FEATURES) if codes else ()))}


def present_roles(records: list[Mapping[str, Any]]) -> set[str]:
    """The roles that carry a value in at least one record: only those get a comparison."""
    seen: set[str] = set()
    for record in records:
        seen.update(k for k, v in record.items() if v not in (None, ""))
    return seen


def clear_caches() -> None:
    """Empty the normalisers' caches after a batch: a batch computes each distinct value once anyway,
    and a million streets and e-mail addresses held for nothing are hundreds of megabytes."""
    for fn in (names.plain, names.key, names.first_token, addresses.split_street, identifiers.phone_key, contacts.email,
               _date):
        fn.cache_clear()

