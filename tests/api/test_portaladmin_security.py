"""The portaladmin root and security tree (portal-admin-api.md §2.1, §3.1–3.4) and the
new-member defaults of the sharing API (sharing-api.md §3.7): one stored record read through
both, merge semantics, the identity-store operations, and nothing changed by a refusal."""

from __future__ import annotations

import json
import re

import pytest

from geoshare.domain import members, privileges
from geoshare.domain.privileges import VIEWER_ROLE_ID
from tests.api.members_support import (
    PA,
    custom_caller,
    custom_role,
    error,
    get,
    post,
    snapshot,
    stored_user,
)
from tests.conftest import DEFAULT_ORG, SHARING, get_token, make_org, make_user

CONFIG = f"{PA}/security/config"
UPDATE = f"{CONFIG}/update"
DEFAULTS = f"{SHARING}/portals/self/userDefaultSettings"
SET_DEFAULTS = f"{SHARING}/portals/self/setUserDefaultSettings"
SPEC_CONFIG = {  # portal-admin-api.md §3.2, the defaults
    "disableServicesDirectory": False, "enableAutomaticAccountCreation": False, "allowedProxyHosts": "",
    "defaultRoleForUser": "org_user", "defaultUserTypeIdForUser": "creatorUT", "defaultIDPUsernameSuffix": "",
    "contentSecurityPolicy": {"home": "", "apps": "", "sharing": ""}, "webgisServerTrustKey": "",
    "userStoreConfig": {"type": "BUILTIN", "properties": {}}, "groupStoreConfig": {"type": "BUILTIN", "properties": {}},
}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


# ---------------------------------------------------------------- root and security
async def test_the_root_for_a_site_administrator_and_for_a_custom_role(client, svc, admin_token):
    root = await get(client, PA, admin_token)
    assert root == {"version": "11.3.0", "currentbuild": "11.3.0.51575", "isPortalLicensed": True,
                    "isLicensePopulated": True, "isLicenseFileRequired": False, "isUserTypeLicensing": True,
                    "isPostUpgrade": False, "siteKey": root["siteKey"], "resources": ["security", "orgs"],
                    "currentVersion": "2024.1", "isPortal": True}
    assert UUID.match(root["siteKey"])
    custom = await custom_caller(client, svc, "m_custom", ["portal:admin:viewUsers"])
    seen = await get(client, PA, custom)
    assert (seen["resources"], seen["siteKey"]) == (["security"], root["siteKey"])  # one key per deployment
    await make_org(client, admin_token, "Other", "other_boss")
    other = await get(client, PA, await get_token(client, "other_boss", "Other12345"))
    assert (other["resources"], other["siteKey"]) == (["security"], root["siteKey"])


async def test_security_lists_what_exists(client, admin_token):
    assert await get(client, f"{PA}/security", admin_token) == {"resources": ["users", "config"]}
    page = await client.get(f"{PA}/security", params={"token": admin_token})
    assert page.status_code == 200 and f'href="{PA}/security/config"' in page.text


async def test_the_default_configuration(client, admin_token):
    assert await get(client, CONFIG, admin_token) == SPEC_CONFIG
    assert await get(client, DEFAULTS, admin_token) == {"role": "org_user", "userLicenseType": "creatorUT",
                                                        "groups": []}


# ---------------------------------------------------------------- security/config/update
async def test_update_merges(client, svc, admin_token):
    config = {"allowedProxyHosts": "maps.example.org, (.*).example.com",
              "contentSecurityPolicy": {"home": "default-src 'self'"}}
    assert await post(client, UPDATE, admin_token, securityConfig=json.dumps(config)) == {"status": "success"}
    assert await post(client, UPDATE, admin_token, disableServicesDirectory="true",
                      enableAutomaticAccountCreation="true") == {"status": "success"}
    assert await get(client, CONFIG, admin_token) == {
        **SPEC_CONFIG, "allowedProxyHosts": "maps.example.org,(.*).example.com", "disableServicesDirectory": True,
        "enableAutomaticAccountCreation": True,
        "contentSecurityPolicy": {"home": "default-src 'self'", "apps": "", "sharing": ""}}


