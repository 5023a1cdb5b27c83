"""Property-based tests (Hypothesis) of every validator that guards output or identity.

The rule each property states: anything accepted matches the grammar (written here, independently
of the code under test), and anything reflected back is inert.  The validators: the JSONP
`callback` and `callback.html` (http/conventions.py), referer binding (domain/tokens.py),
OAuth redirect URIs (domain/oauth.py) and path normalisation (http/dispatch.py).
"""

from __future__ import annotations

import json
import string
from urllib.parse import urlencode

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from geoshare.domain import oauth
from geoshare.domain.tokens import _referer_ok
from geoshare.errors import InvalidParameter
from geoshare.http import conventions
from geoshare.http.dispatch import Mounts, _parse_query_uncached, _split_path
from geoshare.http.operations import ROUTER
from geoshare.http.origins import origin_of

# ---------------------------------------------------------------- JSONP callback
IDENT_FIRST = string.ascii_letters + "_$"
IDENT_REST = string.ascii_letters + string.digits + "_$.[]"
# Characters that could turn the reflected name into more than a function reference.
ACTIVE = set("()'\"`=;,+-*/\\<>{}!&|^~?:%@#") | {"\n", "\r", "\t", "\u2028", "\u2029", "\x00"}


def in_callback_grammar(name: str) -> bool:
    """An identifier path: 1-128 characters, a letter, _ or $ first, then letters (of any script),
    digits, _, $, dots and square brackets.  No operators, quotes, parentheses or whitespace."""
    return 1 <= len(name) <= 128 and name[0] in IDENT_FIRST and \
        all(c in IDENT_REST or (c.isalnum() and not c.isspace()) for c in name[1:])


def accepted_callback(name: str) -> bool:
    try:
        conventions.check_callback(name, None)
    except InvalidParameter:
        return False
    return True


identifier_paths = st.from_regex(r"[A-Za-z_$][A-Za-z0-9_$.\[\]]{0,127}", fullmatch=True)
hostile_pieces = st.sampled_from(sorted(ACTIVE) + [" ", "alert", "document.cookie", "(", ")", "//", "/*", "</script>"])
callbacks = st.one_of(
    st.text(max_size=140),
    identifier_paths,
    st.builds(lambda a, b, c: a + b + c, identifier_paths, hostile_pieces, st.text(IDENT_REST, max_size=10)),
    st.lists(st.one_of(identifier_paths, hostile_pieces), min_size=1, max_size=6).map("".join),
)


@example("alert(document.cookie)")
@example("a=b")
@example("x;y")
@example("cb\u2028")
@given(callbacks)
def test_accepted_callbacks_match_the_grammar_and_are_inert(name):
    if not accepted_callback(name) or name == "":  # an empty callback is no callback: plain JSON
        return
    assert in_callback_grammar(name), name
    assert not ACTIVE & set(name), name
    body = conventions.json_response({"x": 1}, "json", name).body.decode()
    assert body == f'/**/{name}({{"x":1}});'


@given(identifier_paths)
def test_every_identifier_path_is_accepted(name):
    assert accepted_callback(name)


def test_callback_with_a_trailing_newline_is_refused():
    with pytest.raises(InvalidParameter):
        conventions.check_callback("cb\n", None)
    with pytest.raises(InvalidParameter):
        conventions.check_callback(None, "pre\n")


# Handlers answer 64-bit integers at most (orjson refuses larger ones).
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=8)


@example({"s": "</script><script>alert(1)</script>\u2028\u2029"})
@given(json_values)
def test_jsonp_payload_cannot_close_a_script_or_break_a_line(data):
    body = conventions.json_response(data, "json", "cb").body.decode()
    assert body.startswith("/**/cb(") and body.endswith(");")
    payload = body[len("/**/cb("):-2]
    assert "<" not in payload and "\u2028" not in payload and "\u2029" not in payload
    assert json.loads(payload) == data


# ---------------------------------------------------------------- callback.html
tags = st.one_of(st.text(max_size=12), st.sampled_from(["textarea", "TEXTAREA", "Pre", "pre", "script", "pre ",
                                                         "textarea onfocus=x", "pre>", "iframe", "TextArea\t"]))


