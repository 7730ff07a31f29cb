"""Links to the same page in another language: plain links, no form, no CSRF token."""

import functools

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext as _

register = template.Library()

CURRENT = mark_safe(' aria-current="true"')


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


@register.simple_tag(takes_context=True)
def language_switcher(context):
    """The list of links to this page in each language, the current one marked.

    On every page: written once per page address and language, then reused.
    """
    request = context.get("request")
    return _switcher(request.get_full_path() if request is not None else None, get_language())


@functools.lru_cache(maxsize=2048)
def _switcher(path, current):
    items = []
    for code, _name in settings.LANGUAGES:
        name = get_language_info(code)["name_local"]
        href = f"/{code}/" if path is None else _translated(path, current, code)
        css, marked = ("btn-primary", CURRENT) if code == current else ("btn-outline-primary", "")
        items.append(
            format_html(
                '<li><a href="{}" hreflang="{}" lang="{}" class="btn btn-sm {}"{}>'
                '<span aria-hidden="true">{}</span>'
                '<span class="visually-hidden">{}</span></a></li>',
                href,
                code,
                code,
                css,
                marked,
                code.upper(),
                name[:1].upper() + name[1:],
            )
        )
    return format_html(
        '<ul class="language-switcher list-unstyled d-flex gap-1 mb-0" aria-label="{}">{}</ul>',
        _("Language"),
        mark_safe("".join(items)),  # noqa: S308 - each item is format_html's
    )
