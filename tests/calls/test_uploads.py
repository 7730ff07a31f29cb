"""File checks: the type comes from the content, the size from upload.size."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from calls.enums import AttachmentKind
from calls.uploads import MB, safe_name, upload_check, upload_sha256
from tests.factories import pdf_bytes, png_bytes

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b'<rect width="10" height="10"/></svg>'
)


def _image(format_):
    buffer = io.BytesIO()
    Image.new("RGB", (3, 3), (200, 10, 10)).save(buffer, format=format_)
    return buffer.getvalue()


def test_upload_check_accepts_pdf():
    checked = upload_check(
        SimpleUploadedFile("Présentation.pdf", pdf_bytes(), "application/pdf"),
        kind=AttachmentKind.PRESENTATION,
    )
    assert checked.content_type == "application/pdf"
    assert checked.original_name == "Présentation.pdf"


@pytest.mark.parametrize(
    ("content", "content_type"),
    [(png_bytes(), "image/png"), (_image("JPEG"), "image/jpeg"), (_image("WEBP"), "image/webp")],
)
def test_upload_check_accepts_images(content, content_type):
    checked = upload_check(
        SimpleUploadedFile("photo", content, "application/octet-stream"),
        kind=AttachmentKind.IMAGE,
    )
    assert checked.content_type == content_type


def test_upload_check_refuses_exe_renamed_pdf():
    upload = SimpleUploadedFile("presentation.pdf", EXE + b"\x00" * 600, "application/pdf")
    with pytest.raises(ValidationError) as error:
        upload_check(upload, kind=AttachmentKind.PRESENTATION)
    assert error.value.code == "wrong_type"
    assert "presentation.pdf" in error.value.messages[0]
    assert "PDF" in error.value.messages[0]


def test_upload_check_refuses_svg_as_image():
    upload = SimpleUploadedFile("logo.png", SVG, "image/png")
    with pytest.raises(ValidationError) as error:
        upload_check(upload, kind=AttachmentKind.IMAGE)
    assert error.value.code == "wrong_type"


def test_upload_check_refuses_svg_as_pdf():
    with pytest.raises(ValidationError):
        upload_check(
            SimpleUploadedFile("x.pdf", SVG, "application/pdf"), kind=AttachmentKind.PRESENTATION
        )


def test_upload_check_refuses_empty_file():
    with pytest.raises(ValidationError) as error:
        upload_check(
            SimpleUploadedFile("empty.pdf", b"", "application/pdf"),
            kind=AttachmentKind.PRESENTATION,
        )
    assert error.value.code == "empty"


def test_upload_check_refuses_pdf_as_image_and_image_as_pdf():
    with pytest.raises(ValidationError):
        upload_check(SimpleUploadedFile("a.png", pdf_bytes(), "image/png"), kind="image")
    with pytest.raises(ValidationError):
        upload_check(
            SimpleUploadedFile("a.pdf", png_bytes(), "application/pdf"), kind="presentation"
        )


def test_upload_check_refuses_damaged_image():
    damaged = png_bytes()[:40]
    with pytest.raises(ValidationError) as error:
        upload_check(SimpleUploadedFile("a.png", damaged, "image/png"), kind="image")
    assert error.value.code == "damaged"


class _Unreadable(SimpleUploadedFile):
    """Claims a size; reading it fails: the check must not read it."""

    def read(self, *args, **kwargs):
        raise AssertionError("an oversize file was read")


def test_upload_check_refuses_oversize_from_size_without_reading():
    upload = _Unreadable("big.pdf", b"%PDF-", "application/pdf")
    upload.size = 11 * MB
    with pytest.raises(ValidationError) as error:
        upload_check(upload, kind=AttachmentKind.PRESENTATION)
    assert error.value.code == "too_large"
    assert "10" in error.value.messages[0]


def test_upload_check_refuses_real_11_mb_pdf():
    content = pdf_bytes() + b"%" + b"0" * (11 * MB)
    with pytest.raises(ValidationError) as error:
        upload_check(SimpleUploadedFile("big.pdf", content, "application/pdf"), kind="presentation")
    assert error.value.code == "too_large"


def test_upload_check_image_limit_is_5_mb():
    upload = _Unreadable("big.png", b"", "image/png")
    upload.size = 5 * MB + 1
    with pytest.raises(ValidationError) as error:
        upload_check(upload, kind=AttachmentKind.IMAGE)
    assert error.value.code == "too_large"


def test_safe_name_drops_path_and_control_characters_and_takes_the_sniffed_extension():
    assert safe_name("../../etc/passwd\x00.exe", "application/pdf") == "passwd.pdf"
    assert safe_name("C:\\Users\\me\\photo.JPG", "image/png") == "photo.png"
    assert safe_name("", "application/pdf") == "file.pdf"
    assert len(safe_name("a" * 500 + ".pdf", "application/pdf")) == 200


def test_upload_sha256_reads_the_whole_file_and_rewinds():
    upload = SimpleUploadedFile("a.pdf", pdf_bytes(), "application/pdf")
    import hashlib

    assert upload_sha256(upload) == hashlib.sha256(pdf_bytes()).hexdigest()
    assert upload.read(4) == b"%PDF"
