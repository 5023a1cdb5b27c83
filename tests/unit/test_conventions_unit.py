"""http/conventions.py called directly: formats, the error envelope of each mount, the exact bytes
and headers of JSON, pjson, JSONP and callback.html answers."""

from __future__ import annotations

import json

import pytest

from geoshare.errors import Conflict, Forbidden, InvalidParameter, InvalidToken, TokenRequired
from geoshare.http import conventions


@pytest.mark.parametrize(("raw", "json_by_default", "fmt"), [
    (None, False, "html"), ("", False, "html"), ("  ", False, "html"), (None, True, "json"), (" ", True, "json"),
    ("JSON", False, "json"), (" pjson ", True, "pjson"), ("Html", True, "html"),
])
def test_pick_format(raw, json_by_default, fmt):
    assert conventions.pick_format(raw, json_by_default) == fmt


@pytest.mark.parametrize("raw", ["xml", "jsonp", "json2", "geojson"])
def test_unknown_format(raw):
    with pytest.raises(InvalidParameter) as info:
        conventions.pick_format(raw, False)
    assert info.value.message == "Output format not supported."
    assert info.value.details == ["'f' must be one of: html, json, pjson."]


def test_callback_refusals_say_which_parameter():
    with pytest.raises(InvalidParameter) as info:
        conventions.check_callback("a(b", None)
    assert (info.value.message, info.value.details) == (
        "Invalid callback function name.", ["'callback' must be a JavaScript identifier path."])
    with pytest.raises(InvalidParameter) as info:
        conventions.check_callback(None, "script")
    assert (info.value.message, info.value.details) == (
        "Invalid callback.html tag.", ["'callback.html' must be a plain element name."])
    conventions.check_callback("", "")  # empty means absent
    conventions.check_callback(None, None)


def test_error_bodies_of_each_mount():
    conflict = Conflict("Already there.", ["x"])
    assert conventions.error_body("sharing", conflict) == {"error": {"code": 409, "message": "Already there.",
                                                                     "details": ["x"]}}
    assert conventions.error_body("admin", conflict) == {"status": "error", "messages": ["Already there.", "x"],
                                                         "code": 409}
    assert conventions.error_body("tokens", Forbidden()) == {"error": {
        "code": 403, "message": Forbidden.default_message, "details": []}}
    assert conventions.error_body("rest", Forbidden())["error"]["messageCode"] == "GWM_0003"
    assert conventions.error_body("unknown", TokenRequired()) == {"error": {
        "code": 499, "message": "Token Required", "details": [], "messageCode": "GWM_0003"}}


def test_token_errors_keep_their_details_and_take_the_mount_text():
    detailed = InvalidToken("whatever", ["Token has expired."])
    assert conventions.error_body("sharing", detailed) == {"error": {
        "code": 498, "message": "Invalid token.", "details": ["Token has expired."]}}
    assert conventions.error_body("admin", detailed) == {"status": "error", "code": 498,
                                                         "messages": ["Invalid Token", "Token has expired."]}


def test_oauth_errors_carry_the_oauth_fields():
    from geoshare.domain.oauth import OAuthError

    body = conventions.error_body("sharing", OAuthError("Invalid client_id", "invalid_client"))
    assert body == {"error": {"code": 400, "message": "Invalid client_id", "details": [], "error": "invalid_client",
                              "error_description": "Invalid client_id"}}


def _headers(response):
    """Header names exactly as sent (ASGI wants them lower-case)."""
    return {k.decode(): v.decode() for k, v in response.raw_headers}


def test_json_and_pjson_bytes_and_headers():
    data = {"a": [1, "é"]}
    compact = conventions.json_response(data, "json")
    assert compact.body == '{"a":[1,"é"]}'.encode() and compact.status_code == 200
    assert _headers(compact) == {"content-length": str(len(compact.body)),
                                 "content-type": "application/json; charset=utf-8",
                                 "x-content-type-options": "nosniff", "cache-control": "no-store"}
    pretty = conventions.json_response(data, "pjson")
    assert pretty.body.decode() == json.dumps(data, indent=2, ensure_ascii=False)
    assert _headers(pretty)["content-type"] == "text/plain; charset=utf-8"
    assert _headers(pretty)["cache-control"] == "no-store"


def test_jsonp_bytes_and_headers():
    reply = conventions.json_response({"s": "<\u2028\u2029"}, "pjson", "cb")
    assert reply.body.decode() == '/**/cb({\n  "s": "\\u003c\\u2028\\u2029"\n});'
    headers = _headers(reply)
    assert headers["content-type"] == "application/javascript; charset=utf-8"
    assert headers["x-content-type-options"] == "nosniff" and headers["cache-control"] == "no-store"


def test_callback_wins_over_callback_html():
    reply = conventions.json_response({"a": 1}, "json", "cb", "pre")
    assert reply.body == b'/**/cb({"a":1});'


def test_callback_html_bytes_and_headers():
    reply = conventions.json_response({"s": "</pre>&"}, "json", None, "pre")
    assert reply.body.decode() == '<html><body><pre>{"s":"\\u003c/pre\\u003e\\u0026"}</pre></body></html>'
    headers = _headers(reply)
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert headers["x-content-type-options"] == "nosniff" and headers["cache-control"] == "no-store"
