"""Helpers shared by the end-to-end tests: the LiveServer handle, plain HTTP calls, TLS,
the database reset and the server process (conftest.py holds the fixtures)."""

from __future__ import annotations

import json
import os
import secrets
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "E2e-admin-Passw0rd"
STARTUP_SECONDS = 60
LOG_TAIL_CHARS = 6000
STOP_GRACE_SECONDS = 5
NODE_DIR = Path(__file__).parent / "node"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync")


# The suites that drive a real client, by file, and the client each one needs.
CLIENT_SUITES = {"test_arcgis_python.py": "arcgis", "test_restjs.py": "REST JS", "test_browser.py": "Chromium",
                 "test_browser_csrf.py": "Chromium", "test_maps_sdk.py": "Maps SDK",
                 "test_roles_clients.py": "arcgis",
                 "test_users_clients.py": "arcgis and REST JS",
                 "test_create_users.py": "arcgis",
                 "test_org_clients.py": "arcgis and REST JS",
                 "test_group_admin_clients.py": "arcgis and REST JS",
                 "test_group_members_clients.py": "arcgis and REST JS",
                 "test_group_search_clients.py": "arcgis and REST JS",
                 "test_items_clients.py": "arcgis and REST JS",
                 "test_uploads_clients.py": "arcgis and REST JS",
                 "test_folders_clients.py": "arcgis and REST JS",
                 "test_maps_sdk_content.py": "Maps SDK",
                 "test_sharing_clients.py": "arcgis and REST JS",
                 "test_search_clients.py": "arcgis and REST JS",
                 "test_maps_sdk_search.py": "Maps SDK"}
REQUIRE_CLIENTS = "GEOSHARE_TEST_REQUIRE_CLIENTS"
TRUE_WORDS = ("1", "true", "yes", "on")


def clients_required(environ: Mapping[str, str]) -> bool:
    """Whether a real client that is missing fails the run instead of skipping its suite.

    GEOSHARE_TEST_REQUIRE_CLIENTS decides when it is set (scripts/test-all sets it to 1);
    otherwise CI=true does, so a CI machine without a client can never pass by skipping."""
    explicit = environ.get(REQUIRE_CLIENTS, "").strip().lower()
    if explicit:
        return explicit in TRUE_WORDS
    return environ.get("CI", "").strip().lower() in TRUE_WORDS


def client_suite(path: str | os.PathLike[str]) -> str | None:
    """The real client a test file drives (arcgis, REST JS, Chromium), or None."""
    return CLIENT_SUITES.get(Path(path).name)


def required_client_missing(path: str | os.PathLike[str], environ: Mapping[str, str]) -> str | None:
    """For a skip in `path`: the client whose absence must fail the run, or None when the skip
    may stand (not a client suite, or clients are not required here)."""
    suite = client_suite(path)
    return suite if suite is not None and clients_required(environ) else None


