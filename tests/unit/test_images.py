"""Thumbnails are checked by decoding them (domain/images.py): each accepted format, the size limit
on both sides, other formats and non-images, decompression bombs and the pixel limit."""

from __future__ import annotations

import struct
import warnings
import zlib

import pytest

from geoshare.domain.images import MAX_PIXELS, MAX_THUMBNAIL_BYTES, check_thumbnail
from geoshare.errors import InvalidParameter
from tests.conftest import image_bytes

MESSAGE = "Unable to update the thumbnail."


def image(kind: str, size: tuple[int, int] = (2, 3)) -> bytes:
    return image_bytes(kind, size, "red")


def png_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header claims `width` x `height` (a valid checksum, so only the size is wrong)."""
    data = bytearray(image("PNG", (1, 1)))
    header = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = header
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + header))
    return bytes(data)


def refused(data: bytes, **options: object) -> list[str]:
    with pytest.raises(InvalidParameter) as info:
        check_thumbnail(data, message=MESSAGE, **options)  # type: ignore[arg-type]
    assert info.value.message == MESSAGE and info.value.code == 400
    return info.value.details


NOT_AN_IMAGE = ["'thumbnail' is not a PNG, GIF or JPEG image."]


@pytest.mark.parametrize(("kind", "extension"), [("PNG", "png"), ("GIF", "gif"), ("JPEG", "jpg")])
def test_each_accepted_format_gives_its_extension(kind, extension):
    assert check_thumbnail(image(kind), message=MESSAGE) == extension


@pytest.mark.parametrize("kind", ["PNG", "GIF", "JPEG"])
def test_size_limit_on_both_sides(kind):
    data = image(kind)
    assert check_thumbnail(data, message=MESSAGE, max_bytes=len(data)) in ("png", "gif", "jpg")
    assert refused(data, max_bytes=len(data) - 1, name="logo") == [f"'logo' is larger than {len(data) - 1} bytes."]


def test_default_size_limit_is_one_megabyte():
    assert MAX_THUMBNAIL_BYTES == 1024 * 1024
    # Exactly the limit passes the size check (and fails the decoding); one byte more does not.
    assert refused(b"x" * MAX_THUMBNAIL_BYTES) == NOT_AN_IMAGE
    assert refused(b"x" * (MAX_THUMBNAIL_BYTES + 1)) == ["'thumbnail' is larger than 1048576 bytes."]


def test_empty_data():
    assert refused(b"") == ["'thumbnail' is empty."]
    assert refused(b"", name="logo") == ["'logo' is empty."]


@pytest.mark.parametrize("kind", ["BMP", "WEBP", "TIFF", "ICO"])
def test_other_image_formats_are_refused(kind):
    assert refused(image(kind)) == NOT_AN_IMAGE


@pytest.mark.parametrize("data", [b"hello", b"GIF89a", b"\x89PNG\r\n\x1a\n", b"<svg xmlns='http://www.w3.org/2000/svg'/>",
                                  image("PNG")[:-20], image("JPEG")[:30]])
def test_non_images_and_damaged_images_are_refused(data):
    assert refused(data, name="thumbnail") == NOT_AN_IMAGE
    assert refused(data, name="logo") == ["'logo' is not a PNG, GIF or JPEG image."]


def test_pixel_limit_on_both_sides():
    assert MAX_PIXELS == 40_000_000
    assert check_thumbnail(png_claiming(8000, 5000), message=MESSAGE) == "png"
    assert check_thumbnail(png_claiming(MAX_PIXELS, 1), message=MESSAGE) == "png"
    assert refused(png_claiming(MAX_PIXELS + 1, 1)) == ["'thumbnail' has too many pixels."]
    assert refused(png_claiming(1, MAX_PIXELS + 1), name="logo") == ["'logo' has too many pixels."]


@pytest.mark.parametrize("side", [10_000, 20_000])
def test_decompression_bombs_are_not_images(side):
    # Even where the caller ignores warnings, Pillow's bomb warning stops the check.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert refused(png_claiming(side, side)) == NOT_AN_IMAGE


def png_with_chunk(kind: bytes, payload: bytes) -> bytes:
    data = image("PNG", (1, 1))
    chunk = struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
    return data[:33] + chunk + data[33:]


def test_an_image_pillow_only_warns_about_is_accepted():
    # An APNG control chunk claiming no frames: Pillow warns and reads the still image.  Only the
    # bomb warning counts as a failure; another warning is no reason to refuse (nor an error).
    data = png_with_chunk(b"acTL", struct.pack(">II", 0, 0))
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        assert check_thumbnail(data, message=MESSAGE) == "png"
    assert [str(w.message) for w in seen] == ["Invalid APNG, will use default PNG image if possible"]
