"""Managing a group (sharing-api.md §5.4): update, delete, protect/unprotect.  Who may do it, what
a refused call leaves (everything, read back through storage), and the thumbnail's blob rule.
Reassign, createNotification and the thumbnail file are in test_group_admin_more.py."""

from __future__ import annotations

import json

import pytest

from geoshare.domain import group_admin
from geoshare.domain.groups import thumbnail_key
from tests.api import group_admin_support
from tests.api.expected import FORBIDDEN
from tests.api.group_admin_support import (
    add_application,
    add_invitation,
    blob_keys,
    error_of,
    get_group,
    missing_body,
    post,
    snapshot,
    stored_group,
)
from tests.conftest import image_bytes, make_group

cast = group_admin_support.cast  # the fixture

MEMBERS = {"members": ("g_member",), "admins": ("g_manager",)}
UPDATED = "Unable to update group."


async def _group(svc, title="Managed", owner="g_owner", **columns):
    return await make_group(svc, owner, title, **{**MEMBERS, **columns})


async def _update(client, token, group_id, files=None, **data):
    return await post(client, token, f"community/groups/{group_id}/update", files=files, **data)


# ------------------------------------------------------------------ update: who
@pytest.mark.parametrize("who", ["owner", "manager", "admin"])
async def test_managers_and_the_org_admin_update(client, svc, cast, who):
    group = await _group(svc, access="org")
    assert await _update(client, cast[who], group.id, snippet=f"by {who}") == {"success": True, "groupId": group.id}
    after = await stored_group(svc, group.id)
    assert after.snippet == f"by {who}" and after.modified >= group.modified


@pytest.mark.parametrize("who", ["member", "limited"])
async def test_who_sees_but_does_not_manage_gets_403_and_nothing_changes(client, svc, cast, who):
    group = await _group(svc, access="org")
    before = await snapshot(svc, group.id)
    assert await _update(client, cast[who], group.id, snippet="no", title="Taken over") == FORBIDDEN["sharing"]
    assert await snapshot(svc, group.id) == before


async def test_an_admin_of_another_org_gets_403_on_a_public_group(client, svc, cast):
    group = await _group(svc, access="public")
    before = await snapshot(svc, group.id)
    assert await _update(client, cast["other"], group.id, snippet="no") == FORBIDDEN["sharing"]
    assert await snapshot(svc, group.id) == before


@pytest.mark.parametrize("who", ["outsider", "other", "viewer"])
async def test_a_group_the_caller_cannot_see_answers_like_a_missing_one(client, svc, cast, who):
    group = await _group(svc, access="private")
    before = await snapshot(svc, group.id)
    body = await _update(client, cast[who], group.id, snippet="no")
    assert body == await missing_body(client, cast[who], "update")
    assert error_of(body)[:2] == (400, "Group does not exist or is inaccessible.")
    assert await snapshot(svc, group.id) == before


# ------------------------------------------------------------------ update: values
async def test_every_property_is_updated(client, svc, cast):
    group = await _group(svc)
    reply = await _update(client, cast["owner"], group.id, title="Renamed", description="<b>bold</b><script>x</script>",
                          snippet="short", tags="a,b", typeKeywords="k1", phone="555", access="org",
                          sortField="avgRating", sortOrder="desc", isViewOnly="true", isInvitationOnly="true",
                          autoJoin="true", hiddenMembers="true", membershipAccess="org",
                          displaySettings=json.dumps({"itemTypes": "Application"}))
    assert reply == {"success": True, "groupId": group.id}
    doc = await get_group(client, cast["owner"], group.id)
    assert {k: doc[k] for k in ("title", "description", "snippet", "tags", "typeKeywords", "phone", "access",
                                "sortField", "sortOrder", "isViewOnly", "isInvitationOnly", "autoJoin",
                                "hiddenMembers", "membershipAccess", "displaySettings")} == {
        "title": "Renamed", "description": "<b>bold</b>", "snippet": "short", "tags": ["a", "b"],
        "typeKeywords": ["k1"], "phone": "555", "access": "org", "sortField": "avgrating", "sortOrder": "desc",
        "isViewOnly": True, "isInvitationOnly": True, "autoJoin": True, "hiddenMembers": True,
        "membershipAccess": "org", "displaySettings": {"itemTypes": "Application"}}


