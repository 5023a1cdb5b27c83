"""Item search: GET search and content/groups/{id}/search (sharing-api.md §7.1, §7.3-7.6).

The query (`q`, `filter`, `bbox`, `categories`, the group scope) becomes one predicate on
`items`, ANDed with the access rule (access.item_visible, narrowed by canSearchPublic), so the
page and the total count exactly the same rows.

* Total: counted with `SELECT count(*) FROM (SELECT 1 ... LIMIT n)`, n = the setting
  `search_total_limit`; above it `total` is reported as the limit.  A search ordered newest first
  counts and picks its page's seqs in the same statement (store.newest_matching).
* Page: `num + 1` rows from `start - 1`; the extra row only tells whether `nextStart` exists,
  so paging works at any depth.  Every order ends with the id, so it is total.
* Order: sortField (comma list) when given, the id last; otherwise relevance: when `q` has
  free-text terms, the items whose title holds one of them (a word, or a term of several words as
  a phrase) first, then the other matches; within each, the most recently added item first (seq,
  unique, so the order is total).
* PostgreSQL: a q of one word or a quoted phrase of two (optionally narrowed by accountid:/orgid:,
  optionally with a bbox) is counted, and paged by relevance, from the posting lists of migrations
  0008, 0010, 0012 and 0016 (one word in the default fields: its any-field list)
  (storage/item_postings.py) for the callers access.posting_tokens describes; the answer is the
  general path's (a test compares the two).
* Matching: text fields through the full-text index (storage/item_search.py); keyword fields
  whole values, case-insensitively; `type:"Web Map"` exact, `type:map` any type with that word.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, TypeGuard, TypeVar

from sqlalchemy import ColumnElement, Connection, and_, false, or_, true

from geoshare.domain import access, search_facets
from geoshare.domain.item_search_terms import FIELDS, FILTER_FIELDS, Compiler, split_text
from geoshare.domain.items import item_document
from geoshare.domain.principal import Principal
from geoshare.domain.query_language import MESSAGE, And, Node, Required, Term, has_wildcard, parse
from geoshare.domain.services import Services
from geoshare.errors import Forbidden, InvalidParameter
from geoshare.storage import item_postings as posting_store
from geoshare.storage import item_search as store
from geoshare.storage import items as item_store
from geoshare.storage import users as user_store
from geoshare.storage.tables import items

T = TypeVar("T")
FAILED = "Unable to search items."  # every refusal of the operation, its table's and these
SORT_KEYS: dict[str, Any] = {"title": items.c.title_key, "uploaded": items.c.created, "created": items.c.created,
                             "modified": items.c.modified, "type": items.c.type, "avgrating": items.c.avg_rating,
                             "numratings": items.c.num_ratings, "numcomments": items.c.num_comments,
                             "numviews": items.c.num_views, "size": items.c.size}
COUNT_FIELDS = ("type", "access", "tags", "typekeywords", "owner", "categories", "culture", "contentstatus")
MAX_NUM = 100
HIDDEN_KEYS = ("protected",)  # item_document without a control or show_folder adds no ownerFolder/itemControl


@dataclass(frozen=True)
class ItemQuery:
    q: str | None = None
    filter: str | None = None
    bbox: str | None = None  # raw "xmin,ymin,xmax,ymax" (validated here)
    categories: tuple[str, ...] = ()  # one entry per repetition of the parameter, raw
    category_filters: str | None = None
    start: int | None = None
    num: int | None = None
    sort_field: str | None = None
    sort_order: str | None = None
    count_fields: str | None = None
    count_size: int | None = None
    user_access: str | None = None  # "groupMember"
    user_name: str | None = None
    group_id: str | None = None  # content/groups/{id}/search: only this group's items


# ------------------------------------------------------------------ parameters
def _bad(message: str) -> InvalidParameter:
    return InvalidParameter(FAILED, [message])


def parse_bbox(raw: str) -> tuple[float, float, float, float]:
    """`xmin,ymin,xmax,ymax` (WGS84) as four numbers, validated."""
    parts = [p.strip() for p in raw.split(",")]
    try:
        xmin, ymin, xmax, ymax = (float(p) for p in parts)
    except ValueError:
        raise _bad("'bbox' must be four numbers: xmin,ymin,xmax,ymax.") from None
    if not all(math.isfinite(v) for v in (xmin, ymin, xmax, ymax)) or xmin > xmax or ymin > ymax:
        raise _bad("'bbox' must have xmin <= xmax and ymin <= ymax.")
    if not (-180 <= xmin and xmax <= 180 and -90 <= ymin and ymax <= 90):
        raise _bad("'bbox' must lie within -180..180 and -90..90 (WGS84).")
    return xmin, ymin, xmax, ymax


def bbox_condition(box: tuple[float, float, float, float]) -> ColumnElement[bool]:
    """Items whose extent intersects the bbox `box`; items without one never match."""
    xmin, ymin, xmax, ymax = box
    return and_(items.c.extent_xmin <= xmax, items.c.extent_xmax >= xmin,
                items.c.extent_ymin <= ymax, items.c.extent_ymax >= ymin)


def _category_entries(raw: str) -> list[str]:
    text = raw.strip()
    if text.startswith("["):
        try:
            found = json.loads(text)
        except ValueError:
            raise _bad("'categories' is not a valid JSON array.") from None
        if not all(isinstance(e, str) for e in found):  # text starting with "[" parses to a list
            raise _bad("'categories' must be an array of category paths.")
        return [e.strip() for e in found if e.strip()]
    return [e.strip() for e in text.split(",") if e.strip()]


def categories_condition(repetitions: tuple[str, ...]) -> ColumnElement[bool]:
    """Each repetition: any of its paths (up to 8); repetitions all hold (up to 8)."""
    if len(repetitions) > 8:
        raise _bad("'categories' may be given at most 8 times.")
    parts = []
    for raw in repetitions:
        entries = _category_entries(raw)
        if len(entries) > 8:
            raise _bad("'categories' takes at most 8 category paths at a time.")
        if not entries:
            raise _bad("'categories' must name a category path.")
        parts.append(or_(*(Compiler.category(e) for e in entries)))
    return and_(*parts)


def order_keys(query: ItemQuery) -> list[Any]:
    """sortField / sortOrder (comma lists, case-insensitive) as sort keys, the id last."""
    if not query.sort_field:
        return []
    names = [n.strip().lower() for n in query.sort_field.split(",") if n.strip()]
    orders = [o.strip().lower() for o in (query.sort_order or "asc").split(",")]
    keys = []
    for i, name in enumerate(names):
        direction = orders[min(i, len(orders) - 1)] or "asc"
        if direction not in ("asc", "desc"):
            raise _bad("'sortOrder' must be asc or desc.")
        column = store.owner_sort_key() if name == "owner" else SORT_KEYS.get(name)
        if column is None:
            raise _bad(f"'sortField' must be one of {', '.join([*SORT_KEYS, 'owner'])}.")
        keys.append(column.desc() if direction == "desc" else column.asc())
    return keys


def _count_fields(query: ItemQuery) -> tuple[tuple[str, ...], int]:
    if query.count_fields is None:
        return (), 0
    fields = tuple(f.strip().lower() for f in query.count_fields.split(",") if f.strip())
    if not fields or len(fields) > 3 or any(f not in COUNT_FIELDS for f in fields):
        raise _bad(f"'countFields' takes one to three of {', '.join(COUNT_FIELDS)}.")
    size = 10 if query.count_size is None else query.count_size
    if not 1 <= size <= 200:
        raise _bad("'countSize' must be between 1 and 200.")
    return fields, size


# ------------------------------------------------------------------ the query's predicate
def _tree(text: str, param: str) -> Node:
    try:
        return parse(text, FIELDS, FILTER_FIELDS)
    except InvalidParameter as exc:
        raise _named(exc, param) from None


def _named(exc: InvalidParameter, param: str) -> InvalidParameter:
    return InvalidParameter(MESSAGE, [d.replace("'q':", f"'{param}':", 1) for d in exc.details])


def _translated(compiler: Compiler, tree: Node, param: str) -> ColumnElement[bool]:
    try:
        return compiler.to_sql(tree)
    except InvalidParameter as exc:
        raise _named(exc, param) from None


@dataclass
class Conditions:
    where: list[ColumnElement[bool]]
    texts: list[str]  # the free-text words (relevance)
    fts: str | None = None  # SQLite: q's text terms as one FTS5 expression, the rows it drives
    full_text: bool = False  # PostgreSQL: a condition reads search_text (the access tokens join it)
    # SQLite: the values of q's accountid:/orgid: clauses ANDed with `fts` (asked of the index too)
    orgs: list[str] = field(default_factory=list)
    bbox: tuple[float, float, float, float] | None = None  # not in `where`: see `bbox_where`
    groups: set[str] = field(default_factory=set)  # every match is shared with each of these (required_groups)
    group_alone: str | None = None  # q is `group:<id>` and nothing else: the group (lower-cased)

    def bbox_where(self) -> list[ColumnElement[bool]]:
        """The bbox as a condition on the rows, if there is one (the SQLite full-text path asks
        it of the index's rowids instead, migration 0011)."""
        return [] if self.bbox is None else [bbox_condition(self.bbox)]


def _q_conditions(text: str, sqlite: bool) -> Conditions:
    tree = _tree(text, "q")
    compiler = Compiler(sqlite)
    whole = _translated(compiler, tree, "q")
    fts, rest = split_text(tree) if sqlite else (None, [tree])
    if fts is None:
        alone = _unwrapped(tree)
        group = alone.text.lower() if isinstance(alone, Term) and alone.field == "group" else None
        return Conditions([whole], compiler.free_text, full_text=compiler.full_text, groups=required_groups(tree),
                          group_alone=group)
    orgs = [n.text for n in map(_unwrapped, rest) if _org_clause(n)]
    rest = [n for n in rest if not _org_clause(_unwrapped(n))]
    return Conditions([_translated(Compiler(sqlite), n, "q") for n in rest], compiler.free_text, fts, orgs=orgs,
                      groups=required_groups(tree))


def required_groups(node: Node) -> set[str]:
    """The groups every item matching `node` is shared with: its `group:` terms that a match
    must satisfy (alone, required, or in an AND), lower-cased."""
    node = _unwrapped(node)
    if isinstance(node, Term):
        return {node.text.lower()} if node.field == "group" else set()
    if isinstance(node, And):
        return set().union(*map(required_groups, node.nodes))
    return set()


def _org_clause(node: Node) -> TypeGuard[Term]:
    return isinstance(node, Term) and node.field in ORG_FIELDS


def conditions(query: ItemQuery, sqlite: bool) -> Conditions:
    """The query's conditions on `items`, its free-text words (for relevance) and, on SQLite, its
    full-text part as one FTS5 expression (one index lookup, bm25 over its matches only)."""
    if not (query.q and query.q.strip()) and not query.bbox and not query.categories:
        raise _bad("One of 'q', 'bbox' or 'categories' must be specified; q=* matches every item you may see.")
    found = _q_conditions(query.q, sqlite) if query.q and query.q.strip() else Conditions([], [])
    if query.filter and query.filter.strip():
        tree = _tree(query.filter, "filter")
        found.where.append(_translated(Compiler(sqlite, exact=True), tree, "filter"))
        found.groups |= required_groups(tree)
        found.group_alone = None
    if query.group_id:  # content/groups/{groupId}/search (_scope)
        found.groups.add(query.group_id.lower())
    if query.bbox:
        found.bbox = parse_bbox(query.bbox)
    if query.categories:
        found.where.append(categories_condition(query.categories))
        found.group_alone = None
    return found


# ------------------------------------------------------------------ who is searched for
def visible(viewer: Principal, group_ids: list[str]) -> ColumnElement[bool]:
    """access.item_visible with the caller's groups resolved to constants, narrowed by
    canSearchPublic=false (§7.5): other organizations' public items drop out."""
    rule = access.item_visible(viewer, group_ids)  # pragma: no mutate (None: the same groups, read by SQL)
    # A member always has an organization (the check narrows the type); an item's organization is
    # its owner's, so the owner clause restates the first one: mutants there are equivalent.
    me = viewer.user
    if me is None or _searches_public(viewer):  # pragma: no mutate
        return rule
    return and_(rule, or_(items.c.org_id == me.org_id, items.c.owner_id == me.id,  # pragma: no mutate
                          store.group_shared(group_ids)))


def _member_target(conn: Connection, viewer: Principal, username: str | None) -> str:
    """searchUserAccess=groupMember: whose groups (default the caller's).  Naming someone else
    needs portal:admin:viewItems or viewGroups in their organization, else 403 (as group search)."""
    if viewer.user is not None and (not username or username.lower() == viewer.user.username.lower()):
        return viewer.user.id
    target = user_store.user_by_username(conn, username) if username else None
    if target is None or not (viewer.admin_of(target.org_id, "portal:admin:viewItems")
                              or viewer.admin_of(target.org_id, "portal:admin:viewGroups")):
        raise Forbidden()
    return target.id


def _scope(conn: Connection, viewer: Principal, query: ItemQuery, mine: list[str]) -> list[ColumnElement[bool]]:
    """searchUserAccess and the group scope (the access rule itself is added by the caller)."""
    scope = []
    if query.user_access is not None:
        if query.user_access.lower() != "groupmember":
            raise _bad("'searchUserAccess' must be groupMember.")
        target = _member_target(conn, viewer, query.user_name)
        groups_of = mine if viewer.user is not None and target == viewer.user.id else \
            store.member_group_ids(conn, target)
        scope.append(store.group_shared(groups_of))
    if query.group_id:
        scope.append(store.group_shared([query.group_id.lower()]))
    return scope


# ------------------------------------------------------------------ the operation
def _window(query: ItemQuery) -> tuple[int, int]:
    num = 10 if query.num is None else max(0, min(query.num, MAX_NUM))
    return (1 if not query.start else query.start), num


def _document(item: Any) -> dict[str, Any]:
    doc = item_document(item)
    for key in HIDDEN_KEYS:
        doc.pop(key, None)
    return doc


async def search_items(svc: Services, viewer: Principal, query: ItemQuery) -> dict[str, Any]:
    """GET search (§7.1): the items matching the query that the caller may see."""
    sqlite = svc.db.is_sqlite
    found_by = conditions(query, sqlite)
    facet_fields, facet_size = _count_fields(query)
    start, num = _window(query)
    keys = order_keys(query)
    cap = svc.settings.search_total_limit

    mine, every_org = await _audience(svc, viewer)

    def load(conn: Connection) -> tuple[int, list[Any], bool, dict[str, Any] | None]:
        group = _group_alone(query, found_by, viewer, facet_fields, keys)
        if group is not None:  # a group's items, newest first: from its shares alone (migration 0020)
            rule = true() if group in mine else access.item_visible(viewer, mine, access.SHARE_ROW)
            return (*_newest_first(conn, store.shared_in_group(group, rule), start, num, cap, store.SHARE_SEQ), None)
        scope = _scope(conn, viewer, query, mine)
        if sqlite and found_by.fts is not None:
            others = [*found_by.where, *scope]
            return _load_fts(conn, Window(start, num, keys, cap, facet_fields, facet_size), found_by, others,
                             (viewer, mine, every_org))
        # PostgreSQL: an anonymous caller's one token on search_text when a text condition reads it
        # (one GIN scan).  A member's tokens include the public and organization ones, whose posting
        # lists cover most items: ORing them in GIN costs more (measured at 1M items) than the rule
        # on the B-tree indexes, which is also the plan without a text condition.
        others = [*found_by.where, *found_by.bbox_where(), *scope]
        tokens = not sqlite and found_by.full_text and viewer.user is None
        rule = store.acl_match(access.item_tokens(viewer, mine)) if tokens else visible(viewer, mine)
        if not found_by.groups.isdisjoint(mine):  # every match is shared with a group of the caller's
            rule = true()
        predicate = and_(true(), *others, rule)
        facets = _facets(conn, predicate, facet_fields, facet_size)
        scoped = query.group_id or query.user_access is not None
        postings = None if sqlite or scoped else _postings(conn, query, viewer, mine, every_org)
        if postings is None and not keys and not found_by.texts:  # newest first: the order is the seq
            return (*_newest_first(conn, predicate, start, num, cap), facets)
        if postings is not None:  # PostgreSQL, one word: the count (and a relevance page) from the lists
            total = posting_store.count_capped(conn, postings.terms, postings.scopes, cap, found_by.bbox)
        else:
            total = store.count_capped(conn, predicate, cap)
        if start < 1 or num == 0:
            return total, [], False, facets
        if postings is not None and not keys:
            seqs = _posting_page(conn, postings, start - 1, num + 1, found_by.bbox)
            return total, item_store.items_by_seqs(conn, seqs[:num]), len(seqs) > num, facets
        order = [*keys, items.c.id.asc()] if keys else \
            store.relevance_order(store.title_tier(sqlite, found_by.texts), sort_matches=not sqlite and total < cap)
        ids = store.page_ids(conn, predicate, order, start - 1, num + 1)
        return total, store.load_items(conn, ids[:num]), len(ids) > num, facets

    total, found, more, facets = await svc.db.read_heavy(load)
    answer: dict[str, Any] = {"query": query.q or "", "total": total, "start": start, "num": num,
                              "nextStart": start + num if more else -1, "results": [_document(i) for i in found]}
    if facets is not None:
        answer["aggregations"] = facets
    return answer


def _group_alone(query: ItemQuery, found_by: Conditions, viewer: Principal, facet_fields: tuple[str, ...],
                 keys: list[Any]) -> str | None:
    """The group whose items alone the search asks for, newest first (`q=group:<id>`, nothing
    else narrowing or ordering it), when the caller's rule is access.item_visible as it is: its
    count and page are then read from the group's shares (shared_in_group)."""
    if found_by.group_alone is None or found_by.bbox is not None or keys or facet_fields:
        return None
    if query.group_id or query.user_access is not None:
        return None
    return found_by.group_alone if _searches_public(viewer) else None


def _searches_public(viewer: Principal) -> bool:
    """Whether canSearchPublic leaves the caller's rule as access.item_visible has it (`visible`
    narrows it only for a member of an organization that may not search public content)."""
    return viewer.user is None or viewer.org is None or viewer.org.can_search_public


def _newest_first(conn: Connection, predicate: ColumnElement[bool], start: int, num: int,
                  cap: int, seq: ColumnElement[Any] = items.c.seq) -> tuple[int, list[Any], bool]:
    """A search ordered by seq alone: the count (up to `cap`) and the page's seqs in one statement
    (store.newest_matching), so a search of at most `cap` matches is one read; beyond, the
    counted seqs are only some of the matches and the page is read on its own.  `seq`: the
    items' (`predicate` on items) or a group's shares' (store.SHARE_SEQ, store.shared_in_group)."""
    found, newest = store.newest_matching(conn, predicate, cap + 1, start - 1 + num + 1 if start >= 1 else 0, seq)
    total = min(found, cap)
    if start < 1 or num == 0:
        return total, [], False
    if found <= cap:
        page = newest[start - 1:]
    elif seq is store.SHARE_SEQ:
        page = store.newest_shares(conn, predicate, start - 1, num + 1)
    else:
        ids = store.page_ids(conn, predicate, store.relevance_order(None, sort_matches=False), start - 1, num + 1)
        return total, store.load_items(conn, ids[:num]), len(ids) > num
    return total, item_store.items_by_seqs(conn, page[:num]), len(page) > num


async def _audience(svc: Services, viewer: Principal) -> tuple[list[str], list[tuple[str, str]]]:
    """The caller's groups and every organization's (id, access), remembered until the database
    next changes (Database.read_cached: a commit anywhere drops them), so a search reads neither."""
    orgs = list(await svc.db.read_cached(("search", "orgs"), posting_store.orgs))
    if viewer.user is None:
        return [], orgs
    mine = await svc.db.read_cached(("search", "groups", viewer.user.id), store.member_group_ids, viewer.user.id)
    return list(mine), orgs


@dataclass(frozen=True)
class Window:
    start: int
    num: int
    keys: list[Any]
    cap: int
    facet_fields: tuple[str, ...]
    facet_size: int


def _load_fts(conn: Connection, w: Window, found_by: Conditions, others: list[ColumnElement[bool]],
              caller: tuple[Principal, list[str], list[tuple[str, str]]],
              ) -> tuple[int, list[Any], bool, dict[str, Any] | None]:
    """SQLite, a query with full-text terms: the caller's access joins the FTS5 lookup, as rowid
    classes it sees whole and tokens for the rest (_fts_question), and so does the bbox (from the
    entries' rowids), so the total is index work alone, and a page by relevance reads only its own
    rows.  `others` holds the query's other conditions, the bbox not among them."""
    viewer, mine, every_org = caller
    assert found_by.fts is not None
    text = _with_orgs(every_org, store.expand_prefixes(conn, found_by.fts), found_by.orgs)
    if text is None:  # an accountid: naming no organization
        return 0, [], False, _facets(conn, false(), w.facet_fields, w.facet_size)
    asked = _fts_question(every_org, text, viewer, mine, found_by.bbox)
    rest = and_(true(), *others) if others else None  # pragma: no mutate (None: the index alone counts)
    on_rows = [*others, *found_by.bbox_where()]
    if w.facet_fields:
        guarded = f"({text}) AND ({store.acl_fts(access.item_tokens(viewer, mine))})"
        facets = _facets(conn, and_(store.fts_condition(guarded), *on_rows), w.facet_fields, w.facet_size)
    else:
        facets = None
    total = store.count_parts(conn, asked.counts, rest, w.cap)
    if w.start < 1 or w.num == 0:
        return total, [], False, facets
    tokens = store.free_words(found_by.texts)
    if w.keys:  # the sort's index leads; each row's text and access are checked on its way
        checked = and_(*on_rows, visible(viewer, mine))
        by_keys = [*w.keys, items.c.id.asc()]
        # total only picks the plan; a longer page would be cut by the caller: equivalent mutants
        ids = store.page_ids(conn, checked, by_keys, w.start - 1, w.num + 1, text, total)  # pragma: no mutate
    elif tokens:
        ids = _tiered_page(conn, asked, store.title_fts(tokens), rest, w.start - 1, w.num + 1)
    else:
        ids = store.fts_ids(conn, asked.pages, rest, w.start - 1, w.num + 1)
    return total, store.load_items(conn, ids[:w.num]), len(ids) > w.num, facets


def _with_orgs(orgs: list[tuple[str, str]], text: str, named: list[str]) -> str | None:
    """The FTS5 expression `text` ANDed with each accountid:/orgid: clause as the token every item
    of the organizations it names carries (`zx<org>0`, migration 0007), so the clause is answered
    by the index instead of each match's row; a clause naming every organization (the one of a
    one-organization portal, which the ArcGIS API for Python appends to every search) changes
    nothing and is dropped; None when a clause names no organization."""
    every = [o for o, _ in orgs] if named else []
    for value in named:
        found = [o for o in every if o.lower() == value.lower()]  # as store.org_ids compares
        if not found:
            return None
        if len(found) < len(every):
            text = f"({text}) AND ({store.acl_fts([access.org_token(o) for o in found])})"
    return text


@dataclass(frozen=True)
class FtsQuestion:
    """SQLite: what the FTS5 lookups ask for one caller: `pages` one class each (a page merges
    them by seq), `counts` the same with neighbouring classes of the same kind joined (fewer
    lookups; the order does not matter to a count)."""

    pages: list[store.FtsPart]
    counts: list[store.FtsPart]

    def narrowed(self, how: str) -> FtsQuestion:
        """Each lookup's expression narrowed by `how` (`AND (...)`, `NOT (...)`)."""
        return FtsQuestion([replace(p, fts=f"({p.fts}) {how}") for p in self.pages],
                           [replace(p, fts=f"({p.fts}) {how}") for p in self.counts])


def _fts_question(orgs: list[tuple[str, str]], text: str, viewer: Principal, mine: list[str],
                  bbox: tuple[float, float, float, float] | None = None) -> FtsQuestion:
    """The FTS5 expression `text` asked of each rowid class the caller sees items in: alone for a
    class it sees whole, ANDed with its tokens for that class otherwise (access.fts_parts).  For
    counts, neighbouring classes read whole are one range; so are neighbouring classes read
    through tokens, with all their tokens (a class never holds an item carrying a token it cannot
    carry, so the other classes' tokens change nothing).  Each lookup keeps to `bbox` when given."""
    classes = access.fts_parts(viewer, mine, orgs)
    pages = [store.FtsPart(f"({text})" if tokens is None else f"({text}) AND ({store.acl_fts(tokens)})", cls, cls,
                           bbox) for cls, tokens in classes]
    runs: list[tuple[int, int, list[str] | None]] = []  # (low, high, tokens) of each run of classes
    for cls, tokens in classes:
        if runs and runs[-1][0] == cls + 1 and (runs[-1][2] is None) == (tokens is None):
            low, high, held = runs[-1]
            runs[-1] = (cls, high, None if held is None or tokens is None else [*held, *tokens])
        else:
            runs.append((cls, cls, tokens))
    counts = [store.FtsPart(f"({text})" if tokens is None else
                            f"({text}) AND ({store.acl_fts(list(dict.fromkeys(tokens)))})", low, high, bbox)
              for low, high, tokens in runs]
    return FtsQuestion(pages, counts)


def _tiered_page(conn: Connection, asked: FtsQuestion, title: str, rest: ColumnElement[bool] | None,
                 offset: int, limit: int) -> list[str]:
    """A page by relevance (SQLite): the title tier, then the other matches, each newest first,
    straight from the index in that order (store.relevance_order is the same order in SQL)."""
    first, second = asked.narrowed(f"AND ({title})"), asked.narrowed(f"NOT ({title})")
    return _by_tiers(lambda o, n: store.fts_ids(conn, first.pages, rest, o, n),
                     lambda cap: store.count_parts(conn, first.counts, rest, cap),
                     lambda o, n: store.fts_ids(conn, second.pages, rest, o, n), offset, limit)


def _by_tiers(first: Callable[[int, int], list[T]], first_count: Callable[[int], int],
              second: Callable[[int, int], list[T]], offset: int, limit: int) -> list[T]:
    """Rows `offset` .. `offset + limit` of the first tier followed by the second, given each
    tier's page reader (offset, limit) and the first's count (capped)."""
    # (no mutate: a longer first read is cut by the caller anyway)
    rows = first(offset, limit)  # pragma: no mutate
    if len(rows) == limit:
        return rows
    # Where the second tier starts for this page: right away if the first ended inside it.  (Rows
    # on the page mean the first tier holds more than `offset`, so its count capped at `offset` would
    # give 0 too; with none, the count is at most `offset`: the cap never binds.)
    skip = 0 if rows else offset - first_count(offset)  # pragma: no mutate
    return rows + second(skip, limit - len(rows))


def _facets(conn: Connection, where: ColumnElement[bool], fields: tuple[str, ...], size: int) -> dict[str, Any] | None:
    if not fields:
        return None
    return search_facets.facet_counts(conn, where, fields, size)


# ------------------------------------------------------------------ PostgreSQL: the posting lists
# The weights of migration 0006's vector each field may be found under, for the fields whose
# weight is their own (the others share theirs and would need a check of the row).
POSTING_WEIGHTS: dict[str | None, str] = {None: "ABC", "title": "A", "tags": "B"}
ANY_FIELD = "*"  # migration 0016: `lexeme:*`, one list of the items holding the word in any default field
ORG_FIELDS = ("accountid", "orgid")  # clauses that narrow a posting-list search to one organization


@dataclass(frozen=True)
class Postings:
    terms: list[str]  # what matches
    title: list[str]  # the relevance tier: matches holding the free-text word in the title
    scopes: posting_store.Scopes


def _single_term(query: ItemQuery) -> tuple[Term, list[str], bool, set[str]] | None:
    """q as one word (optionally a prefix, `word*`) or a quoted phrase of two words, in the
    default fields, the title or the tags, optionally ANDed with `accountid:`/`orgid:` clauses
    (the ArcGIS API for Python adds one), and a bbox or not: the question the posting lists answer.
    (The term, its index words, whether it is a prefix, and the lower-cased organization ids named.)"""
    if query.filter or query.categories or not query.q:
        return None
    node = _unwrapped(_tree(query.q, "q"))
    parts = [_unwrapped(n) for n in node.nodes] if isinstance(node, And) else [node]
    orgs = {p.text.lower() for p in parts if isinstance(p, Term) and p.field in ORG_FIELDS}
    texts = [p for p in parts if not (isinstance(p, Term) and p.field in ORG_FIELDS)]
    if len(texts) != 1:
        return None
    term = texts[0]
    if not isinstance(term, Term) or term.field not in POSTING_WEIGHTS:
        return None
    body = term.text
    prefix = not term.phrase and body.endswith("*")
    body = body[:-1] if prefix else body
    found = store.words(body)
    if has_wildcard(body) or len(found) != (2 if term.phrase else 1):
        return None
    return term, found, prefix, orgs


def _unwrapped(node: Node) -> Node:
    while isinstance(node, Required):
        node = node.node
    return node


def _postings(conn: Connection, query: ItemQuery, viewer: Principal, mine: list[str],
              every: list[tuple[str, str]]) -> Postings | None:
    """The posting-list question for this search and caller, or None when it takes the general path."""
    single = _single_term(query)
    if single is None:
        return None
    term, words, prefix, named = single
    only = [o for o, _ in every if o.lower() in named]
    if named and (len(named) > 1 or not only):  # two organizations at once, or none that exists
        return Postings([], [], posting_store.Scopes((), ()))
    only_org = only[0] if named else None
    tokens = access.posting_tokens(viewer, mine, every, only_org)
    if tokens is None:
        return None
    stems = [posting_store.lexemes(conn, w) for w in words]
    if any(len(s) != 1 for s in stems):
        return None
    lexeme = " ".join(s[0] for s in stems)  # two words: the pair term of migration 0010
    # One word in the default fields reads its any-field list (one row per item); a phrase reads
    # its pair terms, which carry the field's weight.
    weights = ANY_FIELD if term.field is None and len(words) == 1 else POSTING_WEIGHTS[term.field]
    terms = posting_store.prefix_terms(conn, lexeme, weights) if prefix else [f"{lexeme}:{w}" for w in weights]
    if terms is None:
        return None
    # the relevance tier: the word (or phrase) itself in the title, when it is one of the terms
    found = {f"{lexeme}:A", f"{lexeme}:{ANY_FIELD}"} & set(terms)
    title = [f"{lexeme}:A"] if term.field is None and found else []
    broad, narrow = tokens
    return Postings(terms, title, posting_store.Scopes(tuple(broad), tuple(narrow), only_org))


def _posting_page(conn: Connection, p: Postings, offset: int, limit: int,
                  bbox: tuple[float, float, float, float] | None) -> list[int]:
    """A page by relevance from the posting lists (the same order as _tiered_page), of the items
    meeting `bbox` if given."""
    if not p.title:
        return posting_store.page_seqs(conn, p.terms, p.scopes, offset, limit, bbox=bbox)
    rest = [t for t in p.terms if t not in p.title]
    return _by_tiers(lambda o, n: posting_store.page_seqs(conn, p.title, p.scopes, o, n, bbox=bbox),
                     lambda cap: posting_store.count_capped(conn, p.title, p.scopes, cap, bbox),
                     lambda o, n: posting_store.page_seqs(conn, rest, p.scopes, o, n, without=p.title, bbox=bbox),
                     offset, limit)
