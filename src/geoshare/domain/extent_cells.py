"""Extent cells: a quadtree over WGS84 that lets SQLite's full-text index tell, for most items,
whether an item's extent intersects a `bbox` without reading the item (migration 0011).

An item's cell is the smallest quadtree node, down to depth DEPTH, whose rectangle holds its whole
extent.  The database computes it (`items.extent_code`, kept by triggers) and writes it into the
low 16 bits of the item's full-text rowid (storage/item_search.py).  For a bbox, `classify` sorts
the nodes: a node whose rectangle lies inside the bbox holds only items that intersect it (an
extent inside the node is inside the bbox); a node whose rectangle misses the bbox holds none; the
items of the other nodes (on the bbox's edge, or bigger than it) are checked against their
extents.  The rectangles are widened by EPSILON in both tests, so rounding in the database's
arithmetic can never put an item on the wrong side.

Codes: node (depth d, column ix, row iy) is `offset(d) + iy * 2**d + ix`, where offset(d) counts
the nodes of the shallower depths (the root, the whole world, is 0); NO_EXTENT marks an item
without an extent (it never intersects a bbox).  An item whose extent is not a valid WGS84
rectangle gets the root, which is therefore always on the edge list: checked the way the SQL
condition checks it.
"""

from __future__ import annotations

from dataclasses import dataclass

DEPTH = 7  # the deepest level: 2.8125 x 1.40625 degree cells
NO_EXTENT = 65535
EPSILON = 1e-9


def offset(depth: int) -> int:
    """The code of the first node at `depth` (the number of nodes above it)."""
    return sum(4 ** d for d in range(depth))


def code(depth: int, ix: int, iy: int) -> int:
    return offset(depth) + iy * (1 << depth) + ix


def rectangle(depth: int, ix: int, iy: int) -> tuple[float, float, float, float]:
    width, height = 360.0 / (1 << depth), 180.0 / (1 << depth)
    return -180.0 + ix * width, -90.0 + iy * height, -180.0 + (ix + 1) * width, -90.0 + (iy + 1) * height


def code_of(xmin: float | None, ymin: float | None, xmax: float | None, ymax: float | None) -> int:
    """The cell of an extent, as migration 0011's SQL computes it (a test compares the two)."""
    if xmin is None or ymin is None or xmax is None or ymax is None:
        return NO_EXTENT
    if not (xmin <= xmax and ymin <= ymax and xmin >= -180 and xmax <= 180 and ymin >= -90 and ymax <= 90):
        return 0
    last = (1 << DEPTH) - 1
    low_x, high_x = min(last, int((xmin + 180) * (1 << DEPTH) / 360)), min(last, int((xmax + 180) * (1 << DEPTH) / 360))
    low_y, high_y = min(last, int((ymin + 90) * (1 << DEPTH) / 180)), min(last, int((ymax + 90) * (1 << DEPTH) / 180))
    for depth in range(DEPTH, 0, -1):
        shift = DEPTH - depth
        if low_x >> shift == high_x >> shift and low_y >> shift == high_y >> shift:
            return code(depth, low_x >> shift, low_y >> shift)
    return 0


@dataclass(frozen=True)
class Cells:
    inside: list[int]  # codes whose items all intersect the bbox
    edge: list[int]  # codes whose items must be checked


def classify(xmin: float, ymin: float, xmax: float, ymax: float) -> Cells:
    """The codes of the nodes inside the bbox and of the nodes on its edge (the rest miss it)."""
    inside: list[int] = []
    edge: list[int] = []

    def visit(depth: int, ix: int, iy: int) -> None:
        left, bottom, right, top = rectangle(depth, ix, iy)
        if (left - EPSILON > xmax or right + EPSILON < xmin or bottom - EPSILON > ymax
                or top + EPSILON < ymin):
            return
        if left - EPSILON >= xmin and right + EPSILON <= xmax and bottom - EPSILON >= ymin and top + EPSILON <= ymax:
            _subtree(depth, ix, iy, inside)
            return
        edge.append(code(depth, ix, iy))
        if depth < DEPTH:
            for dy in (0, 1):
                for dx in (0, 1):
                    visit(depth + 1, ix * 2 + dx, iy * 2 + dy)

    # The root is always checked: it also holds the extents that are not valid WGS84 rectangles.
    edge.append(0)
    for dy in (0, 1):
        for dx in (0, 1):
            visit(1, dx, dy)
    return Cells(sorted(inside), sorted(edge))


def _subtree(depth: int, ix: int, iy: int, into: list[int]) -> None:
    """The codes of a node and of every node under it."""
    for below in range(DEPTH - depth + 1):
        size = 1 << below
        level = depth + below
        for y in range(iy * size, (iy + 1) * size):
            first = code(level, ix * size, y)
            into.extend(range(first, first + size))
