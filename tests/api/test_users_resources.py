"""The user's child resources (sharing-api.md §4.10, §6.2, §3.7): notifications and
createNotification, invitations, tags, properties, info files and the content listing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from geoshare.domain import accounts, users
from geoshare.domain.services import new_id
from geoshare.storage import invitations as invitation_store
from geoshare.storage import notifications as notification_store
from geoshare.storage import users as user_store
from geoshare.storage.records import Invitation
from tests.api.expected import FORBIDDEN
from tests.conftest import ADMIN, DEFAULT_ORG, SHARING, count_rows, get_token, make_user

PASSWORD = "Member12345"
MISSING = {"error": {"code": 400, "message": "User does not exist or is inaccessible.", "details": []}}


async def call(client: Any, method: str, path: str, token: str | None, **data: Any) -> Any:
    sent = {"f": "json", **({"token": token} if token else {}), **data}
    if method == "GET":
        return (await client.get(f"{SHARING}/{path}", params=sent)).json()
    return (await client.post(f"{SHARING}/{path}", data=sent)).json()


@pytest.fixture
async def inbox(client, svc):
    await make_user(svc, "reader", PASSWORD, access="public")
    await make_user(svc, "bystander", PASSWORD, access="public")
    return {"reader": await get_token(client, "reader", PASSWORD),
            "bystander": await get_token(client, "bystander", PASSWORD)}


async def notify(client: Any, token: str, portal: str = "self", **data: Any) -> Any:
    values = {"subject": "Hello", "message": "Read me", "users": "reader", **data}
    return await call(client, "POST", f"portals/{portal}/createNotification", token, **values)


# ------------------------------------------------------------------ notifications
async def test_create_list_and_delete_notifications(client, svc, inbox, admin_token):
    svc.clock.pin(1_700_000_000_000)
    assert await notify(client, admin_token, subject="<b>Hi</b>", message="a <script>x()</script>b",
                        users="READER, bystander", notificationChannelType="EMAIL") == {"success": True}
    listed = await call(client, "GET", "community/users/reader/notifications", inbox["reader"])
    (note,) = listed["notifications"]
    assert set(note) == {"id", "type", "target", "targetType", "received", "data"}
    assert note["type"] == "message_received" and note["target"] == "reader" and note["targetType"] == "user"
    assert note["received"] == 1_700_000_000_000 and len(note["id"]) == 32
    assert note["data"] == {"fromUser": ADMIN, "subject": "Hi", "message": "a b"}
    other = await call(client, "GET", "community/users/bystander/notifications", inbox["bystander"])
    assert len(other["notifications"]) == 1 and other["notifications"][0]["id"] != note["id"]
    deleted = await call(client, "POST", f"community/users/reader/notifications/{note['id'].upper()}/delete",
                         inbox["reader"])
    assert deleted == {"success": True, "notificationId": note["id"]}
    assert (await call(client, "GET", "community/users/reader/notifications", inbox["reader"])) == \
        {"notifications": []}
    again = await call(client, "POST", f"community/users/reader/notifications/{note['id']}/delete", inbox["reader"])
    assert again["error"]["code"] == 404
    assert again["error"]["message"] == "Notification does not exist or is inaccessible."


async def test_notifications_newest_first(client, svc, inbox, admin_token):
    svc.clock.pin(1_000_000)
    for subject in ("first", "second", "third"):
        await notify(client, admin_token, subject=subject)
        svc.clock.advance(1)
    listed = await call(client, "GET", "community/users/reader/notifications", inbox["reader"])
    assert [n["data"]["subject"] for n in listed["notifications"]] == ["third", "second", "first"]


async def test_notifications_as_jsonp(client, svc, inbox, admin_token):
    """The reference's own example asks for the notifications with a JSONP callback."""
    await notify(client, admin_token)
    reply = await client.get(f"{SHARING}/community/users/reader/notifications",
                             params={"f": "json", "callback": "dojo.io.script.jsonp_dojoIoScript1._jsonpCallback",
                                     "token": inbox["reader"]})
    assert reply.headers["content-type"].startswith("application/javascript")
    prefix = "/**/dojo.io.script.jsonp_dojoIoScript1._jsonpCallback("
    assert reply.text.startswith(prefix) and reply.text.endswith(");")
    body = json.loads(reply.text[len(prefix):-2])
    assert body["notifications"][0]["data"]["subject"] == "Hello"
    bad = await client.get(f"{SHARING}/community/users/reader/notifications",
                           params={"f": "json", "callback": "alert(1)//", "token": inbox["reader"]})
    assert bad.json()["error"]["message"] == "Invalid callback function name."


