"""Search (issue 11): SQLite keeps public, organization and other items in three rowid ranges of
`item_text`, so the audiences that cover a whole range need no access token in the query.

Before, an item's entry sat at rowid = `items.seq`, and every search ANDed its text with the
caller's access tokens (0007).  A token held by most items (`zp0`, every public item; `zo<org>0`,
every organization item) makes FTS5 walk its whole doclist beside the text's, which costs more
than the text itself at a million items.  Now the entry sits at

    rowid = seq + class * 2**40      class 2: public, 1: shared with the organization, 0: the rest

and a caller whose tokens cover a whole class (any member: every public item; in a portal of one
organization, its members with viewOrgItems: every organization item) reads that range with a
rowid bound, which FTS5 applies without reading any doclist.  The tokens still answer for the
rest (domain/access.fts_parts decides, storage/item_search.py asks).

The class is read from the entry's own tokens (`items.acl`: ` zp0` public, ` zo` organization),
the value the entry was written with, so the delete of a contentless entry always names the rowid
it was inserted at, even inside the nested trigger that rewrites `acl` after an access change.

PostgreSQL: nothing changes (its posting lists, 0008, already read a scope per range).

Revision ID: 0009
Revises: 0008
"""

import importlib
from typing import Any

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

CLASS_SHIFT = 40  # storage/item_search.py has the same numbers (a test checks they agree)
PUBLIC, ORG = 2, 1


def rowid(row: str) -> str:
    """SQL: the item_text rowid of the item `row` (NEW or OLD, or a table alias)."""
    return (f"({row}.seq + CASE WHEN instr({row}.acl, ' zp0') > 0 THEN {PUBLIC << CLASS_SHIFT} "
            f"WHEN instr({row}.acl, ' zo') > 0 THEN {ORG << CLASS_SHIFT} ELSE 0 END)")


def _previous() -> Any:  # the 0007 module
    return importlib.import_module("geoshare.storage.migrations.versions.0007_search_access")


def _text_table(entry: Any, *moving: str) -> None:
    """item_text rebuilt (0007's columns) with its entries at `entry(row)`, and its triggers; an
    update of any of 0007's columns, the seq or the `moving` columns (what else the rowid reads)
    rewrites the entry."""
    v7 = _previous()
    fts, columns = ", ".join(v7.FTS_COLUMNS), ", ".join(v7.ITEM_COLUMNS)
    watched = ", ".join(("seq", *v7.ITEM_COLUMNS, *moving))
    values = v7._sqlite_values
    for trigger in v7.TEXT_TRIGGERS:
        op.execute(f"DROP TRIGGER {trigger}")
    op.execute("DROP TABLE item_text")
    op.execute(f"CREATE VIRTUAL TABLE item_text USING fts5({fts}, content='', "
               "tokenize='porter unicode61 remove_diacritics 2')")
    op.execute(f"INSERT INTO item_text(rowid, {fts}) SELECT {entry('items')}, {columns} FROM items "  # noqa: S608
               "WHERE seq IS NOT NULL")
    op.execute(f"CREATE TRIGGER items_text_insert AFTER INSERT ON items WHEN NEW.seq IS NOT NULL BEGIN "  # noqa: S608
               f"INSERT INTO item_text(rowid, {fts}) VALUES ({entry('NEW')}, {values('NEW')}); END")
    op.execute(f"CREATE TRIGGER items_text_update AFTER UPDATE OF {watched} ON items BEGIN "  # noqa: S608
               f"INSERT INTO item_text(item_text, rowid, {fts}) SELECT 'delete', {entry('OLD')}, {values('OLD')} "
               "WHERE OLD.seq IS NOT NULL; "
               f"INSERT INTO item_text(rowid, {fts}) SELECT {entry('NEW')}, {values('NEW')} "
               "WHERE NEW.seq IS NOT NULL; END")
    op.execute(f"CREATE TRIGGER items_text_delete AFTER DELETE ON items WHEN OLD.seq IS NOT NULL BEGIN "  # noqa: S608
               f"INSERT INTO item_text(item_text, rowid, {fts}) VALUES ('delete', {entry('OLD')}, {values('OLD')}); "
               "END")


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        _text_table(rowid)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        _text_table(lambda row: f"{row}.seq")
