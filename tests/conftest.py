"""Shared fixtures: a fresh database per test (SQLite by default, PostgreSQL when
GEOSHARE_TEST_DATABASE_URL names one) and the ASGI app driven in-process through httpx."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import settings as hypothesis_settings
from PIL import Image
from sqlalchemy import create_engine, func, select, text

from geoshare.app import build_app, build_services
from geoshare.domain import accounts
from geoshare.settings import load_settings
from geoshare.storage import migrate
from geoshare.storage import users as user_store
from geoshare.storage.records import User
from geoshare.storage.tables import metadata

pytest_plugins = ("pytester",)  # tests/unit/test_client_requirements.py runs the e2e hooks on a scratch suite

ADMIN = "admin"
ADMIN_PASSWORD = "Admin12345"
DEFAULT_ORG = "0123456789ABCDEF"
PG_URL = os.environ.get("GEOSHARE_TEST_DATABASE_URL", "")

# Property tests: no per-example deadline (a shared 2-core machine, and mutmut's trampolines, make
# timings noisy); in CI and under mutation testing the examples are derandomized, so a run is
# repeatable and a mutant is killed or not, never by chance.
hypothesis_settings.register_profile("geoshare", deadline=None, max_examples=100)
hypothesis_settings.register_profile("repeatable", deadline=None, max_examples=100, derandomize=True,
                                     database=None)
_REPEATABLE = os.environ.get("CI", "").lower() in ("1", "true") or "MUTANT_UNDER_TEST" in os.environ
hypothesis_settings.load_profile("repeatable" if _REPEATABLE else "geoshare")


def pytest_configure(config: pytest.Config) -> None:
    """The real-client tally of tests/e2e/conftest.py, registered here too: with pytest-xdist the
    process that prints the summary collects no test, so it never loads that conftest.

    Temporary directories in memory (/dev/shm) when the machine has it and no --basetemp was
    given: every test copies a database and closes it again, and on a disk the fsyncs of that
    dominated the in-process suite (about 45 ms per app against 20 ms in memory)."""
    from tests.e2e.conftest import ClientTally

    if not config.pluginmanager.has_plugin("geoshare-client-tally"):
        config.pluginmanager.register(ClientTally(), "geoshare-client-tally")
    shm = Path("/dev/shm")  # noqa: S108 - mkdtemp below makes a private directory in it
    if config.option.basetemp or not (shm.is_dir() and os.access(shm, os.W_OK)):
        return
    base = Path(tempfile.mkdtemp(prefix="geoshare-tests-", dir=shm))
    config.option.basetemp = str(base)
    config.add_cleanup(lambda: shutil.rmtree(base, ignore_errors=True))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate once; each test copies the migrated file."""
    path = tmp_path_factory.mktemp("template") / "geoshare.db"
    engine = create_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    with engine.connect() as conn:  # WAL persists in the file: each copy starts in the app's mode
        conn.exec_driver_sql("PRAGMA journal_mode=WAL")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_prepared() -> str:
    engine = create_engine(PG_URL)
    with engine.begin() as conn:
        migrate.drop_schema(conn)
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
    return fresh_settings(tmp_path, request)


def fresh_settings(tmp_path: Path, request: pytest.FixtureRequest) -> Any:
    """Test settings over an empty, migrated database of its own in `tmp_path` (SQLite), or the
    test PostgreSQL database emptied; for fixtures of any scope."""
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


