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

from sqlalchemy import ColumnElement, Connection, and_, false, func, not_, or_, true

from geoshare.domain import access
from geoshare.domain import privileges as privs
from geoshare.domain.page_window import SEARCH_WINDOW, Window, window
from geoshare.domain.portal import own_org, user_view
from geoshare.domain.principal import Principal
from geoshare.domain.query_language import has_wildcard, like_pattern
from geoshare.domain.services import Services
from geoshare.domain.user_search import FIELDS, All, And, Node, Not, Or, Range, Required, Term, parse
from geoshare.domain.user_search import MESSAGE as QUERY_MESSAGE
from geoshare.errors import InvalidParameter
from geoshare.storage import roles as role_store
from geoshare.storage import text_case, user_queries
from geoshare.storage.records import Org, User
from geoshare.storage.tables import users

LIST_SORT = {"username": "username_key", "fullname": "full_name", "created": "created", "lastlogin": "last_login",
             "modified": "modified"}
SEARCH_SORT = {k: v for k, v in LIST_SORT.items() if k != "lastlogin"}


# ------------------------------------------------------------------ to SQL
_KEYWORDS = {"username": users.c.username_key, "provider": users.c.provider, "orgid": users.c.org_id,
             "accountid": users.c.org_id, "email": users.c.email, "userlicensetype": users.c.user_license_type_id}
_TEXTS = {"fullname": users.c.full_name, "firstname": users.c.first_name, "lastname": users.c.last_name,
          "description": users.c.description, "tags": users.c.tags}
_NUMBERS = {"created": users.c.created, "modified": users.c.modified, "lastlogin": users.c.last_login}
DEFAULT_FIELDS = (users.c.username_key, users.c.full_name, users.c.description, users.c.tags)
# Fields only administrators of the user's organization (and the user) may search on, and
# fields only members of it may: a condition on them matches nobody else, so a search cannot
# reveal what the caller's view of a user would not show.
ADMIN_FIELDS = frozenset({"email", "lastlogin", "disabled"})
MEMBER_FIELDS = frozenset({"role", "userlicensetype", "orgid", "accountid"})
TRANSLATED = frozenset({*_KEYWORDS, *_TEXTS, *_NUMBERS, "role", "disabled"})  # = user_search.FIELDS (a test checks)


def _contains(column: ColumnElement[Any], text: str) -> ColumnElement[bool]:
    return text_case.case_folded(column, text).like(like_pattern(text, contains=True), escape="\\")  # type: ignore[no-any-return]


def _keyword(name: str, text: str) -> ColumnElement[bool]:
    column = _KEYWORDS[name]
    if name == "userlicensetype":
        return column == (privs.canonical_user_type(text) or text)
    if name in ("orgid", "accountid"):
        return column == text  # organization ids compare exactly, so the index serves the filter
    if has_wildcard(text):
        return text_case.case_folded(column, text).like(like_pattern(text, contains=False), escape="\\")  # type: ignore[no-any-return]
    value = text.lower()
    return column == value if name == "username" else text_case.case_folded(column, text) == value


def role_filter(value: str) -> ColumnElement[bool]:
    """A built-in role name (or alias), a built-in role id, or a custom role's id."""
    target = privs.ROLE_ALIASES.get(value.strip().lower(), value.strip())
    if target in privs.BUILT_IN_ROLES:
        return and_(users.c.role == target, users.c.role_id.is_(None))
    return users.c.role_id == target


