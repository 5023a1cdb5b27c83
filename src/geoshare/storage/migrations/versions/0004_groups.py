"""Groups (issue 9): groups, their members and pending join requests.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "groups",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("org_id", sa.String(16), sa.ForeignKey("orgs.id"), nullable=False),
        sa.Column("owner_id", sa.String(32), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("title", sa.String(250), nullable=False),
        sa.Column("title_key", sa.String(250), nullable=False),
        sa.Column("description", sa.Text, nullable=True),
        sa.Column("snippet", sa.Text, nullable=True),
        sa.Column("phone", sa.Text, nullable=True),
        sa.Column("tags", sa.Text, nullable=False),
        sa.Column("type_keywords", sa.Text, nullable=False),
        sa.Column("access", sa.String(16), nullable=False),
        sa.Column("sort_field", sa.String(16), nullable=False),
        sa.Column("sort_order", sa.String(4), nullable=False),
        sa.Column("is_invitation_only", sa.Boolean, nullable=False),
        sa.Column("is_view_only", sa.Boolean, nullable=False),
        sa.Column("auto_join", sa.Boolean, nullable=False),
        sa.Column("protected", sa.Boolean, nullable=False),
        sa.Column("leaving_disallowed", sa.Boolean, nullable=False),
        sa.Column("hidden_members", sa.Boolean, nullable=False),
        sa.Column("shared_update", sa.Boolean, nullable=False),
        sa.Column("membership_access", sa.String(16), nullable=True),
        sa.Column("display_settings", sa.Text, nullable=False),
        sa.Column("thumbnail", sa.String(255), nullable=True),
        sa.Column("notifications_enabled", sa.Boolean, nullable=False),
        sa.Column("created", sa.BigInteger, nullable=False),
        sa.Column("modified", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("owner_id", "title_key", name="uq_groups_owner_title"),
    )
    op.create_index("ix_groups_org_access", "groups", ["org_id", "access"])
    op.create_index("ix_groups_title", "groups", ["title_key", "id"])
    op.create_index("ix_groups_created", "groups", ["created", "id"])
    op.create_index("ix_groups_modified", "groups", ["modified", "id"])
    op.create_table(
        "group_members",
        sa.Column("group_id", sa.String(32), sa.ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("user_id", sa.String(32), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("member_type", sa.String(8), nullable=False),
        sa.Column("joined", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_group_members_user", "group_members", ["user_id", "group_id"])
    op.create_table(
        "group_applications",
        sa.Column("group_id", sa.String(32), sa.ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("user_id", sa.String(32), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("received", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_group_applications_user", "group_applications", ["user_id"])
    op.create_index("ix_invitations_target", "invitations", ["target_type", "target_id"])


def downgrade():
    op.drop_index("ix_invitations_target", "invitations")
    for table in ("group_applications", "group_members", "groups"):
        op.drop_table(table)
