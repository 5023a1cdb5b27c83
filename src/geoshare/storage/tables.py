"""Table definitions (SQLAlchemy Core), valid on SQLite and PostgreSQL alike.

Times are integers in epoch milliseconds, as the ArcGIS API reports them.  JSON documents are
stored as text so both databases treat them the same way.  The Alembic migrations under
`migrations/versions/` create exactly these tables; a test compares the two.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)

metadata = MetaData()

orgs = Table(
    "orgs",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("name", String(250), nullable=False),
    Column("is_default", Boolean, nullable=False, default=False),
    Column("access", String(16), nullable=False, default="public"),
    Column("url_key", String(64), nullable=True, unique=True),
    Column("description", Text, nullable=True),
    Column("settings", Text, nullable=False, default="{}"),  # JSON: portal properties stored verbatim
    # Columns (not settings) because access predicates in SQL read them.
    Column("can_share_public", Boolean, nullable=False, default=True),
    Column("can_search_public", Boolean, nullable=False, default=True),
    Column("url_hostname", String(255), nullable=True),
    Column("thumbnail", String(255), nullable=True),
    Column("created", BigInteger, nullable=False),
    Column("modified", BigInteger, nullable=False),
)

Index("ix_orgs_url_hostname", orgs.c.url_hostname, unique=True)

users = Table(
    "users",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("org_id", String(16), ForeignKey("orgs.id"), nullable=False),
    Column("username", String(128), nullable=False),
    Column("username_key", String(128), nullable=False, unique=True),  # lower-cased username
    Column("password_hash", String(255), nullable=True),
    Column("full_name", String(255), nullable=True),
    Column("first_name", String(128), nullable=True),
    Column("last_name", String(128), nullable=True),
    Column("email", String(320), nullable=True),
    Column("description", Text, nullable=True),
    Column("role", String(32), nullable=False, default="org_user"),
    Column("role_id", String(16), nullable=True),
    Column("user_license_type_id", String(64), nullable=False, default="creatorUT"),
    Column("access", String(16), nullable=False, default="org"),
    Column("culture", String(16), nullable=True),
    Column("region", String(16), nullable=True),
    Column("units", String(16), nullable=True),
    Column("thumbnail", String(255), nullable=True),
    Column("tags", Text, nullable=False, default="[]"),
    Column("provider", String(32), nullable=False, default="arcgis"),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("last_login", BigInteger, nullable=False, default=-1),
    Column("created", BigInteger, nullable=False),
    Column("modified", BigInteger, nullable=False),
    Column("culture_format", String(16), nullable=True),
    Column("preferred_view", String(16), nullable=True),
    Column("security_question_idx", Integer, nullable=True),
    Column("security_answer_hash", String(255), nullable=True),  # argon2, like passwords; never returned
    Column("idp_username", String(255), nullable=True),
    Column("properties", Text, nullable=False, default="{}"),  # JSON: community/users/{u}/properties
    Column("categories", Text, nullable=False, default="[]"),  # JSON: member categories
    Column("password_changed", BigInteger, nullable=False, default=0),  # for the policy's expirationInDays
)
Index("ix_users_org", users.c.org_id)
# Member listings page through one organization in username / created / full-name order.
Index("ix_users_org_username", users.c.org_id, users.c.username_key)
Index("ix_users_org_created", users.c.org_id, users.c.created, users.c.username_key)
# Full names sort without regard to case (storage/user_queries.py), the same on both databases.
Index("ix_users_org_fullname", users.c.org_id, func.lower(users.c.full_name), users.c.username_key)
# Counting what a member may see of their organization (access.user_visible) from the index alone.
Index("ix_users_org_visibility", users.c.org_id, users.c.disabled, users.c.access, users.c.id)

# Custom roles of an organization; the built-in roles are not rows (domain/privileges.py).
roles = Table(
    "roles",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("org_id", String(16), ForeignKey("orgs.id"), nullable=False),
    Column("name", String(128), nullable=False),
    Column("name_key", String(128), nullable=False),  # lower-cased name: unique per organization
    Column("description", Text, nullable=True),
    Column("privileges", Text, nullable=False, default="[]"),  # JSON array of privilege strings
    Column("created", BigInteger, nullable=False),
    Column("modified", BigInteger, nullable=False),
    UniqueConstraint("org_id", "name_key", name="uq_roles_org_name"),
)

# Earlier password hashes, for the security policy's historySize.
password_history = Table(
    "password_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", String(32), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("changed", BigInteger, nullable=False),
)
Index("ix_password_history_user", password_history.c.user_id, password_history.c.changed)

notifications = Table(
    "notifications",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("user_id", String(32), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("type", String(64), nullable=False),
    Column("target", String(255), nullable=True),
    Column("target_type", String(32), nullable=False, default="user"),
    Column("received", BigInteger, nullable=False),
    Column("data", Text, nullable=False, default="{}"),  # JSON
)
Index("ix_notifications_user", notifications.c.user_id, notifications.c.received)

# Invitations addressed to a user (group invitations; sharing-api.md §4.10).
invitations = Table(
    "invitations",
    metadata,
    Column("id", String(33), primary_key=True),  # "G" + 32 hex
    Column("user_id", String(32), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("target_type", String(16), nullable=False, default="group"),
    Column("target_id", String(32), nullable=False),
    Column("from_user_id", String(32), nullable=True),
    Column("role", String(32), nullable=False, default="group_member"),
    Column("must_approve", Boolean, nullable=False, default=False),
    Column("email", String(320), nullable=True),
    Column("created", BigInteger, nullable=False),
    Column("expiration", BigInteger, nullable=False),
)
Index("ix_invitations_user", invitations.c.user_id)

# Groups (sharing-api.md §5.1).  The title is unique per owner without regard to letter case.
groups = Table(
    "groups",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("org_id", String(16), ForeignKey("orgs.id"), nullable=False),
    Column("owner_id", String(32), ForeignKey("users.id"), nullable=False),
    Column("title", String(250), nullable=False),
    Column("title_key", String(250), nullable=False),  # lower-cased title
    Column("description", Text, nullable=True),
    Column("snippet", Text, nullable=True),
    Column("phone", Text, nullable=True),
    Column("tags", Text, nullable=False, default="[]"),  # JSON array
    Column("type_keywords", Text, nullable=False, default="[]"),  # JSON array
    Column("access", String(16), nullable=False, default="private"),
    Column("sort_field", String(16), nullable=False, default="title"),
    Column("sort_order", String(4), nullable=False, default="asc"),
    Column("is_invitation_only", Boolean, nullable=False, default=False),
    Column("is_view_only", Boolean, nullable=False, default=False),
    Column("auto_join", Boolean, nullable=False, default=False),
    Column("protected", Boolean, nullable=False, default=False),
    Column("leaving_disallowed", Boolean, nullable=False, default=False),
    Column("hidden_members", Boolean, nullable=False, default=False),
    # A shared-update group ("updateitemcontrol"): a column because the item access predicate reads it.
    Column("shared_update", Boolean, nullable=False, default=False),
    Column("membership_access", String(16), nullable=True),
    Column("display_settings", Text, nullable=False, default="{}"),  # JSON object
    Column("thumbnail", String(255), nullable=True),  # file name; bytes in the blob store
    Column("notifications_enabled", Boolean, nullable=False, default=False),
    Column("created", BigInteger, nullable=False),
    Column("modified", BigInteger, nullable=False),
    UniqueConstraint("owner_id", "title_key", name="uq_groups_owner_title"),
)
Index("ix_groups_org_access", groups.c.org_id, groups.c.access)
Index("ix_groups_title", groups.c.title_key, groups.c.id)
Index("ix_groups_created", groups.c.created, groups.c.id)
Index("ix_groups_modified", groups.c.modified, groups.c.id)

# Members of a group, the owner included (member_type owner | admin | member).
group_members = Table(
    "group_members",
    metadata,
    Column("group_id", String(32), ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", String(32), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("member_type", String(8), nullable=False),
    Column("joined", BigInteger, nullable=False),
)
Index("ix_group_members_user", group_members.c.user_id, group_members.c.group_id)

# Pending requests to join a group that is neither invitation-only nor auto-join.
group_applications = Table(
    "group_applications",
    metadata,
    Column("group_id", String(32), ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", String(32), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("received", BigInteger, nullable=False),
)
Index("ix_group_applications_user", group_applications.c.user_id)
Index("ix_invitations_target", invitations.c.target_type, invitations.c.target_id)

# Folders of a user's content (sharing-api.md §6.3): titles unique per owner ignoring case.
folders = Table(
    "folders",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("owner_id", String(32), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("title", String(255), nullable=False),
    Column("title_key", String(255), nullable=False),  # lower-cased title
    Column("created", BigInteger, nullable=False),
    UniqueConstraint("owner_id", "title_key", name="uq_folders_owner_title"),
)

# Items (sharing-api.md §6.1).  `access` is derived from the sharing flags and group shares
# (§8.2) and stored, so the access predicate and search read one column.  The data lives in the
# blob store (`data_blob`); text data too, so every kind of data streams the same way.
items = Table(
    "items",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("org_id", String(16), ForeignKey("orgs.id"), nullable=False),
    Column("owner_id", String(32), ForeignKey("users.id"), nullable=False),
    Column("folder_id", String(32), ForeignKey("folders.id"), nullable=True),  # None: the root folder
    Column("title", String(1024), nullable=False),
    Column("title_key", String(1024), nullable=False),  # lower-cased title, for sorting
    Column("type", String(64), nullable=False),
    Column("type_keywords", Text, nullable=False, default="[]"),  # JSON array
    Column("description", Text, nullable=True),
    Column("snippet", Text, nullable=True),
    Column("tags", Text, nullable=False, default="[]"),  # JSON array
    Column("categories", Text, nullable=False, default="[]"),  # JSON array
    Column("thumbnail", String(255), nullable=True),  # "thumbnail/<file>"
    Column("documentation", Text, nullable=True),
    # [[xmin, ymin], [xmax, ymax]] in WGS84, or none; the four numbers are columns for extent search.
    Column("extent_xmin", Float, nullable=True),
    Column("extent_ymin", Float, nullable=True),
    Column("extent_xmax", Float, nullable=True),
    Column("extent_ymax", Float, nullable=True),
    Column("spatial_reference", String(255), nullable=True),
    Column("access_information", Text, nullable=True),
    Column("license_info", Text, nullable=True),
    Column("culture", String(32), nullable=True),
    Column("properties", Text, nullable=True),  # JSON object
    Column("advanced_settings", Text, nullable=True),  # JSON object
    Column("url", Text, nullable=True),
    Column("proxy_filter", Text, nullable=True),  # JSON object
    Column("name", String(255), nullable=True),  # the data's file name
    Column("data_kind", String(8), nullable=False, default="none"),  # file | text | none
    Column("data_blob", String(255), nullable=True),  # blob store key of the data
    Column("data_type", String(255), nullable=True),  # the data's Content-Type
    Column("metadata_blob", String(255), nullable=True),  # info/metadata/metadata.xml
    Column("size", BigInteger, nullable=False, default=0),
    Column("shared_public", Boolean, nullable=False, default=False),
    Column("shared_org", Boolean, nullable=False, default=False),
    Column("access", String(8), nullable=False, default="private"),  # public | org | shared | private
    Column("protected", Boolean, nullable=False, default=False),
    Column("comments_enabled", Boolean, nullable=False, default=True),
    Column("num_comments", Integer, nullable=False, default=0),
    Column("num_ratings", Integer, nullable=False, default=0),
    Column("avg_rating", Float, nullable=False, default=0.0),
    Column("num_views", BigInteger, nullable=False, default=0),
    Column("status", String(16), nullable=False, default="completed"),  # partial | processing | failed | completed
    Column("listed", Boolean, nullable=False, default=False),
    Column("content_status", String(32), nullable=True),
    # Credentials of a secured service URL: the password encrypted, never returned (§6.4).
    Column("service_username", String(255), nullable=True),
    Column("service_password", Text, nullable=True),
    Column("service_credentials_type", String(32), nullable=True),
    Column("service_proxy_params", Text, nullable=True),  # JSON object
    Column("created", BigInteger, nullable=False),
    Column("modified", BigInteger, nullable=False),
    # A stable integer key assigned by the database on insert (SQLite: a trigger; PostgreSQL: an
    # identity), the full-text index's row key (migration 0006).  Writers never name it.
    Column("seq", BigInteger, Identity(), nullable=True),
    # Who may see the item, as words for the full-text index (migration 0007): computed and kept
    # by the database's triggers from the item, its organization and its group shares.
    Column("acl", Text, nullable=True),
)
# The full-text index is not a table here: SQLite keeps the FTS5 table `item_text` and
# PostgreSQL the generated column `items.search_text`, both maintained by the database
# (migration 0006), so every write of `items` updates them in its own transaction.
Index("ix_items_seq", items.c.seq, unique=True)
Index("ix_items_owner_folder", items.c.owner_id, items.c.folder_id, items.c.title_key)
Index("ix_items_org_access", items.c.org_id, items.c.access)
Index("ix_items_title", items.c.title_key, items.c.id)
Index("ix_items_created", items.c.created, items.c.id)
Index("ix_items_modified", items.c.modified, items.c.id)
Index("ix_items_type", items.c.type)
# Sorted searches walk these in order (every order ends with id), see storage/item_search.py.
Index("ix_items_num_views", items.c.num_views, items.c.id)
Index("ix_items_avg_rating", items.c.avg_rating, items.c.id)
Index("ix_items_num_ratings", items.c.num_ratings, items.c.id)
Index("ix_items_num_comments", items.c.num_comments, items.c.id)
Index("ix_items_type_id", items.c.type, items.c.id)
Index("ix_items_size", items.c.size, items.c.id)
Index("ix_items_access_modified", items.c.access, items.c.modified, items.c.id)
Index("ix_items_owner_modified", items.c.owner_id, items.c.modified, items.c.id)
# A full-text match's visibility read from the index alone (migration 0006).
Index("ix_items_search_access", items.c.seq, items.c.access, items.c.org_id, items.c.owner_id, items.c.modified,
      items.c.id)
# A date range's matches with their visibility, and a full-text match's extent, read from the index
# alone (migration 0007).
Index("ix_items_created_access", items.c.created, items.c.access, items.c.org_id, items.c.owner_id, items.c.seq,
      items.c.id)
Index("ix_items_modified_access", items.c.modified, items.c.access, items.c.org_id, items.c.owner_id, items.c.seq,
      items.c.id)
Index("ix_items_search_extent", items.c.seq, items.c.extent_xmin, items.c.extent_xmax, items.c.extent_ymin,
      items.c.extent_ymax, items.c.id)
# An item's visibility and seq read from its id alone: a group's items (migration 0015).
Index("ix_items_id_access", items.c.id, items.c.access, items.c.org_id, items.c.owner_id, items.c.seq)
# A type keyword's matches (`type:"Web Map"`) with their visibility, from the index alone (migration 0018).
Index("ix_items_type_key", func.lower(items.c.type), items.c.seq, items.c.access, items.c.org_id, items.c.owner_id,
      items.c.id, postgresql_include=["type"])

# An item shared with a group; `item_control` is the share's confirmItemControl (shared update).
item_groups = Table(
    "item_groups",
    metadata,
    Column("item_id", String(32), ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", String(32), ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
    Column("item_control", Boolean, nullable=False, default=False),
    Column("shared", BigInteger, nullable=False),
    # Migration 0020: the item's seq, access, organization and owner, kept by the database
    # (triggers) from the item itself, so a group's search and a member's access rule read
    # who may see a shared item without reading the item.  Never written by geoshare's code.
    Column("item_seq", BigInteger, nullable=True),
    Column("item_access", String(8), nullable=True),
    Column("item_org", String(32), nullable=True),
    Column("item_owner", String(32), nullable=True),
)
# Migration 0020 (it replaced , which it also covers).
Index("ix_item_groups_access", item_groups.c.group_id, item_groups.c.item_access, item_groups.c.item_org,
      item_groups.c.item_owner, item_groups.c.item_seq, item_groups.c.item_id)

# Parts of a multipart upload, until commit joins them into the item's data (§6.6).
item_parts = Table(
    "item_parts",
    metadata,
    Column("item_id", String(32), ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("part_num", Integer, primary_key=True),
    Column("blob", String(255), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("received", BigInteger, nullable=False),
)

# Files kept with an item: resources (§6.11, kind "resource") and info files (§6.8, kind "info").
item_files = Table(
    "item_files",
    metadata,
    Column("item_id", String(32), ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(8), primary_key=True),
    Column("path", String(512), primary_key=True),
    Column("access", String(16), nullable=False, default="inherit"),  # inherit | private
    Column("size", BigInteger, nullable=False),
    Column("blob", String(255), nullable=False),
    Column("created", BigInteger, nullable=False),
)

item_relationships = Table(
    "item_relationships",
    metadata,
    Column("origin_id", String(32), ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("destination_id", String(32), ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("type", String(64), primary_key=True),
    Column("created", BigInteger, nullable=False),
)
Index("ix_item_relationships_destination", item_relationships.c.destination_id, item_relationships.c.type)

item_comments = Table(
    "item_comments",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("item_id", String(32), ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
    Column("owner_id", String(32), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("comment", Text, nullable=False),
    Column("created", BigInteger, nullable=False),
    Column("modified", BigInteger, nullable=False),
)
Index("ix_item_comments_item", item_comments.c.item_id, item_comments.c.created)

item_ratings = Table(
    "item_ratings",
    metadata,
    Column("item_id", String(32), ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", String(32), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("rating", Float, nullable=False),
    Column("created", BigInteger, nullable=False),
)

# Files an organization keeps (logos, custom files): the bytes live in the blob store.
org_resources = Table(
    "org_resources",
    metadata,
    Column("org_id", String(16), ForeignKey("orgs.id"), primary_key=True),
    Column("key", String(512), primary_key=True),
    Column("access", String(16), nullable=False, default="public"),
    Column("size", BigInteger, nullable=False),
    Column("blob", String(255), nullable=False),  # blob store key
    Column("created", BigInteger, nullable=False),
)

tokens = Table(
    "tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # sha256 of the opaque token, never the token
    Column("kind", String(16), nullable=False),  # generate | server | oauth | refresh
    Column("user_id", String(32), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("client_id", String(64), nullable=True),
    Column("bind_type", String(16), nullable=True),  # referer | ip
    Column("bind_value", String(1024), nullable=True),
    Column("created", BigInteger, nullable=False),
    Column("expires", BigInteger, nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
    # OAuth tokens descended from one grant share a family (the authorization code's hash, or a
    # random id for a password grant), so reuse of a spent refresh token or a replayed code can
    # revoke all of them at once.  Other tokens have none.
    Column("family", String(64), nullable=True),
)
Index("ix_tokens_user", tokens.c.user_id)
Index("ix_tokens_expires", tokens.c.expires)
Index("ix_tokens_family", tokens.c.family)

sign_ins = Table(
    "sign_ins",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username_key", String(128), nullable=False),
    Column("user_id", String(32), nullable=True),
    Column("at", BigInteger, nullable=False),
    Column("success", Boolean, nullable=False),
    Column("channel", String(32), nullable=False),  # generateToken, oauth, admin, html ...
    Column("client_ip", String(64), nullable=True),
    Column("reason", String(128), nullable=True),
)
Index("ix_sign_ins_user_at", sign_ins.c.username_key, sign_ins.c.at)

# Sign-in locks by lower-cased username, whether or not such a user exists, so a locked account
# and a name nobody has answer alike.  `locked_until` in the past is when the last lock ended (or
# was lifted): failures before it no longer count.
lockouts = Table(
    "lockouts",
    metadata,
    Column("username_key", String(128), primary_key=True),
    Column("locked_until", BigInteger, nullable=False),
)

oauth_sessions = Table(
    "oauth_sessions",
    metadata,
    Column("state_hash", String(64), primary_key=True),  # sha256 of oauth_state
    Column("client_id", String(64), nullable=False),
    Column("response_type", String(16), nullable=False),
    Column("redirect_uri", String(2048), nullable=False),
    Column("state", String(1024), nullable=True),
    Column("expiration", Integer, nullable=True),  # minutes asked for
    Column("code_challenge", String(256), nullable=True),
    Column("code_challenge_method", String(16), nullable=True),
    Column("created", BigInteger, nullable=False),
    Column("expires", BigInteger, nullable=False),
)

oauth_codes = Table(
    "oauth_codes",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("user_id", String(32), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("client_id", String(64), nullable=False),
    Column("redirect_uri", String(2048), nullable=False),
    Column("refresh_minutes", Integer, nullable=False),
    Column("code_challenge", String(256), nullable=True),
    Column("code_challenge_method", String(16), nullable=True),
    Column("created", BigInteger, nullable=False),
    Column("expires", BigInteger, nullable=False),
    Column("used", Boolean, nullable=False, default=False),
)
