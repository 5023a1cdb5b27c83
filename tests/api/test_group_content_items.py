"""Group content with real items (sharing-api.md §5.6, §8.3), the groups of an item (§6.7
content/items/{id}/groups) and what deleting a group does to its items' sharing (§8.2)."""

from __future__ import annotations

from typing import Any

import pytest

from geoshare.domain.services import new_id
from tests.api.content_support import item_row, people
from tests.api.org_support import call
from tests.conftest import get_token, make_group, make_item, make_user


@pytest.fixture
async def tokens(client, svc, admin_token) -> dict[str, str]:
    found = await people(client, svc, admin_token)
    await make_user(svc, "carol", "Member12345")
    return {**found, "carol": await get_token(client, "carol", "Member12345")}


async def content(client, group_id, token=None, **params) -> Any:
    return await call(client, f"content/groups/{group_id}", token, method="GET", **params)


async def test_members_see_shared_items_and_totals_match_the_pages(client, svc, tokens):
    group = await make_group(svc, "alice", "Team", access="public", members=("bob",))
    svc.clock.pin(1_700_000_000_000)
    shared = [await make_item(svc, "alice", f"Shared {n}", groups=(group.id,)) for n in range(3)]
    await make_item(svc, "alice", "Public elsewhere", shared_public=True)  # not in the group
    public_in_group = await make_item(svc, "alice", "Public in group", groups=(group.id,), shared_public=True)
    body = await content(client, group.id, tokens["bob"], sortField="title", sortOrder="asc", num="2")
    assert body["total"] == 4 and body["nextStart"] == 3
    assert [i["title"] for i in body["items"]] == ["Public in group", "Shared 0"]
    rest = await content(client, group.id, tokens["bob"], sortField="title", sortOrder="asc", num="2", start="3")
    assert [i["title"] for i in rest["items"]] == ["Shared 1", "Shared 2"] and rest["nextStart"] == -1
    assert "itemControl" not in body["items"][0] and "ownerFolder" not in body["items"][0]
    # anonymous sees the public group but only its public item, and the total says so
    anonymous = await content(client, group.id)
    assert [i["id"] for i in anonymous["items"]] == [public_in_group.id] and anonymous["total"] == 1
    # a non-member of the public group sees only what it may read anyway
    assert (await content(client, group.id, tokens["carol"]))["total"] == 1
    owner = await content(client, group.id, tokens["alice"], num="100")
    assert owner["total"] == 4 and {i["itemControl"] for i in owner["items"]} == {"admin"}
    assert {shared[0].id, shared[1].id, shared[2].id} <= {i["id"] for i in owner["items"]}


async def test_item_groups_sorts_groups_by_the_callers_relation(client, svc, tokens):
    managed = await make_group(svc, "bob", "Bob's", access="org")
    member = await make_group(svc, "alice", "Alice's", access="org", members=("bob",))
    other = await make_group(svc, "alice", "Org wide", access="org")
    hidden = await make_group(svc, "alice", "Hidden", access="private")
    item = await make_item(svc, "alice", "Map", shared_org=True, groups=(managed.id, member.id, other.id, hidden.id))
    body = await call(client, f"content/items/{item.id}/groups", tokens["bob"])
    assert [g["id"] for g in body["admin"]] == [managed.id]
    assert [g["id"] for g in body["member"]] == [member.id]
    assert [g["id"] for g in body["other"]] == [other.id]  # the private group stays hidden
    assert body["admin"][0]["userMembership"]["memberType"] == "owner"
    assert len((await call(client, f"content/items/{item.id}/groups", tokens["admin"]))["other"]) == 4  # viewGroups
    mine = await call(client, f"content/items/{item.id}/groups", tokens["alice"])
    assert sorted(g["id"] for g in mine["admin"]) == sorted([member.id, other.id, hidden.id])


async def test_item_groups_of_an_unreadable_item(client, svc, tokens):
    item = await make_item(svc, "alice", "Private")
    body = await call(client, f"content/items/{item.id}/groups", tokens["bob"])
    assert body["error"]["message"] == "Item does not exist or is inaccessible."
    assert await call(client, f"content/items/{new_id()}/groups", tokens["bob"]) == body


async def test_deleting_a_group_unshares_its_items(client, svc, tokens):
    only = await make_group(svc, "alice", "Only")
    also = await make_group(svc, "alice", "Also")
    lonely = await make_item(svc, "alice", "Only there", groups=(only.id,))
    twice = await make_item(svc, "alice", "Two groups", groups=(only.id, also.id))
    org = await make_item(svc, "alice", "Org", shared_org=True, groups=(only.id,))
    body = await call(client, f"community/groups/{only.id}/delete", tokens["alice"])
    assert body == {"success": True, "groupId": only.id}
    assert (await item_row(svc, lonely.id)).access == "private"
    assert (await item_row(svc, twice.id)).access == "shared"
    assert (await item_row(svc, org.id)).access == "org"
    from geoshare.storage import items as item_store

    assert await svc.db.read(item_store.group_ids_of, twice.id) == [also.id]
    assert await svc.db.read(item_store.group_ids_of, lonely.id) == []


async def test_a_refused_group_delete_keeps_the_shares(client, svc, tokens):
    group = await make_group(svc, "alice", "Guarded", protected=True)
    item = await make_item(svc, "alice", "Shared", groups=(group.id,))
    body = await call(client, f"community/groups/{group.id}/delete", tokens["alice"])
    assert body["error"]["code"] == 400
    assert (await item_row(svc, item.id)).access == "shared"


async def test_group_content_sorts_by_views_and_rating(client, svc, tokens):
    group = await make_group(svc, "alice", "Sorted", access="public")
    for title, views, rating in (("few", 1, 5.0), ("many", 9, 1.0), ("some", 4, 3.0)):
        await make_item(svc, "alice", title, groups=(group.id,), shared_public=True, num_views=views,
                        avg_rating=rating)
    by_views = await content(client, group.id, tokens["alice"], sortField="numViews", sortOrder="desc")
    assert [i["title"] for i in by_views["items"]] == ["many", "some", "few"]
    by_rating = await content(client, group.id, tokens["alice"], sortField="avgRating", sortOrder="desc")
    assert [i["title"] for i in by_rating["items"]] == ["few", "some", "many"]
