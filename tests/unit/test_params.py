"""Parameter coercion: the ArcGIS value conventions (sharing-api.md §1.2)."""

from __future__ import annotations

import pytest

from geoshare.errors import InvalidParameter
from geoshare.http.params import Param, coerce, coerce_all

CASES = [
    (Param("b", "bool"), "True", True), (Param("b", "bool"), "false", False), (Param("b", "bool"), "1", True),
    (Param("b", "bool"), "FALSE", False), (Param("n", "int"), " 42 ", 42),
    (Param("l", "list"), "a, b,,c", ["a", "b", "c"]), (Param("l", "list"), '["x", " y "]', ["x", "y"]),
    (Param("j", "json"), '{"a": [1]}', {"a": [1]}), (Param("s", choices=("asc", "desc")), "DESC", "desc"),
    (Param("s"), "  padded  ", "padded"), (Param("s"), "", None), (Param("p", "password"), " keep ", " keep "),
]


@pytest.mark.parametrize(("param", "raw", "expected"), CASES)
def test_coerce(param, raw, expected):
    assert coerce(param, raw, message="m", default_max=100) == expected


BAD = [
    (Param("b", "bool"), "yes", "'b' must be true or false."), (Param("n", "int"), "4.5", "'n' must be an integer."),
    (Param("n", "int", minimum=1), "0", "'n' must be at least 1."), (Param("j", "json"), "{", "'j' is not valid JSON."),
    (Param("s", choices=("a",)), "b", "'s' must be one of: a."), (Param("s", max_length=3), "abcd",
                                                                  "'s' is longer than 3 characters."),
    (Param("l", "list"), "[1,", "'l' is not a valid JSON array."),
]


@pytest.mark.parametrize(("param", "raw", "detail"), BAD)
def test_coerce_refuses(param, raw, detail):
    with pytest.raises(InvalidParameter) as info:
        coerce(param, raw, message="Unable to do it.", default_max=100)
    assert info.value.message == "Unable to do it." and info.value.details == [detail]


def test_required_and_defaults():
    params = (Param("a", required=True), Param("b", required=True), Param("c", default="x"))
    with pytest.raises(InvalidParameter) as info:
        coerce_all(params, {"a": ""}, message="m", default_max=10)
    assert info.value.details == ["'a' must be specified.", "'b' must be specified."]
    assert coerce_all(params, {"a": "1", "b": "2"}, message="m", default_max=10) == {"a": "1", "b": "2", "c": "x"}


def test_default_length_limit():
    with pytest.raises(InvalidParameter):
        coerce(Param("s"), "x" * 11, message="m", default_max=10)
