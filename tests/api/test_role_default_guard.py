"""A custom role that new members get by default cannot be deleted: createUser without a role
would then refuse every new member with "Invalid role."."""

from __future__ import annotations

from tests.api.test_roles import add_role, call, stored_roles
from tests.conftest import SHARING


async def test_the_default_role_of_new_members_is_kept(client, admin_token, svc):
    await add_role(svc, "cDefaultRole0001", ["portal:user:joinGroup", "portal:user:viewOrgUsers"])
    assert (await call(client, "setUserDefaultSettings", admin_token, role="cDefaultRole0001"))["success"] is True
    before = await stored_roles(svc)
    reply = await call(client, "roles/cDefaultRole0001/delete", admin_token)
    assert reply == {"error": {"code": 400,
                               "message": "This role is the default role of new members: choose another default first.",
                               "details": ["security/config's defaultRoleForUser names this role."]}}
    assert await stored_roles(svc) == before
    assert (await call(client, "setUserDefaultSettings", admin_token, role="org_user"))["success"] is True
    assert await call(client, "roles/cDefaultRole0001/delete", admin_token) == {"success": True}
    assert await stored_roles(svc) == []
    defaults = (await client.get(f"{SHARING}/portals/self/userDefaultSettings",
                                 params={"f": "json", "token": admin_token})).json()
    assert defaults["role"] == "org_user"
