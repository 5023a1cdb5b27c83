"""Search (issue 11): PostgreSQL's posting lists carry each item's extent box, as SQLite's rowids do.

A search of one word (or a two-word phrase) with a bbox took the general path: the GIN index
found every item holding the word, and each one's row was read for its extent (1M items: 0.2 to
0.5 s).  Now every `item_postings` row carries its item's box (`box`, the 30-bit number of
storage/item_boxes.py: the grid columns of the extent's xmin and xmax, the grid rows of its ymin
and ymax; migration 0011 writes the same number into SQLite's rowids), included in the primary
key's index, so the index-only scans that read a word's matches also keep or drop most of them
by their box, and only those with an edge in a grid column or row of the bbox's edges are
checked against their row (storage/item_postings.py).

* `geoshare_item_box(xmin, ymin, xmax, ymax)` computes the box as item_boxes.box_of does: trunc()
  truncates toward zero as Python's int() does (a cast to integer would round).
* The trigger of 0008 is redefined to write the box with each new row and, when only the extent
  changed, to rewrite the box of the item's rows; its update trigger also fires on the four extent
  columns.  The fill function writes the box and rebuilds the key with `INCLUDE (box)`; the
  upgrade refills the lists (about six minutes at a million items on two cores: 5.0 GB of table,
  4.3 GB of index, 15% more than without the box).

SQLite: nothing changes (0011 did its part).

Revision ID: 0012
Revises: 0011
"""

import importlib
from typing import Any

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

BOX = r"""
CREATE OR REPLACE FUNCTION geoshare_item_box(xmin float8, ymin float8, xmax float8, ymax float8)
RETURNS integer LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN xmin IS NULL OR ymin IS NULL OR xmax IS NULL OR ymax IS NULL THEN {empty} ELSE
    (greatest(0, least(255, trunc((xmin + 180.0::float8) * 256.0::float8 / 360.0::float8)))::integer << 22)
    | (greatest(0, least(255, trunc((xmax + 180.0::float8) * 256.0::float8 / 360.0::float8)))::integer << 14)
    | (greatest(0, least(127, trunc((ymin + 90.0::float8) * 128.0::float8 / 180.0::float8)))::integer << 7)
    | greatest(0, least(127, trunc((ymax + 90.0::float8) * 128.0::float8 / 180.0::float8)))::integer END $$;
""".replace("{empty}", str(255 << 22 | 127 << 7))

POSTINGS = r"""
CREATE OR REPLACE FUNCTION geoshare_item_postings() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  old_terms text[] := '{}'; new_terms text[] := '{}'; old_scopes bigint[] := '{}'; new_scopes bigint[] := '{}';
  new_box integer;
BEGIN
  IF TG_OP <> 'INSERT' AND OLD.seq IS NOT NULL THEN
    old_terms := geoshare_item_terms(OLD.search_text);
    old_scopes := geoshare_scope_nums(geoshare_item_scope_tokens(OLD.access, OLD.acl));
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.seq IS NOT NULL THEN
    new_terms := geoshare_item_terms(NEW.search_text);
    new_scopes := geoshare_scope_nums(geoshare_item_scope_tokens(NEW.access, NEW.acl));
    new_box := geoshare_item_box(NEW.extent_xmin, NEW.extent_ymin, NEW.extent_xmax, NEW.extent_ymax);
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.seq IS DISTINCT FROM NEW.seq THEN
    DELETE FROM item_postings p USING unnest(old_terms) t(term), unnest(old_scopes) s(scope)
     WHERE p.term = t.term AND p.scope = s.scope AND p.seq = OLD.seq;
    old_terms := '{}'; old_scopes := '{}';
  END IF;
  DELETE FROM item_postings p USING (
      SELECT t, s FROM unnest(old_terms) t, unnest(old_scopes) s
      EXCEPT SELECT t, s FROM unnest(new_terms) t, unnest(new_scopes) s) gone
   WHERE p.term = gone.t AND p.scope = gone.s AND p.seq = OLD.seq;
  IF TG_OP = 'UPDATE' AND NEW.seq IS NOT NULL AND new_box IS DISTINCT FROM
     geoshare_item_box(OLD.extent_xmin, OLD.extent_ymin, OLD.extent_xmax, OLD.extent_ymax) THEN
    UPDATE item_postings p SET box = new_box FROM unnest(old_terms) t(term), unnest(old_scopes) s(scope)
     WHERE p.term = t.term AND p.scope = s.scope AND p.seq = NEW.seq;
  END IF;
  INSERT INTO item_postings (term, scope, seq, box)
    SELECT t, s, NEW.seq, new_box FROM (
      SELECT t, s FROM unnest(new_terms) t, unnest(new_scopes) s
      EXCEPT SELECT t, s FROM unnest(old_terms) t, unnest(old_scopes) s) added;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION geoshare_fill_item_postings() RETURNS void LANGUAGE plpgsql AS $$ BEGIN
  -- Every item's rows from scratch, the index built after them (migration, benchmark loads).
  TRUNCATE item_postings;
  ALTER TABLE item_postings DROP CONSTRAINT item_postings_pkey;
  INSERT INTO search_scopes (token)
    SELECT DISTINCT x FROM items, unnest(geoshare_item_scope_tokens(access, acl)) x WHERE seq IS NOT NULL
    ON CONFLICT DO NOTHING;
  INSERT INTO item_postings (term, scope, seq, box)
    SELECT t, s.num, i.seq, geoshare_item_box(i.extent_xmin, i.extent_ymin, i.extent_xmax, i.extent_ymax)
    FROM items i, unnest(geoshare_item_terms(i.search_text)) t, unnest(geoshare_item_scope_tokens(i.access, i.acl)) x
    JOIN search_scopes s ON s.token = x
    WHERE i.seq IS NOT NULL;
  ALTER TABLE item_postings ADD CONSTRAINT item_postings_pkey PRIMARY KEY (term, scope, seq) INCLUDE (box);
END $$;
"""

EXTENTS = ("extent_xmin", "extent_ymin", "extent_xmax", "extent_ymax")


def _v8() -> Any:
    return importlib.import_module("geoshare.storage.migrations.versions.0008_search_postings")


def _update_trigger(extents: bool) -> None:
    """0008's update trigger, also fired by a change of the extent when `extents`."""
    create = next(s for s in _v8()._triggers().split(";") if "items_postings_update" in s)
    if extents:
        old, new = (", ".join(f"{row}.{c}" for c in EXTENTS) for row in ("OLD", "NEW"))
        create = create.replace("OR OLD.seq IS DISTINCT FROM NEW.seq",
                                f"OR OLD.seq IS DISTINCT FROM NEW.seq OR ROW({old}) IS DISTINCT FROM ROW({new})")
        assert "extent_xmin" in create
    op.execute("DROP TRIGGER items_postings_update ON items")
    op.execute(create)


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        return
    op.execute("ALTER TABLE item_postings ADD COLUMN box integer")
    op.execute(BOX)
    op.execute(POSTINGS)
    _update_trigger(extents=True)
    op.execute("SELECT geoshare_fill_item_postings()")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        return
    _update_trigger(extents=False)
    op.execute(_v8().FUNCTIONS)  # 0008's trigger and fill functions, without the box
    op.execute("ALTER TABLE item_postings DROP CONSTRAINT item_postings_pkey")
    op.execute("ALTER TABLE item_postings DROP COLUMN box")
    op.execute("ALTER TABLE item_postings ADD CONSTRAINT item_postings_pkey PRIMARY KEY (term, scope, seq)")
    op.execute("DROP FUNCTION geoshare_item_box(float8, float8, float8, float8)")
