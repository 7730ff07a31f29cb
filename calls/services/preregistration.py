"""Pre-registration to a call that has not opened yet (double opt-in).

Nothing here tells a visitor whether an address is already on the list: a
new, a pending and a confirmed address get the same answer; only the mail
differs (a pending one may get its confirmation again, at most once every
ten minutes; a confirmed one gets nothing).

Links carry a signed token (django.core.signing, one salt per purpose) with
the pre-registration id and a hash of its email, so a token neither reveals
the address nor survives a new row reusing an id.
"""

import datetime as dt
import hashlib

from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.models import OutgoingMail
from notifications.services import mail_draft
from qmi_portal.links import absolute_url

from ..enums import CallState
from ..models import Call, PreRegistration

CONFIRM = "calls.preregistration.confirm"
UNSUBSCRIBE = "calls.preregistration.unsubscribe"
# A confirmation link is good for a week; an unsubscribe link for ever, since it
# also sits in the "call is open" mail sent months later.
CONFIRM_MAX_AGE = dt.timedelta(days=7)
RESEND_AFTER = dt.timedelta(minutes=10)
REQUESTS_PER_IP = 10
RATE_WINDOW = dt.timedelta(hours=1)


class PreRegistrationError(ValidationError):
    """A refusal with a message for the visitor."""


class RateLimited(PreRegistrationError):
    pass


class TokenInvalid(PreRegistrationError):
    pass


class TokenExpired(TokenInvalid):
    pass


class _Signer(signing.TimestampSigner):
    """A timestamp signer that may date a token in the past (tests, clock-free callers)."""

    def __init__(self, *, salt, issued_at=None):
        super().__init__(salt=salt)
        self.issued_at = issued_at

    def timestamp(self):
        if self.issued_at is None:
            return super().timestamp()
        return signing.b62_encode(int(self.issued_at.timestamp()))


def _email_hash(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:20]


def preregistration_token(*, preregistration: PreRegistration, purpose: str, now=None) -> str:
    payload = {"id": preregistration.pk, "email": _email_hash(preregistration.email)}
    return _Signer(salt=purpose, issued_at=now).sign_object(payload)


def preregistration_confirm_url(*, preregistration: PreRegistration, now=None) -> str:
    return absolute_url(
        "calls:preregistration_confirm",
        language=preregistration.language,
        token=preregistration_token(preregistration=preregistration, purpose=CONFIRM, now=now),
    )


def preregistration_unsubscribe_url(*, preregistration: PreRegistration) -> str:
    """The one-click unsubscribe link, for every mail sent to a pre-registration."""
    return absolute_url(
        "calls:preregistration_unsubscribe",
        language=preregistration.language,
        token=preregistration_token(preregistration=preregistration, purpose=UNSUBSCRIBE),
    )


def preregistration_from_token(*, token: str, purpose: str) -> PreRegistration | None:
    """The pre-registration a link points to; None when it was deleted since.

    Raises TokenExpired for an old confirmation link and TokenInvalid for
    anything tampered with.
    """
    max_age = CONFIRM_MAX_AGE if purpose == CONFIRM else None
    try:
        payload = _Signer(salt=purpose).unsign_object(token, max_age=max_age)
    except signing.SignatureExpired as error:
        raise TokenExpired(
            _("This link has expired. Pre-register again to receive a new one."),
            code="expired",
        ) from error
    except (signing.BadSignature, ValueError, UnicodeError) as error:
        raise TokenInvalid(
            _("This link is not valid. Check that you copied it whole from the email."),
            code="invalid",
        ) from error
    if not isinstance(payload, dict) or not isinstance(payload.get("id"), int):
        raise TokenInvalid(_("This link is not valid."), code="invalid")
    preregistration = (
        PreRegistration.objects.select_related("call").filter(pk=payload["id"]).first()
    )
    if preregistration is None or _email_hash(preregistration.email) != payload.get("email"):
        return None
    return preregistration


