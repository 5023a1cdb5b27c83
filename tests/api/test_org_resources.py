"""Organization resources (sharing-api.md §3.5): add, read, list, replace and remove, with the
blob store kept in step with the rows and nothing left behind by a refused or failed call."""

from __future__ import annotations

from geoshare.storage import org_resources as resource_store
from tests.api.org_support import NOT_FOUND, blob_files, call, image, member_with, snapshot
from tests.conftest import ADMIN, ADMIN_PASSWORD, DEFAULT_ORG, SHARING, get_token, make_org, make_user, portal

ADD = "portals/self/addResource"
MISSING = {"error": {"code": 404, "message": "Resource does not exist or is inaccessible.", "details": []}}


async def get(client, key, token=None, portal_id="self"):
    params = {"f": "json", **({"token": token} if token else {})}  # f=json: an error comes as JSON, bytes as bytes
    return await client.get(f"{SHARING}/portals/{portal_id}/resources/{key}", params=params)


async def listing(client, token=None, **params):
    return await call(client, "portals/self/resources", token, method="GET", **params)


async def test_text_and_file_resources_round_trip(client, svc, admin_token):
    assert await call(client, ADD, admin_token, key="config/app.json", text='{"a": 1}') == {"success": True}
    png = image()
    files = {"file": ("logo.png", png, "image/png")}
    # the Python client sends text="" along with the file: an empty text is no text
    assert await call(client, ADD, admin_token, files=files, key="images/logo.png", text="") == {"success": True}
    json_file = await get(client, "config/app.json")
    assert json_file.status_code == 200 and json_file.content == b'{"a": 1}'
    assert json_file.headers["content-type"] == "application/json"
    logo = await get(client, "images/logo.png")
    assert logo.content == png and logo.headers["content-type"] == "image/png"
    assert logo.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in logo.headers["content-security-policy"]
    body = await listing(client)
    assert body["total"] == 2 and body["nextStart"] == -1
    assert [(r["key"], r["size"], r["access"]) for r in body["resources"]] == [
        ("config/app.json", 8, "public"), ("images/logo.png", len(png), "public")]
    assert all(isinstance(r["created"], int) for r in body["resources"])


async def test_keys_of_many_segments(client, admin_token):
    deep = "/".join(f"d{i}" for i in range(15)) + "/f.txt"  # 16 segments: the most that is routed
    assert await call(client, ADD, admin_token, key=deep, text="deep") == {"success": True}
    assert (await get(client, deep)).content == b"deep"
    too_deep = "/".join(f"d{i}" for i in range(16)) + "/f.txt"
    assert "'key'" in (await call(client, ADD, admin_token, key=too_deep, text="x"))["error"]["details"][0]


async def test_html_resources_cannot_run_as_portal_pages(client, admin_token):
    await call(client, ADD, admin_token, key="page.html", text="<script>alert(document.cookie)</script>")
    page = await get(client, "page.html")
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    policy = page.headers["content-security-policy"]
    assert "sandbox" in policy and "default-src 'none'" in policy and "script" not in policy


async def test_private_resources_are_for_website_administrators(client, svc, admin_token):
    await make_user(svc, "plain", "Member12345")
    member = await get_token(client, "plain", "Member12345")
    website = await member_with(svc, client, "web_admin", "portal:admin:manageWebsite")
    viewer_admin = await member_with(svc, client, "view_admin", "portal:admin:viewUsers")
    await call(client, ADD, admin_token, key="secret.txt", text="s", access="private")
    await call(client, ADD, admin_token, key="open.txt", text="o")
    for token in (None, member, viewer_admin):
        assert [r["key"] for r in (await listing(client, token))["resources"]] == ["open.txt"]
        assert (await listing(client, token))["total"] == 1
        assert (await get(client, "secret.txt", token)).json() == MISSING
    for token in (admin_token, website):
        assert [r["key"] for r in (await listing(client, token))["resources"]] == ["open.txt", "secret.txt"]
        assert (await get(client, "secret.txt", token)).content == b"s"
    assert (await get(client, "never-added.txt", admin_token)).json() == MISSING


