"""What the header shows: the menu entry of the page, and a signed-in person's spaces.

The roles come with the user from the cache (``qmi_portal.signed_in``), which
forgets them at once when the user's groups or experiments change.
"""

import functools

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from .signed_in import stored_roles

# The menu's entries: the page a visitor is on is marked (aria-current).
MENU = {
    "calls": "calls:call_list",
    "editions": "municipalities:edition_list",
    "municipalities": "municipalities:municipality_list",
    "events": "experiments:event_list",
    "partners": "municipalities:partner_list",
}


@functools.lru_cache(maxsize=16)
def _menu_paths(language, urlconf) -> dict:
    """{path: menu entry} in the active language (the URLs carry its prefix)."""
    paths = {}
    for entry, name in MENU.items():
        try:
            paths[reverse(name, urlconf=urlconf)] = entry
        except NoReverseMatch:  # a URL map without the portal's pages (the benchmarks')
            continue
    return paths


def _menu_entry(path) -> str:
    return _menu_paths(get_language(), settings.ROOT_URLCONF).get(path, "")


def navigation(request):
    """``nav_current``: the menu entry of this page ("" if none); ``nav_roles`` when signed in.

    The header is cached per language, menu entry and roles (templates/base.html).
    """
    context = {"nav_current": SimpleLazyObject(lambda: _menu_entry(request.path))}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["nav_roles"] = SimpleLazyObject(lambda: user_roles(user))
    return context


def user_roles(user) -> dict:
    """{"staff", "reviewer", "municipality", "experimenter"}: booleans.

    Read with the user from the cache (``qmi_portal.signed_in``); asked of the
    database for a user that did not come from a session.
    """
    found = stored_roles(user)
    staff = user.is_superuser or found["staff"]
    return {
        "staff": staff,
        "reviewer": staff or found["reviewer"],
        "municipality": found["municipality"],
        "experimenter": found["experimenter"],
    }
