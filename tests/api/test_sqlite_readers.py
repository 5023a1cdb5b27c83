"""SQLite: the reader threads keep their connections (storage/engine.py: a new connection with
its pragmas cost about 1 ms a search), and a kept connection still reads every commit at once."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Connection, event, text


async def test_reader_threads_keep_their_connections_and_see_each_commit(svc: Any) -> None:
    if not svc.db.is_sqlite:
        pytest.skip("SQLite reader threads")
    opened: list[object] = []

    def connected(dbapi_conn: Any, _record: Any) -> None:
        opened.append(dbapi_conn)

    event.listen(svc.db.sync_engine, "connect", connected)
    try:
        def orgs(conn: Connection) -> int:
            return int(conn.execute(text("SELECT count(*) FROM orgs")).scalar_one())

        before = await svc.db.read_heavy(orgs)
        for _ in range(20):
            assert await svc.db.read_heavy(orgs) == before
        assert len(opened) <= 2  # one per reader thread, at most
        await svc.db.write(lambda conn: conn.execute(text(
            "INSERT INTO orgs (id, name, is_default, access, settings, can_share_public, can_search_public, "
            "created, modified) VALUES ('readers', 'Readers', false, 'private', '{}', true, true, 1, 1)")))
        for _ in range(4):  # on either thread
            assert await svc.db.read_heavy(orgs) == before + 1
        assert len(opened) <= 2
    finally:
        event.remove(svc.db.sync_engine, "connect", connected)
