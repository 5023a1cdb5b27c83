"""portaladmin/security/users/createUser (sharing-api.md §4.7, portal-admin-api.md §3.4): what a
new member holds, every rule with both sides of its boundary, and nothing stored by a refusal."""

from __future__ import annotations

import logging

import pytest

from geoshare.domain import privileges
from geoshare.domain.privileges import DATA_EDITOR_ROLE_ID, VIEWER_ROLE_ID
from geoshare.storage import members as member_store
from geoshare.storage import org_settings as settings_store
from tests.api.members_support import (
    CREATE_URL,
    PASSWORD,
    create,
    custom_caller,
    custom_role,
    error,
    get,
    member,
    post,
    snapshot,
    stored_user,
)
from tests.conftest import DEFAULT_ORG, SHARING, get_token, make_org

FORBIDDEN_GRANT = (403, "Only a full administrator may grant a role with administrative privileges.", [])
RULE = "A username has 6 to 24 characters: ASCII letters, digits and _ @ . -"


async def test_a_new_member_holds_what_was_asked(client, svc, admin_token):
    now = svc.clock.pin()
    body = await create(client, admin_token, **member(description="<p>Maps</p><script>x()</script>"))
    assert body == {"status": "success", "username": "new_member1"}
    user = await stored_user(svc, "new_member1")
    assert (user.org_id, user.role, user.role_id, user.user_license_type_id, user.provider, user.idp_username) == (
        DEFAULT_ORG, "org_user", None, "creatorUT", "arcgis", None)
    assert (user.first_name, user.last_name, user.full_name, user.email, user.description) == (
        "Ada", "Lovelace", "Ada Lovelace", "ada1@example.org", "<p>Maps</p>")
    assert (user.created, user.password_changed, user.disabled) == (now, now, False)
    assert await svc.hasher.verify(user.password_hash, PASSWORD)
    assert await svc.db.read(member_store.password_history_of, user.id) == [(user.password_hash, now)]
    assert await get_token(client, "new_member1", PASSWORD)  # the member signs in
    seen = await get(client, f"{SHARING}/community/users/new_member1", admin_token)
    assert (seen["role"], seen["userLicenseTypeId"], "roleId" in seen) == ("org_user", "creatorUT", False)


async def test_the_token_may_come_only_in_a_header(client, svc, admin_token):
    """arcgis sends it only as X-Esri-Authorization: Bearer, with Referer: http."""
    for n, header in ((1, "X-Esri-Authorization"), (2, "Authorization")):
        reply = await client.post(CREATE_URL, data={"f": "json", **member(n)},
                                  headers={header: f"Bearer {admin_token}", "Referer": "http"})
        assert reply.json() == {"status": "success", "username": f"new_member{n}"}
    reply = await client.post(CREATE_URL, data={"f": "json", **member(3)})
    assert error(reply.json())[:2] == (499, "Token Required")
    assert await stored_user(svc, "new_member3") is None


@pytest.mark.parametrize(("full", "first", "last"), [
    ("Barbara Ann Williams", "Barbara Ann", "Williams"),
    ("Cher", "Cher", None),
    ("A" * 128 + " " + "B" * 126, "A" * 128, "B" * 126),
    ("  Jon   Cho ", "Jon", "Cho"),
])
async def test_a_full_name_is_split_on_its_last_space(client, svc, admin_token, full, first, last):
    params = member(fullname=full)
    del params["firstname"], params["lastname"]
    assert (await create(client, admin_token, **params))["status"] == "success"
    user = await stored_user(svc, "new_member1")
    assert (user.first_name, user.last_name, user.full_name) == (first, last, full.strip())


async def test_names_lose_their_markup(client, svc, admin_token):
    await create(client, admin_token, **member(firstname="<b>Ada</b>", lastname="Love<i>lace</i>"))
    user = await stored_user(svc, "new_member1")
    assert (user.first_name, user.last_name, user.full_name) == ("Ada", "Lovelace", "Ada Lovelace")


