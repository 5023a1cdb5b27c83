"""Revocation across processes: a change made by the command line or by another server on the
same database is seen by a running server on its very next request, although that server
caches token lookups (SQLite: `PRAGMA data_version`; PostgreSQL: LISTEN/NOTIFY).

With GEOSHARE_TEST_DATABASE_URL set, both tests run on PostgreSQL.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .support import LiveServer, fresh_database, server_env, start_server, stop_server

pytestmark = [pytest.mark.e2e]

REFERER = "http://localhost"


def _whoami(server: LiveServer, token: str) -> object:
    answer = server.get_json("/portal/sharing/rest/community/self", {"f": "json", "token": token},
                             headers={"Referer": REFERER})
    return answer.get("username") or answer["error"]["code"]


def _cached(server: LiveServer, token: str, username: str) -> None:
    for _ in range(3):  # the first request fills the cache, the others are served from it
        assert _whoami(server, token) == username


def test_cli_set_password_revokes_tokens_on_the_running_server(live_server: LiveServer) -> None:
    username, password = live_server.new_org_admin("cli")
    token = live_server.generate_token(username, password)["token"]
    _cached(live_server, token, username)
    command = [sys.executable, "-m", "geoshare.cli.main", "users", "set-password", username,
               "--data-dir", str(live_server.data_dir)]
    if live_server.database_url:
        command += ["--database-url", live_server.database_url]
    done = subprocess.run(command, env={**server_env(), "GEOSHARE_NEW_PASSWORD": "Changed-by-cli-1"},
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert _whoami(live_server, token) == 498  # the very next request
    assert "token" in live_server.generate_token(username, "Changed-by-cli-1")


@pytest.fixture
def two_servers(tmp_path: Path) -> Iterator[tuple[LiveServer, LiveServer]]:
    """Two server processes over one database: a SQLite file, or a fresh PostgreSQL database."""
    test_db = os.environ.get("GEOSHARE_TEST_DATABASE_URL", "").strip()
    drop = None
    if test_db:
        url, drop = fresh_database(test_db)
    else:
        url = f"sqlite:///{tmp_path / 'a' / 'data' / 'geoshare.db'}"
    servers: list[LiveServer] = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    try:
        servers.append(start_server(tmp_path / "a", database_url=url))
        servers.append(start_server(tmp_path / "b", database_url=url))
        yield servers[0], servers[1]
    finally:
        for server in servers:
            stop_server(server)
        if drop is not None:
            drop()


def test_a_token_revoked_on_one_server_is_refused_by_the_other_at_once(
        two_servers: tuple[LiveServer, LiveServer]) -> None:
    first, second = two_servers
    token = first.generate_token(first.admin_username, first.admin_password)["token"]
    kept = first.generate_token(first.admin_username, first.admin_password)["token"]
    _cached(second, token, second.admin_username)
    _cached(second, kept, second.admin_username)
    revoked = first.post_json("/portal/sharing/rest/oauth2/revokeToken", {"client_id": "pythonapi",
                                                                          "auth_token": token})
    assert revoked == {"success": True}
    assert _whoami(second, token) == 498  # the very next request, on the other process
    assert _whoami(second, kept) == second.admin_username
