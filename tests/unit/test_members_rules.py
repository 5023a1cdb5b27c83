"""domain/members.py called directly: each rule's exact answer on both sides of its boundary,
the parts the HTTP table checks before the domain sees them (so only invite and the command
line reach them), checkUsernames' suggestions and the log lines of member creation."""

from __future__ import annotations

import logging

import pytest

from geoshare.domain import members, password_policy
from geoshare.domain.members import MemberRequest
from geoshare.errors import InvalidParameter, NotFound
from geoshare.storage import org_settings as settings_store
from geoshare.storage import orgs as org_store
from tests.api.members_support import invitations, post, stored_user
from tests.conftest import DEFAULT_ORG, SHARING

CREATE = "Unable to create user."


def refusal(fn, *args):
    with pytest.raises(InvalidParameter) as info:
        fn(*args)
    return info.value.message, info.value.details


# ---------------------------------------------------------------- usernames
@pytest.mark.parametrize("value", [None, "", "   "])
def test_a_username_is_required(value):
    assert refusal(members.member_username, value, "arcgis") == (CREATE, ["'username' must be specified."])


def test_an_enterprise_login_with_a_domain():
    assert members.member_username("CORP\\jcho111", "enterprise") == "jcho111@CORP"
    assert refusal(members.member_username, "CORP\\jcho111", "arcgis") == ("Invalid username.", [members.USERNAME_RULE])
    assert refusal(members.member_username, "A\\B\\jcho111", "enterprise") == (
        "Invalid username.", [members.USERNAME_RULE])


# ---------------------------------------------------------------- e-mail
@pytest.mark.parametrize("value", [None, "", "  "])
def test_an_email_is_required(value):
    assert refusal(members.check_email, value) == (CREATE, ["'email' must be specified."])


def test_the_longest_email():
    local = "a" * 64
    longest = f"{local}@{'b' * 63}.{'c' * 63}.{'d' * 61}"
    assert len(longest) == 254 and members.check_email(f" {longest} ") == longest
    too_long = longest[:-1] + "dd"
    assert refusal(members.check_email, too_long) == ("Invalid e-mail address.",
                                                      [f"'{too_long[:80]}' is not an e-mail address."])


@pytest.mark.parametrize("value", ["x" * 65 + "@example.org", "ada@-example.org", "ada@example..org", "@example.org",
                                   "ada@exam ple.org", "a<b>@example.org"])
def test_emails_refused(value):
    assert refusal(members.check_email, value)[0] == "Invalid e-mail address."


# ---------------------------------------------------------------- names
def test_names():
    assert members.member_names("Ada", "Lovelace", None) == ("Ada", "Lovelace", "Ada Lovelace")
    assert members.member_names("Ada", "Lovelace", "The Countess") == ("Ada", "Lovelace", "The Countess")
    assert members.member_names(None, None, "Ada King Lovelace") == ("Ada King", "Lovelace", "Ada King Lovelace")
    for first, last in (("Ada", None), (None, "Lovelace")):  # half a name and a full name: not guessed
        assert refusal(members.member_names, first, last, "Ada Lovelace") == (
            CREATE, ["'firstname' and 'lastname' (or 'fullname') must be specified."])


# ---------------------------------------------------------------- provider, description, idpUsername, level
def test_providers():
    assert [members.provider_of(v) for v in (None, "", "ArcGIS", "enterprise", " WEBADAPTOR ")] == [
        "arcgis", "arcgis", "arcgis", "enterprise", "enterprise"]
    assert refusal(members.provider_of, "ldap") == (
        CREATE, ["'provider' must be one of: arcgis, enterprise, webadaptor."])


def test_the_longest_description():
    assert members._description("x" * 32_000) == "x" * 32_000
    assert refusal(members._description, "x" * 32_001) == (CREATE, ["'description' has more than 32000 characters."])
    assert members._description("<script>x</script>") is None