@pytest.mark.parametrize(("role", "user_type", "stored"), [
    ("org_publisher", None, ("org_publisher", None, "creatorUT")),
    ("publisher", None, ("org_publisher", None, "creatorUT")),
    ("account_user", None, ("org_user", None, "creatorUT")),
    ("USER", None, ("org_user", None, "creatorUT")),
    ("admin", None, ("org_admin", None, "creatorUT")),
    ("org_admin", "GISProfessionalAdvUT", ("org_admin", None, "GISProfessionalAdvUT")),
    (VIEWER_ROLE_ID, "viewerUT", ("org_user", VIEWER_ROLE_ID, "viewerUT")),
    ("Viewer", "viewerut", ("org_user", VIEWER_ROLE_ID, "viewerUT")),
    (DATA_EDITOR_ROLE_ID, "contributorUT", ("org_user", DATA_EDITOR_ROLE_ID, "editorUT")),
    ("data editor", "editorUT", ("org_user", DATA_EDITOR_ROLE_ID, "editorUT")),
    (VIEWER_ROLE_ID, "editorUT", ("org_user", VIEWER_ROLE_ID, "editorUT")),
    ("org_user", "mobileWorkerUT", ("org_user", None, "fieldWorkerUT")),
])
async def test_roles_and_user_types(client, svc, admin_token, role, user_type, stored):
    params = member(role=role, **({"userLicenseTypeId": user_type} if user_type else {}))
    assert (await create(client, admin_token, **params))["status"] == "success"
    user = await stored_user(svc, "new_member1")
    assert (user.role, user.role_id, user.user_license_type_id) == stored


async def test_a_custom_role_reports_its_base_role(client, svc, admin_token):
    await custom_role(svc, "cPublishers00001", list(privileges.PUBLISHER))
    await create(client, admin_token, **member(role="cPublishers00001"))
    user = await stored_user(svc, "new_member1")
    assert (user.role, user.role_id) == ("org_publisher", "cPublishers00001")
    seen = await get(client, f"{SHARING}/community/users/new_member1", admin_token)
    assert (seen["role"], seen["roleId"], sorted(seen["privileges"])) == (
        "org_publisher", "cPublishers00001", sorted(privileges.PUBLISHER))


async def test_the_defaults_come_from_the_organization(client, svc, admin_token):
    reply = await post(client, f"{SHARING}/portals/self/setUserDefaultSettings", admin_token,
                       role="org_publisher", userLicenseType="GISProfessionalStdUT")
    assert reply == {"success": True}
    await create(client, admin_token, **member(1))
    assert (await stored_user(svc, "new_member1")).role == "org_publisher"
    assert (await stored_user(svc, "new_member1")).user_license_type_id == "GISProfessionalStdUT"
    await create(client, admin_token, **member(2, level="1"))  # legacy level 1: a viewer
    user = await stored_user(svc, "new_member2")
    assert (user.role, user.role_id, user.user_license_type_id) == ("org_user", VIEWER_ROLE_ID, "viewerUT")
    await create(client, admin_token, **member(3, level="2"))
    assert (await stored_user(svc, "new_member3")).role == "org_publisher"


@pytest.mark.parametrize("username", ["abcdef", "x" * 24, "first.last@corp-x.org"[:24], "A_b.c-d@e", "012345"])
async def test_usernames_accepted(client, svc, admin_token, username):
    assert await create(client, admin_token, **member(username=username)) == {"status": "success",
                                                                              "username": username}


@pytest.mark.parametrize("username", ["abcde", "x" * 25, "has space", "semi;colon", "accént", "back\\slash"])
async def test_usernames_refused(client, svc, admin_token, username):
    before = await snapshot(svc)
    assert error(await create(client, admin_token, **member(username=username))) == (400, "Invalid username.", [RULE])
    assert await snapshot(svc) == before


async def test_a_taken_username_in_any_case_is_refused(client, svc, admin_token):
    other_admin = (await make_org(client, admin_token, "Other", "other_boss"))["adminUsername"]
    await create(client, admin_token, **member())
    before = await snapshot(svc)
    for name in ("NEW_MEMBER1", "Other_Boss"):  # usernames are unique across organizations
        assert error(await create(client, admin_token, **member(username=name))) == (
            400, f"User '{name}' already exists.", [])
    assert other_admin == "other_boss" and await snapshot(svc) == before


def _without(params, *names):
    return {k: v for k, v in params.items() if k not in names}


