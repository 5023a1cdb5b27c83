"""/arcgis: admin root, info, rest/info, healthCheck, and their error envelopes."""

from __future__ import annotations


async def test_admin_root_needs_token(client):
    reply = (await client.get("/arcgis/admin?f=json")).json()
    assert reply["status"] == "error" and reply["code"] == 499
    bad = (await client.get("/arcgis/admin", params={"f": "json", "token": "bogus"})).json()
    assert bad == {"status": "error", "messages": ["Invalid Token"], "code": 498}


async def test_admin_root_and_info(client, admin_token):
    root = (await client.get("/arcgis/admin", params={"f": "json", "token": admin_token})).json()
    assert "info" in root["resources"] and isinstance(root["currentVersion"], float)
    info = (await client.get("/arcgis/admin/info", params={"f": "json", "token": admin_token})).json()
    assert info["loggedInUser"] == "admin" and info["loggedInUserPrivilege"] == "ADMINISTER"


async def test_rest_info(client):
    body = (await client.get("/arcgis/rest/info?f=json")).json()
    assert body["authInfo"]["tokenServicesUrl"] == "http://testserver/arcgis/tokens/generateToken"
    assert body["authInfo"]["isTokenBasedSecurity"] is True and "owningSystemUrl" not in body
    assert (await client.get("/arcgis/rest/info/healthcheck?f=json")).json() == {"success": True}


async def test_rest_tree_token_texts(client):
    bad = (await client.get("/arcgis/rest/info", params={"f": "json", "token": "bogus"})).json()
    assert bad["error"]["code"] == 498 and bad["error"]["message"] == "Invalid Token"


async def test_unknown_admin_path(client, admin_token):
    reply = (await client.get("/arcgis/admin/nothing", params={"f": "json", "token": admin_token})).json()
    assert reply["status"] == "error" and reply["code"] == 404
