"""content/users/{u} and content/users/{u}/{folderId} (sharing-api.md §6.2, clients.md §3.1, §4.2,
§7): the listing's shape, folders, foldersContent, paging, sorting and who may list."""

from __future__ import annotations

from typing import Any

import pytest

from geoshare.domain.services import new_id
from tests.api.content_support import folder_id, people, put_item_in
from tests.api.org_support import call
from tests.conftest import make_item, make_user


@pytest.fixture
async def tokens(client, svc, admin_token) -> dict[str, str]:
    return await people(client, svc, admin_token)


async def listing(client, token, path="content/users/alice", method="GET", **params) -> Any:
    return await call(client, path, token, method=method, **params)


async def test_root_listing_shows_root_items_and_every_folder(client, svc, tokens):
    svc.clock.pin(1_700_000_000_000)
    fid = await folder_id(client, tokens["alice"], "alice", "Projects")
    root = await make_item(svc, "alice", "Root map")
    inner = await make_item(svc, "alice", "Inner map")
    await put_item_in(svc, inner.id, fid)
    await make_item(svc, "bob", "Bob's map")
    body = await listing(client, tokens["alice"])
    assert {k: body[k] for k in ("username", "total", "start", "num", "nextStart", "currentFolder")} == {
        "username": "alice", "total": 1, "start": 1, "num": 10, "nextStart": -1, "currentFolder": None}
    assert [(i["id"], i["ownerFolder"], i["itemControl"]) for i in body["items"]] == [(root.id, None, "admin")]
    assert body["folders"] == [{"username": "alice", "id": fid, "title": "Projects", "created": 1_700_000_000_000}]


async def test_folder_listing_shows_its_items_only(client, svc, tokens):
    fid = await folder_id(client, tokens["alice"], "alice", "Projects")
    await make_item(svc, "alice", "Root map")
    inner = await make_item(svc, "alice", "Inner map")
    await put_item_in(svc, inner.id, fid)
    body = await listing(client, tokens["alice"], f"content/users/alice/{fid}", sortOrder="asc", num="99", start="1")
    assert [i["id"] for i in body["items"]] == [inner.id] and body["items"][0]["ownerFolder"] == fid
    assert body["currentFolder"]["id"] == fid and body["currentFolder"]["title"] == "Projects"
    assert body["folders"] == [] and body["num"] == 99 and body["total"] == 1


async def test_folders_content_lists_every_folder(client, svc, tokens):
    """The Python client's user.delete() reads this to decide whether the user owns content."""
    fid = await folder_id(client, tokens["alice"], "alice", "Projects")
    a = await make_item(svc, "alice", "A")
    b = await make_item(svc, "alice", "B")
    await put_item_in(svc, b.id, fid)
    body = await listing(client, tokens["admin"], folders="true", foldersContent="true", num="50")
    assert sorted(i["id"] for i in body["items"]) == sorted([a.id, b.id]) and body["total"] == 2
    empty = await listing(client, tokens["admin"], "content/users/bob", folders="true", foldersContent="true")
    assert empty["items"] == [] and empty["total"] == 0


async def test_unknown_folder(client, svc, tokens):
    bobs = await folder_id(client, tokens["bob"], "bob", "Bob's")
    for fid in (new_id(), bobs, "x"):
        body = await listing(client, tokens["alice"], f"content/users/alice/{fid}")
        assert body == {"error": {"code": 400, "message": "Folder does not exist or is inaccessible.",
                                  "details": []}}


async def test_paging_and_sorting(client, svc, tokens):
    for n, title in enumerate(["delta", "Alpha", "charlie", "Bravo", "echo"]):
        svc.clock.pin(1_700_000_000_000 + n)
        await make_item(svc, "alice", title, size=10 - n)
    titles = lambda body: [i["title"] for i in body["items"]]  # noqa: E731
    body = await listing(client, tokens["alice"], sortField="title", sortOrder="asc", num="2")
    assert titles(body) == ["Alpha", "Bravo"] and (body["total"], body["nextStart"]) == (5, 3)
    body = await listing(client, tokens["alice"], sortField="title", sortOrder="asc", num="2", start="5")
    assert titles(body) == ["echo"] and body["nextStart"] == -1
    assert titles(await listing(client, tokens["alice"], sortField="created", sortOrder="desc"))[0] == "echo"
    assert titles(await listing(client, tokens["alice"], sortField="size"))[0] == "echo"
    assert titles(await listing(client, tokens["alice"], start="-1")) == []
    body = await listing(client, tokens["alice"], num="500")
    assert body["num"] == 100 and len(body["items"]) == 5
    assert (await listing(client, tokens["alice"], sortField="owner"))["error"]["code"] == 400


async def test_who_may_list(client, svc, tokens):
    assert (await listing(client, tokens["bob"]))["error"]["code"] == 403
    assert (await listing(client, None))["error"]["code"] == 499
    assert (await listing(client, tokens["admin"]))["username"] == "alice"
    await make_user(svc, "hidden", "Member12345", access="private")
    body = await listing(client, tokens["bob"], "content/users/hidden")
    assert body["error"]["message"] == "User does not exist or is inaccessible."
    assert await listing(client, tokens["bob"], "content/users/nobody") == body


async def test_view_items_privilege_admits_and_stops_at_the_organization(client, svc, tokens):
    from geoshare.domain import accounts
    from tests.api.org_support import member_with
    from tests.conftest import get_token

    viewer_admin = await member_with(svc, client, "va", "portal:admin:viewItems")
    assert (await listing(client, viewer_admin))["username"] == "alice"
    plain = await member_with(svc, client, "nopriv")
    assert (await listing(client, plain))["error"]["code"] == 403
    await accounts.create_org(svc, "Other", accounts.NewUser("other_admin", "Member12345"))
    other = await get_token(client, "other_admin", "Member12345")
    assert (await listing(client, other))["error"]["code"] in (400, 403)
