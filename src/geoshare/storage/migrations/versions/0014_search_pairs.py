"""Search (issue 11), SQLite: word pairs for two-word phrases and the list of index words for
prefixes (storage/fts_words.py says why).

* `item_pairs`: each item's pair tokens (`zw<hex of "first second">0`, one per two neighbouring
  words of a default search field), indexed in a new `pairs` column of `item_text`.  A phrase of
  two words in the default fields is then the lookup of one token.  They are kept beside the
  items, not in their rows: about 600 bytes an item, which every read of an item row would carry.
* `item_terms`: every word the index holds in a text field.  It only grows (a word no item holds
  any more finds nothing), so a prefix expanded from it is exact.
* `item_words` (a contentless FTS5 table with the text columns, the index's tokenizer) and
  `item_words_at` (its fts5vocab instance table) cut a written item into words inside the
  triggers: each write puts the row's text there, reads the words back, and empties it.

The triggers of `item_text` compute the pairs of the new row, store them in `item_pairs` and
index them; a delete names the pairs as they were stored, so a contentless delete always removes
exactly what was inserted.  The upgrade cuts existing items in Python (fts_words.derived: FTS5's
own words, ASCII text cut without a database round trip), then rebuilds `item_text` and merges it
into one segment: 139 s at a million items on two cores, the database from 2.3 to 3.4 GB.

PostgreSQL: nothing changes (its posting lists hold pair terms since 0010).

Revision ID: 0014
Revises: 0013
"""

import importlib
from collections.abc import Callable
from typing import Any

from alembic import op

from geoshare.storage import fts_words

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

CHUNK = 20_000


def _module(name: str) -> Any:
    return importlib.import_module(f"geoshare.storage.migrations.versions.{name}")


def _cut(row: str, where: str = "") -> str:
    """Trigger statements: the words of `row`'s text into the word list, its pairs into
    `item_pairs`, the scratch table emptied again (`where`: a condition on the row)."""
    texts = ", ".join(f"{row}.{c}" for c in fts_words.ITEM_COLUMNS)
    guard = f" WHERE {where}" if where else ""
    return (f"INSERT INTO item_words(rowid, {', '.join(fts_words.TEXT_COLUMNS)}) SELECT 1, {texts}{guard}; "  # noqa: S608
            f"INSERT OR IGNORE INTO item_terms(term) {fts_words.TERMS_SQL}; "
            f"INSERT OR REPLACE INTO item_pairs(item_id, pairs) SELECT {row}.id, {fts_words.PAIRS_SQL}{guard}; "
            "INSERT INTO item_words(item_words) VALUES ('delete-all'); ")


def _stored(row: str) -> str:
    """SQL: the pairs stored for the item `row` (what its entry was written with)."""
    return f"(SELECT pairs FROM item_pairs WHERE item_id = {row}.id)"  # noqa: S608


def text_table(entry: Callable[[str], str], moving: tuple[str, ...]) -> None:
    """item_text rebuilt with 0007's columns and `pairs`, entries at `entry(row)`, filled from
    `item_pairs`, and its triggers (an update of 0007's columns, the seq or `moving`
    rewrites the entry)."""
    v7 = _module("0007_search_access")
    fts = ", ".join((*v7.FTS_COLUMNS, "pairs"))
    watched = ", ".join(("seq", *v7.ITEM_COLUMNS, *moving))

    def values(row: str) -> str:
        return f"{v7._sqlite_values(row)}, {_stored(row)}"

    for trigger in v7.TEXT_TRIGGERS:
        op.execute(f"DROP TRIGGER {trigger}")
    op.execute("DROP TABLE item_text")
    op.execute(f"CREATE VIRTUAL TABLE item_text USING fts5({fts}, content='', tokenize='{fts_words.TOKENIZE}')")
    op.execute(fill_statement(entry))
    op.execute(f"CREATE TRIGGER items_text_insert AFTER INSERT ON items WHEN NEW.seq IS NOT NULL BEGIN "  # noqa: S608
               f"{_cut('NEW')}INSERT INTO item_text(rowid, {fts}) VALUES ({entry('NEW')}, {values('NEW')}); END")
    op.execute(f"CREATE TRIGGER items_text_update AFTER UPDATE OF {watched} ON items BEGIN "  # noqa: S608
               f"INSERT INTO item_text(item_text, rowid, {fts}) SELECT 'delete', {entry('OLD')}, {values('OLD')} "
               "WHERE OLD.seq IS NOT NULL; "
               f"{_cut('NEW', 'NEW.seq IS NOT NULL')}"
               f"INSERT INTO item_text(rowid, {fts}) SELECT {entry('NEW')}, {values('NEW')} "
               "WHERE NEW.seq IS NOT NULL; END")
    op.execute(f"CREATE TRIGGER items_text_delete AFTER DELETE ON items WHEN OLD.seq IS NOT NULL BEGIN "  # noqa: S608
               f"INSERT INTO item_text(item_text, rowid, {fts}) VALUES ('delete', {entry('OLD')}, {values('OLD')}); "
               "DELETE FROM item_pairs WHERE item_id = OLD.id; END")