async def test_a_configuration_read_back_can_be_sent_back(client, admin_token):
    """arcgis' setter posts the whole document it read, store configs and trust key included."""
    config = await get(client, CONFIG, admin_token)
    config.update(enableAutomaticAccountCreation="true", defaultRoleForUser="account_publisher")
    assert await post(client, UPDATE, admin_token, securityConfig=json.dumps(config)) == {"status": "success"}
    again = await get(client, CONFIG, admin_token)
    assert (again["enableAutomaticAccountCreation"], again["defaultRoleForUser"]) == (True, "org_publisher")


async def test_the_defaults_are_one_record(client, svc, admin_token):
    await custom_role(svc, "cPublishers00001", list(privileges.PUBLISHER))
    await post(client, UPDATE, admin_token, defaultRoleForUser="cPublishers00001",
               defaultUserTypeIdForUser="gisprofessionalbasicut")
    assert await get(client, DEFAULTS, admin_token) == {"role": "cPublishers00001",
                                                        "userLicenseType": "GISProfessionalBasicUT", "groups": []}
    assert await post(client, SET_DEFAULTS, admin_token, role="viewer", userLicenseType="viewerUT",
                      userType="arcgisonly") == {"success": True}
    config = await get(client, CONFIG, admin_token)
    assert (config["defaultRoleForUser"], config["defaultUserTypeIdForUser"]) == (VIEWER_ROLE_ID, "viewerUT")
    assert await get(client, DEFAULTS, admin_token) == {"role": VIEWER_ROLE_ID, "userLicenseType": "viewerUT",
                                                        "groups": [], "userType": "arcgisonly"}
    assert await post(client, f"{DEFAULTS}/delete", admin_token) == {"success": True}
    assert await get(client, CONFIG, admin_token) == SPEC_CONFIG
    assert await get(client, DEFAULTS, admin_token) == {"role": "org_user", "userLicenseType": "creatorUT",
                                                        "groups": []}


async def test_set_defaults_keeps_what_is_not_given_unless_cleared(client, admin_token):
    await post(client, SET_DEFAULTS, admin_token, role="org_publisher", userLicenseType="GISProfessionalAdvUT")
    await post(client, SET_DEFAULTS, admin_token, role="org_user")
    assert await get(client, DEFAULTS, admin_token) == {"role": "org_user", "userLicenseType": "GISProfessionalAdvUT",
                                                        "groups": []}
    await post(client, SET_DEFAULTS, admin_token, role="org_publisher", clearEmptyFields="true")
    assert await get(client, DEFAULTS, admin_token) == {"role": "org_publisher", "userLicenseType": "creatorUT",
                                                        "groups": []}


