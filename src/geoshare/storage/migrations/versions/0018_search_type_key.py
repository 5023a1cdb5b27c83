"""Search (issue 11): an index for searches by item type (`type:"Web Map"`).

The exact type keyword (a quoted type, as the ArcGIS Maps SDK and the ArcGIS API for Python
send it: `type:"Web Map"`, `type:"Feature Service"`) compares `lower(type)`, which no index
held: at a million items the count of a common type read the items table until 25,001 visible
matches were found (SQLite 90 ms anonymous, 330 ms as a member of 50 groups; PostgreSQL 90 and
190 ms), and on SQLite any index that found them made the newest-first page sort them all.
`ix_items_type_key` holds `lower(type)`, then the seq (so a type's items lie newest last: the
page is read backwards from the end, without sorting), then the access columns (the count checks
who may see each match in the index alone).  A whole `type:"Web Map"` search at a million items
(178,000 web maps): SQLite 16 ms anonymous and 19 ms as a member, PostgreSQL 14 and 16 ms
(before: 134 and 187, 357 and 112).  PostgreSQL also keeps `type` itself in the index (INCLUDE):
it reads an expression index without the table only when the expression's column is there too.
Building it takes about two seconds at a million items on either database.

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

COLUMNS = ("seq", "access", "org_id", "owner_id", "id")


def upgrade():
    include = ["type"] if op.get_bind().dialect.name == "postgresql" else []
    op.create_index("ix_items_type_key", "items", [sa.text("lower(type)"), *COLUMNS], postgresql_include=include)


def downgrade():
    op.drop_index("ix_items_type_key", "items")
