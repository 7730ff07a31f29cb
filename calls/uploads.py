"""Checks on the files applicants upload.

The type comes from the content (``filetype`` reads the first bytes), never
from the name or the content type the browser sends: an .exe renamed .pdf is
an .exe. The size is checked from ``upload.size`` before anything is read.
"""

import hashlib
import os
import unicodedata
from dataclasses import dataclass

import filetype
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .enums import AttachmentKind

MB = 1024 * 1024
PDF = "application/pdf"
IMAGE_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}
EXTENSIONS = {PDF: ".pdf", **IMAGE_TYPES}
# filetype needs the first 261 bytes; a little more costs nothing.
SNIFF_BYTES = 2048
MAX_IMAGES = 5


@dataclass(frozen=True)
class UploadRule:
    content_types: frozenset
    max_size: int

    def describe(self) -> str:
        names = {EXTENSIONS[content_type][1:].upper() for content_type in self.content_types}
        return ", ".join(sorted(names))


RULES = {
    AttachmentKind.PRESENTATION: UploadRule(frozenset({PDF}), 10 * MB),
    AttachmentKind.COUNCIL_DECISION: UploadRule(frozenset({PDF}), 10 * MB),
    AttachmentKind.IMAGE: UploadRule(frozenset(IMAGE_TYPES), 5 * MB),
}


@dataclass(frozen=True)
class CheckedUpload:
    upload: object
    content_type: str
    original_name: str


def upload_check(upload, *, kind: str) -> CheckedUpload:
    """Refuse an empty, oversize or disguised file; return its sniffed type and a safe name."""
    rule = RULES[AttachmentKind(kind)]
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("The file “%(name)s” is empty.") % _name(upload), code="empty")
    if size > rule.max_size:
        raise ValidationError(
            _("The file “%(name)s” is too large (%(size)s); the limit is %(limit)s.")
            % {
                **_name(upload),
                "size": filesizeformat(size),
                "limit": filesizeformat(rule.max_size),
            },
            code="too_large",
        )
    head = _head(upload)
    content_type = filetype.guess_mime(head)
    if content_type not in rule.content_types:
        raise ValidationError(
            _(
                "The file “%(name)s” is not accepted: its content is not %(types)s, "
                "whatever its name says."
            )
            % {**_name(upload), "types": rule.describe()},
            code="wrong_type",
        )
    if content_type in IMAGE_TYPES:
        _check_image(upload)
    return CheckedUpload(
        upload=upload,
        content_type=content_type,
        original_name=safe_name(upload.name, content_type),
    )


def upload_sha256(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def safe_name(name: str | None, content_type: str) -> str:
    """A name to show and to download under: no path, no control characters, the right extension."""
    name = os.path.basename((name or "").replace("\\", "/"))
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip(" .")
    stem = os.path.splitext(name)[0] or "file"
    extension = EXTENSIONS[content_type]
    return f"{stem[: 200 - len(extension)]}{extension}"


def _head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    return head


def _check_image(upload):
    """The header says image: make sure the rest is one (and not a decompression bomb)."""
    from PIL import Image

    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ValidationError(
            _("The image “%(name)s” is too large in pixels.") % _name(upload), code="bomb"
        ) from error
    except Exception as error:  # Pillow raises many kinds of errors on broken files.
        raise ValidationError(
            _("The image “%(name)s” is damaged or incomplete.") % _name(upload), code="damaged"
        ) from error
    finally:
        upload.seek(0)


def _name(upload) -> dict:
    name = os.path.basename((upload.name or "").replace("\\", "/"))
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C")
    return {"name": name[:80] or _("without name")}
