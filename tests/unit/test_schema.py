"""The Alembic migrations build exactly the tables declared in storage/tables.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect

from geoshare.storage import migrate
from geoshare.storage.tables import metadata


def test_migrations_match_tables(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    migrate.upgrade(engine)
    migrate.upgrade(engine)  # idempotent: a second start changes nothing
    found = inspect(engine)
    # The full-text index (item_text and its FTS5 shadow tables) is the database's own (0006), and so
    # are the word pairs, word list and word cutter of 0014 (item_pairs, item_terms, item_words...).
    names = {n for n in found.get_table_names() if not n.startswith(("item_text", "item_words_"))}
    assert names - {"alembic_version"} - set(migrate.DATABASE_ONLY_TABLES) == set(metadata.tables)
    assert {"item_pairs", "item_terms", "item_words"} <= names and "item_words_at" in found.get_table_names()
    for table in metadata.sorted_tables:
        assert {c["name"] for c in found.get_columns(table.name)} == {c.name for c in table.columns}, table.name
    engine.dispose()


def _migrate_to(engine, revision: str, down: bool = False) -> None:
    from alembic import command

    config = migrate.alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(config, revision)


def _engine_for_migration(tmp_path):
    """A database of its own: SQLite in tmp_path, or a new PostgreSQL database beside the test one."""
    import os

    url = os.environ.get("GEOSHARE_TEST_DATABASE_URL", "")
    if not url:
        return create_engine(f"sqlite:///{tmp_path / 'm.db'}"), lambda: None
    from tests.e2e.support import fresh_database

    new_url, drop = fresh_database(url)
    return create_engine(new_url), drop


def test_0002_moves_locks_to_lockouts_and_keeps_tokens(tmp_path):
    """Existing locks survive the move off users.locked_until, and on SQLite dropping the
    column does not cascade into the tokens (as a table copy with foreign keys on would)."""
    from sqlalchemy import text

    from geoshare.storage.engine import Database

    engine, drop = _engine_for_migration(tmp_path)
    if engine.dialect.name == "sqlite":  # the pragmas geoshare itself connects with (foreign keys on)
        engine = Database(str(engine.url)).sync_engine
    try:
        _migrate_to(engine, "0001")
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO orgs VALUES ('o', 'Org', true, 'public', NULL, NULL, '{}', 1, 1)"))
            for uid, key, until in (("u1", "locked", 9_999_999_999_999), ("u2", "free", 0)):
                conn.execute(text("INSERT INTO users (id, org_id, username, username_key, role, "
                                  "user_license_type_id, access, tags, provider, disabled, locked_until, last_login, "
                                  "created, modified) VALUES (:id, 'o', :key, :key, 'org_user', 'creatorUT', 'org', "
                                  "'[]', 'arcgis', false, :until, -1, 1, 1)"), {"id": uid, "key": key, "until": until})
            conn.execute(text("INSERT INTO tokens VALUES ('h', 'generate', 'u1', NULL, NULL, NULL, 1, 2, false)"))
        _migrate_to(engine, "head")
        with engine.begin() as conn:
            assert conn.execute(text("SELECT username_key, locked_until FROM lockouts")).all() == [
                ("locked", 9_999_999_999_999)]
            assert conn.execute(text("SELECT token_hash, family FROM tokens")).all() == [("h", None)]
        _migrate_to(engine, "0001", down=True)
        with engine.begin() as conn:
            rows = conn.execute(text("SELECT username_key, locked_until FROM users ORDER BY username_key")).all()
            assert rows == [("free", 0), ("locked", 9_999_999_999_999)]
    finally:
        engine.dispose()
        drop()


def _owner(conn) -> None:
    """Organization 'o' (public) and its member 'u', for the round-trip tests' items."""
    from sqlalchemy import text

    conn.execute(text("INSERT INTO orgs (id, name, is_default, access, settings, can_share_public, "
                      "can_search_public, created, modified) VALUES ('o', 'Org', true, 'public', '{}', true, true, 1, 1)"))
    conn.execute(text("INSERT INTO users (id, org_id, username, username_key, role, user_license_type_id, access, "
                      "tags, provider, disabled, last_login, created, modified) VALUES ('u', 'o', 'u', 'u', 'org_user', "
                      "'creatorUT', 'org', '[]', 'arcgis', false, -1, 1, 1)"))


def add(conn, item_id: str, title: str) -> None:
    """A public Web Map of 'u' titled `title`, written in SQL (as any writer could)."""
    from sqlalchemy import text

    conn.execute(text(
        "INSERT INTO items (id, org_id, owner_id, title, title_key, type, type_keywords, tags, categories, "
        "data_kind, size, shared_public, shared_org, access, protected, comments_enabled, num_comments, "
        "num_ratings, avg_rating, num_views, status, listed, created, modified) VALUES (:id, 'o', 'u', :t, :t, "
        "'Web Map', '[]', '[]', '[]', 'none', 0, true, false, 'public', false, true, 0, 0, 0, 0, 'ok', "
        "false, 1, 1)"), {"id": item_id, "t": title})