async def test_only_the_user_reads_or_deletes_their_notifications(client, svc, inbox, admin_token):
    await notify(client, admin_token)
    note_id = (await call(client, "GET", "community/users/reader/notifications", inbox["reader"]))[
        "notifications"][0]["id"]
    for token in (inbox["bystander"], admin_token):
        assert await call(client, "GET", "community/users/reader/notifications", token) == FORBIDDEN["sharing"]
        assert await call(client, "POST", f"community/users/reader/notifications/{note_id}/delete", token) == \
            FORBIDDEN["sharing"]
    # someone else's notification id, addressed through one's own user, is not found
    mine = await call(client, "POST", f"community/users/bystander/notifications/{note_id}/delete", inbox["bystander"])
    assert mine["error"]["code"] == 404
    assert await count_rows(svc, "notifications") == 1


async def test_create_notification_refusals_write_nothing(client, svc, inbox, admin_token):
    await accounts.create_org(svc, "Yonder", accounts.NewUser("yonderadmin", PASSWORD))
    yonder = await get_token(client, "yonderadmin", PASSWORD)
    cases = [
        ({"users": "reader,nobody_such"}, "users who are not members of this organization: nobody_such."),
        ({"users": "yonderadmin"}, "users who are not members of this organization: yonderadmin."),
        ({"subject": "<b></b>"}, "'subject' must be specified."),
        ({"message": ""}, "'message' must be specified."),
        ({"users": ""}, "'users' must be specified."),
        ({"notificationChannelType": "pigeon"}, "'notificationChannelType' must be one of: email, builtin, push."),
        ({"users": ",".join(f"u{i}" for i in range(1001))}, "'users' names more than 1000 users."),
    ]
    for data, detail in cases:
        body = await notify(client, admin_token, **data)
        assert body["error"]["code"] == 400 and any(detail in d for d in body["error"]["details"]), (data, body)
    assert await notify(client, yonder, portal=DEFAULT_ORG) == FORBIDDEN["sharing"]
    assert await notify(client, inbox["reader"]) == FORBIDDEN["sharing"]
    assert await count_rows(svc, "notifications") == 0
    assert await notify(client, admin_token, portal=DEFAULT_ORG.lower()) == {"success": True}


async def test_create_notification_to_a_private_org_by_an_outsider_is_not_found(client, svc, admin_token):
    from tests.conftest import set_org_access

    await accounts.create_org(svc, "Closed", accounts.NewUser("closedadmin", PASSWORD), access="private")
    closed = (await svc.db.read(user_store.user_by_username, "closedadmin")).org_id
    body = await notify(client, admin_token, portal=closed, users="closedadmin")
    assert body["error"]["message"] == "Portal does not exist or is inaccessible."
    await set_org_access(svc, closed, "public")
    assert await notify(client, admin_token, portal=closed, users="closedadmin") == FORBIDDEN["sharing"]