async def test_title_stays_unique_per_owner_but_the_group_may_keep_its_own(client, svc, cast):
    await _group(svc, title="Alpha")
    group = await _group(svc, title="Beta")
    before = await snapshot(svc, group.id)
    body = await _update(client, cast["owner"], group.id, title="ALPHA")
    assert error_of(body)[:2] == (400, "You already have a group named 'ALPHA'.")
    assert await snapshot(svc, group.id) == before
    assert await _update(client, cast["owner"], group.id, title="BETA") == {"success": True, "groupId": group.id}
    assert (await stored_group(svc, group.id)).title == "BETA"


async def test_the_title_clash_counts_the_owner_not_the_caller(client, svc, cast):
    """A group administrator renaming the owner's group clashes with the owner's titles only."""
    await make_group(svc, "g_manager", "Manager's own")
    group = await _group(svc, title="Owner's")
    assert await _update(client, cast["manager"], group.id, title="Manager's own") == {"success": True,
                                                                                       "groupId": group.id}
    await _group(svc, title="Owner's other")
    before = await snapshot(svc, group.id)
    assert error_of(await _update(client, cast["manager"], group.id, title="owner's other"))[0] == 400
    assert await snapshot(svc, group.id) == before


@pytest.mark.parametrize(("data", "detail"), [
    ({"title": "t" * 251}, "'title' is longer than 250 characters."),
    ({"snippet": "s" * 251}, "'snippet' is longer than 250 characters."),
    ({"access": "everyone"}, "'access' must be one of: private, org, public, account."),
    ({"sortField": "size"}, None),
    ({"capabilities": "updateitemcontrol"}, "A group becomes a shared update group only when it is created."),
    ({"id": "0" * 32}, "'id' does not name this group."),
    ({"thumbnail": "someone-else.png"},
     "'thumbnail' must be a PNG, GIF or JPEG file; as text it can only repeat the current name."),
])
async def test_bad_values_are_refused_and_change_nothing(client, svc, cast, data, detail):
    group = await _group(svc)
    before = await snapshot(svc, group.id)
    body = await _update(client, cast["owner"], group.id, description="would change", **data)
    code, _message, details = error_of(body)
    assert code == 400
    if detail is not None:
        assert details == [detail]
    assert await snapshot(svc, group.id) == before


async def test_a_title_of_250_characters_is_accepted(client, svc, cast):
    group = await _group(svc)
    assert await _update(client, cast["owner"], group.id, title="t" * 250) == {"success": True, "groupId": group.id}
    assert (await stored_group(svc, group.id)).title == "t" * 250


async def test_raising_access_needs_the_privileges_of_create(client, svc, cast):
    """A Viewer holds neither portal:user:shareGroupToOrg nor ...ToPublic (the group is written
    through storage: Viewers cannot create groups)."""
    group = await make_group(svc, "g_viewer", "Viewer's")
    before = await snapshot(svc, group.id)
    for access in ("org", "public"):
        assert error_of(await _update(client, cast["viewer"], group.id, access=access))[0] == 403
    assert await snapshot(svc, group.id) == before
    assert await _update(client, cast["viewer"], group.id, access="private") == {"success": True,
                                                                                 "groupId": group.id}


async def test_leaving_disallowed_needs_its_privilege_to_be_turned_on(client, svc, cast):
    group = await _group(svc)
    before = await snapshot(svc, group.id)
    assert error_of(await _update(client, cast["owner"], group.id, leavingDisallowed="true"))[0] == 403
    assert await snapshot(svc, group.id) == before
    assert await _update(client, cast["admin"], group.id, leavingDisallowed="true") == {"success": True,
                                                                                      "groupId": group.id}
    assert (await stored_group(svc, group.id)).leaving_disallowed is True


