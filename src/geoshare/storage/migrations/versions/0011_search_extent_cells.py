"""Search (issue 11): SQLite writes each item's extent cell into the low bits of its full-text
rowid, so a `bbox` search with words decides most items from the index alone.

`items.extent_code` is the item's cell in a quadtree over WGS84 (domain/extent_cells.py: the
smallest node, to depth 7, holding the whole extent; 65535 without an extent; 0, the whole world,
for an extent that is not a valid WGS84 rectangle).  Triggers keep it from the extent columns in
the writing transaction.  The `item_text` entry moves to

    rowid = class * 2**56 + seq * 2**16 + cell        (0009's classes, seq, the cell)

so within a class the rowid order is still the seq order, and `rowid & 65535` is the cell: a
bbox search counts the items of the cells inside the bbox from the index, and checks only those
of the cells on its edge against their extents.

PostgreSQL: the column exists (the schema is one) but nothing fills it; its search reads extents.

Revision ID: 0011
Revises: 0010
"""

import importlib
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

DEPTH = 7  # domain/extent_cells.py has the same numbers (a test compares the codes)
NO_EXTENT = 65535
SEQ_SHIFT = 16
CLASS_SHIFT = 56
PUBLIC, ORG = 2, 1
EXTENT_COLUMNS = ("extent_xmin", "extent_ymin", "extent_xmax", "extent_ymax")


def code_sql(row: str) -> str:
    """SQL: the cell of the extent of `row` (NEW, OLD or a table name)."""
    x0, y0, x1, y1 = (f"{row}.{c}" for c in EXTENT_COLUMNS)
    last = (1 << DEPTH) - 1
    low_x = f"min({last}, CAST(({x0} + 180) * {1 << DEPTH}.0 / 360 AS INTEGER))"
    high_x = f"min({last}, CAST(({x1} + 180) * {1 << DEPTH}.0 / 360 AS INTEGER))"
    low_y = f"min({last}, CAST(({y0} + 90) * {1 << DEPTH}.0 / 180 AS INTEGER))"
    high_y = f"min({last}, CAST(({y1} + 90) * {1 << DEPTH}.0 / 180 AS INTEGER))"
    cases = []
    for depth in range(DEPTH, 0, -1):
        shift = DEPTH - depth
        first = sum(4 ** d for d in range(depth))
        cases.append(f"WHEN ({low_x} >> {shift}) = ({high_x} >> {shift}) AND ({low_y} >> {shift}) = ({high_y} >> {shift}) "
                     f"THEN {first} + ({low_y} >> {shift}) * {1 << depth} + ({low_x} >> {shift})")
    return (f"(CASE WHEN {x0} IS NULL OR {y0} IS NULL OR {x1} IS NULL OR {y1} IS NULL THEN {NO_EXTENT} "
            f"WHEN NOT ({x0} <= {x1} AND {y0} <= {y1} AND {x0} >= -180 AND {x1} <= 180 AND {y0} >= -90 "
            f"AND {y1} <= 90) THEN 0 " + " ".join(cases) + " ELSE 0 END)")


def rowid(row: str) -> str:
    """SQL: the item_text rowid of the item `row`: 0009's class, its seq, its cell."""
    return (f"((CASE WHEN instr({row}.acl, ' zp0') > 0 THEN {PUBLIC} WHEN instr({row}.acl, ' zo') > 0 THEN {ORG} "
            f"ELSE 0 END) * {1 << CLASS_SHIFT} + {row}.seq * {1 << SEQ_SHIFT} + coalesce({row}.extent_code, {NO_EXTENT}))")


def _module(name: str) -> Any:
    return importlib.import_module(f"geoshare.storage.migrations.versions.{name}")


def _set_codes(where: str) -> str:
    return f"UPDATE items SET extent_code = {code_sql('items')} WHERE {where};"  # noqa: S608


def upgrade():
    op.add_column("items", sa.Column("extent_code", sa.Integer, nullable=True))
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(_set_codes("1"))
    op.execute(f"CREATE TRIGGER items_extent_code_insert AFTER INSERT ON items BEGIN {_set_codes('id = NEW.id')} END")
    op.execute(f"CREATE TRIGGER items_extent_code_update AFTER UPDATE OF {', '.join(EXTENT_COLUMNS)} ON items BEGIN "
               f"{_set_codes('id = NEW.id')} END")
    _module("0009_search_classes")._text_table(rowid, "extent_code")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER items_extent_code_insert")
        op.execute("DROP TRIGGER items_extent_code_update")
        v9 = _module("0009_search_classes")
        v9._text_table(v9.rowid)
    op.drop_column("items", "extent_code")
