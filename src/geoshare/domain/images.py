"""Thumbnails: PNG, GIF or JPEG, checked by decoding the image, not by its name (issue 8)."""

from __future__ import annotations

import io
import re
import secrets
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath

from PIL import Image, UnidentifiedImageError

from geoshare.errors import InvalidParameter

FORMATS = {"PNG": "png", "GIF": "gif", "JPEG": "jpg"}
MAX_THUMBNAIL_BYTES = 1024 * 1024  # 1 MB (errata: the seed's limit, geoshare's default)
MAX_PIXELS = 40_000_000  # a tiny file that claims a huge canvas is a decompression bomb
STEM_RE = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True)
class Upload:
    """A small file part (a thumbnail) as the HTTP layer read it: at most one byte over the limit,
    so an image too large is refused without reading more."""

    filename: str | None
    data: bytes


def thumbnail_name(filename: str | None, extension: str) -> str:
    """A fresh file name per upload (so a new blob never overwrites the one a reader may be
    fetching), keeping the uploaded name's stem when it has a usable one; never a path."""
    stem = STEM_RE.sub("", PurePosixPath((filename or "").replace("\\", "/")).stem)[:64] or "thumbnail"
    return f"{stem}_{secrets.token_hex(4)}.{extension}"


def check_thumbnail(data: bytes, *, message: str, name: str = "thumbnail",
                    max_bytes: int = MAX_THUMBNAIL_BYTES) -> str:
    """The extension to store the image under; InvalidParameter when it is not a real PNG, GIF or
    JPEG of at most `max_bytes`."""
    if len(data) > max_bytes:
        raise InvalidParameter(message, [f"'{name}' is larger than {max_bytes} bytes."])
    if not data:
        raise InvalidParameter(message, [f"'{name}' is empty."])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format or ""  # pragma: no mutate (any text outside FORMATS is refused alike)
                width, height = image.size
                image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        raise InvalidParameter(message, [f"'{name}' is not a PNG, GIF or JPEG image."]) from None
    if kind not in FORMATS:
        raise InvalidParameter(message, [f"'{name}' is not a PNG, GIF or JPEG image."])
    if width * height > MAX_PIXELS:
        raise InvalidParameter(message, [f"'{name}' has too many pixels."])
    return FORMATS[kind]