# ------------------------------------------------------------------ invitations
async def _invite(svc: Any, username: str, *, expires_in: int, sender: str | None = None) -> str:
    user = await svc.db.read(user_store.user_by_username, username)
    sent_by = await svc.db.read(user_store.user_by_username, sender) if sender else None
    invitation_id = "G" + new_id()
    now = svc.clock.now_ms()
    await svc.db.write(lambda c: invitation_store.insert_invitation(c, Invitation(
        id=invitation_id, user_id=user.id, target_type="group", target_id="ab" * 16,
        from_user_id=sent_by.id if sent_by else None, role="group_admin", must_approve=True, email=None,
        created=now, expiration=now + expires_in)))
    return invitation_id


async def test_invitations(client, svc, inbox):
    now = svc.clock.pin()
    live = await _invite(svc, "reader", expires_in=60_000, sender=ADMIN)
    await _invite(svc, "reader", expires_in=0)  # expired the moment it was made
    listed = await call(client, "GET", "community/users/reader/invitations", inbox["reader"])
    assert listed == {"userInvitations": [{
        "id": live, "targetType": "group", "targetId": "ab" * 16, "groupId": "ab" * 16,
        "received": now, "created": now, "expiration": now + 60_000,
        "accepted": False, "dateAccepted": -1, "mustApprove": True, "email": None, "role": "group_admin",
        "type": "user", "username": "reader", "fromUsername": {"username": ADMIN, "fullname": "Administrator"}}]}
    one = await call(client, "GET", f"community/users/reader/invitations/{live.lower()}", inbox["reader"])
    assert one == {**listed["userInvitations"][0], "group": {"id": "ab" * 16}}
    assert await call(client, "GET", f"community/users/reader/invitations/{live}", inbox["bystander"]) == \
        FORBIDDEN["sharing"]
    assert (await call(client, "GET", f"community/users/bystander/invitations/{live}", inbox["bystander"]))[
        "error"]["code"] == 404
    svc.clock.advance(60_000)  # expired now: neither listed nor readable
    assert await call(client, "GET", "community/users/reader/invitations", inbox["reader"]) == {"userInvitations": []}
    assert (await call(client, "GET", f"community/users/reader/invitations/{live}", inbox["reader"]))[
        "error"]["message"] == "Invitation does not exist or is inaccessible."


async def test_invitation_group_is_described_by_the_group_work(client, svc, inbox):
    from geoshare.domain import notifications

    live = await _invite(svc, "reader", expires_in=60_000)
    previous = notifications._describe_group[0]  # the group work's describer: put back after, whatever runs next
    notifications.set_group_describer(lambda conn, group_id: {"id": group_id, "title": "Described"})
    try:
        one = await call(client, "GET", f"community/users/reader/invitations/{live}", inbox["reader"])
    finally:
        notifications.set_group_describer(previous)
    assert one["group"] == {"id": "ab" * 16, "title": "Described"} and one["fromUsername"] is None


# ------------------------------------------------------------------ tags
def _tags_in_table(conn: Any, user_id: str) -> dict[str, int]:
    """A tag source reading a real table: the subjects of the user's notifications as tags."""
    counts: dict[str, int] = {}
    for note in notification_store.notifications_of(conn, user_id, 100):
        counts[note.data["subject"]] = counts.get(note.data["subject"], 0) + 1
    return counts


async def test_tags_come_from_the_registered_sources(client, svc, inbox, admin_token):
    assert await call(client, "GET", "community/users/reader/tags", inbox["reader"]) == {"tags": []}
    svc.clock.pin()
    # read back newest first: "lakes" comes before "Lakes", and the order must still put "Lakes" first
    for subject in ("Lakes", "roads", "roads", "lakes", "apple", "_under"):
        await notify(client, admin_token, subject=subject)
        svc.clock.advance(1)
    sources = list(users.TAG_SOURCES)
    users.register_tag_source(_tags_in_table)
    users.register_tag_source(lambda conn, uid: {"roads": 1, "bridges": 3})
    try:
        body = await call(client, "POST", "community/users/reader/tags", admin_token)
    finally:
        users.TAG_SOURCES[:] = sources
    # most used first; then by name ignoring case; then upper case before lower
    assert body == {"tags": [{"tag": "bridges", "count": 3}, {"tag": "roads", "count": 3},
                             {"tag": "_under", "count": 1}, {"tag": "apple", "count": 1},
                             {"tag": "Lakes", "count": 1}, {"tag": "lakes", "count": 1}]}
    assert await call(client, "GET", "community/users/reader/tags", inbox["bystander"]) == FORBIDDEN["sharing"]


