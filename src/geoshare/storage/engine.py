"""The database handle: one object with `read` and `write`, on SQLite or PostgreSQL.

Storage functions are plain synchronous functions over a SQLAlchemy `Connection`
(`def user_by_id(conn, user_id)`), so one code path serves both databases:

* SQLite: reads run inline on the event loop on a dedicated autocommit connection (WAL lets
  them proceed while a write is under way).  A primary-key read costs tens of microseconds;
  a hop to a thread pool would cost more than the read itself (design.md).  Writes go
  through one writer thread, one transaction each, as Datasette does.
* PostgreSQL: an async engine (psycopg); the same functions run through `run_sync`, so no
  thread is involved and many requests proceed at once.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

T = TypeVar("T")
CACHE_SECONDS = 5.0
CACHE_ENTRIES = 20_000


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def to_async_url(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self._sync_engine: Engine | None = None
        self._async_engine: AsyncEngine | None = None
        self._read_conn: Connection | None = None
        self._read_thread: int | None = None
        self._writer: concurrent.futures.ThreadPoolExecutor | None = None
        self._writer_conn: Connection | None = None
        self._heavy: concurrent.futures.ThreadPoolExecutor | None = None
        # Bumped after every committed write; cached reads taken before it are re-read.
        self.generation = 0
        self._cache: dict[Any, tuple[int, float, Any]] = {}

    @property
    def sync_engine(self) -> Engine:
        """A plain engine, for migrations and command-line tools."""
        if self._sync_engine is None:
            if self.is_sqlite:
                self._sync_engine = create_engine(self.url, poolclass=NullPool,
                                                  connect_args={"check_same_thread": False})
                event.listen(self._sync_engine, "connect", _sqlite_pragmas)
            else:
                self._sync_engine = create_engine(self.url.replace("+asyncpg", "+psycopg"), pool_pre_ping=True)
        return self._sync_engine

    async def start(self) -> None:
        if self.is_sqlite:
            self._read_conn = self.sync_engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            self._read_thread = threading.get_ident()
            self._writer = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="geoshare-writer")
            self._heavy = concurrent.futures.ThreadPoolExecutor(2, thread_name_prefix="geoshare-reader")
        else:
            self._async_engine = create_async_engine(to_async_url(self.url), pool_size=10, max_overflow=10,
                                                     pool_pre_ping=True)

    async def stop(self) -> None:
        if self._writer is not None:
            if self._writer_conn is not None:
                conn = self._writer_conn
                await asyncio.get_running_loop().run_in_executor(self._writer, conn.close)
                self._writer_conn = None
            self._writer.shutdown(wait=True)
            self._writer = None
        if self._heavy is not None:
            self._heavy.shutdown(wait=True)
            self._heavy = None
        if self._read_conn is not None:
            self._read_conn.close()
            self._read_conn = None
        if self._async_engine is not None:
            await self._async_engine.dispose()
            self._async_engine = None
        if self._sync_engine is not None:
            self._sync_engine.dispose()
            self._sync_engine = None

    async def read(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a short read-only storage function (a few primary-key lookups)."""
        if self._read_conn is not None and threading.get_ident() == self._read_thread:
            return fn(self._read_conn, *args)
        if self.is_sqlite:
            return await self.read_heavy(fn, *args)
        assert self._async_engine is not None, "database not started"
        async with self._async_engine.connect() as conn:
            return await conn.run_sync(lambda sync_conn: fn(sync_conn, *args))

    async def read_heavy(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a read that may take long (searches, big listings) without stalling the loop."""
        if self.is_sqlite:
            assert self._heavy is not None, "database not started"
            return await asyncio.get_running_loop().run_in_executor(self._heavy, self._read_in_thread, fn, args)
        return await self.read(fn, *args)

    def _read_in_thread(self, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
        with self.sync_engine.connect() as conn:
            return fn(conn, *args)

    async def write(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a storage function in one transaction: all of it is committed, or none of it."""
        try:
            if self.is_sqlite:
                assert self._writer is not None, "database not started"
                loop = asyncio.get_running_loop()
                return await loop.run_in_executor(self._writer, self._write_in_thread, fn, args)
            assert self._async_engine is not None, "database not started"
            async with self._async_engine.begin() as conn:
                return await conn.run_sync(lambda sync_conn: fn(sync_conn, *args))
        finally:
            self.generation += 1

    async def read_cached(self, key: Any, fn: Callable[..., T], *args: Any, ttl: float = CACHE_SECONDS) -> T:
        """A read whose answer is reused until this process writes anything, or `ttl` seconds pass.

        For the per-request lookups (token -> user -> organization): any write here drops
        every entry at once, so a revoked token or a disabled user is refused on the next
        request.  Other nodes of a cluster see such a change within `ttl`.
        """
        generation = self.generation  # taken before the read: a write during it makes the entry stale
        now = time.monotonic()
        entry = self._cache.get(key)
        if entry is not None and entry[0] == generation and entry[1] > now:
            return entry[2]  # type: ignore[no-any-return]
        value = await self.read(fn, *args)
        if len(self._cache) >= CACHE_ENTRIES:
            self._cache.clear()
        self._cache[key] = (generation, now + ttl, value)
        return value

    def _write_in_thread(self, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
        if self._writer_conn is None:
            self._writer_conn = self.sync_engine.connect()
        conn = self._writer_conn
        try:
            with conn.begin():
                return fn(conn, *args)
        except BaseException:
            if conn.in_transaction():
                conn.rollback()
            raise

    def run_sync(self, fn: Callable[..., T], *args: Any) -> T:
        """For command-line tools: one transaction on a plain connection."""
        with self.sync_engine.begin() as conn:
            return fn(conn, *args)
