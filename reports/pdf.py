"""HTML to PDF with WeasyPrint, reading nothing but the portal's own files.

Report HTML holds applicants' text. It is escaped by the templates, and the
URL fetcher below is the only way WeasyPrint reads anything: the portal's
static files (stylesheets, logo) and the private files a report names
explicitly (an application's images). No ``file://`` elsewhere, no network,
no redirects. WeasyPrint 70 uses the fetcher for every resource, stylesheets
and attachments included, when it is a ``URLFetcher`` subclass.
"""

import io
import logging
import mimetypes
import posixpath
from urllib.parse import unquote, urlsplit

from django.contrib.staticfiles import finders
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from calls.models import get_private_storage

logger = logging.getLogger(__name__)

# Never resolved (.invalid is reserved): only a prefix the fetcher recognises.
ORIGIN = "https://report.qmi.invalid"
STATIC_PREFIX = f"{ORIGIN}/static/"
PRIVATE_PREFIX = f"{ORIGIN}/private/"
BASE_URL = f"{ORIGIN}/"


class ResourceRefused(ValueError):
    """A URL the report may not read; WeasyPrint logs it and leaves the resource out."""


def private_url(name: str) -> str:
    """The URL under which a report's HTML refers to a private file it may show."""
    return PRIVATE_PREFIX + name


class PortalURLFetcher(URLFetcher):
    """Serves the portal's static files and an allow-list of private files; refuses the rest."""

    def __init__(self, *, private_files=(), **kwargs):
        super().__init__(allowed_protocols={"https", "data"}, allow_redirects=False, **kwargs)
        self.private_files = frozenset(private_files)

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            # Self-contained (inline SVG, small images): no I/O at all.
            return super().fetch(url, headers)
        parts = urlsplit(url)
        if parts.scheme != "https" or f"{parts.scheme}://{parts.netloc}" != ORIGIN:
            raise ResourceRefused(f"Reports read only the portal's own files, not {url[:200]}")
        path = unquote(parts.path)
        if "\x00" in path or "\\" in path:
            raise ResourceRefused(f"Refused: {url[:200]}")
        normalised = posixpath.normpath(path)
        if normalised.startswith("/static/"):
            return self._static(normalised.removeprefix("/static/"), url)
        if normalised.startswith("/private/"):
            return self._private(normalised.removeprefix("/private/"), url)
        raise ResourceRefused(f"Refused: {url[:200]}")

    def _static(self, relative, url):
        if relative.startswith(("/", "..")) or "/../" in f"/{relative}/":
            raise ResourceRefused(f"Refused: {url[:200]}")
        # The finders join safely under each static directory (no way out with "..").
        path = finders.find(relative)
        if not path:
            raise ResourceRefused(f"No such static file: {relative[:200]}")
        with open(path, "rb") as handle:
            body = handle.read()
        return self._response(url, body, relative)

    def _private(self, name, url):
        if name not in self.private_files:
            raise ResourceRefused(f"This report may not read {name[:200]}")
        with get_private_storage().open(name, "rb") as handle:
            body = handle.read()
        return self._response(url, body, name)

    @staticmethod
    def _response(url, body, name):
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})


def html_to_pdf(html: str, *, private_files=()) -> tuple[bytes, int]:
    """Render the HTML; returns the PDF bytes and its number of pages."""
    fetcher = PortalURLFetcher(private_files=private_files)
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render()
    output = io.BytesIO()
    document.write_pdf(output)
    return output.getvalue(), len(document.pages)
