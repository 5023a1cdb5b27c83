"""The database handle: one object with `read` and `write`, on SQLite or PostgreSQL.

Storage functions are plain synchronous functions over a SQLAlchemy `Connection`
(`def user_by_id(conn, user_id)`), so one code path serves both databases:

* SQLite: reads run inline on the event loop on a dedicated autocommit connection (WAL lets
  them proceed while a write is under way).  A primary-key read costs tens of microseconds;
  a hop to a thread pool would cost more than the read itself (design.md).  Writes go
  through one writer thread, one transaction each, as Datasette does.
* PostgreSQL: an async engine (psycopg); the same functions run through `run_sync`, so no
  thread is involved and many requests proceed at once.

The per-request lookups (token -> user -> organization) are cached in memory, and any commit,
by this process or another (the command line, another node), drops that cache before the next
request is served: SQLite tells through `PRAGMA data_version`, PostgreSQL through a
notification every write transaction sends and every process listens for.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import select
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from geoshare.storage import text_case

log = logging.getLogger("geoshare.storage")
T = TypeVar("T")
CACHE_SECONDS = 5.0
CACHE_ENTRIES = 20_000
CHANNEL = "geoshare_cache"  # PostgreSQL: notified by every write transaction, listened to by every process
NOTIFY = f"NOTIFY {CHANNEL}"  # delivered at commit, and not at all on rollback
LISTENER_NAME = "geoshare-cache-listener"  # its application_name, to tell it apart in pg_stat_activity
LISTEN_PING_SECONDS = 15.0  # how often a quiet LISTEN connection is checked to be alive
LISTEN_RETRY_SECONDS = 1.0  # doubled after each failure, up to the maximum
LISTEN_RETRY_MAX_SECONDS = 30.0


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()
    dbapi_conn.create_function(text_case.SQL_FUNCTION, 1, text_case.sqlite_lower, deterministic=True)


# PostgreSQL session settings of every connection, for statements that each finish in a few
# milliseconds (issue 11's search benchmark at a million items):
# * jit=off: the planner compiles statements it estimates as costly, which took 50-70 ms;
# * no parallel workers: it overestimated the per-row cost of the access rule's hashed subplan and
#   chose a parallel scan of item_groups (40 ms) over its index (under 4 ms) for `group:` searches.
PG_CONNECT_ARGS = {"options": "-c jit=off -c max_parallel_workers_per_gather=0"}


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
        self._heavy_local = threading.local()  # SQLite: each reader thread's own connection, kept open
        self._heavy_conns: list[Connection] = []
        # Bumped after every committed write; cached reads taken before it are re-read.
        self.generation = 0
        self._cache: dict[Any, tuple[int, float, Any]] = {}
        self._raw_read: sqlite3.Connection | None = None  # the read connection's driver, for data_version
        self._data_version = 0
        self._listener: asyncio.Task[None] | None = None
        self._listening = False  # PostgreSQL: cached entries are served only while notifications can arrive
        self._listen_socket = -1  # PostgreSQL: the LISTEN connection's socket while listening
        self.notifications = 0  # PostgreSQL: commits heard of so far (ours included)

    @property
    def sync_engine(self) -> Engine:
        """A plain engine, for migrations and command-line tools."""
        if self._sync_engine is None:
            if self.is_sqlite:
                self._sync_engine = create_engine(self.url, poolclass=NullPool,
                                                  connect_args={"check_same_thread": False})
                event.listen(self._sync_engine, "connect", _sqlite_pragmas)
            else:
                self._sync_engine = create_engine(self.url.replace("+asyncpg", "+psycopg"), pool_pre_ping=True,
                                                  connect_args=PG_CONNECT_ARGS)
        return self._sync_engine

    async def start(self) -> None:
        if self.is_sqlite:
            self._read_conn = self.sync_engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            self._read_thread = threading.get_ident()
            self._raw_read = self._read_conn.connection.driver_connection
            self._data_version = self._read_data_version()
            self._writer = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="geoshare-writer")
            self._heavy = concurrent.futures.ThreadPoolExecutor(2, thread_name_prefix="geoshare-reader")
        else:
            self._async_engine = create_async_engine(to_async_url(self.url), pool_size=10, max_overflow=10,
                                                     pool_pre_ping=True, connect_args=PG_CONNECT_ARGS)
            self._listener = asyncio.get_running_loop().create_task(self._listen(), name="geoshare-cache-listener")

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None
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
            for conn in self._heavy_conns:
                conn.close()
            self._heavy_conns = []
            self._heavy_local = threading.local()
        if self._read_conn is not None:
            self._read_conn.close()
            self._read_conn = None
            self._raw_read = None
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
        """On a reader thread, with its own connection: opened at its first read and kept (a new
        connection with its pragmas cost about 1 ms a search); each statement reads the latest
        committed data, as on the request thread's connection."""
        conn = getattr(self._heavy_local, "conn", None)
        if conn is None:
            conn = self.sync_engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            self._heavy_local.conn = conn
            self._heavy_conns.append(conn)
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
                return await conn.run_sync(lambda sync_conn: _notifying(fn, sync_conn, args))
        finally:
            self.generation += 1

    async def read_cached(self, key: Any, fn: Callable[..., T], *args: Any, ttl: float = CACHE_SECONDS) -> T:
        """A read whose answer is reused until the database changes, or `ttl` seconds pass.

        For the per-request lookups (token -> user -> organization): a commit anywhere (this
        process, the command line, another node) drops every entry before the next request,
        so a revoked token or a disabled user is refused at once.  While that cannot be known
        (PostgreSQL with its LISTEN connection down), nothing is served from the cache.
        """
        if not self._cache_current():
            return await self.read(fn, *args)
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

    @property
    def hears_changes(self) -> bool:
        """Whether commits by other processes are noticed (always on SQLite; on PostgreSQL while
        the LISTEN connection is up)."""
        return self._raw_read is not None or self._listening

    def _cache_current(self) -> bool:
        """Whether every change to the database so far is reflected in `generation`."""
        if self._raw_read is None:
            return self._listening and not self._notification_waiting()
        if threading.get_ident() != self._read_thread:
            return False
        # data_version moves whenever another connection (another process, or our own writer)
        # has committed since this one last asked; it costs a few microseconds.
        version = self._read_data_version()
        if version != self._data_version:
            self._data_version = version
            self.generation += 1
        return True

    def _notification_waiting(self) -> bool:
        """PostgreSQL: whether a notification has reached the LISTEN socket but not yet the
        listener task (a busy event loop reaches it later): until it has, a commit elsewhere may
        not be counted in `generation`, so the cache is not used.  PostgreSQL sends it at the
        other process's commit, before that process answers, so the next request anywhere sees it."""
        try:
            readable, _, _ = select.select([self._listen_socket], [], [], 0)
        except (OSError, ValueError):
            return True
        return bool(readable)

    def _read_data_version(self) -> int:
        assert self._raw_read is not None
        return int(self._raw_read.execute("PRAGMA data_version").fetchone()[0])

    async def _listen(self) -> None:
        """PostgreSQL: hold a LISTEN connection; each notification is a commit somewhere.  On
        any failure, stop serving cached entries and connect again."""
        import psycopg

        conninfo = make_url(self.url).set(drivername="postgresql").render_as_string(hide_password=False)
        delay = LISTEN_RETRY_SECONDS
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True,
                                                                 application_name=LISTENER_NAME) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self._listen_socket = conn.pgconn.socket
                    self._set_listening(True)
                    delay = LISTEN_RETRY_SECONDS
                    while True:
                        async for _ in conn.notifies(timeout=LISTEN_PING_SECONDS):
                            self.notifications += 1
                            self.generation += 1
                        await conn.execute("SELECT 1")  # a quiet connection may be a dead one
            except Exception as exc:  # psycopg raises a variety; any of them means: not listening
                log.warning("token cache off: no LISTEN connection (%s); retrying in %.0f s",
                            exc.__class__.__name__, delay)
            finally:
                self._set_listening(False)
            await asyncio.sleep(delay)
            delay = min(delay * 2, LISTEN_RETRY_MAX_SECONDS)

    def _set_listening(self, listening: bool) -> None:
        self._listening = listening
        self.generation += 1  # entries read before (or while not) listening may be stale

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
            return fn(conn, *args) if self.is_sqlite else _notifying(fn, conn, (*args,))


def _notifying(fn: Callable[..., T], conn: Connection, args: tuple[Any, ...]) -> T:
    """PostgreSQL: run a write and tell every listening process, when it commits, to drop its cache."""
    result = fn(conn, *args)
    conn.exec_driver_sql(NOTIFY)
    return result
