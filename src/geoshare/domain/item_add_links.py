"""addItem's optional one-call relationship (sharing-api.md §6.5): with `originItemId` the new
item becomes the destination of an existing origin, with `destinationItemId` the origin of an
existing destination, typed by `relationshipType`.  The link is written in the transaction that
inserts the item, after it: when the link is refused the whole insert rolls back, so the new
item is gone and addItem's caller deletes its blobs.  A new destination takes over its origin's
sharing (everyone, organization, groups with their item control)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from geoshare.domain import item_relationships, items
from geoshare.domain.principal import Principal
from geoshare.errors import InvalidParameter
from geoshare.storage import item_add_links, item_social
from geoshare.storage import items as item_store


@dataclass(frozen=True)
class Link:
    other_id: str  # the existing item
    kind: str  # canonical relationship type
    new_is_origin: bool  # destinationItemId given: the new item is the origin


def link_of(origin_id: str | None, destination_id: str | None, kind: str | None, message: str) -> Link | None:
    """The requested relationship, checked before anything is written; None when none is asked."""
    if not origin_id and not destination_id and not kind:
        return None
    if origin_id and destination_id:
        raise InvalidParameter(message, ["Give 'originItemId' or 'destinationItemId', not both."])
    if not origin_id and not destination_id:
        raise InvalidParameter(message, ["'relationshipType' needs 'originItemId' or 'destinationItemId'."])
    if not kind:
        raise InvalidParameter(message, ["'relationshipType' must be specified with the related item."])
    canonical = item_relationships.relationship_type(kind, message)
    return Link(destination_id or origin_id or "", canonical, bool(destination_id))


def attach(conn: Connection, viewer: Principal, username: str, new_id: str, link: Link, now: int) -> None:
    """Link the freshly inserted item `new_id` (same transaction); errors undo the insert."""
    if link.new_is_origin:
        origin, destination = item_relationships.endpoints(conn, viewer, username, new_id, link.other_id)
    else:
        origin, destination = item_relationships.endpoints(conn, viewer, username, link.other_id, new_id)
    item_social.add_relationship(conn, origin, destination, link.kind, now)
    if not link.new_is_origin:
        _inherit_sharing(conn, origin, destination, now)


def _inherit_sharing(conn: Connection, origin_id: str, destination_id: str, now: int) -> None:
    origin = item_store.item_by_id(conn, origin_id)
    assert origin is not None  # pragma: no mutate (endpoints just read it under lock)
    flags: dict[str, Any] = {"shared_public": origin.shared_public, "shared_org": origin.shared_org}
    item_store.update_item(conn, destination_id, flags)
    for group_id, control in item_add_links.shares_of(conn, origin_id):
        item_store.share_with(conn, destination_id, group_id, control, now)
    items.refresh_access(conn, destination_id)
