"""The item property validators (domain/item_fields.py) at their edges: exact messages and details
(the call's message, "Unable to add item." or "Unable to update item.", rides on every refusal),
both sides of every limit, and every form `extent` arrives in."""

from __future__ import annotations

from typing import Any

import pytest

from geoshare.domain import item_fields
from geoshare.errors import InvalidParameter

M = "Unable to update item."


def refused(check: Any, *args: Any) -> tuple[str, list[str]]:
    with pytest.raises(InvalidParameter) as caught:
        check(M, *args)
    return caught.value.message, caught.value.details


def test_short_text_keeps_its_value_up_to_the_limit_and_refuses_one_more():
    culture = item_fields.FIELDS["culture"].check
    assert culture(M, "culture", "en-us") == "en-us"
    assert culture(M, "culture", "c" * 32) == "c" * 32
    assert refused(culture, "culture", "c" * 33) == (M, ["'culture' is longer than 32 characters."])
    assert culture(M, "culture", "   ") is None


FOUR_NUMBERS = "'extent' must hold four numbers."
FOUR_NAMED = "'extent' must hold four numbers: xmin,ymin,xmax,ymax."
WITHIN = "'extent' must lie within -180,-90,180,90 with xmin <= xmax and ymin <= ymax."


def test_extent_forms():
    assert item_fields.extent(M, "extent", [1, 2, 3, 4]) == [1.0, 2.0, 3.0, 4.0]
    assert item_fields.extent(M, "extent", [[1, 2], [3, 4]]) == [1.0, 2.0, 3.0, 4.0]
    assert item_fields.extent(M, "extent", "[[1, 2], [3, 4]]") == [1.0, 2.0, 3.0, 4.0]
    assert item_fields.extent(M, "extent", {"xmin": 1, "ymin": 2, "xmax": 3, "ymax": 4}) == [1.0, 2.0, 3.0, 4.0]
    assert item_fields.extent(M, "extent", "") == []
    assert item_fields.extent(M, "extent", "  ") == []


def test_extent_refusals_name_the_call_and_the_reason():
    assert refused(item_fields.extent, "extent", 5) == (M, ["'extent' must be xmin,ymin,xmax,ymax."])
    assert refused(item_fields.extent, "extent", "[1,") == (M, ["'extent' is not valid JSON."])
    assert refused(item_fields.extent, "extent", "[1, 2, 3, \"x\"]") == (M, [FOUR_NUMBERS])
    assert refused(item_fields.extent, "extent", [1, 2, 3, True]) == (M, [FOUR_NUMBERS])
    assert refused(item_fields.extent, "extent", [1, 2]) == (M, [FOUR_NAMED])
    assert refused(item_fields.extent, "extent", [[1, 2, 3], [4, 5, 6]]) == (M, [FOUR_NAMED])
    # four pairs are four corners that are not numbers, not a two-corner box
    assert refused(item_fields.extent, "extent", [[1, 2], [3, 4], [5, 6], [7, 8]]) == (M, [FOUR_NUMBERS])
    assert refused(item_fields.extent, "extent", [1, 2, 181, 4]) == (M, [WITHIN])


def test_extent_bounds_are_inclusive_and_a_point_is_an_extent():
    assert item_fields.extent(M, "extent", [5, 6, 5, 6]) == [5.0, 6.0, 5.0, 6.0]
    assert item_fields.extent(M, "extent", [-180, -90, 180, 90]) == [-180.0, -90.0, 180.0, 90.0]
    assert refused(item_fields.extent, "extent", [0, 0, 180.5, 1]) == (M, [WITHIN])
    assert refused(item_fields.extent, "extent", [0, 0, 1, 90.5]) == (M, [WITHIN])
    assert refused(item_fields.extent, "extent", [2, 0, 1, 1]) == (M, [WITHIN])
    assert refused(item_fields.extent, "extent", [0, 2, 1, 1]) == (M, [WITHIN])


def test_credentials_type_refusal_lists_the_choices():
    check = item_fields.FIELDS["serviceCredentialsType"].check
    assert check(M, "serviceCredentialsType", "OAuth2") == "oauth2"
    assert refused(check, "serviceCredentialsType", "kerberos") == (
        M, ["'serviceCredentialsType' must be one of: basic, token, oauth2, windows, apikey."])


def test_service_password_up_to_1024_characters():
    check = item_fields.FIELDS["servicePassword"].check
    assert check(M, "servicePassword", "s3cret") == "s3cret"
    assert check(M, "servicePassword", "p" * 1024) == "p" * 1024
    assert refused(check, "servicePassword", "p" * 1025) == (M, ["'servicePassword' is longer than 1024 characters."])


def test_changes_store_an_extent_as_four_columns_and_clear_it_as_four_nones():
    assert item_fields.changes({"extent": "1,2,3,4"}, M, clear=False) == {
        "extent_xmin": 1.0, "extent_ymin": 2.0, "extent_xmax": 3.0, "extent_ymax": 4.0}
    assert item_fields.changes({"extent": None}, M, clear=True) == {
        "extent_xmin": None, "extent_ymin": None, "extent_xmax": None, "extent_ymax": None}


def test_listed_fields_name_themselves_in_refusals():
    tags = item_fields.FIELDS["tags"].check
    assert tags(M, "tags", ["a", "b"]) == ["a", "b"]
    assert len(tags(M, "tags", [f"t{i}" for i in range(128)])) == 128
    assert refused(tags, "tags", [f"t{i}" for i in range(129)])[0] == M
    assert refused(tags, "tags", ["x" * 257]) == (M, ["'tags' has an entry longer than 256 characters."])
    assert tags(M, "tags", ["x" * 256]) == ["x" * 256]


def test_json_object_refusals_and_its_length_limit():
    check = item_fields.FIELDS["properties"].check
    assert refused(check, "properties", "{nope") == (M, ["'properties' is not valid JSON."])
    assert refused(check, "properties", "[1]") == (M, ["'properties' must be a JSON object."])
    longest = {"a": "x" * (item_fields.MAX_JSON_CHARS - 9)}  # {"a": "..."} is 9 characters around the text
    assert check(M, "properties", longest) == longest
    assert refused(check, "properties", {"a": "x" * (item_fields.MAX_JSON_CHARS - 8)}) == (
        M, ["'properties' is longer than 65536 characters."])
