"""Foundation: organizations, users, tokens, sign-in records, OAuth sessions and codes.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "orgs",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("name", sa.String(250), nullable=False),
        sa.Column("is_default", sa.Boolean, nullable=False),
        sa.Column("access", sa.String(16), nullable=False),
        sa.Column("url_key", sa.String(64), nullable=True, unique=True),
        sa.Column("description", sa.Text, nullable=True),
        sa.Column("settings", sa.Text, nullable=False),
        sa.Column("created", sa.BigInteger, nullable=False),
        sa.Column("modified", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("org_id", sa.String(16), sa.ForeignKey("orgs.id"), nullable=False),
        sa.Column("username", sa.String(128), nullable=False),
        sa.Column("username_key", sa.String(128), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=True),
        sa.Column("full_name", sa.String(255), nullable=True),
        sa.Column("first_name", sa.String(128), nullable=True),
        sa.Column("last_name", sa.String(128), nullable=True),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("description", sa.Text, nullable=True),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("role_id", sa.String(16), nullable=True),
        sa.Column("user_license_type_id", sa.String(64), nullable=False),
        sa.Column("access", sa.String(16), nullable=False),
        sa.Column("culture", sa.String(16), nullable=True),
        sa.Column("region", sa.String(16), nullable=True),
        sa.Column("units", sa.String(16), nullable=True),
        sa.Column("thumbnail", sa.String(255), nullable=True),
        sa.Column("tags", sa.Text, nullable=False),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("locked_until", sa.BigInteger, nullable=False),
        sa.Column("last_login", sa.BigInteger, nullable=False),
        sa.Column("created", sa.BigInteger, nullable=False),
        sa.Column("modified", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_users_org", "users", ["org_id"])
    op.create_table(
        "tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("user_id", sa.String(32), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("client_id", sa.String(64), nullable=True),
        sa.Column("bind_type", sa.String(16), nullable=True),
        sa.Column("bind_value", sa.String(1024), nullable=True),
        sa.Column("created", sa.BigInteger, nullable=False),
        sa.Column("expires", sa.BigInteger, nullable=False),
        sa.Column("revoked", sa.Boolean, nullable=False),
    )
    op.create_index("ix_tokens_user", "tokens", ["user_id"])
    op.create_index("ix_tokens_expires", "tokens", ["expires"])
    op.create_table(
        "sign_ins",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username_key", sa.String(128), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=True),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("success", sa.Boolean, nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("client_ip", sa.String(64), nullable=True),
        sa.Column("reason", sa.String(128), nullable=True),
    )
    op.create_index("ix_sign_ins_user_at", "sign_ins", ["username_key", "at"])
    op.create_table(
        "oauth_sessions",
        sa.Column("state_hash", sa.String(64), primary_key=True),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("response_type", sa.String(16), nullable=False),
        sa.Column("redirect_uri", sa.String(2048), nullable=False),
        sa.Column("state", sa.String(1024), nullable=True),
        sa.Column("expiration", sa.Integer, nullable=True),
        sa.Column("code_challenge", sa.String(256), nullable=True),
        sa.Column("code_challenge_method", sa.String(16), nullable=True),
        sa.Column("created", sa.BigInteger, nullable=False),
        sa.Column("expires", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "oauth_codes",
        sa.Column("code_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(32), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("redirect_uri", sa.String(2048), nullable=False),
        sa.Column("refresh_minutes", sa.Integer, nullable=False),
        sa.Column("code_challenge", sa.String(256), nullable=True),
        sa.Column("code_challenge_method", sa.String(16), nullable=True),
        sa.Column("created", sa.BigInteger, nullable=False),
        sa.Column("expires", sa.BigInteger, nullable=False),
        sa.Column("used", sa.Boolean, nullable=False),
    )


def downgrade():
    for name in ("oauth_codes", "oauth_sessions", "sign_ins", "tokens", "users", "orgs"):
        op.drop_table(name)