def test_0007_round_trip_keeps_the_full_text_index(tmp_path):
    """Down to 0006 and up again: the text index is rebuilt from the rows each way, and its
    triggers keep indexing items written in between (SQLite's FTS5 table; PostgreSQL's column)."""
    from sqlalchemy import text

    from geoshare.storage.engine import Database

    engine, drop = _engine_for_migration(tmp_path)
    sqlite = engine.dialect.name == "sqlite"
    if sqlite:
        engine = Database(str(engine.url)).sync_engine

    def found(conn, word: str, seq: str = "(134217727 - ((item_text.rowid >> 34) & 134217727))") -> list[str]:
        if sqlite:  # the entry's seq: at head (0013) above the box; at 0006 the rowid itself
            sql = (f"SELECT items.id FROM item_text JOIN items ON items.seq = {seq} "
                   "WHERE item_text MATCH :w ORDER BY items.id")
        else:
            sql = "SELECT id FROM items WHERE search_text @@ to_tsquery('geoshare_text', :w) ORDER BY id"
        return [r[0] for r in conn.execute(text(sql), {"w": word})]

    try:
        _migrate_to(engine, "head")
        with engine.begin() as conn:
            _owner(conn)
            add(conn, "a", "Harbour map")
        _migrate_to(engine, "0006", down=True)
        with engine.begin() as conn:
            add(conn, "b", "Harbour plan")
            assert found(conn, "harbour", "item_text.rowid") == ["a", "b"]
        _migrate_to(engine, "head")
        with engine.begin() as conn:
            add(conn, "c", "Harbour dock")
            assert found(conn, "harbour") == ["a", "b", "c"]
            acl = conn.execute(text("SELECT acl FROM items WHERE id = 'c'")).scalar_one()
            assert "zp0" in acl.split() and "za0" in acl.split()
    finally:
        engine.dispose()
        drop()


def test_0008_round_trip_rebuilds_the_posting_lists(tmp_path):
    """Down to 0007 and up again (PostgreSQL): the posting lists are filled from every item,
    including one written while they were gone, and the triggers post the items written after.
    On SQLite 0008 changes nothing."""
    from sqlalchemy import inspect, text

    engine, drop = _engine_for_migration(tmp_path)
    sqlite = engine.dialect.name == "sqlite"

    def posted(conn, term: str) -> list[str]:
        return [r[0] for r in conn.execute(text(
            "SELECT i.id FROM item_postings p JOIN items i ON i.seq = p.seq JOIN search_scopes s ON s.num = p.scope "
            "WHERE p.term = :t AND s.token = 'zq6f0' ORDER BY i.id"), {"t": term})]  # public in org 'o'

    try:
        _migrate_to(engine, "head")
        if sqlite:
            assert "item_postings" not in inspect(engine).get_table_names()
            return
        with engine.begin() as conn:
            _owner(conn)
            add(conn, "a", "Harbour map")
            assert posted(conn, "harbour:A") == ["a"]
        _migrate_to(engine, "0007", down=True)
        assert "item_postings" not in inspect(engine).get_table_names()
        with engine.begin() as conn:
            add(conn, "b", "Harbour plan")
        _migrate_to(engine, "head")
        with engine.begin() as conn:
            assert posted(conn, "harbour:A") == ["a", "b"]
            add(conn, "c", "Harbour dock")
            assert posted(conn, "harbour:A") == ["a", "b", "c"]
            assert posted(conn, "dock:A") == ["c"]
    finally:
        engine.dispose()
        drop()


