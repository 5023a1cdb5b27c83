"""Accounts (domain/accounts.py): the username and password rules with their exact texts, what a
new user and a new organization hold, the refusals of createOrg and createUser, set_password."""

from __future__ import annotations

import pytest

from geoshare.domain import accounts
from geoshare.domain.accounts import NewUser, check_password, check_username
from geoshare.errors import Conflict, InvalidParameter, NotFound
from geoshare.storage import users as user_store
from tests.conftest import ADMIN, ADMIN_PASSWORD, DEFAULT_ORG, SHARING, get_token

USERNAME_RULE = "A username has 1 to 128 characters: letters, digits and _ . @ -, starting with a letter or digit."
TOO_SHORT = "The password must have at least 8 characters."
LETTER = "The password must contain at least 1 letter."
DIGIT = "The password must contain at least 1 digit."
SAME_AS_NAME = "The password must differ from the username."


def _refusal(check, *args):
    with pytest.raises(InvalidParameter) as info:
        check(*args)
    return info.value.message, info.value.details, info.value.code


@pytest.mark.parametrize("username", ["a", "A9", "x" * 128, "first.last@example.org", "a_b-c", "0day"])
def test_usernames_accepted(username):
    assert check_username(username) == username


@pytest.mark.parametrize("username", ["", None, "x" * 129, "_lead", ".lead", "has space", "semi;colon", "é"])
def test_usernames_refused(username):
    assert _refusal(check_username, username) == ("Invalid username.", [USERNAME_RULE], 400)


@pytest.mark.parametrize("password", ["abcdefg1", "ABCDEFG1", "1234567a", "Z1Z1Z1Z1", "long enough 9"])
def test_passwords_accepted(password):
    assert check_password(password, "someone") == password


@pytest.mark.parametrize(("password", "username", "problems"), [
    ("abcdef1", "someone", [TOO_SHORT]),
    ("abcdefgh", "someone", [DIGIT]),
    ("ABCDEFGH", "someone", [DIGIT]),
    ("12345678", "someone", [LETTER]),
    ("Member12345", "mEMBER12345", [SAME_AS_NAME]),
    ("member12345", "Member12345", [SAME_AS_NAME]),
    ("abc", "ABC", [TOO_SHORT, DIGIT, SAME_AS_NAME]),
])
def test_passwords_refused(password, username, problems):
    assert _refusal(check_password, password, username) == ("Invalid password.", problems, 400)


async def test_a_new_user_holds_the_portal_defaults(svc):
    now = svc.clock.pin()
    user = await accounts.create_user(svc, DEFAULT_ORG, NewUser(
        "ada", "Analytical1", role="org_publisher", first_name="Ada", last_name="Lovelace", email="ada@example.org"))
    assert user == await svc.db.read(user_store.user_by_id, user.id)
    assert (user.username, user.org_id, user.role, user.full_name, user.first_name, user.last_name, user.email) == (
        "ada", DEFAULT_ORG, "org_publisher", "Ada Lovelace", "Ada", "Lovelace", "ada@example.org")
    assert (user.user_license_type_id, user.access, user.culture, user.units, user.tags) == (
        "creatorUT", "org", "en", "english", ())
    assert (user.description, user.role_id, user.region, user.thumbnail, user.disabled) == (None, None, None, None, False)
    assert (user.created, user.modified, user.last_login) == (now, now, -1)
    assert user.password_hash != "Analytical1"
    assert await svc.hasher.verify(user.password_hash, "Analytical1")


@pytest.mark.parametrize(("full", "first", "last", "shown"), [
    ("The Countess", "Ada", "Lovelace", "The Countess"),
    (None, "Ada", None, "Ada"),
    (None, None, "Lovelace", "Lovelace"),
    (None, None, None, "ada"),
    ("", "", "", "ada"),
])
async def test_the_full_name_falls_back_to_first_and_last_then_the_username(svc, full, first, last, shown):
    user = await accounts.create_user(svc, DEFAULT_ORG, NewUser("ada", "Analytical1", full_name=full,
                                                                first_name=first, last_name=last))
    assert user.full_name == shown