@contextlib.asynccontextmanager
async def portal(settings: Any, scheme: str = "http", **changes: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a second app built with `changes` to the test settings (its Services as
    `client.svc`), for tests of one setting."""
    changed = dataclasses.replace(settings, **changes)
    svc = build_services(changed)
    application = build_app(changed, svc)
    async with application.router.lifespan_context(application):
        await accounts.bootstrap(svc, ADMIN, ADMIN_PASSWORD, "Test Org")
        transport = httpx.ASGITransport(app=application, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url=f"{scheme}://testserver") as client:
            client.svc = svc  # type: ignore[attr-defined]
            yield client
    svc.hasher.close()


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


async def make_user(svc: Any, username: str, password: str = "Member12345", *, role: str = "org_user",
                    role_id: str | None = None, org_id: str = DEFAULT_ORG, access: str | None = None,
                    disabled: bool = False) -> User:
    """A member of `org_id`.  Built-in roles go through the domain; what the domain cannot set yet
    (the viewer roleId, profile access, a disabled account) is written through storage."""
    user = await accounts.create_user(svc, org_id, accounts.NewUser(username, password, role=role))
    changes: dict[str, Any] = {"role_id": role_id} if role_id else {}
    changes.update({"access": access} if access else {})
    changes.update({"disabled": True} if disabled else {})
    if changes:
        await svc.db.write(lambda conn: user_store.update_user(conn, user.id, **changes))
        user = await svc.db.read(user_store.user_by_id, user.id)
    return user


async def disable_user(svc: Any, username: str) -> None:
    """Disable an account (its tokens stop working); no operation does it yet."""
    user = await svc.db.read(user_store.user_by_username, username)
    await svc.db.write(lambda conn: user_store.update_user(conn, user.id, disabled=True))


async def set_org_access(svc: Any, org_id: str, access: str) -> None:
    """Make an organization public or private (no operation does it yet)."""
    from geoshare.storage.tables import orgs

    await svc.db.write(lambda conn: conn.execute(orgs.update().where(orgs.c.id == org_id).values(access=access)))


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (2, 2), color: Any = (10, 120, 200)) -> bytes:
    """A real image of `fmt` (PNG, GIF, JPEG, BMP ...), made by Pillow: for thumbnail tests."""
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt)
    return out.getvalue()


async def make_group(svc: Any, owner: str, title: str, *, members: tuple[str, ...] = (), admins: tuple[str, ...] = (),
                     group_id: str | None = None, **fields: Any) -> Any:
    """A group owned by `owner`, written through storage (fast, for fixtures): `fields` are group
    columns (access="org", is_invitation_only=True, hidden_members=True ...); `members` and
    `admins` are usernames added as ordinary members and group administrators."""
    from geoshare.domain.group_fields import DEFAULTS
    from geoshare.domain.services import new_id
    from geoshare.storage import groups as group_store

    owner_user = await svc.db.read(user_store.user_by_username, owner)
    now, group_id = svc.clock.now_ms(), group_id or new_id()

    def write(conn: Any) -> Any:
        group_store.insert_group(conn, {**DEFAULTS, **fields, "id": group_id, "org_id": owner_user.org_id,
                                        "owner_id": owner_user.id, "title": title, "created": now, "modified": now})
        group_store.add_member(conn, group_id, owner_user.id, "owner", now)
        for names, kind in ((members, "member"), (admins, "admin")):
            for name in names:
                group_store.add_member(conn, group_id, user_store.user_by_username(conn, name).id, kind, now)
        return group_store.group_by_id(conn, group_id)

    return await svc.db.write(write)


async def make_item(svc: Any, owner: str, title: str, *, item_type: str = "Web Map", groups: tuple[str, ...] = (),
                    item_id: str | None = None, **columns: Any) -> Any:
    """An item owned by `owner`, written through storage (fast, for fixtures): `columns` are item
    columns (shared_public=True, shared_org=True ...); `groups` are group ids it is shared with.
    Its `access` is derived from the sharing, as the sharing operations derive it."""
    from geoshare.domain.access import derived_access
    from geoshare.domain.services import new_id
    from geoshare.storage import items as item_store

    owner_user = await svc.db.read(user_store.user_by_username, owner)
    now, item_id = svc.clock.now_ms(), item_id or new_id()
    access = derived_access(columns.get("shared_public", False), columns.get("shared_org", False), len(groups))

    def write(conn: Any) -> Any:
        item_store.insert_item(conn, {"id": item_id, "org_id": owner_user.org_id, "owner_id": owner_user.id,
                                      "title": title, "type": item_type, "access": access, "created": now,
                                      "modified": now, **columns})
        for group_id in groups:
            item_store.share_with(conn, item_id, group_id, False, now)
        return item_store.item_by_id(conn, item_id)

    return await svc.db.write(write)
