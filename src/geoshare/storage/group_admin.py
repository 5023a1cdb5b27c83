"""What managing a group writes beyond the group row (tables invitations and notifications).

A deleted group takes its pending invitations with it: an invitation to a group that no longer
exists could only fail when accepted.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, func, select

from geoshare.storage.tables import invitations


def delete_group_invitations(conn: Connection, group_id: str) -> int:
    """Every invitation to `group_id`; how many there were."""
    query = delete(invitations).where(invitations.c.target_type == "group", invitations.c.target_id == group_id)
    return int(conn.execute(query).rowcount)


def count_group_invitations(conn: Connection, group_id: str) -> int:
    query = select(func.count()).select_from(invitations).where(
        invitations.c.target_type == "group", invitations.c.target_id == group_id)
    return int(conn.execute(query).scalar_one())
