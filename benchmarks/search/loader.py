"""Bulk load of the corpus straight through SQL (no API call per row).

Column names and the defaults of columns the corpus leaves out come from `geoshare.storage.tables`,
so the loader follows the schema.  SQLite: one big transaction per 100,000 rows with synchronous
off; PostgreSQL: COPY.  The secondary indexes of `items` and `item_groups` are dropped before the
load and re-created after it from the definitions the database itself reports, and on SQLite the
full-text triggers likewise (the full-text table is then filled with one INSERT ... SELECT derived
from the insert trigger's own statement, or, from migration 0014 on, with that migration's own fill
after its own cut of the word pairs), so nothing here restates a definition that could drift.
"""

# ruff: noqa: S608 - SQL assembled from the schema's own names and definitions, never from input

from __future__ import annotations

import importlib
import random
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import argon2
import corpus as gen
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from geoshare.storage import group_queries, user_queries
from geoshare.storage.tables import items

CHUNK = 100_000
PASSWORD = "Bench-passw0rd"  # noqa: S105 - throwaway corpus
MARKER_TITLE = "geoshare search benchmark corpus"  # the title of group 0 records the corpus size


def item_columns(with_seq: bool) -> list[str]:
    """Every column of `items`; `seq` only when the loader assigns it (SQLite: its trigger would
    otherwise update each row once more; PostgreSQL: an identity column fills it)."""
    return [c.name for c in items.columns if c.name != "seq" or with_seq]


def column_defaults() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in items.columns:
        default = column.default
        if default is not None and getattr(default, "is_scalar", False):
            out[column.name] = default.arg
    return out


def corpus_size(engine: Engine) -> int:
    """The item count the corpus in this database was built with (0 when none was)."""
    with engine.connect() as conn:
        row = conn.execute(text("SELECT description FROM groups WHERE id = :id"), {"id": gen.group_id(0)}).first()
    return int(row[0]) if row and row[0] and str(row[0]).isdigit() else 0


def build(database_url: str, count: int, log: Callable[[str], None]) -> dict[str, float]:
    """Write users, groups, `count` items and their shares; returns the seconds of each phase."""
    engine = create_engine(database_url)
    timings: dict[str, float] = {}
    try:
        started = time.perf_counter()
        _people(engine)
        timings["users+groups"] = time.perf_counter() - started
        sqlite = engine.dialect.name == "sqlite"
        loaded = (_load_sqlite if sqlite else _load_postgres)(engine, count, timings, log)
        with engine.begin() as conn:
            conn.execute(text("UPDATE groups SET description = :n WHERE id = :id"),
                         {"n": str(loaded), "id": gen.group_id(0)})
        t = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
        timings["analyze"] = time.perf_counter() - t
        timings["total"] = time.perf_counter() - started
    finally:
        engine.dispose()
    return timings


def _people(engine: Engine) -> None:
    password_hash = argon2.PasswordHasher(time_cost=5, memory_cost=7168, parallelism=1).hash(PASSWORD)
    now = gen.EPOCH_2012
    rng = random.Random(7)  # noqa: S311 - a reproducible corpus, not a secret
    groups, members = gen.group_rows(rng, now)
    with engine.begin() as conn:
        user_queries.insert_users(conn, gen.user_rows(password_hash, now))
        for first in range(0, len(groups), 5_000):
            group_queries.insert_groups(conn, groups[first:first + 5_000])
        for first in range(0, len(members), 20_000):
            group_queries.insert_groups(conn, [], members[first:first + 20_000])


def _tuples(names: list[str], count: int, first_seq: int) -> Iterator[tuple[tuple[Any, ...], list[Any]]]:
    """Item rows as tuples in `names` order, with their item_groups rows."""
    defaults = column_defaults()
    for i, (row, shares) in enumerate(gen.ItemGenerator().rows(count)):
        full = {**defaults, **row, "seq": first_seq + i}
        yield (tuple(full.get(n) for n in names),
               [(row["id"], gen.group_id(g), False, row["created"]) for g in shares])