def _rate_limit(*, ip: str | None, now) -> None:
    """At most REQUESTS_PER_IP requests per IP and hour (a fixed window in the cache)."""
    window = int(now.timestamp() // RATE_WINDOW.total_seconds())
    key = f"calls:preregistration:ip:{ip or 'unknown'}:{window}"
    cache.add(key, 0, timeout=int(RATE_WINDOW.total_seconds()) + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=int(RATE_WINDOW.total_seconds()) + 60)
        count = 1
    if count > REQUESTS_PER_IP:
        raise RateLimited(
            _(
                "Too many pre-registrations from your connection in the last hour. "
                "Please try again later."
            ),
            code="rate_limited",
        )


def preregistration_request(
    *,
    call: Call,
    email: str,
    language: str,
    consent_text: str,
    ip: str | None = None,
    now=None,
) -> None:
    """Record a pre-registration (pending) and mail its confirmation link.

    Returns nothing on purpose: the caller must answer the same whatever
    happened. Side effects: a PreRegistration row (consent text and time)
    unless one exists for this address and call; a queued
    ``preregistration_confirm`` mail for a new row, or for a pending one whose
    last confirmation mail is older than RESEND_AFTER. Raises RateLimited
    past REQUESTS_PER_IP requests per hour from one IP, and
    PreRegistrationError when the call is not upcoming.
    """
    now = now or timezone.now()
    if call.state_at(now) != CallState.UPCOMING:
        raise PreRegistrationError(
            _("Pre-registration is only possible before the call opens."), code="not_upcoming"
        )
    _rate_limit(ip=ip, now=now)
    email = email.strip()
    with transaction.atomic():
        try:
            # Insert first: the unique index on lower(email) and call settles races.
            with transaction.atomic():
                preregistration = PreRegistration.objects.create(
                    call=call,
                    email=email,
                    language=language,
                    consent_text=consent_text,
                    consented_at=now,
                )
        except IntegrityError:
            preregistration = (
                PreRegistration.objects.select_for_update()
                .alias(email_lower=Lower("email"))
                .get(call=call, email_lower=email.lower())
            )
        if preregistration.confirmed_at is not None:
            return
        prefix = f"preregistration_confirm:{preregistration.pk}:"
        sent = OutgoingMail.objects.filter(occurrence_key__startswith=prefix)
        last = sent.order_by("-created_at").values_list("created_at", flat=True).first()
        if last is not None and now - last < RESEND_AFTER:
            return
        mail_draft(
            code="preregistration_confirm",
            recipient=preregistration.email,
            language=preregistration.language,
            context={
                "call_title": _call_title(call, preregistration.language),
                "confirm_url": preregistration_confirm_url(preregistration=preregistration),
                "unsubscribe_url": preregistration_unsubscribe_url(preregistration=preregistration),
            },
            occurrence_key=f"{prefix}{sent.count() + 1}",
            related=preregistration,
            queue=True,
            headers=preregistration_unsubscribe_headers(preregistration=preregistration),
        )


def _call_title(call: Call, language: str) -> str:
    return getattr(call, f"title_{language}", None) or call.title


def preregistration_confirm(*, preregistration: PreRegistration, now=None) -> PreRegistration:
    """Confirm the address (idempotent: a second confirmation keeps the first time)."""
    now = now or timezone.now()
    PreRegistration.objects.filter(pk=preregistration.pk, confirmed_at__isnull=True).update(
        confirmed_at=now
    )
    preregistration.refresh_from_db(fields=["confirmed_at"])
    return preregistration


def preregistration_delete(*, preregistration: PreRegistration) -> None:
    """Unsubscribe: the row goes, with the address and the consent."""
    PreRegistration.objects.filter(pk=preregistration.pk).delete()


def preregistrations_to_notify(call: Call) -> QuerySet[PreRegistration]:
    """Confirmed pre-registrations of a call: who gets the "call is open" mail."""
    return PreRegistration.objects.filter(call=call, confirmed_at__isnull=False).order_by("pk")


def preregistration_unsubscribe_headers(*, preregistration) -> dict:
    """RFC 8058 headers: mail clients show their own one-click unsubscribe button."""
    return {
        "List-Unsubscribe": f"<{preregistration_unsubscribe_url(preregistration=preregistration)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
