"""Parameter coercion at its edges: files against text, limits on both sides, the exact texts."""

from __future__ import annotations

import io

import pytest
from starlette.datastructures import UploadFile

from geoshare.errors import InvalidParameter
from geoshare.http.params import Param, coerce, coerce_all

MESSAGE = "Unable to do it."


def refused(param: Param, raw: object, default_max: int = 100) -> InvalidParameter:
    with pytest.raises(InvalidParameter) as info:
        coerce(param, raw, message=MESSAGE, default_max=default_max)
    assert info.value.message == MESSAGE and info.value.code == 400
    return info.value


def test_file_parameters():
    upload = UploadFile(io.BytesIO(b"x"), filename="a.csv")
    assert coerce(Param("f", "file"), upload, message=MESSAGE, default_max=1) is upload
    assert coerce(Param("f", "file"), None, message=MESSAGE, default_max=1) is None
    assert coerce(Param("f", "file"), "", message=MESSAGE, default_max=1) is None
    assert refused(Param("f", "file"), "text").details == ["'f' must be a file."]


@pytest.mark.parametrize("kind", ["string", "int", "bool", "list", "json", "password"])
def test_a_file_is_not_text(kind):
    upload = UploadFile(io.BytesIO(b"x"), filename="a.txt")
    assert refused(Param("t", kind), upload).details == ["'t' must be a text value, not a file."]


@pytest.mark.parametrize(("param", "default_max", "limit"), [(Param("s"), 10, 10), (Param("s", max_length=4), 10, 4),
                                                              (Param("p", "password"), 6, 6)])
def test_length_limit_on_both_sides(param, default_max, limit):
    assert coerce(param, "x" * limit, message=MESSAGE, default_max=default_max) == "x" * limit
    detail = refused(param, "x" * (limit + 1), default_max).details
    assert detail == [f"'{param.name}' is longer than {limit} characters."]


def test_integer_bounds_on_both_sides():
    param = Param("n", "int", minimum=1, maximum=5)
    assert coerce(param, "1", message=MESSAGE, default_max=10) == 1
    assert coerce(param, "5", message=MESSAGE, default_max=10) == 5
    assert refused(param, "0").details == ["'n' must be at least 1."]
    assert refused(param, "6").details == ["'n' must be at most 5."]
    assert coerce(Param("n", "int"), "-7", message=MESSAGE, default_max=10) == -7


@pytest.mark.parametrize(("raw", "value"), [("0", False), ("1", True), ("TRUE", True), ("False", False)])
def test_booleans(raw, value):
    assert coerce(Param("b", "bool"), raw, message=MESSAGE, default_max=10) is value


def test_choices_name_every_choice():
    assert refused(Param("s", choices=("asc", "desc")), "up").details == ["'s' must be one of: asc, desc."]


def test_json_lists_drop_blank_entries():
    assert coerce(Param("l", "list"), '["a", "", "  ", 3]', message=MESSAGE, default_max=100) == ["a", "3"]
    assert coerce(Param("l", "list"), " , a ,", message=MESSAGE, default_max=100) == ["a"]


def test_missing_required_parameters_carry_the_operation_message():
    with pytest.raises(InvalidParameter) as info:
        coerce_all((Param("a", required=True),), {}, message=MESSAGE, default_max=10)
    assert info.value.message == MESSAGE and info.value.details == ["'a' must be specified."]


def test_parameter_names_are_matched_case_insensitively_and_blank_means_default():
    params = (Param("outSR", "int", default=4326), Param("Name"))
    assert coerce_all(params, {"outsr": "3857", "name": "x"}, message=MESSAGE, default_max=10) == \
        {"outSR": 3857, "Name": "x"}
    assert coerce_all(params, {"outsr": " "}, message=MESSAGE, default_max=10) == {"outSR": 4326, "Name": None}


def test_integers_beyond_javascript_precision_are_refused():
    from geoshare.http.params import MAX_INT

    param = Param("start", "int")
    assert coerce(param, str(MAX_INT), message="m", default_max=100) == MAX_INT
    assert coerce(param, str(-MAX_INT), message="m", default_max=100) == -MAX_INT
    for text in (str(MAX_INT + 1), str(-MAX_INT - 1), "9" * 40):
        with pytest.raises(InvalidParameter) as caught:
            coerce(param, text, message="m", default_max=100)
        assert caught.value.details == ["'start' is out of range."]