REFUSALS = [
    ("no email", _without(member(), "email"), (400, "Unable to create user.", ["'email' must be specified."])),
    ("bad email", member(email="not-an-email"),
     (400, "Invalid e-mail address.", ["'not-an-email' is not an e-mail address."])),
    ("email without a dot", member(email="ada@localhost"),
     (400, "Invalid e-mail address.", ["'ada@localhost' is not an e-mail address."])),
    ("email with a space", member(email="ada love@example.org"),
     (400, "Invalid e-mail address.", ["'ada love@example.org' is not an e-mail address."])),
    ("no names", _without(member(), "firstname", "lastname"),
     (400, "Unable to create user.", ["'firstname' and 'lastname' (or 'fullname') must be specified."])),
    ("first name only", _without(member(), "lastname"),
     (400, "Unable to create user.", ["'firstname' and 'lastname' (or 'fullname') must be specified."])),
    ("long first name", member(firstname="A" * 129),
     (400, "Unable to create user.", ["'firstname' has more than 128 characters."])),
    ("long last name", member(lastname="A" * 129),
     (400, "Unable to create user.", ["'lastname' has more than 128 characters."])),
    ("long full name", _without(member(fullname="A" * 256), "firstname", "lastname"),
     (400, "Unable to create user.", ["'fullname' has more than 255 characters."])),
    ("long last word of a full name", _without(member(fullname="Ada " + "L" * 129), "firstname", "lastname"),
     (400, "Unable to create user.", ["'lastname' has more than 128 characters."])),
    ("long first words of a full name", _without(member(fullname="A" * 129 + " Lovelace"), "firstname", "lastname"),
     (400, "Unable to create user.", ["'firstname' has more than 128 characters."])),
    ("no password", _without(member(), "password"), (400, "Unable to create user.", ["'password' must be specified."])),
    ("weak password", member(password="short1"),
     (400, "Invalid password.", ["The password must have at least 8 characters."])),
    ("password is the username", member(password="New_Member1"),
     (400, "Invalid password.", ["The password must differ from the username."])),
    ("unknown role", member(role="org_owner"),
     (400, "Invalid role.", ["'role': the role 'org_owner' does not exist in this organization."])),
    ("unknown user type", member(userLicenseTypeId="superUT"),
     (400, "Invalid user type.", ["'userLicenseTypeId' must be one of " + ", ".join(privileges.USER_TYPES) + "."])),
    ("viewer type, user role", member(userLicenseTypeId="viewerUT", role="org_user"),
     (400, "The user type does not allow this role.", ["User type 'viewerUT' cannot hold the role 'org_user'."])),
    ("editor type, publisher", member(userLicenseTypeId="editorUT", role="publisher"),
     (400, "The user type does not allow this role.", ["User type 'editorUT' cannot hold the role 'publisher'."])),
    ("viewer type, editor role", member(userLicenseTypeId="viewerUT", role=DATA_EDITOR_ROLE_ID),
     (400, "The user type does not allow this role.",
      [f"User type 'viewerUT' cannot hold the role '{DATA_EDITOR_ROLE_ID}'."])),
    ("bad provider", member(provider="ldap"),
     (400, "Unable to create user.", ["'provider' must be one of: arcgis, enterprise, webadaptor."])),
    ("bad level", member(level="3"), (400, "Unable to create user.", ["'level' must be one of: 1, 2."])),
    ("idp name for a built-in account", member(idpUsername="ada@CORP"),
     (400, "Unable to create user.", ["'idpUsername' applies to enterprise accounts only."])),
    ("long description", member(description="x" * 32_001),
     (400, "Unable to create user.", ["'description' is longer than 32000 characters."])),
]


@pytest.mark.parametrize(("params", "expected"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS])
async def test_refusals_change_nothing(client, svc, admin_token, params, expected):
    before = await snapshot(svc)
    assert error(await create(client, admin_token, **params)) == expected
    assert await snapshot(svc) == before


async def test_the_organizations_password_policy_applies(client, svc, admin_token):
    policy = {"passwordPolicy": {"minLength": 10, "minUpper": 1}}
    await svc.db.write(settings_store.put_settings, DEFAULT_ORG, {"securityPolicy": policy}, None)
    before = await snapshot(svc)
    assert error(await create(client, admin_token, **member(password="member1234"))) == (
        400, "Invalid password.", ["The password must contain at least 1 upper-case letter."])
    assert error(await create(client, admin_token, **member(password="Member123"))) == (
        400, "Invalid password.", ["The password must have at least 10 characters."])
    assert await snapshot(svc) == before
    assert (await create(client, admin_token, **member(password="Member1234")))["status"] == "success"


