"""Search (issue 11): an index that answers "is this item visible, and what is its seq" from the
item id alone, without reading the item's row.

A search by group (`group:<id>`, a group's content search, searchUserAccess) looks each of the
group's items up by id to check who may see it and to order it: on SQLite each lookup read the
item's row (about 1 KB) through the primary key's index; with (id, access, org_id, owner_id, seq)
the index alone answers (1M items, a group of 346 items: 1.3 to 0.7 ms).  PostgreSQL gets the
same index (an index-only scan where the visibility map allows).

Revision ID: 0015
Revises: 0014
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_items_id_access", "items", ["id", "access", "org_id", "owner_id", "seq"])


def downgrade():
    op.drop_index("ix_items_id_access", "items")
