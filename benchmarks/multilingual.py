"""A multilingual customer file with injected duplicates and their ground truth.

Used by ``benchmarks/matching.py`` while the demo generator's data is not on this
branch.  Faker (no_NO, da_DK, sv_SE, de_DE, hu_HU, en_GB) fills pools of names,
streets and cities; records are drawn from the pools with numpy, so a million
rows take seconds.  About 10 % of the customers get one or two duplicates, each
with 1–3 of these documented corruptions, the way duplicates arise in practice:

* a typo (one letter dropped, doubled, swapped or replaced) in a name;
* a nickname instead of the given name (Robert → Bob, Karl → Kalle, István → Pisti …);
* transliteration of national letters (ø → oe/o, å → aa, æ → ae, ü → ue, ß → ss, ő → ö/o, accents dropped);
* given and family name swapped (a list typed family-name-first, Hungarian order);
* the street written with its abbreviation (gata → gt., veien → vn., straße → str., utca → u.), the house
  letter with a space (12B → 12 b);
* the phone in another format (+47 412 34 567 → 0047 41234567 → 41234567);
* the e-mail in other case, with a +tag, or with Gmail dots; or a new e-mail altogether;
* moved: a different street, postcode and city;
* a missing birth date, phone or e-mail; a birth date with day and month swapped or one digit wrong.

Birth dates are ISO in every record, so no engine is judged on parsing dates.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

LOCALES = {"no_NO": ("NO", "+47"), "da_DK": ("DK", "+45"), "sv_SE": ("SE", "+46"), "de_DE": ("DE", "+49"),
           "hu_HU": ("HU", "+36"), "en_GB": ("GB", "+44")}
NICKNAMES = {"Robert": "Bob", "William": "Bill", "Karl": "Kalle", "Carl": "Kalle", "Hans": "Hansi",
             "István": "Pisti", "József": "Jóska", "Karianne": "Kari", "Elisabeth": "Lise", "Katharina": "Kathi",
             "Michael": "Mike", "Thomas": "Tom", "Johannes": "Hannes", "Margit": "Manci", "László": "Laci",
             "Ferenc": "Feri", "Zoltán": "Zoli", "György": "Gyuri", "Erzsébet": "Erzsi", "Katalin": "Kati",
             "Alexander": "Alex", "Andreas": "Andi", "Christian": "Chris", "Peter": "Pete", "Nikolaus": "Klaus"}
TRANSLIT = [("ø", "oe"), ("å", "aa"), ("æ", "ae"), ("ü", "ue"), ("ö", "oe"), ("ä", "ae"), ("ß", "ss"),
            ("ő", "ö"), ("ű", "ü"), ("á", "a"), ("é", "e"), ("í", "i"), ("ó", "o"), ("ú", "u"), ("Ø", "Oe"),
            ("Å", "Aa"), ("Æ", "Ae"), ("Ü", "Ue"), ("Ö", "Oe"), ("Ä", "Ae"), ("Ő", "Ö"), ("Á", "A"), ("É", "E")]
ABBREV = [("gata", "gt."), ("gaten", "gt."), ("veien", "vn."), ("vei", "v."), ("vej", "v."), ("gade", "g."),
          ("straße", "str."), ("Straße", "Str."), ("strasse", "str."), ("utca", "u."), ("gatan", "g."),
          ("vägen", "v."), ("Street", "St"), ("Road", "Rd")]
FIELDS = ["id", "given_name", "family_name", "birth_date", "street", "postcode", "city", "phone", "email", "country"]


def _pools(seed: int, size: int) -> dict[str, dict[str, list[str]]]:
    from faker import Faker

    pools: dict[str, dict[str, list[str]]] = {}
    for locale in LOCALES:
        fake = Faker(locale)
        fake.seed_instance(seed)
        first = sorted({fake.first_name() for _ in range(size * 3)})[:size]
        first += [n for n in NICKNAMES if n not in first][:20]
        pools[locale] = {
            "first": first,
            "last": sorted({fake.last_name() for _ in range(size * 3)})[:size],
            "street": sorted({fake.street_name() for _ in range(size * 3)})[:size],
            "place": [f"{fake.postcode()}|{fake.city()}" for _ in range(size)],
            "domain": ["gmail.com", "hotmail.com", "outlook.com", fake.free_email_domain(), "online.no",
                       "web.de", "freemail.hu", "mail.dk", "yahoo.co.uk"],
        }
    return pools


def _phone(rng: np.random.Generator, prefix: str) -> str:
    body = {"+47": "4" + "".join(rng.choice(list("0123456789"), 7)), "+45": "2" + "".join(rng.choice(list(
        "0123456789"), 7)), "+46": "70" + "".join(rng.choice(list("0123456789"), 7)),
        "+49": "151" + "".join(rng.choice(list("0123456789"), 8)), "+36": "30" + "".join(rng.choice(list(
            "0123456789"), 7)), "+44": "7911" + "".join(rng.choice(list("0123456789"), 6))}[prefix]
    return f"{prefix} {body[:3]} {body[3:5]} {body[5:]}"


def _ascii_local(text: str) -> str:
    for a, b in TRANSLIT:
        text = text.replace(a, b)
    return "".join(ch for ch in text.lower() if ch.isalnum() or ch == ".")


def _typo(rng: np.random.Generator, text: str) -> str:
    if len(text) < 3:
        return text
    i = int(rng.integers(1, len(text) - 1))
    op = int(rng.integers(0, 4))
    if op == 0:
        return text[:i] + text[i + 1:]
    if op == 1:
        return text[:i] + text[i] + text[i:]
    if op == 2:
        return text[:i - 1] + text[i] + text[i - 1] + text[i + 1:]
    return text[:i] + "aeiourstnl"[int(rng.integers(0, 10))] + text[i + 1:]


def _corrupt(rng: np.random.Generator, rec: dict[str, str], pools: dict[str, list[str]], prefix: str
             ) -> dict[str, str]:
    out = dict(rec)
    kinds = rng.choice(12, size=int(rng.integers(1, 4)), replace=False)
    for kind in kinds:
        if kind == 0:
            key = "family_name" if rng.random() < 0.5 else "given_name"
            out[key] = _typo(rng, out[key])
        elif kind == 1 and out["given_name"] in NICKNAMES:
            out["given_name"] = NICKNAMES[out["given_name"]]
        elif kind == 2:
            for key in ("given_name", "family_name", "street", "city"):
                for a, b in TRANSLIT:
                    out[key] = out[key].replace(a, b)
        elif kind == 3:
            out["given_name"], out["family_name"] = out["family_name"], out["given_name"]
        elif kind == 4:
            for a, b in ABBREV:
                if a in out["street"]:
                    out["street"] = out["street"].replace(a, b)
                    break
            out["street"] = out["street"].replace("B", " b") if out["street"].endswith("B") else out["street"]
        elif kind == 5 and out["phone"]:
            digits = out["phone"].replace(" ", "")
            out["phone"] = ["00" + digits[1:], digits[len(prefix):], digits][int(rng.integers(0, 3))]
        elif kind == 6 and out["email"]:
            local, domain = out["email"].split("@")
            choice = int(rng.integers(0, 3))
            out["email"] = [local.capitalize() + "@" + domain.upper(), f"{local}+shop@{domain}",
                            (local.replace(".", "") + "@" + domain) if domain == "gmail.com" else
                            f"{local}{int(rng.integers(1, 99))}@{domain}"][choice]
        elif kind == 7:
            street = pools["street"][int(rng.integers(0, len(pools["street"])))]
            place = pools["place"][int(rng.integers(0, len(pools["place"])))].split("|")
            out.update(street=f"{street} {int(rng.integers(1, 120))}", postcode=place[0], city=place[1])
        elif kind == 8:
            out[["birth_date", "phone", "email"][int(rng.integers(0, 3))]] = ""
        elif kind == 9 and out["birth_date"]:
            y, m, d = out["birth_date"].split("-")
            out["birth_date"] = f"{y}-{d}-{m}" if int(d) <= 12 else f"{y}-{m}-{d[0]}{(int(d[1]) + 1) % 10}"
        elif kind == 10:
            out["email"] = ""
        elif kind == 11:
            out["family_name"] = _typo(rng, out["family_name"])
    return out


def generate(n: int, out_dir: Path, seed: int = 42, pool: int = 400) -> tuple[Path, Path]:
    """Write ``customers_<n>.csv`` and ``truth_<n>.csv`` (pairs of ids that are one customer)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    data, truth = out_dir / f"customers_{n}.csv", out_dir / f"truth_{n}.csv"
    if data.exists() and truth.exists():
        return data, truth
    rng = np.random.default_rng(seed)
    pools = _pools(seed, pool)
    locales = list(LOCALES)
    written = 0
    with data.open("w", newline="", encoding="utf-8") as fh, truth.open("w", newline="", encoding="utf-8") as th:
        writer, twriter = csv.writer(fh), csv.writer(th)
        writer.writerow(FIELDS)
        twriter.writerow(["id_l", "id_r"])
        while written < n:
            locale = locales[int(rng.integers(0, len(locales)))]
            country, prefix = LOCALES[locale]
            p = pools[locale]
            given = p["first"][int(rng.integers(0, len(p["first"])))]
            family = p["last"][int(rng.integers(0, len(p["last"])))]
            place = p["place"][int(rng.integers(0, len(p["place"])))].split("|")
            letter = "B" if rng.random() < 0.1 else ""
            born = f"{int(rng.integers(1935, 2006))}-{int(rng.integers(1, 13)):02d}-{int(rng.integers(1, 29)):02d}"
            email = ""
            if rng.random() < 0.6:
                domain = p["domain"][int(rng.integers(0, len(p["domain"])))]
                email = f"{_ascii_local(given)}.{_ascii_local(family)}{int(rng.integers(1, 999))}@{domain}"
            rec = {"given_name": given, "family_name": family, "birth_date": born if rng.random() < 0.9 else "",
                   "street": f"{p['street'][int(rng.integers(0, len(p['street'])))]} {int(rng.integers(1, 150))}"
                             f"{letter}",
                   "postcode": place[0], "city": place[1],
                   "phone": _phone(rng, prefix) if rng.random() < 0.5 else "", "email": email, "country": country}
            base = written
            writer.writerow([f"c{base}", *(rec[f] for f in FIELDS[1:])])
            written += 1
            copies = (1 if rng.random() < 0.8 else 2) if rng.random() < 0.1 else 0
            ids = [base]
            for _ in range(copies):
                if written >= n:
                    break
                writer.writerow([f"c{written}", *(_corrupt(rng, rec, p, prefix)[f] for f in FIELDS[1:])])
                ids.append(written)
                written += 1
            for i, a in enumerate(ids):
                for b in ids[i + 1:]:
                    twriter.writerow([f"c{a}", f"c{b}"])
    return data, truth


if __name__ == "__main__":
    import sys

    print(generate(int(sys.argv[1]), Path(sys.argv[2])))
