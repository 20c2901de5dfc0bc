"""The access report as PDF: the same data as the JSON report, in the person's language, from the page and the API."""

from __future__ import annotations

import io
import re

import pytest

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_pdf_holds_the_persons_data_in_their_language(api, make_person, make_order):
    from kundebase.interactions import services as interactions

    person = make_person("Åse", "Ødegård", email="ase@example.no", phone="+4741234567", language="nb")
    order = make_order(person.pk, "1234.50")
    interactions.log_interaction(party_id=person.pk, data={"kind": "call", "subject": "Spørsmål om faktura"},
                                 actor="test", channel="test")
    res = api.post(f"/api/v1/privacy/persons/{person.pk}/access?format=pdf")
    assert res.status_code == 200 and res["Content-Type"] == "application/pdf"
    assert "attachment" in res["Content-Disposition"]
    assert res.content.startswith(b"%PDF-")
    text = _flat(_text(res.content))
    for held in ("Åse", "Ødegård", "ase@example.no", "+4741234567", "Storgata 1", order.order_number, "1234.50",
                 "Spørsmål om faktura"):
        assert held in text, held
    assert "Dette har vi registrert om deg" in text  # Norwegian, as the person's language
    json_report = api.post(f"/api/v1/privacy/persons/{person.pk}/access").json()
    assert json_report["profile"]["family_name"] in text  # the same data as the JSON export


def test_an_english_speaker_gets_english_and_accents_print_as_typed(api, make_person):
    person = make_person("Ődön", "Kovács", country="HU", postcode="1051", city="Budapest", street="Nádor utca 1",
                         language="en")
    text = _flat(_text(api.post(f"/api/v1/privacy/persons/{person.pk}/access?format=pdf").content))
    assert "What we hold about you" in text
    assert "Kovács" in text and "Nádor utca 1" in text and "Ődön" in text
    # Stored codes are printed in words: the address kind, the country, the profile's fields.
    assert "Postal" in text and "Hungary" in text and "Family name" in text
    assert not re.findall(r"\b[a-z]+_[a-z_]+\b", text)  # no stored code (family_name, legal_obligation …)


def test_the_pdf_is_downloaded_from_the_privacy_page_and_logged(admin_client, make_person):
    from kundebase.core.models import AuditEntry
    from kundebase.privacy.models import DataSubjectRequest

    person = make_person("Per", "Hansen")
    res = admin_client.post("/privacy/", {"customer": person.customer_number, "action": "access_pdf"})
    assert res.status_code == 200 and res["Content-Type"] == "application/pdf"
    assert f'filename="access-{person.pk}.pdf"' in res["Content-Disposition"]
    assert "Hansen" in _text(res.content)
    assert DataSubjectRequest.objects.filter(party_id_at_request=person.pk, kind="access", status="done").exists()
    assert AuditEntry.objects.filter(action="export", party_id=person.pk, note__contains="pdf").exists()


def test_the_cli_writes_the_pdf_to_a_file(make_person, tmp_path):
    from django.core.management import call_command

    person = make_person("Kari", "Utskrift")
    target = tmp_path / "report.pdf"
    call_command("privacy", "access", str(person.pk), "--format", "pdf", "--output", str(target))
    assert "Utskrift" in _text(target.read_bytes())


def test_a_danish_speaker_gets_the_report_in_danish(api, make_person, make_order):
    from django.utils import timezone

    person = make_person("Søren", "Møller", email="soren@example.dk", country="DK", postcode="8000", city="Aarhus",
                         street="Åboulevarden 1", language="da")
    order = make_order(person.pk, "1234.50")
    text = _flat(_text(api.post(f"/api/v1/privacy/persons/{person.pk}/access?format=pdf").content))
    for danish in ("Det har vi registreret om dig", "Kontaktoplysninger", "Hvorfor vi har oplysningerne",
                   "klage til Datatilsynet"):
        assert danish in text, danish
    assert "Søren" in text and "Åboulevarden 1" in text and "What we hold about you" not in text
    ordered = timezone.localtime(order.ordered_at)
    assert ordered.strftime("%d.%m.%Y %H:%M") in text  # the order's time as Danes write it
    html = api.post(f"/api/v1/privacy/persons/{person.pk}/access?format=html").content.decode()
    assert "Det har vi registreret om dig" in html and ordered.strftime("%d.%m.%Y") in html
