"""Comments, ratings and relationships of items (tables item_comments, item_ratings,
item_relationships).  The counters on `items` (numComments, numRatings, avgRating) are
recomputed from these rows by the same transaction that changes them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, delete, func, insert, select, update

from geoshare.storage import items as item_store
from geoshare.storage.tables import item_comments, item_ratings, item_relationships, items, users


@dataclass(frozen=True)
class Comment:
    id: str
    item_id: str
    owner_id: str
    owner: str
    comment: str
    created: int


def _comments() -> Any:
    return (select(item_comments, users.c.username.label("owner"))
            .join(users, users.c.id == item_comments.c.owner_id))


def _comment(row: Any) -> Comment:
    return Comment(id=row["id"], item_id=row["item_id"], owner_id=row["owner_id"], owner=row["owner"],
                   comment=row["comment"], created=row["created"])


# ------------------------------------------------------------------ comments
def comment_by_id(conn: Connection, item_id: str, comment_id: str) -> Comment | None:
    query = _comments().where(item_comments.c.item_id == item_id, item_comments.c.id == comment_id.lower())
    row = conn.execute(query).mappings().first()
    return _comment(row) if row else None


def comments_page(conn: Connection, item_id: str, offset: int, limit: int) -> tuple[int, list[Comment]]:
    """(total, one page newest first); ties in time fall back to the id so pages never overlap."""
    total = conn.execute(select(func.count()).select_from(item_comments)
                         .where(item_comments.c.item_id == item_id)).scalar_one()
    query = (_comments().where(item_comments.c.item_id == item_id)
             .order_by(item_comments.c.created.desc(), item_comments.c.id.desc()).offset(offset).limit(limit))
    return int(total), [_comment(r) for r in conn.execute(query).mappings()]


def insert_comment(conn: Connection, comment_id: str, item_id: str, owner_id: str, text: str, now: int) -> None:
    conn.execute(insert(item_comments).values(id=comment_id, item_id=item_id, owner_id=owner_id, comment=text,
                                              created=now, modified=now))
    _count_comments(conn, item_id)


def update_comment(conn: Connection, comment_id: str, text: str, now: int) -> None:
    conn.execute(update(item_comments).where(item_comments.c.id == comment_id).values(comment=text, modified=now))


def delete_comment(conn: Connection, item_id: str, comment_id: str) -> None:
    conn.execute(delete(item_comments).where(item_comments.c.id == comment_id))
    _count_comments(conn, item_id)


def _count_comments(conn: Connection, item_id: str) -> None:
    count = select(func.count()).select_from(item_comments).where(item_comments.c.item_id == item_id)
    item_store.update_item(conn, item_id, {"num_comments": int(conn.execute(count).scalar_one())})


# ------------------------------------------------------------------ ratings
def rating_of(conn: Connection, item_id: str, user_id: str) -> tuple[float, int] | None:
    query = select(item_ratings.c.rating, item_ratings.c.created).where(item_ratings.c.item_id == item_id,
                                                                        item_ratings.c.user_id == user_id)
    row = conn.execute(query).first()
    return (float(row.rating), int(row.created)) if row else None


def put_rating(conn: Connection, item_id: str, user_id: str, rating: float, now: int) -> None:
    """Add or overwrite the user's rating, then the item's counters."""
    if rating_of(conn, item_id, user_id) is None:
        conn.execute(insert(item_ratings).values(item_id=item_id, user_id=user_id, rating=rating, created=now))
    else:
        conn.execute(update(item_ratings).where(item_ratings.c.item_id == item_id, item_ratings.c.user_id == user_id)
                     .values(rating=rating, created=now))
    _count_ratings(conn, item_id)


def delete_rating(conn: Connection, item_id: str, user_id: str) -> bool:
    gone = conn.execute(delete(item_ratings).where(item_ratings.c.item_id == item_id,
                                                   item_ratings.c.user_id == user_id)).rowcount > 0
    _count_ratings(conn, item_id)
    return gone


def _count_ratings(conn: Connection, item_id: str) -> None:
    query = select(func.count(), func.avg(item_ratings.c.rating)).where(item_ratings.c.item_id == item_id)
    count, mean = conn.execute(query).one()
    item_store.update_item(conn, item_id, {"num_ratings": int(count), "avg_rating": float(mean or 0.0)})


# ------------------------------------------------------------------ relationships
def add_relationship(conn: Connection, origin_id: str, destination_id: str, kind: str, now: int) -> None:
    """Idempotent: an existing relationship stays as it is."""
    key = (item_relationships.c.origin_id == origin_id, item_relationships.c.destination_id == destination_id,
           item_relationships.c.type == kind)
    if conn.execute(select(item_relationships.c.type).where(*key)).first() is None:
        conn.execute(insert(item_relationships).values(origin_id=origin_id, destination_id=destination_id,
                                                       type=kind, created=now))


def delete_relationship(conn: Connection, origin_id: str, destination_id: str, kind: str) -> bool:
    return conn.execute(delete(item_relationships).where(
        item_relationships.c.origin_id == origin_id, item_relationships.c.destination_id == destination_id,
        item_relationships.c.type == kind)).rowcount > 0


def related_ids(conn: Connection, item_id: str, kinds: list[str], forward: bool,
                visible: ColumnElement[bool]) -> list[str]:
    """Ids of the items related to `item_id` (as origin when `forward`) by one of `kinds` that
    the `visible` predicate on `items` admits, oldest relationship first (an item related by
    several kinds appears once)."""
    here, there = ((item_relationships.c.origin_id, item_relationships.c.destination_id) if forward
                   else (item_relationships.c.destination_id, item_relationships.c.origin_id))
    query = (select(there).join(items, items.c.id == there)
             .where(here == item_id, visible, *([item_relationships.c.type.in_(kinds)] if kinds else []))
             .order_by(item_relationships.c.created, there))
    return list(dict.fromkeys(conn.execute(query).scalars()))