async def test_create_user_refusals(svc):
    with pytest.raises(InvalidParameter) as info:
        await accounts.create_user(svc, DEFAULT_ORG, NewUser("ada", "Analytical1", role="org_owner"))
    assert (info.value.message, info.value.details) == (
        "Invalid role.", ["'role' must be one of org_admin, org_publisher, org_user."])
    for role in accounts.ROLES:
        assert (await accounts.create_user(svc, DEFAULT_ORG, NewUser(f"u_{role}", "Analytical1", role=role))).role == role
    with pytest.raises(Conflict) as taken:
        await accounts.create_user(svc, DEFAULT_ORG, NewUser("ADMIN", "Analytical1"))
    assert (taken.value.message, taken.value.details, taken.value.code) == (
        "A user with this username already exists.", ["ADMIN"], 409)


async def test_bootstrap_creates_the_default_organization_once(settings):
    from geoshare.app import build_services
    from geoshare.domain.services import Services

    svc: Services = build_services(settings)
    await svc.db.start()
    try:
        now = svc.clock.pin()
        org, admin = await accounts.bootstrap(svc, "Boss", "Boss123456", "First Org")
        assert (org.id, org.name, org.is_default, org.access, org.created) == (DEFAULT_ORG, "First Org", True,
                                                                              "public", now)
        assert (admin.username, admin.role, admin.full_name, admin.org_id) == ("Boss", "org_admin", "Administrator",
                                                                              DEFAULT_ORG)
        assert await svc.hasher.verify(admin.password_hash, "Boss123456")
        assert await accounts.bootstrap(svc, "other", "Other12345", "Second") is None
        assert (await accounts.default_org(svc)).name == "First Org"
    finally:
        await svc.db.stop()
        svc.hasher.close()


async def test_create_org(svc):
    now = svc.clock.pin()
    admin = NewUser("boss", "Boss123456", role="org_user", full_name="Big Boss")
    org, user = await accounts.create_org(svc, "  Private Works  ", admin, access="private")
    assert (org.name, org.access, org.is_default, org.created) == ("Private Works", "private", False, now)
    assert (user.username, user.role, user.org_id, user.full_name) == ("boss", "org_admin", org.id, "Big Boss")
    svc.clock.advance(1)  # organizations are listed by creation time
    assert (await accounts.create_org(svc, "P" * 250, NewUser("boss2", "Boss123456")))[0].access == "public"
    assert [o.name for o in await accounts.list_orgs(svc)] == ["Test Org", "Private Works", "P" * 250]
    assert await accounts.get_org(svc, org.id) == org


@pytest.mark.parametrize(("name", "access", "message", "detail"), [
    ("", "public", "Invalid organization name.", "'name' must have 1 to 250 characters."),
    ("   ", "public", "Invalid organization name.", "'name' must have 1 to 250 characters."),
    (None, "public", "Invalid organization name.", "'name' must have 1 to 250 characters."),
    ("P" * 251, "public", "Invalid organization name.", "'name' must have 1 to 250 characters."),
    ("Fine", "org", "Invalid access.", "'access' must be public or private."),
    ("Fine", "PRIVATE", "Invalid access.", "'access' must be public or private."),
])
async def test_create_org_refusals(svc, name, access, message, detail):
    with pytest.raises(InvalidParameter) as info:
        await accounts.create_org(svc, name, NewUser("boss", "Boss123456"), access=access)
    assert (info.value.message, info.value.details) == (message, [detail])


async def test_an_organization_name_is_taken_once(svc):
    await accounts.create_org(svc, "Works", NewUser("boss", "Boss123456"))
    with pytest.raises(Conflict) as info:
        await accounts.create_org(svc, "Works", NewUser("boss2", "Boss123456"))
    assert (info.value.message, info.value.details) == ("An organization with this name already exists.", ["Works"])


async def test_set_password(client, svc):
    token = await get_token(client)
    changed_at = svc.clock.pin(svc.clock.now_ms() + 60_000)
    await accounts.set_password(svc, "ADMIN", "Changed12345")
    user = await svc.db.read(user_store.user_by_username, ADMIN)
    assert user.modified == changed_at and await svc.hasher.verify(user.password_hash, "Changed12345")
    assert not await svc.hasher.verify(user.password_hash, ADMIN_PASSWORD)
    reply = (await client.get(f"{SHARING}/community/self", params={"f": "json", "token": token})).json()
    assert reply["error"]["code"] == 498
    with pytest.raises(NotFound) as info:
        await accounts.set_password(svc, "nobody", "Changed12345")
    assert info.value.message == "User does not exist or is inaccessible."
