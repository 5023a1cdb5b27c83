"""SQLite: an item's extent as a coarse box in the low bits of its full-text rowid (migration 0011).

The world is cut into a grid of COLUMNS x ROWS cells (1.40625 degrees each way).  An item's box
is the grid column of its extent's xmin and of its xmax, and the grid row of its ymin and of its
ymax, packed into BITS bits:

    box = xmin column << 22 | xmax column << 14 | ymin row << 7 | ymax row

An item without an extent (any of the four numbers missing) gets EMPTY, a box no bbox ever takes
without checking the row.  Both the box and the bbox go through the same monotone mapping
(`column_of`, `row_of`; the SQL of `box_expression` computes the same numbers), so for each of
the four comparisons of the intersection test:

* `extent_xmin <= bbox xmax` implies `column(extent_xmin) <= column(bbox xmax)`: an entry whose
  box fails the test with `<=` cannot intersect the bbox (it is left out from the rowid alone);
* `column(extent_xmin) < column(bbox xmax)` implies `extent_xmin < bbox xmax`: an entry whose box
  passes with `<` everywhere intersects it (it is kept from the rowid alone);
* the rest (an edge of the extent in a grid column or row the bbox's edge also falls in) is
  checked against the item's row.

This holds for any four numbers (an extent crossing the antimeridian, xmin > xmax, included):
each comparison is kept or dropped on its own, as the row's test makes it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, case, cast, column, exists, func, or_, table

from geoshare.storage.tables import items

COLUMNS, ROWS = 256, 128
XMIN_SHIFT, XMAX_SHIFT, YMIN_SHIFT = 22, 14, 7
BITS = 30  # what the box takes of the rowid; the seq sits above it (storage/item_search.py)
EMPTY = (COLUMNS - 1) << XMIN_SHIFT | (ROWS - 1) << YMIN_SHIFT  # no extent: xmin at the east edge, xmax at the west
_COLUMN_BITS, _ROW_BITS = 0xFF, 0x7F

Bbox = tuple[float, float, float, float]  # xmin, ymin, xmax, ymax (WGS84)
# The item row an uncertain entry is checked against: only the columns the check reads (an alias
# of the whole `items` table would build a proxy of each of its columns on every search).
_ROW = table("items", column("seq"), *(column(c.name) for c in
                                       (items.c.extent_xmin, items.c.extent_ymin, items.c.extent_xmax,
                                        items.c.extent_ymax))).alias("box_item")


def column_of(x: float) -> int:
    """The grid column of longitude `x` (values beyond -180..180 fall in the edge columns)."""
    return max(0, min(COLUMNS - 1, int((x + 180.0) * float(COLUMNS) / 360.0)))


def row_of(y: float) -> int:
    """The grid row of latitude `y` (values beyond -90..90 fall in the edge rows)."""
    return max(0, min(ROWS - 1, int((y + 90.0) * float(ROWS) / 180.0)))


def box_of(xmin: float | None, ymin: float | None, xmax: float | None, ymax: float | None) -> int:
    """The box of an extent (EMPTY when a number is missing)."""
    if xmin is None or ymin is None or xmax is None or ymax is None:
        return EMPTY
    return (column_of(xmin) << XMIN_SHIFT | column_of(xmax) << XMAX_SHIFT
            | row_of(ymin) << YMIN_SHIFT | row_of(ymax))


def _cell(value: Any, offset: float, cells: int, span: float) -> ColumnElement[Any]:
    """SQL: `column_of` (cells 256, span 360) or `row_of` (128, 180) of `value`.  CAST truncates
    toward zero as int() does; below zero both are clamped to 0."""
    return func.max(0, func.min(cells - 1, cast((value + offset) * float(cells) / span, Integer)))


def box_expression() -> ColumnElement[Any]:
    """The box of each row of `items` in SQL (storage/item_search.fts_rowid), the number
    `box_of` computes and migration 0011 writes into the rowid (a test checks all three agree)."""
    c = items.c
    empty = or_(c.extent_xmin.is_(None), c.extent_ymin.is_(None), c.extent_xmax.is_(None), c.extent_ymax.is_(None))
    packed = (_cell(c.extent_xmin, 180.0, COLUMNS, 360.0).op("<<")(XMIN_SHIFT)
              .op("|")(_cell(c.extent_xmax, 180.0, COLUMNS, 360.0).op("<<")(XMAX_SHIFT))
              .op("|")(_cell(c.extent_ymin, 90.0, ROWS, 180.0).op("<<")(YMIN_SHIFT))
              .op("|")(_cell(c.extent_ymax, 90.0, ROWS, 180.0)))
    return case((empty, EMPTY), else_=packed)


def _part(rowid: ColumnElement[Any], shift: int, mask: int) -> ColumnElement[Any]:
    return rowid.op(">>")(shift).op("&")(mask) if shift else rowid.op("&")(mask)


def entry_in_bbox(rowid: ColumnElement[Any], seq: ColumnElement[Any], bbox: Bbox) -> ColumnElement[bool]:
    """The full-text entries (`rowid`, of the item whose seq is `seq`) whose extent intersects
    `bbox`: decided from the box where it can be, from the item's row where it cannot.  The box
    is read from the low bits, so a bare box serves too (PostgreSQL's `item_postings.box`)."""
    xmin, ymin, xmax, ymax = bbox
    west, east, south, north = column_of(xmin), column_of(xmax), row_of(ymin), row_of(ymax)
    e_xmin = _part(rowid, XMIN_SHIFT, _COLUMN_BITS)
    e_xmax = _part(rowid, XMAX_SHIFT, _COLUMN_BITS)
    e_ymin = _part(rowid, YMIN_SHIFT, _ROW_BITS)
    e_ymax = _part(rowid, 0, _ROW_BITS)
    possible = and_(e_xmin <= east, e_xmax >= west, e_ymin <= north, e_ymax >= south)
    certain = and_(e_xmin < east, e_xmax > west, e_ymin < north, e_ymax > south)
    row = _ROW
    checked = exists().where(row.c.seq == seq, row.c.extent_xmin <= xmax, row.c.extent_xmax >= xmin,
                             row.c.extent_ymin <= ymax, row.c.extent_ymax >= ymin)
    return and_(possible, or_(certain, checked))