# ------------------------------------------------------------------ properties
async def test_properties_default_set_and_replace(client, svc, inbox, admin_token):
    path = "community/users/reader"
    defaults = {"properties": {"landingPage": {"url": ""}, "mapViewer": "modern"}}
    assert await call(client, "GET", f"{path}/properties", inbox["reader"]) == defaults
    assert await call(client, "POST", f"{path}/setProperties", inbox["reader"],
                      properties=json.dumps({"landingPage": {"url": "home"}, "apps": [1]})) == {"success": True}
    assert await call(client, "GET", f"{path}/properties", admin_token) == \
        {"properties": {"landingPage": {"url": "home"}, "mapViewer": "modern", "apps": [1]}}
    await call(client, "POST", f"{path}/setProperties", admin_token, properties='{"mapViewer": "classic"}')
    assert (await call(client, "GET", f"{path}/properties", inbox["reader"]))["properties"] == \
        {"landingPage": {"url": ""}, "mapViewer": "classic"}
    assert await call(client, "GET", f"{path}/properties", inbox["bystander"]) == FORBIDDEN["sharing"]


async def test_set_properties_refusals_change_nothing(client, svc, inbox):
    before = await svc.db.read(user_store.user_by_username, "reader")
    # compact text within the parameter's limit that is one character too long once stored
    compact = '{"k":"' + "v" * (users.MAX_PROPERTIES_CHARS - 8) + '"}'
    assert len(compact) == users.MAX_PROPERTIES_CHARS
    cases = [("[1, 2]", "'properties' must be a JSON object."), ('{"a": ', "'properties' is not valid JSON."),
             ("", "'properties' must be specified."),
             (compact, "'properties' is larger than 65536 characters as JSON."),
             ("{ " + compact[1:], "'properties' is longer than 65536 characters.")]
    for value, detail in cases:
        body = await call(client, "POST", "community/users/reader/setProperties", inbox["reader"], properties=value)
        assert body["error"]["code"] == 400 and body["error"]["message"] == "Unable to set user properties."
        assert len(body["error"]["details"]) == 1 and detail in body["error"]["details"][0], (value[:20], body)
    assert await svc.db.read(user_store.user_by_username, "reader") == before
    fits = json.dumps({"k": "v" * (users.MAX_PROPERTIES_CHARS - 9)})
    assert len(fits) == users.MAX_PROPERTIES_CHARS
    svc.clock.pin(before.modified + 5000)
    assert await call(client, "POST", "community/users/reader/setProperties", inbox["reader"],
                      properties=fits) == {"success": True}
    assert (await svc.db.read(user_store.user_by_username, "reader")).modified == before.modified + 5000


# ------------------------------------------------------------------ info files
async def test_info_file_follows_profile_visibility(client, svc, inbox, admin_token):
    from tests.api.matrix_users import image_bytes

    png = image_bytes()
    await make_user(svc, "shy", PASSWORD, access="private")
    for who in ("reader", "shy"):
        reply = await client.post(f"{SHARING}/community/users/{who}/update", data={"f": "json", "token": admin_token},
                                  files={"thumbnail": ("face.png", png)})
        assert reply.json()["success"] is True
    reader = await svc.db.read(user_store.user_by_username, "reader")
    shy = await svc.db.read(user_store.user_by_username, "shy")
    public = await client.get(f"{SHARING}/community/users/reader/info/{reader.thumbnail}")
    assert public.content == png and public.headers["content-type"] == "image/png"
    assert public.headers["x-content-type-options"] == "nosniff"
    hidden = await client.get(f"{SHARING}/community/users/shy/info/{shy.thumbnail}", params={"f": "json"})
    assert hidden.json() == MISSING
    as_admin = await client.get(f"{SHARING}/community/users/shy/info/{shy.thumbnail}", params={"token": admin_token})
    assert as_admin.content == png
    for name in ("other.png", reader.thumbnail.upper(), "users"):
        missing = await client.get(f"{SHARING}/community/users/reader/info/{name}", params={"f": "json"})
        assert missing.json() == {"error": {"code": 404, "message": "Resource not found", "details": [
            f"'{name}' is not a file of this user."]}}, name


