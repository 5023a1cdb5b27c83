"""Item search in SQL: full-text conditions on the database's own index, and one page with its
capped total.

The full-text index (migration 0006) is SQLite's FTS5 table `item_text` or PostgreSQL's
generated column `items.search_text`.  An item's `item_text` entry sits at rowid
`class << 61 | (MAX_SEQ - seq) << 34 | box` (migrations 0009, 0011 and 0013: public items
highest, then organization items, then the rest; the box is the extent's,
storage/item_boxes.py), so `fts_seq` maps an entry back to its item, a class is one rowid range
(`FtsPart`), a bbox is mostly answered from the rowid, and within a class the newest item comes
first in ascending rowid order.  The index is only ever read in ascending order: SQLite 3.40's
FTS5 (Debian 12's, and Python's on it) drops matches of an AND read in descending order from a
large index whose rowids span the classes (later versions do not).  Query text is cut into words
the way the index cuts stored text (at every character that is neither a letter nor a digit), so
a term of several words is matched as a phrase; each word is lower-cased and its Latin
diacritics folded as both indexes fold them (migration 0017's table: `café` is `cafe`).  The
predicate (what matches, who may see it) comes from domain/item_search.py as a SQLAlchemy
expression over `items`.
"""

from __future__ import annotations

import functools
import heapq
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    and_,
    case,
    column,
    exists,
    false,
    func,
    literal,
    literal_column,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by

from geoshare.storage import fts_words, item_boxes, search_words
from geoshare.storage import items as item_store
from geoshare.storage.records import Item
from geoshare.storage.tables import group_members, item_groups, items, orgs, users

# search field -> (FTS5 column, items column); the FTS column names are 0006's.
TEXT_FIELDS = {"title": items.c.title, "tags": items.c.tags, "snippet": items.c.snippet,
               "description": items.c.description, "type": items.c.type, "typekeywords": items.c.type_keywords,
               "accessinformation": items.c.access_information, "licenseinfo": items.c.license_info,
               "name": items.c.name}
DEFAULT_FIELDS = ("title", "tags", "snippet", "description", "type", "typekeywords")
# PostgreSQL weights of the generated vector; a field sharing its weight is re-checked on its own.
_WEIGHTS = {"title": "A", "tags": "B", "snippet": "C", "description": "C", "type": "C", "typekeywords": "C",
            "accessinformation": "D", "licenseinfo": "D", "name": "D"}
_item_text = table("item_text", column("rowid"))
_item_terms = table("item_terms", column("term"))  # migration 0014: every word of the index's text fields
_TOP = "\U0010ffff"  # above every character: word >= head AND word < head + _TOP is "starts with head"
# Migrations 0009 and 0013: the rowid classes and the seq above the extent's box (their modules
# hold the same numbers; a test checks they agree).
CLASS_SHIFT, SEQ_SHIFT = 61, item_boxes.BITS
SEQ_MASK = MAX_SEQ = (1 << (CLASS_SHIFT - SEQ_SHIFT)) - 1
OTHER, ORG, PUBLIC = 0, 1, 2
# an entry's item (its seq), stored turned around (MAX_SEQ - seq) so the newest comes first
fts_seq: ColumnElement[Any] = MAX_SEQ - _item_text.c.rowid.op(">>")(SEQ_SHIFT).op("&")(SEQ_MASK)
_MATCH_TARGET: ColumnElement[Any] = literal_column("item_text")
_SEARCH_TEXT: ColumnElement[Any] = literal_column("items.search_text")
# Fields whose weight another field shares: a condition on one of them alone is re-checked on its own text.
_SHARED_WEIGHT = frozenset(f for f, w in _WEIGHTS.items() if list(_WEIGHTS.values()).count(w) > 1)
CONFIG = "geoshare_text"


def _match(fts: str) -> ColumnElement[bool]:
    """SQLite: the rows of `item_text` matching the FTS5 expression `fts`."""
    return _MATCH_TARGET.op("MATCH")(literal(fts))  # pragma: no mutate (SQLite's operator names ignore case)


words = search_words.words


def index_words(column: Any) -> ColumnElement[str]:
    """The text of `column` as the index reads it (storage/search_words.py): lower-cased, folded,
    its words separated by single spaces."""
    return getattr(func, search_words.SQL_FUNCTION)(func.coalesce(column, ""))  # type: ignore[no-any-return]


