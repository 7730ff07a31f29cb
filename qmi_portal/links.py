"""Absolute links for emails and documents, in the reader's language."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation


def absolute_url(viewname: str, *, language: str, **kwargs) -> str:
    with translation.override(language):
        path = reverse(viewname, kwargs=kwargs or None)
    return settings.SITE_URL.rstrip("/") + path