def test_0009_round_trip_moves_entries_between_the_rowid_classes(tmp_path):
    """SQLite: at 0009 an item's entry sits at seq + its class's offset (public 2, org 1, the rest
    0, as storage/item_search.py reads them); down to 0008 every entry is back at its seq; up again
    every item, one written in between included, is in its class, and an access change moves its
    entry (the old one is gone).  PostgreSQL: 0009 changes nothing."""
    import importlib

    from sqlalchemy import text

    from geoshare.storage import item_search as store
    from geoshare.storage.engine import Database

    v9 = importlib.import_module("geoshare.storage.migrations.versions.0009_search_classes")
    v13 = importlib.import_module("geoshare.storage.migrations.versions.0013_search_box_guards")
    assert (v9.PUBLIC, v9.ORG) == (store.PUBLIC, store.ORG)
    assert (v13.CLASS_SHIFT, v13.SEQ_SHIFT) == (store.CLASS_SHIFT, store.SEQ_SHIFT)
    engine, drop = _engine_for_migration(tmp_path)
    if engine.dialect.name != "sqlite":
        drop()
        return
    engine = Database(str(engine.url)).sync_engine

    def entries(conn) -> dict[str, int]:
        rows = conn.execute(text("SELECT items.id, item_text.rowid FROM item_text JOIN items "
                                 "ON items.seq = (item_text.rowid & 1099511627775) WHERE item_text MATCH 'harbour'"))
        seqs = dict(conn.execute(text("SELECT id, seq FROM items")).all())
        return {i: (r - seqs[i]) >> 40 for i, r in rows}

    def set_access(conn, item_id: str, value: str) -> None:
        conn.execute(text("UPDATE items SET access = :a WHERE id = :i"), {"a": value, "i": item_id})

    try:
        _migrate_to(engine, "0009")
        with engine.begin() as conn:
            _owner(conn)
            for item_id in "abc":
                add(conn, item_id, f"Harbour {item_id}")
            set_access(conn, "b", "org")
            set_access(conn, "c", "private")
            assert entries(conn) == {"a": 2, "b": 1, "c": 0}
        _migrate_to(engine, "0008", down=True)
        with engine.begin() as conn:
            add(conn, "d", "Harbour d")
            assert entries(conn) == {"a": 0, "b": 0, "c": 0, "d": 0}
        _migrate_to(engine, "0009")
        with engine.begin() as conn:
            assert entries(conn) == {"a": 2, "b": 1, "c": 0, "d": 2}
            set_access(conn, "a", "shared")
            set_access(conn, "c", "org")
            assert entries(conn) == {"a": 0, "b": 1, "c": 1, "d": 2}
            assert conn.execute(text("SELECT count(*) FROM item_text WHERE item_text MATCH 'harbour'")).scalar() == 4
            conn.execute(text("DELETE FROM items WHERE id = 'b'"))
            assert entries(conn) == {"a": 0, "c": 1, "d": 2}
    finally:
        drop()


# Extents for the box tests (0011, 0012): on grid lines, just inside a grid line, across the
# antimeridian (xmin > xmax), beyond the world, missing, in a corner.
EXTENTS = {"a": (-180.0, -90.0, 180.0, 90.0), "b": (0.0, 0.0, 1.40625, 1.40625), "c": (-1e-9, -45.0, 10.5, 45.0),
           "d": (170.0, -10.0, -170.0, 10.0), "e": (-200.0, -100.0, 200.0, 100.0), "f": None,
           "g": (-179.9, 89.9, -179.8, 89.95)}


def set_extent(conn, item_id: str, e) -> None:
    from sqlalchemy import text

    e = e or (None, None, None, None)
    conn.execute(text("UPDATE items SET extent_xmin = :a, extent_ymin = :b, extent_xmax = :c, extent_ymax = :d "
                      "WHERE id = :i"), dict(zip("abcd", e, strict=True), i=item_id))


def _box_0011(e) -> int:
    """Migration 0011's box (before 0013's guard bits): xmin column << 22 | xmax column << 14 |
    ymin row << 7 | ymax row, and 255 << 22 | 127 << 7 without an extent."""
    from geoshare.storage import item_boxes

    if e is None:
        return 255 << 22 | 127 << 7
    xmin, ymin, xmax, ymax = e
    return (item_boxes.column_of(xmin) << 22 | item_boxes.column_of(xmax) << 14 | item_boxes.row_of(ymin) << 7
            | item_boxes.row_of(ymax))


@dataclass(frozen=True)
class RowidLayout:
    """SQLite: where a migration puts an item's full-text entry, and the one below it."""

    revision: str
    seq: str  # SQL: an entry's item seq, read from item_text.rowid
    rowid: Callable[[int, Any], int]  # (seq, extent) -> the entry's rowid (a public item)
    max_seq: int
    below: str  # the revision under it, and its seq expression and rowid
    below_seq: str
    below_rowid: Callable[[int, Any], int]


LAYOUT_0011 = RowidLayout("0011", "((item_text.rowid >> 30) & 2147483647)",
                          lambda seq, e: 2 << 61 | seq << 30 | _box_0011(e), 2**31 - 1,
                          "0010", "(item_text.rowid & 1099511627775)", lambda seq, e: seq + (2 << 40))


def _entries(conn, seq: str) -> dict[str, int]:
    from sqlalchemy import text

    return dict(conn.execute(text(f"SELECT items.id, item_text.rowid FROM item_text JOIN items ON items.seq = {seq} "
                                  "WHERE item_text MATCH 'harbour'")).all())