def fts_query(fields: Sequence[str], tokens: Sequence[str], prefix: bool) -> str:
    """The FTS5 expression of the words `tokens` (one or more) as a phrase in `fields`: a phrase
    of two index words in the default fields as its pair token (migration 0014; the same items)."""
    if not prefix and len(tokens) > 1 and tuple(fields) == DEFAULT_FIELDS:
        pair = fts_words.phrase_pair(tokens)
        if pair is not None:
            return f"{{pairs}} : {pair}"
    return f"{{{' '.join(fields)}}} : \"{' '.join(tokens)}\"{' *' if prefix else ''}"


_PREFIX = re.compile(r'"([^"\s]+)" \*')  # a one-word prefix as fts_query writes it


def expand_prefixes(conn: Connection, fts: str) -> str:
    """SQLite: each one-word prefix of the FTS5 expression `fts` as the index words it stands for
    (migration 0014's word list), when they are few and each is looked up as itself; FTS5 would
    otherwise merge all their lists at every lookup.  Left as it is when not."""
    def words_of(found: re.Match[str]) -> str:
        head = fts_words.stem(found.group(1))
        if head is None:
            return found.group(0)
        terms = list(conn.execute(select(_item_terms.c.term).where(
            _item_terms.c.term >= head, _item_terms.c.term < head + _TOP).order_by(_item_terms.c.term)
            .limit(fts_words.MAX_EXPANSION + 1)).scalars())
        if not terms or len(terms) > fts_words.MAX_EXPANSION or not all(map(fts_words.is_own_stem, terms)):
            return found.group(0)
        return "(" + " OR ".join(f'"{t}"' for t in terms) + ")"

    return _PREFIX.sub(words_of, fts)


def _tsquery(tokens: Sequence[str], prefix: bool, weights: str) -> str:
    parts = [f"'{t}':{weights}" for t in tokens]
    if prefix:
        parts[-1] = f"'{tokens[-1]}':*{weights}"
    return " <-> ".join(parts)


def _pg_field_check(field: str, tokens: Sequence[str], prefix: bool) -> ColumnElement[bool]:
    vector = func.to_tsvector(literal_column(f"'{CONFIG}'::regconfig"), index_words(TEXT_FIELDS[field]))
    query = func.to_tsquery(literal_column(f"'{CONFIG}'::regconfig"), literal(_tsquery(tokens, prefix, "")))
    return vector.op("@@")(query)


def text_match(sqlite: bool, fields: Sequence[str], text: str, *, prefix: bool) -> ColumnElement[bool]:
    """Items whose `fields` contain the words of `text` in order (the last one as a prefix when
    `prefix`).  A text without any word matches nothing."""
    tokens = words(text)
    if not tokens:
        return false()
    if sqlite:
        found = select(fts_seq).where(_match(fts_query(fields, tokens, prefix)))
        return items.c.seq.in_(found)
    weights = "".join(sorted({_WEIGHTS[f] for f in fields}))
    query = func.to_tsquery(literal_column(f"'{CONFIG}'::regconfig"), literal(_tsquery(tokens, prefix, weights)))
    matched: ColumnElement[bool] = _SEARCH_TEXT.op("@@")(query)
    if len(fields) == 1 and fields[0] in _SHARED_WEIGHT:
        return and_(matched, _pg_field_check(fields[0], tokens, prefix))
    return matched


def title_tier(sqlite: bool, texts: Sequence[str]) -> ColumnElement[bool] | None:
    """Items whose title holds one of the free-text terms `texts` (the first tier of relevance):
    a one-word term as that word, a term of several words (a phrase, `land-use`) as that phrase;
    None when no term has a word."""
    terms = free_words(texts)
    if not terms:
        return None
    if sqlite:
        return items.c.seq.in_(select(fts_seq).where(_match(title_fts(terms))))
    phrases = (" <-> ".join(f"'{w}':A" for w in term.split(" ")) for term in terms)
    tsq = func.to_tsquery(literal_column(f"'{CONFIG}'::regconfig"), literal(" | ".join(f"({p})" for p in phrases)))
    return _SEARCH_TEXT.op("@@")(tsq)


def free_words(texts: Sequence[str]) -> list[str]:
    """The distinct free-text terms `texts` (what relevance weighs), each as its index words
    joined by one space; terms without a word are left out."""
    return sorted({" ".join(found) for text in texts if (found := words(text))})


def title_fts(terms: Sequence[str]) -> str:
    """SQLite: the FTS5 expression of `title_tier` (any of `terms` in the title; a term of
    several words is an FTS5 phrase)."""
    return "{title} : (" + " OR ".join(f'"{t}"' for t in terms) + ")"  # pragma: no mutate (FTS5 column names ignore case)


