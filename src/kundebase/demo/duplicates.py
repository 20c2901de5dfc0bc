"""Second records of the same person or company, as they arise in real registers, with the truth of what was
changed.

Each duplicate gets one to three changes; the tags name them so a matcher's
recall can be measured per kind of difference.  A company's second record keeps its organisation number
(the register's identity: the same firm entered again by another department or channel).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

from kundebase.demo import numbers
from kundebase.demo.customers import Customer, ascii_word, random_street
from kundebase.demo.mailboxes import Mailboxes, mailbox_key
from kundebase.demo.pools import Pools
from kundebase.parties.names import person_name

NICKNAMES = {
    "Katarina": "Kari", "Karin": "Kari", "Kristine": "Kine", "Johannes": "Hans", "Johan": "Jo", "Jan": "Jens",
    "Fredrik": "Fred", "Kristian": "Kris", "Christian": "Chris", "Elisabeth": "Lise", "Margrethe": "Grete",
    "Ingeborg": "Inga", "Thomas": "Tom", "Tobias": "Tobi", "Alexander": "Alex", "Andreas": "Andy",
    "Nikolaj": "Nik", "Mikkel": "Mik", "Frederik": "Frede", "Rasmus": "Rasse", "Søren": "Sørre",
    "Katalin": "Kati", "Erzsébet": "Erzsi", "István": "Pista", "József": "Józsi", "László": "Laci",
    "Ferenc": "Feri", "Zsuzsanna": "Zsuzsa", "Mária": "Mari", "Gábor": "Gabi", "Sándor": "Sanyi",
    "Wolfgang": "Wolf", "Friedrich": "Fritz", "Johann": "Hans", "Stefanie": "Steffi", "Susanne": "Susi",
    "Matthias": "Matze", "Maximilian": "Max", "Katharina": "Kathi", "Gabriele": "Gabi",
    "William": "Bill", "Robert": "Bob", "Elizabeth": "Liz", "Margaret": "Maggie", "James": "Jim",
    "Richard": "Dick", "Edward": "Ted", "Catherine": "Kate", "Jennifer": "Jenny", "Michael": "Mike",
    "Daniel": "Dan", "Samuel": "Sam", "Rebecca": "Becky", "Victoria": "Vicky",
}
CHANGES = ("typo", "swap", "address", "phone_format", "email_variant", "nickname")
WEIGHTS = (0.3, 0.1, 0.2, 0.2, 0.15, 0.05)
LOOKALIKE = {"ø": "o", "æ": "ae", "å": "aa", "ö": "o", "ü": "u", "ä": "a", "é": "e", "á": "a", "ő": "o",
             "ű": "u", "ß": "ss"}


def typo(rng: random.Random, word: str) -> str:
    """One slip of the keyboard or of the ear: swapped, dropped or doubled letter, or a lost accent."""
    for src, dst in LOOKALIKE.items():
        if src in word.lower() and rng.random() < 0.5:
            return word.replace(src, dst).replace(src.upper(), dst.capitalize())
    if len(word) < 4:
        return word + word[-1]
    i = rng.randrange(1, len(word) - 1)
    kind = rng.random()
    if kind < 0.4:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind < 0.7:
        return word[:i] + word[i + 1:]
    return word[:i] + word[i] + word[i:]


def email_variant(rng: random.Random, c: Customer, mailboxes: Mailboxes | None = None) -> str:
    """The same mailbox spelled otherwise, or another mailbox of the same person (claimed in ``mailboxes``,
    so it is nobody else's)."""
    local, domain = c.email.split("@", 1)
    r = rng.random()
    if r < 0.3:
        return f"{local}+shop@{domain}"
    if r < 0.55:
        return f"{local.capitalize()}@{domain.upper()}"
    if r < 0.8:
        other = f"{local}@{rng.choice(c.country.email_domains)}"
    else:
        other = f"{ascii_word(c.given.split()[0]) or 'x'}.{ascii_word(c.family) or 'y'}@{domain}"
    if mailboxes is None or mailbox_key(other) == mailbox_key(c.email):
        return other
    return mailboxes.claim(rng, other)


def make(rng: random.Random, original: Customer, party_id: int, number: str, pools: Pools,
         since: dt.datetime, home: str, mailboxes: Mailboxes | None = None) -> tuple[Customer, list[str], str]:
    """The duplicate, the tags of its changes, and the phone spelling to store (empty: the E.164 form)."""
    count = 1 if rng.random() < 0.55 else 2 if rng.random() < 0.8 else 3
    chosen: list[str] = []
    while len(chosen) < count:
        change = rng.choices(CHANGES, WEIGHTS)[0]
        if change not in chosen:
            chosen.append(change)
    dup = dataclasses.replace(original, id=party_id, number=number, contacts=[], profile="duplicate",
                              status="prospect", since=max(since, original.since))
    spelled = ""
    done: list[str] = []
    for change in chosen:
        if change == "typo":
            if rng.random() < 0.6:
                dup.family = typo(rng, dup.family)
            else:
                dup.given = typo(rng, dup.given)
        elif change == "swap":
            dup.given, dup.family = dup.family, dup.given
        elif change == "address":
            dup.place = rng.choice(dup.country.places)
            dup.street = random_street(rng, dup.country, pools)
        elif change == "phone_format":
            e164 = dup.mobile or dup.phone
            if not e164:
                continue
            spelled = rng.choice(numbers.phone_spellings(e164, dup.country, home))
        elif change == "email_variant":
            if not dup.email:
                continue
            dup.email = email_variant(rng, dup, mailboxes)
        elif change == "nickname":
            first = dup.given.split()[0]
            if first not in NICKNAMES:
                continue
            dup.given = NICKNAMES[first]
        done.append(change)
    if not done:
        dup.family = typo(rng, dup.family)
        done.append("typo")
    if rng.random() < 0.3 and "email_variant" not in done:
        dup.email = ""
        done.append("email_missing")
    dup.name = person_name(dup.given, dup.family, dup.country.language)
    return dup, done, spelled


COMPANY_CHANGES = ("legal_form", "typo", "address", "email_missing", "website_missing")
COMPANY_WEIGHTS = (0.35, 0.25, 0.2, 0.1, 0.1)


def make_company(rng: random.Random, original: Customer, row: tuple[object, ...], domain: str, party_id: int,
                 number: str, pools: Pools) -> tuple[Customer, tuple[object, ...], str, list[str]]:
    """A second record of a company: the customer, its company row, its web domain ('' for none) and the tags.

    ``row`` is the original's company row (``CustomerFactory.company``); the copy has no parent.
    """
    count = 1 if rng.random() < 0.6 else 2
    chosen: list[str] = []
    while len(chosen) < count:
        change = rng.choices(COMPANY_CHANGES, COMPANY_WEIGHTS)[0]
        if change not in chosen:
            chosen.append(change)
    dup = dataclasses.replace(original, id=party_id, number=number, contacts=[], profile="duplicate",
                              status="prospect")
    stem, _space, form = original.name.rpartition(" ")
    name = original.name
    for change in chosen:
        if change == "legal_form" and stem:
            name = stem if rng.random() < 0.5 else f"{stem} {form.lower()}"
        elif change == "typo":
            words = name.split(" ")
            longest = max(range(len(words)), key=lambda i: len(words[i]))
            words[longest] = typo(rng, words[longest])
            name = " ".join(words)
        elif change == "address":
            dup.place = rng.choice(dup.country.places)
            dup.street = random_street(rng, dup.country, pools)
        elif change == "email_missing":
            dup.email = ""
        elif change == "website_missing":
            domain = ""
    dup.name = name
    copy = (party_id, name, *row[2:5], None, *row[6:])
    return dup, copy, domain, chosen
