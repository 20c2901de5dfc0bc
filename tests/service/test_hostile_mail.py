"""Bad input from the outside world: malformed MIME, unknown charsets, huge attachments, HTML with scripts.

Fed through a real Maildir folder (the second kind of mailbox), so the fetch path is the product's own.
"""

from __future__ import annotations

import mailbox as maildir_lib
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from kundebase.service.sanitise import sanitise_html
from tests.service.conftest import CUSTOMER, message

pytestmark = pytest.mark.django_db

MALFORMED = (b"From: Ingrid <" + CUSTOMER.encode() + b">\r\nSubject: =?utf-8?q?halv=C3\r\n"
             b"Message-ID: <broken-1@example.org>\r\nContent-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n"
             b"--XX\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
             b"SGVp!!!ikke base64\r\n--XX\r\nContent-Type: text/plain\r\n\r\nAndre del uten slutt")
UNKNOWN_CHARSET = (b"From: " + CUSTOMER.encode() + b"\r\nSubject: Tegnsett\r\nMessage-ID: <charset-1@example.org>\r\n"
                   b"Content-Type: text/plain; charset=x-klingon-8\r\n\r\nBl\xe5b\xe6r og s\xf8t\r\n")
HOSTILE_HTML = (b"From: " + CUSTOMER.encode() + b"\r\nSubject: Se her\r\nMessage-ID: <html-1@example.org>\r\n"
                b"Content-Type: text/html; charset=utf-8\r\n\r\n"
                b"<html><head><style>body{display:none}</style><script>alert('head')</script></head><body>"
                b"<p onclick=\"alert('click')\">Hei <b>der</b></p><img src=x onerror=\"alert('img')\">"
                b"<a href=\"javascript:alert('href')\">lenke</a> <a href=\"https://example.org/ok\">trygg</a>"
                b"<iframe src=\"https://evil.example\"></iframe><SCRIPT>alert('upper')</SCRIPT>"
                b"<svg><script>alert('svg')</script></svg></body></html>")


def _with_attachment(name: str, ctype: str, size: int) -> bytes:
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"] = CUSTOMER
    msg["Subject"] = f"Vedlegg {name}"
    msg["Message-ID"] = f"<att-{name}@example.org>"
    msg.set_content("Se vedlegg")
    maintype, subtype = ctype.split("/")
    msg.add_attachment(b"%PDF" + b"0" * (size - 4), maintype=maintype, subtype=subtype, filename=name)
    return bytes(msg)


@pytest.fixture
def maildir(tmp_path: Path, db: Any) -> tuple[maildir_lib.Maildir, Any]:
    from kundebase.service.models import Mailbox

    folder = tmp_path / "Maildir"
    box = maildir_lib.Maildir(folder, create=True)
    row = Mailbox.objects.create(name="Maildir support", kind="maildir", address="support@kundebase.example",
                                 path=str(folder))
    return box, row


def test_hostile_messages_are_stored_readably_and_harmlessly(
        maildir: Any, customer: Any, client: Any, make_user: Any) -> None:
    from kundebase.service.models import Attachment, Case, MailMessage

    box, _row = maildir
    for raw in (MALFORMED, UNKNOWN_CHARSET, HOSTILE_HTML, _with_attachment("faktura.pdf", "application/pdf", 50_000),
                _with_attachment("stor.pdf", "application/pdf", 25 * 1024 * 1024),
                _with_attachment("virus.exe", "application/x-msdownload", 1000)):
        box.add(raw)
    call_command("mail", "--once")

    assert MailMessage.objects.count() == 6 and Case.objects.count() == 6
    assert all(m.party_id == customer.pk for m in MailMessage.objects.all())
    broken = MailMessage.objects.get(message_id="<broken-1@example.org>")
    assert "Andre del uten slutt" in broken.text_body and broken.defects
    charset = MailMessage.objects.get(message_id="<charset-1@example.org>")
    assert charset.text_body.startswith("Bl") and "og s" in charset.text_body
    assert "LookupError" in charset.defects

    html = MailMessage.objects.get(message_id="<html-1@example.org>")
    for bad in ("script", "alert", "onclick", "onerror", "javascript:", "iframe", "<img", "style", "display:none"):
        assert bad not in html.html_body.lower(), bad
    assert "<b>der</b>" in html.html_body and 'href="https://example.org/ok"' in html.html_body
    assert "Hei der" in html.text_body

    kept = Attachment.objects.get(filename="faktura.pdf")
    assert kept.size == 50_000 and bytes(kept.content) .startswith(b"%PDF") and not kept.refused
    big = Attachment.objects.get(filename="stor.pdf")
    assert big.size == 25 * 1024 * 1024 and big.content is None and "Larger than" in big.refused
    exe = Attachment.objects.get(filename="virus.exe")
    assert exe.content is None and "not allowed" in exe.refused

    client.force_login(make_user("kari", "service"))
    page = client.get(f"/service/cases/{html.case_id}/").content.decode()
    assert "alert(" not in page and "<b>der</b>" in page

    # moved to cur/ and marked seen: a second run stores nothing again
    assert not list(Path(box._path, "new").iterdir())
    call_command("mail", "--once")
    assert MailMessage.objects.count() == 6


