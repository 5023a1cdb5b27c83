"""Items (sharing-api.md §6, §8.2): the item object, finding an item the caller may read, who may
change it, and what items register with the users and groups work.  The operations build on
these (adding, reading, updating, folders, files, sharing, comments, ratings, relationships).

Who reads an item is one rule with two forms: `access.item_visible` (SQL, for listings, group
content and search) and `access.sees_item` (one loaded item).  An item the caller may not read
answers exactly like a missing one: "Item does not exist or is inaccessible." (CONT_0001).

Who changes an item: its owner; administrators of the item's organization holding the
operation's `portal:admin:*` privilege; and, for content updates only, members of a shared-update
group the item was shared with under confirmItemControl (`itemControl: "update"`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from geoshare.domain import access
from geoshare.domain.principal import Principal
from geoshare.errors import Forbidden, NotFound
from geoshare.storage import items as item_store
from geoshare.storage import orgs as org_store
from geoshare.storage.records import Item
from geoshare.storage.tables import group_members, groups, item_groups

ITEM_MISSING = "Item does not exist or is inaccessible."
MISSING_CODE = "CONT_0001"


def missing() -> NotFound:
    return NotFound(ITEM_MISSING, message_code=MISSING_CODE)


# ------------------------------------------------------------------ the item object
def thumbnail_key(item_id: str, file_name: str) -> str:
    return f"items/{item_id}/info/thumbnail/{file_name}"


def data_key(item_id: str, version: str) -> str:
    """Each new data blob gets a fresh name, so a reader streaming the old one is never cut."""
    return f"items/{item_id}/data/{version}"


def item_document(item: Item, *, control: str | None = None, show_folder: bool = False) -> dict[str, Any]:
    """The item object of §6.1.  `control` is the caller's itemControl (admin, update or None);
    `show_folder` adds ownerFolder (the owner and administrators only)."""
    doc: dict[str, Any] = {
        "id": item.id, "owner": item.owner, "orgId": item.org_id, "created": item.created, "modified": item.modified,
        "guid": None, "name": item.name, "title": item.title, "type": item.type,
        "typeKeywords": list(item.type_keywords), "description": item.description, "tags": list(item.tags),
        "snippet": item.snippet, "thumbnail": item.thumbnail, "documentation": item.documentation,
        "extent": item.extent, "categories": list(item.categories), "spatialReference": item.spatial_reference,
        "accessInformation": item.access_information, "licenseInfo": item.license_info, "culture": item.culture,
        "properties": item.properties, "advancedSettings": item.advanced_settings, "url": item.url,
        "proxyFilter": item.proxy_filter, "access": item.access,
        "size": -1 if item.data_kind == "none" and item.url else item.size, "subInfo": 0, "appCategories": [],
        "industries": [], "languages": [], "largeThumbnail": None, "banner": None, "screenshots": [],
        "listed": item.listed, "protected": item.protected, "commentsEnabled": item.comments_enabled,
        "numComments": item.num_comments, "numRatings": item.num_ratings, "avgRating": item.avg_rating,
        "numViews": item.num_views, "contentStatus": item.content_status, "groupDesignations": None,
        "isOrgItem": True,
    }
    if control is not None:
        doc["itemControl"] = control
    if show_folder:
        doc["ownerFolder"] = item.folder_id
    return doc


# ------------------------------------------------------------------ finding an item
@dataclass(frozen=True)
class SeenItem:
    """An item as one caller sees it: `control` is their itemControl (admin, update or None)."""

    item: Item
    control: str | None

    @property
    def is_owner_or_admin(self) -> bool:
        return self.control == "admin"


def _shared_with(conn: Connection, item_id: str, user_id: str) -> tuple[bool, bool]:
    """(shared with a group the user belongs to, shared with item control with a shared-update
    group the user belongs to)."""
    query = (select(item_groups.c.item_control, groups.c.shared_update)
             .join(group_members, group_members.c.group_id == item_groups.c.group_id)
             .join(groups, groups.c.id == item_groups.c.group_id)
             .where(item_groups.c.item_id == item_id, group_members.c.user_id == user_id))
    rows = conn.execute(query).all()
    return bool(rows), any(r.item_control and r.shared_update for r in rows)


def control_of(viewer: Principal, item: Item, may_update_shared: bool, privilege: str = "portal:admin:updateItems") \
        -> str | None:
    if viewer.user is not None and (viewer.user.id == item.owner_id or viewer.admin_of(item.org_id, privilege)):
        return "admin"
    return "update" if may_update_shared else None


def seen_item(conn: Connection, viewer: Principal, item_id: str, *, lock: bool = False) -> SeenItem:
    """The item `viewer` may read, or the missing-item error (the same for a hidden one)."""
    if len(item_id) != 32:
        raise missing()
    item = item_store.lock_item(conn, item_id.lower()) if lock else item_store.item_by_id(conn, item_id)
    if item is None:
        raise missing()
    shared, update_shared = _shared_with(conn, item.id, viewer.user.id) if viewer.user else (False, False)
    org = org_store.org_by_id(conn, item.org_id)
    org_is_public = org is not None and org.access == "public"
    if not access.sees_item(viewer, item, org_is_public=org_is_public, shared_with_viewer=shared):
        raise missing()
    return SeenItem(item, control_of(viewer, item, update_shared))


def require_owner_or_admin(viewer: Principal, found: SeenItem, privilege: str) -> None:
    """The owner, or an administrator of the item's organization holding `privilege` (403 else)."""
    if viewer.user is not None and viewer.user.id == found.item.owner_id:
        return
    if not viewer.admin_of(found.item.org_id, privilege):
        raise Forbidden()


def require_updater(viewer: Principal, found: SeenItem) -> None:
    """Content updates: the owner, an administrator with portal:admin:updateItems, or a member of
    a shared-update group the item was shared with under confirmItemControl."""
    if found.control is None:
        raise Forbidden()


def refresh_access(conn: Connection, item_id: str) -> str:
    """Store the `access` the item's sharing now amounts to (§8.2) and return it."""
    item = item_store.item_by_id(conn, item_id)
    assert item is not None  # pragma: no mutate (callers hold the item)
    derived = access.derived_access(item.shared_public, item.shared_org, item_store.count_shares(conn, item_id))
    if derived != item.access:
        item_store.update_item(conn, item_id, {"access": derived})
    return derived