def relevance_order(tier: ColumnElement[bool] | None, *, sort_matches: bool) -> list[Any]:
    """Relevance: the title tier first (when there are free-text terms), then the most recently
    added item (seq, unique: the order is total).  `sort_matches`: sort the matches rather than
    walk the seq index (see `after_filter`)."""
    seq = after_filter(items.c.seq) if sort_matches else items.c.seq  # pragma: no mutate (the same order: a plan)
    if tier is None:
        return [seq.desc()]
    return [case((tier, 0),
                 else_=1,  # pragma: no mutate (any rank above the tier's 0 is the same order)
                 ).asc(), seq.desc()]


def acl_fts(tokens: Sequence[str]) -> str:
    """SQLite: items whose access tokens (migration 0007's `acl` column) include any of `tokens`,
    as an FTS5 expression to AND with the text one."""
    return "{acl} : (" + " OR ".join(tokens) + ")"  # pragma: no mutate (FTS5 column names ignore case)


def acl_match(tokens: Sequence[str]) -> ColumnElement[bool]:
    """PostgreSQL: the same question of `items.search_text` (0007 appends the tokens to it), so
    the text conditions and this one are answered by one scan of its GIN index."""
    query = func.to_tsquery(literal_column("'simple'::regconfig"), literal(" | ".join(tokens)))
    return _SEARCH_TEXT.op("@@")(query)


def owner_ids(username_condition: ColumnElement[bool]) -> Any:
    return select(users.c.id).where(username_condition)


def org_ids(org_id: str) -> Any:
    """The organization whose id is `org_id` without regard to case (items.org_id stays indexed)."""
    return select(orgs.c.id).where(func.lower(orgs.c.id) == org_id.lower())


def items_in_group(group_id: str) -> Any:
    return select(item_groups.c.item_id).where(item_groups.c.group_id == group_id)


def fts_condition(fts: str) -> ColumnElement[bool]:
    """Items matching the FTS5 expression `fts` (SQLite), as a condition on `items`."""
    return items.c.seq.in_(select(fts_seq).where(_match(fts)))


def _matches(query: Any, fts: str | None) -> Any:
    """`query` over `items`, driven by the one full-text lookup `fts` when there is one: the
    index yields the matches and each is joined to its row (its access columns: ix_items_search_access)."""
    if fts is None:
        return query.select_from(items)
    return query.select_from(_item_text.join(items, items.c.seq == fts_seq)).where(_match(fts))


def count_capped(conn: Connection, where: ColumnElement[bool] | None, cap: int, fts: str | None = None,
                 part: FtsPart | None = None) -> int:
    """How many items match, counting at most `cap` (beyond it only "at least the cap" matters).
    Without `where`, the full-text lookup `fts` alone answers (the index only, no item row);
    `part` keeps that lookup to its rowid classes."""
    one = select(literal(1).label("one"))  # pragma: no mutate (count(*) reads neither the value nor its name)
    if where is None:
        assert fts is not None
        lookup = one.select_from(_item_text).where(_match(fts))
    else:
        lookup = _matches(one, fts).where(where)
    if part is not None:
        lookup = lookup.where(*_in_class(part))
    capped = lookup.limit(cap)
    inner = capped.subquery("c")  # pragma: no mutate (count(*) reads no name of its subquery)
    return int(conn.execute(select(func.count()).select_from(inner)).scalar_one())


def newest_matching(conn: Connection, where: ColumnElement[bool], limit: int, newest: int,
                    seq: ColumnElement[Any] = items.c.seq) -> tuple[int, list[int]]:
    """How many items match `where`, counting at most `limit`, and the seqs of the `newest` most
    recently added among those counted, newest first (among all the matches when fewer than
    `limit` match), in one statement: the counted seqs are kept once (a CTE used twice is
    materialized) and the newest picked from them by a bounded sort.  `seq` names the rows read:
    the items, or a group's shares (`item_groups.item_seq`, shared_in_group)."""
    counted = select(seq.label("seq")).where(where).limit(limit).cte("counted")
    found = select(func.count()).select_from(counted).scalar_subquery()
    top = select(counted.c.seq).order_by(counted.c.seq.desc()).limit(max(newest, 0)).subquery("top")
    if conn.dialect.name == "sqlite":
        joined = select(func.group_concat(top.c.seq)).scalar_subquery()
        total, text = conn.execute(select(found, joined)).one()
        return int(total), sorted((int(s) for s in text.split(",")) if text else (), reverse=True)
    listed = select(func.array_agg(aggregate_order_by(top.c.seq, top.c.seq.desc()))).scalar_subquery()
    total, seqs = conn.execute(select(found, listed)).one()
    return int(total), [int(s) for s in seqs or ()]


