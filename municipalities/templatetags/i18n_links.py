"""Links to the same page in another language: plain links, no form, no CSRF token."""

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
    path = request.get_full_path()
    translated = translate_url(path, language_code)
    current = get_language()
    if translated == path and current != language_code:
        prefix = f"/{current}/"
        if path.startswith(prefix):
            translated = f"/{language_code}/{path[len(prefix) :]}"
        elif path in (f"/{current}", "/"):
            translated = f"/{language_code}/"
    return translated
