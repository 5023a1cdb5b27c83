"""Search (issue 11): PostgreSQL posting lists for two-word phrases.

A quoted phrase (`"land use"`) takes the general path through `items.search_text`: the GIN index
finds the rows holding both words, and each one is then re-read to check that the words are
adjacent.  Here every item's posting lists (0008) also get one term per pair of adjacent words,
so a phrase of two words is read like one word (storage/item_postings.py, domain/item_search.py).

* `geoshare_item_terms(tsvector)` yields, besides `lexeme:weight`, `'<lexA> <lexB>:<W>'` for every
  two positions p, p + 1 of the vector: W is `A` when both words carry weight A, `B` when both
  carry B, else `C`; a pair with a word of weight D is not posted (no field that the lists answer
  for reads D).  The phrase tsqueries of the general path are `'a':ABC <-> 'b':ABC` (the default
  fields), `:A` (title) and `:B` (tags), which match exactly the items with a pair term `A`, `B` or
  `C`, only `A`, only `B`.  The pairs come from the vector's own positions, so they match what the
  tsquery matches wherever its words sit: 0006 leaves a gap between two fields, so a pair never
  spans two fields, except where PostgreSQL clamps positions at 16383 in a very long text.
* A lexeme holds letters and digits only, so a pair term is the only kind with a space;
  the prefix search skips them.
* The trigger of 0008 calls this function for the old and the new row and rewrites only the rows
  that differ, so it posts and removes pairs unchanged; the lists are refilled here by 0008's
  `geoshare_fill_item_postings()`, which calls it too.  They hold about twice as many rows.

SQLite needs none of this (FTS5 keeps positions): nothing changes there.

Revision ID: 0010
Revises: 0009
"""

import importlib

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TERMS = r"""
CREATE OR REPLACE FUNCTION geoshare_item_terms(v tsvector) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
  WITH o AS (SELECT u.lexeme, x.p, x.w FROM unnest(v) u, unnest(u.positions, u.weights) AS x(p, w)
             WHERE u.positions IS NOT NULL)
  SELECT coalesce(array_agg(DISTINCT t ORDER BY t), '{}') FROM (
    SELECT lexeme || ':' || w AS t FROM o
    UNION ALL
    SELECT a.lexeme || ' ' || b.lexeme || ':' || CASE WHEN a.w = 'A' AND b.w = 'A' THEN 'A'
                                                     WHEN a.w = 'B' AND b.w = 'B' THEN 'B' ELSE 'C' END
    FROM o a JOIN o b ON b.p = a.p + 1 WHERE a.w <> 'D' AND b.w <> 'D') terms $$;
"""


def _previous() -> str:
    return str(importlib.import_module("geoshare.storage.migrations.versions.0008_search_postings").TERMS)


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        return
    op.execute(TERMS)
    op.execute("SELECT geoshare_fill_item_postings()")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        return
    op.execute(_previous())
    op.execute("SELECT geoshare_fill_item_postings()")
