"""The server process itself: a restart keeps tokens and the first administrator, and SIGTERM
stops it promptly even while clients hold idle keep-alive connections (HTTP and HTTPS).

These tests start servers of their own (SQLite, in a temporary directory), never the shared
`live_server`.
"""

from __future__ import annotations

import http.client
import json
import time
from pathlib import Path

import pytest

from .support import LiveServer, insecure_context, start_server, stop_server

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