def test_idp_usernames():
    assert members._idp_username("i" * 255, "enterprise", "someone") == "i" * 255
    assert members._idp_username(None, "enterprise", "someone") == "someone"
    message = (CREATE, ["'idpUsername' must be printable text of at most 255 characters."])
    assert refusal(members._idp_username, "i" * 256, "enterprise", "someone") == message
    assert refusal(members._idp_username, "tab\there", "enterprise", "someone") == message


def _request(**changes):
    return MemberRequest(**{"username": "new_member", "email": "n@example.org", "password": "Member12345",
                            "full_name": "New Member", **changes})


def test_levels():
    assert refusal(members.check_request, _request(level="3")) == (CREATE, ["'level' must be 1 or 2."])
    viewer = members.check_request(_request(level="1"))
    assert (viewer.role, viewer.user_type) == ("iAAAAAAAAAAAAAAA", "viewerUT")
    other = members.check_request(_request(level="2"))
    assert (other.role, other.user_type) == (None, None)
    assert members.check_request(_request(level="1", role="org_user", user_type="creatorUT")).role == "org_user"


# ---------------------------------------------------------------- invitation entries
def test_entry_fields():
    req = members.entry_request({"username": "u_name1", "userLicenseType": "", "userType": "viewerUT", "level": 1,
                                 "groups": " , ,", "userCreditAssignment": -1})
    assert (req.user_type, req.level) == ("viewerUT", "1")
    assert members.entry_request({"userCreditAssignment": 0.5}).username is None


@pytest.mark.parametrize("credits", [-2, -1.5, True, "5", [1]])
def test_credits_refused(credits):
    assert refusal(members.entry_request, {"userCreditAssignment": credits}) == (
        CREATE, ["'userCreditAssignment' must be -1 (unlimited) or a number of credits."])


def test_groups_refused():
    groups = "g" * 250
    assert refusal(members.entry_request, {"groups": groups}) == ("Group does not exist or is inaccessible.",
                                                                  ["g" * 200])
    assert refusal(members.entry_request, {"groups": "XX,"}) == ("Group does not exist or is inaccessible.", ["XX,"])


def test_entry_values_must_be_text():
    assert refusal(members.entry_request, {"email": {"a": 1}}) == (CREATE, ["'email' must be text."])


# ---------------------------------------------------------------- checkUsernames
@pytest.mark.parametrize(("requested", "taken", "suggested"), [
    ("free_name", set(), "free_name"),
    ("Taken_Name", {"taken_name"}, "Taken_Name1"),
    ("taken_name", {"taken_name", "taken_name1"}, "taken_name2"),
    ("jo hn!", set(), "john00"),
    ("jo", {"jo0000"}, "jo0001"),
    ("!!!", set(), "user00"),
    ("x" * 30, set(), "x" * 24),
    ("x" * 30 + "!", {"x" * 24}, "x" * 23 + "1"),
    ("x" * 30, {"x" * 24}, "x" * 23 + "1"),
    ("x" * 30, {"x" * 24, *(f"{'x' * 23}{n}" for n in range(1, 10))}, "x" * 22 + "10"),
])
def test_suggestions(requested, taken, suggested):
    assert members.suggest(members.name_base(requested), taken) == suggested


async def test_check_usernames_limits(svc):
    assert await members.check_usernames(svc, []) == {"usernames": []}
    answer = await members.check_usernames(svc, [f"name_{n:03d}" for n in range(100)])
    assert len(answer["usernames"]) == 100 and answer["usernames"][7] == {"requested": "name_007",
                                                                            "suggested": "name_007"}
    with pytest.raises(InvalidParameter) as info:
        await members.check_usernames(svc, ["x"] * 101)
    assert (info.value.message, info.value.details) == ("Unable to check usernames.",
                                                        ["'usernames' holds more than 100 names."])
    assert await members.check_usernames(svc, ["ADMIN"]) == {"usernames": [{"requested": "ADMIN",
                                                                             "suggested": "ADMIN0"}]}


