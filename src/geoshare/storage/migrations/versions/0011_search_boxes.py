"""Search (issue 11): SQLite keeps each item's extent, as a coarse box, in its full-text rowid.

A search with words and a bbox used to join every text match to its row to read the extent
(1M items: `trails` alone is ~1 ms of index work, with a bbox ~25 ms).  Now the low 30 bits of an
entry's rowid hold its extent's box (storage/item_boxes.py: the grid columns of xmin and xmax, the
grid rows of ymin and ymax), so most matches are kept or left out from the rowid alone and only
those with an edge in the same grid column or row as the bbox's edge are read:

    rowid = class << 61 | seq << 30 | box       (0009: seq + class << 40)

The class still orders the three ranges (public highest), and within one the rowid order is the
seq order.  seq may reach 2**31 - 1: a trigger refuses a larger one (it would spill into the
class bits, and an item into another audience's range).  The update trigger now also fires on the four extent
columns (the entry moves when its box does).  Rebuilding the index takes about 30 s at a million
items.

PostgreSQL: nothing changes.

Revision ID: 0011
Revises: 0010
"""

import importlib
from typing import Any

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# storage/item_search.py and storage/item_boxes.py read the same numbers (a test checks)
CLASS_SHIFT, SEQ_SHIFT = 61, 30
COLUMNS, ROWS = 256, 128  # the grid: 1.40625 degrees each way
XMIN_SHIFT, XMAX_SHIFT, YMIN_SHIFT = 22, 14, 7
EMPTY = (COLUMNS - 1) << XMIN_SHIFT | (ROWS - 1) << YMIN_SHIFT  # an item without an extent
EXTENT_COLUMNS = ("extent_xmin", "extent_ymin", "extent_xmax", "extent_ymax")


def _v9() -> Any:
    return importlib.import_module("geoshare.storage.migrations.versions.0009_search_classes")


def _cell(value: str, offset: str, cells: int, span: str) -> str:
    # the grid column (row) of a longitude (latitude): CAST truncates toward zero, then clamped
    return f"max(0, min({cells - 1}, CAST(({value} + {offset}) * {cells}.0 / {span} AS INTEGER)))"


def box_sql(row: str) -> str:
    """SQL: the box of the item `row` (storage/item_boxes.py describes it)."""
    missing = " OR ".join(f"{row}.{c} IS NULL" for c in EXTENT_COLUMNS)
    return (f"(CASE WHEN {missing} THEN {EMPTY} ELSE "
            f"(({_cell(row + '.extent_xmin', '180.0', COLUMNS, '360.0')} << {XMIN_SHIFT}) | "
            f"({_cell(row + '.extent_xmax', '180.0', COLUMNS, '360.0')} << {XMAX_SHIFT}) | "
            f"({_cell(row + '.extent_ymin', '90.0', ROWS, '180.0')} << {YMIN_SHIFT}) | "
            f"{_cell(row + '.extent_ymax', '90.0', ROWS, '180.0')}) END)")


def rowid(row: str) -> str:
    """SQL: the item_text rowid of the item `row` (NEW or OLD, or a table alias)."""
    v9 = _v9()
    return (f"(({row}.seq << {SEQ_SHIFT}) | {box_sql(row)} | "
            f"CASE WHEN instr({row}.acl, ' zp0') > 0 THEN {v9.PUBLIC << CLASS_SHIFT} "
            f"WHEN instr({row}.acl, ' zo') > 0 THEN {v9.ORG << CLASS_SHIFT} ELSE 0 END)")


MAX_SEQ = (1 << (CLASS_SHIFT - SEQ_SHIFT)) - 1
SEQ_LIMIT = (f"CREATE TRIGGER items_seq_limit BEFORE UPDATE OF seq ON items WHEN NEW.seq > {MAX_SEQ} BEGIN "
             "SELECT RAISE(ABORT, 'the item sequence is exhausted'); END")


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        _v9()._text_table(rowid, *EXTENT_COLUMNS)
        op.execute(SEQ_LIMIT)  # a new item's seq is set by an UPDATE (0006's items_seq_assign)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER items_seq_limit")
        _v9()._text_table(_v9().rowid)
