"""Group search: GET community/groups (sharing-api.md §5.7, §7.3-7.6).

The query language is the shared one (query_language.py) with the group fields of §7.4; this
module translates its AST to a predicate on `groups`.  Every page is one statement whose
predicate includes access.group_visible (and, for members of an organization that set
canSearchPublic=false, the search scope of §8.5), so a group the caller may not open is absent
from the results and from the total alike.

Matching: text fields (title, description, snippet, phone, tags, typekeywords) match when
they contain the word or phrase, case-insensitively (`*` and `?` wildcards allowed); keyword
fields (id, owner, access, orgid/accountid) match whole values.  Clauses on orgid, accountid,
owner, id and access written without an operator are required filters (§7.3).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, func, not_, or_, select, true

from geoshare.domain import access
from geoshare.domain.groups import group_document
from geoshare.domain.page_window import SEARCH_WINDOW, window
from geoshare.domain.principal import Principal
from geoshare.domain.query_language import (
    MESSAGE,
    All,
    And,
    Node,
    Not,
    Or,
    Range,
    Required,
    Term,
    has_wildcard,
    like_pattern,
    parse,
)
from geoshare.domain.services import Services
from geoshare.errors import Forbidden, InvalidParameter
from geoshare.storage import group_queries, text_case
from geoshare.storage import users as user_store
from geoshare.storage.tables import groups, orgs, users

FAILED = "Unable to search groups."
FIELDS = frozenset({"id", "title", "owner", "description", "snippet", "tags", "typekeywords", "phone", "access",
                    "isinvitationonly", "isviewonly", "orgid", "accountid", "created", "modified"})
FILTER_FIELDS = ("orgid", "accountid", "owner", "id", "access")
# Groups are neither rated nor counted, so avgrating and numviews order by title (then id).
SORT_FIELDS = ("title", "owner", "avgrating", "numviews", "created", "modified")
_TEXTS = {"title": groups.c.title_key, "description": groups.c.description, "snippet": groups.c.snippet,
          "phone": groups.c.phone, "tags": groups.c.tags, "typekeywords": groups.c.type_keywords}
_NUMBERS = {"created": groups.c.created, "modified": groups.c.modified}
_FLAGS = {"isinvitationonly": groups.c.is_invitation_only, "isviewonly": groups.c.is_view_only}
DEFAULT_TEXTS = (groups.c.title_key, groups.c.description, groups.c.snippet, groups.c.tags)


# ------------------------------------------------------------------ to SQL
def _contains(column: ColumnElement[Any], text: str) -> ColumnElement[bool]:
    # title_key is already lower-cased, so its comparison can skip lower().  Empty columns
    # compare as '' rather than NULL: under NOT, a NULL would drop the group (three-valued logic).
    # pragma: the title_key short cut only saves work; lower() vs upper() cannot show on SQLite, whose
    # LIKE ignores ASCII case (tests/api/test_group_search_edges.py runs on PostgreSQL too).
    target = column if column is groups.c.title_key else text_case.case_folded(func.coalesce(column, ""), text)  # pragma: no mutate
    return target.like(like_pattern(text, contains=True), escape="\\")


def _whole(column: ColumnElement[Any], text: str) -> ColumnElement[bool]:
    """A keyword column (stored lower-case) equal to `text`, or matching its wildcards."""
    if has_wildcard(text):
        return column.like(like_pattern(text, contains=False), escape="\\")
    return column == text.lower()


def _owner(text: str) -> ColumnElement[bool]:
    return groups.c.owner_id.in_(group_queries.owner_ids(_whole(users.c.username_key, text)))


def _number(name: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise InvalidParameter(details=[f"'q': '{name}' takes a number (epoch milliseconds), not {text!r}."]) \
            from None


def _flag(name: str, text: str) -> ColumnElement[bool]:
    if text.lower() not in ("true", "false"):
        raise InvalidParameter(details=[f"'q': '{name}' takes true or false."])
    return _FLAGS[name].is_(text.lower() == "true")


def _term(term: Term) -> ColumnElement[bool]:
    name, text = term.field, term.text
    if name is None:  # the default fields of §7.3: id, title, description, snippet, tags, owner
        return or_(groups.c.id == text.lower(), *(_contains(c, text) for c in DEFAULT_TEXTS), _owner(text))
    if name in _TEXTS:
        return _contains(_TEXTS[name], text)
    if name in _NUMBERS:
        return _NUMBERS[name] == _number(name, text)
    if name in _FLAGS:
        return _flag(name, text)
    if name == "owner":
        return _owner(text)
    if name in ("orgid", "accountid"):
        return groups.c.org_id == text  # organization ids compare exactly, so the index serves the filter
    return _whole(groups.c.id if name == "id" else groups.c.access, text)


def _bounds(low: Any, high: Any, node: Range, column: ColumnElement[Any]) -> ColumnElement[bool]:
    parts = [true()]
    if low is not None:
        parts.append(column >= low if node.include_low else column > low)
    if high is not None:
        parts.append(column <= high if node.include_high else column < high)
    return and_(*parts)


def _range(node: Range) -> ColumnElement[bool]:
    name = node.field
    if name in _NUMBERS:
        low = None if node.low is None else _number(name, node.low)
        high = None if node.high is None else _number(name, node.high)
        return _bounds(low, high, node, _NUMBERS[name])
    low_text = None if node.low is None else node.low.lower()
    high_text = None if node.high is None else node.high.lower()
    if name == "title":
        return _bounds(low_text, high_text, node, groups.c.title_key)
    if name == "owner":
        named = _bounds(low_text, high_text, node, users.c.username_key)
        return groups.c.owner_id.in_(group_queries.owner_ids(named))
    raise InvalidParameter(details=[f"'q': '{name}' does not take a range (created, modified, title and "
                                     "owner do)."])


def to_sql(node: Node) -> ColumnElement[bool]:
    """The predicate on `groups` that `node` stands for."""
    if isinstance(node, All):
        return true()
    if isinstance(node, Required):
        return to_sql(node.node)
    if isinstance(node, Not):
        return not_(to_sql(node.node))
    if isinstance(node, And):
        return and_(*(to_sql(n) for n in node.nodes))
    if isinstance(node, Or):
        return or_(*(to_sql(n) for n in node.nodes))
    if isinstance(node, Range):
        return _range(node)
    return _term(node)


def predicate(query: str, param: str = "q") -> ColumnElement[bool]:
    """Parse and translate one query (the `q` or the `filter` parameter).  Every error of the
    translation gets its message here (the helpers above raise details only)."""
    try:
        return to_sql(parse(query, FIELDS, FILTER_FIELDS))
    except InvalidParameter as exc:
        raise InvalidParameter(MESSAGE, [d.replace("'q':", f"'{param}':", 1) for d in exc.details]) from None


# ------------------------------------------------------------------ who is searched for
def scope(viewer: Principal) -> ColumnElement[bool]:
    """Visibility (§8.3) and, for members of an organization with canSearchPublic=false, the
    search scope of §8.5: other organizations' groups appear only where the caller is a member."""
    visible = access.group_visible(viewer)
    # A short cut (pragma): with canSearchPublic the scope below would admit every organization.
    if viewer.org is None or viewer.org.can_search_public or viewer.user is None:  # pragma: no mutate
        return visible
    in_scope = groups.c.org_id.in_(select(orgs.c.id).where(access.search_public_scope(viewer)))
    return and_(visible, or_(in_scope, access.member_of_groups(viewer.user.id)))


