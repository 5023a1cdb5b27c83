"""Ratings of items (sharing-api.md §6.13): signed-in readers other than the owner rate an item
from 1 to 5, once (rating again overwrites), and may withdraw their rating.  `numRatings` and
`avgRating` are recomputed in the same transaction, under the item's row lock, so concurrent
raters never lose each other's count."""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import Connection

from geoshare.domain import items
from geoshare.domain.principal import Principal
from geoshare.domain.services import Services
from geoshare.errors import InvalidParameter
from geoshare.storage import item_social

LOWEST, HIGHEST = 1.0, 5.0
RATE_FAILED = "Unable to rate item."


def _user_id(viewer: Principal) -> str:
    assert viewer.user is not None  # the operations admit signed-in users only
    return viewer.user.id


def parse_rating(text: str) -> float:
    """A number from 1.0 to 5.0 (NaN and infinities refused)."""
    try:
        value = float(text)
    except ValueError:
        raise InvalidParameter(RATE_FAILED, ["'rating' must be a number."]) from None
    if not math.isfinite(value) or not LOWEST <= value <= HIGHEST:
        raise InvalidParameter(RATE_FAILED, [f"'rating' must be from {LOWEST} to {HIGHEST}."])
    return value


async def get_rating(svc: Services, viewer: Principal, item_id: str) -> dict[str, Any]:
    """GET content/items/{id}/rating: the caller's rating, or {} when they have not rated."""
    user_id = _user_id(viewer)

    def load(conn: Connection) -> dict[str, Any]:
        found = items.seen_item(conn, viewer, item_id)
        mine = item_social.rating_of(conn, found.item.id, user_id)
        return {"rating": mine[0], "created": mine[1]} if mine else {}

    return await svc.db.read(load)


async def add_rating(svc: Services, viewer: Principal, item_id: str, text: str) -> dict[str, Any]:
    """POST content/items/{id}/addRating: never by the item's owner."""
    rating, user_id, now = parse_rating(text), _user_id(viewer), svc.clock.now_ms()

    def change(conn: Connection) -> None:
        found = items.seen_item(conn, viewer, item_id, lock=True)
        if found.item.owner_id == user_id:
            raise InvalidParameter(RATE_FAILED, ["Owners cannot rate their own items."])
        item_social.put_rating(conn, found.item.id, user_id, rating, now)

    await svc.db.write(change)
    return {"success": True}


async def delete_rating(svc: Services, viewer: Principal, item_id: str) -> dict[str, Any]:
    """POST content/items/{id}/deleteRating: the caller's own rating (none: nothing to do)."""
    user_id = _user_id(viewer)

    def change(conn: Connection) -> None:
        found = items.seen_item(conn, viewer, item_id, lock=True)
        item_social.delete_rating(conn, found.item.id, user_id)

    await svc.db.write(change)
    return {"success": True}
