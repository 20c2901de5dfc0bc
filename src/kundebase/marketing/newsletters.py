"""Newsletter sign-up with double opt-in, from a form that other web sites may embed.

The embedded form cannot rely on our session CSRF cookie (third-party cookies
are blocked in iframes), so it carries a signed, time-limited form token
instead; a POST without a fresh token is refused.  Sign-ups are rate-limited
per client and per address.  Consent is recorded only when the confirmation
link from the e-mail is followed, with that moment as ``double_opt_in_at``.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
from email.message import EmailMessage
from typing import Any

from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kundebase.core import audit, identifiers
from kundebase.core.errors import DomainError, NotFound, ValidationFailed
from kundebase.core.languages import language_for
from kundebase.marketing.mailer import Mailer
from kundebase.marketing.models import Newsletter, NewsletterSignup
from kundebase.marketing.personalise import absolute
from kundebase.parties import services as parties
from kundebase.parties.models import ContactPoint
from kundebase.privacy import consent

log = logging.getLogger(__name__)
SEND_TIMEOUT = 10
"""Seconds a sign-up waits for the mail server before telling the visitor to try again."""
FORM_SALT = "kundebase.newsletter.form"
CONFIRM_SALT = "kundebase.newsletter.confirm"
FORM_MAX_AGE = 2 * 3600
CONFIRM_MAX_AGE = 7 * 24 * 3600
LIMIT_PER_CLIENT = 10
LIMIT_PER_ADDRESS = 3
LIMIT_WINDOW = 3600


class MailUnavailable(DomainError):
    def __init__(self) -> None:
        super().__init__(title=_("E-mail cannot be sent just now"), status=503, code="mail_unavailable",
                         detail=_("We could not send the confirmation e-mail just now, so nothing was saved. "
                                  "Please try again in a few minutes."))


class TooManyRequests(DomainError):
    def __init__(self) -> None:
        super().__init__(title="Too many requests", status=429, code="rate_limited",
                         detail="Too many sign-ups from here; try again later")


def get_newsletter(key: str) -> Newsletter:
    found = Newsletter.objects.filter(key=key, active=True).first()
    if found is None:
        raise NotFound(_("Newsletter"), key)
    return found


def form_token(newsletter: Newsletter) -> str:
    return signing.TimestampSigner(salt=FORM_SALT).sign(newsletter.key)


def check_form_token(newsletter: Newsletter, token: str) -> bool:
    try:
        return signing.TimestampSigner(salt=FORM_SALT).unsign(token, max_age=FORM_MAX_AGE) == newsletter.key
    except signing.BadSignature:
        return False


def _limited(bucket: str, limit: int) -> bool:
    key = "kb-nl-" + hashlib.sha256(bucket.encode()).hexdigest()
    cache.add(key, 0, LIMIT_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, LIMIT_WINDOW)
        count = 1
    return count > limit


def request_signup(*, key: str, email: str, name: str = "", language: str = "", form_token_value: str,
                   client: str, smtp_url: str | None = None) -> NewsletterSignup:
    """Store a pending sign-up and e-mail the confirmation link."""
    newsletter = get_newsletter(key)
    if not check_form_token(newsletter, form_token_value or ""):
        raise ValidationFailed.one("token", _("The form has expired; reload the page"), "invalid_token")
    try:
        normalised = identifiers.email_key(email or "")
    except ValueError as exc:
        raise ValidationFailed.one("email", _("Not a valid e-mail address"), "invalid_email") from exc
    buckets = (f"client:{client}", f"address:{normalised}")
    if _limited(buckets[0], LIMIT_PER_CLIENT) or _limited(buckets[1], LIMIT_PER_ADDRESS):
        raise TooManyRequests()
    signup = NewsletterSignup.objects.create(newsletter=newsletter, email=normalised, name=name.strip()[:200],
                                             language=language[:10],
                                             client_key=hashlib.sha256(client.encode()).hexdigest())
    token = signing.dumps({"s": signup.pk}, salt=CONFIRM_SALT)
    link = absolute(reverse("marketing:newsletter-confirm", args=[token]))
    with translation.override(language_for(language)):
        message = EmailMessage()
        message["From"] = newsletter.from_email
        message["To"] = normalised
        message["Subject"] = _("Confirm your subscription to %(n)s") % {"n": newsletter.name}
        message.set_content(_("Please confirm that you want to receive %(n)s by opening this link:")
                            % {"n": newsletter.name} + f"\n\n{link}\n\n"
                            + _("If you did not ask for this, ignore this message."))
    try:
        with Mailer(smtp_url, timeout=SEND_TIMEOUT) as mailer:
            mailer.send(message)
    except (OSError, smtplib.SMTPException) as exc:
        # The mail server is down or refused: undo the sign-up (no database transaction is held open while
        # talking to the server) and give back the attempt, so trying again later works and nothing is left half.
        log.warning("newsletter confirmation to the mail server failed: %s", exc)
        signup.delete()
        for bucket in buckets:
            _give_back(bucket)
        raise MailUnavailable() from exc
    return signup


def _give_back(bucket: str) -> None:
    key = "kb-nl-" + hashlib.sha256(bucket.encode()).hexdigest()
    try:
        cache.decr(key)
    except ValueError:
        pass


def _party_for(signup: NewsletterSignup) -> int:
    found = ContactPoint.objects.filter(kind="email", normalised=signup.email,
                                        party__merged_into__isnull=True).values_list("party_id", flat=True).first()
    if found:
        return int(found)
    given, _sep, family = (signup.name or "").rpartition(" ")
    person = parties.create_person(
        data={"given_name": given, "family_name": family or signup.email.split("@")[0][:150],
              "preferred_language": signup.language or ""},
        contact_points=[{"kind": "email", "value": signup.email}], channel="newsletter")
    return person.pk


@transaction.atomic
def confirm(*, token: str) -> NewsletterSignup:
    """Follow the link: the second opt-in.  Records the consent with its double-opt-in time."""
    try:
        data: Any = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
        signup_id = int(data["s"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise ValidationFailed.one("token", _("This confirmation link is not valid or has expired"),
                                   "invalid_token") from exc
    signup = NewsletterSignup.objects.select_for_update().select_related("newsletter").filter(pk=signup_id).first()
    if signup is None:
        raise NotFound(_("Sign-up"), signup_id)
    if signup.confirmed_at is None:
        now = timezone.now()
        signup.party_id = _party_for(signup)
        consent.record(party_id=signup.party_id, purpose=signup.newsletter.purpose, channel="email",
                       status="granted", source="form", source_detail=f"newsletter {signup.newsletter.key}",
                       explanation="Newsletter sign-up, confirmed by e-mail", captured_at=signup.requested_at,
                       notice_version=signup.newsletter.notice_version, double_opt_in_at=now,
                       channel_of_request="web")
        signup.confirmed_at = now
        signup.save(update_fields=["party", "confirmed_at"])
        audit.record(action="change", entity="newsletter_signup", record_id=signup.pk, party_id=signup.party_id,
                     channel="web", fields=["consent"])
    return signup