@example("pre\n")
@given(tags)
def test_callback_html_accepts_only_the_two_wrappers(tag):
    try:
        conventions.check_callback(None, tag)
    except InvalidParameter:
        return
    if tag == "":  # no wrapper asked for
        return
    assert tag.lower() in ("textarea", "pre"), repr(tag)


@example({"s": "</textarea><script>alert(1)</script>&lt;"}, "textarea")
@given(json_values, st.sampled_from(["textarea", "pre", "PRE"]))
def test_callback_html_payload_is_inert(data, tag):
    page = conventions.json_response(data, "json", None, tag).body.decode()
    head, tail = f"<html><body><{tag}>", f"</{tag}></body></html>"
    assert page.startswith(head) and page.endswith(tail)
    payload = page[len(head):-len(tail)]
    assert not set("<>&") & set(payload)  # no tag can close the wrapper, no entity can be decoded
    assert json.loads(payload) == data


# ---------------------------------------------------------------- referer binding
hosts = st.sampled_from(["app.example.com", "APP.example.com", "app.example.com.evil.net", "evil.net",
                         "app.example.co", "xapp.example.com", "app.example.com:8443", "app.example.com@evil.net",
                         "app.example.com\\@evil.net", "localhost"])
schemes = st.sampled_from(["https", "http", "HTTPS", "ftp", "javascript"])
tails = st.one_of(st.just(""), st.sampled_from(["/", "/maps?x=1", "?a", "#f", "/../x", ":443/", ":8443", "@evil.net/",
                                                 ".evil.net/", "\\evil", "%2f", " ", "x", "-x", "_"]),
                  st.text(max_size=8))
referers = st.one_of(st.builds(lambda s, h, t: f"{s}://{h}{t}", schemes, hosts, tails), st.text(max_size=40))
bound_origins = st.builds(lambda s, h: f"{s}://{h}", st.sampled_from(["https", "http"]),
                          st.sampled_from(["app.example.com", "localhost", "app.example.com:8443"]))


def same_origin(referer: str, bound: str) -> bool:
    """The referer names the bound origin exactly: scheme://host[:port] then the end or / ? #."""
    return referer == bound or (referer.startswith(bound) and referer[len(bound)] in "/?#")


def with_referer(bounds: st.SearchStrategy[str]) -> st.SearchStrategy[tuple[str, str]]:
    """A bound value and a referer: unrelated, or the bound value with something after it."""
    return bounds.flatmap(lambda b: st.tuples(st.just(b), st.one_of(referers, tails.map(lambda t: b + t))))


@given(with_referer(bound_origins), st.booleans())
def test_referer_bound_to_an_origin_admits_only_that_origin(pair, strict):
    bound, referer = pair
    if _referer_ok(bound, referer, strict) and referer:
        assert same_origin(referer, bound), (bound, referer)


@given(bound_origins, st.sampled_from(["", "/", "/a/b?c=d", "?x", "#y"]), st.booleans())
def test_referer_bound_to_an_origin_admits_its_pages(bound, tail, strict):
    assert _referer_ok(bound, bound + tail, strict)


@given(with_referer(st.sampled_from(["http", "https"])), st.booleans())
def test_referer_bound_to_a_bare_scheme_admits_only_that_scheme(pair, strict):
    """The Python client binds its tokens to the referer `http` and then sends `Referer: http`; such a
    binding admits `http` URLs and never a longer word (`https`, `httpx`)."""
    bound, referer = pair
    if _referer_ok(bound, referer, strict) and referer:
        assert referer == bound or (referer.startswith(bound) and referer[len(bound)] in ":/?#"), (bound, referer)


@given(st.text(max_size=30), st.booleans(), st.sampled_from([None, ""]))
def test_no_referer_is_admitted_unless_strict(bound, strict, missing):
    assert _referer_ok(bound, missing, strict) is (not strict)


@given(with_referer(st.builds(lambda o, p: o + p, bound_origins, st.sampled_from(["/app/", "/app"]))), st.booleans())
def test_referer_bound_to_a_path_admits_only_that_path(pair, strict):
    bound, referer = pair
    if _referer_ok(bound, referer, strict) and referer:
        assert referer == bound or (referer.startswith(bound) and (bound.endswith("/") or referer[len(bound)] in "/?#"))


