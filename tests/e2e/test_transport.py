"""The listening socket under hostile or idle clients: idle and reset connections must not
disturb later ones, slow headers are cut off, oversized heads get 431, bodies are held to their
size, field count and read deadline on every route, a client gone mid-body is one log line, and
HSTS goes out only where it belongs.  The servers run as real processes; those that need short
deadlines or a given certificate are started here."""

from __future__ import annotations

import json
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator

import pytest

from tests.e2e.support import (
    ADMIN_PASSWORD,
    LiveServer,
    free_port,
    insecure_context,
    server_env,
    start_server,
    stop_server,
)

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
    """GET the portal root; its status, once the body is the real answer (errors ride on 200)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/portal/sharing/rest?f=json", timeout=3) as reply:
        assert "currentVersion" in json.loads(reply.read()), "the portal root answered an error"
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


# ============================================================================ limits on what a client sends
# Raw sockets, since the point is what a client can do that a well-behaved HTTP library never does.

HEAD_LIMIT = 32 * 1024  # the default --max-header-bytes
PAUSE_LIMIT = 2  # --body-timeout of the dedicated server below
FORM = b"application/x-www-form-urlencoded"
GEN = b"/portal/sharing/rest/generateToken"


def _connect(port: int, tls: bool = False, timeout: float = 10) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    if tls:
        sock = insecure_context().wrap_socket(sock, server_hostname="localhost")
    return sock


def _head(size: int, path: bytes = b"/portal/sharing/rest?f=json") -> bytes:
    """A GET whose request line plus headers (final blank line included) is exactly `size` bytes."""
    start = b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: "
    pad = size - len(start) - len(b"\r\n\r\n")
    data = start + b"a" * pad + b"\r\n\r\n"
    assert len(data) == size
    return data


def _read_answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """One HTTP answer (Content-Length bodies only, which is all geoshare sends here)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a complete answer: {data[:200]!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    while len(body) < int(headers.get("content-length", "0")):
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(lines[0].split()[1]), headers, body


def _closed(sock: socket.socket) -> bool:
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def _rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_a_head_at_the_cap_is_answered_and_one_byte_over_gets_431(live_server, tls):
    with _connect(live_server.port, tls) as sock:
        sock.sendall(_head(HEAD_LIMIT))
        status, headers, body = _read_answer(sock)
        assert status == 200 and b'"currentVersion"' in body
        # The same keep-alive connection: the cap counts each request's head afresh.
        sock.sendall(_head(HEAD_LIMIT + 1))
        status, headers, body = _read_answer(sock)
        assert (status, body) == (431, b"Request header fields too large.\n")
        assert headers["connection"] == "close" and _closed(sock)
    assert _get(live_server.port) == 200


def test_a_50_mib_head_is_cut_off_without_memory_or_stalls(live_server, capsys):
    pid = live_server.process.pid
    _get(live_server.port)
    before = _rss_kib(pid)
    waits: list[float] = []
    failures: list[Exception] = []

    def others() -> None:
        for _ in range(10):
            started = time.monotonic()
            try:
                assert _get(live_server.port) == 200
            except Exception as exc:  # reported by the test below, not lost in the thread
                failures.append(exc)
                return
            waits.append(time.monotonic() - started)
            time.sleep(0.02)

    sender = _connect(live_server.port)
    sender.sendall(b"GET /portal/sharing/rest HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ")
    watcher = threading.Thread(target=others)
    watcher.start()
    started = time.monotonic()
    sent, chunk = 0, b"a" * 65536
    try:
        while sent < 50 * 1024 * 1024:
            sender.sendall(chunk)
            sent += len(chunk)
    except OSError:
        pass  # cut off: the server stopped reading what follows its answer
    status, _, _ = _read_answer(sender)
    took = time.monotonic() - started
    sender.close()
    watcher.join()
    grew = _rss_kib(pid) - before
    with capsys.disabled():
        print(f"\n50 MiB head: 431 after {took:.2f}s ({sent >> 20} MiB sent); RSS {grew:+d} KiB; "
              f"other requests meanwhile: max {max(waits, default=-1) * 1000:.0f} ms")
    assert status == 431 and took < 5
    assert grew < 30 * 1024, f"the server grew by {grew} KiB"
    assert not failures and len(waits) == 10 and max(waits) < 2, (failures, waits)


@pytest.fixture(scope="module")
def limits_server(tmp_path_factory) -> Iterator[LiveServer]:
    """A server of its own: a short body deadline, and a certificate given with --cert (for HSTS)."""
    from geoshare import tls

    root = tmp_path_factory.mktemp("limits")
    cert, key = tls.self_signed(root / "certs", "127.0.0.1")
    server = start_server(root, extra_args=("--body-timeout", str(PAUSE_LIMIT), "--cert", str(cert),
                                            "--key", str(key), "--hsts-seconds", "600"))
    try:
        yield server
    finally:
        stop_server(server)


def _post_head(path: bytes, length: int) -> bytes:
    """A form post as the browser sends it from one of the portal's own pages (the sign-in
    page refuses posts from elsewhere before reading their bodies)."""
    return (b"POST " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + FORM +
            b"\r\nSec-Fetch-Site: same-origin\r\nContent-Length: " + str(length).encode() + b"\r\n\r\n")


@pytest.mark.parametrize("path", [GEN + b"?f=json", b"/-/login"], ids=["api", "page"])
def test_a_trickled_body_gets_408_and_the_connection_is_closed(limits_server, path):
    """One byte every half second (pauses within the deadline, far under 1 KiB/s on average)."""
    sock = _connect(limits_server.port)
    sock.sendall(_post_head(path, 1000))
    stop = threading.Event()

    def drip() -> None:
        while not stop.is_set():
            try:
                sock.sendall(b"a")
            except OSError:
                return
            stop.wait(0.5)

    dripper = threading.Thread(target=drip)
    started = time.monotonic()
    dripper.start()
    try:
        status, headers, body = _read_answer(sock)
        took = time.monotonic() - started
        assert PAUSE_LIMIT - 0.5 < took < PAUSE_LIMIT + 2, took
        assert headers["connection"] == "close" and _closed(sock)
    finally:
        stop.set()
        dripper.join()
        sock.close()
    if path == b"/-/login":
        assert status == 408 and body.startswith(b"Request timeout.")
    else:
        assert status == 200 and json.loads(body)["error"]["code"] == 408


def test_a_client_gone_mid_body_is_one_quiet_line(limits_server):
    log_start = limits_server.log_path.stat().st_size
    for path in (b"/-/login", GEN):
        with _connect(limits_server.port) as sock:
            sock.sendall(_post_head(path, 5000) + b"username=admin&pass")
            time.sleep(0.2)
    time.sleep(0.6)  # the access log is written a few times a second
    with open(limits_server.log_path, "rb") as log:
        log.seek(log_start)
        written = log.read().decode("utf-8", errors="replace")
    assert "Traceback" not in written and "Exception in ASGI application" not in written, written
    lines = written.strip().splitlines()
    assert len(lines) == 2, written
    assert lines[0].endswith("INFO geoshare.http: client closed the connection after 19 bytes of the request "
                             "body: POST /-/login"), written
    assert " INFO geoshare.access: POST /portal/sharing/rest/generateToken error 400 " in lines[1], written


@pytest.mark.parametrize("path", [GEN + b"?f=json", b"/-/login"], ids=["api", "page"])
def test_ten_mib_of_ampersands_is_refused_at_once(limits_server, path, capsys):
    body = b"&" * (10 * 1024 * 1024)
    with _connect(limits_server.port) as sock:
        started = time.monotonic()
        sock.sendall(_post_head(path, len(body)) + body)
        status, _, answer = _read_answer(sock)
        took = time.monotonic() - started
    with capsys.disabled():
        print(f"\n10 MiB of '&' to {path.decode()}: answered in {took * 1000:.0f} ms")
    if path == b"/-/login":
        assert status == 413 and answer.startswith(b"Request too large.")
    else:
        assert json.loads(answer)["error"]["message"] == "Too many fields."
    assert took < 3


def test_hsts_only_on_https_with_the_given_certificate(limits_server, live_server):
    https = limits_server.request("GET", limits_server.sharing_url("https") + "?f=json")
    assert https.headers.get("strict-transport-security") == "max-age=600"
    plain = limits_server.request("GET", limits_server.sharing_url("http") + "?f=json")
    assert "strict-transport-security" not in plain.headers
    self_signed = live_server.request("GET", live_server.sharing_url("https") + "?f=json")
    assert self_signed.status == 200 and "strict-transport-security" not in self_signed.headers
