"""Groups in the users work (domain/groups.py): a user's `groups` list, the owner registry that
refuses deleting a user who owns groups and moves them on reassign, and the 512-group limit there."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from geoshare.domain import groups
from geoshare.storage import groups as group_store
from geoshare.storage import users as user_store
from geoshare.storage.tables import group_members
from tests.conftest import ADMIN, SHARING, get_token, make_group, make_user

PASSWORD = "Member12345"


async def read(client: Any, path: str, token: str | None, **params: Any) -> dict[str, Any]:
    sent = {"f": "json", **({"token": token} if token else {}), **params}
    return dict((await client.get(f"{SHARING}/{path}", params=sent)).json())


async def post(client: Any, path: str, token: str, **data: Any) -> dict[str, Any]:
    return dict((await client.post(f"{SHARING}/{path}", data={"f": "json", "token": token, **data})).json())


async def membership_rows(svc: Any) -> list[tuple[str, str, str]]:
    query = select(group_members.c.group_id, group_members.c.user_id, group_members.c.member_type)
    return sorted(tuple(r) for r in await svc.db.read(lambda conn: conn.execute(query).all()))


# ------------------------------------------------------------------ the user's groups list
async def test_self_lists_every_group_with_the_membership(client, svc):
    await make_user(svc, "ann_member")
    await make_user(svc, "bob_manager")
    first = await make_group(svc, "bob_manager", "Zebra crossings", members=("ann_member",), access="org")
    second = await make_group(svc, ADMIN, "Alpine routes", admins=("ann_member",))
    await make_group(svc, ADMIN, "Not hers")
    token = await get_token(client, "ann_member", PASSWORD)
    mine = (await read(client, "community/self", token))["groups"]
    assert [g["id"] for g in mine] == [second.id, first.id]  # by title
    assert mine[0]["userMembership"] == {"username": "ann_member", "memberType": "admin", "applications": 0}
    assert mine[1]["userMembership"] == {"username": "ann_member", "memberType": "member"}
    assert mine[1]["owner"] == "bob_manager" and mine[1]["access"] == "org" and mine[1]["title"] == "Zebra crossings"


async def test_applications_count_for_managers_only(client, svc):
    await make_user(svc, "boss_owner")
    await make_user(svc, "applicant")
    group = await make_group(svc, "boss_owner", "Busy group")
    applicant = await svc.db.read(user_store.user_by_username, "applicant")
    await svc.db.write(lambda conn: conn.execute(group_store.group_applications.insert().values(
        group_id=group.id, user_id=applicant.id, received=1)))
    owner_token = await get_token(client, "boss_owner", PASSWORD)
    [listed] = (await read(client, "community/self", owner_token))["groups"]
    assert listed["userMembership"] == {"username": "boss_owner", "memberType": "owner", "applications": 1}
    assert (await read(client, f"community/groups/{group.id}", owner_token))["userMembership"]["applications"] == 1


async def test_groups_show_on_full_views_only(client, svc, admin_token):
    await make_user(svc, "seen_user", access="public")
    await make_user(svc, "peer_user")
    group = await make_group(svc, ADMIN, "Shown to admins", members=("seen_user",))
    as_admin = await read(client, "community/users/seen_user", admin_token)
    assert [g["id"] for g in as_admin["groups"]] == [group.id]
    assert as_admin["groups"][0]["userMembership"] == {"username": "seen_user", "memberType": "member"}
    peer = await get_token(client, "peer_user", PASSWORD)
    assert "groups" not in await read(client, "community/users/seen_user", peer)
    assert "groups" not in await read(client, "community/users/seen_user", None)
    own = await read(client, "community/users/seen_user", await get_token(client, "seen_user", PASSWORD))
    assert [g["id"] for g in own["groups"]] == [group.id]


async def test_listings_and_portals_self_carry_no_groups_list(client, svc, admin_token):
    await make_group(svc, ADMIN, "Any group")
    listing = await read(client, "portals/self/users", admin_token)
    assert listing["users"] and all("groups" not in u for u in listing["users"])
    found = await read(client, "community/users", admin_token, q="*")
    assert found["results"] and all("groups" not in u for u in found["results"])
    assert "groups" not in (await read(client, "portals/self", admin_token))["user"]
    assert len((await read(client, "community/self", admin_token))["groups"]) == 1


# ------------------------------------------------------------------ delete and reassign a user who owns groups
async def test_a_group_owner_cannot_be_deleted_until_the_groups_move(client, svc, admin_token):
    await make_user(svc, "leaving_owner")
    heir = await make_user(svc, "heir_user")
    owned = await make_group(svc, "leaving_owner", "Field crews", members=("heir_user",))
    other = await make_group(svc, "leaving_owner", "Survey team")
    refused = await post(client, "community/users/leaving_owner/delete", admin_token)
    assert refused == {"error": {"code": 400, "message": "Unable to delete user.", "details": [
        "'leaving_owner' owns 2 groups: reassign or delete them first."]}}
    assert await svc.db.read(user_store.user_by_username, "leaving_owner") is not None
    assert await post(client, "community/users/leaving_owner/reassign", admin_token,
                      targetUsername="heir_user") == {"success": True}
    for group in (owned, other):
        moved = await svc.db.read(group_store.group_by_id, group.id)
        assert moved.owner == "heir_user"
        assert await svc.db.read(group_store.member_type, group.id, heir.id) == "owner"
    previous = await svc.db.read(user_store.user_by_username, "leaving_owner")
    assert await svc.db.read(group_store.member_type, owned.id, previous.id) == "admin"  # stays as an admin
    assert await post(client, "community/users/leaving_owner/delete", admin_token) == {
        "success": True, "username": "leaving_owner"}
    assert await svc.db.read(group_store.member_type, owned.id, previous.id) is None  # memberships go with the user


async def test_reassign_refuses_a_title_the_receiver_already_owns(client, svc, admin_token):
    await make_user(svc, "giver_one")
    await make_user(svc, "taker_one")
    await make_group(svc, "giver_one", "Roads")
    await make_group(svc, "taker_one", "ROADS")
    before = await membership_rows(svc)
    body = await post(client, "community/users/giver_one/reassign", admin_token, targetUsername="taker_one")
    assert body == {"error": {"code": 400, "message": "Unable to reassign user content.", "details": [
        "'taker_one' already owns a group named 'Roads'."]}}
    assert await membership_rows(svc) == before


async def test_reassign_keeps_the_receiver_within_the_group_limit(client, svc, admin_token, monkeypatch):
    monkeypatch.setattr(groups, "MAX_GROUPS_PER_USER", 2)
    await make_user(svc, "giver_two")
    await make_user(svc, "taker_two")
    await make_group(svc, "giver_two", "One")
    await make_group(svc, "giver_two", "Two")
    await make_group(svc, "taker_two", "Own")
    before = await membership_rows(svc)
    body = await post(client, "community/users/giver_two/reassign", admin_token, targetUsername="taker_two")
    assert body == {"error": {"code": 400, "message": "Unable to add the user to the group.", "details": [
        "'taker_two' already belongs to 2 groups, the most a user may belong to."]}}
    assert await membership_rows(svc) == before
    monkeypatch.setattr(groups, "MAX_GROUPS_PER_USER", 3)
    assert await post(client, "community/users/giver_two/reassign", admin_token,
                      targetUsername="taker_two") == {"success": True}


async def test_reassign_to_a_member_already_in_the_group_promotes_them(client, svc, admin_token):
    await make_user(svc, "giver_three")
    taker = await make_user(svc, "taker_three")
    group = await make_group(svc, "giver_three", "Shared", members=("taker_three",))
    assert await post(client, "community/users/giver_three/reassign", admin_token,
                      targetUsername="taker_three") == {"success": True}
    assert await svc.db.read(group_store.member_type, group.id, taker.id) == "owner"
    assert len([r for r in await membership_rows(svc) if r[0] == group.id]) == 2


# ------------------------------------------------------------------ createGroup and the limit
async def test_create_refuses_an_owner_at_the_limit(client, svc, monkeypatch):
    monkeypatch.setattr(groups, "MAX_GROUPS_PER_USER", 1)
    await make_user(svc, "busy_creator")
    await make_group(svc, ADMIN, "Existing", members=("busy_creator",))
    token = await get_token(client, "busy_creator", PASSWORD)
    body = await post(client, "community/createGroup", token, title="One too many", access="private")
    assert body == {"error": {"code": 400, "message": "Unable to add the user to the group.", "details": [
        "'busy_creator' already belongs to 1 groups, the most a user may belong to."]}}
    assert await svc.db.read(group_store.count_owned, (await svc.db.read(
        user_store.user_by_username, "busy_creator")).id) == 0
    monkeypatch.setattr(groups, "MAX_GROUPS_PER_USER", 2)
    assert (await post(client, "community/createGroup", token, title="One too many", access="private"))["success"]


# ------------------------------------------------------------------ what the items work will ask
async def test_who_may_share_into_a_group(client, svc):
    from geoshare.domain import accounts

    await make_user(svc, "vo_member")
    await make_user(svc, "vo_manager")
    await make_user(svc, "vo_outsider")
    view_only = await make_group(svc, ADMIN, "Read only", members=("vo_member",), admins=("vo_manager",),
                                 access="org", is_view_only=True)
    open_group = await make_group(svc, ADMIN, "Open", members=("vo_member",), access="org", shared_update=True)
    plain = await make_group(svc, ADMIN, "Plain", members=("vo_member",), access="org")

    async def principal(name: str) -> Any:
        return await accounts.principal_for_user(svc, await svc.db.read(user_store.user_by_username, name))

    async def verdicts(name: str) -> tuple[bool, bool, bool, bool, bool]:
        who = await principal(name)
        found = [await svc.db.read(groups.seen, who, g.id) for g in (view_only, open_group, plain)]
        return (groups.may_share_into(who, found[0]), groups.may_share_into(who, found[1]),
                groups.may_share_into(who, found[2]), groups.may_update_shared(found[1]),
                groups.may_update_shared(found[2]))

    assert await verdicts("vo_member") == (False, True, True, True, False)
    assert await verdicts("vo_manager") == (True, False, False, False, False)
    assert await verdicts("vo_outsider") == (False, False, False, False, False)
    assert await verdicts(ADMIN) == (True, True, True, True, False)  # the owner; and an admin anyway


async def test_the_directory_links_no_bare_info_folder(client, svc, admin_token):
    group = await make_group(svc, ADMIN, "Linked", access="public")
    page = await client.get(f"{SHARING}/community/groups/{group.id}", params={"token": admin_token})
    assert f"/community/groups/{group.id}/users\"" in page.text
    assert f"/community/groups/{group.id}/info\"" not in page.text
    user_page = await client.get(f"{SHARING}/community/users/admin", params={"token": admin_token})
    assert "/community/users/admin/tags\"" in user_page.text and "/community/users/admin/info\"" not in user_page.text
