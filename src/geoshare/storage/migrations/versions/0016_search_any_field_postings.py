"""Search (issue 11), PostgreSQL: one posting list per word for "anywhere in the default fields".

A word without a field (`trails`) is found in the title (weight A), the tags (B) or the other
default fields (C), so its count and its pages merged three lists per audience (scope) and
dropped the items found in two or three of them.  At a million items a member's `trails` with a
bbox read about 63,000 posting rows, from seven lists, to count 25,000 items.  Now
`geoshare_item_terms(tsvector)` also yields `lexeme:*` for every lexeme an item holds with weight
A, B or C: one list per audience, one row per item.  The title lists stay for relevance (the
title tier) and for `title:` and `tags:` searches; two-word phrases keep their `A`/`B`/`C` pair
terms.  The lists grow by one row per distinct word of an item's default fields; they are
refilled here (`geoshare_fill_item_postings()`, 0012).

SQLite: nothing changes.

Revision ID: 0016
Revises: 0015
"""

import importlib

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None



def _previous_terms() -> str:
    return str(importlib.import_module("geoshare.storage.migrations.versions.0010_search_phrase_postings").TERMS)


_PAIRS = "    UNION ALL\n    SELECT a.lexeme || ' ' || b.lexeme"
# 0010's function with the any-field terms added before its pairs
TERMS = _previous_terms().replace(_PAIRS, "    UNION ALL\n    SELECT lexeme || ':*' FROM o WHERE w <> 'D'\n" + _PAIRS)  # noqa: S608
assert TERMS.count(":*") == 1, "0010's geoshare_item_terms no longer reads as expected"


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        return
    op.execute(TERMS)
    op.execute("SELECT geoshare_fill_item_postings()")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        return
    op.execute(_previous_terms())
    op.execute("SELECT geoshare_fill_item_postings()")
