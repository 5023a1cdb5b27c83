"""Who may share into a group (sharing-api.md §8.3), edges found by the mutation check: an
administrator of the group's organization who is not a member may share into any of its groups;
an administrator of another organization may not share into a public group they only see."""

from __future__ import annotations

from geoshare.domain import accounts, groups
from geoshare.storage import users as user_store
from tests.conftest import make_group, make_org, make_user


async def _principal(svc, name):
    return await accounts.principal_for_user(svc, await svc.db.read(user_store.user_by_username, name))


async def test_administrators_share_into_groups_of_their_own_organization_only(client, svc, admin_token):
    await make_user(svc, "sr_owner")
    await make_user(svc, "sr_admin", role="org_admin")
    await make_org(client, admin_token, "Far Org", "sr_far")
    group = await make_group(svc, "sr_owner", "Viewed", access="public", is_view_only=True)
    home, far = await _principal(svc, "sr_admin"), await _principal(svc, "sr_far")
    for who, expected in ((home, True), (far, False)):
        found = await svc.db.read(groups.seen, who, group.id)
        assert found.member_type is None
        assert groups.may_share_into(who, found) is expected
