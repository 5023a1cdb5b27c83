"""Invitations table access: the group invitations addressed to a user (sharing-api.md §4.10).

Groups write them; the user reads them here."""

from __future__ import annotations

from sqlalchemy import Connection, insert, select

from geoshare.storage.records import Invitation
from geoshare.storage.tables import invitations


def insert_invitation(conn: Connection, invitation: Invitation) -> None:
    conn.execute(insert(invitations).values(**invitation.__dict__))


def invitations_of(conn: Connection, user_id: str, now: int) -> list[Invitation]:
    """A user's invitations that have not expired, oldest first."""
    query = (select(invitations).where(invitations.c.user_id == user_id, invitations.c.expiration > now)
             .order_by(invitations.c.created, invitations.c.id))
    return [Invitation.from_row(r) for r in conn.execute(query).mappings()]


def invitation_by_id(conn: Connection, user_id: str, invitation_id: str, now: int) -> Invitation | None:
    """One unexpired invitation of `user_id`; ids are `G` + 32 hex and compare case-insensitively."""
    wanted = invitation_id[:1].upper() + invitation_id[1:].lower()
    query = select(invitations).where(invitations.c.user_id == user_id, invitations.c.id == wanted,
                                      invitations.c.expiration > now)
    row = conn.execute(query).mappings().first()
    return Invitation.from_row(row) if row else None
