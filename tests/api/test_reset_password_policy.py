"""The command line's password reset (accounts.set_password) follows the organization's
password policy and history like every other path that sets a password."""

from __future__ import annotations

import pytest

from geoshare.domain import accounts
from geoshare.errors import InvalidParameter
from geoshare.storage import users as user_store
from tests.conftest import SHARING, make_user


async def _policy(client, token, **rules):
    reply = await client.post(f"{SHARING}/portals/self/securityPolicy/update", data={"f": "json", "token": token,
                                                                                    **rules})
    assert reply.json() == {"success": True}, reply.text


async def test_reset_follows_the_policy_and_history(client, svc, admin_token):
    await make_user(svc, "resetme", "Member12345")
    await _policy(client, admin_token, minLength="12", historySize="2")
    before = await svc.db.read(user_store.user_by_username, "resetme")
    with pytest.raises(InvalidParameter) as caught:
        await accounts.set_password(svc, "resetme", "Short12345")  # 10 characters
    assert caught.value.details == ["The password must have at least 12 characters."]
    with pytest.raises(InvalidParameter) as caught:
        await accounts.set_password(svc, "resetme", "Member12345")  # long enough? no: 11, and the current one
    assert caught.value.details == ["The password must have at least 12 characters."]
    assert await svc.db.read(user_store.user_by_username, "resetme") == before
    await accounts.set_password(svc, "resetme", "Longer-pass-123")
    after = await svc.db.read(user_store.user_by_username, "resetme")
    assert after.password_hash != before.password_hash and after.password_changed > 0
    with pytest.raises(InvalidParameter) as caught:
        await accounts.set_password(svc, "resetme", "Longer-pass-123")
    assert caught.value.details == ["The password must differ from the last 2 passwords."]
    await accounts.set_password(svc, "resetme", "Another-pass-456")