# ---------------------------------------------------------------- OAuth redirect URIs
PORTAL_ORIGINS = ("https://testserver", "http://testserver")


def redirect_accepted(client_id: str, uri: str, origins: tuple[str, ...] = PORTAL_ORIGINS) -> bool:
    """redirect_allowed with the portal's own origins (what http/origins.py builds from settings)."""
    own = {o.lower() for o in origins}
    return oauth.redirect_allowed(client_id, uri, lambda value: origin_of(value) in own)


def browser_origin(uri: str) -> str | None:
    """scheme://host[:port] of `uri` as a browser reads it (tabs and newlines removed, case folded);
    None when it names no http(s) origin."""
    cleaned = "".join(c for c in uri if c not in "\t\r\n")
    scheme, sep, rest = cleaned.partition("://")
    if not sep or scheme.lower() not in ("http", "https"):
        return None
    end = min([i for i in (rest.find(c) for c in "/?#\\") if i >= 0] + [len(rest)])
    authority = rest[:end]
    if "@" in authority or not authority:
        return None
    default_port = {"http": ":80", "https": ":443"}[scheme.lower()]
    authority = authority.lower().removesuffix(default_port)  # a browser drops the default port
    return f"{scheme.lower()}://{authority}"


redirect_hosts = st.sampled_from(["testserver", "TESTSERVER", "testserver.evil.net", "evil.net", "testserver:443",
                                  "testserver@evil.net", "evil.net\\@testserver", "test\nserver", "", "testserve"])
redirect_uris = st.one_of(
    st.builds(lambda s, h, t: f"{s}://{h}{t}", st.sampled_from(["https", "http", "HTTPS", "javascript", "data"]),
              redirect_hosts, tails),
    st.sampled_from(["//testserver/x", "javascript:alert(1)//https://testserver", " https://evil.net",
                     "https:testserver", "https:///testserver", oauth.OOB + "x"]),
    st.text(max_size=40))


@given(st.sampled_from(oauth.BUILT_IN_CLIENTS), redirect_uris)
def test_redirects_go_only_to_an_allowed_origin(client_id, uri):
    if not redirect_accepted(client_id, uri):
        return
    assert uri == oauth.OOB or browser_origin(uri) in {o.lower() for o in PORTAL_ORIGINS}, uri
    assert client_id not in oauth.OOB_ONLY_CLIENTS or uri == oauth.OOB


@given(st.sampled_from(oauth.BUILT_IN_CLIENTS))
def test_out_of_band_is_always_allowed(client_id):
    assert redirect_accepted(client_id, oauth.OOB)


@given(st.sampled_from(["https://testserver"]), st.sampled_from(["", "/", "/cb", "/a?b=c"]))
def test_redirects_to_the_portal_itself_are_allowed(origin, tail):
    assert redirect_accepted("pythonapi", origin + tail) and redirect_accepted("arcgisonline", origin + tail)
    assert not redirect_accepted("arcgispro", origin + tail)
    assert not redirect_accepted("pythonapi", origin + tail + "#x")  # a redirect URI never has a fragment


# ---------------------------------------------------------------- path normalisation
MOUNTS = Mounts("/portal", "/arcgis")
# Written out by hand: the prefixes of each mount (clients.md §0.2).
PREFIX_TABLE = ((("portal", "sharing", "rest"), "sharing"), (("portal", "sharing"), "sharing"),
                (("portal", "portaladmin"), "portaladmin"), (("arcgis", "admin"), "admin"),
                (("arcgis", "rest"), "rest"), (("arcgis", "tokens"), "tokens"))
words = st.sampled_from(["portal", "Portal", "PORTAL", "sharing", "SHARING", "rest", "Rest", "portaladmin", "arcgis",
                         "ArcGIS", "admin", "tokens", "community", "self", "..", ".", "portalx", "sharin", "%2e",
                         "info", "generateToken", "generatetoken"])