def fill_statement(entry: Callable[[str], str]) -> str:
    """The entries of every item, from their columns and their stored pairs (the benchmark's bulk
    load uses it too)."""
    v7 = _module("0007_search_access")
    fts = ", ".join((*v7.FTS_COLUMNS, "pairs"))
    return (f"INSERT INTO item_text(rowid, {fts}) SELECT {entry('items')}, {v7._sqlite_values('items')}, "  # noqa: S608
            "p.pairs FROM items LEFT JOIN item_pairs p ON p.item_id = items.id WHERE items.seq IS NOT NULL")


def derive_all(raw: Any) -> None:
    """The pairs of every item and the word list, cut in Python (fts_words.derived) on the
    DB-API connection `raw`, in chunks of rowids (the benchmark's bulk load uses it too)."""
    select = (f"SELECT rowid, id, {', '.join(fts_words.ITEM_COLUMNS)} FROM items WHERE rowid > ? "  # noqa: S608
              "ORDER BY rowid LIMIT ?")
    last = 0
    while True:
        rows = raw.execute(select, (last, CHUNK)).fetchall()
        if not rows:
            return
        updates = []
        terms: set[str] = set()
        for row in rows:
            pairs, words = fts_words.derived(row[2:])
            updates.append((row[1], pairs))
            terms |= words
        raw.executemany("INSERT OR REPLACE INTO item_pairs(item_id, pairs) VALUES (?, ?)", updates)
        raw.executemany("INSERT OR IGNORE INTO item_terms(term) VALUES (?)", [(t,) for t in sorted(terms)])
        last = rows[-1][0]


def upgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    v13 = _module("0013_search_box_guards")
    op.execute("CREATE TABLE item_pairs (item_id TEXT NOT NULL PRIMARY KEY, pairs TEXT) WITHOUT ROWID")
    op.execute("CREATE TABLE item_terms (term TEXT NOT NULL PRIMARY KEY) WITHOUT ROWID")
    op.execute(f"CREATE VIRTUAL TABLE item_words USING fts5({', '.join(fts_words.TEXT_COLUMNS)}, content='', "
               f"tokenize='{fts_words.TOKENIZE}')")
    op.execute("CREATE VIRTUAL TABLE item_words_at USING fts5vocab(item_words, instance)")
    derive_all(op.get_bind().connection.driver_connection)
    text_table(v13.rowid, v13.EXTENT_COLUMNS)
    op.execute(v13.OPTIMIZE)


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    v13 = _module("0013_search_box_guards")
    _module("0009_search_classes")._text_table(v13.rowid, *v13.EXTENT_COLUMNS)
    op.execute(v13.OPTIMIZE)
    op.execute("DROP TABLE item_words_at")
    op.execute("DROP TABLE item_words")
    op.execute("DROP TABLE item_terms")
    op.execute("DROP TABLE item_pairs")
