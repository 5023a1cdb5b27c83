"""Privileges, not role names: the built-in roles' privileges (sharing-api.md §4.9), the
requirement notation operations declare, who each form admits (Principal.admits and the
dispatcher), user types, and where the required privilege is shown (HTML page, OpenAPI)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from geoshare.domain import privileges as privs
from geoshare.domain.principal import ANONYMOUS, Principal
from geoshare.domain.privileges import Requirement
from geoshare.errors import Forbidden, TokenRequired
from geoshare.http.dispatch import _permission
from geoshare.http.openapi import _operation
from geoshare.http.operations import Operation
from geoshare.storage.records import Org, User
from tests.api.matrix_support import CUSTOM_VIEW_USERS, VIEWER, World
from tests.conftest import DEFAULT_ORG, SHARING, make_user

# ---------------------------------------------------------------- §4.9, written out by hand
SPEC_VIEWER = {"portal:user:joinGroup", "portal:user:viewOrgGroups", "portal:user:viewOrgItems",
               "portal:user:viewOrgUsers"}
SPEC_USER_ADDS = {"portal:user:createGroup", "portal:user:createItem", "portal:user:shareToGroup",
                  "portal:user:shareToOrg", "portal:user:shareToPublic", "portal:user:shareGroupToOrg",
                  "portal:user:shareGroupToPublic", "portal:user:joinNonOrgGroup"}
SPEC_PUBLISHER_ADDS = {"portal:publisher:publishFeatures", "portal:publisher:publishTiles",
                       "portal:publisher:publishScenes", "portal:publisher:publishServerServices",
                       "portal:publisher:publishServerGPServices", "portal:publisher:publishDynamicImagery",
                       "portal:publisher:publishTiledImagery"}
SPEC_ADMIN = {
    # members
    "portal:admin:viewUsers", "portal:admin:updateUsers", "portal:admin:deleteUsers", "portal:admin:inviteUsers",
    "portal:admin:disableUsers", "portal:admin:changeUserRoles", "portal:admin:manageLicenses",
    "portal:admin:updateMemberCategorySchema",
    # groups
    "portal:admin:viewGroups", "portal:admin:updateGroups", "portal:admin:deleteGroups",
    "portal:admin:reassignGroups", "portal:admin:assignToGroups", "portal:admin:manageEnterpriseGroups",
    "portal:admin:createUpdateCapableGroup", "portal:admin:createLeavingDisallowedGroup",
    # content
    "portal:admin:viewItems", "portal:admin:updateItems", "portal:admin:deleteItems", "portal:admin:reassignItems",
    "portal:admin:shareToGroup", "portal:admin:shareToOrg", "portal:admin:shareToPublic",
    "portal:admin:categorizeItems", "portal:admin:updateItemCategorySchema",
    # organization
    "portal:admin:manageSecurity", "portal:admin:manageWebsite", "portal:admin:manageRoles",
    "portal:admin:manageCredits", "portal:admin:manageCollaborations", "portal:admin:manageUtilityServices",
    "portal:admin:manageServers",
    # marketplace
    "marketplace:admin:purchase", "marketplace:admin:startTrial", "marketplace:admin:manage",
}
SPEC_OTHERS = {
    "portal:user:categorizeItems", "portal:user:viewTracks", "portal:user:addExternalMembersToGroup",
    "portal:user:invitePartneredCollaborationMembers", "portal:publisher:registerDataStores",
    "portal:publisher:bulkPublishFromDataStores", "portal:publisher:createDataPipelines", "features:user:edit",
    "features:user:fullEdit", "features:user:manageVersions", "premium:user:geocode", "premium:user:networkanalysis",
    "premium:user:spatialanalysis", "premium:user:geoenrichment", "premium:user:demographics",
    "premium:user:elevation", "premium:user:featurereport", "premium:publisher:geoanalytics",
    "premium:publisher:rasteranalysis", "opendata:user:openDataAdmin", "opendata:user:designateGroup",
}


def test_viewer_and_data_editor():
    assert set(privs.VIEWER) == SPEC_VIEWER and len(privs.VIEWER) == 4
    assert set(privs.DATA_EDITOR) == SPEC_VIEWER | {"features:user:edit"}
    assert privs.BUILT_IN_ROLE_IDS == {"iAAAAAAAAAAAAAAA": privs.VIEWER, "iBBBBBBBBBBBBBBB": privs.DATA_EDITOR}


def test_user_and_publisher():
    user = set(privs.USER)
    premium = {p for p in user if p.startswith("premium:")}
    assert user - premium == SPEC_VIEWER | {"features:user:edit"} | SPEC_USER_ADDS
    assert premium and all(p.startswith("premium:user:") for p in premium)
    assert set(privs.PUBLISHER) == user | SPEC_PUBLISHER_ADDS


def test_administrator_holds_every_privilege_of_the_list():
    assert set(privs.ADMIN) == set(privs.PUBLISHER) | SPEC_ADMIN | SPEC_OTHERS
    assert privs.ADMIN_PRIVILEGES == SPEC_ADMIN
    assert privs.KNOWN == set(privs.ADMIN)
    assert len(privs.ADMIN) == len(set(privs.ADMIN))  # no privilege twice in a member's list
    assert privs.BUILT_IN_ROLES == {"org_admin": privs.ADMIN, "org_publisher": privs.PUBLISHER,
                                    "org_user": privs.USER}


@pytest.mark.parametrize(("role", "role_id", "custom", "expected"), [
    ("org_admin", None, None, privs.ADMIN), ("org_publisher", None, None, privs.PUBLISHER),
    ("org_user", None, None, privs.USER), ("org_user", "iAAAAAAAAAAAAAAA", None, privs.VIEWER),
    ("org_user", "iBBBBBBBBBBBBBBB", None, privs.DATA_EDITOR), ("something", None, None, privs.USER),
    ("org_admin", "customRole000001", ("a:b:c",), ("a:b:c",)), ("org_user", "customRole000001", (), ()),
])
def test_privileges_for(role, role_id, custom, expected):
    assert privs.privileges_for(role, role_id, custom) == list(expected)


def test_custom_role_ids():
    assert privs.is_custom_role_id("customRole000001") is True
    assert privs.is_custom_role_id(None) is False
    assert privs.is_custom_role_id("iAAAAAAAAAAAAAAA") is False and privs.is_custom_role_id("iBBBBBBBBBBBBBBB") is False


@pytest.mark.parametrize(("held", "base"), [
    ((), "org_user"), (privs.VIEWER, "org_user"), (("portal:publisher:publishTiles",), "org_publisher"),
    (("portal:user:createItem", "portal:publisher:x"), "org_publisher"), (("portal:admin:viewUsers",), "org_admin"),
    (("portal:publisher:publishTiles", "marketplace:admin:manage"), "org_admin"),
    (("premium:publisher:geoanalytics",), "org_user"), (("x:portal:publisher:",), "org_user"),
])
def test_base_role(held, base):
    assert privs.base_role(held) == base


def test_full_admin_is_about_privileges():
    assert privs.is_full_admin(privs.ADMIN_PRIVILEGES) is True
    assert privs.is_full_admin([*privs.ADMIN_PRIVILEGES, "extra:thing"]) is True
    for left_out in privs.ADMIN_PRIVILEGES:
        assert privs.is_full_admin(privs.ADMIN_PRIVILEGES - {left_out}) is False, left_out
    assert privs.is_full_admin(privs.PUBLISHER) is False
    assert privs.is_full_admin(privs.ADMIN) is True


# ---------------------------------------------------------------- user types
@pytest.mark.parametrize(("name", "canonical"), [
    ("creatorUT", "creatorUT"), ("CREATORut", "creatorUT"), (" viewerUT ", "viewerUT"), ("contributorUT", "editorUT"),
    ("mobileWorkerUT", "fieldWorkerUT"), ("gisprofessionaladvut", "GISProfessionalAdvUT"), ("creator", None),
    ("", None), ("goldUT", None), (None, None),
])
def test_canonical_user_type(name, canonical):
    assert privs.canonical_user_type(name) == canonical


@pytest.mark.parametrize(("user_type", "held", "allowed"), [
    ("viewerUT", privs.VIEWER, True), ("viewerUT", (), True), ("viewerUT", privs.DATA_EDITOR, False),
    ("viewerUT", ("portal:user:createItem",), False), ("editorUT", privs.DATA_EDITOR, True),
    ("editorUT", privs.VIEWER, True), ("editorUT", (*privs.DATA_EDITOR, "portal:user:createItem"), False),
    ("creatorUT", privs.ADMIN, True), ("fieldWorkerUT", privs.PUBLISHER, True),
    ("GISProfessionalBasicUT", privs.ADMIN, True),
])
def test_user_type_allows(user_type, held, allowed):
    assert privs.user_type_allows(user_type, held) is allowed


def test_role_aliases():
    assert {k: privs.ROLE_ALIASES[k] for k in ("account_user", "user", "publisher", "account_admin", "admin",
                                               "administrator", "viewer", "data editor")} == {
        "account_user": "org_user", "user": "org_user", "publisher": "org_publisher", "account_admin": "org_admin",
        "admin": "org_admin", "administrator": "org_admin", "viewer": "iAAAAAAAAAAAAAAA",
        "data editor": "iBBBBBBBBBBBBBBB"}


# ---------------------------------------------------------------- the requirement notation
def test_special_forms():
    for text, words in privs.SPECIAL.items():
        parsed = Requirement.parse(f"  {text} ")
        assert (parsed.text, parsed.all_of, parsed.any_of, parsed.privileges) == (text, (), (), ())
        assert parsed.describe() == words
        assert parsed.signed_in is (text != "public")


def test_privilege_forms():
    one = Requirement.parse("portal:admin:viewUsers")
    assert (one.text, one.all_of, one.any_of) == ("portal:admin:viewUsers", (), ("portal:admin:viewUsers",))
    assert one.describe() == "portal:admin:viewUsers" and one.signed_in
    both = Requirement.parse("portal:admin:viewUsers &  portal:admin:manageRoles")
    assert both.text == "portal:admin:viewUsers & portal:admin:manageRoles"
    assert (both.all_of, both.any_of) == (("portal:admin:viewUsers", "portal:admin:manageRoles"), ())
    assert both.describe() == "portal:admin:viewUsers and portal:admin:manageRoles"
    either = Requirement.parse("portal:admin:viewUsers|portal:user:createItem")
    assert either.text == "portal:admin:viewUsers|portal:user:createItem"
    assert (either.all_of, either.any_of) == ((), ("portal:admin:viewUsers", "portal:user:createItem"))
    assert either.describe() == "portal:admin:viewUsers or portal:user:createItem"
    assert either.privileges == ("portal:admin:viewUsers", "portal:user:createItem")


@pytest.mark.parametrize(("text", "message"), [
    ("portal:admin:viewUsers & portal:admin:manageRoles | portal:user:createItem", "mixed & and |"),
    ("portal:admin:noSuchThing", "unknown privileges ['portal:admin:noSuchThing']"),
    ("org_admin", "unknown privileges ['org_admin']"),
    ("portal:admin:viewUsers & bogus", "unknown privileges ['bogus']"),
])
def test_bad_requirements(text, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]").replace("|", r"\|")):
        Requirement.parse(text)


def test_admits_privileges():
    both = Requirement.parse("portal:admin:viewUsers & portal:admin:manageRoles")
    assert both.admits_privileges(frozenset({"portal:admin:viewUsers", "portal:admin:manageRoles", "x"}))
    assert not both.admits_privileges(frozenset({"portal:admin:viewUsers"}))
    either = Requirement.parse("portal:admin:viewUsers | portal:admin:manageRoles")
    assert either.admits_privileges(frozenset({"portal:admin:manageRoles"}))
    assert not either.admits_privileges(frozenset({"portal:user:createItem"}))


# ---------------------------------------------------------------- who each form admits
OTHER_ORG = "OtherOrg00000001"


def _org(org_id: str) -> Org:
    return Org(id=org_id, name=org_id, is_default=org_id == DEFAULT_ORG, access="public", url_key=None,
               description=None, settings={}, created=0, modified=0)


def _principal(org_id: str, role: str = "org_user", role_id: str | None = None,
               custom: tuple[str, ...] | None = None) -> Principal:
    user = User(id="0" * 32, org_id=org_id, username="someone", password_hash=None, full_name=None, first_name=None,
                last_name=None, email=None, description=None, role=role, role_id=role_id,
                user_license_type_id="creatorUT", access="org", culture=None, region=None, units=None,
                thumbnail=None, tags=(), provider="arcgis", disabled=False, last_login=-1, created=0, modified=0)
    return Principal(user=user, org=_org(org_id), role_privileges=custom)


ALL_ADMIN = tuple(sorted(privs.ADMIN_PRIVILEGES))
PRINCIPALS = {
    "anonymous": ANONYMOUS,
    "viewer": _principal(DEFAULT_ORG, role_id=privs.VIEWER_ROLE_ID),
    "user": _principal(DEFAULT_ORG),
    "publisher": _principal(DEFAULT_ORG, "org_publisher"),
    "other_publisher": _principal(OTHER_ORG, "org_publisher"),
    "admin": _principal(DEFAULT_ORG, "org_admin"),
    "other_admin": _principal(OTHER_ORG, "org_admin"),
    "custom_view": _principal(DEFAULT_ORG, "org_admin", "customView000001", (*privs.VIEWER, "portal:admin:viewUsers")),
    "custom_full": _principal(DEFAULT_ORG, "org_admin", "customFull000001", ALL_ADMIN),
    "custom_almost": _principal(DEFAULT_ORG, "org_admin", "customAlmost0001",
                                tuple(p for p in ALL_ADMIN if p != "portal:admin:manageRoles")),
}
EVERYONE = set(PRINCIPALS)
ADMITTED = {
    "public": EVERYONE,
    "user": EVERYONE - {"anonymous"},
    "any-admin": {"admin", "other_admin", "custom_view", "custom_full", "custom_almost"},
    "full-admin": {"admin", "other_admin", "custom_full"},
    "site-admin": {"admin", "custom_full"},
    "server-publisher": {"admin", "custom_full", "publisher"},
    "server-admin": {"admin", "custom_full"},
    "portal:admin:viewUsers": {"admin", "other_admin", "custom_view", "custom_full", "custom_almost"},
    "portal:admin:manageRoles": {"admin", "other_admin", "custom_full"},
    "portal:admin:viewUsers & portal:admin:manageRoles": {"admin", "other_admin", "custom_full"},
    "portal:admin:manageRoles | portal:user:createItem": {"user", "publisher", "other_publisher", "admin",
                                                          "other_admin", "custom_full"},
    "portal:admin:viewUsers & portal:user:createItem": {"admin", "other_admin"},
}


@pytest.mark.parametrize("text", sorted(ADMITTED))
def test_who_each_form_admits(text):
    requirement = Requirement.parse(text)
    admitted = {name for name, principal in PRINCIPALS.items() if principal.admits(requirement)}
    assert admitted == ADMITTED[text]


async def _nothing(ctx: Any) -> dict[str, Any]:
    return {}


@pytest.mark.parametrize("text", sorted(ADMITTED))
def test_the_dispatcher_refuses_exactly_the_others(text):
    op = Operation(mount="sharing", path="test/op", handler=_nothing, name="op", permission=text)
    for name, principal in PRINCIPALS.items():
        if name in ADMITTED[text]:
            _permission(op, principal)
        elif name == "anonymous":
            with pytest.raises(TokenRequired):
                _permission(op, principal)
        else:
            with pytest.raises(Forbidden):
                _permission(op, principal)


def test_full_admin_principals():
    full = {name for name, p in PRINCIPALS.items() if p.is_full_admin}
    assert full == {"admin", "other_admin", "custom_full"}
    assert {name for name, p in PRINCIPALS.items() if p.is_any_admin} == ADMITTED["any-admin"]
    assert PRINCIPALS["custom_full"].has("portal:admin:manageRoles")
    assert not PRINCIPALS["custom_full"].has("portal:user:createItem")  # a custom role has its own list only
    assert PRINCIPALS["custom_view"].admin_of(DEFAULT_ORG, "portal:admin:viewUsers")
    assert not PRINCIPALS["custom_view"].admin_of(OTHER_ORG, "portal:admin:viewUsers")
    assert not PRINCIPALS["custom_view"].admin_of(DEFAULT_ORG, "portal:admin:updateUsers")
    assert not ANONYMOUS.admin_of(DEFAULT_ORG, "portal:admin:viewUsers")


# ---------------------------------------------------------------- a custom role with viewUsers, over HTTP
async def test_view_users_reads_members_and_nothing_more_administrative(world: World):
    client, token = world.client, world.tokens[CUSTOM_VIEW_USERS]
    await make_user(world.svc, "m_hidden", "Member12345", access="private")
    plain = world.tokens[VIEWER]

    async def get(path: str, who: str | None, **data: Any) -> Any:
        return (await client.get(f"{SHARING}/{path}", params={"f": "json", "token": who, **data})).json()

    async def post(path: str, who: str | None, **data: Any) -> Any:
        return (await client.post(f"{SHARING}/{path}", data={"f": "json", "token": who, **data})).json()

    seen = await get("community/users/m_hidden", token)
    assert seen["username"] == "m_hidden" and "email" in seen and seen["privileges"] == list(privs.USER)
    assert (await get("community/users/m_hidden", plain))["error"]["code"] == 400  # a plain viewer does not
    refused = [
        await get("portals/self/roles", token), await get("portals/self/roles/iAAAAAAAAAAAAAAA", token),
        await post("portals/self/createRole", token, name="Mine"),
        await post("portals/self/updateUserRole", token, user="m_hidden", role="org_admin"),
        await post("portals/self/updateUserLicenseType", token, users="m_hidden", userLicenseType="viewerUT"),
        (await client.get("/portal/portaladmin/orgs", params={"f": "json", "token": token})).json(),
    ]
    assert [r["error"]["code"] for r in refused] == [403] * len(refused)
    root = (await client.get("/portal/portaladmin", params={"f": "json", "token": token})).json()
    assert root["isPortal"] is True  # the portaladmin root answers any administrative privilege (errata)


# ---------------------------------------------------------------- where the requirement is shown
async def test_html_pages_show_the_required_privilege(client, admin_token):
    form = await client.get(f"{SHARING}/portals/self/createRole", params={"f": "html", "token": admin_token})
    assert form.status_code == 200 and '<p class="requires">Requires: portal:admin:manageRoles</p>' in form.text
    page = await client.get(f"{SHARING}/portals/self/roles", params={"f": "html", "token": admin_token})
    assert '<p class="requires">Requires: portal:admin:manageRoles</p>' in page.text and "Data Editor" in page.text
    licences = await client.get(f"{SHARING}/portals/self/updateUserLicenseType", params={"f": "html"})
    assert '<p class="requires">Requires: portal:admin:manageLicenses</p>' in licences.text
    me = await client.get(f"{SHARING}/community/self", params={"f": "html", "token": admin_token})
    assert '<p class="requires">Requires: any signed-in member (user)</p>' in me.text


async def test_openapi_carries_the_requirement(client):
    doc = (await client.get("/-/openapi.json")).json()
    roles = doc["paths"][f"{SHARING}/portals/{{portal}}/roles"]["get"]
    assert roles["x-geoshare-permission"] == "portal:admin:manageRoles"
    assert roles["x-geoshare-privileges"] == {"anyOf": ["portal:admin:manageRoles"]}
    assert roles["description"] == "Requires: portal:admin:manageRoles."
    change = doc["paths"][f"{SHARING}/portals/{{portal}}/updateUserRole"]["post"]
    assert change["x-geoshare-privileges"] == {"anyOf": ["portal:admin:changeUserRoles"]}
    me = doc["paths"][f"{SHARING}/community/self"]["get"]
    assert me["x-geoshare-permission"] == "user" and "x-geoshare-privileges" not in me
    assert "security" in me and "security" not in doc["paths"][f"{SHARING}/info"]["get"]


@pytest.mark.parametrize(("text", "expected"), [
    ("portal:admin:viewUsers & portal:admin:manageRoles",
     {"allOf": ["portal:admin:viewUsers", "portal:admin:manageRoles"]}),
    ("portal:admin:viewUsers | portal:admin:manageRoles",
     {"anyOf": ["portal:admin:viewUsers", "portal:admin:manageRoles"]}),
])
def test_openapi_of_the_combined_forms(text, expected):
    op = Operation(mount="sharing", path="test/op", handler=_nothing, name="op", permission=text)
    doc = _operation(op, "GET")
    assert doc["x-geoshare-permission"] == text and doc["x-geoshare-privileges"] == expected
    assert json.dumps(doc)  # plain JSON


# ---------------------------------------------------------------- docs/members/roles.md
ROLES_DOC = Path(__file__).resolve().parents[2] / "docs" / "members" / "roles.md"
TABLE_BEGIN = "<!-- BEGIN built-in roles table: tests/api/test_privileges.py checks it against domain/privileges.py -->"
TABLE_END = "<!-- END built-in roles table -->"


def built_in_roles_table() -> str:
    """The table of built-in roles the guide shows, made from domain/privileges.py."""
    rows = [("Viewer", "org_user", privs.VIEWER_ROLE_ID, privs.VIEWER, ()),
            ("Data Editor", "org_user", privs.DATA_EDITOR_ROLE_ID, privs.DATA_EDITOR, privs.VIEWER),
            ("User", "org_user", None, privs.USER, privs.DATA_EDITOR),
            ("Publisher", "org_publisher", None, privs.PUBLISHER, privs.USER),
            ("Administrator", "org_admin", None, privs.ADMIN, privs.PUBLISHER)]
    lines = ["| Role | `role` | `roleId` | Privileges, besides those of the row above |", "|---|---|---|---|"]
    for name, role, role_id, held, below in rows:
        added = ", ".join(f"`{p}`" for p in held if p not in below)
        lines.append(f"| {name} | `{role}` | {f'`{role_id}`' if role_id else 'none'} | {added} |")
    return "\n".join(lines)


def test_the_guide_lists_the_built_in_roles_as_they_are():
    text = ROLES_DOC.read_text("utf-8")
    assert TABLE_BEGIN in text and TABLE_END in text, f"{ROLES_DOC} lost its table markers"
    shown = text.split(TABLE_BEGIN, 1)[1].split(TABLE_END, 1)[0].strip()
    assert shown == built_in_roles_table(), f"replace the table in {ROLES_DOC} with:\n{built_in_roles_table()}"


def test_a_custom_role_that_cannot_be_found_grants_nothing():
    """Fail closed: holders of administrative custom roles store role=org_admin, so falling back
    to the role column would make them full administrators."""
    from geoshare.domain.privileges import privileges_for

    assert privileges_for("org_admin", "cMissingRole0001") == []
    assert privileges_for("org_admin", "cMissingRole0001", ("portal:user:joinGroup",)) == ["portal:user:joinGroup"]