def _rowid_round_trip(engine, layout: RowidLayout, check: Callable[[Any, dict[str, int]], None]) -> dict[str, Any]:
    """SQLite, for `layout`: every entry at its rowid for extents on grid lines, beyond the world,
    crossing the antimeridian and missing; down to the revision below, every entry (one written
    in between included) at that one's; up again, at this one's; an extent change moves the entry
    (the old one gone); the largest seq that fits too, and a larger one is refused.  `check` sees
    each wanted set of rowids (and may compare it with another computation).  Returns the
    extents as they end."""
    from sqlalchemy import text

    extents = dict(EXTENTS)

    def wanted(conn, rowid: Callable[[int, Any], int] = layout.rowid) -> dict[str, int]:
        seqs = dict(conn.execute(text("SELECT id, seq FROM items")).all())
        want = {i: rowid(seqs[i], extents[i]) for i in seqs}
        if rowid is layout.rowid:
            check(conn, want)
        return want

    _migrate_to(engine, layout.revision)
    with engine.begin() as conn:
        _owner(conn)
        for item_id in "abcdef":
            add(conn, item_id, f"Harbour {item_id}")
            set_extent(conn, item_id, extents[item_id])
        assert _entries(conn, layout.seq) == wanted(conn)
    _migrate_to(engine, layout.below, down=True)
    with engine.begin() as conn:
        add(conn, "g", "Harbour g")
        set_extent(conn, "g", extents["g"])
        assert _entries(conn, layout.below_seq) == wanted(conn, layout.below_rowid)
    _migrate_to(engine, layout.revision)
    with engine.begin() as conn:
        assert _entries(conn, layout.seq) == wanted(conn)
        extents["a"] = (10.0, 20.0, 30.0, 40.0)
        set_extent(conn, "a", extents["a"])
        extents["f"] = (1.0, 2.0, 3.0, 4.0)
        set_extent(conn, "f", extents["f"])
        assert _entries(conn, layout.seq) == wanted(conn)
        assert conn.execute(text("SELECT count(*) FROM item_text WHERE item_text MATCH 'harbour'")).scalar() == 7
        conn.execute(text(f"UPDATE items SET seq = {layout.max_seq} WHERE id = 'a'"))  # the largest one that fits
        assert _entries(conn, layout.seq) == wanted(conn)
    with pytest.raises(Exception, match="item sequence is exhausted"), engine.begin() as conn:
        conn.execute(text(f"UPDATE items SET seq = {layout.max_seq + 1} WHERE id = 'b'"))
    return extents


def test_0011_round_trip_writes_each_extent_box_into_the_rowid(tmp_path):
    """SQLite: at 0011 an entry's rowid is class << 61 | seq << 30 | its extent's box (0011's
    layout), through a round trip down to 0010 (seq + class << 40) and up (_rowid_round_trip).
    PostgreSQL: 0011 changes nothing."""
    import importlib

    from geoshare.storage.engine import Database

    v11 = importlib.import_module("geoshare.storage.migrations.versions.0011_search_boxes")
    assert (v11.COLUMNS, v11.ROWS, v11.EMPTY) == (256, 128, _box_0011(None))
    assert (v11.XMIN_SHIFT, v11.XMAX_SHIFT, v11.YMIN_SHIFT) == (22, 14, 7)
    assert _box_0011(EXTENTS["b"]) == (128 << 22 | 129 << 14 | 64 << 7 | 65)
    assert _box_0011(EXTENTS["c"]) == (127 << 22 | 135 << 14 | 32 << 7 | 96)
    engine, drop = _engine_for_migration(tmp_path)
    try:
        if engine.dialect.name == "sqlite":
            _rowid_round_trip(Database(str(engine.url)).sync_engine, LAYOUT_0011, lambda conn, want: None)
    finally:
        drop()


def _posting_boxes_down_to_0012(engine) -> None:
    """PostgreSQL: down from head to 0012 every posting row's box is 0012's again (integer),
    computed from 0013's; up again, 0013's."""
    from sqlalchemy import text

    from geoshare.storage import item_boxes

    def boxes(conn) -> dict[str, set[int]]:
        found: dict[str, set[int]] = {}
        for item_id, box in conn.execute(text("SELECT i.id, p.box FROM item_postings p JOIN items i ON i.seq = p.seq")):
            found.setdefault(item_id, set()).add(int(box))
        return found

    _migrate_to(engine, "head")
    with engine.begin() as conn:
        _owner(conn)
        for item_id in "abcdefg":
            add(conn, item_id, f"Harbour {item_id}")
            set_extent(conn, item_id, EXTENTS[item_id])
    _migrate_to(engine, "0012", down=True)
    with engine.begin() as conn:
        assert boxes(conn) == {i: {_box_0011(e)} for i, e in EXTENTS.items()}
    _migrate_to(engine, "head")
    with engine.begin() as conn:
        assert boxes(conn) == {i: {item_boxes.box_of(*(e or (None,) * 4))} for i, e in EXTENTS.items()}


