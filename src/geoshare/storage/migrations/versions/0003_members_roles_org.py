"""Members, roles and the organization (issue 8).

Revision ID: 0003
Revises: 0002

New user columns (security question, preferences, properties, password age), organization
switches the access predicates read in SQL (can_share_public, can_search_public), custom roles,
password history, notifications, invitations and organization resources.  Columns are added
with server defaults so existing rows get valid values; no table is rebuilt (see 0002 on why
batch mode would cascade-delete tokens on SQLite).
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("orgs", sa.Column("can_share_public", sa.Boolean, nullable=False, server_default=sa.true()))
    op.add_column("orgs", sa.Column("can_search_public", sa.Boolean, nullable=False, server_default=sa.true()))
    op.add_column("orgs", sa.Column("url_hostname", sa.String(255), nullable=True))
    op.create_index("ix_orgs_url_hostname", "orgs", ["url_hostname"], unique=True)
    op.add_column("orgs", sa.Column("thumbnail", sa.String(255), nullable=True))
    for column in (sa.Column("culture_format", sa.String(16), nullable=True),
                   sa.Column("preferred_view", sa.String(16), nullable=True),
                   sa.Column("security_question_idx", sa.Integer, nullable=True),
                   sa.Column("security_answer_hash", sa.String(255), nullable=True),
                   sa.Column("idp_username", sa.String(255), nullable=True),
                   sa.Column("properties", sa.Text, nullable=False, server_default="{}"),
                   sa.Column("categories", sa.Text, nullable=False, server_default="[]"),
                   sa.Column("password_changed", sa.BigInteger, nullable=False, server_default="0")):
        op.add_column("users", column)
    op.create_index("ix_users_org_username", "users", ["org_id", "username_key"])
    op.create_index("ix_users_org_created", "users", ["org_id", "created", "username_key"])
    op.create_index("ix_users_org_fullname", "users", ["org_id", sa.text("lower(full_name)"), "username_key"])
    op.create_index("ix_users_org_visibility", "users", ["org_id", "disabled", "access", "id"])
    op.create_table(
        "roles",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("org_id", sa.String(16), sa.ForeignKey("orgs.id"), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("name_key", sa.String(128), nullable=False),
        sa.Column("description", sa.Text, nullable=True),
        sa.Column("privileges", sa.Text, nullable=False),
        sa.Column("created", sa.BigInteger, nullable=False),
        sa.Column("modified", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("org_id", "name_key", name="uq_roles_org_name"),
    )
    op.create_table(
        "password_history",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.String(32), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("changed", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_password_history_user", "password_history", ["user_id", "changed"])
    op.create_table(
        "notifications",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.String(32), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("target", sa.String(255), nullable=True),
        sa.Column("target_type", sa.String(32), nullable=False),
        sa.Column("received", sa.BigInteger, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
    )
    op.create_index("ix_notifications_user", "notifications", ["user_id", "received"])
    op.create_table(
        "invitations",
        sa.Column("id", sa.String(33), primary_key=True),
        sa.Column("user_id", sa.String(32), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("target_type", sa.String(16), nullable=False),
        sa.Column("target_id", sa.String(32), nullable=False),
        sa.Column("from_user_id", sa.String(32), nullable=True),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("must_approve", sa.Boolean, nullable=False),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("created", sa.BigInteger, nullable=False),
        sa.Column("expiration", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_invitations_user", "invitations", ["user_id"])
    op.create_table(
        "org_resources",
        sa.Column("org_id", sa.String(16), sa.ForeignKey("orgs.id"), primary_key=True),
        sa.Column("key", sa.String(512), primary_key=True),
        sa.Column("access", sa.String(16), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("blob", sa.String(255), nullable=False),
        sa.Column("created", sa.BigInteger, nullable=False),
    )


def downgrade():
    for table in ("org_resources", "invitations", "notifications", "password_history", "roles"):
        op.drop_table(table)
    for index in ("ix_users_org_visibility", "ix_users_org_fullname", "ix_users_org_created", "ix_users_org_username"):
        op.drop_index(index, "users")
    for column in ("password_changed", "categories", "properties", "idp_username", "security_answer_hash",
                   "security_question_idx", "preferred_view", "culture_format"):
        op.drop_column("users", column)
    op.drop_index("ix_orgs_url_hostname", "orgs")
    for column in ("thumbnail", "url_hostname", "can_search_public", "can_share_public"):
        op.drop_column("orgs", column)
