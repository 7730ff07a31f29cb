"""Password-less sign-in for applicants: a short-lived, single-use link by email.

Only the sha256 of a token is stored. Asking for a link answers the same
whether the address is known or not, and whether or not a limit was hit:
the caller gets nothing back to tell them apart.
"""

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from notifications.services import mail_draft
from qmi_portal.links import absolute_url

from ..models import SignInLink

logger = logging.getLogger(__name__)

LIFETIME = dt.timedelta(minutes=15)
LINKS_PER_EMAIL = 5
LINKS_PER_IP = 20
RATE_WINDOW = dt.timedelta(hours=1)
NEXT_URL_MAX_LENGTH = 300


class SignInLinkInvalid(ValidationError):
    """Expired, used or unknown: the same message for all three."""


@dataclass(frozen=True)
class SignIn:
    user: object
    next_url: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def is_safe_next_url(url: str, *, allowed_hosts=None, require_https=False) -> bool:
    """A local path on this site, nothing that could lead elsewhere or break a header."""
    if not url or len(url) > NEXT_URL_MAX_LENGTH or not url.startswith("/"):
        return False
    if any(ord(character) < 32 or ord(character) == 127 for character in url):
        return False
    return url_has_allowed_host_and_scheme(
        url, allowed_hosts=allowed_hosts or set(), require_https=require_https
    )


def signin_link_request(
    *,
    email: str,
    language: str,
    ip: str | None = None,
    next_url: str = "",
    now=None,
) -> SignInLink | None:
    """Create a link and queue its mail, unless a rate limit is reached.

    Side effects: a SignInLink row (hash of the token, next URL if safe, IP,
    expiry in LIFETIME) and a queued ``signin_link`` mail whose body is wiped
    once sent. Past LINKS_PER_EMAIL links per address or LINKS_PER_IP per IP
    in the last hour, nothing happens. The return value is for tests and
    logs: a view must answer the same either way.
    """
    now = now or timezone.now()
    email = email.strip()
    since = now - RATE_WINDOW
    recent = SignInLink.objects.filter(created_at__gt=since)
    by_email = recent.alias(email_lower=Lower("email")).filter(email_lower=email.lower()).count()
    by_ip = recent.filter(requested_ip=ip).count() if ip else 0
    if by_email >= LINKS_PER_EMAIL or by_ip >= LINKS_PER_IP:
        logger.info("Sign-in link refused: rate limit (ip %s).", ip)
        return None
    if not is_safe_next_url(next_url):
        next_url = ""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        link = SignInLink.objects.create(
            email=email,
            token_hash=token_hash(token),
            next_url=next_url,
            requested_ip=ip,
            created_at=now,
            expires_at=now + LIFETIME,
        )
        mail_draft(
            code="signin_link",
            recipient=email,
            language=language,
            context={
                "signin_url": absolute_url("calls:signin_link", language=language, token=token),
                "minutes": int(LIFETIME.total_seconds() // 60),
            },
            occurrence_key=f"signin_link:{link.pk}",
            related=link,
            queue=True,
            redact_after_sending=True,
        )
    return link


def signin_link_is_usable(*, token: str, now=None) -> bool:
    """Whether a link may still sign in; a read only, it uses nothing up."""
    now = now or timezone.now()
    return SignInLink.objects.filter(
        token_hash=token_hash(token), used_at__isnull=True, expires_at__gt=now
    ).exists()


def signin_link_use(*, token: str, now=None) -> SignIn:
    """Use the link up and return who signs in, and where to go next.

    The link is marked used by one conditional UPDATE, so two requests
    cannot both use it. The user is found, or created, by their lower-cased
    email as username (or as the email of the one account that has it), with an
    unusable password. Staff and disabled accounts
    never sign in this way (they have a password and the admin). Raises
    SignInLinkInvalid for an expired, used or unknown link. The caller logs
    the user in (django.contrib.auth.login rotates the session).
    """
    now = now or timezone.now()
    invalid = SignInLinkInvalid(
        _("This sign-in link has expired or has already been used. Ask for a new one below."),
        code="invalid",
    )
    hashed = token_hash(token)
    with transaction.atomic():
        used = SignInLink.objects.filter(
            token_hash=hashed, used_at__isnull=True, expires_at__gt=now
        ).update(used_at=now)
        if not used:
            raise invalid
        link = SignInLink.objects.get(token_hash=hashed)
        email = link.email.strip()
        user_model = get_user_model()
        username = email.lower()
        if len(username) > user_model._meta.get_field("username").max_length:
            raise invalid
        # An account staff created by hand (an experimenter, say) keeps its own
        # username: the one account with this email is the one the link proves.
        same_email = list(user_model.objects.filter(email__iexact=email)[:2])
        if len(same_email) == 1:
            user, created = same_email[0], False
        else:
            user, created = user_model.objects.get_or_create(
                username=username, defaults={"email": email}
            )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
    if not user.is_active or user.is_staff or user.is_superuser:
        logger.warning("Sign-in link refused for account %s (staff or inactive).", user.pk)
        raise invalid
    return SignIn(user=user, next_url=link.next_url)
