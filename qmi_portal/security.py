"""Request-level protections that several apps rely on.

- ``ClientAddressMiddleware``: behind ``PROXY_COUNT`` trusted reverse proxies,
  the client's address is read from X-Forwarded-For, so that the rate limits
  (sign-in links, pre-registration, login attempts) count visitors, not the
  proxy.
- ``RequestSizeLimitMiddleware``: a request whose declared body is larger than
  ``MAX_REQUEST_BODY_SIZE`` is answered 413 before a byte of it is read (the
  WSGI server never reads more than the declared length).
- ``LoginAttemptsBackend``: django-axes' lockout check for logins made through
  a web request (the admin, the municipality login); logins without a
  request (``Client.login`` in tests, management commands) are not web
  traffic and pass through to the next backend.
"""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address
from django.shortcuts import render


class ClientAddressMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        hops = getattr(settings, "PROXY_COUNT", 0)
        if hops:
            forwarded = [
                part.strip()
                for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                if part.strip()
            ]
            # Each trusted proxy appends the address it received from: the
            # client is the hops-th entry from the right; anything further left
            # was written by the client and is not trusted.
            if len(forwarded) >= hops:
                candidate = forwarded[-hops]
                try:
                    validate_ipv46_address(candidate)
                except ValidationError:
                    pass
                else:
                    request.META["REMOTE_ADDR"] = candidate
        return self.get_response(request)


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = getattr(settings, "MAX_REQUEST_BODY_SIZE", None)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit and length > limit:
            response = render(
                request,
                "413.html",
                {"limit_mb": limit // (1024 * 1024)},
                status=413,
            )
            # The body was not read: the connection cannot be reused.
            response["Connection"] = "close"
            return response
        return self.get_response(request)


class LoginAttemptsBackend(AxesStandaloneBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(request, original_response=None, credentials=None):
    """The page django-axes shows once a login is locked (429, in the page's language)."""
    cooloff = getattr(settings, "AXES_COOLOFF_TIME", None)
    return render(
        request,
        "registration/locked_out.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cooloff_timedelta": cooloff,
            "cooloff_minutes": int(cooloff.total_seconds() // 60) if cooloff else None,
        },
        status=429,
    )
