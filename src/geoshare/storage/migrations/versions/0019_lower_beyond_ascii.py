"""Searches (issue 11): lower-casing letters outside ASCII in LIKE and equality filters.

PostgreSQL: `geoshare_lower(text)`, `lower()` under the ICU root collation (`und-x-icu`) when
the server has ICU, else the database's own `lower()`.  storage/text_case.py asks it when a
query text has a letter outside ASCII (the group and user searches, an item search's exact
filters).  SQLite: nothing to create; each connection gets a Python function of the same name.

Revision ID: 0019
Revises: 0018
"""

import importlib

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

V17 = importlib.import_module("geoshare.storage.migrations.versions.0017_search_words_beyond_ascii")


def function_sql(icu: bool) -> str:
    collate = f' COLLATE "{V17.ICU}"' if icu else ""
    return ("CREATE OR REPLACE FUNCTION geoshare_lower(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE "
            f"RETURN lower(t{collate})")


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        return
    op.execute(function_sql(V17.has_icu(bind)))


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        return
    op.execute("DROP FUNCTION geoshare_lower(text)")
