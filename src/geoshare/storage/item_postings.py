"""PostgreSQL item search through the posting lists of migrations 0008 and 0010 (`item_postings`).

A question is a set of terms (`lexeme:weight`, or `lexA lexB:weight` for two adjacent words) and
the caller's scopes (access tokens, numbered by `search_scopes`: each statement looks its
tokens' numbers up itself, so a search takes no round trip for them).  Each (term, scope) pair is one
range of the B-tree `(term, scope, seq)`, read newest first by an index-only scan; the ranges are merged in `seq` order (Merge Append) and
duplicates dropped as they pass (Unique), so a count stops at its limit and a page after its last
row, however many items match.  The few scopes that hold little each (the caller's own items,
its groups) are read as one range and sorted, which keeps the statement small for members of
many groups.  Nothing here decides who may see what: the caller passes its scopes
(domain/access.posting_tokens) and the terms (domain/item_search.py).

With a bbox, each row's `box` (migration 0012: the item's extent as storage/item_boxes.py packs
it, included in the index) keeps or drops most matches during the same index-only scans; a row
whose box cannot tell (an edge in a grid column or row of the bbox's edges) is checked against
its item's extent.
"""

# ruff: noqa: S608 - the SQL is assembled from constants and bind-parameter names, never from input

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, literal_column, text
from sqlalchemy.dialects import postgresql

from geoshare.storage import item_boxes

CONFIG = "geoshare_text"
_DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]
MAX_PREFIX_TERMS = 64  # a prefix expanding to more terms is left to the general path
WEIGHTS = 5  # the terms a lexeme may be posted under: A, B, C, D (0008) and * (any default field, 0016)


@dataclass(frozen=True)
class Scopes:
    """A caller's scopes, as access tokens: `broad` ones read one range each (public,
    organization), `narrow` ones all in one range (the caller's own items, its groups).  A token
    no item holds has no number, and its range is empty."""

    broad: tuple[str, ...]
    narrow: tuple[str, ...]
    org: str | None = None  # the narrow ones' items of this organization only (`accountid:`)


_LEXEMES: dict[str, list[str]] = {}  # word -> lexemes, for the life of the process
_LEXEME_CACHE_SIZE = 10_000


def lexemes(conn: Connection, word: str) -> list[str]:
    """`word` as the index stores it (stemmed), through the same configuration: none for a stop
    word, several when the parser splits it.  Remembered: the configuration is migration 0006's,
    fixed while the server runs (a migration runs before it starts)."""
    found = _LEXEMES.get(word)
    if found is None:
        query = text(f"SELECT lexeme FROM unnest(to_tsvector('{CONFIG}', :w))")
        found = [str(v) for v in conn.execute(query, {"w": word}).scalars()]
        if len(_LEXEMES) >= _LEXEME_CACHE_SIZE:
            _LEXEMES.clear()
        _LEXEMES[word] = found
    return list(found)


def prefix_terms(conn: Connection, stem: str, weights: str) -> list[str] | None:
    """The stored one-word terms whose lexeme starts with `stem`, with one of `weights`, read by
    skipping from one distinct term to the next (one index probe each); None when there are more
    than MAX_PREFIX_TERMS of them.  Word pairs (migration 0010, `lexA lexB:W`, the only terms with
    a space) are never returned: meeting one of lexA's pairs, the walk jumps past all of them (in
    the C collation they lie between `lexA ` and `lexA!`, and no lexeme holds either character)."""
    high = stem[:-1] + chr(ord(stem[-1]) + 1)  # the first string after every one starting with stem
    query = text("""
        WITH RECURSIVE t(term) AS (
          (SELECT term FROM item_postings WHERE term >= :low AND term < :high ORDER BY term LIMIT 1)
          UNION ALL
          SELECT (SELECT p.term FROM item_postings p
                  WHERE p.term > CASE WHEN strpos(t.term, ' ') > 0 THEN split_part(t.term, ' ', 1) || '!'
                                      ELSE t.term END
                    AND p.term < :high ORDER BY p.term LIMIT 1) FROM t WHERE t.term IS NOT NULL)
        SELECT term FROM t WHERE term IS NOT NULL AND strpos(term, ' ') = 0 LIMIT :most""")
    found = [str(v) for v in conn.execute(query, {"low": stem, "high": high,
                                                  "most": MAX_PREFIX_TERMS * WEIGHTS + 1}).scalars()]
    if len(found) > MAX_PREFIX_TERMS * WEIGHTS:
        return None
    kept = [t for t in found if t.rsplit(":", 1)[1] in weights]
    return kept if len(kept) <= MAX_PREFIX_TERMS else None