def test_0013_round_trip_moves_each_box_into_its_guarded_slots(tmp_path):
    """SQLite: at head an entry's rowid is class << 61 | (2**27 - 1 - seq) << 34 | its extent's
    box with guard bits (storage/item_boxes.box_of, and item_search.fts_rowid in SQL, agree),
    through a round trip down to 0012 (0011's layout) and up (_rowid_round_trip).  A new item
    past the seq limit is refused, and the upgrade refuses a database already past it.
    PostgreSQL: down to 0012 the posting boxes are 0012's again, and up again 0013's."""
    import importlib

    from sqlalchemy import select, text

    from geoshare.storage import item_boxes
    from geoshare.storage import item_search as store
    from geoshare.storage.engine import Database
    from geoshare.storage.tables import items

    v13 = importlib.import_module("geoshare.storage.migrations.versions.0013_search_box_guards")
    assert (v13.COLUMNS, v13.ROWS, v13.EMPTY) == (item_boxes.COLUMNS, item_boxes.ROWS, item_boxes.EMPTY)
    assert (v13.XMIN_SHIFT, v13.XMAX_SHIFT, v13.YMIN_SHIFT) == (
        item_boxes.XMIN_SHIFT, item_boxes.XMAX_SHIFT, item_boxes.YMIN_SHIFT)
    assert (v13.CLASS_SHIFT, v13.SEQ_SHIFT) == (store.CLASS_SHIFT, store.SEQ_SHIFT) == (61, item_boxes.BITS)
    assert item_boxes.box_of(*EXTENTS["b"]) == (127 << 25 | 129 << 16 | 63 << 8 | 65)
    assert item_boxes.box_of(*EXTENTS["c"]) == (128 << 25 | 135 << 16 | 95 << 8 | 96)
    assert item_boxes.box_of(None, 1.0, 2.0, 3.0) == 0
    engine, drop = _engine_for_migration(tmp_path)
    if engine.dialect.name != "sqlite":
        _posting_boxes_down_to_0012(engine)
        engine.dispose()
        drop()
        return
    engine = Database(str(engine.url)).sync_engine
    head = RowidLayout("head", "(134217727 - ((item_text.rowid >> 34) & 134217727))",
                       lambda seq, e: 2 << 61 | (134217727 - seq) << 34 | item_boxes.box_of(*(e or (None,) * 4)),
                       2**27 - 1, "0012", LAYOUT_0011.seq, LAYOUT_0011.rowid)

    def computed(conn, want: dict[str, int]) -> None:  # the SQL of fts_rowid and Python's box_of agree
        assert dict(conn.execute(select(items.c.id, store.fts_rowid())).all()) == want

    try:
        extents = _rowid_round_trip(engine, head, computed)
        with pytest.raises(Exception, match="item sequence is exhausted"), engine.begin() as conn:
            add(conn, "z", "Harbour z")  # its seq would be the limit's next
        with engine.begin() as conn:
            seqs = dict(conn.execute(text("SELECT id, seq FROM items")).all())
            assert _entries(conn, head.seq) == {i: head.rowid(seqs[i], extents[i]) for i in seqs}
        # a database whose items went past the limit under 0011's wider one cannot move up
        _migrate_to(engine, "0012", down=True)
        with engine.begin() as conn:
            conn.execute(text("UPDATE items SET seq = 134217728 WHERE id = 'a'"))
        with pytest.raises(Exception, match="reaches 134217728"):
            _migrate_to(engine, "head")
    finally:
        drop()


def test_0010_round_trip_posts_and_removes_the_word_pairs(tmp_path):
    """Down below 0010 and up again (PostgreSQL): the pairs leave the posting lists and the words
    stay; back up, the lists are refilled with the pairs of every item, including one written
    in between, and the trigger posts the pairs of the items written after.  On SQLite 0010
    changes nothing."""
    import importlib

    from sqlalchemy import inspect, text

    below = importlib.import_module("geoshare.storage.migrations.versions.0010_search_phrase_postings").down_revision
    engine, drop = _engine_for_migration(tmp_path)

    def posted(conn, term: str) -> list[str]:
        return [r[0] for r in conn.execute(text(
            "SELECT i.id FROM item_postings p JOIN items i ON i.seq = p.seq JOIN search_scopes s ON s.num = p.scope "
            "WHERE p.term = :t AND s.token = 'zq6f0' ORDER BY i.id"), {"t": term})]  # public in org 'o'

    def pairs(conn) -> int:
        return int(conn.execute(text("SELECT count(*) FROM item_postings WHERE strpos(term, ' ') > 0")).scalar_one())

    try:
        _migrate_to(engine, "head")
        if engine.dialect.name == "sqlite":
            assert "item_postings" not in inspect(engine).get_table_names()
            return
        with engine.begin() as conn:
            _owner(conn)
            add(conn, "a", "Harbour map")
            assert posted(conn, "harbour map:A") == ["a"]
            assert pairs(conn) == 2  # "harbour map:A" and, from the type, "web map:C"
        _migrate_to(engine, below, down=True)
        with engine.begin() as conn:
            assert pairs(conn) == 0
            assert posted(conn, "harbour:A") == ["a"]
            add(conn, "b", "Harbour map plan")
            assert posted(conn, "harbour map:A") == []
        _migrate_to(engine, "head")
        with engine.begin() as conn:
            assert posted(conn, "harbour map:A") == ["a", "b"]
            assert posted(conn, "map plan:A") == ["b"]
            add(conn, "c", "Harbour map dock")
            assert posted(conn, "harbour map:A") == ["a", "b", "c"]
            assert posted(conn, "map dock:A") == ["c"]
            assert posted(conn, "web map:C") == ["a", "b", "c"]
            assert posted(conn, "harbour:A") == ["a", "b", "c"]
    finally:
        engine.dispose()
        drop()


