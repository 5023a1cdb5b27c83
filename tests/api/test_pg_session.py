"""PostgreSQL connections run with JIT compilation and parallel query off (storage/engine.py
says why), on the connections the server reads and writes with."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Connection, text


async def test_every_postgresql_connection_runs_without_jit_or_parallel_workers(svc: Any) -> None:
    if svc.db.is_sqlite:
        pytest.skip("PostgreSQL session settings")

    def settings(conn: Connection) -> tuple[str, str]:
        jit = conn.execute(text("SHOW jit")).scalar_one()
        workers = conn.execute(text("SHOW max_parallel_workers_per_gather")).scalar_one()
        return str(jit), str(workers)

    assert await svc.db.read(settings) == ("off", "0")
    assert await svc.db.read_heavy(settings) == ("off", "0")
    assert await svc.db.write(settings) == ("off", "0")
    with svc.db.sync_engine.connect() as conn:
        assert settings(conn) == ("off", "0")