def shared_in_group(group_id: str, rule: ColumnElement[bool]) -> ColumnElement[bool]:
    """The shares of `group_id` whose item `rule` admits, `rule` read from the shares' copies of
    their items' columns (access.SHARE_ROW, migration 0020): with newest_matching(seq=SHARE_SEQ)
    and newest_shares, a group's search reads no item row until its page."""
    return and_(item_groups.c.group_id == group_id, rule)


SHARE_SEQ: ColumnElement[Any] = item_groups.c.item_seq


def newest_shares(conn: Connection, where: ColumnElement[bool], offset: int, limit: int) -> list[int]:
    """The seqs of the shares `where` (shared_in_group) keeps, newest item first, from `offset`."""
    query = select(SHARE_SEQ).where(where).order_by(SHARE_SEQ.desc()).offset(offset).limit(limit)
    return [int(s) for s in conn.execute(query).scalars()]


@dataclass(frozen=True)
class FtsPart:
    """SQLite: rowid classes `low` to `high` of `item_text` and the FTS5 expression asked of them
    (a page reads one class at a time: only within one is the rowid order the seq order), and the
    bbox the entries' extents must intersect, if any."""

    fts: str
    low: int
    high: int
    bbox: item_boxes.Bbox | None = None


def _in_class(part: FtsPart, below: int | None = None) -> tuple[ColumnElement[bool], ...]:
    """The rowid range of the part's classes (ending at `below` when given, a rowid inside
    them): bounds FTS5 applies while it reads, without a doclist (none for all three; FTS5
    takes one bound each way, so there is never a second); and the bbox, read from each entry's
    rowid (item_boxes)."""
    bounds = [] if part.bbox is None else [_entry_in_bbox(part.bbox)]
    if part.low > OTHER:
        bounds.append(_item_text.c.rowid >= part.low << CLASS_SHIFT)
    if below is not None:
        bounds.append(_item_text.c.rowid < below)
    elif part.high < PUBLIC:
        bounds.append(_item_text.c.rowid < (part.high + 1) << CLASS_SHIFT)
    return tuple(bounds)


@functools.lru_cache(maxsize=256)
def _entry_in_bbox(bbox: item_boxes.Bbox) -> ColumnElement[bool]:
    """item_boxes.entry_in_bbox over the index's rows, built once per bbox (a search asks it of
    every class it reads; the expression is immutable)."""
    return item_boxes.entry_in_bbox(_item_text.c.rowid, fts_seq, bbox)


def fts_rowid() -> ColumnElement[Any]:
    """The rowid of an item's entry (migration 0013's expression: the class from its `acl` as
    written, the seq, the extent's box)."""
    offset = case((func.instr(items.c.acl, " zp0") > 0, PUBLIC << CLASS_SHIFT),
                  (func.instr(items.c.acl, " zo") > 0, ORG << CLASS_SHIFT), else_=0)
    return (MAX_SEQ - items.c.seq).op("<<")(SEQ_SHIFT).op("|")(item_boxes.box_expression()).op("|")(offset)


def count_parts(conn: Connection, parts: Sequence[FtsPart], where: ColumnElement[bool] | None, cap: int) -> int:
    """count_capped over the classes of `parts` (each item has one entry, so they add up)."""
    total = 0
    for part in parts:
        if total >= cap:
            break
        total += count_capped(conn, where, cap - total, part.fts, part)
    return total


def fts_ids(conn: Connection, parts: Sequence[FtsPart], where: ColumnElement[bool] | None, offset: int,
            limit: int) -> list[str]:
    """SQLite: the ids of the items the `parts` find (and `where` keeps), the most recently added
    first.  The index yields each class's rows in that order, so only the page is read from each,
    and the classes are merged by seq (a class alone skips `offset` in SQL).  Once the classes
    read so far hold `offset + limit` rows, a row of the next class older than the last of them
    cannot be on the page: that class is read only above it, a rowid bound FTS5 applies while it
    reads (the parts read through access words come last, and are the costly ones)."""
    def read(part: FtsPart, skip: int, rows: int, floor: int | None = None) -> list[Any]:
        assert part.low == part.high, "a page reads one class at a time"
        # newer than the seq `floor`: a smaller turned-around seq
        below = None if floor is None else part.low << CLASS_SHIFT | (MAX_SEQ - floor) << SEQ_SHIFT
        query = select(fts_seq.label("seq"), items.c.id).select_from(
            _item_text.join(items, items.c.seq == fts_seq)).where(_match(part.fts), *_in_class(part, below))
        if where is not None:
            query = query.where(where)
        return list(conn.execute(newest_first(query).offset(skip).limit(rows)))

    if len(parts) == 1:
        return [row.id for row in read(parts[0], offset, limit)]
    wanted = offset + limit
    streams: list[list[Any]] = []
    for part in parts:
        best = list(islice(heapq.merge(*streams, key=lambda row: -int(row.seq)), wanted))
        streams.append(read(part, 0, wanted, int(best[-1].seq) if len(best) == wanted else None))
    merged = heapq.merge(*streams, key=lambda row: -int(row.seq))
    return [row.id for row in islice(merged, offset, wanted)]


