"""Item search inside one group: content/groups/{groupId}/search (sharing-api.md §7.2).

Open to anyone who can see the group.  A missing group and one the caller may not see give the
same missing-group answer as content/groups/{groupId}, so the search does not reveal hidden
groups; the items found are then the group's items the caller may read (item_search applies
the one access predicate to them like to every search).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from geoshare.domain import group_content, item_search
from geoshare.domain.principal import Principal
from geoshare.domain.services import Services


async def search_group_items(svc: Services, viewer: Principal, group_id: str,
                             query: item_search.ItemQuery) -> dict[str, Any]:
    """Search the items shared with `group_id`, or the missing-group error."""

    def check(conn: Connection) -> None:
        group_content.seen_for_content(conn, viewer, group_id)

    await svc.db.read(check)
    return await item_search.search_items(svc, viewer, query)
