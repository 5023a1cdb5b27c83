"""Creating members with the real clients against the real server process: the ArcGIS API for
Python's `gis.users.create` (portaladmin createUser, token in a header only), a custom
administrative role building `gis.admin`, and a seed-style urllib script adding members from a
CSV file the way the help's "Add members to the portal" sample does."""

from __future__ import annotations

import csv
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from geoshare.domain import privileges

from .support import LiveServer, close_client

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning"),
]

try:  # arcgis is big and optional outside CI; its absence is a skip, never a failure where required
    from arcgis.gis import GIS, User
except ImportError as exc:  # pragma: no cover - depends on the machine
    pytest.skip(f"arcgis (the ArcGIS API for Python) does not import: {exc}; run scripts/install-test-deps",
                allow_module_level=True)

HERE = Path(__file__).parent
SCRIPT = HERE / "scripts" / "add_users_from_csv.py"
MEMBERS_CSV = HERE / "data" / "members.csv"
PASSWORD = "Created-Passw0rd"


close = close_client


def unique(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(4)}"


def user_doc(live_server: LiveServer, username: str) -> Any:
    return live_server.get_json(f"/portal/sharing/rest/community/users/{username}",
                                {"f": "json", "token": live_server.admin_token()}, headers={"Referer": "http://localhost"})


def create(gis: Any, live_server: LiveServer, **kwargs: Any) -> Any:
    """The client's public entry point: it searches community/users first, then calls createUser."""
    return gis.users.create(**kwargs)


def test_users_create_returns_the_new_user(gis: Any, live_server: LiveServer) -> None:
    name = unique("py_pub")
    user = create(gis, live_server, username=name, password=PASSWORD, firstname="Py", lastname="Publisher",
                  email=f"{name}@example.org", role="org_publisher", user_type="creatorUT",
                  description="made by arcgis")
    assert isinstance(user, User), user
    assert (user.username, user.role, user.userLicenseTypeId, user.fullName) == (name, "org_publisher", "creatorUT",
                                                                                 "Py Publisher")
    found = gis.users.get(name)
    assert found is not None and found.email == f"{name}@example.org"
    signed_in = GIS(live_server.portal_url("https"), name, PASSWORD, verify_cert=False)
    assert signed_in.users.me.username == name
    close(signed_in)


def test_users_create_a_viewer_and_the_default_role(gis: Any, live_server: LiveServer) -> None:
    viewer = unique("py_view")
    made = create(gis, live_server, username=viewer, password=PASSWORD, firstname="Py", lastname="Viewer",
                  email="v@example.org", role="viewer", user_type="viewerUT")
    assert isinstance(made, User) and made.username == viewer
    doc = user_doc(live_server, viewer)  # (arcgis' User.role looks a roleId up among the organization's roles)
    assert (doc["role"], doc["roleId"], doc["userLicenseTypeId"]) == ("org_user", privileges.VIEWER_ROLE_ID, "viewerUT")
    # No role: the client reads portals/self/userDefaultSettings, then createUser takes the default.
    plain = unique("py_dflt")
    made = create(gis, live_server, username=plain, password=PASSWORD, firstname="Py", lastname="Default",
                  email="d@example.org", role=None, user_type="creatorUT")
    assert (made.role, made.userLicenseTypeId) == ("org_user", "creatorUT")


def test_a_refusal_raises_in_the_client(gis: Any, live_server: LiveServer) -> None:
    name = unique("py_weak")
    with pytest.raises(Exception, match="Invalid password"):
        create(gis, live_server, username=name, password="weak", firstname="Py", lastname="Weak",
               email="w@example.org", role="org_user", user_type="creatorUT")
    assert gis.users.get(name) is None


def test_users_create_searches_first(gis: Any, live_server: LiveServer) -> None:
    """The public entry point itself, duplicate check included."""
    name = unique("py_full")
    assert isinstance(gis.users.create(name, PASSWORD, "Py", "Full", "f@example.org", role="org_user",
                                       user_type="creatorUT"), User)
    with pytest.raises(Exception, match="already exists"):
        gis.users.create(name, PASSWORD, "Py", "Full", "f@example.org", role="org_user", user_type="creatorUT")


# ---------------------------------------------------------------- a custom administrative role
def _database_url(live_server: LiveServer) -> str:
    return live_server.database_url or f"sqlite:///{live_server.data_dir / 'geoshare.db'}"


def give_custom_role(live_server: LiveServer, username: str, role_id: str, held: list[str]) -> None:
    """Through storage, as the authorization matrix does: no roles operation is needed for it."""
    from sqlalchemy import create_engine

    from geoshare.storage import roles as role_store
    from geoshare.storage import users as user_store

    engine = create_engine(_database_url(live_server))
    try:
        with engine.begin() as conn:
            org_id = "0123456789ABCDEF"
            role_store.insert_role(conn, role_id=role_id, org_id=org_id, name=role_id, description=None,
                                   privileges=held, now=0)
            user = user_store.user_by_username(conn, username)
            assert user is not None
            user_store.update_user(conn, user.id, role_id=role_id)
    finally:
        engine.dispose()


