"""Fixtures of the end-to-end suite: one real `geoshare serve` process for the whole session.

`live_server` starts the server as a subprocess on a free loopback port, with a temporary
data directory, the administrator `admin` / `support.ADMIN_PASSWORD`, and cheap argon2
settings so that sign-ins are quick.  With GEOSHARE_TEST_DATABASE_URL set, the server runs on
a fresh PostgreSQL database created beside the one the URL names and dropped afterwards
(when the role may not create databases, the tables of the given database are dropped and
migrated again instead).  When a test fails, the tail of the server's output is attached to
its report.

`live_server.new_org_admin(prefix)` creates an organization and its administrator through
`portaladmin/orgs/createOrg`, so tests that fail sign-ins on purpose (which counts towards
the account lockout) never touch the shared `admin`.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from .support import NODE_DIR, LiveServer, fresh_database, start_server, stop_server

_RUNNING: list[LiveServer] = []


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("geoshare-e2e")
    database_url = None
    drop_database = None
    test_db = os.environ.get("GEOSHARE_TEST_DATABASE_URL", "").strip()
    if test_db:
        database_url, drop_database = fresh_database(test_db)
    try:
        server = start_server(root, database_url=database_url)
        _RUNNING.append(server)
        try:
            yield server
        finally:
            _RUNNING.clear()
            stop_server(server)
    finally:
        if drop_database is not None:
            drop_database()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Attach the tail of the server's output to the report of a failing e2e test."""
    outcome = yield
    report = outcome.get_result()
    if report.failed and _RUNNING and item.get_closest_marker("e2e") is not None:
        report.sections.append(("geoshare server output (tail)", _RUNNING[0].log_tail()))


@pytest.fixture(scope="session")
def node_bin() -> str:
    """The node executable, or a skip when the REST JS clients are not installed."""
    found = shutil.which("node")
    if found is None:
        pytest.skip("node is not installed (scripts/install-test-deps expects Node 20+)")
    if not (NODE_DIR / "node_modules" / "@esri" / "arcgis-rest-request").is_dir():
        pytest.skip(f"{NODE_DIR / 'node_modules'} lacks the @esri/arcgis-rest-* packages: run scripts/install-test-deps")
    return found
