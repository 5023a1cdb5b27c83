"""portals/{id}/securityPolicy and securityPolicy/update (sharing-api.md §3.7): the stored shape
domain/password_policy reads, bounds on every rule, no retroactive effect on passwords already
set, and the organization's lockout rules applied at sign-in."""

from __future__ import annotations

import pytest

from geoshare.domain import password_policy
from geoshare.errors import InvalidParameter
from geoshare.storage import orgs as org_store
from tests.api.org_support import NOT_FOUND, call, member_with, snapshot
from tests.conftest import DEFAULT_ORG, SHARING, get_token, make_org, make_user

POLICY = "portals/self/securityPolicy"
UPDATE = "portals/self/securityPolicy/update"
DEFAULT = {"passwordPolicy": {"minLength": 8, "minUpper": None, "minLower": None, "minLetter": 1, "minDigit": 1,
                              "minOther": None, "expirationInDays": None, "historySize": None},
           "lockoutPolicy": {"attempts": 5, "lockoutMinutes": 15}}


async def test_default_policy(client, admin_token):
    assert await call(client, POLICY, admin_token, method="GET") == DEFAULT
    # arcgis reads it with a POST to the lower-cased path
    assert await call(client, "portals/self/securitypolicy", admin_token) == DEFAULT


async def test_update_sets_the_whole_password_policy_and_keeps_lockout_rules(client, svc, admin_token):
    reply = await call(client, UPDATE, admin_token, minLength="12", minUpper="2", minLetter="null", minOther="1",
                       expirationInDays="90", historySize="5", lockoutAttempts="3", lockoutMinutes="30")
    assert reply == {"success": True}
    expected = {"passwordPolicy": {"minLength": 12, "minUpper": 2, "minLower": None, "minLetter": None,
                                   "minDigit": 1, "minOther": 1, "expirationInDays": 90, "historySize": 5},
                "lockoutPolicy": {"attempts": 3, "lockoutMinutes": 30}}
    assert await call(client, POLICY, admin_token, method="GET") == expected
    org = await svc.db.read(org_store.org_by_id, DEFAULT_ORG)
    assert org.settings["securityPolicy"] == expected  # the shape domain/password_policy reads
    assert password_policy.password_policy(org) == expected["passwordPolicy"]
    with pytest.raises(InvalidParameter):
        password_policy.check_password("Abcdefgh1!x", "someone", password_policy.password_policy(org))
    # rules left out go back to their defaults; lockout rules left out stay
    await call(client, UPDATE, admin_token, minLength="10")
    assert await call(client, POLICY, admin_token, method="GET") == {
        "passwordPolicy": {**DEFAULT["passwordPolicy"], "minLength": 10}, "lockoutPolicy": expected["lockoutPolicy"]}


BAD = [("minLength", "7"), ("minLength", "1001"), ("minLength", "null"), ("minLength", "eight"),
       ("minUpper", "0"), ("minLower", "-1"), ("minLetter", "1001"), ("minDigit", "1.5"), ("minOther", "0"),
       ("expirationInDays", "0"), ("expirationInDays", "1096"), ("historySize", "0"), ("historySize", "25"),
       ("lockoutAttempts", "0"), ("lockoutAttempts", "101"), ("lockoutAttempts", "null"), ("lockoutMinutes", "0"),
       ("lockoutMinutes", "1441")]


async def test_bad_values_change_nothing(client, svc, admin_token, subtests):
    await call(client, UPDATE, admin_token, minLength="9", lockoutAttempts="4")
    for name, value in BAD:
        with subtests.test(name=name, value=value):
            before = await snapshot(svc)
            reply = await call(client, UPDATE, admin_token, **{"minLower": "3", name: value})
            assert reply["error"]["code"] == 400 and reply["error"]["details"][0].startswith(f"'{name}' must be")
            assert await snapshot(svc) == before


LIMITS = [
    ("minLength", "8"), ("minLength", "1000"), ("minUpper", "1"), ("minOther", "1000"), ("expirationInDays", "1"),
    ("expirationInDays", "1095"), ("historySize", "1"), ("historySize", "24"), ("lockoutAttempts", "1"),
    ("lockoutAttempts", "100"), ("lockoutMinutes", "1"), ("lockoutMinutes", "1440"), ("minDigit", "NULL")]


async def test_values_at_the_limits(client, admin_token, subtests):
    for name, value in LIMITS:
        with subtests.test(name=name, value=value):
            assert await call(client, UPDATE, admin_token, **{name: value}) == {"success": True}
            body = await call(client, POLICY, admin_token, method="GET")
            stored = {**body["passwordPolicy"], "lockoutAttempts": body["lockoutPolicy"]["attempts"],
                      "lockoutMinutes": body["lockoutPolicy"]["lockoutMinutes"]}
            assert stored[name] == (None if value == "NULL" else int(value))


async def test_who_may_read_and_change_it(client, svc, admin_token):
    website = await member_with(svc, client, "web_admin", "portal:admin:manageWebsite")
    security = await member_with(svc, client, "sec_admin", "portal:admin:manageSecurity")
    before = await snapshot(svc)
    assert (await call(client, UPDATE, website, minLength="20"))["error"]["code"] == 403
    assert (await call(client, POLICY, website, method="GET"))["error"]["code"] == 403
    assert await snapshot(svc) == before
    assert await call(client, UPDATE, security, minLength="20") == {"success": True}
    other = await make_org(client, admin_token, "Second Org", "second_admin")
    theirs = await get_token(client, "second_admin", "Other12345")
    before = await snapshot(svc)
    assert await call(client, f"portals/{DEFAULT_ORG}/securityPolicy/update", theirs, minLength="30") == NOT_FOUND
    assert await call(client, f"portals/{DEFAULT_ORG}/securityPolicy", theirs, method="GET") == NOT_FOUND
    assert await snapshot(svc) == before
    assert (await call(client, POLICY, theirs, method="GET")) == DEFAULT  # their own, untouched
    assert other["org"]["id"] != DEFAULT_ORG


async def test_a_stricter_policy_does_not_lock_out_existing_passwords(client, svc, admin_token):
    await make_user(svc, "old_timer", "Member12345")
    await call(client, UPDATE, admin_token, minLength="30", minUpper="5", minOther="3", expirationInDays="1")
    svc.clock.advance(30 * 86_400_000)
    assert await get_token(client, "old_timer", "Member12345")


async def _fail_sign_in(client, username):
    reply = await client.post(f"{SHARING}/generateToken", data={"username": username, "password": "wrong-one-1",
                                                                  "f": "json"})
    return reply.json()["error"]["details"]


async def test_the_organizations_lockout_rules_apply_at_sign_in(client, svc, admin_token):
    await make_user(svc, "guarded", "Member12345")
    other = await make_org(client, admin_token, "Second Org", "second_admin")
    await make_user(svc, "elsewhere", "Member12345", org_id=other["org"]["id"])
    await call(client, UPDATE, admin_token, lockoutAttempts="2", lockoutMinutes="1")
    assert await _fail_sign_in(client, "guarded") == ["Invalid username or password."]
    assert await _fail_sign_in(client, "guarded") == ["Too many invalid attempts. Please try again later."]
    # the other organization keeps the server's five attempts
    for _ in range(4):
        assert await _fail_sign_in(client, "elsewhere") == ["Invalid username or password."]
    assert await _fail_sign_in(client, "elsewhere") == ["Too many invalid attempts. Please try again later."]
    svc.clock.advance(61_000)  # the organization's one-minute lock is over
    assert await get_token(client, "guarded", "Member12345")
