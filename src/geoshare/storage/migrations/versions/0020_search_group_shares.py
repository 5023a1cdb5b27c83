"""Search (issue 11): each group share carries its item's seq, access, organization and owner.

Who may see an item shared with a group was decided from the item's row: a group's search
(`group:<id>`, the query of a group's page in the ArcGIS Maps SDK and of `group.content()`)
looked each shared item up by id to read its access (SQLite 0.7 ms for a group of 346 items at a
million items, PostgreSQL more), and a member's access rule gathered the ids shared with all of
their groups (4,490 texts for 50 groups) before checking any row.  `item_groups` now repeats
`items.seq`, `access`, `org_id` and `owner_id` as `item_seq`, `item_access`, `item_org` and
`item_owner`, kept by the database (triggers: a share takes them from its item when written, an
item's change of access, owner or organization rewrites its shares), and
`ix_item_groups_access (group_id, item_access, item_org, item_owner, item_seq, item_id)`
answers a group's search, count and newest page alike, without reading an item row, and gives a
member's rule the seqs of only those shared items nothing else lets them see; it replaces
`ix_item_groups_group (group_id, item_id)`, whose questions it answers as well.

On PostgreSQL 0007's trigger that rewrites an item's access words after a change to its shares
now fires only when a share's item or group changes (as SQLite's always did): the columns
written here change no word.  The columns are filled in one statement at upgrade (SQLite about
4 s for 526,000 shares, PostgreSQL about 15 s).

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

COPIED = (("item_seq", "seq", sa.BigInteger), ("item_access", "access", sa.String(8)),
          ("item_org", "org_id", sa.String(32)), ("item_owner", "owner_id", sa.String(32)))
INDEX = ("group_id", "item_access", "item_org", "item_owner", "item_seq", "item_id")
SHARE_COLUMNS = ", ".join(c for c, _, _ in COPIED)
ITEM_COLUMNS = ", ".join(c for _, c, _ in COPIED)
ITEM_CHANGES = "seq, access, org_id, owner_id"

SQLITE_TRIGGERS = (
    ("item_groups_item_insert",
     "AFTER INSERT ON item_groups BEGIN "  # noqa: S608 - SQL text from this module's constants
     f"UPDATE item_groups SET ({SHARE_COLUMNS}) = (SELECT {ITEM_COLUMNS} FROM items WHERE id = NEW.item_id) "
     "WHERE item_id = NEW.item_id AND group_id = NEW.group_id; END"),
    ("item_groups_item_update",
     "AFTER UPDATE OF item_id ON item_groups BEGIN "  # noqa: S608 - SQL text from this module's constants
     f"UPDATE item_groups SET ({SHARE_COLUMNS}) = (SELECT {ITEM_COLUMNS} FROM items WHERE id = NEW.item_id) "
     "WHERE item_id = NEW.item_id AND group_id = NEW.group_id; END"),
    ("items_group_shares_update",
     f"AFTER UPDATE OF {ITEM_CHANGES} ON items BEGIN "  # noqa: S608 - SQL text from this module's constants
     f"UPDATE item_groups SET ({SHARE_COLUMNS}) = (NEW.seq, NEW.access, NEW.org_id, NEW.owner_id) "
     "WHERE item_id = NEW.id; END"),
)

PG_TRIGGERS = f"""
CREATE FUNCTION geoshare_item_groups_item() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
  SELECT {ITEM_COLUMNS} INTO NEW.item_seq, NEW.item_access, NEW.item_org, NEW.item_owner
    FROM items WHERE id = NEW.item_id;
  RETURN NEW; END $$;
CREATE TRIGGER item_groups_item BEFORE INSERT OR UPDATE OF item_id ON item_groups
  FOR EACH ROW EXECUTE FUNCTION geoshare_item_groups_item();
CREATE FUNCTION geoshare_items_group_shares() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
  UPDATE item_groups SET item_seq = NEW.seq, item_access = NEW.access, item_org = NEW.org_id,
                         item_owner = NEW.owner_id
   WHERE item_id = NEW.id;
  RETURN NULL; END $$;
CREATE TRIGGER items_group_shares AFTER UPDATE OF {ITEM_CHANGES} ON items
  FOR EACH ROW EXECUTE FUNCTION geoshare_items_group_shares();
"""  # noqa: S608 - SQL text from this module's constants


def _acl_trigger(columns: str) -> str:
    # 0007's trigger: an item's access words list its groups, so they change with a share's item or group.
    return (f"DROP TRIGGER item_groups_acl ON item_groups; CREATE TRIGGER item_groups_acl AFTER INSERT OR DELETE "
            f"OR UPDATE{columns} ON item_groups FOR EACH ROW EXECUTE FUNCTION geoshare_item_groups_acl()")


def upgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    for name, _, kind in COPIED:
        op.add_column("item_groups", sa.Column(name, kind, nullable=True))
    if sqlite:
        op.execute(f"UPDATE item_groups SET ({SHARE_COLUMNS}) = "  # noqa: S608
                   f"(SELECT {ITEM_COLUMNS} FROM items WHERE items.id = item_groups.item_id)")
        for name, body in SQLITE_TRIGGERS:
            op.execute(f"CREATE TRIGGER {name} {body}")
    else:
        op.execute(_acl_trigger(" OF item_id, group_id"))  # first: else each share filled rewrites its item
        op.execute("UPDATE item_groups g SET item_seq = i.seq, item_access = i.access, item_org = i.org_id, "
                   "item_owner = i.owner_id FROM items i WHERE i.id = g.item_id")
        op.execute(PG_TRIGGERS)
    # It replaces ix_item_groups_group (group_id, item_id), whose questions it covers too (both
    # kept, SQLite took the new one for them before it had statistics: table reads, 6 to 23 ms
    # for a member's shares); then statistics that know it.
    op.create_index("ix_item_groups_access", "item_groups", list(INDEX))
    op.drop_index("ix_item_groups_group", "item_groups")
    op.execute("ANALYZE item_groups")


def downgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_index("ix_item_groups_group", "item_groups", ["group_id", "item_id"])
    op.drop_index("ix_item_groups_access", "item_groups")
    if sqlite:
        for name, _ in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    else:
        op.execute("DROP TRIGGER items_group_shares ON items; DROP TRIGGER item_groups_item ON item_groups; "
                   "DROP FUNCTION geoshare_items_group_shares(), geoshare_item_groups_item()")
        op.execute(_acl_trigger(""))
    for name, _, _ in reversed(COPIED):
        op.drop_column("item_groups", name)
