"""The server process itself: a restart keeps tokens and the first administrator, SIGTERM
stops it promptly even while clients hold idle keep-alive connections (HTTP and HTTPS), a port
in use is a one-line error before anything is written, start-up and shutdown lines are not
labelled errors, and what the first start creates is readable by its owner only.

The restart and shutdown tests start servers of their own (SQLite, in a temporary directory);
the others look at the shared `live_server` or start nothing that would listen.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .support import ADMIN_PASSWORD, LiveServer, insecure_context, server_env, start_server, stop_server

pytestmark = [pytest.mark.e2e]

PROMPT_STOP_SECONDS = 8.0


def _idle_keep_alive(server: LiveServer, scheme: str) -> http.client.HTTPConnection:
    """A connection that made one request and now sits idle, as a client's pool keeps it."""
    if scheme == "https":
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            "127.0.0.1", server.port, timeout=30, context=insecure_context())
    else:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request("GET", "/portal/sharing/rest?f=json")
    resp = conn.getresponse()
    assert resp.status == 200 and json.loads(resp.read())["currentVersion"]
    assert not resp.will_close, "the server should keep the connection alive"
    return conn


def test_restart_keeps_tokens_and_the_first_administrator(tmp_path: Path) -> None:
    first = start_server(tmp_path)
    try:
        token = first.generate_token(first.admin_username, first.admin_password, expiration=120)["token"]
        assert first.get_json("/portal/sharing/rest/community/self", {"f": "json", "token": token},
                              headers={"Referer": "http://localhost"})["username"] == first.admin_username
        org_id = first.get_json("/portal/sharing/rest/portals/self", {"f": "json"})["id"]
    finally:
        stop_server(first, grace=PROMPT_STOP_SECONDS + 30)
    # Same data directory, same port; --admin-password only applies at the first start.
    second = start_server(tmp_path, port=first.port, admin_password="Another-Passw0rd")
    try:
        me = second.get_json("/portal/sharing/rest/community/self", {"f": "json", "token": token},
                             headers={"Referer": "http://localhost"})
        assert me.get("username") == second.admin_username, f"token lost over a restart: {me}"
        assert second.get_json("/portal/sharing/rest/portals/self", {"f": "json"})["id"] == org_id
        again = second.generate_token(second.admin_username, first.admin_password)
        assert "token" in again, again
        assert second.log_path.read_text().count("First start") == 1
    finally:
        stop_server(second, grace=PROMPT_STOP_SECONDS + 30)


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_sigterm_with_an_idle_keep_alive_connection_stops_promptly(tmp_path: Path, scheme: str) -> None:
    server = start_server(tmp_path)
    conn = None
    try:
        conn = _idle_keep_alive(server, scheme)
        started = time.monotonic()
        took = stop_server(server, grace=PROMPT_STOP_SECONDS)
        killed = server.process.returncode == -9
        assert not killed and took < PROMPT_STOP_SECONDS, (
            f"geoshare serve needed {time.monotonic() - started:.1f}s to stop on SIGTERM with one idle {scheme} "
            f"keep-alive connection open (killed={killed})\n{server.log_tail(1500)}")
    finally:
        if conn is not None:
            conn.close()
        stop_server(server)


def test_live_server_runs_on_the_requested_database(live_server: LiveServer) -> None:
    banner = live_server.log_path.read_text("utf-8", errors="replace")
    expected = "PostgreSQL" if live_server.database_url else "SQLite"
    assert f"database       : {expected}" in banner, banner[:800]


def test_a_port_in_use_is_one_line_and_nothing_is_created(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        data = tmp_path / "data"
        done = subprocess.run([sys.executable, "-m", "geoshare.cli.main", "serve", "--data-dir", str(data), "--port",
                               str(port), "--admin-password", ADMIN_PASSWORD], env=server_env(), capture_output=True,
                              text=True, timeout=60)
    assert done.returncode != 0
    assert done.stderr.splitlines() == [f"Error: cannot listen on 127.0.0.1:{port}: Address already in use"]
    assert done.stdout == ""
    assert not data.exists()


def test_start_up_and_shutdown_lines_are_not_errors(tmp_path: Path) -> None:
    server = start_server(tmp_path)
    stop_server(server)
    lines = server.log_path.read_text("utf-8").splitlines()
    logged = [line for line in lines if line[:2] == "20"]  # the timestamped lines, not the banner
    assert any(line.endswith(" INFO uvicorn: Application startup complete.") for line in logged), logged
    assert any(line.endswith(" INFO uvicorn: Application shutdown complete.") for line in logged), logged
    assert not [line for line in logged if "error" in line.lower()], logged


def test_what_the_first_start_created_is_readable_by_its_owner_only(live_server: LiveServer) -> None:
    def mode(path: Path) -> int:
        return stat.S_IMODE(os.stat(path).st_mode)

    data = live_server.data_dir
    assert mode(data) == 0o700 and mode(data / "tls") == 0o700 and mode(data / "blobs") == 0o700
    assert mode(data / "tls" / "geoshare.key") == 0o600
    if live_server.database_url is None:  # SQLite: the database and the files SQLite keeps beside it
        for name in ("geoshare.db", "geoshare.db-wal", "geoshare.db-shm"):
            assert mode(data / name) == 0o600, name