def test_0012_round_trip_writes_each_extent_box_into_the_posting_lists(tmp_path):
    """PostgreSQL: at head every posting row carries its item's box, the number
    storage/item_boxes.box_of computes (geoshare_item_box agrees with it on grid lines, beyond the
    world, across the antimeridian and without an extent); an extent change rewrites the box of
    every row of the item, and a change of its words or access posts the new rows with it; down to
    0011 the column is gone and the lists still answer; up again they are refilled with the box of
    every item, one written in between included.  On SQLite 0012 changes nothing."""
    from sqlalchemy import inspect, text

    from geoshare.storage import item_boxes

    engine, drop = _engine_for_migration(tmp_path)
    extents = dict(EXTENTS)

    def boxes(conn) -> dict[str, set[int]]:
        found: dict[str, set[int]] = {}
        for item_id, box in conn.execute(text("SELECT i.id, p.box FROM item_postings p JOIN items i ON i.seq = p.seq")):
            found.setdefault(item_id, set()).add(box)
        return found

    def wanted() -> dict[str, set[int]]:
        return {i: {item_boxes.box_of(*(e or (None,) * 4))} for i, e in extents.items()}

    try:
        _migrate_to(engine, "head")
        if engine.dialect.name == "sqlite":
            assert "item_postings" not in inspect(engine).get_table_names()
            return
        with engine.begin() as conn:
            _owner(conn)
            for item_id in "abcdefg":
                add(conn, item_id, f"Harbour {item_id}")
                set_extent(conn, item_id, extents[item_id])
            assert boxes(conn) == wanted()
        _migrate_to(engine, "0011", down=True)
        assert "box" not in {c["name"] for c in inspect(engine).get_columns("item_postings")}
        with engine.begin() as conn:
            add(conn, "h", "Harbour h")
            extents["h"] = (-0.5, -0.7, -0.2, -0.1)
            set_extent(conn, "h", extents["h"])
            found = conn.execute(text("SELECT count(*) FROM item_postings WHERE term = 'harbour:A'")).scalar_one()
            assert found == 8
        _migrate_to(engine, "head")
        with engine.begin() as conn:
            assert boxes(conn) == wanted()
            extents["a"] = (10.0, 20.0, 30.0, 40.0)
            set_extent(conn, "a", extents["a"])
            extents["f"] = (1.0, 2.0, 3.0, 4.0)
            conn.execute(text("UPDATE items SET title = 'Harbour quay', extent_xmin = 1.0, extent_ymin = 2.0, "
                              "extent_xmax = 3.0, extent_ymax = 4.0, access = 'org' WHERE id = 'f'"))
            extents["g"] = None
            set_extent(conn, "g", None)
            assert boxes(conn) == wanted()
            quay = conn.execute(text("SELECT count(*) FROM item_postings WHERE term = 'quay:A'")).scalar_one()
            assert quay == 1
            computed = conn.execute(text("SELECT geoshare_item_box(:a, :b, :c, :d)"),
                                    dict(zip("abcd", (-180.0, -90.0, 179.99999, 89.99999), strict=True))).scalar_one()
            assert computed == item_boxes.box_of(-180.0, -90.0, 179.99999, 89.99999)
    finally:
        engine.dispose()
        drop()


