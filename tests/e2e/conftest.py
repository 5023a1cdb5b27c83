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

Real clients never silently skip where they are required (CI=true, or
GEOSHARE_TEST_REQUIRE_CLIENTS=1 as scripts/test-all sets it): a client suite that skips because
`arcgis`, the REST JS packages or Chromium is missing fails instead, and the terminal summary
says which client suites ran and how many of their tests passed.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from .support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    CLIENT_SUITES,
    NODE_DIR,
    LiveServer,
    admin_gis,
    client_suite,
    clients_required,
    fresh_database,
    required_client_missing,
    start_server,
    stop_server,
)

_RUNNING: list[LiveServer] = []


@pytest.fixture(scope="module")
def gis(live_server: LiveServer) -> Iterator[Any]:
    """The administrator signed in with the ArcGIS API for Python, once per module."""
    try:
        import arcgis.gis  # noqa: F401
    except ImportError:  # pragma: no cover - depends on the machine
        pytest.skip("arcgis (the ArcGIS API for Python) does not import; run scripts/install-test-deps")
    yield from admin_gis(live_server)


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
    """A required client's skip becomes a failure; a failing e2e test gets the server's output."""
    outcome = yield
    report = outcome.get_result()
    missing = required_client_missing(item.path, os.environ)
    if report.skipped and missing and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"{missing} is required here (CI or GEOSHARE_TEST_REQUIRE_CLIENTS=1) but the test " \
                          f"skipped: {_skip_reason(report.longrepr)}"
    if report.failed and _RUNNING and item.get_closest_marker("e2e") is not None:
        report.sections.append(("geoshare server output (tail)", _RUNNING[0].log_tail()))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium for one browser test module (which calls
    `support.require_chromium()` first); Playwright gives it a new empty profile."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=list(CHROMIUM_ARGS))
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def webapp() -> Iterator[str]:
    """A Maps SDK test module's web app, served from its own origin (webapp_server.py)."""
    from .webapp_server import serve_webapp

    with serve_webapp() as origin:
        yield origin


@pytest.fixture(scope="session")
def node_bin() -> str:
    """The node executable, or a skip when the REST JS clients are not installed (a failure
    where clients are required)."""
    found = shutil.which("node")
    if found is None:
        pytest.skip("node is not installed (scripts/install-test-deps expects Node 20+)")
    if not (NODE_DIR / "node_modules" / "@esri" / "arcgis-rest-request").is_dir():
        pytest.skip(f"{NODE_DIR / 'node_modules'} lacks the @esri/arcgis-rest-* packages: run scripts/install-test-deps")
    return found


class MissingClient(pytest.Item):
    """Stands in for a client suite whose module skipped itself at import: it fails, so the
    absence is a failure in the report and the rest of the run still happens."""

    def __init__(self, *, reason: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.reason = reason
        self.add_marker(pytest.mark.e2e)

    def runtest(self) -> None:
        pytest.fail(self.reason, pytrace=False)

    def reportinfo(self) -> tuple[Any, int | None, str]:
        return self.path, None, self.name


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Iterator[None]:
    report = yield
    missing = required_client_missing(collector.path, os.environ) if isinstance(collector, pytest.Module) else None
    if not (missing and report.skipped):
        return report
    reason = f"{missing} is required here (CI or GEOSHARE_TEST_REQUIRE_CLIENTS=1) but the suite skipped: " \
             f"{_skip_reason(report.longrepr)}"
    item = MissingClient.from_parent(collector, name=f"{missing} client is installed", reason=reason)
    return pytest.CollectReport(report.nodeid, "passed", None, [item])


def _skip_reason(longrepr: Any) -> str:
    """The text of a skip (pytest keeps it as (path, line, 'Skipped: reason'))."""
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


# ---------------------------------------------------------------- which client suites ran
class ClientTally:
    """Counts the outcomes of each client suite and prints them at the end of the run."""

    def __init__(self) -> None:
        self.counts: dict[str, Counter[str]] = {suite: Counter() for suite in CLIENT_SUITES.values()}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        suite = client_suite(report.nodeid.split("::")[0])
        if suite is None:
            return
        if report.when == "call" and report.passed:
            self.counts[suite]["passed"] += 1
        elif report.failed:
            self.counts[suite]["failed"] += 1
        elif report.skipped and report.when == "setup":
            self.counts[suite]["skipped"] += 1

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        suite = client_suite(report.nodeid.split("::")[0])
        if suite is not None and report.skipped:  # the whole suite skipped itself at import
            self.counts[suite]["skipped"] += 1

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not (clients_required(os.environ) or any(sum(c.values()) for c in self.counts.values())):
            return
        terminalreporter.section("real clients")
        for suite, found in self.counts.items():
            shown = ", ".join(f"{n} {what}" for what, n in sorted(found.items()) if n) or "not run"
            terminalreporter.write_line(f"{suite}: {shown}")


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin("geoshare-client-tally"):
        config.pluginmanager.register(ClientTally(), "geoshare-client-tally")
