"""portals/{portal}/invite (sharing-api.md §4.7): entries with a password become members at once,
each entry on its own; refused entries land in notInvited and the call still succeeds; a
malformed invitation list fails the call and changes nothing."""

from __future__ import annotations

import json
import logging

import pytest

from geoshare.domain.privileges import VIEWER_ROLE_ID
from geoshare.storage import members as member_store
from tests.api.members_support import PASSWORD, custom_caller, error, invitations, post, snapshot, stored_user
from tests.conftest import DEFAULT_ORG, SHARING, get_token, make_org

INVITE = f"{SHARING}/portals/self/invite"


def entry(n: int | str, **changes: object) -> dict[str, object]:
    return {"username": f"invited_{n}", "password": PASSWORD, "email": f"inv{n}@example.org", "firstname": "In",
            "lastname": "Vited", **changes}


async def invite(client, token, *entries, portal="self", **extra):
    return await post(client, f"{SHARING}/portals/{portal}/invite", token, invitationList=invitations(*entries),
                      **extra)


async def test_entries_with_passwords_become_members(client, svc, admin_token):
    now = svc.clock.pin()
    body = await invite(client, admin_token, entry(1, role="account_publisher", userLicenseType="creatorUT"),
                        entry(2, fullname="Grace Brewster Hopper", firstname="", lastname="", userType="viewerUT",
                              role=VIEWER_ROLE_ID, description="<p>x</p><img src=x onerror=alert(1)>"),
                        entry(3, level=1, role=None), subject="Welcome", message="Hello", expiration=1440)
    assert body == {"success": True, "notInvited": []}
    one, two, three = [await stored_user(svc, f"invited_{n}") for n in (1, 2, 3)]
    assert (one.role, one.role_id, one.user_license_type_id, one.full_name) == ("org_publisher", None, "creatorUT",
                                                                                 "In Vited")
    assert (two.role, two.role_id, two.user_license_type_id) == ("org_user", VIEWER_ROLE_ID, "viewerUT")
    assert (two.first_name, two.last_name, two.description) == ("Grace Brewster", "Hopper", '<p>x</p><img src="x">')
    assert (three.role_id, three.user_license_type_id) == (VIEWER_ROLE_ID, "viewerUT")
    assert (one.org_id, one.password_changed) == (DEFAULT_ORG, now)
    assert await svc.db.read(member_store.password_history_of, one.id) == [(one.password_hash, now)]
    assert await get_token(client, "invited_1", PASSWORD)


async def test_refused_entries_are_listed_and_the_others_created(client, svc, admin_token, caplog):
    caplog.set_level(logging.INFO, logger="geoshare.members")
    body = await invite(client, admin_token,
                        entry(1), entry("dup", username="ADMIN"), entry(2, role="org_owner"),
                        entry(3, email="not-an-email"), entry(4, password="weak"), entry(5, password=None),
                        entry(6, groups="43c2c91a304b44b59e5f8e871294069c"), entry(7, userLicenseType="viewerUT"),
                        entry(1, email="again@example.org"), {"email": "nobody@example.org"},
                        entry(8, userCreditAssignment=-2), entry(9, firstname=["not", "text"]), entry(10))
    assert body == {"success": True, "notInvited": [
        "ADMIN", "invited_2", "invited_3", "invited_4", "invited_5", "invited_6", "invited_7", "invited_1",
        "nobody@example.org", "invited_8", "invited_9"]}
    created = {n: await stored_user(svc, f"invited_{n}") for n in range(1, 11)}
    assert [n for n, user in created.items() if user is not None] == [1, 10]
    assert created[1].email == "inv1@example.org"  # the second entry for the same name did not replace it
    assert "invitation of invited_5 not made: Unable to create user. An invitation without a password needs " \
           "e-mail, which this portal does not send." in caplog.text
    assert PASSWORD not in caplog.text and "weak" not in caplog.text


async def test_an_enterprise_entry_needs_no_password(client, svc, admin_token):
    body = await invite(client, admin_token, entry(1, password=None, targetUserProvider="enterprise",
                                                   idpUsername="in1@CORP"))
    assert body == {"success": True, "notInvited": []}
    user = await stored_user(svc, "invited_1")
    assert (user.provider, user.password_hash, user.idp_username) == ("enterprise", None, "in1@CORP")


async def test_only_a_full_administrator_invites_administrators(client, svc):
    token = await custom_caller(client, svc, "m_inviter", ["portal:admin:inviteUsers"])
    body = await invite(client, token, entry(1, role="org_admin"), entry(2, role="org_user"))
    assert body == {"success": True, "notInvited": ["invited_1"]}
    assert await stored_user(svc, "invited_1") is None and await stored_user(svc, "invited_2") is not None


async def test_members_join_the_callers_organization(client, svc, admin_token):
    org = (await make_org(client, admin_token, "Other", "other_boss"))["org"]["id"]
    token = await get_token(client, "other_boss", "Other12345")
    assert await invite(client, token, entry(1), portal=org) == {"success": True, "notInvited": []}
    assert (await stored_user(svc, "invited_1")).org_id == org
    before = await snapshot(svc)
    assert error(await invite(client, admin_token, entry(2), portal=org)) == (
        400, "Portal does not exist or is inaccessible.", [])
    assert await snapshot(svc) == before


@pytest.mark.parametrize(("invitation_list", "detail"), [
    ("{nope", "'invitationList' is not valid JSON."),
    ('{"invitations": "x"}', """'invitationList' must be {"invitations": [{...}, ...]}."""),
    ('{"invitations": ["x"]}', """'invitationList' must be {"invitations": [{...}, ...]}."""),
    ("[]", """'invitationList' must be {"invitations": [{...}, ...]}."""),
    (json.dumps({"invitations": [entry(n) for n in range(101)]}),
     "'invitationList' holds more than 100 invitations."),
])
async def test_a_malformed_list_fails_the_call(client, svc, admin_token, invitation_list, detail):
    before = await snapshot(svc)
    body = await post(client, INVITE, admin_token, invitationList=invitation_list)
    assert error(body) == (400, "Unable to invite users.", [detail])
    assert await snapshot(svc) == before


async def test_a_hundred_invitations_are_accepted(client, svc, admin_token):
    body = await post(client, INVITE, admin_token,
                      invitationList=json.dumps({"invitations": [entry(n, password=None) for n in range(100)]}))
    assert body["success"] is True and len(body["notInvited"]) == 100  # none had a password


async def test_the_invitation_list_is_required(client, admin_token):
    assert error(await post(client, INVITE, admin_token)) == (400, "Unable to invite users.",
                                                              ["'invitationList' must be specified."])