def test_0014_round_trip_derives_the_word_pairs_and_the_word_list(tmp_path):
    """SQLite: down to 0013 the pairs, the word list and the word cutter are gone and the phrase
    is FTS5's again; up again, every item (one written in between included) gets its pairs and
    its words from the upgrade's cut, and the triggers keep them for items written after, through
    a text change.  PostgreSQL: 0014 changes nothing."""
    from sqlalchemy import inspect, text

    from geoshare.storage import fts_words
    from geoshare.storage.engine import Database

    engine, drop = _engine_for_migration(tmp_path)
    if engine.dialect.name != "sqlite":
        _migrate_to(engine, "head")
        assert "item_terms" not in inspect(engine).get_table_names()
        engine.dispose()
        drop()
        return
    engine = Database(str(engine.url)).sync_engine
    land_use = fts_words.pair_token("land", "us")

    def found(conn, fts: str) -> list[str]:
        return [r[0] for r in conn.execute(text(
            "SELECT items.id FROM item_text JOIN items ON items.seq = (134217727 - ((item_text.rowid >> 34) & "
            "134217727)) WHERE item_text MATCH :q ORDER BY items.id"), {"q": fts})]

    try:
        _migrate_to(engine, "head")
        with engine.begin() as conn:
            _owner(conn)
            add(conn, "a", "Land use map")
            assert found(conn, f"{{pairs}} : {land_use}") == ["a"]
        _migrate_to(engine, "0013", down=True)
        names = inspect(engine).get_table_names()
        assert not {"item_pairs", "item_terms", "item_words", "item_words_at"} & set(names)
        with engine.begin() as conn:
            add(conn, "b", "Land uses plan")
            assert found(conn, '{title} : "land use"') == ["a", "b"]
        _migrate_to(engine, "head")
        with engine.begin() as conn:
            assert found(conn, f"{{pairs}} : {land_use}") == ["a", "b"]
            assert conn.execute(text("SELECT pairs FROM item_pairs WHERE item_id = 'b'")).scalar_one() == " ".join(
                sorted([land_use, fts_words.pair_token("us", "plan"), fts_words.pair_token("web", "map")]))  # its type
            assert {"land", "us", "map", "plan"} <= {r[0] for r in conn.execute(text("SELECT term FROM item_terms"))}
            add(conn, "c", "Quarry land use")
            conn.execute(text("UPDATE items SET title = 'Harbour plan', title_key = 'harbour plan' WHERE id = 'a'"))
            assert found(conn, f"{{pairs}} : {land_use}") == ["b", "c"]
            assert found(conn, f"{{pairs}} : {fts_words.pair_token('harbour', 'plan')}") == ["a"]
            assert "quarri" in {r[0] for r in conn.execute(text("SELECT term FROM item_terms"))}
    finally:
        engine.dispose()
        drop()


def test_0016_round_trip_posts_each_word_once_for_any_default_field(tmp_path):
    """PostgreSQL: at head an item's posting lists hold `lexeme:*` for each word of its default
    fields (not for a word only in a D field); down to 0015 they are gone, up again every item,
    one written in between included, has them.  SQLite: 0016 changes nothing."""
    from sqlalchemy import text

    engine, drop = _engine_for_migration(tmp_path)

    def anywhere(conn) -> dict[str, set[str]]:
        rows = conn.execute(text("SELECT i.id, p.term FROM item_postings p JOIN items i ON i.seq = p.seq "
                                 "WHERE p.term LIKE '%:*'")).all()
        found: dict[str, set[str]] = {}
        for item_id, term in rows:
            found.setdefault(item_id, set()).add(term)
        return found

    try:
        _migrate_to(engine, "head")
        if engine.dialect.name == "sqlite":
            return
        with engine.begin() as conn:
            _owner(conn)
            add(conn, "a", "Harbour map")
            conn.execute(text("UPDATE items SET access_information = 'quay' WHERE id = 'a'"))
            assert anywhere(conn) == {"a": {"harbour:*", "map:*", "web:*"}}  # 'quay' is a D word
        _migrate_to(engine, "0015", down=True)
        with engine.begin() as conn:
            assert anywhere(conn) == {}
            add(conn, "b", "Harbour plan")
        _migrate_to(engine, "head")
        with engine.begin() as conn:
            assert anywhere(conn) == {"a": {"harbour:*", "map:*", "web:*"}, "b": {"harbour:*", "plan:*", "web:*", "map:*"}}
    finally:
        engine.dispose()
        drop()


def test_0017_round_trip_unescapes_the_json_and_indexes_words_beyond_ascii(tmp_path):
    """An item, a group and a user stored at 0016 with `\\u` escapes in their JSON columns: at
    head the rows hold the characters themselves, and the item is found by its non-ASCII words
    (the tag `Naïve` as `naive`, the title `Café` as `CAFE`, `Москва`) on both databases; on
    PostgreSQL in its posting lists too.  Down to 0016 and up again, an item written in between
    is indexed the same way."""
    from sqlalchemy import text

    engine, drop = _engine_for_migration(tmp_path)
    sqlite = engine.dialect.name == "sqlite"

    def found(conn, word: str) -> set[str]:
        if sqlite:
            rows = conn.execute(text("SELECT i.id FROM item_text JOIN items i ON i.seq = 134217727 - "
                                     "((item_text.rowid >> 34) & 134217727) WHERE item_text MATCH :w"), {"w": word})
            return {r[0] for r in rows}
        by_text = {r[0] for r in conn.execute(text(
            "SELECT id FROM items WHERE search_text @@ to_tsquery('geoshare_text', geoshare_search_words(:w))"),
            {"w": word})}
        posted = {r[0] for r in conn.execute(text(
            "SELECT DISTINCT i.id FROM item_postings p JOIN items i ON i.seq = p.seq "
            "WHERE p.term = (SELECT lexeme FROM unnest(to_tsvector('geoshare_text', geoshare_search_words(:w)))) "
            "|| ':*'"), {"w": word})}
        assert by_text == posted, word
        return by_text

    try:
        _migrate_to(engine, "0016")
        with engine.begin() as conn:
            _owner(conn)
            add(conn, "a", "Café map")
            conn.execute(text("UPDATE items SET tags = :t, type_keywords = :k, description = 'Москва' WHERE id = 'a'"),
                         {"t": '["Na\\u00efve", "plain"]', "k": '["\\u00dcber"]'})
            conn.execute(text("UPDATE users SET tags = :t WHERE id = 'u'"), {"t": '["Br\\u00fccke", "C:\\\\users"]'})
            add(conn, "c", "Other map")
            conn.execute(text("UPDATE items SET tags = :t WHERE id = 'c'"), {"t": '["\\u00e9t\\u00e9"]'})
        _migrate_to(engine, "head")
        with engine.begin() as conn:
            assert conn.execute(text("SELECT tags, type_keywords FROM items WHERE id = 'a'")).one() == \
                ('["Naïve", "plain"]', '["Über"]')
            assert conn.execute(text("SELECT tags FROM items WHERE id = 'c'")).scalar_one() == '["été"]'

            assert conn.execute(text("SELECT tags FROM users WHERE id = 'u'")).scalar_one() == '["Brücke", "C:\\\\users"]'
            for word in ("naive", "cafe", "москва", "uber"):
                assert found(conn, word) == {"a"}, word
        _migrate_to(engine, "0016", down=True)
        with engine.begin() as conn:
            add(conn, "b", "Café plan")
        _migrate_to(engine, "head")
        with engine.begin() as conn:
            assert found(conn, "cafe") == {"a", "b"}
            assert found(conn, "москва") == {"a"}
    finally:
        engine.dispose()
        drop()