CONFIG_REFUSALS = [
    ("unknown role", {"defaultRoleForUser": "cNoSuchRole00001"}, (
        400, "Invalid role.", ["'defaultRoleForUser': the role 'cNoSuchRole00001' does not exist in this organization."])),
    ("type does not fit", {"defaultUserTypeIdForUser": "viewerUT"}, (
        400, "The user type does not allow this role.", ["User type 'viewerUT' cannot hold the role 'org_user'."])),
    ("unknown type", {"securityConfig": '{"defaultUserTypeIdForUser": "godUT"}'}, (
        400, "Invalid user type.", ["'defaultUserTypeIdForUser' must be one of " + ", ".join(privileges.USER_TYPES) + "."])),
    ("unknown member", {"securityConfig": '{"enableSelfSignup": true, "zzz": 1}'}, (
        400, "Invalid security configuration.", ["Unknown member 'enableSelfSignup'.", "Unknown member 'zzz'."])),
    ("not an object", {"securityConfig": "[1, 2]"}, (
        400, "Unable to update the security configuration.", ["'securityConfig' must be a JSON object."])),
    ("not JSON", {"securityConfig": "{nope"}, (
        400, "Unable to update the security configuration.", ["'securityConfig' is not valid JSON."])),
    ("boolean as a number", {"securityConfig": '{"disableServicesDirectory": 1}'}, (
        400, "Invalid security configuration.", ["'disableServicesDirectory' must be true or false."])),
    ("bad boolean", {"enableAutomaticAccountCreation": "yes"}, (
        400, "Unable to update the security configuration.", ["'enableAutomaticAccountCreation' must be true or false."])),
    ("bad proxy host", {"allowedProxyHosts": "maps.example.org, not a host"}, (
        400, "Invalid security configuration.", ["'allowedProxyHosts': not a host name or pattern: not a host"])),
    ("bad CSP", {"securityConfig": '{"contentSecurityPolicy": {"admin": "x"}}'}, (
        400, "Invalid security configuration.", ["'contentSecurityPolicy' must be an object with home, apps, sharing."])),
    ("role as a number", {"securityConfig": '{"defaultRoleForUser": 5}'}, (
        400, "Invalid security configuration.", ["'defaultRoleForUser' must be text."])),
]


@pytest.mark.parametrize(("params", "expected"), [r[1:] for r in CONFIG_REFUSALS], ids=[r[0] for r in CONFIG_REFUSALS])
async def test_update_refusals_change_nothing(client, svc, admin_token, params, expected):
    await post(client, UPDATE, admin_token, allowedProxyHosts="kept.example.org")
    before = await snapshot(svc)
    assert error(await post(client, UPDATE, admin_token, **params)) == expected
    assert await snapshot(svc) == before


DEFAULTS_REFUSALS = [
    ("groups", {"groups": '["43c2c91a304b44b59e5f8e871294069c"]'}, (
        400, "Group does not exist or is inaccessible.", ["'groups': 43c2c91a304b44b59e5f8e871294069c"])),
    ("groups not a list", {"groups": '{"a": 1}'}, (
        400, "Group does not exist or is inaccessible.", ["'groups' must be a JSON array."])),
    ("apps", {"apps": '[{"itemId": "f761dd0f298944dcab22d1e888c60293"}]'}, (
        400, "App licenses are not available on this portal.",
        ["'apps': {'itemId': 'f761dd0f298944dcab22d1e888c60293'}"])),
    ("unknown role", {"role": "org_owner"}, (
        400, "Invalid role.", ["'role': the role 'org_owner' does not exist in this organization."])),
    ("type does not fit", {"role": "org_admin", "userLicenseType": "editorUT"}, (
        400, "The user type does not allow this role.", ["User type 'editorUT' cannot hold the role 'org_admin'."])),
    ("unknown user type", {"userLicenseType": "godUT"}, (
        400, "Invalid user type.", ["'userLicenseType' must be one of " + ", ".join(privileges.USER_TYPES) + "."])),
    ("user type word", {"userType": "everything"}, (
        400, "Unable to set the new member defaults.", ["'userType' must be one of: arcgisonly, both."])),
]


@pytest.mark.parametrize(("params", "expected"), [r[1:] for r in DEFAULTS_REFUSALS],
                         ids=[r[0] for r in DEFAULTS_REFUSALS])
async def test_set_defaults_refusals_change_nothing(client, svc, admin_token, params, expected):
    await post(client, SET_DEFAULTS, admin_token, role="org_publisher")
    before = await snapshot(svc)
    assert error(await post(client, SET_DEFAULTS, admin_token, **params)) == expected
    assert await snapshot(svc) == before


