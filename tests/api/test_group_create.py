"""community/createGroup (sharing-api.md §5.2): every parameter, each bad value, the privileges
some values need, the thumbnail, and that a refused create leaves no group row and no blob."""

from __future__ import annotations

import json

import pytest

from geoshare.domain import groups as group_domain
from geoshare.storage import groups as group_store
from geoshare.storage import orgs as org_store
from geoshare.storage import users as user_store
from tests.api import group_admin_support
from tests.api.expected import FORBIDDEN
from tests.api.group_admin_support import blob_keys, error_of, group_count, post, stored_group
from tests.conftest import DEFAULT_ORG, SHARING, image_bytes, make_group

cast = group_admin_support.cast  # the fixture
CREATE_FAILED = "Unable to create group."


async def _create(client, token, files=None, **data):
    return await post(client, token, "community/createGroup", files=files, **data)


async def _refused(client, svc, token, code, details=None, files=None, **data):
    """The call is refused with `code` (and `details`), and nothing is stored."""
    groups_before, blobs_before = await group_count(svc), blob_keys(svc)
    body = await _create(client, token, files=files, **data)
    found_code, _message, found_details = error_of(body)
    assert found_code == code, body
    if details is not None:
        assert found_details == details
    assert await group_count(svc) == groups_before and blob_keys(svc) == blobs_before
    return body


async def test_every_parameter_is_stored_and_answered(client, svc, cast):
    body = await _create(client, cast["admin"], title="<b>Street</b> Maps", description="<p>Roads</p><script>x</script>",
                         snippet="Streets", tags="roads, maps ,Roads", typeKeywords="k1,k2", phone="+1 555",
                         access="account", sortField="NumViews", sortOrder="DESC", isViewOnly="true",
                         isinvitationOnly="true", autoJoin="true", hiddenMembers="true", leavingDisallowed="true",
                         capabilities="updateitemcontrol", membershipAccess="collaboration",
                         displaySettings=json.dumps({"itemTypes": "Web Map"}), isOpenData="true",
                         MAX_FILE_SIZE="1024000")
    assert body["success"] is True, body
    group = body["group"]
    assert {k: group[k] for k in ("title", "owner", "description", "snippet", "tags", "typeKeywords", "phone",
                                  "access", "sortField", "sortOrder", "isViewOnly", "isInvitationOnly", "autoJoin",
                                  "hiddenMembers", "leavingDisallowed", "capabilities", "membershipAccess",
                                  "displaySettings", "protected", "thumbnail", "isOpenData")} == {
        "title": "Street Maps", "owner": "admin", "description": "<p>Roads</p>", "snippet": "Streets",
        "tags": ["roads", "maps"], "typeKeywords": ["k1", "k2"], "phone": "+1 555", "access": "org",
        "sortField": "numviews", "sortOrder": "desc", "isViewOnly": True, "isInvitationOnly": True,
        "autoJoin": True, "hiddenMembers": True, "leavingDisallowed": True, "capabilities": ["updateitemcontrol"],
        "membershipAccess": "collaboration", "displaySettings": {"itemTypes": "Web Map"}, "protected": False,
        "thumbnail": None, "isOpenData": False}
    assert group["created"] == group["modified"] and len(group["id"]) == 32
    read = (await client.get(f"{SHARING}/community/groups/{group['id']}",
                             params={"f": "json", "token": cast["admin"]})).json()
    assert read["userMembership"] == {"username": "admin", "memberType": "owner", "applications": 0}
    assert {k: read[k] for k in group} == group


async def test_defaults_and_the_owner_as_first_member(client, svc, cast):
    body = await _create(client, cast["owner"], title="Plain", capabilities="")
    group = body["group"]
    assert {k: group[k] for k in ("access", "sortField", "sortOrder", "isViewOnly", "isInvitationOnly", "autoJoin",
                                  "capabilities", "tags", "description", "snippet", "membershipAccess")} == {
        "access": "private", "sortField": "title", "sortOrder": "asc", "isViewOnly": False, "isInvitationOnly": False,
        "autoJoin": False, "capabilities": [], "tags": [], "description": None, "snippet": None,
        "membershipAccess": None}
    members = await svc.db.read(group_store.members, group["id"])
    assert [(m.username, m.member_type) for m in members] == [("g_owner", "owner")]


# ------------------------------------------------------------------ the title
async def test_a_duplicate_title_of_the_same_owner_is_refused_whatever_its_case(client, svc, cast):
    assert (await _create(client, cast["owner"], title="Rivers"))["success"] is True
    for title in ("Rivers", "RIVERS", " rivers "):
        await _refused(client, svc, cast["owner"], 400, title=title)
    body = await _create(client, cast["owner"], title="rivers!")
    assert body["success"] is True
    assert (await _create(client, cast["manager"], title="Rivers"))["success"] is True  # another owner


async def test_the_duplicate_message(client, svc, cast):
    await _create(client, cast["owner"], title="Lakes")
    body = await _refused(client, svc, cast["owner"], 400, title="LAKES")
    assert body["error"]["message"] == "You already have a group named 'LAKES'."


async def test_title_of_250_characters_is_the_limit(client, svc, cast):
    await _refused(client, svc, cast["owner"], 400, ["'title' is longer than 250 characters."], title="t" * 251)
    assert (await _create(client, cast["owner"], title="t" * 250))["group"]["title"] == "t" * 250


@pytest.mark.parametrize("title", ["", "   ", "<b></b>"])
async def test_an_empty_title_is_refused(client, svc, cast, title):
    await _refused(client, svc, cast["owner"], 400, title=title)