def test_every_declared_index_exists_at_head_and_0018_round_trips(tmp_path):
    """Each index storage/tables.py declares is in the migrated database (by name, expression
    indexes included); migration 0018's ix_items_type_key is gone at 0017 and back at head."""
    from sqlalchemy import text

    engine, drop = _engine_for_migration(tmp_path)
    sql = ("SELECT name FROM sqlite_master WHERE type = 'index'" if engine.dialect.name == "sqlite"
           else "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")

    def names() -> set[str]:
        with engine.connect() as conn:
            return {r[0] for r in conn.execute(text(sql))}

    declared = {index.name for table in metadata.sorted_tables for index in table.indexes}
    try:
        _migrate_to(engine, "head")
        assert declared <= names(), declared - names()
        _migrate_to(engine, "0017", down=True)
        assert "ix_items_type_key" not in names()
        _migrate_to(engine, "head")
        assert "ix_items_type_key" in names()
    finally:
        engine.dispose()
        drop()


def test_0020_round_trip_fills_the_shares_copies_and_keeps_them(tmp_path):
    """Shares written at 0019 get their items' seq, access, organization and owner at head; down
    to 0019 the columns and the new index are gone and (group_id, item_id) is back; up again,
    the copies are filled anew and the triggers keep them through a change of access."""
    from sqlalchemy import text

    from geoshare.storage.tables import groups, item_groups

    engine, drop = _engine_for_migration(tmp_path)
    sqlite = engine.dialect.name == "sqlite"
    index_sql = ("SELECT name FROM sqlite_master WHERE type = 'index'" if sqlite
                 else "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")

    def share(conn, item_id: str) -> None:
        conn.execute(item_groups.insert().values(item_id=item_id, group_id="g", shared=1))

    def copies(conn) -> list[tuple]:
        return [tuple(r) for r in conn.execute(text(
            "SELECT g.item_id, g.item_seq = i.seq, g.item_access, g.item_org, g.item_owner FROM item_groups g "
            "JOIN items i ON i.id = g.item_id ORDER BY g.item_id"))]

    try:
        _migrate_to(engine, "0019")
        with engine.begin() as conn:
            _owner(conn)
            add(conn, "a", "Shared map")
            add(conn, "b", "Other map")
            conn.execute(text("UPDATE items SET access = 'private' WHERE id = 'b'"))
            conn.execute(groups.insert().values(id="g", org_id="o", owner_id="u", title="G", title_key="g",
                                                created=1, modified=1))
            share(conn, "a")
        _migrate_to(engine, "head")
        with engine.begin() as conn:
            assert copies(conn) == [("a", True, "public", "o", "u")]
            assert {"ix_item_groups_access"} <= {r[0] for r in conn.execute(text(index_sql))}
            assert "ix_item_groups_group" not in {r[0] for r in conn.execute(text(index_sql))}
        _migrate_to(engine, "0019", down=True)
        with engine.begin() as conn:
            names = {r[0] for r in conn.execute(text(index_sql))}
            assert "ix_item_groups_group" in names and "ix_item_groups_access" not in names
            share(conn, "b")
        _migrate_to(engine, "head")
        with engine.begin() as conn:
            assert copies(conn) == [("a", True, "public", "o", "u"), ("b", True, "private", "o", "u")]
            conn.execute(text("UPDATE items SET access = 'org' WHERE id = 'b'"))
            assert copies(conn)[1] == ("b", True, "org", "o", "u")
    finally:
        engine.dispose()
        drop()
