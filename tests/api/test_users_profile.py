"""GET community/users/{u} (sharing-api.md §4.1, §4.3, §8.4): by username or id, the view each
caller gets, and hidden users answered exactly like missing ones."""

from __future__ import annotations

from typing import Any

import pytest

from geoshare.domain import accounts, privileges
from geoshare.domain.portal import MEMBER_PROFILE, PUBLIC_PROFILE
from geoshare.domain.privileges import VIEWER_ROLE_ID
from geoshare.storage import roles as role_store
from geoshare.storage import users as user_store
from tests.conftest import DEFAULT_ORG, SHARING, disable_user, get_token, make_user

PASSWORD = "Member12345"
MISSING = {"error": {"code": 400, "message": "User does not exist or is inaccessible.", "details": []}}


async def profile(client: Any, who: str, token: str | None = None) -> dict[str, Any]:
    params = {"f": "json", **({"token": token} if token else {})}
    return dict((await client.get(f"{SHARING}/community/users/{who}", params=params)).json())


@pytest.fixture
async def people(client, svc):
    """Members of the default organization with each profile access, and an outsider."""
    for name, access in (("privy", "private"), ("orgish", "org"), ("opened", "public")):
        await make_user(svc, name, PASSWORD, access=access)
    await make_user(svc, "looker", PASSWORD, role_id=VIEWER_ROLE_ID)
    await accounts.create_org(svc, "Elsewhere", accounts.NewUser("outsider", PASSWORD))
    return {name: await get_token(client, name, PASSWORD) for name in ("privy", "looker", "outsider")}


async def test_by_username_any_case_and_by_id(client, svc, people, admin_token):
    user = await svc.db.read(user_store.user_by_username, "opened")
    for key in ("opened", "OPENED", user.id, user.id.upper()):
        assert (await profile(client, key, admin_token))["username"] == "opened"


async def test_a_32_character_username_is_found_by_name(client, svc, admin_token):
    name = "a" * 32
    await make_user(svc, name, PASSWORD)
    assert (await profile(client, name, admin_token))["username"] == name


async def test_self_sees_everything(client, people):
    me = await profile(client, "privy", people["privy"])
    assert me["email"] is None and me["privileges"] and me["id"] and me["access"] == "private"
    assert "securityAnswer" not in me and "security_answer_hash" not in me and "password" not in str(me).lower()


async def test_member_view_for_the_same_organization(client, people):
    seen = await profile(client, "orgish", people["looker"])
    assert set(seen) == set(MEMBER_PROFILE)
    assert set(await profile(client, "opened", people["looker"])) == set(MEMBER_PROFILE)


async def test_public_view_for_outsiders_and_anonymous(client, people):
    for token in (people["outsider"], None):
        assert set(await profile(client, "opened", token)) == set(PUBLIC_PROFILE)


async def test_hidden_is_answered_like_missing(client, people):
    cases = [("privy", people["looker"]), ("privy", people["outsider"]), ("privy", None),
             ("orgish", people["outsider"]), ("orgish", None), ("no_such_user", people["looker"]),
             ("0" * 32, None)]
    for who, token in cases:
        assert await profile(client, who, token) == MISSING, (who, token)


async def test_admins_see_full_profiles_of_their_own_organization_only(client, svc, people, admin_token):
    privy = await profile(client, "privy", admin_token)
    assert privy["email"] is None and "privileges" in privy and privy["username"] == "privy"
    other_admin = await get_token(client, "outsider", PASSWORD)
    assert await profile(client, "admin", other_admin) == MISSING  # admin's profile is org


async def test_a_custom_role_with_view_users_sees_full_profiles(client, svc, people):
    from tests.api.matrix_support import _custom_role_member

    await _custom_role_member(svc)
    custom = await get_token(client, "m_custom", PASSWORD)
    seen = await profile(client, "privy", custom)
    assert "privileges" in seen and "email" in seen


async def test_a_custom_role_holder_reports_the_role_privileges(client, svc, admin_token):
    now = svc.clock.now_ms()
    await svc.db.write(lambda c: role_store.insert_role(c, role_id="cPublishers00001", org_id=DEFAULT_ORG,
                                                        name="Publishers", description=None,
                                                        privileges=list(privileges.PUBLISHER), now=now))
    user = await make_user(svc, "custom_pub", PASSWORD, role="org_user", role_id="cPublishers00001")
    seen = await profile(client, "custom_pub", admin_token)
    assert seen["role"] == "org_publisher" and seen["roleId"] == "cPublishers00001"
    assert set(seen["privileges"]) == set(privileges.PUBLISHER)
    assert user.role == "org_user"


async def test_disabled_users_stay_readable_by_admins(client, svc, people, admin_token):
    await disable_user(svc, "privy")
    seen = await profile(client, "privy", admin_token)
    assert seen["disabled"] is True and seen["username"] == "privy"
    assert (await profile(client, "opened", people["looker"]))["disabled"] is False


async def test_html_page_of_a_user(client, people, admin_token):
    page = await client.get(f"{SHARING}/community/users/privy", params={"token": admin_token})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "privy" in page.text
    for child in ("update", "tags", "properties", "notifications", "invitations", "disable", "delete"):
        assert f"/community/users/privy/{child}" in page.text, child