def orgs(conn: Connection) -> list[tuple[str, str]]:
    """Every organization's (id, access)."""
    return [(str(i), str(a)) for i, a in conn.execute(text("SELECT id, access FROM orgs ORDER BY id"))]


def _number(token_bind: str) -> str:
    """SQL: the scope number of the token bound as `token_bind` (NULL when no item holds it)."""
    return f"(SELECT num FROM search_scopes WHERE token = :{token_bind})"


def _numbers(tokens_bind: str) -> str:
    """SQL: the scope numbers of the tokens bound as `tokens_bind`, as an array."""
    return f"ARRAY(SELECT num FROM search_scopes WHERE token = ANY(:{tokens_bind}))"


def _sql(condition: Any) -> str:
    return str(condition.compile(dialect=_DIALECT, compile_kwargs={"literal_binds": True}))


@functools.lru_cache(maxsize=256)
def _in_bbox(row: str, bbox: item_boxes.Bbox | None) -> str:
    """SQL: ` AND` the box of the posting `row` (a table name or alias) does not rule out `bbox`,
    and the column `sure`: whether it shows the item meets it (item_boxes: the low bits it reads
    of a rowid are the whole box here), rendered with its numbers inline; nothing without a bbox.
    The rows that are not sure are checked against their item's extent once per item, after
    the lists are merged (_kept).  Rendered once per (row, bbox): a search asks it of every list."""
    if bbox is None:
        return ""
    return f" AND {_sql(item_boxes.box_may_meet(literal_column(f'{row}.box'), bbox))}"


@functools.lru_cache(maxsize=256)
def _sure(row: str, bbox: item_boxes.Bbox | None) -> str:
    """SQL: `, <whether the box of posting `row` shows its item meets bbox> AS sure` (nothing without one)."""
    if bbox is None:
        return ""
    return f", {_sql(item_boxes.box_surely_meets(literal_column(f'{row}.box'), bbox))} AS sure"


@functools.lru_cache(maxsize=256)
def _kept(row: str, bbox: item_boxes.Bbox) -> str:
    """SQL: the merged row `row` (seq, sure) is of an item meeting `bbox`."""
    return f"({row}.sure OR {_sql(item_boxes.extent_meets(literal_column(f'{row}.seq'), bbox))})"