async def test_defaults_belong_to_one_organization(client, svc, admin_token):
    other = (await make_org(client, admin_token, "Other", "other_boss"))["org"]["id"]
    other_token = await get_token(client, "other_boss", "Other12345")
    await post(client, SET_DEFAULTS, other_token, role="org_publisher")
    assert (await get(client, DEFAULTS, admin_token))["role"] == "org_user"
    assert (await get(client, f"{SHARING}/portals/{other}/userDefaultSettings", other_token))["role"] == "org_publisher"
    assert (await get(client, f"{SHARING}/portals/{DEFAULT_ORG.lower()}/userDefaultSettings", admin_token))["role"] == \
        "org_user"
    before = await snapshot(svc)
    for url in (f"{SHARING}/portals/{other}/userDefaultSettings", f"{SHARING}/portals/{other}/setUserDefaultSettings",
                f"{SHARING}/portals/{other}/userDefaultSettings/delete", f"{SHARING}/portals/nowhere/checkUsernames"):
        assert error(await post(client, url, admin_token, role="org_user", usernames="x")) == (
            400, "Portal does not exist or is inaccessible.", [])
    assert await snapshot(svc) == before


async def test_portals_self_shows_none_of_it(client, admin_token):
    await post(client, UPDATE, admin_token, allowedProxyHosts="maps.example.org")
    await post(client, SET_DEFAULTS, admin_token, role="org_publisher")
    await get(client, PA, admin_token)  # makes the siteKey
    for token in (None, admin_token):
        body = await get(client, f"{SHARING}/portals/self", token)
        assert not {"userDefaultSettings", "securityConfig", "siteKey"} & set(body)
        assert "maps.example.org" not in json.dumps(body)


# ---------------------------------------------------------------- security/users
async def test_registered_members_counts_the_callers_organization(client, svc, admin_token):
    await make_user(svc, "m_counted")
    await make_org(client, admin_token, "Other", "other_boss")
    assert await get(client, f"{PA}/security/users", admin_token) == {"currentRegisteredMembers": 2}
    other = await get_token(client, "other_boss", "Other12345")
    assert await get(client, f"{PA}/security/users", other) == {"currentRegisteredMembers": 1}


async def _enterprise(svc, username, **changes):
    return await members.add_member(svc, DEFAULT_ORG, members.MemberRequest(
        username=username, email=f"{username}@corp.example", full_name="Jon Cho", provider="enterprise", **changes),
        grantor_is_full_admin=True, by=None)


async def test_get_enterprise_user(client, svc, admin_token):
    await _enterprise(svc, "jcho111", description="<b>GIS</b>")
    assert await post(client, f"{PA}/security/users/getEnterpriseUser", admin_token, username="JCHO111") == {
        "username": "jcho111", "fullname": "Jon Cho", "description": "<b>GIS</b>", "email": "jcho111@corp.example"}
    await make_org(client, admin_token, "Other", "other_boss")
    for name in ("nobody_here", "other_boss"):
        assert error(await post(client, f"{PA}/security/users/getEnterpriseUser", admin_token, username=name)) == (
            400, "User does not exist or is inaccessible.", [])


async def test_search_enterprise_users(client, svc, admin_token):
    for name in ("alpha_one", "alpha_two", "betaone"):
        await _enterprise(svc, name)
    url = f"{PA}/security/users/searchEnterpriseUsers"
    names = [u["username"] for u in (await get(client, url, admin_token))["users"]]
    assert names == ["admin", "alpha_one", "alpha_two", "betaone"]
    assert await get(client, url, admin_token, filter="ALPHA", maxCount="2") == {"users": [
        {"username": n, "fullname": "Jon Cho", "description": None, "email": f"{n}@corp.example"}
        for n in ("alpha_one", "alpha_two")], "hasMore": False}
    assert (await get(client, url, admin_token, filter="alpha", maxCount="1"))["hasMore"] is True
    assert [u["username"] for u in (await get(client, url, admin_token, filter="_"))["users"]] == [
        "alpha_one", "alpha_two"]  # the wildcards of LIKE are plain characters here
    assert (await get(client, url, admin_token, filter="%"))["users"] == []
    assert [u["username"] for u in (await get(client, url, admin_token, filter="CORP.EXAMPLE"))["users"]] == [
        "alpha_one", "alpha_two", "betaone"]
    assert [u["username"] for u in (await get(client, url, admin_token, filter="jon c"))["users"]] == [
        "alpha_one", "alpha_two", "betaone"]
    assert error(await get(client, url, admin_token, maxCount="0")) == (
        400, "Unable to search users.", ["'maxCount' must be at least 1."])


