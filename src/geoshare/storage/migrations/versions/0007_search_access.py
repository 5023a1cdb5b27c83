"""Search (issue 11): who may see an item, as words in its full-text entry.

`items.acl` holds the item's access tokens (domain/access.item_tokens lists a caller's): the
database computes them from the item, its organization and its group shares, and triggers keep
them in the transaction of every change to `items`, `item_groups` or `orgs.access`.  A search
then asks one index question, `<text> AND acl:(the caller's tokens)`, so filtering and counting
never read the item rows.

Tokens (ids hex-encoded, so case and punctuation never merge two of them; the final `0` keeps the
porter stemmer from shortening one): `za0` public in a public organization (anonymous callers),
`zp0` public, `zq<org>0` public in that organization (canSearchPublic=false), `zo<org>0` shared
with the organization, `zx<org>0` every item of the organization (administrators), `zu<owner>0`
the owner, `zg<group>0` one per group it is shared with.

SQLite: `item_text` is rebuilt with an `acl` column (contentless: its triggers delete with the
old row's exact values, `items.acl` included); the view `item_acl_tokens` is the one definition.
PostgreSQL: the function `geoshare_item_acl` is the definition; the generated `items.search_text`
is re-created with the tokens appended (as lexemes without positions), so its one GIN index
answers text and access together.

Revision ID: 0007
Revises: 0006
"""

import importlib
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

FTS_COLUMNS = ("title", "tags", "snippet", "description", "type", "typekeywords", "accessinformation",
               "licenseinfo", "name", "acl")
ITEM_COLUMNS = ("title", "tags", "snippet", "description", "type", "type_keywords", "access_information",
                "license_info", "name", "acl")
TEXT_TRIGGERS = ("items_text_delete", "items_text_update", "items_text_insert")
ACL_TRIGGERS = (("items_acl_insert", "items"), ("items_acl_update", "items"), ("item_groups_acl_insert", "item_groups"),
                ("item_groups_acl_delete", "item_groups"), ("item_groups_acl_update", "item_groups"),
                ("orgs_acl_update", "orgs"))


def _hex(dialect: str, column: str) -> str:
    if dialect == "sqlite":
        return f"lower(hex({column}))"
    return f"encode(convert_to({column}, 'UTF8'), 'hex')"


def _tokens(dialect: str, item: str, org: str, owner: str, access: str, org_access: str, shares: str) -> str:
    """The token text of one item (SQL), from its columns and `shares` (its groups' tokens)."""
    org_hex = _hex(dialect, org)
    return (f"'zx' || {org_hex} || '0 zu' || {_hex(dialect, owner)} || '0'"
            f" || CASE WHEN {access} = 'public' THEN ' zp0 zq' || {org_hex} || '0'"
            f" || CASE WHEN {org_access} = 'public' THEN ' za0' ELSE '' END ELSE '' END"
            f" || CASE WHEN {access} = 'org' THEN ' zo' || {org_hex} || '0' ELSE '' END"
            f" || coalesce({shares}, '')")


# ------------------------------------------------------------------------------------------ SQLite
def _sqlite_values(prefix: str) -> str:
    return ", ".join(f"{prefix}.{c}" for c in ITEM_COLUMNS)


def _sqlite_set_acl(where: str) -> str:
    return f"UPDATE items SET acl = (SELECT t.acl FROM item_acl_tokens t WHERE t.id = items.id) WHERE {where};"  # noqa: S608


