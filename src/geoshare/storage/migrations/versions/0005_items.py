"""Items (issue 10): folders, items, their group shares, upload parts, files (resources and info
files), relationships, comments and ratings.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "folders",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("owner_id", sa.String(32), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("title_key", sa.String(255), nullable=False),
        sa.Column("created", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("owner_id", "title_key", name="uq_folders_owner_title"),
    )
    op.create_table(
        "items",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("org_id", sa.String(16), sa.ForeignKey("orgs.id"), nullable=False),
        sa.Column("owner_id", sa.String(32), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("folder_id", sa.String(32), sa.ForeignKey("folders.id"), nullable=True),
        sa.Column("title", sa.String(1024), nullable=False),
        sa.Column("title_key", sa.String(1024), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("type_keywords", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=True),
        sa.Column("snippet", sa.Text, nullable=True),
        sa.Column("tags", sa.Text, nullable=False),
        sa.Column("categories", sa.Text, nullable=False),
        sa.Column("thumbnail", sa.String(255), nullable=True),
        sa.Column("documentation", sa.Text, nullable=True),
        sa.Column("extent_xmin", sa.Float, nullable=True),
        sa.Column("extent_ymin", sa.Float, nullable=True),
        sa.Column("extent_xmax", sa.Float, nullable=True),
        sa.Column("extent_ymax", sa.Float, nullable=True),
        sa.Column("spatial_reference", sa.String(255), nullable=True),
        sa.Column("access_information", sa.Text, nullable=True),
        sa.Column("license_info", sa.Text, nullable=True),
        sa.Column("culture", sa.String(32), nullable=True),
        sa.Column("properties", sa.Text, nullable=True),
        sa.Column("advanced_settings", sa.Text, nullable=True),
        sa.Column("url", sa.Text, nullable=True),
        sa.Column("proxy_filter", sa.Text, nullable=True),
        sa.Column("name", sa.String(255), nullable=True),
        sa.Column("data_kind", sa.String(8), nullable=False),
        sa.Column("data_blob", sa.String(255), nullable=True),
        sa.Column("data_type", sa.String(255), nullable=True),
        sa.Column("metadata_blob", sa.String(255), nullable=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("shared_public", sa.Boolean, nullable=False),
        sa.Column("shared_org", sa.Boolean, nullable=False),
        sa.Column("access", sa.String(8), nullable=False),
        sa.Column("protected", sa.Boolean, nullable=False),
        sa.Column("comments_enabled", sa.Boolean, nullable=False),
        sa.Column("num_comments", sa.Integer, nullable=False),
        sa.Column("num_ratings", sa.Integer, nullable=False),
        sa.Column("avg_rating", sa.Float, nullable=False),
        sa.Column("num_views", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("listed", sa.Boolean, nullable=False),
        sa.Column("content_status", sa.String(32), nullable=True),
        sa.Column("service_username", sa.String(255), nullable=True),
        sa.Column("service_password", sa.Text, nullable=True),
        sa.Column("service_credentials_type", sa.String(32), nullable=True),
        sa.Column("service_proxy_params", sa.Text, nullable=True),
        sa.Column("created", sa.BigInteger, nullable=False),
        sa.Column("modified", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_items_created", "items", ["created", "id"])
    op.create_index("ix_items_modified", "items", ["modified", "id"])
    op.create_index("ix_items_org_access", "items", ["org_id", "access"])
    op.create_index("ix_items_owner_folder", "items", ["owner_id", "folder_id", "title_key"])
    op.create_index("ix_items_title", "items", ["title_key", "id"])
    op.create_index("ix_items_type", "items", ["type"])
    op.create_table(
        "item_groups",
        sa.Column("item_id", sa.String(32), sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("group_id", sa.String(32), sa.ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("item_control", sa.Boolean, nullable=False),
        sa.Column("shared", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_item_groups_group", "item_groups", ["group_id", "item_id"])
    op.create_table(
        "item_parts",
        sa.Column("item_id", sa.String(32), sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("part_num", sa.Integer, primary_key=True),
        sa.Column("blob", sa.String(255), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("received", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "item_files",
        sa.Column("item_id", sa.String(32), sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("kind", sa.String(8), primary_key=True),
        sa.Column("path", sa.String(512), primary_key=True),
        sa.Column("access", sa.String(16), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("blob", sa.String(255), nullable=False),
        sa.Column("created", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "item_relationships",
        sa.Column("origin_id", sa.String(32), sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("destination_id", sa.String(32), sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("type", sa.String(64), primary_key=True),
        sa.Column("created", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_item_relationships_destination", "item_relationships", ["destination_id", "type"])
    op.create_table(
        "item_comments",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("item_id", sa.String(32), sa.ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
        sa.Column("owner_id", sa.String(32), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("created", sa.BigInteger, nullable=False),
        sa.Column("modified", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_item_comments_item", "item_comments", ["item_id", "created"])
    op.create_table(
        "item_ratings",
        sa.Column("item_id", sa.String(32), sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("user_id", sa.String(32), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("rating", sa.Float, nullable=False),
        sa.Column("created", sa.BigInteger, nullable=False),
    )


def downgrade():
    for table in ("item_ratings", "item_comments", "item_relationships", "item_files", "item_parts", "item_groups",
                  "items", "folders"):
        op.drop_table(table)
