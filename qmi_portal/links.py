"""Links: absolute ones for emails and documents, and links to objects by uuid.

A page or a sweep that links to many objects reverses the same URL pattern
each time; ``uuid_url`` reverses it once per view, language and URL map, and
puts each uuid in.
"""

import functools

from django.conf import settings
from django.urls import get_script_prefix, reverse
from django.utils import translation

UUID_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


def absolute_url(viewname: str, *, language: str, **kwargs) -> str:
    with translation.override(language):
        path = reverse(viewname, kwargs=kwargs or None)
    return settings.SITE_URL.rstrip("/") + path


def uuid_url(viewname: str, uuid, *, language: str | None = None, absolute=False, **kwargs):
    """The URL of ``viewname`` for the object ``uuid`` (other URL arguments in ``kwargs``),
    in ``language`` (the active one by default); with the site's address if ``absolute``."""
    pattern = _uuid_pattern(
        viewname,
        language or translation.get_language(),
        settings.SITE_URL if absolute else None,
        settings.ROOT_URLCONF,
        get_script_prefix(),
        tuple(sorted(kwargs.items())),
    )
    return pattern.replace(UUID_PLACEHOLDER, str(uuid))


@functools.lru_cache(maxsize=512)
def _uuid_pattern(viewname, language, site_url, urlconf, prefix, kwargs) -> str:
    kwargs = {**dict(kwargs), "uuid": UUID_PLACEHOLDER}
    if site_url is not None:
        return absolute_url(viewname, language=language, **kwargs)
    with translation.override(language):
        return reverse(viewname, kwargs=kwargs)
