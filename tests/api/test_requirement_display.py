"""Each operation's declared requirement is shown where people and tools look: its HTML page,
the directory's list of operations, the OpenAPI document and the generated operations table."""

from __future__ import annotations

from tests.conftest import ADMIN_PASSWORD, get_token

PORTALADMIN = "/portal/portaladmin"


async def test_operation_page_names_the_requirement(client):
    token = await get_token(client, "admin", ADMIN_PASSWORD)
    page = (await client.get(f"{PORTALADMIN}/orgs/createOrg", params={"token": token})).text
    assert "Requires: a full administrator of the default organization (site-admin)" in page


async def test_directory_lists_what_each_operation_requires(client):
    token = await get_token(client, "admin", ADMIN_PASSWORD)
    page = (await client.get(f"{PORTALADMIN}/orgs", params={"token": token, "f": "html"})).text
    assert ('createOrg</a> <small class="requires">requires a full administrator of the default organization'
            '</small>') in page


async def test_public_operations_show_no_requirement_in_lists(client):
    page = (await client.get("/portal/sharing/rest", params={"f": "html"})).text
    assert 'generateToken</a></li>' in page


async def test_openapi_carries_the_permission(client):
    doc = (await client.get("/-/openapi.json")).json()
    create = doc["paths"]["/portal/portaladmin/orgs/createOrg"]["post"]
    assert create["x-geoshare-permission"] == "site-admin"
    assert create["description"] == "Requires: a full administrator of the default organization."
    assert "x-geoshare-privileges" not in create
    token = doc["paths"]["/portal/sharing/rest/generateToken"]["post"]
    assert token["x-geoshare-permission"] == "public" and "security" not in token
