"""An item's extent as a coarse box: the low bits of its SQLite full-text rowid (migrations 0011,
0013) and PostgreSQL's `item_postings.box` (0012, 0013).

The world is cut into a grid of COLUMNS x ROWS cells (1.40625 degrees each way).  An item's box
holds the grid column of its extent's xmin and of its xmax, and the grid row of its ymin and of
its ymax, each in a slot with one spare (guard) bit above it, BITS bits in all:

    box = (255 - xmin column) << 25 | xmax column << 16 | (127 - ymin row) << 8 | ymax row

The two minimums are stored turned around (255 - column, 127 - row), so each of the four tests a
bbox makes of a box reads "slot >= bound", and all four are one subtraction (`_all_at_least`): set
every guard bit, subtract the four bounds packed the same way, and a guard survives exactly when
its slot held at least its bound (a slot never borrows from the one above: a bound is at most
the guard's own value).  A search with a bbox makes that test for every match, so its cost
matters: one subtraction and one mask instead of four shifts, masks and comparisons.

An item without an extent (any of the four numbers missing) gets EMPTY (0: xmin in the east
column, xmax in the west one), a box no bbox ever takes without checking the row.  Both the box
and the bbox go through the same monotone mapping (`column_of`, `row_of`; the SQL of
`box_expression` computes the same numbers), so for each of the four comparisons of the
intersection test:

* `extent_xmin <= bbox xmax` implies `column(extent_xmin) <= column(bbox xmax)`: an entry whose
  box fails the test with `<=` cannot intersect the bbox (it is left out from the box alone);
* `column(extent_xmin) < column(bbox xmax)` implies `extent_xmin < bbox xmax`: an entry whose box
  passes with `<` everywhere intersects it (it is kept from the box alone);
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
XMIN_SHIFT, XMAX_SHIFT, YMIN_SHIFT = 25, 16, 8  # each slot: its field, then one guard bit
BITS = 34  # what the box takes of the rowid; the seq sits above it (storage/item_search.py)
EMPTY = 0  # no extent: xmin at the east edge, xmax at the west, ymin at the north, ymax at the south
GUARDS = 1 << (XMIN_SHIFT + 8) | 1 << (XMAX_SHIFT + 8) | 1 << (YMIN_SHIFT + 7) | 1 << 7
_ONES = 1 << XMIN_SHIFT | 1 << XMAX_SHIFT | 1 << YMIN_SHIFT | 1

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
    return ((COLUMNS - 1 - column_of(xmin)) << XMIN_SHIFT | column_of(xmax) << XMAX_SHIFT
            | (ROWS - 1 - row_of(ymin)) << YMIN_SHIFT | row_of(ymax))


def _cell(value: Any, offset: float, cells: int, span: float) -> ColumnElement[Any]:
    """SQL: `column_of` (cells 256, span 360) or `row_of` (128, 180) of `value`.  CAST truncates
    toward zero as int() does; below zero both are clamped to 0."""
    return func.max(0, func.min(cells - 1, cast((value + offset) * float(cells) / span, Integer)))


def box_expression() -> ColumnElement[Any]:
    """The box of each row of `items` in SQL (storage/item_search.fts_rowid), the number
    `box_of` computes and migration 0011 writes into the rowid (a test checks all three agree)."""
    c = items.c
    empty = or_(c.extent_xmin.is_(None), c.extent_ymin.is_(None), c.extent_xmax.is_(None), c.extent_ymax.is_(None))
    packed = ((COLUMNS - 1 - _cell(c.extent_xmin, 180.0, COLUMNS, 360.0)).op("<<")(XMIN_SHIFT)
              .op("|")(_cell(c.extent_xmax, 180.0, COLUMNS, 360.0).op("<<")(XMAX_SHIFT))
              .op("|")((ROWS - 1 - _cell(c.extent_ymin, 90.0, ROWS, 180.0)).op("<<")(YMIN_SHIFT))
              .op("|")(_cell(c.extent_ymax, 90.0, ROWS, 180.0)))
    return case((empty, EMPTY), else_=packed)


def bounds(bbox: Bbox) -> tuple[int, int]:
    """The bounds of a bbox, packed as a box is: the first for "the box may intersect it" (every
    slot at least its bound: xmin column <= the bbox's east column, xmax column >= its west one,
    and so for the rows), the second for "the box surely does" (every comparison strict)."""
    xmin, ymin, xmax, ymax = bbox
    west, east, south, north = column_of(xmin), column_of(xmax), row_of(ymin), row_of(ymax)
    possible = (COLUMNS - 1 - east) << XMIN_SHIFT | west << XMAX_SHIFT | (ROWS - 1 - north) << YMIN_SHIFT | south
    return possible, possible + _ONES


def slots_at_least(box: int, bound: int) -> bool:
    """Python's `_all_at_least`: every slot of `box` at least the same slot of `bound`."""
    return ((box | GUARDS) - bound) & GUARDS == GUARDS


def _all_at_least(rowid: ColumnElement[Any], bound: int) -> ColumnElement[bool]:
    # The bits above the box (a rowid's seq and class) pass through untouched: the top slot
    # never borrows.
    return rowid.op("|")(GUARDS).op("-")(bound).op("&")(GUARDS) == GUARDS


def entry_in_bbox(rowid: ColumnElement[Any], seq: ColumnElement[Any], bbox: Bbox) -> ColumnElement[bool]:
    """The full-text entries (`rowid`, of the item whose seq is `seq`) whose extent intersects
    `bbox`: decided from the box where it can be, from the item's row where it cannot.  The box
    is read from the low bits, so a bare box serves too (PostgreSQL's `item_postings.box`)."""
    return and_(box_may_meet(rowid, bbox), or_(box_surely_meets(rowid, bbox), extent_meets(seq, bbox)))


def box_may_meet(rowid: ColumnElement[Any], bbox: Bbox) -> ColumnElement[bool]:
    """The entries whose box does not rule out meeting `bbox` (the rest surely miss it)."""
    return _all_at_least(rowid, bounds(bbox)[0])


def box_surely_meets(rowid: ColumnElement[Any], bbox: Bbox) -> ColumnElement[bool]:
    """The entries whose box alone shows that the extent meets `bbox`."""
    return _all_at_least(rowid, bounds(bbox)[1])


def extent_meets(seq: ColumnElement[Any], bbox: Bbox) -> ColumnElement[bool]:
    """The item whose seq is `seq` has an extent meeting `bbox` (its row read: the edge cases)."""
    xmin, ymin, xmax, ymax = bbox
    row = _ROW
    return exists().where(row.c.seq == seq, row.c.extent_xmin <= xmax, row.c.extent_xmax >= xmin,
                          row.c.extent_ymin <= ymax, row.c.extent_ymax >= ymin)
