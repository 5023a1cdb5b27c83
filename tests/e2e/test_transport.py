"""The listening socket under hostile or idle clients: idle and reset connections must not
disturb later ones, and slow headers are cut off.  The server runs as a real process with
short deadlines so the test stays quick."""

from __future__ import annotations

import socket
import struct
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

import pytest

from tests.e2e.support import ADMIN_PASSWORD, free_port, server_env

pytestmark = [pytest.mark.e2e]

LAUNCH = ("import sys, geoshare.server as s; s.FIRST_BYTE_TIMEOUT = 1.0; s.HEADER_TIMEOUT = 1.5; "
          "from geoshare.cli.main import cli; cli(sys.argv[1:])")


@pytest.fixture
def quick_server(tmp_path) -> Iterator[int]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", LAUNCH, "serve", "--data-dir", str(tmp_path), "--port", str(port),
                             "--admin-password", ADMIN_PASSWORD], env=server_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/portal/sharing/rest?f=json", timeout=1).read()
                break
            except OSError:
                time.sleep(0.05)
        yield port
    finally:
        proc.terminate()
        proc.wait(10)


def _get(port: int) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/portal/sharing/rest?f=json", timeout=3) as reply:
        return int(reply.status)


def test_idle_and_reset_connections_do_not_poison_later_ones(quick_server):
    port = quick_server
    idle = socket.create_connection(("127.0.0.1", port))
    time.sleep(1.5)  # past the first-byte deadline: the server drops it
    assert idle.recv(1) == b""
    idle.close()
    reset = socket.create_connection(("127.0.0.1", port))
    reset.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    reset.close()
    time.sleep(0.2)
    for _ in range(5):
        assert _get(port) == 200


def test_slow_headers_are_cut_off(quick_server):
    port = quick_server
    slow = socket.create_connection(("127.0.0.1", port))
    slow.sendall(b"GET /portal/sharing/rest?f=json HTTP/1.1\r\nHost: x\r\n")
    slow.settimeout(5)
    started = time.time()
    assert slow.recv(1024) == b""  # closed by the server, no answer
    assert time.time() - started < 4
    slow.close()
    assert _get(port) == 200
