"""Search (issue 11): the extent box gets a guard bit above each of its four numbers, so a bbox
tests a box with one subtraction instead of four shifts, masks and comparisons; and on SQLite the
seq is stored turned around, so the newest item comes first in ascending rowid order.

A search with words and a bbox tests the box of every match (1M items: ~47,000 entries for a
member's `trails` in Europe), and the four comparisons were most of its cost.  The new box
(storage/item_boxes.py describes it) stores the two minimums turned around, so each test reads
"slot >= bound", and gives each slot a spare bit above it:

    box = (255 - xmin column) << 25 | xmax column << 16 | (127 - ymin row) << 8 | ymax row

* SQLite: the rowid becomes `class << 61 | (2**27 - 1 - seq) << 34 | box` (0011:
  `seq << 30`), so a seq may now reach 2**27 - 1 (134,217,727 items ever added); the trigger
  refusing a larger one is rewritten, and the upgrade refuses a database already past it.  The
  seq is turned around because SQLite 3.40's FTS5 drops matches of an AND read in descending
  rowid order from a large index whose rowids span the classes (1M items: `hydrology AND water`
  gave 21,382 of its 39,923 matches); pages are now read in ascending order, which is exact.
  The full-text index is rebuilt (about 30 s at a million items), then merged into one
  segment (`optimize`, 3 s): a rebuild in one statement leaves many segments, and a rowid lookup
  visits each (a sorted page that checks each row it walks took 100 us a row instead of 10).
* PostgreSQL: `item_postings.box` becomes a bigint holding the new box, computed from the old
  one in one rewrite of the table (its key is rebuilt after it); `geoshare_item_box` and the
  posting trigger write the new box.

Revision ID: 0013
Revises: 0012
"""

import importlib
from typing import Any

from alembic import op
from sqlalchemy import text

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# storage/item_search.py and storage/item_boxes.py read the same numbers (a test checks)
CLASS_SHIFT, SEQ_SHIFT = 61, 34
COLUMNS, ROWS = 256, 128
XMIN_SHIFT, XMAX_SHIFT, YMIN_SHIFT = 25, 16, 8
EMPTY = 0
MAX_SEQ = (1 << (CLASS_SHIFT - SEQ_SHIFT)) - 1
EXTENT_COLUMNS = ("extent_xmin", "extent_ymin", "extent_xmax", "extent_ymax")


def _module(name: str) -> Any:
    return importlib.import_module(f"geoshare.storage.migrations.versions.{name}")


def box_sql(row: str) -> str:
    """SQLite: the box of the item `row` (its grid columns and rows as 0011 computes them)."""
    _cell = _module("0011_search_boxes")._cell
    missing = " OR ".join(f"{row}.{c} IS NULL" for c in EXTENT_COLUMNS)
    return (f"(CASE WHEN {missing} THEN {EMPTY} ELSE "
            f"((({COLUMNS - 1} - {_cell(row + '.extent_xmin', '180.0', COLUMNS, '360.0')}) << {XMIN_SHIFT}) | "
            f"({_cell(row + '.extent_xmax', '180.0', COLUMNS, '360.0')} << {XMAX_SHIFT}) | "
            f"(({ROWS - 1} - {_cell(row + '.extent_ymin', '90.0', ROWS, '180.0')}) << {YMIN_SHIFT}) | "
            f"{_cell(row + '.extent_ymax', '90.0', ROWS, '180.0')}) END)")


def rowid(row: str) -> str:
    """SQLite: the item_text rowid of the item `row` (NEW or OLD, or a table alias)."""
    v9 = _module("0009_search_classes")
    return (f"((({MAX_SEQ} - {row}.seq) << {SEQ_SHIFT}) | {box_sql(row)} | "
            f"CASE WHEN instr({row}.acl, ' zp0') > 0 THEN {v9.PUBLIC << CLASS_SHIFT} "
            f"WHEN instr({row}.acl, ' zo') > 0 THEN {v9.ORG << CLASS_SHIFT} ELSE 0 END)")


