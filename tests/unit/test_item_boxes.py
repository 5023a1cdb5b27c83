"""storage/item_boxes.py: the guarded box and its one-subtraction test agree with the four
comparisons they replace, in Python and in SQL (SQLite), for every slot value at its edges and
for random boxes and bboxes; the bits above the box (a rowid's seq and class) change nothing."""

from __future__ import annotations

import random
import sqlite3

from sqlalchemy import column, literal_column
from sqlalchemy.dialects import sqlite

from geoshare.storage import item_boxes as b

RNG = random.Random(13)  # noqa: S311 (reproducible test data)
EDGE_COLUMNS = (0, 1, 2, 127, 128, 129, 253, 254, 255)
EDGE_ROWS = (0, 1, 2, 63, 64, 65, 125, 126, 127)


def _fields(box: int) -> tuple[int, int, int, int]:
    """xmin column, xmax column, ymin row, ymax row of a box (the minimums turned back)."""
    return (255 - (box >> b.XMIN_SHIFT & 0xFF), box >> b.XMAX_SHIFT & 0xFF, 127 - (box >> b.YMIN_SHIFT & 0x7F),
            box & 0x7F)


def _box(xmin: int, xmax: int, ymin: int, ymax: int) -> int:
    return (255 - xmin) << b.XMIN_SHIFT | xmax << b.XMAX_SHIFT | (127 - ymin) << b.YMIN_SHIFT | ymax


def _cells(bbox: b.Bbox) -> tuple[int, int, int, int]:
    xmin, ymin, xmax, ymax = bbox
    return b.column_of(xmin), b.column_of(xmax), b.row_of(ymin), b.row_of(ymax)


def _possible(box: int, bbox: b.Bbox) -> bool:
    x0, x1, y0, y1 = _fields(box)
    west, east, south, north = _cells(bbox)
    return x0 <= east and x1 >= west and y0 <= north and y1 >= south


def _certain(box: int, bbox: b.Bbox) -> bool:
    x0, x1, y0, y1 = _fields(box)
    west, east, south, north = _cells(bbox)
    return x0 < east and x1 > west and y0 < north and y1 > south


def _bbox_at(west: int, east: int, south: int, north: int) -> b.Bbox:
    """A bbox whose edges fall in these grid columns and rows (the middle of each cell)."""
    step = 360.0 / b.COLUMNS
    return (-180.0 + (west + 0.5) * step, -90.0 + (south + 0.5) * step, -180.0 + (east + 0.5) * step,
            -90.0 + (north + 0.5) * step)


def _cases() -> list[tuple[int, b.Bbox]]:
    boxes = [_box(x0, x1, y0, y1) for x0 in EDGE_COLUMNS[::2] for x1 in EDGE_COLUMNS[1::2]
             for y0 in EDGE_ROWS[::2] for y1 in EDGE_ROWS[1::2]]
    boxes += [_box(RNG.randrange(256), RNG.randrange(256), RNG.randrange(128), RNG.randrange(128)) for _ in range(300)]
    boxes.append(b.EMPTY)
    bboxes = [_bbox_at(w, e, s, n) for w in EDGE_COLUMNS[::3] for e in EDGE_COLUMNS[1::3]
              for s in EDGE_ROWS[::3] for n in EDGE_ROWS[1::3] if w <= e and s <= n]
    bboxes += [(-180.0, -90.0, 180.0, 90.0), (-10.0, 35.0, 30.0, 60.0), (0.0, 0.0, 0.0, 0.0)]
    return [(box, bbox) for box in boxes for bbox in RNG.sample(bboxes, 12)]


def test_box_of_turns_the_minimums_around_and_leaves_the_guards_clear() -> None:
    assert b.box_of(0.0, 0.0, 1.40625, 1.40625) == _box(128, 129, 64, 65)
    assert b.box_of(-180.0, -90.0, 180.0, 90.0) == _box(0, 255, 0, 127)
    assert b.box_of(None, 0.0, 1.0, 1.0) == b.EMPTY == _box(255, 0, 127, 0)
    for _ in range(200):
        xmin, ymin = RNG.uniform(-200, 200), RNG.uniform(-100, 100)
        box = b.box_of(xmin, ymin, xmin + RNG.uniform(0, 50), ymin + RNG.uniform(0, 50))
        assert box & b.GUARDS == 0 and box < 1 << b.BITS


def test_one_subtraction_equals_the_four_comparisons() -> None:
    for box, bbox in _cases():
        possible, certain = b.bounds(bbox)
        assert b.slots_at_least(box, possible) == _possible(box, bbox), (bin(box), bbox)
        assert b.slots_at_least(box, certain) == _certain(box, bbox), (bin(box), bbox)
    assert not b.slots_at_least(b.EMPTY, b.bounds((-180.0, -90.0, 180.0, 90.0))[1])  # EMPTY is never certain


def test_the_sql_test_reads_the_low_bits_of_a_rowid_as_python_does() -> None:
    """entry_in_bbox rendered for SQLite, over rowids with a seq and a class above the box, keeps
    exactly the boxes Python keeps ("possible", then "certain" or the row's check, which here
    answers no: no item row exists)."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE items (seq INTEGER, extent_xmin REAL, extent_ymin REAL, extent_xmax REAL, "
               "extent_ymax REAL)")
    db.execute("CREATE TABLE entries (rowid INTEGER PRIMARY KEY)")
    cases = _cases()[:1500]
    by_bbox: dict[b.Bbox, list[int]] = {}
    for box, bbox in cases:
        by_bbox.setdefault(bbox, []).append(box)
    for bbox, boxes in by_bbox.items():
        db.execute("DELETE FROM entries")
        rowids = {RNG.choice((0, 1, 2)) << 61 | RNG.randrange(1, 1 << 27) << b.BITS | box: box for box in boxes}
        db.executemany("INSERT OR IGNORE INTO entries (rowid) VALUES (?)", [(r,) for r in rowids])
        condition = b.entry_in_bbox(literal_column("entries.rowid"), column("seq"), bbox)
        sql = condition.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True})
        kept = {r for (r,) in db.execute(f"SELECT rowid FROM entries WHERE {sql}")}  # noqa: S608
        assert kept == {r for r, box in rowids.items() if _possible(box, bbox) and _certain(box, bbox)}, bbox
