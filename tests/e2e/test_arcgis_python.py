"""The real ArcGIS API for Python (PyPI `arcgis` 2.4.4) against the real server process.

arcgis signs in through the OAuth pages (clients.md §1.1) and forces HTTPS even for an
`http://` URL (§0.1), so both URL forms are tried on the one port.  `GIS()` constructions are
kept few: the signed-in one is shared by the module.
"""

from __future__ import annotations

from typing import Any

import pytest

from .support import LiveServer, close_client

pytestmark = [
    pytest.mark.e2e,
    # verify_cert=False against the self-signed certificate: urllib3 warns on every request
    pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning"),
]

try:  # arcgis is big and optional outside CI; its absence is a skip, never a failure
    import arcgis
    from arcgis.gis import GIS, User
    from arcgis.gis.server import Server
except ImportError as exc:  # pragma: no cover - depends on the machine
    pytest.skip(f"arcgis (the ArcGIS API for Python) does not import: {exc}; run scripts/install-test-deps",
                allow_module_level=True)


close = close_client


def test_arcgis_version() -> None:
    assert arcgis.__version__ == "2.4.4"


def test_sign_in_over_https(gis: Any, live_server: LiveServer) -> None:
    me = gis.users.me
    assert me is not None
    assert me.username == live_server.admin_username
    assert gis.properties.portalName
    assert gis.properties.id == me.orgId
    assert gis.properties.user.username == live_server.admin_username
    # "currentVersion": "2024.1" at GET sharing/rest -> [2024, 1] (clients.md §1.1)
    assert list(gis.version) == [2024, 1]
    # arcgis treats any ":admin:" privilege as admin; its admin paths depend on it (clients.md §1.1)
    assert any(":admin:" in p for p in me.privileges), me.privileges


def test_sign_in_with_an_http_url_is_forced_to_https(live_server: LiveServer) -> None:
    http_gis = GIS(live_server.portal_url("http"), live_server.admin_username, live_server.admin_password,
                   verify_cert=False)
    assert http_gis.users.me.username == live_server.admin_username
    assert http_gis.url.startswith("https://"), http_gis.url  # TLS spoken on the http URL's port
    assert http_gis.properties.portalName
    close(http_gis)


def test_anonymous(live_server: LiveServer) -> None:
    anon = GIS(live_server.portal_url("https"), verify_cert=False)
    assert anon.users.me is None
    assert anon.properties.portalName
    assert anon.properties.id
    assert "user" not in anon.properties
    close(anon)


def test_wrong_password_raises(live_server: LiveServer) -> None:
    # Its own account: a failed GIS() costs several failed sign-ins (implicit flow, then the code flow).
    username, password = live_server.new_org_admin("arcgisbad")
    with pytest.raises(Exception, match="Invalid username or password"):
        GIS(live_server.portal_url("https"), username, password + "-not", verify_cert=False)
    # ... and the account still signs in with the right password (not locked by one GIS()).
    ok = GIS(live_server.portal_url("https"), username, password, verify_cert=False)
    assert ok.users.me.username == username
    close(ok)


def test_users_get(gis: Any, live_server: LiveServer) -> None:
    admin = gis.users.get(live_server.admin_username)
    assert isinstance(admin, User)
    assert admin.username == live_server.admin_username
    assert admin.id
    assert gis.users.get("nobody_by_that_name") is None


def test_other_orgs_user_is_not_visible(gis: Any, live_server: LiveServer) -> None:
    other, _ = live_server.new_org_admin("otherorg")
    assert gis.users.get(other) is None


@pytest.mark.parametrize("scheme", ["https", "http"])
def test_server_admin(live_server: LiveServer, scheme: str) -> None:
    server = Server(url=f"{live_server.server_url(scheme)}/admin", username=live_server.admin_username,
                    password=live_server.admin_password, verify_cert=False)
    props = server.properties
    assert "info" in props["resources"], props
    assert float(props["currentVersion"]) >= 11
    assert "info" in server.resources
    close(server)
