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
