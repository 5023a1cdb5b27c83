"""Sign-in locks by username in their own table; OAuth token families.

Revision ID: 0002
Revises: 0001

Locks move from `users.locked_until` to `lockouts`, keyed by the lower-cased username, so that
a name with no account can be locked exactly as an account is (an answer must not tell which
names exist).  Current locks are copied over before the column goes.

The column is dropped with a plain ALTER TABLE ... DROP COLUMN (SQLite 3.35 and later have it),
not with Alembic's batch mode: batch mode copies `users` to a new table and drops the old one,
and with foreign keys on, SQLite's DROP TABLE deletes every token and authorization code
through their ON DELETE CASCADE.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "lockouts",
        sa.Column("username_key", sa.String(128), primary_key=True),
        sa.Column("locked_until", sa.BigInteger, nullable=False),
    )
    op.execute("INSERT INTO lockouts (username_key, locked_until) "
               "SELECT username_key, locked_until FROM users WHERE locked_until > 0")
    op.drop_column("users", "locked_until")
    op.add_column("tokens", sa.Column("family", sa.String(64), nullable=True))
    op.create_index("ix_tokens_family", "tokens", ["family"])


def downgrade():
    op.drop_index("ix_tokens_family", "tokens")
    op.drop_column("tokens", "family")
    op.add_column("users", sa.Column("locked_until", sa.BigInteger, nullable=False, server_default="0"))
    op.execute("UPDATE users SET locked_until = COALESCE((SELECT l.locked_until FROM lockouts l "
               "WHERE l.username_key = users.username_key), 0)")
    op.drop_table("lockouts")
