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