@pytest.mark.parametrize("provider", ["enterprise", "webadaptor", "WebAdaptor"])
async def test_enterprise_accounts_have_no_password(client, svc, admin_token, provider):
    body = await create(client, admin_token, **member(provider=provider, password="Ignored12345"))
    user = await stored_user(svc, "new_member1")
    assert body["status"] == "success"
    assert (user.provider, user.password_hash, user.idp_username, user.password_changed) == (
        "enterprise", None, "new_member1", 0)
    assert await svc.db.read(member_store.password_history_of, user.id) == []


async def test_an_enterprise_login_keeps_its_idp_name_and_domain(client, svc, admin_token):
    params = _without(member(username="CORP\\jcho111", provider="enterprise", idpUsername="jcho@corp.example"),
                      "password")
    assert await create(client, admin_token, **params) == {"status": "success", "username": "jcho111@CORP"}
    assert (await stored_user(svc, "jcho111@corp")).idp_username == "jcho@corp.example"


async def test_only_a_full_administrator_grants_administrative_privileges(client, svc, admin_token):
    token = await custom_caller(client, svc, "m_inviter", ["portal:admin:inviteUsers"])
    await custom_role(svc, "cAdminish000001", [*privileges.VIEWER, "portal:admin:viewUsers"])
    before = await snapshot(svc)
    for role in ("org_admin", "administrator", "cAdminish000001"):
        assert error(await create(client, token, **member(role=role))) == FORBIDDEN_GRANT
    assert await snapshot(svc) == before
    assert await create(client, token, **member(role="org_publisher")) == {"status": "success",
                                                                          "username": "new_member1"}
    assert (await create(client, admin_token, **member(2, role="cAdminish000001")))["status"] == "success"


async def test_a_member_joins_the_callers_organization(client, svc, admin_token):
    org = (await make_org(client, admin_token, "Other", "other_boss"))["org"]
    token = await get_token(client, "other_boss", "Other12345")
    await create(client, token, **member())
    assert (await stored_user(svc, "new_member1")).org_id == org["id"]
    await custom_role(svc, "cOtherOrgRole001", list(privileges.USER), org_id=org["id"])
    before = await snapshot(svc)
    assert error(await create(client, admin_token, **member(2, role="cOtherOrgRole001"))) == (
        400, "Invalid role.", ["'role': the role 'cOtherOrgRole001' does not exist in this organization."])
    assert await snapshot(svc) == before


async def test_no_password_reaches_a_response_or_the_log(client, svc, admin_token, caplog):
    caplog.set_level(logging.DEBUG)
    secret = "Sekret-Passw0rd-42"
    ok = await client.post(CREATE_URL, data={"f": "json", "token": admin_token, **member(password=secret)})
    weak = await client.post(CREATE_URL, data={"f": "json", "token": admin_token,
                                               **member(2, password="weak-" + secret[:2])})
    page = await client.post(CREATE_URL, data={"f": "html", "token": admin_token, **member(3, password=secret)})
    for text in (ok.text, weak.text, page.text, caplog.text):
        assert secret not in text and "weak-Se" not in text
    assert "member new_member1 created in 0123456789ABCDEF by admin" in caplog.text


async def test_the_form_and_the_html_answer(client, admin_token):
    form = await client.get(CREATE_URL, params={"token": admin_token})
    assert form.status_code == 200 and 'name="username"' in form.text and 'name="password"' in form.text
    page = await client.post(CREATE_URL, data={"token": admin_token, **member()})
    assert "<h1>createUser</h1>" in page.text and "new_member1" in page.text and 'class="error"' not in page.text


async def test_a_custom_roles_own_privileges_show_on_its_member(client, svc, admin_token):
    """arcgis decides from community/users/{u}'s privileges whether a member administers (gis.admin)."""
    held = [*privileges.VIEWER, "portal:admin:viewUsers", "portal:admin:inviteUsers"]
    await custom_role(svc, "cInviters0000001", held)
    await create(client, admin_token, **member(role="cInviters0000001"))
    for token in (admin_token, await get_token(client, "new_member1", PASSWORD)):
        seen = await get(client, f"{SHARING}/community/users/new_member1", token)
        assert (seen["role"], seen["roleId"], sorted(seen["privileges"])) == (
            "org_admin", "cInviters0000001", sorted(held))