def newest_first(query: Any) -> Any:
    """`query` over `item_text` in the order of its rowids, which within a class is the newest
    item first (ascending: see the module's notes on descending reads)."""
    return query.order_by(_item_text.c.rowid.asc())


def page_ids(conn: Connection, where: ColumnElement[bool], order: Sequence[Any], offset: int, limit: int,
             fts: str | None = None, total: int = 0,  # pragma: no mutate (total picks a plan only)
             ) -> list[str]:
    """The ids of one page in `order` (which ends with the id, so the order is total)."""
    if fts is not None and _walkable(order):  # pragma: no mutate (without fts, total is 0: no walk)
        walk = _walk_condition(conn, fts, offset + limit, total)  # pragma: no mutate (the rows only pick a plan)
        if walk is not None:
            query = select(items.c.id).select_from(items).where(walk, where)
            return list(conn.execute(query.order_by(*order).offset(offset).limit(limit)).scalars())
    query = _matches(select(items.c.id), fts).where(where).order_by(*order).offset(offset).limit(limit)
    return list(conn.execute(query).scalars())


# A sorted page of many matches walks the sort's index and stops after the page, instead of
# sorting every match: rows read ~ (offset + limit) * items / matches.  Below _PROBE_ROWS each
# row asks the full-text index about itself (~20 us, words only); up to _LIST_ROWS the matches' keys are
# gathered once and each row looks itself up there; beyond, the matches are sorted.
_PROBE_ROWS = 2_000
_LIST_ROWS = 50_000


def _walkable(order: Sequence[Any]) -> bool:
    """One sort column of `items` (each has an index ending with the id), then the id."""
    first = getattr(order[0], "element", order[0]) if order else None
    return len(order) == 2 and isinstance(first, Column) and first.table is items


def _walk_condition(conn: Connection, fts: str, rows: int, total: int) -> ColumnElement[bool] | None:
    if total <= 0:
        return None
    size = int(conn.execute(select(func.max(items.c.seq))).scalar_one() or 0)
    walked = rows * size / total
    match = _match(fts)
    if walked <= _PROBE_ROWS and "*" not in fts:  # a prefix would be expanded again at every row
        return exists().where(match, _item_text.c.rowid == fts_rowid())
    if walked <= _LIST_ROWS:  # `seq + 0`: not a key to look rows up by, so the sort's index leads
        return (items.c.seq + 0).in_(select(fts_seq).where(match))  # pragma: no mutate (- 0: the same)
    return None


def after_filter(column: Any) -> Any:
    """`column` as a sort key no index provides (PostgreSQL): with fewer matches than the count's
    limit, sorting them all is bounded, while walking the column's index hoping to meet them soon
    can read most of the table when the filter and the order are correlated (created vs modified)."""
    return column + 0  # pragma: no mutate (- 0 or + 1 keep every order: equivalent)


def load_items(conn: Connection, ids: Sequence[str]) -> list[Item]:
    return item_store.items_by_ids(conn, ids)


def owner_sort_key() -> Any:
    """The owner's lower-cased username, for sortField=owner (a correlated read of one row)."""
    return select(users.c.username_key).where(users.c.id == items.c.owner_id).scalar_subquery()


def member_group_ids(conn: Connection, user_id: str) -> list[str]:
    query = select(group_members.c.group_id).where(group_members.c.user_id == user_id)
    return list(conn.execute(query).scalars())


def group_shared(group_ids: Sequence[str]) -> ColumnElement[bool]:
    """Items shared with any of `group_ids` (resolved first, so the planner sees constants)."""
    if not group_ids:
        return false()
    return items.c.id.in_(select(item_groups.c.item_id).where(item_groups.c.group_id.in_(list(group_ids))))