async def test_replacing_a_key_keeps_one_row_and_one_blob(client, svc, admin_token):
    await call(client, ADD, admin_token, key="a.txt", text="first")
    first_blobs = blob_files(svc)
    await call(client, ADD, admin_token, key="a.txt", text="second, longer", access="private")
    _, rows, blobs = await snapshot(svc)
    assert [(r["key"], r["size"], r["access"]) for r in rows] == [("a.txt", 14, "private")]
    assert len(blobs) == 1 and blobs != first_blobs
    assert (await get(client, "a.txt", admin_token)).content == b"second, longer"


BAD = [
    ({"key": "../escape.txt", "text": "x"}, "'key'"),
    ({"key": "a/../b.txt", "text": "x"}, "'key'"),
    ({"key": "a//b.txt", "text": "x"}, "'key'"),
    ({"key": "/abs.txt", "text": "x"}, "'key'"),
    ({"key": "dir/", "text": "x"}, "'key'"),
    ({"key": "a\\b.txt", "text": "x"}, "'key'"),
    ({"key": "a?b.txt", "text": "x"}, "'key'"),
    ({"key": "a\x01b.txt", "text": "x"}, "'key'"),
    ({"key": "k" * 513, "text": "x"}, "'key' is longer than 512"),
    ({"key": "a.txt"}, "'file' or 'text' must be specified."),
    ({"key": "a.txt", "text": ""}, "'file' or 'text' must be specified."),
    ({"text": "x"}, "'key' must be specified."),
    ({"key": "a.txt", "text": "x", "access": "shared"}, "'access' must be one of"),
]


async def test_bad_additions_change_nothing(client, svc, admin_token, subtests):
    await call(client, ADD, admin_token, key="keep.txt", text="keep")
    for params, detail in BAD:
        with subtests.test(**{k: v[:40] for k, v in params.items()}):
            before = await snapshot(svc)
            reply = await call(client, ADD, admin_token, **params)
            assert reply["error"]["code"] == 400 and any(detail in d for d in reply["error"]["details"]), reply
            assert await snapshot(svc) == before


async def test_file_and_text_together_are_refused(client, svc, admin_token):
    before = await snapshot(svc)
    reply = await call(client, ADD, admin_token, files={"file": ("a.txt", b"file", "text/plain")}, key="a.txt",
                       text="text")
    assert reply["error"]["details"] == ["Send either 'file' or 'text', not both."]
    assert await snapshot(svc) == before


async def test_keys_at_the_length_limit(client, admin_token):
    key = "k" * 508 + ".txt"
    assert await call(client, ADD, admin_token, key=key, text="x") == {"success": True}
    assert (await get(client, key)).content == b"x"


async def test_a_resource_larger_than_the_body_limit_is_refused(settings):
    async with portal(settings, max_body_bytes=4096) as http:
        token = await get_token(http, ADMIN, ADMIN_PASSWORD)
        before = await snapshot(http.svc)
        reply = await http.post(f"{SHARING}/{ADD}", data={"f": "json", "token": token, "key": "big.txt"},
                                files={"file": ("big.txt", b"x" * 5000, "text/plain")})
        assert reply.json()["error"]["code"] == 413
        assert await snapshot(http.svc) == before
        small = await http.post(f"{SHARING}/{ADD}", data={"f": "json", "token": token, "key": "small.txt"},
                                files={"file": ("small.txt", b"x" * 3000, "text/plain")})
        assert small.json() == {"success": True}


async def test_a_failed_row_write_deletes_the_new_blob(client, svc, admin_token, monkeypatch):
    await call(client, ADD, admin_token, key="keep.txt", text="keep")
    before = await snapshot(svc)

    def broken(conn, resource):
        raise RuntimeError("disk full")

    monkeypatch.setattr(resource_store, "put_resource", broken)
    reply = await call(client, ADD, admin_token, key="keep.txt", text="new")
    assert reply["error"]["code"] == 500
    assert await snapshot(svc) == before


