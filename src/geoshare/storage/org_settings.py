"""One organization's settings document (the `settings` JSON column), changed key by key.

The row is read FOR UPDATE (PostgreSQL; SQLite serialises writers anyway) so that two
writers changing different keys of the same document never undo each other.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select, update

from geoshare.storage import json_text
from geoshare.storage.tables import orgs


def settings_for_update(conn: Connection, org_id: str) -> dict[str, Any] | None:
    query = select(orgs.c.settings).where(orgs.c.id == org_id).with_for_update()
    row = conn.execute(query).first()
    return json.loads(row.settings or "{}") if row else None


def put_settings(conn: Connection, org_id: str, changes: dict[str, Any], now: int | None) -> dict[str, Any]:
    """Set the keys of `changes` (a value of None removes the key); returns the new document.
    `now` is the organization's new `modified` time (None: not a change anyone made)."""
    current = settings_for_update(conn, org_id)
    assert current is not None, org_id
    for key, value in changes.items():
        if value is None:
            current.pop(key, None)
        else:
            current[key] = value
    values: dict[str, Any] = {"settings": json_text.dumps(current)}
    if now is not None:
        values["modified"] = now
    conn.execute(update(orgs).where(orgs.c.id == org_id).values(**values))
    return current
