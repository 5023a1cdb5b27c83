"""Parameter kinds issue 8 added or changed: `file_or_name` (an upload or the name of a stored
file) and the 2^53 bound on integers, each on both sides."""

from __future__ import annotations

import io

import pytest
from starlette.datastructures import UploadFile

from geoshare.errors import InvalidParameter
from geoshare.http.params import MAX_INT, Param, coerce, coerce_all

MESSAGE = "Unable to update."


def value(param: Param, raw: object, default_max: int = 100) -> object:
    return coerce(param, raw, message=MESSAGE, default_max=default_max)


def refused(param: Param, raw: object, default_max: int = 100) -> list[str]:
    with pytest.raises(InvalidParameter) as info:
        coerce(param, raw, message=MESSAGE, default_max=default_max)
    assert info.value.message == MESSAGE and info.value.code == 400
    return info.value.details


def test_file_or_name_takes_an_upload_as_is():
    upload = UploadFile(io.BytesIO(b"x"), filename="a.png")
    assert value(Param("thumbnail", "file_or_name"), upload) is upload


def test_file_or_name_takes_a_name_as_trimmed_text():
    assert value(Param("thumbnail", "file_or_name"), "  logo.png ") == "logo.png"
    assert value(Param("thumbnail", "file_or_name"), "   ") is None
    assert value(Param("thumbnail", "file_or_name"), "") is None


def test_file_or_name_length_on_both_sides():
    param = Param("thumbnail", "file_or_name", max_length=5)
    assert value(param, "a.png") == "a.png"
    assert refused(param, "ab.png") == ["'thumbnail' is longer than 5 characters."]


def test_file_or_name_in_a_declaration():
    params = (Param("thumbnail", "file_or_name"), Param("f"))
    upload = UploadFile(io.BytesIO(b"x"), filename="a.png")
    assert coerce_all(params, {"thumbnail": upload}, message=MESSAGE, default_max=10) == {"thumbnail": upload,
                                                                                         "f": None}
    assert coerce_all(params, {"thumbnail": "t.png"}, message=MESSAGE, default_max=10)["thumbnail"] == "t.png"


@pytest.mark.parametrize("kind", ["string", "password"])
def test_other_text_kinds_refuse_an_upload(kind):
    upload = UploadFile(io.BytesIO(b"x"), filename="a.png")
    assert refused(Param("thumbnail", kind), upload) == ["'thumbnail' must be a text value, not a file."]


def test_file_refuses_a_name():
    assert refused(Param("thumbnail", "file"), "logo.png") == ["'thumbnail' must be a file."]


def test_integer_bound_is_two_to_the_53_minus_one():
    assert MAX_INT == 2**53 - 1 == 9007199254740991
    param = Param("num", "int")
    assert value(param, "9007199254740991") == 9007199254740991
    assert value(param, "-9007199254740991") == -9007199254740991
    assert refused(param, "9007199254740992") == ["'num' is out of range."]
    assert refused(param, "-9007199254740992") == ["'num' is out of range."]
    assert refused(param, "1" + "0" * 30) == ["'num' is out of range."]


def test_declared_bounds_speak_before_the_range():
    param = Param("num", "int", minimum=1, maximum=100)
    assert refused(param, "9007199254740992") == ["'num' must be at most 100."]
    assert refused(param, "-9007199254740992") == ["'num' must be at least 1."]


def test_integer_range_with_wide_declared_bounds():
    param = Param("num", "int", minimum=-(2**60), maximum=2**60)
    assert value(param, str(MAX_INT)) == MAX_INT
    assert refused(param, str(MAX_INT + 1)) == ["'num' is out of range."]
    assert refused(param, str(-MAX_INT - 1)) == ["'num' is out of range."]
