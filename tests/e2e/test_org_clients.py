"""The organisation with the real clients against a server process of this module's own: the
ArcGIS API for Python's users.search (with a query: community/users, then one read per result
by id; without: portals/self/users paging) and update_properties; REST JS searchUsers,
searchCommunityUsers, getPortalSettings, isServiceNameAvailable, and getSelf/getPortal after an
update of the organisation (REST JS 4.10.2 has no update helper: its `request` posts it).

The members are written straight into the server's database through storage (one password hash
for all of them), as the members benchmark does.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from typing import Any

import argon2
import pytest
from sqlalchemy import create_engine

from geoshare.storage import user_queries

from .support import NODE_DIR, LiveServer, fresh_database, start_server, stop_server

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning"),
]

try:
    from arcgis.gis import GIS
except ImportError as exc:  # pragma: no cover - depends on the machine
    pytest.skip(f"arcgis (the ArcGIS API for Python) does not import: {exc}; run scripts/install-test-deps",
                allow_module_level=True)

ORG = "0123456789ABCDEF"
MEMBERS = 150
MEMBER_PASSWORD = "Member-Passw0rd"
RIVER = 12  # members 0..11 are called "River Person <n>"; 10 and 11 keep their profiles private
NODE_TIMEOUT = 120


def _member(i: int, password_hash: str, now: int) -> dict[str, Any]:
    return {"id": f"{i + 1:032x}", "org_id": ORG, "username": f"member_{i:03}", "password_hash": password_hash,
            "full_name": f"River Person {i}" if i < RIVER else f"Person {i}", "first_name": None, "last_name": None,
            "email": f"member{i}@example.org", "role": "org_publisher" if i % 10 == 0 else "org_user",
            "user_license_type_id": "creatorUT", "access": "private" if i in (10, 11) else "org",
            "provider": "arcgis", "disabled": False, "last_login": -1, "created": now + i, "modified": now + i,
            "culture": "en", "units": "english"}


@pytest.fixture(scope="module")
def org_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("geoshare-org")
    test_db = os.environ.get("GEOSHARE_TEST_DATABASE_URL", "").strip()
    database_url, drop = fresh_database(test_db) if test_db else (None, None)
    server = start_server(root, database_url=database_url)
    try:
        engine = create_engine(database_url or f"sqlite:///{server.data_dir / 'geoshare.db'}")
        password_hash = argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(MEMBER_PASSWORD)
        with engine.begin() as conn:
            user_queries.insert_users(conn, [_member(i, password_hash, 1_700_000_000_000) for i in range(MEMBERS)])
        engine.dispose()
        yield server
    finally:
        stop_server(server)
        if drop is not None:
            drop()


@pytest.fixture(scope="module")
def gis(org_server: LiveServer) -> Iterator[Any]:
    signed_in = GIS(org_server.portal_url("https"), org_server.admin_username, org_server.admin_password,
                    verify_cert=False)
    yield signed_in
    session = getattr(getattr(signed_in, "_con", None), "_session", None)
    if session is not None:
        session.close()


def test_users_search_with_a_query(gis: Any) -> None:
    """POST community/users q="River accountid:<org>", then GET community/users/<id> per result."""
    found = gis.users.search("River")
    assert sorted(u.username for u in found) == [f"member_{i:03}" for i in range(RIVER)]
    first = next(u for u in found if u.username == "member_000")
    assert first.fullName == "River Person 0" and first.email == "member0@example.org"
    assert first.role == "org_publisher"
    assert [u.username for u in gis.users.search("fullname:\"River Person 3\"")] == ["member_003"]
    assert gis.users.search("username:nobody_at_all") == []


def test_users_search_without_a_query_pages_the_member_list(gis: Any, org_server: LiveServer) -> None:
    everyone = gis.users.search(max_users=1000)  # portals/self/users, 100 at a time
    names = sorted(u.username for u in everyone)
    assert names == sorted([org_server.admin_username, *(f"member_{i:03}" for i in range(MEMBERS))])
    some = gis.users.search(max_users=120)
    assert len(some) == 120


def test_update_properties(gis: Any) -> None:
    geocoder = [{"url": "https://geocode.example.org/arcgis/rest/services/World/GeocodeServer", "name": "World",
                 "singleLineFieldName": "SingleLine", "placefinding": "true"}]
    assert gis.update_properties({"description": "<p>Rivers of the region</p>", "geocodeService": geocoder,
                                  "units": "metric"}) is True
    assert gis.properties.description == "<p>Rivers of the region</p>"
    assert gis.properties.units == "metric"
    assert gis.properties.helperServices.geocode[0].url == geocoder[0]["url"]


def run_node(config: dict[str, Any]) -> dict[str, Any]:
    env = {**os.environ, "NODE_TLS_REJECT_UNAUTHORIZED": "0", "NO_PROXY": "127.0.0.1,localhost",
           "NODE_NO_WARNINGS": "1"}
    done = subprocess.run(["node", "org-clients.mjs", json.dumps(config)], cwd=NODE_DIR, env=env,
                          capture_output=True, text=True, timeout=NODE_TIMEOUT, check=False)
    assert done.returncode == 0, f"node exited {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, f"no JSON from org-clients.mjs\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def ok(result: dict[str, Any], step: str) -> Any:
    outcome = result[step]
    assert outcome["ok"], f"step {step} failed: {outcome['error']}"
    return outcome["value"]


@pytest.mark.parametrize("scheme", ["https", "http"])
def test_restjs(org_server: LiveServer, node_bin: str, scheme: str) -> None:
    description = f"Updated by REST JS over {scheme}"
    result = run_node({"portal": org_server.sharing_url(scheme), "username": org_server.admin_username,
                       "password": org_server.admin_password, "orgId": ORG, "description": description,
                       "redirectUri": f"https://app.example.org/{scheme}"})
    members = ok(result, "searchUsers")  # portals/self/users/search
    assert members["total"] == RIVER and members["num"] == 5 and members["nextStart"] == 6
    assert members["hasNextPage"] and members["usernames"] == [f"member_{i:03}" for i in range(5)]
    assert members["withEmail"] == 5  # an administrator sees the full view
    assert ok(result, "searchUsersNextPage")["usernames"] == [f"member_{i:03}" for i in range(5, 10)]
    built = ok(result, "searchUsersBuilder")
    assert built["q"] == f'fullname:"River Person 7" AND orgid:{ORG}' and built["usernames"] == ["member_007"]
    assert ok(result, "searchUsersSorted")["usernames"] == ["member_011", "member_010", "member_009"]
    community = ok(result, "searchCommunityUsers")
    assert community["usernames"] == [f"member_{i:03}" for i in range(10)] and community["total"] == 10
    assert community["query"] == f"username:member_00* AND accountid:{ORG}"
    bad = result["badQuery"]
    # REST JS shows the message (the details naming the field and its position stay in the body)
    assert not bad["ok"] and bad["error"]["message"] == "400: Invalid query.", bad
    assert ok(result, "updatePortal") == {"success": True, "id": ORG}
    self_ = ok(result, "getSelf")
    assert self_["description"] == description and self_["region"] == "FR"
    assert self_["redirect"] == [f"https://app.example.org/{scheme}"]
    assert ok(result, "getPortal") == {"id": ORG, "description": description, "user": org_server.admin_username}
    settings = ok(result, "getPortalSettings")
    assert settings["allowedRedirectUris"] == [f"https://app.example.org/{scheme}"]
    assert ok(result, "isServiceNameAvailable") == {"available": True}


def test_a_member_sees_the_member_view_without_private_profiles(org_server: LiveServer) -> None:
    token = org_server.generate_token("member_001", MEMBER_PASSWORD)["token"]
    body = org_server.get_json("/portal/sharing/rest/community/users",
                               {"q": "River", "num": 100, "f": "json", "token": token},
                               headers={"Referer": "http://localhost"})
    names = [u["username"] for u in body["results"]]
    assert names == [f"member_{i:03}" for i in range(10)] and body["total"] == 10
    assert all("email" not in u for u in body["results"] if u["username"] != "member_001")