def _sqlite_upgrade() -> None:
    shares = ("(SELECT group_concat(' zg' || lower(hex(g.group_id)) || '0', '') FROM item_groups g "
              "WHERE g.item_id = i.id)")
    op.execute("CREATE VIEW item_acl_tokens AS SELECT i.id AS id, "  # noqa: S608
               f"{_tokens('sqlite', 'i.id', 'i.org_id', 'i.owner_id', 'i.access', 'o.access', shares)} AS acl "
               "FROM items i JOIN orgs o ON o.id = i.org_id")
    op.add_column("items", sa.Column("acl", sa.Text, nullable=True))
    op.execute(_sqlite_set_acl("1"))
    _sqlite_text_table(", ".join(FTS_COLUMNS), ", ".join(ITEM_COLUMNS), _sqlite_values)
    # Each sets `acl`, which fires items_text_update: the entry is rewritten in the same transaction.
    op.execute(f"CREATE TRIGGER items_acl_insert AFTER INSERT ON items BEGIN {_sqlite_set_acl('id = NEW.id')} END")
    op.execute("CREATE TRIGGER items_acl_update AFTER UPDATE OF access, owner_id, org_id ON items BEGIN "
               f"{_sqlite_set_acl('id = NEW.id')} END")
    op.execute(f"CREATE TRIGGER item_groups_acl_insert AFTER INSERT ON item_groups BEGIN "
               f"{_sqlite_set_acl('id = NEW.item_id')} END")
    op.execute(f"CREATE TRIGGER item_groups_acl_delete AFTER DELETE ON item_groups BEGIN "
               f"{_sqlite_set_acl('id = OLD.item_id')} END")
    op.execute(f"CREATE TRIGGER item_groups_acl_update AFTER UPDATE OF item_id, group_id ON item_groups BEGIN "
               f"{_sqlite_set_acl('id IN (OLD.item_id, NEW.item_id)')} END")
    op.execute(f"CREATE TRIGGER orgs_acl_update AFTER UPDATE OF access ON orgs BEGIN "
               f"{_sqlite_set_acl('org_id = NEW.id')} END")


# -------------------------------------------------------------------------------------- PostgreSQL
PG_FUNCTION = """
CREATE OR REPLACE FUNCTION geoshare_item_acl(p_id text, p_org text, p_owner text, p_access text) RETURNS text
LANGUAGE sql STABLE AS $$ SELECT {tokens} $$
"""
PG_TRIGGERS = """
CREATE OR REPLACE FUNCTION geoshare_items_acl() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
  NEW.acl := geoshare_item_acl(NEW.id, NEW.org_id, NEW.owner_id, NEW.access); RETURN NEW; END $$;
CREATE TRIGGER items_acl BEFORE INSERT OR UPDATE OF access, owner_id, org_id ON items
  FOR EACH ROW EXECUTE FUNCTION geoshare_items_acl();
CREATE OR REPLACE FUNCTION geoshare_item_groups_acl() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
  UPDATE items SET acl = geoshare_item_acl(id, org_id, owner_id, access)
   WHERE id IN (CASE WHEN TG_OP <> 'INSERT' THEN OLD.item_id END, CASE WHEN TG_OP <> 'DELETE' THEN NEW.item_id END);
  RETURN NULL; END $$;
CREATE TRIGGER item_groups_acl AFTER INSERT OR DELETE OR UPDATE ON item_groups
  FOR EACH ROW EXECUTE FUNCTION geoshare_item_groups_acl();
CREATE OR REPLACE FUNCTION geoshare_orgs_acl() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
  UPDATE items SET acl = geoshare_item_acl(id, org_id, owner_id, access) WHERE org_id = NEW.id;
  RETURN NULL; END $$;
CREATE TRIGGER orgs_acl AFTER UPDATE OF access ON orgs FOR EACH ROW EXECUTE FUNCTION geoshare_orgs_acl();
"""


def _pg_upgrade() -> None:
    shares = ("(SELECT string_agg(' zg' || encode(convert_to(g.group_id, 'UTF8'), 'hex') || '0', '' "
              "ORDER BY g.group_id) FROM item_groups g WHERE g.item_id = p_id)")
    org_access = "(SELECT o.access FROM orgs o WHERE o.id = p_org)"
    op.execute(PG_FUNCTION.format(tokens=_tokens("postgresql", "p_id", "p_org", "p_owner", "p_access", org_access,
                                                 shares)))
    op.add_column("items", sa.Column("acl", sa.Text, nullable=True))
    op.execute("UPDATE items SET acl = geoshare_item_acl(id, org_id, owner_id, access)")
    op.execute(PG_TRIGGERS)
    _pg_text_column(f"{_previous().pg_text_vector()} || {PG_ACL_VECTOR}")


# The tokens as lexemes without positions: no phrase can span into them.
PG_ACL_VECTOR = "array_to_tsvector(string_to_array(coalesce(acl, ''), ' '))"


def _previous() -> Any:  # the 0006 module
    return importlib.import_module("geoshare.storage.migrations.versions.0006_search")


