"""A group's content listing: GET content/groups/{groupId} (sharing-api.md §5.6, clients.md §7).

Items do not exist yet.  The listing is built on a registered content source, as the user's
content listing is (users.set_content_source): the items work registers a function that pages
through the items shared with the group that the caller may read (§8.3: even members see only
items they may read), and this module keeps the rest: who may list (anyone who sees the group),
the paging of §1.7 and the page's shape.  Until then the source answers an empty page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from geoshare.domain import groups
from geoshare.domain.page_window import window
from geoshare.domain.principal import Principal
from geoshare.domain.services import Services
from geoshare.errors import NotFound
from geoshare.storage.records import Group

MISSING_CODE = "CONT_0006"  # the content tree's code for a missing or hidden group


@dataclass(frozen=True)
class Listing:
    """What one page asks for: the caller, the group, the window and the order."""

    viewer: Principal
    group: Group
    offset: int
    limit: int
    sort_field: str | None
    sort_order: str | None


@dataclass(frozen=True)
class ContentPage:
    total: int
    items: list[dict[str, Any]]


ContentSource = Callable[[Connection, Listing], ContentPage]


def _no_content(conn: Connection, listing: Listing) -> ContentPage:
    return ContentPage(total=0, items=[])


_source: list[ContentSource] = [_no_content]


def set_content_source(source: ContentSource) -> None:
    """The items work replaces the empty listing with the real one."""
    _source[0] = source


def seen_for_content(conn: Connection, viewer: Principal, group_id: str) -> groups.Seen:
    """The group, or the missing-group error with the content tree's messageCode (the same body
    for a missing group and one the caller may not see)."""
    try:
        return groups.seen(conn, viewer, group_id)
    except NotFound as exc:
        raise NotFound(exc.message, exc.details, message_code=MISSING_CODE) from None


async def group_content(svc: Services, viewer: Principal, group_id: str, *, start: int | None, num: int | None,
                        sort_field: str | None, sort_order: str | None) -> dict[str, Any]:
    """GET content/groups/{id}: one page of the items shared with a group the caller sees."""
    page = window(start, num)

    def load(conn: Connection) -> ContentPage:
        found = seen_for_content(conn, viewer, group_id)
        listing = Listing(viewer, found.group, page.offset, page.limit, sort_field, sort_order)
        return _source[0](conn, listing)

    content = await svc.db.read_heavy(load)
    return {**page.answer(content.total), "items": content.items}
