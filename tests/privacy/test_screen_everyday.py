"""The screen catches membership and conditions said in everyday words, and not their look-alikes."""

from __future__ import annotations

import pytest

from kundebase.privacy.screen import categories, screen_text


@pytest.mark.parametrize(("text", "category"), [
    ("Kunden stemmer Frp og vil ikke ha nyhetsbrev.", "political"),
    ("Han er medlem av Fagforbundet.", "union"),
    ("Hun går i moskeen på fredager.", "religion"),
    ("Kunden er i LO og spurte om medlemsfordeler.", "union"),
    ("Er ist Zeuge Jehovas, bitte keine Weihnachtsaktion.", "religion"),
    ("Der Kunde ist Sozialdemokrat.", "political"),
    ("Die Kundin ist CDU-Mitglied.", "political"),
    ("Fidesz-szavazó, panaszkodott a plakátjaink miatt.", "political"),
    ("Az ügyfél fideszes.", "political"),
    ("Tagja a Vasas Szakszervezetnek.", "union"),
    ("Inzulint használ, hűtőtáskát kért.", "health"),
    ("Kunden tager insulin og vil have køletaske.", "health"),
    ("Customer has MS and uses a walker.", "health"),
    ("Han er af tyrkisk oprindelse.", "ethnic"),
    ("He is an NEU member and teaches.", "union"),
    ("Er wählt die Grünen.", "political"),
    ("Kunden stemte Rødt og ville ha rabatt.", "political"),
])
def test_everyday_wording_is_caught(text, category):
    assert category in categories(screen_text(text)), text


@pytest.mark.parametrize("text", [
    "Fakturaadresse: Fagforbundet, Postboks 7003 St. Olavs plass, 0130 Oslo.",
    "Wir liefern 300 Brezeln an den SPD-Parteitag.",
    "Rechnungsadresse: ver.di Bundesverwaltung, 10179 Berlin.",
    "300 pogácsát szállítunk a Fidesz kongresszusára.",
    "Vi leverer 200 sandwiches til Socialdemokratiets kongres.",
    "Ordered party supplies for a 50th birthday.",
    "Levering til Kirkeveien 14.",
    "Partisan-jakken ble levert i feil størrelse.",
    "The customer works at the hospital canteen.",
    "Customer ordered Bible-print T-shirts for his church shop.",
    "Számlázási cím: Magyar Szakszervezeti Szövetség, 1068 Budapest.",
    "Kunde wählte die grüne Variante des Sofas.",
    "Det stemmer, døra er til venstre for trappa.",
    "He supports labour rights in the warehouse.",
])
def test_look_alikes_are_not_flagged(text):
    assert screen_text(text) == [], text


def test_everyday_set_meets_its_targets():
    from benchmarks.special_category_screen import EVERYDAY_PRECISION, EVERYDAY_RECALL, evaluate, load_everyday

    examples = load_everyday()
    assert len(examples) >= 300
    per_lang = {lang: sum(e.lang == lang for e in examples) for lang in ("nb", "da", "de", "hu", "en")}
    assert min(per_lang.values()) >= 50 and {e.lang for e in examples} == set(per_lang)
    assert sum(e.split == "holdout" for e in examples) >= len(examples) // 3
    scores = evaluate(examples)
    assert scores["overall"].recall >= EVERYDAY_RECALL
    assert scores["overall"].precision >= EVERYDAY_PRECISION
