"""The pages as a signed-in employee sees them (Django test client, both backends)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_dashboard_shows_my_follow_ups_and_key_numbers(client_as, seeded):
    from kundebase.interactions import services

    client = client_as("sales")
    services.log_interaction(party_id=seeded.ola.pk, actor=client.user, data={
        "kind": "note", "subject": "Send brosjyre", "follow_up_on": "2001-01-01"})
    page = client.get("/").content.decode()
    assert "Send brosjyre" in page and "overdue" in page
    assert "Ring tilbake om fornyelse" not in page  # someone else's follow-up
    assert "Revenue this month" in page


def test_search_finds_by_phone_in_another_format_name_typo_and_accents(client_as, seeded):
    client = client_as("service")
    for query, expected in (("41234567", seeded.kari), ("+47 412 34 567", seeded.kari),
                            ("ase baekke", seeded.ola), ("BÆKKE", seeded.ola), ("Nordlys", seeded.parent),
                            ("974 760 673", seeded.parent), (seeded.company.customer_number, seeded.company),
                            ("KARI.NORDMANN@example.no", seeded.kari), ("Fjordkraft Servise", seeded.company)):
        res = client.get("/search/", {"q": query, "fragment": "1"})
        assert res.status_code == 200
        assert f'/customers/{expected.pk}/' in res.content.decode(), query


def test_search_with_nothing_or_a_huge_query_is_calm(client_as, seeded):
    client = client_as("service")
    assert client.get("/search/", {"q": ""}).status_code == 200
    res = client.get("/search/", {"q": "x" * 10_000, "fragment": "1"})
    assert res.status_code == 200 and "0 customers found" in res.content.decode()
    assert client.get("/search/", {"q": "\x00"}).status_code == 200
    assert client.get("/search/", {"q": "kari\x00", "fragment": "1"}).status_code == 200
    assert client.get("/lookup", {"phone": "4123\x004567"}).status_code == 200
    assert client.get("/customers/", {"place": "os\x00lo", "company": "\x00"}).status_code == 200


def test_customer_list_filters_and_pages(client_as, seeded):
    client = client_as("marketing")
    page = client.get("/customers/", {"place": "bergen"}).content.decode()
    assert "Åse Bække" in page and "Fjordkraft Service AS" in page and "Kari Nordmann" not in page
    page = client.get("/customers/", {"company": "Fjordkraft"}).content.decode()
    assert "Kari Nordmann" in page and "Åse Bække" not in page
    page = client.get("/customers/", {"status": "prospect"}).content.decode()
    assert "Åse Bække" in page and "Kari Nordmann<" not in page
    page = client.get("/customers/", {"last_contact": "30"}).content.decode()
    assert "Kari Nordmann" in page and "Åse Bække" not in page
    page = client.get("/customers/", {"last_contact": "never", "kind": "person"}).content.decode()
    assert "Åse Bække" in page and "Kari Nordmann<" not in page
    from kundebase.orders.models import ProductCategory

    page = client.get("/customers/", {"interest": ProductCategory.objects.get().pk}).content.decode()
    assert "Kari Nordmann" in page and "Åse Bække" not in page
    res = client.get("/customers/", {"page": "9999", "status": "bogus"})
    assert res.status_code == 200


def test_360_person_shows_everything(client_as, seeded):
    client = client_as("sales")
    page = client.get(f"/customers/{seeded.kari.pk}/").content.decode()
    for text in ("Kari Nordmann", "+4741234567", "kari.nordmann@example.no", "Storgata 1", "Fjordkraft Service AS",
                 "Innkjøpssjef", "Spørsmål om faktura", "Ring tilbake om fornyelse", "Possible duplicate",
                 "Kari Nordman<", "NOK\xa07,200", "NOK\xa01,800"):
        assert text in page, text
    # newest first
    assert page.index("Spørsmål om faktura") < page.index("Tilbud sendt") < page.index("Årlig gjennomgang")
    filtered = client.get(f"/customers/{seeded.kari.pk}/", {"type": "email"}).content.decode()
    assert "Tilbud sendt" in filtered and "Spørsmål om faktura" not in filtered


def test_360_company_shows_group_and_contact_persons(client_as, seeded):
    client = client_as("sales")
    page = client.get(f"/customers/{seeded.company.pk}/").content.decode()
    for text in ("Fjordkraft Service AS", "923609016", "Nordlys Holding AS", "Kari Nordmann", "Corporate group",
                 "NOK\xa0250,000", "NOK\xa070,000"):
        assert text in page, text
    assert "Possible duplicate" not in page
    assert client.get("/customers/999999/").status_code == 404


def test_360_view_is_audited(client_as, seeded):
    from kundebase.core.models import AuditEntry

    client = client_as("service")
    client.get(f"/customers/{seeded.ola.pk}/")
    assert AuditEntry.objects.filter(action="view", party_id=seeded.ola.pk, channel="web",
                                     actor=client.user.username).exists()


def test_new_customer_buttons_stand_where_people_look_for_them(client_as, seeded):
    """The customer list and the search page (with or without hits) offer New customer to the roles that may
    create one, and not to the others."""
    sales = client_as("sales")
    for path in ("/customers/", "/search/", "/search/?q=Nobodyxyz", "/search/?q=Kari"):
        page = sales.get(path).content.decode()
        assert 'href="/customers/new/person/"' in page and 'href="/customers/new/company/"' in page, path
    assert "Not a customer yet?" in sales.get("/search/?q=Nobodyxyz").content.decode()
    marketing = client_as("marketing")
    for path in ("/customers/", "/search/?q=Nobodyxyz"):
        assert "/customers/new/" not in marketing.get(path).content.decode(), path
