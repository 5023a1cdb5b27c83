"""Relationships between items (sharing-api.md §6.12): a typed link from an origin item to a
destination item.  The owner of the origin (or an administrator of its organization holding
portal:admin:updateItems) links it to a destination they can read; adding one twice is a no-op.
Listing shows only the related items the caller may read (`access.item_visible`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from geoshare.domain import access, items
from geoshare.domain.principal import Principal
from geoshare.domain.services import Services
from geoshare.errors import InvalidParameter
from geoshare.storage import item_social
from geoshare.storage import items as item_store

TYPES = (
    "APIKey2Item", "Area2CustomPackage", "Area2Package", "Item2Attachment", "Item2Report", "Listed2Provisioned",
    "Map2AppConfig", "Map2Area", "Map2FeatureCollection", "Map2Service", "MobileApp2Code", "Service2Data",
    "Service2Layer", "Service2Route", "Service2Service", "Service2Style", "Solution2Item", "Style2Style",
    "Survey2Data", "Survey2Service", "SurveyAddIn2Data", "Theme2Story", "TrackView2Map", "WebStyle2DesktopStyle",
    "WMA2Code", "WorkforceMap2FeatureService",
)
_BY_KEY = {t.lower(): t for t in TYPES}


def relationship_type(text: str, message: str) -> str:
    """The canonical spelling of a known relationship type (case-insensitive)."""
    found = _BY_KEY.get(text.strip().lower())
    if found is None:
        raise InvalidParameter(message, [f"'relationshipType' {text!r} is not a known relationship type."])
    return found


async def related_items(svc: Services, viewer: Principal, item_id: str, kinds: list[str],
                        direction: str) -> dict[str, Any]:
    """GET content/items/{id}/relatedItems: forward (this item is the origin) or reverse."""
    wanted = [relationship_type(k, "Unable to get related items.") for k in kinds]

    def load(conn: Connection) -> dict[str, Any]:
        found = items.seen_item(conn, viewer, item_id)
        ids = item_social.related_ids(conn, found.item.id, wanted, direction == "forward", access.item_visible(viewer))
        related = [items.item_document(i) for i in item_store.items_by_ids(conn, ids)]
        return {"total": len(related), "relatedItems": related}

    return await svc.db.read(load)


def endpoints(conn: Connection, viewer: Principal, username: str, origin_id: str, destination_id: str) \
        -> tuple[str, str]:
    """The origin the caller may link from (owned by `username`) and a destination they read."""
    origin = items.seen_item(conn, viewer, origin_id, lock=True)
    if origin.item.owner.lower() != username.lower():
        raise items.missing()
    items.require_owner_or_admin(viewer, origin, "portal:admin:updateItems")
    destination = items.seen_item(conn, viewer, destination_id)
    return origin.item.id, destination.item.id


async def add_relationship(svc: Services, viewer: Principal, username: str, origin_id: str, destination_id: str,
                           kind: str) -> dict[str, Any]:
    """POST content/users/{u}/addRelationship."""
    canonical, now = relationship_type(kind, "Unable to add relationship."), svc.clock.now_ms()

    def change(conn: Connection) -> None:
        origin, destination = endpoints(conn, viewer, username, origin_id, destination_id)
        item_social.add_relationship(conn, origin, destination, canonical, now)

    await svc.db.write(change)
    return {"success": True}


async def delete_relationship(svc: Services, viewer: Principal, username: str, origin_id: str,
                              destination_id: str, kind: str) -> dict[str, Any]:
    """POST content/users/{u}/deleteRelationship."""
    canonical = relationship_type(kind, "Unable to delete relationship.")

    def change(conn: Connection) -> None:
        origin, destination = endpoints(conn, viewer, username, origin_id, destination_id)
        if not item_social.delete_relationship(conn, origin, destination, canonical):
            raise InvalidParameter("Unable to delete relationship.", ["The relationship does not exist."])

    await svc.db.write(change)
    return {"success": True}
