"""The §3.7 resources clients read: subscriptionInfo, settings, isServiceNameAvailable, servers,
purchases and appBundles (sharing-api.md §3.7 and its errata)."""

from __future__ import annotations

import pytest

from tests.api.org_support import NOT_FOUND, call
from tests.conftest import DEFAULT_ORG, get_token, make_org, make_user


async def test_subscription_info(client, admin_token):
    body = await call(client, "portals/self/subscriptionInfo", admin_token, method="GET")
    assert body == {"id": DEFAULT_ORG, "type": "Enterprise", "state": "active", "expDate": -1, "maxUsers": -1,
                    "maxUsersPerLevel": {}, "userLicenseTypes": {}, "availableCredits": -1, "orgCapabilities": []}


async def test_settings_follow_the_update(client, admin_token):
    default = await call(client, "portals/self/settings", None, method="GET")
    assert default["allowedRedirectUris"] == [] and default["helperServices"] == {}
    assert default["informationalBanner"] == {"enabled": False}
    assert default["defaultExtent"]["spatialReference"] == {"wkid": 102100}
    await call(client, "portals/self/update", admin_token, allowedRedirectUris="https://app.example.org/cb",
               geometryService='{"url": "https://g.example.org"}', defaultExtent='{"xmin": 0}',
               informationalBanner='{"enabled": true, "text": "Maintenance"}')
    assert await call(client, f"portals/{DEFAULT_ORG}/settings", None, method="GET") == {
        "allowedRedirectUris": ["https://app.example.org/cb"], "defaultExtent": {"xmin": 0},
        "helperServices": {"geometry": {"url": "https://g.example.org"}},
        "informationalBanner": {"enabled": True, "text": "Maintenance"}}


@pytest.mark.parametrize(("params", "expected"), [
    ({"name": "Parcels_2024", "type": "Feature Service"}, {"available": True}),
    ({"name": "tiles", "type": "vector tile service"}, {"available": True}),
    ({"name": "bad name", "type": "Feature Service"}, "'name' has letters, digits and underscores only."),
    ({"name": "bad-name", "type": "Feature Service"}, "'name' has letters, digits and underscores only."),
    ({"name": "név", "type": "Feature Service"}, "'name' has letters, digits and underscores only."),
    ({"name": "ok", "type": "Geoprocessing Thing"}, "'type' must be one of"),
    ({"type": "Feature Service"}, "'name' must be specified."),
    ({"name": "ok"}, "'type' must be specified."),
])
async def test_is_service_name_available(client, admin_token, params, expected):
    body = await call(client, "portals/self/isServiceNameAvailable", admin_token, method="GET", **params)
    if isinstance(expected, dict):
        assert body == expected
    else:
        assert body["error"]["code"] == 400 and body["error"]["details"][0].startswith(expected), body


async def test_purchases_app_bundles_and_servers(client, svc, admin_token):
    await make_user(svc, "plain", "Member12345")
    member = await get_token(client, "plain", "Member12345")
    for token in (admin_token, member):
        for status in ("active", "expired", "all"):
            body = await call(client, "portals/self/purchases", token, method="GET", status=status)
            assert body == {"purchases": [], "trials": []}
        assert await call(client, "portals/self/appBundles", token, method="GET", num="100",
                          start="1") == {"appBundles": [], "nextStart": -1}
        assert await call(client, "portals/self/servers", token) == {"servers": []}
    bad = await call(client, "portals/self/purchases", admin_token, method="GET", status="pending")
    assert bad["error"]["details"][0].startswith("'status' must be one of")
    assert (await call(client, "portals/self/appBundles", admin_token, method="GET", num="x"))["error"]["code"] == 400


async def test_other_organizations_are_not_found(client, admin_token):
    other = await make_org(client, admin_token, "Second Org", "second_admin")
    org_id = other["org"]["id"]
    for path in ("subscriptionInfo", "servers", "purchases", "appBundles"):
        assert await call(client, f"portals/{org_id}/{path}", admin_token, method="GET") == NOT_FOUND, path
    assert await call(client, f"portals/{org_id}/isServiceNameAvailable", admin_token, method="GET", name="x",
                      type="Map Service") == NOT_FOUND
    # settings are public for a public organization, hidden for a private one
    assert "allowedRedirectUris" in await call(client, f"portals/{org_id}/settings", None, method="GET")
    theirs = await get_token(client, "second_admin", "Other12345")
    await call(client, "portals/self/update", theirs, access="private")
    assert await call(client, f"portals/{org_id}/settings", None, method="GET") == NOT_FOUND