def test_sanitiser_keeps_text_and_drops_everything_active() -> None:
    assert sanitise_html('<p style="x" onmouseover="y">a &lt; b</p>') == "<p>a &lt; b</p>"
    assert sanitise_html("<script>x</script>after") == "after"
    assert sanitise_html("<a href=' JAVASCRIPT:x'>l</a>") == "<a>l</a>"
    assert sanitise_html("<b><i>open") == "<b><i>open</i></b>"
    assert sanitise_html("<textarea><script>x</script></textarea>ok") == "ok"
    assert sanitise_html('<a href="mailto:a@b.c">m</a>') == (
        '<a href="mailto:a@b.c" rel="noopener noreferrer nofollow">m</a>')


def test_a_message_stored_before_is_not_stored_again(maildir: Any, customer: Any) -> None:
    from kundebase.service.models import MailMessage

    box, _row = maildir
    raw, _id = message(subject="Dobbel")
    box.add(raw)
    box.add(raw)
    call_command("mail", "--once")
    assert MailMessage.objects.count() == 1


def test_follow_keeps_fetching_and_an_unknown_mailbox_is_an_error(maildir: Any, customer: Any) -> None:
    from django.core.management import CommandError

    from kundebase.service.models import MailMessage

    box, row = maildir
    raw, _id = message(subject="Første")
    box.add(raw)
    call_command("mail", "--follow", "--rounds", "2", "--interval", "0", "--mailbox", row.name)
    assert MailMessage.objects.count() == 1
    with pytest.raises(CommandError, match="no active mailbox"):
        call_command("mail", "--once", "--mailbox", "Finnes ikke")


def test_a_message_the_timeline_refuses_stops_the_fetch_with_the_reason(maildir: Any, customer: Any) -> None:
    from django.core.management import CommandError

    from kundebase.core.models import CustomFieldDefinition
    from kundebase.service.models import Case, MailMessage

    box, row = maildir
    CustomFieldDefinition.objects.create(entity="interaction", key="outcome_code", label="Outcome code",
                                         field_type="text", required=True, purpose="Follow-up statistics")
    raw, _id = message(subject="Refused")
    box.add(raw)
    with pytest.raises(CommandError):
        call_command("mail", "--once", "--attempts", "1")
    row.refresh_from_db()
    assert "could not be stored" in row.last_error and "outcome_code" in row.last_error
    assert not MailMessage.objects.exists() and not Case.objects.exists()
    assert len(list(Path(box._path, "new").iterdir())) == 1  # still waiting, not lost


def test_headers_written_in_raw_utf8_or_encoded_words_read_as_written() -> None:
    from kundebase.service.parsing import parse

    raw = ("From: Kåre Ås <Kare@Example.no>\r\nTo: support@kundebase.example, \"Berg, Siv\" <siv@example.no>\r\n"
           "Subject: Varmepumpen bråker\r\n om natta\r\nMessage-ID: <u8@example.org>\r\n"
           "References: <a@example.org>\r\n <b@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
           "Hei, æøå\r\n").encode()
    parsed = parse(raw)
    assert (parsed.subject, parsed.from_name, parsed.from_address) == (
        "Varmepumpen bråker om natta", "Kåre Ås", "kare@example.no")
    assert parsed.to == ["support@kundebase.example", "siv@example.no"]
    assert parsed.references == ["<a@example.org>", "<b@example.org>"] and parsed.text == "Hei, æøå"
    encoded = parse(b"From: =?utf-8?q?Kj=C3=A6re_Ingrid?= <i@example.org>\r\n"
                    b"Subject: =?iso-8859-1?q?bl=E5b=E6r?= =?utf-8?b?w6bDuMOl?=\r\n\r\nhei")
    assert (encoded.from_name, encoded.subject, encoded.defects) == ("Kjære Ingrid", "blåbæræøå", [])