async def test_update_enterprise_user(client, svc, admin_token):
    await _enterprise(svc, "jcho111")
    url = f"{PA}/security/users/updateEnterpriseUser"
    assert await post(client, url, admin_token, username="jcho111", idpUsername="jcho@CORP") == {"status": "success"}
    assert (await stored_user(svc, "jcho111")).idp_username == "jcho@CORP"
    await make_user(svc, "m_builtin")
    before = await snapshot(svc)
    assert error(await post(client, url, admin_token, username="m_builtin", idpUsername="x@CORP")) == (
        400, "Unable to update user.", ["'m_builtin' is not an enterprise account."])
    assert error(await post(client, url, admin_token, username="nobody_here", idpUsername="x@CORP")) == (
        400, "User does not exist or is inaccessible.", [])
    assert error(await post(client, url, admin_token, username="jcho111", idpUsername="tab\there")) == (
        400, "Unable to update user.", ["'idpUsername' must be printable text of at most 255 characters."])
    assert await snapshot(svc) == before


async def test_refresh_membership_needs_enterprise_groups(client, admin_token):
    assert error(await post(client, f"{PA}/security/users/refreshMembership", admin_token, users="a,b")) == (
        400, "Enterprise groups are not configured.",
        ["Membership can only be refreshed from an enterprise group store."])


async def test_a_custom_administrator_reads_but_does_not_configure(client, svc):
    token = await custom_caller(client, svc, "m_custom", ["portal:admin:viewUsers"])
    assert (await get(client, CONFIG, token))["defaultRoleForUser"] == "org_user"
    before = await snapshot(svc)
    assert error(await post(client, UPDATE, token, disableServicesDirectory="true"))[0] == 403
    assert error(await post(client, SET_DEFAULTS, token, role="org_admin"))[0] == 403
    assert await snapshot(svc) == before


@pytest.mark.parametrize(("url", "fields"), [
    (f"{PA}/security/users/createUser", ("username", "password", "email", "role", "userLicenseTypeId")),
    (f"{PA}/security/config/update", ("securityConfig", "disableServicesDirectory")),
    (f"{PA}/security/users/updateEnterpriseUser", ("username", "idpUsername")),
    (f"{PA}/security/users/refreshMembership", ("users",)),
    (f"{SHARING}/portals/self/invite", ("invitationList", "subject")),
    (f"{SHARING}/portals/self/setUserDefaultSettings", ("role", "userLicenseType", "groups")),
    (f"{SHARING}/portals/self/userDefaultSettings/delete", ()),
])
async def test_each_operation_has_its_form(client, admin_token, url, fields):
    page = await client.get(url, params={"token": admin_token})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<form" in page.text and 'method="post"' in page.text.lower()
    for field in fields:
        assert f'name="{field}"' in page.text, field
    if "password" in fields:
        assert 'type="password"' in page.text


@pytest.mark.parametrize("url", [PA, f"{PA}/security", CONFIG, f"{PA}/security/users",
                                 f"{PA}/security/users/searchEnterpriseUsers", DEFAULTS])
async def test_each_resource_renders_as_a_page(client, admin_token, url):
    page = await client.get(url, params={"token": admin_token})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<h1>" in page.text and 'class="error"' not in page.text and "Signed in as <b>admin</b>" in page.text