SHARE_COLUMNS = ("item_id", "group_id", "item_control", "shared")


# ------------------------------------------------------------------------------------------ SQLite

def _sqlite_schema(conn: Any, kind: str, tables: tuple[str, ...]) -> list[tuple[str, str]]:
    marks = ",".join("?" for _ in tables)
    rows = conn.execute(f"SELECT name, sql FROM sqlite_master WHERE type = ? AND tbl_name IN ({marks}) "
                        "AND sql IS NOT NULL", (kind, *tables)).fetchall()
    return [(str(name), str(sql)) for name, sql in rows]


def _fts_fill_statement(triggers: list[tuple[str, str]]) -> str | None:
    """INSERT INTO <fts>(...) SELECT <the trigger's values with new.x read as items.x> FROM items,
    derived from the AFTER INSERT trigger on items."""
    for _, sql in triggers:
        flat = " ".join(sql.split())
        if not re.search(r"AFTER INSERT ON items?\b", flat, re.I) and not re.search(r'AFTER INSERT ON "items"', flat, re.I):
            continue
        m = re.search(r"(INSERT INTO [^(]+\([^)]*\))\s*VALUES\s*\((.*)\)\s*;\s*END", flat, re.I)
        if m:
            values = re.sub(r"\bnew\.", "items.", m.group(2), flags=re.I)
            return f"{m.group(1)} SELECT {values} FROM items"
    return None


def _migration(name: str) -> Any:
    return importlib.import_module(f"geoshare.storage.migrations.versions.{name}")


def _pairs_migration(conn: Any) -> Any:
    """Migration 0014's module when the database is at it (its word list exists), else None: its
    triggers cut text in several statements, so the fill is its own, not derived from them."""
    found = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'item_terms'").fetchone()
    return _migration("0014_search_pairs") if found else None