# ---------------------------------------------------------------- organizations named on the command line
async def test_organizations_by_id_or_name(svc):
    assert (await members.org_named(svc, None)).id == DEFAULT_ORG
    assert (await members.org_named(svc, DEFAULT_ORG.lower())).id == DEFAULT_ORG
    assert (await members.org_named(svc, " test ORG ")).id == DEFAULT_ORG
    with pytest.raises(NotFound) as info:
        await members.org_named(svc, "n" * 100)
    assert info.value.details == [f"No organization has the id or name '{'n' * 80}'."]


async def test_the_command_line_may_grant_any_role(svc):
    user = await members.create_from_command_line(svc, None, _request(role="org_admin"))
    assert user.role == "org_admin"


# ---------------------------------------------------------------- log lines
async def test_creation_is_logged_with_who_and_what(client, svc, admin_token, caplog):
    caplog.set_level(logging.INFO, logger="geoshare.members")
    await members.create_from_command_line(svc, None, _request(username="cli_member"))
    await members.create_from_command_line(svc, None, _request(username="cli_viewer", role="viewer",
                                                                 user_type="viewerUT", provider="webadaptor"))
    body = await post(client, f"{SHARING}/portals/self/invite", admin_token, invitationList=invitations(
        {"username": "inv_admin", "password": "Member12345", "email": "i@example.org", "fullname": "In Admin",
         "role": "org_admin", "userLicenseType": "GISProfessionalAdvUT"}))
    assert body == {"success": True, "notInvited": []}  # a full administrator may invite administrators
    assert (await stored_user(svc, "inv_admin")).role == "org_admin"
    lines = [r.getMessage() for r in caplog.records if r.name == "geoshare.members"]
    assert lines == [
        f"member cli_member created in {DEFAULT_ORG} by the command line (role org_user, user type creatorUT, "
        "provider arcgis)",
        f"member cli_viewer created in {DEFAULT_ORG} by the command line (role iAAAAAAAAAAAAAAA, user type "
        "viewerUT, provider enterprise)",
        f"member inv_admin created in {DEFAULT_ORG} by admin (role org_admin, user type GISProfessionalAdvUT, "
        "provider arcgis)"]


async def test_refused_invitations_are_logged_in_short(client, svc, admin_token, caplog):
    policy = {"passwordPolicy": {"minLength": 40, "minUpper": 2, "minLower": 2, "minLetter": 3, "minDigit": 2, "minOther": 2}}
    await svc.db.write(settings_store.put_settings, DEFAULT_ORG, {"securityPolicy": policy}, None)
    caplog.set_level(logging.INFO, logger="geoshare.members")
    label = "x" * 150
    body = await post(client, f"{SHARING}/portals/self/invite", admin_token, invitationList=invitations(
        {"username": label, "password": "Member12345", "email": "i@example.org", "fullname": "A B"},
        {"username": "weak_member", "password": "a", "email": "w@example.org", "fullname": "A B"},
        {"email": "", "fullname": "A B", "password": "Member12345"}))
    assert body == {"success": True, "notInvited": [label, "weak_member", ""]}
    lines = [r.getMessage() for r in caplog.records if r.name == "geoshare.members"]
    assert lines[0] == f"invitation of {'x' * 120} not made: Invalid username. {members.USERNAME_RULE}"
    problems = " ".join(password_policy.policy_problems("a", "weak_member", password_policy.password_policy(
        await svc.db.read(org_store.org_by_id, DEFAULT_ORG))))
    assert len(problems) > 300 and problems.startswith("The password must have at least 40 characters. ")
    assert lines[1] == f"invitation of weak_member not made: Invalid password. {problems[:300]}"
    assert lines[2] == "invitation of  not made: Unable to create user. 'username' must be specified."
