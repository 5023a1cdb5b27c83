"""One rule for who sees a profile (sharing-api.md §8.4), applied two ways: `portal.user_view` on
one loaded record (community/users/{u}) and `access.user_visible` in SQL (listings, searches).
For every caller and every kind of profile the two must agree, or a search would count users a
read then hides (or the reverse)."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from geoshare.domain import access, accounts, privileges
from geoshare.domain.portal import user_view
from geoshare.domain.principal import ANONYMOUS
from geoshare.storage import orgs as org_store
from geoshare.storage import roles as role_store
from geoshare.storage import users as user_store
from geoshare.storage.tables import users
from tests.conftest import DEFAULT_ORG, make_user

PASSWORD = "Member12345"


async def _principal(svc, username):
    user = await svc.db.read(user_store.user_by_username, username)
    return await accounts.principal_for_user(svc, user)


@pytest.fixture
async def people(svc):
    other, _ = await accounts.create_org(svc, "Visibility Other", accounts.NewUser("vis_other_admin", PASSWORD))
    for access_value, org_id in itertools.product(("private", "org", "public"), (DEFAULT_ORG, other.id)):
        name = f"t_{access_value}_{'home' if org_id == DEFAULT_ORG else 'away'}"
        if org_id == DEFAULT_ORG:
            await make_user(svc, name, PASSWORD, access=access_value)
        else:
            user = await accounts.create_user(svc, org_id, accounts.NewUser(name, PASSWORD))
            await svc.db.write(lambda conn, u=user, a=access_value: user_store.update_user(conn, u.id, access=a))
    await make_user(svc, "v_viewer", PASSWORD, role_id=privileges.VIEWER_ROLE_ID)
    now = svc.clock.now_ms()
    await svc.db.write(lambda conn: role_store.insert_role(
        conn, role_id="cNoOrgUsers00001", org_id=DEFAULT_ORG, name="Blind", description=None,
        privileges=["portal:user:joinGroup"], now=now))
    blind = await make_user(svc, "v_blind", PASSWORD)
    await svc.db.write(lambda conn: user_store.update_user(conn, blind.id, role_id="cNoOrgUsers00001"))
    return ["admin", "v_viewer", "v_blind", "vis_other_admin"]


async def test_single_reads_and_sql_agree_for_every_caller_and_profile(svc, people):
    viewers = [ANONYMOUS] + [await _principal(svc, name) for name in people]
    everyone = await svc.db.read(lambda conn: [user_store.user_by_id(conn, r.id)
                                               for r in conn.execute(select(users.c.id))])
    for viewer in viewers:
        seen_by_sql = await svc.db.read(lambda conn, v=viewer: {
            r.id for r in conn.execute(select(users.c.id).where(access.user_visible(v)))})
        for target in everyone:
            org = await svc.db.read(org_store.org_by_id, target.org_id)
            seen_by_read = user_view(target, org, viewer) is not None
            assert seen_by_read == (target.id in seen_by_sql), (viewer.username, target.username, target.access)


async def test_the_rule_itself(svc, people):
    """Spot checks written from §8.4, so agreeing on a wrong rule cannot pass."""
    async def sees(viewer_name, target):
        viewer = ANONYMOUS if viewer_name is None else await _principal(svc, viewer_name)
        user = await svc.db.read(user_store.user_by_username, target)
        org = await svc.db.read(org_store.org_by_id, user.org_id)
        return user_view(user, org, viewer) is not None

    assert await sees(None, "t_public_away") and not await sees(None, "t_org_home")
    assert await sees("v_viewer", "t_org_home") and not await sees("v_viewer", "t_private_home")
    assert not await sees("v_viewer", "t_org_away")
    assert not await sees("v_blind", "t_org_home") and await sees("v_blind", "t_public_home")
    assert await sees("v_blind", "v_blind")  # everyone sees themselves
    assert await sees("admin", "t_private_home") and not await sees("admin", "t_private_away")
    assert not await sees("vis_other_admin", "t_org_home") and await sees("vis_other_admin", "t_private_away")
