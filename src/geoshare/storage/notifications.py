"""Notifications table access: the messages waiting for a user (sharing-api.md §4.10)."""

from __future__ import annotations

from sqlalchemy import Connection, delete, insert, select

from geoshare.storage import json_text
from geoshare.storage.records import Notification
from geoshare.storage.tables import notifications


def insert_notifications(conn: Connection, rows: list[Notification]) -> None:
    if rows:
        conn.execute(insert(notifications), [{**row.__dict__, "data": json_text.dumps(row.data)} for row in rows])


def notifications_of(conn: Connection, user_id: str, limit: int) -> list[Notification]:
    """A user's notifications, newest first."""
    query = (select(notifications).where(notifications.c.user_id == user_id)
             .order_by(notifications.c.received.desc(), notifications.c.id).limit(limit))
    return [Notification.from_row(r) for r in conn.execute(query).mappings()]


def delete_notification(conn: Connection, user_id: str, notification_id: str) -> bool:
    """Delete one notification of `user_id`; False when the user has none by that id."""
    result = conn.execute(delete(notifications).where(notifications.c.user_id == user_id,
                                                      notifications.c.id == notification_id.lower()))
    return bool(result.rowcount)
