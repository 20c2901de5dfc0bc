"""Two languages: the switcher, Norwegian text, and numbers and dates in the reader's format."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_switching_to_norwegian_translates_the_pages_and_formats(client_as, seeded):
    client = client_as("sales")
    page = client.get(f"/customers/{seeded.kari.pk}/").content.decode()
    assert "Key figures" in page and "NOK\xa07,200" in page
    res = client.post("/i18n/setlang/", {"language": "nb", "next": f"/customers/{seeded.kari.pk}/"})
    assert res.status_code == 302
    page = client.get(f"/customers/{seeded.kari.pk}/").content.decode()
    assert '<html lang="nb">' in page
    for text in ("Nøkkeltall", "Tidslinje", "Logg en kontakt", "Kontaktpersoner" if False else "Roller i bedrifter",
                 "Mulig duplikat", "Aktiv", "Samtale", "7\xa0200\xa0NOK"):
        assert text in page, text
    assert "Key figures" not in page
    # Field errors from the shared validation are Norwegian too.
    res = client.post("/customers/new/person/", {"family_name": "", "mobile": "12", "status": "prospect"})
    page = res.content.decode()
    assert "Dette feltet er påkrevd" in page or "Dette feltet må fylles ut" in page
    dashboard = client.get("/").content.decode()
    assert "Omsetning denne måneden" in dashboard


def test_unknown_language_is_ignored(client_as):
    client = client_as("sales")
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert '<html lang="en">' in client.get("/").content.decode()


def test_switching_to_danish_translates_the_pages_and_formats(client_as, seeded):
    client = client_as("sales")
    page = client.get(f"/customers/{seeded.kari.pk}/").content.decode().replace("\xa0", " ")
    assert "Key figures" in page and "31.12.1980" not in page and "7.200" not in page
    res = client.post("/i18n/setlang/", {"language": "da", "next": f"/customers/{seeded.kari.pk}/"})
    assert res.status_code == 302
    page = client.get(f"/customers/{seeded.kari.pk}/").content.decode()
    assert '<html lang="da">' in page
    for text in ("Nøgletal", "Tidslinje", "Registrér en kontakt", "Roller i virksomheder", "Mulig dublet",
                 "Fødselsdato", "Opkald", "Seneste ordrer"):
        assert text in page, text
    # Danish number, date and currency formats: thousands with a point, decimals with a comma, day first,
    # the currency after the amount (a space or a non-breaking one between them).
    flat = page.replace("\xa0", " ")
    for text in ("7.200 NOK", "2.400,00 NOK", "31.12.1980"):
        assert text in flat, text
    assert "Key figures" not in page and "Nøkkeltall" not in page
    res = client.post("/customers/new/person/", {"family_name": "", "mobile": "12", "status": "prospect"})
    assert "Dette felt er påkrævet" in res.content.decode()
    dashboard = client.get("/").content.decode()
    assert "Omsætning denne måned" in dashboard


def test_the_switcher_offers_every_language_in_its_own_name(client_as):
    page = client_as("sales").get("/").content.decode()
    for code, name in (("en", "English"), ("nb", "norsk (bokmål)"), ("da", "dansk"), ("de", "Deutsch"),
                       ("hu", "Magyar")):
        assert f'<option value="{code}"' in page and f'lang="{code}">{name}</option>' in page, code


@pytest.mark.parametrize(("language", "words"), [
    ("de", ("Kennzahlen", "Zeitleiste")), ("hu", ("Kulcsmutatók", "Idővonal"))])
def test_german_and_hungarian_can_be_chosen_in_the_switcher(client_as, seeded, language, words):
    client = client_as("sales")
    assert client.post("/i18n/setlang/", {"language": language, "next": "/"}).status_code == 302
    page = client.get(f"/customers/{seeded.kari.pk}/").content.decode()
    assert f'<html lang="{language}">' in page
    for word in words:
        assert word in page, word