async def test_info_file_of_a_user_without_thumbnail(client, svc, inbox):
    body = (await client.get(f"{SHARING}/community/users/reader/info/none.png", params={"f": "json"})).json()
    assert body["error"]["code"] == 404


# ------------------------------------------------------------------ content listing
EMPTY = {"username": "reader", "total": 0, "start": 1, "num": 10, "nextStart": -1, "currentFolder": None,
         "items": [], "folders": []}


async def test_content_listing_of_a_user_with_no_content(client, svc, inbox, admin_token):
    assert await call(client, "GET", "content/users/reader", inbox["reader"]) == EMPTY
    assert await call(client, "GET", "content/users/READER", admin_token) == EMPTY
    # what arcgis's user.delete() sends
    sent = {"types": "", "sortField": "", "sortOrder": "", "folders": "true", "foldersContent": "true", "num": "50"}
    assert await call(client, "GET", "content/users/reader", admin_token, **sent) == {**EMPTY, "num": 50}
    assert await call(client, "GET", "content/users/reader", inbox["bystander"]) == FORBIDDEN["sharing"]
    assert await call(client, "GET", "content/users/nobody_here", admin_token) == MISSING


async def test_content_listing_paging_rules(client, svc, inbox):
    token = inbox["reader"]
    assert (await call(client, "GET", "content/users/reader", token, start="0"))["start"] == 1
    assert (await call(client, "GET", "content/users/reader", token, num="150"))["num"] == 100
    assert (await call(client, "GET", "content/users/reader", token, num="100"))["num"] == 100
    assert (await call(client, "GET", "content/users/reader", token, num="0"))["num"] == 0
    negative = await call(client, "GET", "content/users/reader", token, start="-1")
    assert negative["nextStart"] == -1 and negative["items"] == [] and negative["start"] == -1
    for bad in ({"num": "-1"}, {"start": "one"}, {"sortField": "color"}, {"sortOrder": "up"}, {"folders": "maybe"}):
        body = await call(client, "GET", "content/users/reader", token, **bad)
        assert body["error"]["code"] == 400, bad


async def test_content_listing_needs_view_items(client, svc, inbox):
    from tests.api.matrix_support import _custom_role_member

    await _custom_role_member(svc)
    custom = await get_token(client, "m_custom", PASSWORD)
    assert await call(client, "GET", "content/users/reader", custom) == FORBIDDEN["sharing"]
    assert (await call(client, "GET", "content/users/reader", None))["error"]["code"] == 499


async def test_child_resources_render_as_html(client, svc, inbox, admin_token):
    for path, token in (("community/users/reader/tags", admin_token), ("community/users/reader/properties", admin_token),
                        ("community/users/reader/notifications", inbox["reader"]),
                        ("community/users/reader/invitations", inbox["reader"]),
                        ("content/users/reader", admin_token)):
        page = await client.get(f"{SHARING}/{path}", params={"token": token})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html"), path
        assert 'class="error"' not in page.text, path
    form = await client.get(f"{SHARING}/community/users/reader/update", params={"token": admin_token})
    assert 'type="file" name="thumbnail"' in form.text and 'type="password" name="securityAnswer"' in form.text
    create = await client.get(f"{SHARING}/portals/self/createNotification", params={"token": admin_token})
    assert 'name="notificationChannelType"' in create.text
    assert DEFAULT_ORG
