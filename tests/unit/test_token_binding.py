"""generateToken's binding rules apart from HTTP: which binding each parameter combination
gives, the exact refusals, and where a referer prefix may end."""

from __future__ import annotations

import pytest

from geoshare.domain.tokens import Binding, _referer_ok, binding_for, clamp_minutes, sign_in
from geoshare.errors import InvalidParameter

UNABLE = "Unable to generate token."


@pytest.mark.parametrize(("client", "referer", "ip", "request_ip", "expected"), [
    ("referer", " https://app.example.org ", None, "10.0.0.1", Binding("referer", "https://app.example.org")),
    ("  Referrer ", "https://app.example.org", None, None, Binding("referer", "https://app.example.org")),
    ("REFERER", "http", "10.0.0.9", None, Binding("referer", "http")),
    (None, "https://app.example.org", "10.0.0.9", "10.0.0.1", Binding("referer", "https://app.example.org")),
    ("", "", "10.0.0.9", "10.0.0.1", Binding("ip", "10.0.0.9")),
    (None, None, None, "10.0.0.1", Binding("ip", "10.0.0.1")),
    (None, None, None, None, Binding()),
    ("ip", "https://app.example.org", " 10.0.0.9 ", "10.0.0.1", Binding("ip", "10.0.0.9")),
    ("IP", None, "2001:DB8::0:1", None, Binding("ip", "2001:db8::1")),
    ("requestip", "https://app.example.org", "10.0.0.9", "10.0.0.1", Binding("ip", "10.0.0.1")),
    ("RequestIP", None, None, None, Binding()),
])
def test_binding_for(client, referer, ip, request_ip, expected):
    assert binding_for(client, referer, ip, request_ip) == expected


@pytest.mark.parametrize(("client", "referer", "ip", "detail"), [
    ("referer", None, "10.0.0.9", "'referer' must be specified."),
    ("referrer", "", None, "'referer' must be specified."),
    ("ip", "https://app.example.org", None, "'ip' must be specified."),
    ("ip", None, "", "'ip' must be specified."),
    ("ip", None, "not-an-ip", "'ip' is not a valid IP address."),
    ("ip", None, "10.0.0.256", "'ip' is not a valid IP address."),
    ("anything", "https://app.example.org", "10.0.0.9", "'client' must be referer, ip or requestip."),
    ("referers", "https://app.example.org", None, "'client' must be referer, ip or requestip."),
])
def test_binding_refusals(client, referer, ip, detail):
    with pytest.raises(InvalidParameter) as info:
        binding_for(client, referer, ip, "10.0.0.1")
    assert (info.value.message, info.value.details, info.value.code) == (UNABLE, [detail], 400)


@pytest.mark.parametrize(("bound", "referer", "strict", "ok"), [
    ("https://app.example.org", None, False, True),  # no Referer: accepted unless strict (errata)
    ("https://app.example.org", "", False, True),
    ("https://app.example.org", None, True, False),
    ("https://app.example.org", "", True, False),
    ("https://app.example.org", "https://app.example.org", True, True),
    ("https://app.example.org", "https://app.example.org/maps", False, True),
    ("https://app.example.org", "https://app.example.org?x=1", False, True),
    ("https://app.example.org", "https://app.example.org#top", False, True),
    ("https://app.example.org", "https://app.example.org:8443/", False, False),  # another origin
    ("https://app.example.org", "https://app.example.org.evil.net/", False, False),
    ("https://app.example.org", "https://app.example.orgX/", False, False),
    ("https://app.example.org", "https://app.example.orgXX/", False, False),
    ("https://app.example.org", "https://other.example.org/", False, False),
    ("https://app.example.org/maps/", "https://app.example.org/maps/viewer", False, True),
    ("https://app.example.org/maps?", "https://app.example.org/maps?id=1", False, True),
    ("https://app.example.org/maps#", "https://app.example.org/maps#view", False, True),
    ("https://app.example.org/maps", "https://app.example.org/mapsX", False, False),
    ("http", "http", False, True),  # what the Python client binds: the scheme
    ("http", "http://app.example.org/page", False, True),
    ("http", "https://app.example.org/page", False, False),
    ("http", "httpX://app.example.org/page", False, False),
])
def test_referer_prefix_ends_at_a_boundary(bound, referer, strict, ok):
    assert _referer_ok(bound, referer, strict) is ok


@pytest.mark.parametrize(("asked", "expected"), [(None, 60), (0, 60), (-5, 60), (1, 1), (119, 119), (120, 120),
                                                 (121, 120)])
def test_clamp_minutes(asked, expected):
    assert clamp_minutes(asked, 60, 120) == expected


@pytest.mark.parametrize(("username", "password", "details"), [
    ("", "", ["'username' must be specified.", "'password' must be specified."]),
    ("admin", "", ["'password' must be specified."]),
    ("", "secret", ["'username' must be specified."]),
])
async def test_missing_credentials_are_named(username, password, details):
    """Refused before anything else is looked at: the services are never touched."""
    with pytest.raises(InvalidParameter) as info:
        await sign_in(None, username, password, None, channel="generateToken", client_ip=None)  # type: ignore[arg-type]
    assert (info.value.message, info.value.details) == (UNABLE, details)