def insecure_context() -> ssl.SSLContext:
    """TLS context that accepts the server's self-signed certificate."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class LiveServer:
    port: int
    data_dir: Path
    log_path: Path
    process: subprocess.Popen[bytes]
    database_url: str | None
    admin_username: str = ADMIN_USERNAME
    admin_password: str = ADMIN_PASSWORD
    _admin_token: str | None = field(default=None, repr=False)

    # ---------------------------------------------------------------- URLs
    def base(self, scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self.port}"

    def portal_url(self, scheme: str = "http") -> str:
        return f"{self.base(scheme)}/portal"

    def sharing_url(self, scheme: str = "http") -> str:
        return f"{self.base(scheme)}/portal/sharing/rest"

    def server_url(self, scheme: str = "http") -> str:
        return f"{self.base(scheme)}/arcgis"

    @property
    def cert_path(self) -> Path:
        return self.data_dir / "tls" / "geoshare.crt"

    # ---------------------------------------------------------------- HTTP
    def request(self, method: str, url: str, params: dict[str, Any] | None = None,
                headers: dict[str, str] | None = None, timeout: float = 30) -> Response:
        """One plain urllib request; `url` may be a path on the server (http).  Never raises on a status."""
        if url.startswith("/"):
            url = self.base("http") + url
        data = None
        encoded = urllib.parse.urlencode(params or {})
        if method == "GET":
            if encoded:
                url += ("&" if "?" in url else "?") + encoded
        else:
            data = encoded.encode("ascii")
        req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
        if data is not None:
            req.add_header("Content-Type", "application/x-www-form-urlencoded")
        ctx = insecure_context() if url.startswith("https:") else None
        try:
            with urllib.request.urlopen(req, timeout=timeout, context=ctx) as resp:
                return Response(resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read())
        except urllib.error.HTTPError as exc:
            with exc:
                return Response(exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read())

    def get_json(self, url: str, params: dict[str, Any] | None = None, **kw: Any) -> Any:
        resp = self.request("GET", url, params, **kw)
        assert resp.status == 200, (resp.status, resp.text[:500])
        return resp.json()

    def post_json(self, url: str, params: dict[str, Any] | None = None, **kw: Any) -> Any:
        resp = self.request("POST", url, params, **kw)
        assert resp.status == 200, (resp.status, resp.text[:500])
        return resp.json()

    def generate_token(self, username: str, password: str, *, referer: str = "http://localhost",
                       expiration: int = 60) -> dict[str, Any]:
        return self.post_json("/portal/sharing/rest/generateToken",
                              {"username": username, "password": password, "client": "referer",
                               "referer": referer, "expiration": expiration, "f": "json"},
                              headers={"Referer": referer})

    def admin_token(self) -> str:
        """A portal token of the default administrator, bound to the referer http://localhost."""
        if self._admin_token is None:
            answer = self.generate_token(self.admin_username, self.admin_password)
            assert "token" in answer, answer
            self._admin_token = answer["token"]
        return self._admin_token

    def new_org_admin(self, prefix: str, password: str | None = None) -> tuple[str, str]:
        """Create an organization with its own administrator; returns (username, password)."""
        suffix = secrets.token_hex(4)
        username = f"{prefix}_{suffix}"
        password = password or f"Pw-{secrets.token_hex(8)}"
        answer = self.post_json("/portal/portaladmin/orgs/createOrg",
                                {"name": f"{prefix} org {suffix}", "adminUsername": username,
                                 "adminPassword": password, "f": "json", "token": self.admin_token()},
                                headers={"Referer": "http://localhost"})
        assert answer.get("status") == "success", answer
        assert answer.get("adminUsername") == username, answer
        return username, password

    def log_tail(self, chars: int = LOG_TAIL_CHARS) -> str:
        try:
            text = self.log_path.read_text("utf-8", errors="replace")
        except OSError as exc:
            return f"(no server log: {exc})"
        return text[-chars:]


