"""Content listings (sharing-api.md §6.2, §5.6, §6.7): a user's root folder or one folder
(`content/users/{u}[/{folderId}]`), a group's content (`content/groups/{id}`, through the source
that domain/group_content leaves pluggable) and the groups an item is shared with
(`content/items/{id}/groups`).

Who lists a user's content: the user, and administrators of the user's organization holding
portal:admin:viewItems; others get 403, and a user they cannot see answers like a missing one
(users.acting_on).  Group content shows only items the caller may read, through the same
`access.item_visible` predicate that counts the total, so totals and pages agree.

`foldersContent=true` lists the items of every folder (the root's too), which the Python client's
`user.delete()` reads to decide whether the user still owns content.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from geoshare.domain import access, group_content, users
from geoshare.domain.folders import find_folder, folder_document
from geoshare.domain.groups import document_for, seen
from geoshare.domain.items import item_document, seen_item
from geoshare.domain.page_window import window
from geoshare.domain.principal import Principal
from geoshare.domain.services import Services
from geoshare.storage import item_listing as listing_store
from geoshare.storage import items as item_store
from geoshare.storage.records import Folder, Item

VIEW_ITEMS = "portal:admin:viewItems"


def _scope(current: Folder | None, folders_content: bool) -> str | None:
    if current is not None:
        return current.id
    return listing_store.ALL_FOLDERS if folders_content else None


def _owner_documents(items: list[Item]) -> list[dict[str, Any]]:
    # The lister is the owner or an administrator: both see ownerFolder and have admin control.
    return [item_document(item, control="admin", show_folder=True) for item in items]


async def user_content(svc: Services, viewer: Principal, username: str, folder_id: str | None, *,
                       start: int | None, num: int | None, sort_field: str | None, sort_order: str | None,
                       folders_content: bool = False) -> dict[str, Any]:
    """GET content/users/{u} (folder_id None) and content/users/{u}/{folderId}."""
    owner = (await users.acting_on(svc, viewer, username, VIEW_ITEMS)).user
    page = window(start, num)  # sharing-api.md §1.7
    request = listing_store.Page(page.offset, page.limit, sort_field, sort_order)

    def load(conn: Connection) -> dict[str, Any]:
        current = find_folder(conn, owner, folder_id) if folder_id is not None else None
        total, found = listing_store.user_items(conn, owner.id, _scope(current, folders_content), request)
        folders = [] if current else [folder_document(owner, f) for f in item_store.folders_of(conn, owner.id)]
        return {"username": owner.username, **page.answer(total),
                "currentFolder": folder_document(owner, current) if current else None,
                "items": _owner_documents(found), "folders": folders}

    return await svc.db.read_heavy(load)


# ------------------------------------------------------------------ group content
def _control(viewer: Principal, item: Item) -> str | None:
    if viewer.user is not None and (viewer.user.id == item.owner_id or viewer.admin_of(item.org_id,
                                                                                        "portal:admin:updateItems")):
        return "admin"
    return None


def group_page(conn: Connection, listing: group_content.Listing) -> group_content.ContentPage:
    """The content source of content/groups/{id}: items shared with the group that the caller reads."""
    request = listing_store.Page(listing.offset, listing.limit, listing.sort_field, listing.sort_order)
    total, found = listing_store.group_items(conn, listing.group.id, access.item_visible(listing.viewer), request)
    return group_content.ContentPage(total, [item_document(i, control=_control(listing.viewer, i)) for i in found])


# ------------------------------------------------------------------ content/items/{id}/groups
def _sorted_groups(conn: Connection, viewer: Principal, item: Item) -> dict[str, list[dict[str, Any]]]:
    answer: dict[str, list[dict[str, Any]]] = {"admin": [], "member": [], "other": []}
    for group_id in listing_store.visible_group_ids(conn, item.id, access.group_visible(viewer)):
        found = seen(conn, viewer, group_id)
        kind = "admin" if found.is_manager else "member" if found.member_type else "other"
        answer[kind].append(document_for(conn, found.group, viewer, found.member_type))
    return answer


async def item_groups(svc: Services, viewer: Principal, item_id: str) -> dict[str, Any]:
    """GET|POST content/items/{id}/groups: the groups the item is shared with that the caller
    sees, by the caller's relation to each (manager, member, neither)."""

    def load(conn: Connection) -> dict[str, list[dict[str, Any]]]:
        return _sorted_groups(conn, viewer, seen_item(conn, viewer, item_id).item)

    return await svc.db.read(load)


group_content.set_content_source(group_page)