free_segments = st.lists(st.one_of(words, st.text(alphabet=string.ascii_letters + "._-~%", min_size=1, max_size=6)),
                         max_size=5)
recased = st.sampled_from([str.lower, str.upper, str.title, lambda w: w[:1] + w[1:].upper()])
# Mount prefixes (and near misses: one segment dropped, or one extra in front), in any case.
prefixes = st.sampled_from([list(p) for p, _ in PREFIX_TABLE] + [["portal"], ["arcgis"], ["sharing", "rest"],
                                                                  ["x", "portal", "sharing"], ["portal", "rest"]])
segment_lists = st.one_of(
    free_segments,
    st.builds(lambda p, cases, r: [f(w) for f, w in zip(cases, p, strict=False)] + r,
              prefixes, st.lists(recased, min_size=3, max_size=3), free_segments))


def model_mount(segments: list[str]) -> tuple[str, int] | None:
    lowered = tuple(s.lower() for s in segments)
    matches = [(len(p), m) for p, m in PREFIX_TABLE if lowered[:len(p)] == p]
    return (max(matches)[1], max(matches)[0]) if matches else None


@given(segment_lists, st.lists(st.integers(1, 3), min_size=8, max_size=8), st.booleans())
def test_paths_split_on_any_run_of_slashes_and_find_the_mount(segments, slashes, trailing):
    path = "".join("/" * n + s for n, s in zip(slashes, segments, strict=False)) + ("/" if trailing else "")
    found_segments, found = _split_path(MOUNTS, path)
    assert list(found_segments) == segments
    assert found == model_mount(segments)


@pytest.mark.parametrize(("portal", "server"), [("/portal/", "/arcgis/"), ("PORTAL", "ArcGIS"), ("//portal", "arcgis//")])
def test_context_paths_are_read_without_slashes_or_case(portal, server):
    mounts = Mounts(portal, server)
    for prefix, mount in PREFIX_TABLE:
        assert mounts.find([*prefix, "x"]) == (mount, len(prefix))


@given(segment_lists)
def test_an_operation_matches_only_its_own_literal_segments(segments):
    """Case-insensitive, same length, every literal segment equal: nothing else reaches a handler."""
    found = model_mount(segments)
    if found is None:
        return
    mount, depth = found
    rest = segments[depth:]
    matched = ROUTER.match(mount, rest)
    if matched is None:
        return
    op, captured = matched
    template = [t for t in op.path.split("/") if t] if op.path else []
    assert op.mount == mount and len(template) == len(rest)
    for tpl, seg in zip(template, rest, strict=True):
        if tpl.startswith("{"):
            assert captured[tpl[1:-1]] == seg
        else:
            assert tpl.lower() == seg.lower()


@given(st.sampled_from([op for op in ROUTER.operations]), st.integers(0, 2**16))
def test_every_operation_is_found_under_any_case(op, case_bits):
    rest = [("Self" if t.startswith("{") else t) for t in (op.path.split("/") if op.path else [])]
    flipped = ["".join(c.upper() if (case_bits >> (i % 16)) & 1 else c.lower() for i, c in enumerate(s)) for s in rest]
    matched = ROUTER.match(op.mount, [f if not t.startswith("{") else "Self" for f, t in
                                      zip(flipped, op.path.split("/") if op.path else [], strict=True)])
    assert matched is not None and matched[0] is op


# ---------------------------------------------------------------- the query string
pairs = st.lists(st.tuples(st.text(min_size=1, max_size=8), st.text(max_size=12)), max_size=6)


@given(pairs)
def test_query_strings_round_trip(items):
    assume(all(k.strip() for k, _ in items))
    raw = urlencode(items).encode("ascii")
    assert _parse_query_uncached(raw) == items


@given(st.lists(st.tuples(st.text(alphabet=string.ascii_letters, min_size=1, max_size=6),
                          st.text(alphabet=string.ascii_letters + string.digits + "-_.", max_size=8)), max_size=6))
def test_plain_query_strings_take_the_fast_path_to_the_same_result(items):
    raw = "&".join(f"{k}={v}" for k, v in items).encode("ascii")
    assert _parse_query_uncached(raw) == items