def _load_sqlite(engine: Engine, count: int, timings: dict[str, float], log: Callable[[str], None]) -> int:
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        assert conn is not None
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-400000")
        conn.execute("PRAGMA temp_store=MEMORY")
        indexes = _sqlite_schema(conn, "index", ("items", "item_groups"))
        triggers = _sqlite_schema(conn, "trigger", ("items", "item_groups"))
        words = _pairs_migration(conn)
        fill = words.fill_statement(_migration("0013_search_box_guards").rowid) if words else \
            _fts_fill_statement(triggers)
        if triggers and fill is None:
            log("  (could not derive the full-text fill from the triggers: keeping them during the load)")
            triggers = []
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        for name, _ in triggers:
            conn.execute(f'DROP TRIGGER "{name}"')
        names = item_columns(with_seq="seq" in items.c)
        first_seq = int(conn.execute("SELECT coalesce(max(rowid), 0) + 1 FROM items").fetchone()[0])
        if "seq" in items.c:
            first_seq = max(first_seq, int(conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM items").fetchone()[0]))
        insert_item = f"INSERT INTO items ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"
        insert_share = f"INSERT INTO item_groups ({', '.join(SHARE_COLUMNS)}) VALUES (?, ?, ?, ?)"
        t = time.perf_counter()
        rows: list[tuple[Any, ...]] = []
        shares: list[tuple[Any, ...]] = []
        loaded = 0
        for item, its in _tuples(names, count, first_seq):
            rows.append(item)
            shares.extend(its)
            if len(rows) >= CHUNK:
                loaded += _sqlite_chunk(conn, insert_item, insert_share, rows, shares)
                log(f"  {loaded:,} items ({time.perf_counter() - t:.0f} s)")
        loaded += _sqlite_chunk(conn, insert_item, insert_share, rows, shares)
        timings["items"] = time.perf_counter() - t
        t = time.perf_counter()
        # The access tokens (migration 0007), from the database's own definition of them.
        conn.execute("UPDATE items SET acl = (SELECT t.acl FROM item_acl_tokens t WHERE t.id = items.id)")
        conn.commit()
        timings["access tokens"] = time.perf_counter() - t
        if words:  # migration 0014's word pairs and word list, cut in Python as its upgrade does
            t = time.perf_counter()
            words.derive_all(conn)
            conn.commit()
            timings["word pairs"] = time.perf_counter() - t
        t = time.perf_counter()
        if fill:
            conn.execute(fill)
            conn.execute("INSERT INTO item_text(item_text) VALUES ('optimize')")  # one segment, as 0013 leaves it
            conn.commit()
        timings["full-text"] = time.perf_counter() - t
        t = time.perf_counter()
        for _, sql in indexes:
            conn.execute(sql)
        for _, sql in triggers:
            conn.execute(sql)
        conn.commit()
        timings["indexes"] = time.perf_counter() - t
        return loaded
    finally:
        raw.close()


def _sqlite_chunk(conn: Any, insert_item: str, insert_share: str, rows: list[Any], shares: list[Any]) -> int:
    n = len(rows)
    conn.execute("BEGIN")
    conn.executemany(insert_item, rows)
    conn.executemany(insert_share, shares)
    conn.commit()
    rows.clear()
    shares.clear()
    return n


# -------------------------------------------------------------------------------------- PostgreSQL

def _load_postgres(engine: Engine, count: int, timings: dict[str, float], log: Callable[[str], None]) -> int:
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        assert conn is not None
        with conn.cursor() as cur:
            cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('items', 'item_groups') "
                        "AND indexname NOT IN (SELECT conname FROM pg_constraint)")
            indexes = [(str(a), str(b)) for a, b in cur.fetchall()]
            for name, _ in indexes:
                cur.execute(f'DROP INDEX "{name}"')
            for name in ("items", "item_groups"):  # the access-token triggers: one UPDATE after the load
                cur.execute(f"ALTER TABLE {name} DISABLE TRIGGER USER")
        conn.commit()
        names = item_columns(with_seq=False)
        t = time.perf_counter()
        loaded = 0
        with conn.cursor() as cur:
            shares: list[tuple[Any, ...]] = []
            with cur.copy(f"COPY items ({', '.join(names)}) FROM STDIN") as copy:
                for item, its in _tuples(names, count, 0):
                    copy.write_row(item)
                    shares.extend(its)
                    loaded += 1
                    if loaded % CHUNK == 0:
                        log(f"  {loaded:,} items ({time.perf_counter() - t:.0f} s)")
            with cur.copy(f"COPY item_groups ({', '.join(SHARE_COLUMNS)}) FROM STDIN") as copy:
                for share in shares:
                    copy.write_row(share)
        conn.commit()
        timings["items"] = time.perf_counter() - t
        t = time.perf_counter()
        with conn.cursor() as cur:
            # migration 0007's own definition of an item's access tokens
            cur.execute("UPDATE items SET acl = geoshare_item_acl(id, org_id, owner_id, access)")
            for name in ("items", "item_groups"):
                cur.execute(f"ALTER TABLE {name} ENABLE TRIGGER USER")
        conn.commit()
        timings["access tokens"] = time.perf_counter() - t
        t = time.perf_counter()
        with conn.cursor() as cur:
            cur.execute("SET maintenance_work_mem = '512MB'")
            for _, sql in indexes:
                cur.execute(sql)
        conn.commit()
        timings["indexes"] = time.perf_counter() - t
        t = time.perf_counter()
        with conn.cursor() as cur:
            # migration 0008's own fill of the posting lists (its triggers were off for the load)
            cur.execute("SET maintenance_work_mem = '512MB'")
            cur.execute("SELECT geoshare_fill_item_postings()")
        conn.commit()
        conn.autocommit = True
        with conn.cursor() as cur:  # index-only scans need the visibility map VACUUM writes
            cur.execute("VACUUM ANALYZE item_postings")
        conn.autocommit = False
        timings["posting lists"] = time.perf_counter() - t
        return loaded
    finally:
        raw.close()