async def test_empty_values_clear_only_under_clear_empty_fields(client, svc, cast):
    group = await _group(svc, description="keep", snippet="keep", tags=["x"])
    assert await _update(client, cast["owner"], group.id, description="", snippet="", tags="") == {
        "success": True, "groupId": group.id}
    kept = await stored_group(svc, group.id)
    assert (kept.description, kept.snippet, kept.tags) == ("keep", "keep", ("x",))
    assert await _update(client, cast["owner"], group.id, description="", snippet="", tags="", title="",
                         clearEmptyFields="true") == {"success": True, "groupId": group.id}
    cleared = await stored_group(svc, group.id)
    assert (cleared.description, cleared.snippet, cleared.tags, cleared.title) == (None, None, (), "Managed")


async def test_the_group_object_read_back_and_posted_again_is_accepted(client, svc, cast):
    """REST JS updateGroup posts the whole group it read, read-only fields included."""
    group = await _group(svc, tags=["t"])
    doc = await get_group(client, cast["owner"], group.id)
    doc["snippet"] = "changed"
    form = {k: (",".join(v) if isinstance(v, list) else json.dumps(v) if isinstance(v, dict)
                else str(v).lower() if isinstance(v, bool) else str(v)) for k, v in doc.items() if v is not None}
    assert await _update(client, cast["owner"], group.id, **form) == {"success": True, "groupId": group.id}
    after = await stored_group(svc, group.id)
    assert after.snippet == "changed" and after.owner == "g_owner" and after.created == group.created


# ------------------------------------------------------------------ update: the thumbnail
def _png(name="pic.png", color=(1, 2, 3)):
    return {"thumbnail": (name, image_bytes("PNG", color=color), "image/png")}


async def test_thumbnail_replaced_then_cleared_keeps_exactly_one_blob(client, svc, cast):
    group = await _group(svc)
    assert await _update(client, cast["owner"], group.id, files=_png()) == {"success": True, "groupId": group.id}
    first = (await stored_group(svc, group.id)).thumbnail
    assert first.startswith("pic_") and blob_keys(svc) == {thumbnail_key(group.id, first)}
    await _update(client, cast["owner"], group.id, thumbnail=first, snippet="same picture")
    assert (await stored_group(svc, group.id)).thumbnail == first
    await _update(client, cast["owner"], group.id, files=_png("next.png", (9, 9, 9)))
    second = (await stored_group(svc, group.id)).thumbnail
    assert second != first and blob_keys(svc) == {thumbnail_key(group.id, second)}
    await _update(client, cast["owner"], group.id, thumbnail="")
    assert (await stored_group(svc, group.id)).thumbnail == second  # empty without clearEmptyFields: no change
    await _update(client, cast["owner"], group.id, thumbnail="", clearEmptyFields="true")
    assert (await stored_group(svc, group.id)).thumbnail is None and blob_keys(svc) == set()


@pytest.mark.parametrize("upload", [
    ("notes.png", b"not an image at all", "image/png"),
    ("huge.png", image_bytes("PNG", size=(1200, 1200)) + b"\0" * (1024 * 1024), "image/png"),
    ("pic.bmp", image_bytes("BMP"), "image/bmp"),
])
async def test_a_bad_thumbnail_is_refused_and_stores_nothing(client, svc, cast, upload):
    group = await _group(svc)
    before = await snapshot(svc, group.id)
    body = await _update(client, cast["owner"], group.id, files={"thumbnail": upload}, snippet="no")
    assert error_of(body)[0] == 400
    assert await snapshot(svc, group.id) == before and blob_keys(svc) == set()


async def test_a_refused_update_removes_the_blob_it_wrote(client, svc, cast):
    """The image is fine, but the title clashes under the lock: the new blob must go again."""
    await _group(svc, title="Alpha")
    group = await _group(svc, title="Beta")
    body = await _update(client, cast["owner"], group.id, files=_png(), title="alpha")
    assert error_of(body)[0] == 400
    assert blob_keys(svc) == set() and (await stored_group(svc, group.id)).thumbnail is None


async def test_a_forbidden_caller_never_writes_a_blob(client, svc, cast):
    group = await _group(svc, access="org")
    assert await _update(client, cast["member"], group.id, files=_png()) == FORBIDDEN["sharing"]
    assert blob_keys(svc) == set()


# ------------------------------------------------------------------ delete
async def _delete(client, token, group_id):
    return await post(client, token, f"community/groups/{group_id}/delete")