def test_a_custom_administrative_role_builds_gis_admin_and_adds_members(gis: Any, live_server: LiveServer) -> None:
    name = unique("py_cust")
    create(gis, live_server, username=name, password=PASSWORD, firstname="Custom", lastname="Admin",
           email="c@example.org", role="org_user", user_type="creatorUT")
    role_id = ("c" + secrets.token_hex(8))[:16]
    give_custom_role(live_server, name, role_id, [*privileges.VIEWER, "portal:admin:viewUsers",
                                                  "portal:admin:inviteUsers"])
    custom = GIS(live_server.portal_url("https"), name, PASSWORD, verify_cert=False)
    try:
        assert custom.users.me.roleId == role_id
        admin = custom.admin  # GETs the portaladmin root; an error there would raise
        assert admin is not None
        assert admin.security.config["defaultRoleForUser"] == "org_user"
        added = unique("py_byc")
        made = create(custom, live_server, username=added, password=PASSWORD, firstname="By", lastname="Custom",
                      email="b@example.org", role="org_user", user_type="creatorUT")
        assert made is not None and made.username == added
        with pytest.raises(Exception, match="Only a full administrator"):
            create(custom, live_server, username=unique("py_nope"), password=PASSWORD, firstname="No",
                   lastname="Pe", email="n@example.org", role="org_admin", user_type="creatorUT")
    finally:
        close(custom)


# ---------------------------------------------------------------- the help's add-users script
def run_script(live_server: LiveServer, users_file: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ADD_USERS_PASSWORD": live_server.admin_password}
    return subprocess.run([sys.executable, str(SCRIPT), "--portal", live_server.portal_url("https"), "--admin",
                           live_server.admin_username, "--users", str(users_file), "--insecure", *extra],
                          capture_output=True, text=True, env=env, timeout=120, check=False)


def test_the_script_adds_members_from_a_csv_file(live_server: LiveServer) -> None:
    result = run_script(live_server, MEMBERS_CSV)
    assert result.returncode == 1, result.stdout + result.stderr  # three lines are refused
    lines = result.stdout.splitlines()
    assert lines[:3] == ["added pub_bwilliams", "added usr_jdoe_01", "added view_mchan"]
    assert lines[3] == "line 5: bad_email_01 not added: Invalid e-mail address. 'not-an-email' is not an e-mail " \
                       "address."
    assert lines[4].startswith("line 6: x not added: Invalid username.")
    assert lines[5] == "line 7: weak_password not added: Invalid password. The password must have at least 8 " \
                       "characters. The password must contain at least 1 digit."
    assert lines[6:] == ["added adm_ocruz", "3 line(s) failed"]
    expected = {"pub_bwilliams": ("org_publisher", None, "creatorUT", "Barbara Williams"),
                "usr_jdoe_01": ("org_user", None, "creatorUT", "Jane Q Doe"),
                "view_mchan": ("org_user", privileges.VIEWER_ROLE_ID, "viewerUT", "Mei Chan"),
                "adm_ocruz": ("org_admin", None, "GISProfessionalAdvUT", "Omar Cruz")}
    with open(MEMBERS_CSV, newline="", encoding="utf-8") as handle:
        rows = {row["username"]: row for row in csv.DictReader(handle)}
    for username, (role, role_id, user_type, full_name) in expected.items():
        doc = user_doc(live_server, username)
        assert (doc["role"], doc.get("roleId"), doc["userLicenseTypeId"], doc["fullName"]) == (
            role, role_id, user_type, full_name)
        assert doc["email"] == rows[username]["email"] and doc["provider"] == "arcgis"
        assert live_server.generate_token(username, rows[username]["password"]).get("token")
    assert user_doc(live_server, "usr_jdoe_01")["description"] == "<b>field</b> team"
    for refused in ("bad_email_01", "weak_password"):
        assert user_doc(live_server, refused)["error"]["code"] == 400


def test_the_script_registers_enterprise_logins(live_server: LiveServer, tmp_path: Path) -> None:
    users_file = tmp_path / "enterprise.csv"
    suffix = secrets.token_hex(3)
    users_file.write_text("username,email,fullname,role,description,idp_username\n"
                          f"CORP\\jcho{suffix},jcho@corp.example,Jon Cho,org_user,department b,jcho@corp.example\n",
                          encoding="utf-8")
    result = run_script(live_server, users_file, "--kind", "enterprise")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [f"added jcho{suffix}@CORP", "all lines added"]
    doc = user_doc(live_server, f"jcho{suffix}@CORP")
    assert (doc["provider"], doc["idpUsername"], doc["role"]) == ("enterprise", "jcho@corp.example", "org_user")
