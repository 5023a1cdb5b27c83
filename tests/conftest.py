"""Shared fixtures: a fresh database per test (SQLite by default, PostgreSQL when
GEOSHARE_TEST_DATABASE_URL names one) and the ASGI app driven in-process through httpx."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, func, select, text

from geoshare.app import build_app, build_services
from geoshare.domain import accounts
from geoshare.settings import load_settings
from geoshare.storage import migrate
from geoshare.storage.tables import metadata

ADMIN = "admin"
ADMIN_PASSWORD = "Admin12345"
PG_URL = os.environ.get("GEOSHARE_TEST_DATABASE_URL", "")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate once; each test copies the migrated file."""
    path = tmp_path_factory.mktemp("template") / "geoshare.db"
    engine = create_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_prepared() -> str:
    engine = create_engine(PG_URL)
    with engine.begin() as conn:
        metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    migrate.upgrade(engine)
    engine.dispose()
    return PG_URL


def _truncate(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        names = ", ".join(t.name for t in reversed(metadata.sorted_tables))
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def settings(tmp_path: Path, request: pytest.FixtureRequest) -> Any:
    if PG_URL:
        url = request.getfixturevalue("pg_prepared")
        _truncate(url)
    else:
        template = request.getfixturevalue("sqlite_template")
        shutil.copy(template, tmp_path / "geoshare.db")
        url = f"sqlite:///{tmp_path / 'geoshare.db'}"
    # The in-process client reaches the app as http://testserver: that name is an allowed host.
    return load_settings({"data_dir": str(tmp_path), "database_url": url, "argon2_time_cost": 1,
                          "argon2_memory_kib": 1024, "access_log": False, "allowed_hosts": "testserver"},
                         environ={})


@pytest.fixture
async def app(settings: Any) -> AsyncIterator[Any]:
    svc = build_services(settings)
    application = build_app(settings, svc)
    async with application.router.lifespan_context(application):
        await accounts.bootstrap(svc, ADMIN, ADMIN_PASSWORD, "Test Org")
        yield application
    svc.hasher.close()


@pytest.fixture
def svc(app: Any) -> Any:
    return app.state.services


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


SHARING = "/portal/sharing/rest"


async def get_token(http: httpx.AsyncClient, username: str = ADMIN, password: str = ADMIN_PASSWORD,
                    **extra: Any) -> str:
    data = {"username": username, "password": password, "f": "json", **extra}
    reply = (await http.post(f"{SHARING}/generateToken", data=data)).json()
    assert "token" in reply, reply
    return str(reply["token"])


@pytest.fixture
async def admin_token(client: httpx.AsyncClient) -> str:
    return await get_token(client)


async def make_org(client: httpx.AsyncClient, token: str, name: str, admin: str,
                   password: str = "Other12345") -> dict[str, Any]:
    reply = (await client.post("/portal/portaladmin/orgs/createOrg", data={
        "name": name, "adminUsername": admin, "adminPassword": password, "f": "json", "token": token})).json()
    assert reply.get("status") == "success", reply
    return dict(reply)


async def count_rows(svc: Any, table: str) -> int:
    table_obj = metadata.tables[table]
    query = select(func.count()).select_from(table_obj)
    return int(await svc.db.read(lambda conn: conn.execute(query).scalar_one()))
