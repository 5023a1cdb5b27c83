"""Edges of http/origins.py left open by the API suite (mutation survivors, issue 7)."""

from __future__ import annotations

import dataclasses

from geoshare.http.origins import Origins, host_literal, origins_for


def test_host_literal_lowers_names_and_brackets_ipv6():
    assert host_literal(" XBOX.Example ") == "xbox.example"
    assert host_literal("FD00::5") == "[fd00::5]"
    assert host_literal("127.0.0.1") == "127.0.0.1"


def test_listening_host_is_lowered_and_unbracketed(settings):
    named = origins_for(dataclasses.replace(settings, host="XBOX", allowed_hosts="", port=7443))
    assert named.own == {"http://xbox:7443", "https://xbox:7443"}
    assert named.canonical_host == "xbox:7443"
    bracketed = origins_for(dataclasses.replace(settings, host="[::1]", allowed_hosts="", port=7443))
    assert {"http://[::1]:7443", "http://localhost:7443", "https://127.0.0.1:7443"} <= bracketed.own
    assert bracketed.canonical_host == "[::1]:7443"


def test_empty_allowed_hosts_entries_are_skipped_not_the_end(settings):
    own = origins_for(dataclasses.replace(settings, host="127.0.0.1", allowed_hosts="a.example,, ,b.example:9443",
                                          port=7443)).own
    assert {"https://a.example", "http://a.example:7443", "https://b.example:9443"} <= own
    assert "https://b.example" not in own


def test_is_own_without_a_value():
    origins = Origins(own=frozenset({"http://localhost"}), canonical_host="localhost", public_base="")
    assert origins.is_own(None) is False
    assert origins.is_own("") is False
    assert origins.is_own("http://LOCALHOST/x") is True


def test_public_url_names_the_host_whatever_the_request_says():
    origins = Origins(own=frozenset({"https://gis.example.org:8443"}), canonical_host="gis.example.org:8443",
                      public_base="https://gis.example.org:8443/geo")
    assert origins.host("http", "evil.example") == "gis.example.org:8443"
    assert origins.host("https", None) == "gis.example.org:8443"
    assert origins.base_url("http", "evil.example") == "https://gis.example.org:8443/geo"