OPTIMIZE = "INSERT INTO item_text(item_text) VALUES ('optimize')"  # SQLite: the index in one segment


def _seq_limit(limit: int) -> str:
    return (f"CREATE TRIGGER items_seq_limit BEFORE UPDATE OF seq ON items WHEN NEW.seq > {limit} BEGIN "
            "SELECT RAISE(ABORT, 'the item sequence is exhausted'); END")


# PostgreSQL: the new box from 0012's (xmin column << 22 | xmax column << 14 | ymin row << 7 | ymax
# row; no extent: 255 << 22 | 127 << 7, which becomes 0) and back.
_NEW_FROM_OLD = ("(((255 - ((box >> 22) & 255))::bigint << 25) | (((box >> 14) & 255)::bigint << 16) "
                 "| ((127 - ((box >> 7) & 127))::bigint << 8) | (box & 127)::bigint)")
_OLD_FROM_NEW = ("(((255 - ((box >> 25) & 255)) << 22) | (((box >> 16) & 255) << 14) "
                 "| ((127 - ((box >> 8) & 127)) << 7) | (box & 127))::integer")

BOX = r"""
CREATE FUNCTION geoshare_item_box(xmin float8, ymin float8, xmax float8, ymax float8)
RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN xmin IS NULL OR ymin IS NULL OR xmax IS NULL OR ymax IS NULL THEN 0::bigint ELSE
    ((255 - greatest(0, least(255, trunc((xmin + 180.0::float8) * 256.0::float8 / 360.0::float8))))::bigint << 25)
    | (greatest(0, least(255, trunc((xmax + 180.0::float8) * 256.0::float8 / 360.0::float8)))::bigint << 16)
    | ((127 - greatest(0, least(127, trunc((ymin + 90.0::float8) * 128.0::float8 / 180.0::float8))))::bigint << 8)
    | greatest(0, least(127, trunc((ymax + 90.0::float8) * 128.0::float8 / 180.0::float8)))::bigint END $$;
"""


def _postgresql(box_type: str, convert: str, box_function: str, postings: str) -> None:
    op.execute("ALTER TABLE item_postings DROP CONSTRAINT item_postings_pkey")
    op.execute(f"ALTER TABLE item_postings ALTER COLUMN box TYPE {box_type} USING {convert}")
    op.execute("ALTER TABLE item_postings ADD CONSTRAINT item_postings_pkey PRIMARY KEY (term, scope, seq) "
               "INCLUDE (box)")
    # The posting functions name it at run time only, so it may be dropped under them.
    op.execute("DROP FUNCTION geoshare_item_box(float8, float8, float8, float8)")
    op.execute(box_function)
    op.execute(postings)


def upgrade():
    v12 = _module("0012_search_posting_boxes")
    if op.get_bind().dialect.name != "sqlite":
        _postgresql("bigint", _NEW_FROM_OLD, BOX, v12.POSTINGS.replace("new_box integer", "new_box bigint"))
        return
    highest = op.get_bind().execute(text("SELECT max(seq) FROM items")).scalar()
    if highest is not None and highest > MAX_SEQ:
        raise RuntimeError(f"items.seq reaches {highest}; the search index holds at most {MAX_SEQ}")
    op.execute("DROP TRIGGER items_seq_limit")
    op.execute(_seq_limit(MAX_SEQ))
    _module("0009_search_classes")._text_table(rowid, *EXTENT_COLUMNS)
    op.execute(OPTIMIZE)


def downgrade():
    v11, v12 = _module("0011_search_boxes"), _module("0012_search_posting_boxes")
    if op.get_bind().dialect.name != "sqlite":
        _postgresql("integer", _OLD_FROM_NEW, v12.BOX.replace("CREATE OR REPLACE", "CREATE"), v12.POSTINGS)
        return
    op.execute("DROP TRIGGER items_seq_limit")
    op.execute(v11.SEQ_LIMIT)
    _module("0009_search_classes")._text_table(v11.rowid, *EXTENT_COLUMNS)
    op.execute(OPTIMIZE)