async def test_remove(client, svc, admin_token):
    await call(client, ADD, admin_token, key="a.txt", text="a")
    await call(client, ADD, admin_token, key="b.txt", text="b")
    assert await call(client, "portals/self/removeResource", admin_token, key="a.txt") == {"success": True}
    _, rows, blobs = await snapshot(svc)
    assert [r["key"] for r in rows] == ["b.txt"] and len(blobs) == 1
    assert (await get(client, "a.txt")).json() == MISSING
    before = await snapshot(svc)
    reply = await call(client, "portals/self/removeResource", admin_token, key="a.txt")
    assert reply == {"error": {"code": 400, "message": "Resource does not exist or is inaccessible.", "details": []}}
    assert await snapshot(svc) == before


async def test_removing_the_thumbnail_unsets_it(client, svc, admin_token):
    await call(client, "portals/self/update", admin_token, files={"thumbnail": ("t.png", image(), "image/png")})
    assert await call(client, "portals/self/removeResource", admin_token, key="thumbnail.png") == {"success": True}
    org, rows, blobs = await snapshot(svc)
    assert org.thumbnail is None and rows == [] and blobs == []


PAGES = [
    ({}, (12, 1, 10, 11, 10)),
    ({"num": "5"}, (12, 1, 5, 6, 5)),
    ({"start": "0", "num": "5"}, (12, 1, 5, 6, 5)),
    ({"start": "11", "num": "5"}, (12, 11, 5, -1, 2)),
    ({"start": "12", "num": "1"}, (12, 12, 1, -1, 1)),
    ({"start": "11", "num": "1"}, (12, 11, 1, 12, 1)),
    ({"start": "13"}, (12, 13, 10, -1, 0)),
    ({"start": "-1"}, (12, -1, 10, -1, 0)),
    ({"num": "0"}, (12, 1, 0, -1, 0)),
    ({"num": "-3"}, (12, 1, 0, -1, 0)),
    ({"num": "500"}, (12, 1, 100, -1, 12)),
]


async def test_paging(client, admin_token, subtests):
    for i in range(12):
        await call(client, ADD, admin_token, key=f"r{i:02}.txt", text=str(i))
    for params, expected in PAGES:
        with subtests.test(**params):
            body = await listing(client, **params)
            assert (body["total"], body["start"], body["num"], body["nextStart"], len(body["resources"])) == expected
            if body["resources"]:
                assert body["resources"][0]["key"] == f"r{body['start'] - 1:02}.txt"


async def test_paging_parameters_must_be_integers(client):
    reply = await listing(client, start="one")
    assert reply["error"]["details"] == ["'start' must be an integer."]


async def test_other_organizations(client, svc, admin_token):
    other = await make_org(client, admin_token, "Second Org", "second_admin")
    theirs = await get_token(client, "second_admin", "Other12345")
    await call(client, ADD, theirs, key="their.txt", text="theirs")
    before = await snapshot(svc)
    assert await call(client, f"portals/{other['org']['id']}/addResource", admin_token, key="x.txt",
                      text="x") == NOT_FOUND
    assert await call(client, f"portals/{other['org']['id']}/removeResource", admin_token,
                      key="their.txt") == NOT_FOUND
    assert await snapshot(svc) == before
    # a public organization's public resources are readable by anyone
    assert (await get(client, "their.txt", None, other["org"]["id"])).content == b"theirs"
    assert (await get(client, "their.txt", admin_token)).json() == MISSING  # not in our organization


async def test_private_default_organization_still_serves_public_resources(client, admin_token):
    await call(client, ADD, admin_token, key="logo.txt", text="logo")
    await call(client, "portals/self/update", admin_token, access="private")
    assert (await get(client, "logo.txt")).content == b"logo"
    assert (await listing(client))["error"]["code"] == 499


async def test_security_administrators_do_not_manage_resources(client, svc):
    security = await member_with(svc, client, "sec_admin", "portal:admin:manageSecurity")
    before = await snapshot(svc)
    assert (await call(client, ADD, security, key="a.txt", text="a"))["error"]["code"] == 403
    assert await snapshot(svc) == before
    assert DEFAULT_ORG
