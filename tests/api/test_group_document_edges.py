"""The group object (sharing-api.md §5.1), whole: every key and the constant values geoshare
answers for features it does not have (favorites, read-only, open data, providers,
collaborations)."""

from __future__ import annotations

from tests.api.group_members_support import get, member
from tests.conftest import DEFAULT_ORG, make_group


async def test_the_group_object_has_every_key(client, svc):
    token = await member(client, svc, "doc_owner")
    group = await make_group(svc, "doc_owner", "Whole", access="org", notifications_enabled=True)
    body = await get(client, f"community/groups/{group.id}", token)
    assert body == {
        "id": group.id, "title": "Whole", "owner": "doc_owner", "description": None, "snippet": None, "phone": None,
        "tags": [], "typeKeywords": [], "sortField": "title", "sortOrder": "asc", "access": "org",
        "isInvitationOnly": False, "isViewOnly": False, "autoJoin": False, "protected": False, "isFav": False,
        "isReadOnly": False, "isOpenData": False, "capabilities": [], "leavingDisallowed": False,
        "hiddenMembers": False, "membershipAccess": None, "displaySettings": {}, "thumbnail": None,
        "created": group.created, "modified": group.modified, "provider": None, "providerGroupName": None,
        "notificationsEnabled": True, "orgId": DEFAULT_ORG, "collaborationInfo": {},
        "userMembership": {"username": "doc_owner", "memberType": "owner", "applications": 0}}
