"""Whole-page caching of the anonymous public pages, done safely.

``public_page`` stores and serves the full response of a view in the Django
cache (Redis), but only when nothing about the request or the response is
personal:

- only GET and HEAD, and only for a visitor who sends no session cookie and
  no messages cookie (a signed-in person always gets a fresh page);
- never a response that sets a cookie, used the CSRF token (a page with a form
  carries a per-visitor token), touched the session or the messages, varies on
  anything but the language, says ``private``/``no-store``, or is not a 200;
- keyed by language, host and full path (query string included);
- stamped with the *content version*: any change to a model shown on the
  public pages replaces the version, and every page stored under the old one
  is a miss from then on;
- kept at most ``timeout`` seconds (60 by default), because the public pages
  show what the clock decides (a call's state, its countdown).

The version is read together with the page in one round trip. A page is
stored with the version read *before* rendering, so a render that raced a
change is never taken for fresh.
"""

import functools
import hashlib
import uuid

from django.apps import apps
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

VERSION_KEY = "public-page:version"
PAGE_KEY = "public-page:{digest}"
MAX_TIMEOUT = 60
# The models the public pages show: a change to any of them is a new content version.
PUBLIC_MODELS = [
    "municipalities.Edition",
    "municipalities.Municipality",
    "municipalities.InnovationDistrict",
    "municipalities.UrbanChallenge",
    "municipalities.Partner",
    "calls.Call",
    "calls.KeyDate",
    "calls.SelectionCriterion",
    # Programme events (seats left included) and the showcase with the edition figures.
    "experiments.ProgrammeEvent",
    "experiments.EventRegistration",
    "experiments.Experiment",
    "experiments.ExperimentSite",
    "experiments.Evaluation",
    "experiments.OutcomeUpdate",
]
# Headers a stored response keeps: never a cookie, nothing about the visitor.
KEPT_HEADERS = {"content-type", "content-language", "x-frame-options", "referrer-policy"}
STATUS_HEADER = "X-Public-Cache"


def public_page(view=None, *, timeout: int = MAX_TIMEOUT):
    """Cache the view's response for anonymous visitors; see the module docstring.

    Use as ``@public_page`` or ``@public_page(timeout=30)``.
    """
    if view is None:
        return functools.partial(public_page, timeout=timeout)
    timeout = min(timeout, MAX_TIMEOUT)
    # The web process that serves cached pages also hears of changes; other
    # processes (worker, shell) connect in CallsConfig.ready.
    connect_invalidation()

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _cacheable_request(request):
            response = view(request, *args, **kwargs)
            response[STATUS_HEADER] = "bypass"
            return response
        key = _page_key(request)
        found = cache.get_many([VERSION_KEY, key])
        version = found.get(VERSION_KEY) or content_version_bump()
        stored = found.get(key)
        if stored and stored["version"] == version:
            return _rebuild(stored, request)
        response = view(request, *args, **kwargs)
        if request.method == "GET" and _cacheable_response(request, response):
            cache.set(key, _freeze(response, version), timeout)
            response[STATUS_HEADER] = "miss"
        else:
            response[STATUS_HEADER] = "bypass"
        return response

    return wrapper


def content_version_bump() -> str:
    """A new content version: every page stored so far becomes stale."""
    version = uuid.uuid4().hex
    cache.set(VERSION_KEY, version, None)
    return version


def _cacheable_request(request) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and CookieStorage.cookie_name not in cookies


def _page_key(request) -> str:
    scheme = "https" if request.is_secure() else "http"
    source = f"{get_language()}|{scheme}://{request.get_host()}{request.get_full_path()}"
    return PAGE_KEY.format(digest=hashlib.sha256(source.encode()).hexdigest())


def _cacheable_response(request, response) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or request.META.get("CSRF_COOKIE_USED"):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    messages = getattr(request, "_messages", None)
    if messages is not None and (messages.added_new or getattr(messages, "used", False)):
        return False
    cache_control = response.get("Cache-Control", "").lower()
    if "private" in cache_control or "no-store" in cache_control:
        return False
    vary = {part.strip().lower() for part in response.get("Vary", "").split(",") if part.strip()}
    return vary <= {"accept-language", "cookie"}


def _freeze(response, version) -> dict:
    return {
        "version": version,
        "status": response.status_code,
        "content": response.content,
        "headers": [
            (name, value) for name, value in response.items() if name.lower() in KEPT_HEADERS
        ],
    }


def _rebuild(stored, request) -> HttpResponse:
    response = HttpResponse(stored["content"], status=stored["status"])
    for name, value in stored["headers"]:
        response[name] = value
    # What a fresh anonymous page says too: it would differ with a session cookie.
    patch_vary_headers(response, ("Cookie",))
    response[STATUS_HEADER] = "hit"
    return response


# Invalidation. A signal receiver is acceptable here: it is cache invalidation, not
# business logic. Whatever path changes a public model (admin, service, shell,
# fixture), the next request sees a new version; bumping again after the commit
# makes sure no page rendered from the old rows outlives the transaction.


def _content_changed(sender, **kwargs):
    content_version_bump()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(content_version_bump)


def _m2m_changed(sender, instance, action, **kwargs):
    if action.startswith("post_") and type(instance) in _public_model_classes():
        _content_changed(sender)


@functools.cache
def _public_model_classes() -> frozenset:
    return frozenset(apps.get_model(label) for label in PUBLIC_MODELS)


def connect_invalidation():
    """Bump the content version when a public model changes; call from an AppConfig.ready."""
    for model in _public_model_classes():
        post_save.connect(_content_changed, sender=model, dispatch_uid=f"public-page-save-{model}")
        post_delete.connect(
            _content_changed, sender=model, dispatch_uid=f"public-page-delete-{model}"
        )
    m2m_changed.connect(_m2m_changed, dispatch_uid="public-page-m2m")