async def test_the_owner_deletes_members_applications_invitations_and_thumbnail(client, svc, cast):
    group = await _group(svc, access="org")
    await _update(client, cast["owner"], group.id, files=_png())
    await add_application(svc, group.id, "g_outsider")
    await add_invitation(svc, group.id, "g_viewer")
    assert await _delete(client, cast["owner"], group.id) == {"success": True, "groupId": group.id}
    group_row, members, applications, invitations, lists = await snapshot(svc, group.id)
    assert (group_row, members, applications, invitations, lists) == (None, [], 0, 0, {})
    assert blob_keys(svc) == set()
    assert await get_group(client, cast["owner"], group.id) == await missing_body(client, cast["owner"])


async def test_the_org_admin_deletes_any_group_of_the_org(client, svc, cast):
    group = await _group(svc, access="private")
    assert await _delete(client, cast["admin"], group.id) == {"success": True, "groupId": group.id}
    assert await stored_group(svc, group.id) is None


@pytest.mark.parametrize("who", ["manager", "member", "limited", "other"])
async def test_others_cannot_delete(client, svc, cast, who):
    group = await _group(svc, access="public")
    before = await snapshot(svc, group.id)
    assert await _delete(client, cast[who], group.id) == FORBIDDEN["sharing"]
    assert await snapshot(svc, group.id) == before


@pytest.mark.parametrize("who", ["owner", "admin"])
async def test_a_protected_group_is_not_deleted(client, svc, cast, who):
    group = await _group(svc, protected=True)
    before = await snapshot(svc, group.id)
    assert error_of(await _delete(client, cast[who], group.id)) == (
        400, "Unable to delete group: the group is protected.",
        ["The group is protected from deletion; unprotect it first."])
    assert await snapshot(svc, group.id) == before


async def test_delete_hooks_run_in_the_transaction_and_can_cancel_it(client, svc, cast, monkeypatch):
    seen: list[str] = []

    def record(conn, group_id):
        seen.append(group_id)

    def refuse(conn, group_id):
        raise RuntimeError("items could not be unshared")

    monkeypatch.setattr(group_admin, "ON_DELETE", [record, refuse])
    group = await _group(svc)
    before = await snapshot(svc, group.id)
    assert error_of(await _delete(client, cast["owner"], group.id))[0] == 500
    assert seen == [group.id] and await snapshot(svc, group.id) == before
    monkeypatch.setattr(group_admin, "ON_DELETE", [record])
    assert await _delete(client, cast["owner"], group.id) == {"success": True, "groupId": group.id}
    assert seen == [group.id, group.id]


# ------------------------------------------------------------------ protect / unprotect
@pytest.mark.parametrize("who", ["owner", "admin"])
async def test_protect_and_unprotect(client, svc, cast, who):
    group = await _group(svc)
    path = f"community/groups/{group.id}"
    assert await post(client, cast[who], f"{path}/protect") == {"success": True}
    assert (await stored_group(svc, group.id)).protected is True
    assert await post(client, cast[who], f"{path}/protect") == {"success": True}  # already: no change
    assert await post(client, cast[who], f"{path}/unprotect") == {"success": True}
    assert (await stored_group(svc, group.id)).protected is False
    assert await _delete(client, cast[who], group.id) == {"success": True, "groupId": group.id}


@pytest.mark.parametrize("operation", ["protect", "unprotect"])
@pytest.mark.parametrize("who", ["manager", "member", "limited", "other"])
async def test_only_owner_and_org_admin_protect(client, svc, cast, operation, who):
    group = await _group(svc, access="public", protected=operation == "unprotect")
    before = await snapshot(svc, group.id)
    assert await post(client, cast[who], f"community/groups/{group.id}/{operation}") == FORBIDDEN["sharing"]
    assert await snapshot(svc, group.id) == before


@pytest.mark.parametrize("operation", ["protect", "unprotect", "delete"])
async def test_hidden_groups_answer_like_missing_ones(client, svc, cast, operation):
    group = await _group(svc, access="private")
    before = await snapshot(svc, group.id)
    body = await post(client, cast["outsider"], f"community/groups/{group.id}/{operation}")
    assert body == await missing_body(client, cast["outsider"], operation)
    assert await snapshot(svc, group.id) == before