# ------------------------------------------------------------------ values
@pytest.mark.parametrize(("data", "detail"), [
    ({"access": "everyone"}, "'access' must be one of: private, org, public, account."),
    ({"sortField": "size"}, "'sortField' must be one of: title, owner, avgRating, numViews, created, modified."),
    ({"sortOrder": "up"}, "'sortOrder' must be one of: asc, desc."),
    ({"membershipAccess": "world"}, "'membershipAccess' must be one of: org, collaboration, none."),
    ({"capabilities": "superpowers"}, "'capabilities' may only be updateitemcontrol."),
    ({"displaySettings": "[1, 2]"}, "'displaySettings' must be a JSON object."),
    ({"snippet": "s" * 251}, "'snippet' is longer than 250 characters."),
    ({"phone": "9" * 251}, "'phone' is longer than 250 characters."),
    ({"tags": ",".join(f"t{i}" for i in range(129))}, "'tags' has more than 128 entries."),
    ({"tags": "x" * 257}, "'tags' has an entry longer than 256 characters."),
    ({"isViewOnly": "maybe"}, None),
])
async def test_bad_values_are_refused(client, svc, cast, data, detail):
    await _refused(client, svc, cast["owner"], 400, [detail] if detail else None, title="Bad", **data)


async def test_values_at_their_limits_are_accepted(client, svc, cast):
    body = await _create(client, cast["owner"], title="Limits", snippet="s" * 250, phone="9" * 250,
                         tags=",".join(f"t{i}" for i in range(128)), sortField="avgRating")
    group = body["group"]
    assert len(group["snippet"]) == 250 and len(group["phone"]) == 250 and len(group["tags"]) == 128
    assert group["sortField"] == "avgrating"


# ------------------------------------------------------------------ privileges
async def test_viewers_cannot_create_groups(client, svc, cast):
    assert await _create(client, cast["viewer"], title="Viewer's") == FORBIDDEN["sharing"]
    assert await group_count(svc) == 0


@pytest.mark.parametrize("data", [{"capabilities": "updateitemcontrol"}, {"leavingDisallowed": "true"}])
async def test_administrative_kinds_of_group_need_their_privilege(client, svc, cast, data):
    await _refused(client, svc, cast["owner"], 403, title="Special", **data)
    assert (await _create(client, cast["admin"], title="Special", **data))["success"] is True


async def test_public_needs_the_org_to_allow_public_sharing(client, svc, cast):
    assert (await _create(client, cast["owner"], title="Open", access="public"))["group"]["access"] == "public"
    await svc.db.write(lambda conn: org_store.update_org(conn, DEFAULT_ORG, can_share_public=False))
    await _refused(client, svc, cast["owner"], 400,
                   ["'access' cannot be public: the organization does not allow public sharing."],
                   title="Open again", access="public")
    assert (await _create(client, cast["owner"], title="Org only", access="org"))["success"] is True


async def test_the_group_limit_on_create(client, svc, cast, monkeypatch):
    monkeypatch.setattr(group_domain, "MAX_GROUPS_PER_USER", 2)
    await make_group(svc, "g_owner", "One")
    assert (await _create(client, cast["owner"], title="Two"))["success"] is True
    body = await _refused(client, svc, cast["owner"], 400, title="Three",
                          files={"thumbnail": ("t.png", image_bytes("PNG"), "image/png")})
    assert body["error"]["message"] == "Unable to add the user to the group."


# ------------------------------------------------------------------ the thumbnail
async def test_a_thumbnail_is_stored_and_served(client, svc, cast):
    body = await _create(client, cast["owner"], title="Pictured", access="org",
                         files={"thumbnail": ("My Logo!.jpg", image_bytes("JPEG"), "image/jpeg")})
    group = body["group"]
    assert group["thumbnail"].startswith("MyLogo_") and group["thumbnail"].endswith(".jpg")
    assert blob_keys(svc) == {f"groups/{group['id']}/info/{group['thumbnail']}"}
    reply = await client.get(f"{SHARING}/community/groups/{group['id']}/info/{group['thumbnail']}",
                             params={"token": cast["outsider"]})
    assert reply.status_code == 200 and reply.content == image_bytes("JPEG")


@pytest.mark.parametrize("upload", [
    ("notes.png", b"just some text", "image/png"),
    ("pic.bmp", image_bytes("BMP"), "image/bmp"),
    ("huge.png", image_bytes("PNG") + b"\0" * (1024 * 1024), "image/png"),
])
async def test_a_bad_thumbnail_creates_nothing(client, svc, cast, upload):
    await _refused(client, svc, cast["owner"], 400, title="Pictured", files={"thumbnail": upload})


async def test_a_thumbnail_of_exactly_1_mb_is_accepted(client, svc, cast):
    data = image_bytes("PNG")
    data += b"\0" * (1024 * 1024 - len(data))
    body = await _create(client, cast["owner"], title="Big", files={"thumbnail": ("big.png", data, "image/png")})
    assert body["success"] is True, body


async def test_a_refused_title_removes_the_thumbnail_already_written(client, svc, cast):
    await _create(client, cast["owner"], title="Taken")
    await _refused(client, svc, cast["owner"], 400, title="taken",
                   files={"thumbnail": ("t.png", image_bytes("PNG"), "image/png")})


async def test_the_users_groups_list_shows_the_new_group(client, svc, cast):
    group = (await _create(client, cast["owner"], title="Listed"))["group"]
    owner = await svc.db.read(user_store.user_by_username, "g_owner")
    assert [(g.id, t) for g, t in await svc.db.read(group_store.groups_of_user, owner.id)] == [(group["id"], "owner")]
    assert (await stored_group(svc, group["id"])).owner == "g_owner"
