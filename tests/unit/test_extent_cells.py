"""The extent cells (domain/extent_cells.py): for any extent and any bbox, an item whose cell is
classified inside the bbox intersects it, and one whose cell is neither inside nor on its edge
does not, by the exact comparisons of the SQL condition (item_search.bbox_condition)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from geoshare.domain import extent_cells as cells

EDGES = [-180.0, -90.0, 0.0, 90.0, 180.0, -10.0, 35.0, 2.8125, 1.40625, 45.0, 22.5, -0.0001]
coordinate = st.one_of(st.sampled_from(EDGES), st.floats(-200, 200, allow_nan=False))
extent = st.one_of(st.just((None, None, None, None)), st.tuples(coordinate, coordinate, coordinate, coordinate))


def _box(values: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """A bbox the parameter's parser accepts: within WGS84, xmin <= xmax, ymin <= ymax."""
    x0, x1 = sorted(max(-180.0, min(180.0, v)) for v in values[0::2])
    y0, y1 = sorted(max(-90.0, min(90.0, v)) for v in values[1::2])
    return x0, y0, x1, y1


def _intersects(e: tuple, box: tuple[float, float, float, float]) -> bool:
    if any(v is None for v in e):
        return False
    return e[0] <= box[2] and e[2] >= box[0] and e[1] <= box[3] and e[3] >= box[1]


@settings(max_examples=400, deadline=None)
@given(e=extent, raw=st.tuples(coordinate, coordinate, coordinate, coordinate))
def test_the_classification_never_puts_an_item_on_the_wrong_side(e, raw) -> None:
    box = _box(raw)
    found = cells.classify(*box)
    code = cells.code_of(*e)
    if code in set(found.inside):
        assert _intersects(e, box), (e, box, code)
    elif code not in set(found.edge):
        assert not _intersects(e, box), (e, box, code)


def test_codes_name_nodes_and_the_lists_are_disjoint() -> None:
    assert cells.code_of(None, 1, 2, 3) == cells.NO_EXTENT
    assert cells.code_of(-180, -90, 180, 90) == 0  # the whole world: the root
    assert cells.code_of(10, 10, 5, 20) == 0  # not a rectangle: the root, always checked
    assert cells.code_of(-181, 0, 0, 1) == 0
    deepest = cells.code_of(0.1, 0.1, 0.2, 0.2)
    assert deepest == cells.code(cells.DEPTH, 64, 64)  # lon 0.1 -> column 64 of 128, lat 0.1 -> row 64
    assert cells.code_of(-1, -1, 1, 1) == 0  # straddles the root's centre lines
    assert cells.code_of(1, 1, 89, 44) == cells.code(2, 2, 2)  # 0..90 east, 0..45 north
    assert cells.code_of(1, 1, 100, 80) == cells.code(1, 1, 1)  # the world's north-east quarter
    found = cells.classify(-10, 35, 30, 60)
    assert not set(found.inside) & set(found.edge)
    assert 0 in found.edge and cells.NO_EXTENT not in found.inside + found.edge
    world = cells.classify(-180, -90, 180, 90)  # the root and the nodes along the world's border are checked
    assert 0 in world.edge and len(world.inside) + len(world.edge) == cells.offset(cells.DEPTH + 1)
    assert cells.code(cells.DEPTH, 64, 64) in world.inside and cells.code(cells.DEPTH, 0, 64) in world.edge
    total = cells.offset(cells.DEPTH + 1)
    assert total == 21845 and max(found.inside + found.edge) < total


def test_a_node_touching_the_bbox_only_at_its_edge_is_checked_not_excluded() -> None:
    """Closed comparisons: an extent ending exactly on the bbox's edge intersects it, so the node
    beside the bbox that may hold one is on the edge list."""
    x = -180 + 64 * 360 / 128  # the left edge of column 64 at the deepest level: 0.0
    found = cells.classify(x - 5, 10, x, 11)  # a bbox ending exactly there
    right = cells.code(cells.DEPTH, 64, int((10.5 + 90) * 128 / 180))
    assert right in found.edge
    assert cells.code_of(x, 10.5, x + 1, 10.6) == right
