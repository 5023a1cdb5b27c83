"""addItem's helpers (domain/item_add.py) at their edges: the stored file name, the data's content
type, the small-file reader's bound and the metadata blob's key."""

from __future__ import annotations

import io
import re

from geoshare.domain import item_add


def test_safe_name_drops_directories_reserved_and_unprintable_characters_and_leading_dots():
    assert item_add.safe_name("a\x00b.txt") == "ab.txt"
    assert item_add.safe_name('X<>:"|?*Y.csv') == "XY.csv"
    assert item_add.safe_name("..hidden.") == "hidden."
    assert item_add.safe_name("  .name ") == "name"
    assert item_add.safe_name("dir/sub\\file.txt") == "file.txt"
    assert item_add.safe_name("...") is None
    assert item_add.safe_name("") is None
    assert item_add.safe_name("n" * 300) == "n" * 255


def test_content_type_declared_when_specific_else_guessed_from_the_name():
    assert item_add.content_type_of("a.txt", "image/png") == "image/png"
    assert item_add.content_type_of("a.txt", "Text/CSV;charset=utf-8") == "text/csv"
    assert item_add.content_type_of("a.txt", "nonsense") == "text/plain"
    assert item_add.content_type_of("a.csv", None) == "text/csv"
    assert item_add.content_type_of("a.csv", "application/octet-stream") == "text/csv"
    assert item_add.content_type_of(None, None) == "application/octet-stream"
    assert item_add.content_type_of("a.unknownext", "") == "application/octet-stream"


def test_content_type_declared_up_to_255_characters():
    longest = "a/" + "b" * 253
    assert item_add.content_type_of("a.txt", longest) == longest
    assert item_add.content_type_of("a.txt", longest + "b") == "text/plain"


async def test_read_small_reads_one_byte_past_the_limit_and_no_more():
    upload = item_add.FileUpload("f", None, io.BytesIO(b"x" * 50))
    assert await item_add.read_small(upload, 10) == b"x" * 11
    assert await item_add.read_small(item_add.FileUpload("f", None, io.BytesIO(b"abc")), 10) == b"abc"


def test_metadata_keys_are_fresh_sixteen_hex_names_under_the_item():
    key = item_add.metadata_key("i1")
    assert re.fullmatch(r"items/i1/info/metadata/[0-9a-f]{16}\.xml", key), key
    assert item_add.metadata_key("i1") != key
