"""SQLite's full-text reads give every match, newest first, on an index large enough for FTS5's
long-list structures and whose rowids span the three classes (migration 0013's layout).

SQLite 3.40's FTS5 (Debian 12's, which Python's sqlite3 uses there) drops matches of an AND read
in descending rowid order from such an index: at 300,000 entries `w1 AND w2` gives 27,065 of its
29,663 matches that way.  storage/item_search.py reads in ascending order only (the seq is stored
turned around, so that order is the newest first); this test fails if its page reads go back to
descending order on such a SQLite, and checks their order and the counts on any."""

from __future__ import annotations

import importlib
import random

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import StaticPool

from geoshare.storage import item_search as store

ENTRIES = 300_000
WORDS = [f"w{i}" for i in range(50)]
FTS = "{title} : (w1 AND w2)"


@pytest.fixture(scope="module")
def index():
    """item_text as the migrations define it, filled with ENTRIES random entries (words drawn
    from WORDS, a class drawn for each, the seq turned around as 0013 stores it), and the two
    columns of `items` a page reads."""
    v7 = importlib.import_module("geoshare.storage.migrations.versions.0007_search_access")
    engine = create_engine("sqlite://", poolclass=StaticPool)
    rng = random.Random(1)  # noqa: S311 (reproducible test data)
    entries: dict[int, tuple[int, set[str]]] = {}  # seq -> (class, words of the title)
    rows = []
    for seq in range(1, ENTRIES + 1):
        cls, words = rng.choice((0, 1, 2)), set(rng.choices(WORDS[:10], k=3))
        entries[seq] = (cls, words)
        rowid = cls << store.CLASS_SHIFT | (store.MAX_SEQ - seq) << store.SEQ_SHIFT | rng.randrange(1 << 30)
        rows.append({"r": rowid, "s": seq, "t": " ".join(words), "d": " ".join(rng.choices(WORDS, k=5))})
    with engine.begin() as conn:
        conn.execute(text(f"CREATE VIRTUAL TABLE item_text USING fts5({', '.join(v7.FTS_COLUMNS)}, content='', "
                          "tokenize='porter unicode61 remove_diacritics 2')"))
        conn.execute(text("INSERT INTO item_text(rowid, title, description) VALUES (:r, :t, :d)"), rows)
        conn.execute(text("CREATE TABLE items (seq INTEGER PRIMARY KEY, id TEXT)"))
        conn.execute(text("INSERT INTO items (seq, id) VALUES (:s, 'i' || :s)"), rows)
    yield engine, entries
    engine.dispose()


@pytest.mark.parametrize("classes", [(2,), (1,), (0,), (2, 1, 0)])
def test_every_match_is_read_newest_first(index, classes) -> None:
    engine, entries = index
    want = [f"i{seq}" for seq in sorted((s for s, (cls, words) in entries.items()
                                         if cls in classes and {"w1", "w2"} <= words), reverse=True)]
    parts = [store.FtsPart(FTS, cls, cls) for cls in classes]
    with engine.connect() as conn:
        assert store.count_parts(conn, parts, None, 10**6) == len(want)
        assert store.count_parts(conn, parts, None, 1000) == 1000
        for offset in (0, 995, len(want) - 5):
            assert store.fts_ids(conn, parts, None, offset, 10) == want[offset:offset + 10]
        if len(classes) == 1:  # a class alone is read in one query, its offset in SQL: every row
            assert store.fts_ids(conn, parts, None, 0, len(want) + 1) == want


def test_a_later_class_is_read_only_above_the_page_so_far_and_misses_nothing_newer() -> None:
    """Classes 2 and 1 fill a page of three (10, 9, 6), so class 0 is read only above seq 6: its
    item 7, one newer than that floor, is on the page, and its item 4 is not."""
    v7 = importlib.import_module("geoshare.storage.migrations.versions.0007_search_access")
    engine = create_engine("sqlite://", poolclass=StaticPool)
    classes = {10: 2, 6: 2, 5: 2, 9: 1, 7: 0, 4: 0}
    with engine.begin() as conn:
        conn.execute(text(f"CREATE VIRTUAL TABLE item_text USING fts5({', '.join(v7.FTS_COLUMNS)}, content='', "
                          "tokenize='porter unicode61 remove_diacritics 2')"))
        conn.execute(text("CREATE TABLE items (seq INTEGER PRIMARY KEY, id TEXT)"))
        for seq, cls in classes.items():
            rowid = cls << store.CLASS_SHIFT | (store.MAX_SEQ - seq) << store.SEQ_SHIFT
            conn.execute(text("INSERT INTO item_text(rowid, title) VALUES (:r, 'harbour')"), {"r": rowid})
            conn.execute(text("INSERT INTO items (seq, id) VALUES (:s, :i)"), {"s": seq, "i": f"i{seq}"})
    parts = [store.FtsPart("harbour", cls, cls) for cls in (2, 1, 0)]
    with engine.connect() as conn:
        assert store.fts_ids(conn, parts, None, 0, 3) == ["i10", "i9", "i7"]
        assert store.fts_ids(conn, parts, None, 3, 3) == ["i6", "i5", "i4"]
    engine.dispose()
