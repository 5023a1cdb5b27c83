"""Sharing items (sharing-api.md §6.10, §8.2): with everyone, with the organization and with
groups, by the owner and the organization's administrators (`content/users/{u}/items/{id}/share`,
`shareItems`) or by the managers of the target groups (`content/items/{id}/share`).

Levels: `everyone`/`org` absent leave the level alone, true turns it on, false off.  Groups are
added to what the item already has; a group the caller may not use is reported in
`notSharedWith` and the call still succeeds.  A public share the organization or the caller's
privileges forbid refuses the whole call (403).  "Make private" (everyone=false, org=false and a
present but blank `groups`, which REST JS sends as one space) also unshares every group.

Every check runs before the first write, so a refused item changes nothing, and every change ends
with `items.refresh_access` under the item's row lock.  A group's delete unshares its items and
refreshes their access in the group's delete transaction (`group_admin.ON_DELETE`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import Connection

from geoshare.domain import group_admin, groups, items
from geoshare.domain.items import SeenItem
from geoshare.domain.principal import Principal
from geoshare.domain.services import Services
from geoshare.errors import Forbidden, GeoshareError, InvalidParameter
from geoshare.storage import groups as group_store
from geoshare.storage import items as item_store
from geoshare.storage import orgs as org_store

MAX_GROUPS = 100
MAX_ITEMS = 100
ADMIN_SHARE = ("portal:admin:shareToGroup", "portal:admin:shareToOrg", "portal:admin:shareToPublic")
NO_PUBLIC = "Sharing with everyone is not allowed."
NO_ORG = "Sharing with the organization is not allowed."


@dataclass(frozen=True)
class Share:
    """One share request: `everyone`/`org` None leave the level alone; `blank_groups` is a
    `groups` parameter present but empty (with both levels false: make private)."""

    everyone: bool | None = None
    org: bool | None = None
    groups: tuple[str, ...] = ()
    confirm_item_control: bool = False
    blank_groups: bool = False

    @property
    def make_private(self) -> bool:
        return self.everyone is False and self.org is False and self.blank_groups


def check_counts(group_ids: list[str], item_ids: list[str] | None = None) -> None:
    if len(group_ids) > MAX_GROUPS:
        raise InvalidParameter("Unable to share item.", [f"'groups' names more than {MAX_GROUPS} groups."])
    if item_ids is not None and len(item_ids) > MAX_ITEMS:
        raise InvalidParameter("Unable to share items.", [f"'items' names more than {MAX_ITEMS} items."])


# ------------------------------------------------------------------ who may do what
def _owned_item(conn: Connection, viewer: Principal, username: str, item_id: str) -> SeenItem:
    """The locked item of `username` that the caller may share: its owner, or an administrator
    of its organization holding one of the portal:admin:share* privileges."""
    found = items.seen_item(conn, viewer, item_id, lock=True)  # pragma: no mutate (row lock)
    if found.item.owner.lower() != username.lower():
        raise items.missing()
    if not _may_share_item(viewer, found):
        raise Forbidden()
    return found


def _may(viewer: Principal, item_org: str, is_owner: bool, user_privilege: str, admin_privilege: str) -> bool:
    return (is_owner and viewer.has(user_privilege)) or viewer.admin_of(item_org, admin_privilege)


def _check_levels(conn: Connection, viewer: Principal, found: SeenItem, share: Share) -> None:
    """A public or org share the caller may not make refuses the whole call."""
    item = found.item
    is_owner = viewer.user is not None and viewer.user.id == item.owner_id
    if share.everyone:
        org = org_store.org_by_id(conn, item.org_id)
        if org is None or not org.can_share_public or not _may(
                viewer, item.org_id, is_owner, "portal:user:shareToPublic", "portal:admin:shareToPublic"):
            raise Forbidden(NO_PUBLIC)
    if share.org and not _may(viewer, item.org_id, is_owner, "portal:user:shareToOrg", "portal:admin:shareToOrg"):
        raise Forbidden(NO_ORG)


def _usable_group(conn: Connection, viewer: Principal, group_id: str, confirm: bool) -> groups.Seen | None:
    """The group when the caller may share into it (§8.2, §8.3), else None."""
    try:
        found = groups.seen(conn, viewer, group_id)
    except GeoshareError:
        return None
    admin = viewer.admin_of(found.group.org_id, "portal:admin:shareToGroup")
    if not admin and not viewer.has("portal:user:shareToGroup"):
        return None
    if not groups.may_share_into(viewer, found):
        return None
    if found.group.shared_update and not confirm:
        return None
    return found


def _owner_may_share_into(conn: Connection, owner_id: str, group_id: str) -> bool:
    """Whether the item's owner could share into the group: a member, and a manager when the
    group is view-only (group managers share private items only where the owner could)."""
    group = group_store.group_by_id(conn, group_id)
    kind = group_store.member_type(conn, group_id, owner_id)
    if group is None or kind is None:
        return False
    return kind in groups.MANAGER_TYPES or not group.is_view_only


# ------------------------------------------------------------------ changes
def _add_groups(conn: Connection, found: SeenItem, share: Share, now: int,
                usable: Callable[[str], groups.Seen | None]) -> list[str]:
    """Share with each group `usable` admits; the ids of those it did not."""
    refused: list[str] = []
    for group_id in share.groups:
        seen_group = usable(group_id)
        if seen_group is None:
            refused.append(group_id)
            continue
        control = share.confirm_item_control and seen_group.group.shared_update
        item_store.share_with(conn, found.item.id, seen_group.group.id, control, now)
    return refused


def _set_levels(conn: Connection, item_id: str, share: Share) -> None:
    values: dict[str, Any] = {}
    if share.everyone is not None:
        values["shared_public"] = share.everyone
    if share.org is not None:
        values["shared_org"] = share.org
    if values:
        item_store.update_item(conn, item_id, values)
    if share.make_private:
        for group_id in item_store.group_ids_of(conn, item_id):
            item_store.unshare_from(conn, item_id, group_id)


def share_owned(conn: Connection, viewer: Principal, username: str, item_id: str, share: Share,
                now: int) -> list[str]:
    """One item of `username` shared as `share` asks; the groups not shared with."""
    found = _owned_item(conn, viewer, username, item_id)
    _check_levels(conn, viewer, found, share)
    _set_levels(conn, found.item.id, share)
    refused = _add_groups(conn, found, share, now,
                          lambda gid: _usable_group(conn, viewer, gid, share.confirm_item_control))
    items.refresh_access(conn, found.item.id)
    return refused


def unshare_owned(conn: Connection, viewer: Principal, username: str, item_id: str, group_ids: tuple[str, ...]) \
        -> list[str]:
    """The owner or an administrator removes shares.  Unsharing is idempotent (arcgis re-sends
    what it removed): only ids that cannot name a group are reported."""
    found = _owned_item(conn, viewer, username, item_id)
    refused = [g for g in group_ids if len(g) != 32]
    for group_id in group_ids:
        item_store.unshare_from(conn, found.item.id, group_id.lower())
    items.refresh_access(conn, found.item.id)
    return refused


def _manager_usable(conn: Connection, viewer: Principal, found: SeenItem, confirm: bool) \
        -> Callable[[str], groups.Seen | None]:
    """content/items/{id}/share: the item's owner and administrators share as usual; group
    managers share items they see into their groups, private and group-only items only where
    the owner could share them."""
    def usable(group_id: str) -> groups.Seen | None:
        seen_group = _usable_group(conn, viewer, group_id, confirm)
        if seen_group is None or found.is_owner_or_admin:
            return seen_group
        if not (seen_group.is_manager or viewer.admin_of(seen_group.group.org_id, "portal:admin:shareToGroup")):
            return None
        if found.item.access in ("org", "public") or _owner_may_share_into(conn, found.item.owner_id,
                                                                           seen_group.group.id):
            return seen_group
        return None

    return usable


def _may_share_item(viewer: Principal, found: SeenItem) -> bool:
    is_owner = viewer.user is not None and viewer.user.id == found.item.owner_id
    return is_owner or any(viewer.admin_of(found.item.org_id, p) for p in ADMIN_SHARE)


def share_as_manager(conn: Connection, viewer: Principal, item_id: str, share: Share, now: int) -> list[str]:
    """content/items/{id}/share: arcgis also sends `everyone`/`org` here when an administrator
    shares another member's item, so the owner and administrators set levels as under
    content/users/{u}; anyone else asking for a level is refused (403)."""
    found = items.seen_item(conn, viewer, item_id, lock=True)  # pragma: no mutate (row lock: orders concurrent shares)
    if share.everyone is not None or share.org is not None:
        if not _may_share_item(viewer, found):
            raise Forbidden()
        _check_levels(conn, viewer, found, share)
        _set_levels(conn, found.item.id, share)
    refused = _add_groups(conn, found, share, now, _manager_usable(conn, viewer, found, share.confirm_item_control))
    items.refresh_access(conn, found.item.id)
    return refused


def _may_unshare(conn: Connection, viewer: Principal, found: SeenItem, group_id: str) -> bool:
    if found.is_owner_or_admin:
        return True
    try:
        seen_group = groups.seen(conn, viewer, group_id)
    except GeoshareError:
        return False
    return seen_group.is_manager or viewer.admin_of(seen_group.group.org_id, "portal:admin:shareToGroup")


def unshare_as_manager(conn: Connection, viewer: Principal, item_id: str, group_ids: tuple[str, ...]) -> list[str]:
    found = items.seen_item(conn, viewer, item_id, lock=True)  # pragma: no mutate (row lock: orders concurrent unshares)
    refused = [g for g in group_ids if not _may_unshare(conn, viewer, found, g)]
    for group_id in group_ids:
        if group_id not in refused:
            item_store.unshare_from(conn, found.item.id, group_id.lower())
    items.refresh_access(conn, found.item.id)
    return refused


# ------------------------------------------------------------------ the operations
async def share_item(svc: Services, viewer: Principal, username: str, item_id: str, share: Share) -> dict[str, Any]:
    """POST content/users/{u}/items/{id}/share."""
    check_counts(list(share.groups))
    now = svc.clock.now_ms()
    refused = await svc.db.write(lambda conn: share_owned(conn, viewer, username, item_id, share, now))
    return {"notSharedWith": refused, "itemId": item_id.lower()}


async def unshare_item(svc: Services, viewer: Principal, username: str, item_id: str,
                       group_ids: tuple[str, ...]) -> dict[str, Any]:
    """POST content/users/{u}/items/{id}/unshare."""
    check_counts(list(group_ids))
    refused = await svc.db.write(lambda conn: unshare_owned(conn, viewer, username, item_id, group_ids))
    return {"notUnsharedFrom": refused, "itemId": item_id.lower()}


async def share_item_as_manager(svc: Services, viewer: Principal, item_id: str, share: Share) -> dict[str, Any]:
    """POST content/items/{id}/share."""
    check_counts(list(share.groups))
    now = svc.clock.now_ms()
    refused = await svc.db.write(lambda conn: share_as_manager(conn, viewer, item_id, share, now))
    return {"notSharedWith": refused, "itemId": item_id.lower()}


async def unshare_item_as_manager(svc: Services, viewer: Principal, item_id: str,
                                  group_ids: tuple[str, ...]) -> dict[str, Any]:
    """POST content/items/{id}/unshare."""
    check_counts(list(group_ids))
    refused = await svc.db.write(lambda conn: unshare_as_manager(conn, viewer, item_id, group_ids))
    return {"notUnsharedFrom": refused, "itemId": item_id.lower()}


def _result(item_id: str, key: str, work: Callable[[], list[str]]) -> dict[str, Any]:
    """One item's entry of a batch: every check runs before the item's first write, so a
    refused item has changed nothing when its error is reported."""
    try:
        return {"itemId": item_id, "success": True, key: work()}
    except GeoshareError as error:
        return {"itemId": item_id, "success": False, key: [], "error": {"code": error.code, "message": error.message}}


async def share_items(svc: Services, viewer: Principal, username: str, item_ids: list[str],
                      share: Share) -> dict[str, Any]:
    """POST content/users/{u}/shareItems: each item as `share_item`, results per item."""
    check_counts(list(share.groups), item_ids)
    now = svc.clock.now_ms()

    def change(conn: Connection) -> list[dict[str, Any]]:
        return [_result(i, "notSharedWith", partial(share_owned, conn, viewer, username, i, share, now))
                for i in item_ids]

    return {"results": await svc.db.write(change)}


async def unshare_items(svc: Services, viewer: Principal, username: str, item_ids: list[str],
                        group_ids: tuple[str, ...]) -> dict[str, Any]:
    """POST content/users/{u}/unshareItems."""
    check_counts(list(group_ids), item_ids)

    def change(conn: Connection) -> list[dict[str, Any]]:
        return [_result(i, "notUnsharedFrom", partial(unshare_owned, conn, viewer, username, i, group_ids))
                for i in item_ids]

    return {"results": await svc.db.write(change)}


# ------------------------------------------------------------------ a group's delete
def unshare_group(conn: Connection, group_id: str) -> None:
    """Unshare every item shared with a group being deleted and store their new access."""
    for item_id in item_store.items_shared_with(conn, group_id):
        item_store.lock_item(conn, item_id)  # pragma: no mutate (row lock)
        item_store.unshare_from(conn, item_id, group_id)
        items.refresh_access(conn, item_id)


group_admin.ON_DELETE.append(unshare_group)
