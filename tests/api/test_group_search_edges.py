"""Edges of group search (sharing-api.md §5.7, §7.3) found by the mutation check: open-ended
text ranges, the error envelope of a bad flag or range, and groupMember for a signed-out caller."""

from __future__ import annotations

import pytest

from tests.api.org_support import call
from tests.conftest import make_group, make_user

PASSWORD = "Member12345"


@pytest.fixture
async def titled(svc):
    await make_user(svc, "anna", PASSWORD)
    await make_user(svc, "zed", PASSWORD)
    await make_group(svc, "anna", "Alpha", access="public")
    await make_group(svc, "zed", "Omega", access="public")


async def _titles(client, q):
    body = await call(client, "community/groups", None, method="GET", q=q, num="100")
    assert "error" not in body, body
    return [g["title"] for g in body["results"]]


@pytest.mark.parametrize(("q", "expected"), [
    ("title:[* TO beta]", ["Alpha"]),
    ("title:[beta TO *]", ["Omega"]),
    ("owner:[* TO bob]", ["Alpha"]),
    ("owner:[bob TO *]", ["Omega"]),
])
async def test_open_ended_text_ranges(client, titled, q, expected):
    assert await _titles(client, q) == expected


@pytest.mark.parametrize(("q", "detail"), [
    ("isinvitationonly:yes", "'q': 'isinvitationonly' takes true or false."),
    ("created:[soon TO 5]", "'q': 'created' takes a number (epoch milliseconds), not 'soon'."),
    ("modified:[5 TO later]", "'q': 'modified' takes a number (epoch milliseconds), not 'later'."),
])
async def test_bad_values_answer_invalid_query(client, titled, q, detail):
    body = await call(client, "community/groups", None, method="GET", q=q)
    assert (body["error"]["code"], body["error"]["message"], body["error"]["details"]) == (
        400, "Invalid query.", [detail])


async def test_signed_out_group_member_search_is_forbidden(client, titled):
    for params in ({}, {"searchUserName": "anna"}):
        body = await call(client, "community/groups", None, method="GET", q="*", searchUserAccess="groupMember",
                          **params)
        assert body["error"]["code"] == 403, body


async def test_search_scope_keeps_visibility_and_the_own_organization(client, svc, admin_token):
    from geoshare.storage import orgs as org_store
    from tests.conftest import DEFAULT_ORG, get_token, make_org

    await make_user(svc, "sc_me", PASSWORD)
    await make_user(svc, "sc_peer", PASSWORD)
    far = (await make_org(client, admin_token, "Scope Org", "sc_far"))["org"]["id"]
    await make_user(svc, "sc_farmember", PASSWORD, org_id=far)
    await make_group(svc, "sc_peer", "Peer Org Group", access="org")
    await make_group(svc, "sc_peer", "Peer Private", access="private")
    await make_group(svc, "sc_far", "Far Public", access="public")
    await make_group(svc, "sc_farmember", "Far Mine", access="private", members=("sc_me",))
    await svc.db.write(lambda conn: org_store.update_org(conn, DEFAULT_ORG, can_search_public=False))
    token = await get_token(client, "sc_me", PASSWORD)
    body = await call(client, "community/groups", token, method="GET", q="*", num="100")
    assert [g["title"] for g in body["results"]] == ["Far Mine", "Peer Org Group"]


async def test_ties_on_created_and_title_order_by_id(client, svc):
    await make_user(svc, "tie_a", PASSWORD)
    await make_user(svc, "tie_b", PASSWORD)
    svc.clock.pin()
    ids = sorted([(await make_group(svc, "tie_a", "Same", access="public", group_id="f" * 32)).id,
                  (await make_group(svc, "tie_b", "Same", access="public", group_id="0" * 32)).id])
    for order in ("asc", "desc"):
        body = await call(client, "community/groups", None, method="GET", q="title:same", sortField="created",
                          sortOrder=order)
        assert [g["id"] for g in body["results"]] == ids


@pytest.fixture
async def literal(svc):
    await make_user(svc, "lit_owner", PASSWORD)
    await make_user(svc, "lic_other", PASSWORD)
    for title, snippet in (("100% done", "kept"), ("1000 days", None), ("a_b", None), ("axb", None)):
        await make_group(svc, "lit_owner", title, access="public", snippet=snippet)


@pytest.mark.parametrize(("q", "expected"), [
    ('title:"100%"', ["100% done"]),  # % and _ are the caller's characters, not SQL wildcards
    ("title:a_b", ["a_b"]),
    ("title:10?0", ["1000 days"]),
    ("* -snippet:xx", ["100% done", "1000 days", "a_b", "axb"]),  # an empty snippet is not "xx"
    ("owner:lit_*", ["100% done", "1000 days", "a_b", "axb"]),
    ("owner:it_*", []),  # keyword wildcards match the whole value, not a part of it
    ("owner:lit?owner", ["100% done", "1000 days", "a_b", "axb"]),
])
async def test_wildcards_and_literal_characters(client, literal, q, expected):
    assert await _titles(client, q) == expected


async def test_a_bad_filter_answers_invalid_query_naming_the_filter(client, literal):
    body = await call(client, "community/groups", None, method="GET", q="*", filter="created:soon")
    assert (body["error"]["message"], body["error"]["details"]) == (
        "Invalid query.", ["'filter': 'created' takes a number (epoch milliseconds), not 'soon'."])


async def test_titles_match_whatever_the_case_of_non_ascii_letters(client, svc):
    await make_user(svc, "ete_owner", PASSWORD)
    await make_group(svc, "ete_owner", "Été Plans", access="public")
    assert await _titles(client, "title:ÉTÉ") == ["Été Plans"]
    assert await _titles(client, "été") == ["Été Plans"]
