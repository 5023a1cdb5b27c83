"""portals/self, community/self, community/users, languages, regions, organizations."""

from __future__ import annotations

import pytest

from geoshare.http.sharing.portals import public_port
from tests.conftest import SHARING, count_rows, get_token, make_org


async def test_portals_self_anonymous(client):
    body = (await client.get(f"{SHARING}/portals/self?f=json")).json()
    assert body["portalName"] and body["portalName"] != "ArcGIS Online"
    assert body["isPortal"] is True and body["portalMode"] == "singletenant"
    assert body["id"] == "0123456789ABCDEF" and body["currentVersion"] == "2024.1"
    assert "user" not in body and "allowedOrigins" not in body


async def test_portals_self_signed_in(client, admin_token):
    body = (await client.get(f"{SHARING}/portals/self", params={"f": "json", "token": admin_token})).json()
    user = body["user"]
    assert user["username"] == "admin" and user["orgId"] == body["id"]
    assert user["role"] == "org_admin" and "roleId" not in user
    assert any(":admin:" in p for p in user["privileges"])
    assert body["portalHostname"] == "testserver/portal"


async def test_portal_by_id(client, admin_token):
    body = (await client.get(f"{SHARING}/portals/0123456789ABCDEF?f=json")).json()
    assert body["id"] == "0123456789ABCDEF"
    missing = (await client.get(f"{SHARING}/portals/ZZZZZZZZZZZZZZZZ?f=json")).json()
    assert missing["error"]["code"] == 400


async def test_languages_and_regions_are_bare_arrays(client):
    languages = (await client.get(f"{SHARING}/portals/languages?f=json")).json()
    regions = (await client.get(f"{SHARING}/portals/regions?f=json")).json()
    assert isinstance(languages, list) and {"language", "culture", "localizedName"} <= set(languages[0])
    assert isinstance(regions, list) and "region" in regions[0]


async def test_community_self(client, admin_token):
    me = (await client.get(f"{SHARING}/community/self", params={"f": "json", "token": admin_token})).json()
    assert me["username"] == "admin" and me["groups"] == [] and "privileges" in me
    assert "password" not in repr(me).lower()


async def test_community_user_by_name_and_id(client, admin_token):
    me = (await client.get(f"{SHARING}/community/users/admin", params={"f": "json", "token": admin_token})).json()
    assert me["email"] is None and me["privileges"]
    by_id = (await client.get(f"{SHARING}/community/users/{me['id']}", params={"f": "json", "token": admin_token}))
    assert by_id.json()["username"] == "admin"
    upper = (await client.get(f"{SHARING}/community/users/ADMIN", params={"f": "json", "token": admin_token}))
    assert upper.json()["username"] == "admin"


async def test_unknown_user(client, admin_token):
    reply = (await client.get(f"{SHARING}/community/users/nobody", params={"f": "json", "token": admin_token})).json()
    assert reply["error"]["code"] == 400
    assert reply["error"]["message"] == "User does not exist or is inaccessible."


async def test_profiles_hidden_across_orgs_and_from_anonymous(client, admin_token):
    await make_org(client, admin_token, "Second", "second_admin")
    other = await get_token(client, "second_admin", "Other12345")
    hidden = (await client.get(f"{SHARING}/community/users/admin", params={"f": "json", "token": other})).json()
    assert hidden["error"]["message"] == "User does not exist or is inaccessible."
    anon = (await client.get(f"{SHARING}/community/users/admin?f=json")).json()
    assert anon["error"]["code"] == 400
    mine = (await client.get(f"{SHARING}/portals/self", params={"f": "json", "token": other})).json()
    assert mine["name"] == "Second" and mine["id"] != "0123456789ABCDEF" and mine["user"]["orgId"] == mine["id"]


async def test_create_org_rules(client, svc, admin_token):
    orgs_before, users_before = await count_rows(svc, "orgs"), await count_rows(svc, "users")
    weak = (await client.post("/portal/portaladmin/orgs/createOrg", data={
        "name": "Weak", "adminUsername": "weakadmin", "adminPassword": "short", "f": "json",
        "token": admin_token})).json()
    assert weak["error"]["code"] == 400
    dup_user = (await client.post("/portal/portaladmin/orgs/createOrg", data={
        "name": "Dup", "adminUsername": "admin", "adminPassword": "Other12345", "f": "json",
        "token": admin_token})).json()
    assert dup_user["error"]["code"] == 409
    assert (await count_rows(svc, "orgs"), await count_rows(svc, "users")) == (orgs_before, users_before)
    await make_org(client, admin_token, "Third", "third_admin")
    again = (await client.post("/portal/portaladmin/orgs/createOrg", data={
        "name": "third", "adminUsername": "third_admin2", "adminPassword": "Other12345", "f": "json",
        "token": admin_token})).json()
    assert again["error"]["code"] == 409
    third = await get_token(client, "third_admin", "Other12345")
    forbidden = (await client.post("/portal/portaladmin/orgs/createOrg", data={
        "name": "Fourth", "adminUsername": "fourth_admin", "adminPassword": "Other12345", "f": "json",
        "token": third})).json()
    assert forbidden["error"]["code"] == 403
    anonymous = (await client.post("/portal/portaladmin/orgs/createOrg", data={"name": "X", "f": "json"})).json()
    assert anonymous["error"]["code"] == 499
    listing = (await client.get("/portal/portaladmin/orgs", params={"f": "json", "token": admin_token})).json()
    assert [o["name"] for o in listing["orgs"]] == ["Test Org", "Third"]


async def test_private_portal_refuses_anonymous(client, svc, admin_token):
    from sqlalchemy import text

    await svc.db.write(lambda c: c.execute(text("UPDATE orgs SET access='private' WHERE is_default")))
    assert (await client.get(f"{SHARING}/community/users/admin?f=json")).json()["error"]["code"] == 499
    assert (await client.get(f"{SHARING}/portals/self?f=json")).json()["id"]
    assert "token" in (await client.post(f"{SHARING}/generateToken", data={
        "username": "admin", "password": "Admin12345", "f": "json"})).json()


@pytest.mark.parametrize(("public_url", "listening", "expected"), [
    ("", 7443, 7443), ("https://gis.example.org", 7443, 443), ("http://gis.example.org", 7443, 80),
    ("https://gis.example.org:8443/", 7443, 8443)])
def test_public_port(public_url, listening, expected):
    assert public_port(public_url, listening) == expected


async def test_ports_do_not_follow_the_host_header(client):
    reply = (await client.get(f"{SHARING}/portals/self", params={"f": "json"},
                              headers={"Host": "testserver:9999"})).json()
    assert reply["httpsPort"] == reply["httpPort"] == 7443
