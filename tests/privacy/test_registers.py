"""Opt-out registers: keyed hashes only, phone/post blocked, e-mail/SMS need consent, customer exemption."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

pytestmark = pytest.mark.django_db

NO_FILE = b"telefon\n+47 412 34 567\n98765432\nnot a number\nOla Nordmann;Kirkeveien 3;0368;Oslo\n"
DK_FILE = "Jensen, Hanne;Vesterbrogade 10;1620;København V\n".encode("cp1252")


def test_import_stores_only_keyed_hashes_and_reports_bad_lines(make_person):
    from kundebase.privacy.models import OptOutEntry
    from kundebase.privacy.registers import import_register

    person = make_person(phone="41234567")
    result = import_register(register="no_reservasjon", content=NO_FILE, batch="2026-11")
    assert result.imported == 3
    assert result.skipped == ["line 4: not a valid phone number"]
    assert result.matched_customers == 1
    stored = list(OptOutEntry.objects.values_list("key_hash", flat=True))
    assert all(len(h) == 64 for h in stored)
    assert not any("41234567" in h or "Kirkeveien" in h for h in stored)
    assert person.pk


def test_register_blocks_phone_and_post_but_not_consented_email(make_person):
    from kundebase.privacy import consent
    from kundebase.privacy.registers import import_register, marketing_allowed, marketing_allowed_ids

    on_list = make_person("Ola", "Nordmann", phone="+4741234567", street="Kirkeveien 3", postcode="0368")
    free = make_person("Per", "Hansen", phone="+4790000001", street="Parkveien 1", postcode="0350")
    import_register(register="no_reservasjon", content=NO_FILE)
    assert marketing_allowed(on_list.pk, "phone", "direct_marketing") == (False, "register:no_reservasjon")
    assert marketing_allowed(on_list.pk, "post", "direct_marketing") == (False, "register:no_reservasjon")
    assert marketing_allowed(free.pk, "phone", "direct_marketing") == (True, "not_on_register")
    assert marketing_allowed(free.pk, "email", "direct_marketing") == (False, "no_consent")
    assert marketing_allowed(free.pk, "sms", "direct_marketing") == (False, "no_consent")
    consent.record(party_id=on_list.pk, purpose="direct_marketing", channel="email", status="granted")
    assert marketing_allowed(on_list.pk, "email", "direct_marketing") == (True, "consent")
    for channel in ("phone", "post", "email", "sms"):
        ids = set(marketing_allowed_ids(channel, "direct_marketing"))
        for pid in (on_list.pk, free.pk):
            assert (pid in ids) == marketing_allowed(pid, channel, "direct_marketing")[0], (channel, pid)


def test_existing_customer_exemption_follows_the_country_policy(make_person, make_order):
    from kundebase.privacy.models import CountryPolicy
    from kundebase.privacy.registers import import_register, marketing_allowed, marketing_allowed_ids

    norwegian = make_person("Ola", "Nordmann", phone="+4741234567", street="Kirkeveien 3", postcode="0368")
    german = make_person("Jonas", "Weber", phone="+4798765432", street="Hauptstraße 5", postcode="10115",
                         city="Berlin", country="DE")
    make_order(norwegian.pk, days_ago=100)
    make_order(german.pk, days_ago=100)
    import_register(register="no_reservasjon", content=NO_FILE)
    assert marketing_allowed(norwegian.pk, "phone", "direct_marketing") == (True, "existing_customer_exemption")
    assert marketing_allowed(norwegian.pk, "phone", "newsletter")[0] is False  # only own similar products
    assert marketing_allowed(german.pk, "phone", "direct_marketing")[0] is False  # no exemption in DE
    ids = set(marketing_allowed_ids("phone", "direct_marketing"))
    assert norwegian.pk in ids and german.pk not in ids
    CountryPolicy.objects.filter(country="NO").update(customer_exemption=False)
    assert marketing_allowed(norwegian.pk, "phone", "direct_marketing")[0] is False
    assert norwegian.pk not in set(marketing_allowed_ids("phone", "direct_marketing"))


def test_an_objection_beats_the_exemption(make_person, make_order):
    from kundebase.privacy import consent
    from kundebase.privacy.registers import import_register, marketing_allowed

    person = make_person("Ola", "Nordmann", phone="+4741234567")
    make_order(person.pk)
    import_register(register="no_reservasjon", content=NO_FILE)
    consent.record(party_id=person.pk, purpose="direct_marketing", channel="phone", status="denied")
    assert marketing_allowed(person.pk, "phone", "direct_marketing") == (False, "consent_denied")


def test_robinson_list_blocks_post_and_phone_by_name_and_address(make_person):
    from kundebase.privacy.registers import import_register, marketing_allowed

    person = make_person("Hanne", "Jensen", street="Vesterbrogade 10", postcode="1620", city="København V",
                         country="DK")
    result = import_register(register="dk_robinson", content=DK_FILE)
    assert result.imported == 2 and result.matched_customers == 1
    assert marketing_allowed(person.pk, "post", "direct_marketing") == (False, "register:dk_robinson")
    assert marketing_allowed(person.pk, "phone", "direct_marketing")[0] is False


def test_internal_list_blocks_every_channel(make_person):
    from kundebase.privacy import consent
    from kundebase.privacy.registers import import_register, marketing_allowed, marketing_allowed_ids

    person = make_person(email="kari@example.no")
    consent.record(party_id=person.pk, purpose="newsletter", channel="email", status="granted")
    import_register(register="internal", content=b"KARI@example.no\n")
    assert marketing_allowed(person.pk, "email", "newsletter") == (False, "internal_suppression")
    assert person.pk not in set(marketing_allowed_ids("email", "newsletter"))


@pytest.mark.parametrize(("content", "code"), [(b"", "required"), (b"nonsense\n\n", "empty"),
                                               (b"\x00\x01\x02", "encoding")])
def test_bad_register_files_change_nothing(make_person, content, code):
    from kundebase.core.errors import ValidationFailed
    from kundebase.privacy.models import OptOutEntry
    from kundebase.privacy.registers import import_register

    import_register(register="no_reservasjon", content=NO_FILE)
    with pytest.raises(ValidationFailed) as exc:
        import_register(register="no_reservasjon", content=content)
    assert exc.value.errors[0].code == code
    assert OptOutEntry.objects.count() == 3


def test_register_upload_through_the_api_and_cli(api, api_as, tmp_path, make_person):
    from django.core.management import call_command

    from kundebase.privacy.models import OptOutEntry

    upload = SimpleUploadedFile("robinson.txt", DK_FILE)
    res = api.client.post("/api/v1/privacy/registers/dk_robinson", {"file": upload},
                          HTTP_AUTHORIZATION=f"Bearer {api.token}")
    assert res.status_code == 200, res.content
    assert res.json()["imported"] == 2
    res = api.client.post("/api/v1/privacy/registers/nowhere", {"file": SimpleUploadedFile("x.txt", DK_FILE)},
                          HTTP_AUTHORIZATION=f"Bearer {api.token}")
    assert res.status_code == 422
    sales = api_as("sales")
    res = sales.client.post("/api/v1/privacy/registers/internal", {"file": SimpleUploadedFile("x.txt", DK_FILE)},
                            HTTP_AUTHORIZATION=f"Bearer {sales.token}")
    assert res.status_code == 403
    path = tmp_path / "reservasjon.txt"
    path.write_bytes(NO_FILE)
    call_command("privacy", "registers", "import", str(path), "--register", "no_reservasjon")
    assert OptOutEntry.objects.filter(register="no_reservasjon").count() == 3
    person = make_person(phone="98765432")
    res = api.get("/api/v1/privacy/marketing-allowed", party_id=person.pk, channel="phone")
    assert res.json() == {"party_id": person.pk, "channel": "phone", "purpose": "direct_marketing",
                          "allowed": False, "reason": "register:no_reservasjon"}


def test_phone_marketing_to_consumers_needs_consent_where_the_country_says_so(make_person):
    from kundebase.privacy import consent
    from kundebase.privacy.registers import marketing_allowed, marketing_allowed_ids

    german = make_person("Jonas", "Weber", phone="+4915112345678", street="Hauptstraße 5", postcode="10115",
                         city="Berlin", country="DE")
    norwegian = make_person("Per", "Hansen", phone="+4790000001")
    assert marketing_allowed(german.pk, "phone", "direct_marketing") == (False, "no_consent")
    assert marketing_allowed(norwegian.pk, "phone", "direct_marketing") == (True, "not_on_register")
    assert marketing_allowed(german.pk, "post", "direct_marketing") == (True, "not_on_register")
    ids = set(marketing_allowed_ids("phone", "direct_marketing"))
    assert norwegian.pk in ids and german.pk not in ids
    consent.record(party_id=german.pk, purpose="direct_marketing", channel="phone", status="granted")
    assert marketing_allowed(german.pk, "phone", "direct_marketing") == (True, "consent")
    assert german.pk in set(marketing_allowed_ids("phone", "direct_marketing"))


def test_an_oversized_register_upload_is_refused_before_it_is_read(api, settings, tmp_path):
    from django.core.management import CommandError, call_command

    from kundebase.privacy.models import OptOutEntry

    settings.KUNDEBASE_IMPORT_MAX_FILE_MB = 1
    big = DK_FILE * (1024 * 1024 // len(DK_FILE) + 1)
    res = api.client.post("/api/v1/privacy/registers/dk_robinson", {"file": SimpleUploadedFile("r.txt", big)},
                          HTTP_AUTHORIZATION=f"Bearer {api.token}")
    assert res.status_code == 422 and res["Content-Type"].startswith("application/problem+json")
    assert "KUNDEBASE_IMPORT_MAX_FILE_MB" in res.json()["errors"][0]["message"]
    path = tmp_path / "big.txt"
    path.write_bytes(big)
    with pytest.raises(CommandError, match="KUNDEBASE_IMPORT_MAX_FILE_MB"):
        call_command("privacy", "registers", "import", str(path), "--register", "dk_robinson")
    assert not OptOutEntry.objects.exists()


def test_every_channel_at_once_answers_as_each_channel_alone(make_person, make_order):
    """The profile decides five channels from one reading of the facts; it must agree with the one rule."""
    from kundebase.privacy import consent, decision
    from kundebase.privacy.registers import import_register

    on_list = make_person("Ola", "Nordmann", phone="+4741234567", street="Kirkeveien 3", postcode="0368")
    customer = make_person("Per", "Hansen", phone="+4790000001", street="Parkveien 1", postcode="0350")
    german = make_person("Jonas", "Weber", phone="+4798765432", street="Hauptstraße 5", postcode="10115",
                         city="Berlin", country="DE")
    make_order(customer.pk, days_ago=30)
    import_register(register="no_reservasjon", content=NO_FILE)
    consent.record(party_id=on_list.pk, purpose="direct_marketing", channel="email", status="granted")
    consent.record(party_id=customer.pk, purpose="direct_marketing", channel="sms", status="withdrawn")
    consent.record(party_id=german.pk, purpose="direct_marketing", channel="profiling", status="granted")
    channels = ("email", "sms", "phone", "post", "profiling")
    for person in (on_list, customer, german):
        alone = {ch: decision.decide_many([person.pk], channel=ch, purpose="direct_marketing")[person.pk]
                 for ch in channels}
        assert decision.decide_channels(person.pk, channels=channels, purpose="direct_marketing") == alone
    assert decision.decide_channels(10**12, channels=channels, purpose="direct_marketing")["email"] == \
        (False, "unknown")