def _own_id(viewer: Principal, username: str | None) -> str | None:
    """The caller's user id when searchUserAccess=groupMember names them (or nobody: the caller)."""
    if viewer.user is not None and (username is None or username.lower() == viewer.user.username.lower()):
        return viewer.user.id
    return None


def member_filter(conn: Connection, viewer: Principal, username: str | None) -> ColumnElement[bool]:
    """searchUserAccess=groupMember: the groups `username` (default: the caller) belongs to.
    Naming someone else needs portal:admin:viewGroups in their organization; any other name (an
    unknown one included, and any when signed out) is 403, so the answer never tells whether a
    user exists."""
    own = _own_id(viewer, username)
    if own is not None:
        return access.member_of_groups(own)
    target = user_store.user_by_username(conn, username) if username else None
    if target is None or not viewer.admin_of(target.org_id, "portal:admin:viewGroups"):
        raise Forbidden()
    return access.member_of_groups(target.id)


# ------------------------------------------------------------------ the operation
@dataclass(frozen=True)
class Query:
    """What one group search asks for, as the operation table coerced it."""

    q: str | None = None
    filter: str | None = None
    start: int | None = None
    num: int | None = None
    sort_field: str | None = None
    sort_order: str | None = None
    user_access: str | None = None  # "groupMember" or None
    user_name: str | None = None


def order(query: Query) -> list[tuple[str, bool]]:
    """The sort keys: the named field, then title and id to break ties (id alone after title)."""
    field = (query.sort_field or "title").lower()
    desc = (query.sort_order or "asc").lower() == "desc"
    if field in ("title", "avgrating", "numviews"):
        return [("title_key", desc), ("id", desc)]
    key = {"owner": "owner_key", "created": "created", "modified": "modified"}[field]
    return [(key, desc), ("title_key", False), ("id", False)]


def _conditions(query: Query) -> list[ColumnElement[bool]]:
    if not query.q:
        raise InvalidParameter(FAILED, ["'q' must be specified; * matches every group you may see."])
    if query.sort_field and query.sort_field.lower() not in SORT_FIELDS:
        raise InvalidParameter(FAILED, [f"'sortField' must be one of {', '.join(SORT_FIELDS)}."])
    return [predicate(text, name) for name, text in (("q", query.q), ("filter", query.filter)) if text]


async def search_groups(svc: Services, viewer: Principal, query: Query) -> dict[str, Any]:
    """GET community/groups (§5.7): the groups matching `q` (and `filter`) that the caller may see."""
    conditions = _conditions(query)
    page = window(query.start, query.num, cap=SEARCH_WINDOW)

    def load(conn: Connection) -> tuple[int, list[Any]]:
        where = [*conditions]
        own = _own_id(viewer, query.user_name)
        if query.user_access is None:
            where.append(scope(viewer))
        elif own is not None:
            # Every group of one's own is visible and in scope (§8.3, §8.5): the membership
            # alone decides, which lets PostgreSQL start from the member index, not scan groups.
            where.append(access.member_of_groups(own))
        else:
            where += [scope(viewer), member_filter(conn, viewer, query.user_name)]
        return group_queries.groups_page(conn, and_(*where), order(query), page.offset, page.limit, page.cap)

    total, found = await svc.db.read_heavy(load)
    return {"query": query.q, **page.answer(total), "results": [group_document(g) for g in found]}
