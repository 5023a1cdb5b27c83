"""The ten queries: each as the HTTP parameters of GET /sharing/rest/search and as SQL written by
hand (an exact COUNT(*) and the page, with the access rule spelled out as raw SQL text).

The hand-written SQL is the naive floor the issue asks geoshare to beat: the same question asked
of the same database by someone who knows its schema, without any cleverness about totals.  Text
matching uses the same full-text index (SQLite FTS5 `item_text`, PostgreSQL `items.search_text`)
that migration 0006 creates; results are ordered as geoshare documents them (docs/search/items.md):
without a sortField, by relevance (the items whose title holds the free-text term, a phrase as a
phrase, first, then the most recently added), else by the sort field, then by id.
"""

# ruff: noqa: S608 - SQL assembled from the constants of this file, never from input

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import corpus as gen

YEAR_2014_JAN = (1_388_534_400_000, 1_391_212_799_999)
EUROPE = (-10.0, 35.0, 30.0, 60.0)


@dataclass(frozen=True)
class Query:
    name: str
    params: dict[str, Any]
    fts_sqlite: str | None = None  # FTS5 MATCH expression
    fts_pg: str | None = None  # tsquery expression (SQL text, the query bound as :q)
    pg_q: str | None = None
    where: str = ""  # extra conditions on `items` (SQL text)
    order: str = "items.seq DESC"  # without a sortField or free-text words: the newest added first
    relevance: str | None = None  # the free-text term whose presence in the title ranks first
    offset: int = 0
    limit: int = 10
    facets: tuple[str, ...] = ()
    binds: dict[str, Any] = field(default_factory=dict)


def ten(c: gen.Corpus) -> list[Query]:
    group = gen.group_id(c.busy_group)
    lo, hi = YEAR_2014_JAN
    xmin, ymin, xmax, ymax = EUROPE
    return [
        Query("free text", {"q": "mangroves"}, "mangroves", "to_tsquery('geoshare_text', :q)", "mangroves",
              relevance="mangroves"),
        Query("field", {"q": "tags:wetlands"}, "tags:wetlands", "to_tsquery('geoshare_text', :q)", "wetlands:B"),
        Query("phrase", {"q": '"land use"'}, '"land use"', "phraseto_tsquery('geoshare_text', :q)", "land use",
              relevance="land use"),
        Query("wildcard", {"q": "title:hydro*"}, "title:hydro*", "to_tsquery('geoshare_text', :q)", "hydro:*A"),
        Query("range", {"q": f"created:[{lo:019d} TO {hi:019d}]"},
              where="items.created BETWEEN :lo AND :hi", binds={"lo": lo, "hi": hi}),
        Query("group", {"q": f"group:{group}"},
              where="items.id IN (SELECT item_id FROM item_groups WHERE group_id = :g)", binds={"g": group}),
        Query("bbox", {"q": "trails", "bbox": f"{xmin:g},{ymin:g},{xmax:g},{ymax:g}"}, "trails",
              "to_tsquery('geoshare_text', :q)", "trails", relevance="trails",
              where="items.extent_xmin <= :xmax AND items.extent_xmax >= :xmin AND items.extent_ymin <= :ymax "
                    "AND items.extent_ymax >= :ymin",
              binds={"xmin": xmin, "ymin": ymin, "xmax": xmax, "ymax": ymax}),
        Query("sorted", {"q": "flood", "sortField": "modified", "sortOrder": "desc"}, "flood",
              "to_tsquery('geoshare_text', :q)", "flood", order="items.modified DESC, items.id"),
        Query("deep page", {"q": "water", "sortField": "title", "start": 9901, "num": 100}, "water",
              "to_tsquery('geoshare_text', :q)", "water", order="items.title_key, items.id", offset=9900, limit=100),
        Query("facets", {"q": "wetlands", "countFields": "type,access,tags", "countSize": 10}, "wetlands",
              "to_tsquery('geoshare_text', :q)", "wetlands", relevance="wetlands", facets=("type", "access", "tags")),
    ]


# ------------------------------------------------------------------------------------ access rules

def access_sql(who: str) -> str:
    """The item access rule of sharing-api.md §8.2 for each caller, written out by hand."""
    shared = ("items.id IN (SELECT ig.item_id FROM item_groups ig JOIN group_members gm "
              "ON gm.group_id = ig.group_id WHERE gm.user_id = :me)")
    if who == "anonymous":
        return "items.access = 'public' AND items.org_id IN (SELECT id FROM orgs WHERE access = 'public')"
    if who == "admin":
        return f"(items.access = 'public' OR items.owner_id = :me OR items.org_id = :org OR {shared})"
    return (f"(items.access = 'public' OR items.owner_id = :me OR (items.org_id = :org AND items.access = 'org') "
            f"OR {shared})")


def statements(q: Query, who: str, dialect: str) -> list[tuple[str, dict[str, Any]]]:
    """COUNT(*), the page, and (for facets) one GROUP BY per field: raw SQL and its parameters."""
    conds = [access_sql(who)]
    binds = dict(q.binds)
    source = "items"
    rank = ""
    if q.fts_sqlite and dialect == "sqlite":
        # migrations 0009/0013: an entry's rowid is class << 61 | (134217727 - seq) << 34 | the extent's box
        source = "item_text JOIN items ON items.seq = 134217727 - ((item_text.rowid >> 34) & 134217727)"
        conds.insert(0, "item_text MATCH :match")
        binds["match"] = q.fts_sqlite
        if q.relevance:
            binds["title"] = f'{{title}} : "{q.relevance}"'  # the term (a phrase as a phrase) in the title
        rank = ("CASE WHEN items.seq IN (SELECT 134217727 - ((rowid >> 34) & 134217727) FROM item_text WHERE item_text MATCH :title) "
                "THEN 0 ELSE 1 END, "
                "items.seq DESC")
    elif q.fts_pg and dialect == "postgresql":
        conds.insert(0, f"items.search_text @@ {q.fts_pg}")
        binds["q"] = q.pg_q
        if q.relevance:
            binds["title"] = " <-> ".join(f"'{w}':A" for w in q.relevance.split())
        rank = ("CASE WHEN items.search_text @@ to_tsquery('geoshare_text', :title) THEN 0 ELSE 1 END, "
                "items.seq DESC")
    if q.where:
        conds.append(q.where)
    where = " AND ".join(f"({c})" for c in conds)
    order = rank if q.relevance and rank else q.order
    out = [(f"SELECT count(*) FROM {source} WHERE {where}", binds),
           (f"SELECT items.id, items.title, items.type, items.owner_id, items.modified FROM {source} WHERE {where} "
            f"ORDER BY {order} LIMIT {q.limit} OFFSET {q.offset}", binds)]
    for name in q.facets:
        if name == "tags":
            each = "json_each(items.tags) AS t" if dialect == "sqlite" else "jsonb_array_elements_text(items.tags::jsonb) AS t(value)"
            value = "lower(t.value)"
            out.append((f"SELECT {value} AS v, count(*) AS n FROM {source}, {each} WHERE {where} "
                        "GROUP BY v ORDER BY n DESC, v LIMIT 10", binds))
        else:
            out.append((f"SELECT lower(items.{name}) AS v, count(*) AS n FROM {source} WHERE {where} "
                        "GROUP BY v ORDER BY n DESC, v LIMIT 10", binds))
    return out