def _matches(terms: Sequence[str], scopes: Scopes, binds: dict[str, Any], tag: str,
             bbox: item_boxes.Bbox | None = None) -> str:
    """SQL: the (seq, scope) rows of `terms` in `scopes`, each part newest first; with a bbox, of
    the items whose box does not rule it out, and a third column `sure` (see _in_bbox)."""
    parts = []
    binds[f"{tag}_terms"] = list(terms)
    for i, term in enumerate(terms):
        binds[f"{tag}_t{i}"] = term
        for j, token in enumerate(scopes.broad):
            binds[f"{tag}_s{j}"] = token
            parts.append(f"(SELECT seq, scope{_sure('item_postings', bbox)} FROM item_postings "
                         f"WHERE term = :{tag}_t{i} AND scope = {_number(f'{tag}_s{j}')}"
                         f"{_in_bbox('item_postings', bbox)} ORDER BY seq DESC)")
    if scopes.narrow and terms:
        binds[f"{tag}_narrow"] = list(scopes.narrow)
        if scopes.org is None:
            parts.append(f"(SELECT seq, scope{_sure('item_postings', bbox)} FROM item_postings "
                         f"WHERE term = ANY(:{tag}_terms) AND scope = ANY({_numbers(f'{tag}_narrow')})"
                         f"{_in_bbox('item_postings', bbox)} ORDER BY seq DESC)")
        else:
            binds[f"{tag}_org"] = scopes.org
            parts.append(f"(SELECT p.seq, p.scope{_sure('p', bbox)} FROM item_postings p JOIN items i "
                         f"ON i.seq = p.seq WHERE p.term = ANY(:{tag}_terms) "
                         f"AND p.scope = ANY({_numbers(f'{tag}_narrow')}) AND i.org_id = :{tag}_org"
                         f"{_in_bbox('p', bbox)} ORDER BY p.seq DESC)")
    if not parts:
        none = ", false AS sure" if bbox is not None else ""
        return f"(SELECT NULL::bigint AS seq, NULL::bigint AS scope{none} WHERE false)"
    return " UNION ALL ".join(parts)


def _distinct(terms: Sequence[str], scopes: Scopes, binds: dict[str, Any], bbox: item_boxes.Bbox | None) -> str:
    """SQL: one (seq, scope) row per item of `terms` in `scopes` meeting `bbox`, newest first:
    the lists merged, duplicates dropped, and the items the boxes leave in doubt checked against
    their extents, once each."""
    merged = f"SELECT DISTINCT ON (seq) seq, scope{', sure' if bbox else ''} FROM ({_matches(terms, scopes, binds, 'm', bbox)}) u ORDER BY seq DESC"
    if bbox is None:
        return merged
    return f"SELECT seq, scope FROM ({merged}) k WHERE {_kept('k', bbox)} ORDER BY seq DESC"


def _merged(conn: Connection, sql: str, binds: dict[str, Any]) -> list[Any]:
    # The planner would otherwise gather every match in a hash table before the first row; this
    # plan streams them in order.  Set once per transaction (SET LOCAL ends with it): the lists
    # are read last, and the item rows read after them aggregate nothing.
    transaction = conn.get_transaction()
    if transaction is None or conn.info.get("postings_hashagg_off") is not transaction:
        conn.execute(text("SET LOCAL enable_hashagg = off"))  # (a search's first statement begins it)
        conn.info["postings_hashagg_off"] = conn.get_transaction()
    return list(conn.execute(text(sql), binds).all())


def count_capped(conn: Connection, terms: Sequence[str], scopes: Scopes, cap: int,
                 bbox: item_boxes.Bbox | None = None) -> int:
    """How many items hold one of `terms` in one of `scopes` (and meet `bbox`), counting at most `cap`."""
    binds: dict[str, Any] = {"cap": cap}
    sql = f"SELECT count(*) FROM ({_distinct(terms, scopes, binds, bbox)} LIMIT :cap) d"
    return int(_merged(conn, sql, binds)[0][0])


def page_seqs(conn: Connection, terms: Sequence[str], scopes: Scopes, offset: int, limit: int,
              without: Sequence[str] = (), bbox: item_boxes.Bbox | None = None) -> list[int]:
    """The seqs of the items holding one of `terms` in `scopes` (and none of `without` there, and
    meeting `bbox`), the most recently added first, from the `offset`-th on, at most `limit`."""
    binds: dict[str, Any] = {"offset": offset, "limit": limit}
    rows = _distinct(terms, scopes, binds, bbox)
    if without:
        binds["without"] = list(without)
        rows = (f"SELECT seq FROM ({rows}) d WHERE NOT EXISTS (SELECT 1 FROM item_postings p "
                "WHERE p.term = ANY(:without) AND p.scope = d.scope AND p.seq = d.seq) ORDER BY seq DESC")
    sql = f"SELECT seq FROM ({rows}) r ORDER BY seq DESC OFFSET :offset LIMIT :limit"
    return [int(r[0]) for r in _merged(conn, sql, binds)]
