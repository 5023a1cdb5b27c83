"""Member listing and user search (sharing-api.md §3.3, §4.6): portals/{id}/users,
portals/{id}/users/search and community/users.

Every page is one statement whose predicate includes access.user_visible (and sees_disabled),
so private profiles are absent from results and totals alike; each user found is then shown in
the caller's view (domain/portal.user_view): the full view for the organization's holders of
portal:admin:viewUsers, the member view for other members, the public profile for outsiders.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, true

from geoshare.domain import access, user_search
from geoshare.domain import privileges as privs
from geoshare.domain.organization import own_org
from geoshare.domain.page_window import SEARCH_WINDOW, Window, window
from geoshare.domain.portal import user_view
from geoshare.domain.principal import Principal
from geoshare.domain.services import Services
from geoshare.errors import InvalidParameter
from geoshare.storage import roles as role_store
from geoshare.storage import user_queries
from geoshare.storage.records import Org, User
from geoshare.storage.tables import users

LIST_SORT = {"username": "username_key", "fullname": "full_name", "created": "created", "lastlogin": "last_login",
             "modified": "modified"}
SEARCH_SORT = {k: v for k, v in LIST_SORT.items() if k != "lastlogin"}


@dataclass(frozen=True)
class Query:
    """What one listing or search asks for, as the operation table coerced it."""

    start: int | None = None
    num: int | None = None
    sort_field: str | None = None
    sort_order: str | None = None
    q: str | None = None
    filter: str | None = None
    role: str | None = None
    provider: str | None = None
    user_type: str | None = None


def _order(query: Query) -> list[tuple[str, bool]]:
    column = LIST_SORT[(query.sort_field or "username").lower()]
    descending = (query.sort_order or "asc").lower() == "desc"
    return [(column, descending)] + ([("username_key", False)] if column != "username_key" else [])


def _filters(query: Query, message: str) -> list[ColumnElement[bool]]:
    """The role, provider and user-type filters of the listing and of community/users."""
    found: list[ColumnElement[bool]] = []
    if query.role:
        found.append(user_search.role_filter(query.role))
    if query.provider:
        found.append(users.c.provider == query.provider.lower())
    if query.user_type:
        canonical = privs.canonical_user_type(query.user_type)
        if canonical is None:
            raise InvalidParameter(message, [f"'userLicenseType' must be one of {', '.join(privs.USER_TYPES)}."])
        found.append(users.c.user_license_type_id == canonical)
    return found


def _visible(viewer: Principal) -> ColumnElement[bool]:
    return and_(access.user_visible(viewer), access.sees_disabled(viewer))


def _queries(query: Query, viewer: Principal, *, required: bool) -> list[ColumnElement[bool]]:
    if required and not (query.q or query.filter):
        raise InvalidParameter("Unable to search users.", ["'q' must be specified."])
    return [user_search.predicate(text, viewer, name) for name, text in (("q", query.q), ("filter", query.filter))
            if text]


async def list_members(svc: Services, viewer: Principal, portal_id: str, query: Query) -> dict[str, Any]:
    """GET portals/{id}/users."""
    org = own_org(viewer, portal_id)
    where = and_(users.c.org_id == org.id, _visible(viewer), *_filters(query, "Unable to list users."))
    page = window(query.start, query.num)
    total, shown = await _page(svc, viewer, where, _order(query), page)
    return {**page.answer(total), "users": shown}


async def search_members(svc: Services, viewer: Principal, portal_id: str, query: Query) -> dict[str, Any]:
    """GET portals/{id}/users/search: the query language over the organization's members."""
    org = own_org(viewer, portal_id)
    where = and_(users.c.org_id == org.id, _visible(viewer), *_queries(query, viewer, required=False))
    return await _search(svc, viewer, where, query)


async def search_users(svc: Services, viewer: Principal, query: Query) -> dict[str, Any]:
    """GET community/users: every user the caller may see, in any organization (only the
    caller's own when that organization set canSearchPublic=false, §8.5)."""
    scope = true() if viewer.org is None or viewer.org.can_search_public else users.c.org_id == viewer.org.id
    where = and_(scope, _visible(viewer), *_queries(query, viewer, required=True),
                 *_filters(query, "Unable to search users."))
    return await _search(svc, viewer, where, query)


async def _search(svc: Services, viewer: Principal, where: ColumnElement[bool], query: Query) -> dict[str, Any]:
    if query.sort_field and query.sort_field.lower() not in SEARCH_SORT:
        raise InvalidParameter("Unable to search users.", [f"'sortField' must be one of {', '.join(SEARCH_SORT)}."])
    page = window(query.start, query.num, cap=SEARCH_WINDOW)
    total, shown = await _page(svc, viewer, where, _order(query), page)
    return {"query": query.q or "", **page.answer(total), "results": shown}


async def _page(svc: Services, viewer: Principal, where: ColumnElement[bool], order: list[tuple[str, bool]],
                page: Window) -> tuple[int, list[dict[str, Any]]]:
    def load(conn: Connection) -> tuple[int, list[User], dict[str, Org], dict[str, tuple[str, ...]]]:
        total, found = user_queries.users_page(conn, where, order, page.offset, page.limit, page.cap)
        orgs = user_queries.orgs_by_ids(conn, (u.org_id for u in found))
        custom: dict[str, tuple[str, ...]] = {}
        for org_id in {u.org_id for u in found if privs.is_custom_role_id(u.role_id)}:
            custom.update(role_store.privileges_by_role(conn, org_id))
        return total, found, orgs, custom

    total, found, orgs, custom = await svc.db.read_heavy(load)
    views = (user_view(u, orgs[u.org_id], viewer, custom.get(u.role_id or "")) for u in found)
    return total, [v for v in views if v is not None]
