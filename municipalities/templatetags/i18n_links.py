"""Links to the same page in another language: plain links, no form, no CSRF token."""

import functools

from django import template
from django.urls import translate_url
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag(takes_context=True)
def translated_url(context, language_code):
    """The current page's URL in ``language_code`` (query string kept).

    ``translate_url`` resolves the path and reverses it in the other language;
    when the path does not resolve (a 404 page), the language prefix is swapped.
    """
    request = context.get("request")
    if request is None:
        return f"/{language_code}/"
    return _translated(request.get_full_path(), get_language(), language_code)


@functools.lru_cache(maxsize=2048)
def _translated(path, current, language_code):
    """Resolving the path costs a tenth of a page: done once per path and language."""
    translated = translate_url(path, language_code)
    if translated == path and current != language_code:
        prefix = f"/{current}/"
        if path.startswith(prefix):
            translated = f"/{language_code}/{path[len(prefix) :]}"
        elif path in (f"/{current}", "/"):
            translated = f"/{language_code}/"
    return translated