def _pg_text_column(expression: str) -> None:
    """`items.search_text` generated from `expression`, with its GIN index: one index answers
    `<text> AND <tokens>` in one scan (two GIN indexes would be ANDed as bitmaps, reading every
    row the tokens allow)."""
    op.execute("DROP INDEX ix_items_search_text")
    op.drop_column("items", "search_text")
    op.execute(f"ALTER TABLE items ADD COLUMN search_text tsvector GENERATED ALWAYS AS ({expression}) STORED")
    op.execute("CREATE INDEX ix_items_search_text ON items USING gin (search_text)")


def _sqlite_text_table(fts: str, columns: str, values: Callable[[str], str]) -> None:
    """item_text rebuilt with the FTS5 columns `fts` from the items columns `columns` (`values`
    names them on a trigger's NEW or OLD row), filled, and its three triggers."""
    for trigger in TEXT_TRIGGERS:
        op.execute(f"DROP TRIGGER {trigger}")
    op.execute("DROP TABLE item_text")
    op.execute(f"CREATE VIRTUAL TABLE item_text USING fts5({fts}, content='', "
               "tokenize='porter unicode61 remove_diacritics 2')")
    op.execute(f"INSERT INTO item_text(rowid, {fts}) SELECT seq, {columns} FROM items WHERE seq IS NOT NULL")  # noqa: S608
    op.execute(f"CREATE TRIGGER items_text_insert AFTER INSERT ON items WHEN NEW.seq IS NOT NULL BEGIN "  # noqa: S608
               f"INSERT INTO item_text(rowid, {fts}) VALUES (NEW.seq, {values('NEW')}); END")
    op.execute(f"CREATE TRIGGER items_text_update AFTER UPDATE OF seq, {columns} ON items BEGIN "  # noqa: S608
               f"INSERT INTO item_text(item_text, rowid, {fts}) SELECT 'delete', OLD.seq, {values('OLD')} "
               "WHERE OLD.seq IS NOT NULL; "
               f"INSERT INTO item_text(rowid, {fts}) SELECT NEW.seq, {values('NEW')} "
               "WHERE NEW.seq IS NOT NULL; END")
    op.execute(f"CREATE TRIGGER items_text_delete AFTER DELETE ON items WHEN OLD.seq IS NOT NULL BEGIN "  # noqa: S608
               f"INSERT INTO item_text(item_text, rowid, {fts}) VALUES ('delete', OLD.seq, {values('OLD')}); "
               "END")


def _sqlite_downgrade_text() -> None:
    """item_text and its triggers as 0006 made them (without `acl`)."""
    previous = _previous()
    _sqlite_text_table(", ".join(f for f, _ in previous.TEXT_COLUMNS), previous.TEXT_TRIGGER_COLUMNS,
                       previous._values)
    op.drop_column("items", "acl")


# Covering indexes: a date range's matches and their visibility read from the index alone, and a
# full-text match's extent (bbox) read without its row.
COVERING = (("ix_items_created_access", ["created", "access", "org_id", "owner_id", "seq", "id"]),
            ("ix_items_modified_access", ["modified", "access", "org_id", "owner_id", "seq", "id"]),
            ("ix_items_search_extent", ["seq", "extent_xmin", "extent_xmax", "extent_ymin", "extent_ymax", "id"]))


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_upgrade()
    else:
        _pg_upgrade()
    for name, columns in COVERING:
        op.create_index(name, "items", columns)


def downgrade():
    for name, _ in COVERING:
        op.drop_index(name, "items")
    if op.get_bind().dialect.name == "sqlite":
        for trigger, _ in ACL_TRIGGERS:
            op.execute(f"DROP TRIGGER {trigger}")
        op.execute("DROP VIEW item_acl_tokens")
        _sqlite_downgrade_text()
        return
    _pg_text_column(_previous().pg_text_vector())
    op.execute("DROP TRIGGER orgs_acl ON orgs")
    op.execute("DROP TRIGGER item_groups_acl ON item_groups")
    op.execute("DROP TRIGGER items_acl ON items")
    op.drop_column("items", "acl")
    op.execute("DROP FUNCTION geoshare_orgs_acl(), geoshare_item_groups_acl(), geoshare_items_acl(), "
               "geoshare_item_acl(text, text, text, text)")