# -------------------------------------------------------------------- database
def fresh_database(url: str) -> tuple[str, Any]:
    """A URL for an empty database next to `url`, and a function that drops it afterwards.

    Prefers a new database of its own (the role of scripts/pg-test-server has CREATEDB), so
    nothing the in-process suite leaves behind, or does meanwhile, meets the e2e server.
    Falls back to dropping and re-migrating every table of the given database.
    """
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    sync_url = make_url(url)
    if sync_url.drivername in ("postgresql", "postgresql+asyncpg"):
        sync_url = sync_url.set(drivername="postgresql+psycopg")
    name = f"geoshare_e2e_{os.getpid()}_{secrets.token_hex(3)}"
    admin_engine = create_engine(sync_url, isolation_level="AUTOCOMMIT")
    try:
        with admin_engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # no CREATEDB: reset the given database instead
        admin_engine.dispose()
        sys.stderr.write(f"e2e: cannot create a database ({exc.__class__.__name__}); resetting {sync_url.database}\n")
        _reset_tables(sync_url.render_as_string(hide_password=False))
        return url, lambda: None
    admin_engine.dispose()
    new_url = sync_url.set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        engine = create_engine(sync_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            engine.dispose()

    return new_url, drop


def _reset_tables(url: str) -> None:
    from sqlalchemy import create_engine

    from geoshare.storage import migrate

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            migrate.drop_schema(conn)
        migrate.upgrade(engine)
    finally:
        engine.dispose()


# -------------------------------------------------------------------- server process
def server_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEOSHARE_") or k.startswith("GEOSHARE_TEST_")}
    env.update({"GEOSHARE_ARGON2_MEMORY_KIB": "1024", "GEOSHARE_ARGON2_TIME_COST": "1",
                "PYTHONUNBUFFERED": "1", "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"})
    for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        env.pop(proxy, None)
    return env


def start_server(root: Path, *, port: int | None = None, database_url: str | None = None,
                 admin_password: str = ADMIN_PASSWORD, extra_args: tuple[str, ...] = ()) -> LiveServer:
    """Start `geoshare serve` with its data in root/data and its output appended to root/server.log,
    and wait until it answers.  The caller stops it with `stop_server`."""
    data_dir = root / "data"
    log_path = root / "server.log"
    port = port or free_port()
    cmd = [sys.executable, "-m", "geoshare.cli.main", "serve", "--data-dir", str(data_dir), "--host", "127.0.0.1",
           "--port", str(port), "--admin-username", ADMIN_USERNAME, "--admin-password", admin_password,
           *extra_args]
    if database_url:
        cmd += ["--database-url", database_url]
    with open(log_path, "ab") as log_file:  # the child keeps its own descriptor
        process = subprocess.Popen(cmd, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   env=server_env(), cwd=root)
    server = LiveServer(port=port, data_dir=data_dir, log_path=log_path, process=process, database_url=database_url,
                        admin_password=admin_password)
    try:
        wait_ready(server)
    except BaseException:
        stop_server(server)
        raise
    return server


def wait_ready(server: LiveServer) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    url = server.sharing_url("http") + "?f=json"
    last = "no answer yet"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"geoshare serve exited with {server.process.returncode} before it was ready:\n"
                               f"{server.log_tail()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200 and "currentVersion" in json.loads(resp.read()):
                    return
                last = f"HTTP {resp.status}"
        except (OSError, ValueError) as exc:
            last = repr(exc)
        time.sleep(0.1)
    raise RuntimeError(f"geoshare serve not ready after {STARTUP_SECONDS}s ({last}):\n{server.log_tail()}")


def stop_server(server: LiveServer, grace: float = STOP_GRACE_SECONDS) -> float:
    """SIGTERM, then SIGKILL after `grace` seconds; returns how long the process took to go."""
    process = server.process
    started = time.monotonic()
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
    return time.monotonic() - started


def require_chromium() -> None:
    """At the top of a browser test module: skip the module (a failure where real clients are
    required, see conftest) when Playwright or Debian's Chromium is missing."""
    import pytest

    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the machine
        pytest.skip(f"playwright does not import: {exc}; run scripts/install-test-deps", allow_module_level=True)
    if not os.access(CHROMIUM, os.X_OK):  # pragma: no cover - depends on the machine
        pytest.skip(f"{CHROMIUM} is missing: run scripts/install-test-deps (Debian package chromium)",
                    allow_module_level=True)


def close_client(client: Any) -> None:
    """Drop an arcgis GIS's or Server's pooled keep-alive connections (a private attribute in 2.4.4)."""
    session = getattr(getattr(client, "_con", None), "_session", None)
    if session is not None:
        session.close()


def admin_gis(server: LiveServer) -> Iterator[Any]:
    """The default administrator signed in with the ArcGIS API for Python over https, closed
    afterwards: the body of the `gis` fixture of conftest.py (one construction per module)."""
    from arcgis.gis import GIS

    signed_in = GIS(server.portal_url("https"), server.admin_username, server.admin_password, verify_cert=False)
    yield signed_in
    close_client(signed_in)