def _number(name: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise InvalidParameter(QUERY_MESSAGE, [f"'q': '{name}' takes a number (epoch milliseconds), not {text!r}."]) \
            from None


def _term(term: Term) -> ColumnElement[bool]:
    if term.field is None:
        return or_(*(_contains(column, term.text) for column in DEFAULT_FIELDS))
    if term.field in _TEXTS:
        return _contains(_TEXTS[term.field], term.text)
    if term.field in _NUMBERS:
        return _NUMBERS[term.field] == _number(term.field, term.text)
    if term.field == "role":
        return role_filter(term.text)
    if term.field == "disabled":
        if term.text.lower() not in ("true", "false"):
            raise InvalidParameter(QUERY_MESSAGE, ["'q': 'disabled' takes true or false."])
        return users.c.disabled.is_(term.text.lower() == "true")
    return _keyword(term.field, term.text)


def _range(node: Range) -> ColumnElement[bool]:
    if node.field in _NUMBERS:
        column: ColumnElement[Any] = _NUMBERS[node.field]
        low: Any = None if node.low is None else _number(node.field, node.low)
        high: Any = None if node.high is None else _number(node.field, node.high)
    elif node.field == "username":
        column, low, high = users.c.username_key, _lower(node.low), _lower(node.high)
    else:
        raise InvalidParameter(QUERY_MESSAGE, [f"'q': '{node.field}' does not take a range (created, modified, "
                                         "lastlogin and username do)."])
    parts = [true()]
    if low is not None:
        parts.append(column >= low if node.include_low else column > low)
    if high is not None:
        parts.append(column <= high if node.include_high else column < high)
    return and_(*parts)


def _lower(text: str | None) -> str | None:
    return None if text is None else text.lower()


def _guarded(field: str | None, condition: ColumnElement[bool], viewer: Principal) -> ColumnElement[bool]:
    if field in ADMIN_FIELDS:
        return and_(condition, _admin_scope(viewer))
    if field in MEMBER_FIELDS:
        return and_(condition, _member_scope(viewer))
    return condition


def _admin_scope(viewer: Principal) -> ColumnElement[bool]:
    if viewer.user is None:
        return false()
    own = users.c.id == viewer.user.id
    return or_(own, users.c.org_id == viewer.user.org_id) if viewer.has("portal:admin:viewUsers") else own


def _member_scope(viewer: Principal) -> ColumnElement[bool]:
    return users.c.org_id == viewer.user.org_id if viewer.user is not None else false()


def to_sql(node: Node, viewer: Principal) -> ColumnElement[bool]:
    """The predicate on `users` that `node` stands for, as `viewer` may use it."""
    if isinstance(node, All):
        return true()
    if isinstance(node, Required):
        return to_sql(node.node, viewer)
    if isinstance(node, Not):
        # A clause on an empty (NULL) column is unknown, and NOT unknown is unknown too: without
        # the coalesce, `* -word` would drop every user whose searched fields are empty.
        return not_(func.coalesce(to_sql(node.node, viewer), false()))
    if isinstance(node, And):
        return and_(*(to_sql(n, viewer) for n in node.nodes))
    if isinstance(node, Or):
        return or_(*(to_sql(n, viewer) for n in node.nodes))
    if isinstance(node, Range):
        return _guarded(node.field, _range(node), viewer)
    return _guarded(node.field, _term(node), viewer)


def predicate(query: str, viewer: Principal, param: str = "q") -> ColumnElement[bool]:
    """Parse and translate one query (the `q` or the `filter` parameter)."""
    try:
        return to_sql(parse(query, FIELDS), viewer)
    except InvalidParameter as exc:
        raise InvalidParameter(QUERY_MESSAGE, [d.replace("'q':", f"'{param}':", 1) for d in exc.details]) from None


# ------------------------------------------------------------------ the three operations
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
        found.append(role_filter(query.role))
    if query.provider:
        found.append(users.c.provider == query.provider.lower())
    if query.user_type:
        canonical = privs.canonical_user_type(query.user_type)
        if canonical is None:
            raise InvalidParameter(message, [f"'userLicenseType' must be one of {', '.join(privs.USER_TYPES)}."])
        found.append(users.c.user_license_type_id == canonical)
    return found


def _visible(viewer: Principal, org_id: str | None = None) -> ColumnElement[bool]:
    """access.user_visible and sees_disabled; within `org_id` its holders of viewUsers see every
    member, so the rule is left out there and the organization's index alone answers."""
    if org_id is not None and viewer.admin_of(org_id, "portal:admin:viewUsers"):
        return true()
    return and_(access.user_visible(viewer), access.sees_disabled(viewer))


def _queries(query: Query, viewer: Principal, *, required: bool) -> list[ColumnElement[bool]]:
    if required and not (query.q or query.filter):
        raise InvalidParameter("Unable to search users.", ["'q' must be specified."])
    return [predicate(text, viewer, name) for name, text in (("q", query.q), ("filter", query.filter))
            if text]


async def list_members(svc: Services, viewer: Principal, portal_id: str, query: Query) -> dict[str, Any]:
    """GET portals/{id}/users."""
    org = own_org(viewer, portal_id)
    where = and_(users.c.org_id == org.id, _visible(viewer, org.id), *_filters(query, "Unable to list users."))
    page = window(query.start, query.num)
    total, shown = await _page(svc, viewer, where, _order(query), page)
    return {**page.answer(total), "users": shown}


async def search_members(svc: Services, viewer: Principal, portal_id: str, query: Query) -> dict[str, Any]:
    """GET portals/{id}/users/search: the query language over the organization's members."""
    org = own_org(viewer, portal_id)
    where = and_(users.c.org_id == org.id, _visible(viewer, org.id), *_queries(query, viewer, required=False))
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
    # A listing carries no `groups`: only a single user's full view does (§4.1).
    return total, [{k: x for k, x in v.items() if k != "groups"} for v in views if v is not None]
