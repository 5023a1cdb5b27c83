"""community/users and portals/{id}/users/search (sharing-api.md §4.6, §7): the query forms the
clients send, visibility in results and totals alike, admin-only fields, paging and the
10,000-result window."""

from __future__ import annotations

import json
from typing import Any

import pytest

from geoshare.domain.portal import MEMBER_PROFILE, PUBLIC_PROFILE
from geoshare.storage import orgs as org_store
from geoshare.storage import user_queries
from geoshare.storage import users as user_store
from tests.api.org_support import NOT_FOUND, call, member_with
from tests.conftest import DEFAULT_ORG, get_token, make_org, make_user

PASSWORD = "Member12345"
SEARCH = "community/users"


@pytest.fixture
async def people(client, svc, admin_token) -> dict[str, Any]:
    """Members of the default organization with distinct profiles, and two of another one."""
    specs = {
        "alice": {"access": "public", "full_name": "Alice Archer", "description": "Maps the river basin",
                  "tags": ["hydrology", "field"], "email": "alice@example.org"},
        "bob": {"role": "org_publisher", "full_name": "Bob Builder", "tags": ["roads"], "email": "bob@example.org"},
        "carol": {"access": "private", "full_name": "Carol Hidden", "email": "carol@example.org"},
        "dave": {"disabled": True, "full_name": "Dave Disabled"},
        "erin": {"full_name": "Erin River", "description": "<b>river</b> maps", "provider": "enterprise"},
    }
    for name, spec in specs.items():
        svc.clock.advance(1000)
        extra = {k: v for k, v in spec.items() if k in ("access", "disabled", "role")}
        user = await make_user(svc, name, PASSWORD, **extra)
        rest = {k: v for k, v in spec.items() if k not in extra}
        await svc.db.write(lambda conn, u=user, r=rest: user_store.update_user(conn, u.id, **r))
    other = await make_org(client, admin_token, "Second Org", "outsider")
    org_id = other["org"]["id"]
    await make_user(svc, "olga", PASSWORD, org_id=org_id, access="public")
    await make_user(svc, "oscar", PASSWORD, org_id=org_id)  # profile access "org": hidden from us
    tokens = {"admin": admin_token}
    for name in ("alice", "bob", "carol", "erin", "outsider", "olga"):
        tokens[name] = await get_token(client, name, "Other12345" if name == "outsider" else PASSWORD)
    return {"other": org_id, "tokens": tokens}


async def search(client, token, path=SEARCH, **params) -> Any:
    body = await call(client, path, token, method="GET", num="100", **params)
    assert "error" not in body, body
    assert body["total"] == len(body["results"]), body
    return body


async def found(client, token, q, **params) -> list[str]:
    return [u["username"] for u in (await search(client, token, q=q, **params))["results"]]


QUERIES = [
    ("*", ["admin", "alice", "bob", "carol", "dave", "erin", "olga"]),  # not the outsiders' org profiles
    ("alice", ["alice"]),
    ("ALICE", ["alice"]),
    ("river", ["alice", "erin"]),  # description and full name, any case
    ("archer builder", ["alice", "bob"]),  # side by side: either
    ("archer AND builder", []),
    ("archer OR builder", ["alice", "bob"]),
    ("archer || builder", ["alice", "bob"]),
    ("river AND NOT erin", ["alice"]),
    ("river -erin", ["alice"]),
    ("river !erin", ["alice"]),
    ("+river erin", ["erin"]),
    ("username:bob", ["bob"]),
    ("username:BO*", ["bob"]),
    ("username:b?b", ["bob"]),
    ("username:bo", []),  # a keyword matches whole values
    ('fullname:"Alice Archer"', ["alice"]),
    ("fullname: archer", ["alice"]),  # REST JS writes a space after the colon
    ("firstname:x OR lastname:y OR fullname:builder", ["bob"]),
    ("description:basin", ["alice"]),
    ("tags:hydrology", ["alice"]),
    ("tags:(roads OR field)", ["alice", "bob"]),
    ('tags:"roads"', ["bob"]),
    (f"accountid:{DEFAULT_ORG}", ["admin", "alice", "bob", "carol", "dave", "erin"]),
    (f"orgid:{DEFAULT_ORG} river", ["alice", "erin"]),
    (f"river accountid:{DEFAULT_ORG}", ["alice", "erin"]),  # what the Python client sends
    (f"(archer OR builder) accountid:{DEFAULT_ORG}", ["alice", "bob"]),
    ("role:org_publisher", ["bob"]),
    ("role:org_admin AND username:admin", ["admin"]),
    ("provider:enterprise", ["erin"]),
    ("userlicensetype:creatorUT AND username:b*", ["bob"]),
    ("email:bob@example.org", ["bob"]),
    ("email:*@example.org", ["alice", "bob", "carol"]),
    ("disabled:true", ["dave"]),
    ("username:[a TO b]", ["admin", "alice"]),
    ("username:{alice TO carol}", ["bob"]),
    ("river^2 OR bob", ["alice", "bob", "erin"]),
    ('username:bob AND (fullname:"Bob Builder" OR tags:roads)', ["bob"]),
    # Excluding a word keeps users whose searched fields are empty (NULL under NOT).
    ("* -zzzz", ["admin", "alice", "bob", "carol", "dave", "erin", "olga"]),
    ("* -email:zzzz", ["admin", "alice", "bob", "carol", "dave", "erin", "olga"]),
    ("* NOT fullname:archer", ["admin", "bob", "carol", "dave", "erin", "olga"]),
]


async def test_query_forms_as_administrator(client, people, subtests):
    """One set of people for every query (making them costs more than the queries)."""
    for q, expected in QUERIES:
        with subtests.test(q=q):
            assert await found(client, people["tokens"]["admin"], q) == expected


async def test_date_ranges(client, svc, people):
    admin = people["tokens"]["admin"]
    bob = await svc.db.read(user_store.user_by_username, "bob")
    padded = f"{bob.created:019d}"
    assert await found(client, admin, f"created:[{padded} TO {padded}]") == ["bob"]
    assert await found(client, admin, f"created:{bob.created}") == ["bob"]
    after = await found(client, admin, f"created:{{{bob.created} TO *]")
    assert "bob" not in after and "carol" in after and "admin" not in after
    assert await found(client, admin, f"modified:[* TO {bob.created - 1}] AND username:a*") == ["admin", "alice"]
    assert "admin" in await found(client, admin, "lastlogin:[1 TO *]")


async def test_visibility_for_a_member(client, people):
    """A member sees the organization's org and public profiles and everyone's public ones; private
    profiles (except their own), disabled members and other organizations' org profiles are
    neither listed nor counted."""
    body = await search(client, people["tokens"]["bob"], q="*")
    assert [u["username"] for u in body["results"]] == ["admin", "alice", "bob", "erin", "olga"]
    assert body["total"] == 5
    views = {u["username"]: u for u in body["results"]}
    assert set(views["alice"]) == set(MEMBER_PROFILE) and set(views["olga"]) == set(PUBLIC_PROFILE)
    assert "email" in views["bob"]  # oneself
    assert await found(client, people["tokens"]["carol"], "carol") == ["carol"]


async def test_visibility_for_an_outsider(client, people):
    body = await search(client, people["tokens"]["outsider"], q="*")
    assert [u["username"] for u in body["results"]] == ["alice", "olga", "oscar", "outsider"]
    alice = body["results"][0]
    assert set(alice) == set(PUBLIC_PROFILE)


async def test_admin_only_and_member_only_fields_reveal_nothing(client, svc, people):
    """email, lastlogin and disabled match only users the caller administers (or the caller),
    role and the organization only members of the caller's organization."""
    outsider, bob = people["tokens"]["outsider"], people["tokens"]["bob"]
    assert await found(client, bob, "email:alice@example.org") == []
    assert await found(client, bob, "email:bob@example.org") == ["bob"]
    assert await found(client, outsider, "email:*example.org") == []
    assert await found(client, outsider, "role:org_user") == ["olga", "oscar"]  # not alice, public as she is
    assert await found(client, outsider, f"accountid:{DEFAULT_ORG}") == []
    assert await found(client, bob, "disabled:false AND username:a*") == []
    auditor = await member_with(svc, client, "auditor", "portal:admin:viewUsers")
    assert await found(client, auditor, "email:alice@example.org") == ["alice"]


async def test_can_search_public_off_keeps_searches_in_the_organization(client, svc, people):
    await svc.db.write(lambda conn: org_store.update_org(conn, DEFAULT_ORG, can_search_public=False))
    assert "olga" not in await found(client, people["tokens"]["bob"], "*")
    assert "alice" in await found(client, people["tokens"]["outsider"], "*")


async def test_sorting_and_paging(client, people):
    admin = people["tokens"]["admin"]
    by_created = await found(client, admin, f"accountid:{DEFAULT_ORG}", sortField="created", sortOrder="desc")
    assert by_created == ["erin", "dave", "carol", "bob", "alice", "admin"]
    assert await found(client, admin, "river", sortField="fullname", sortOrder="desc") == ["erin", "alice"]
    page = await call(client, SEARCH, admin, method="GET", q="*", num="3", start="4")
    assert page["query"] == "*" and [u["username"] for u in page["results"]] == ["carol", "dave", "erin"]
    assert (page["total"], page["start"], page["num"], page["nextStart"]) == (7, 4, 3, 7)
    last = await call(client, SEARCH, admin, method="GET", q="*", num="3", start="7")
    assert [u["username"] for u in last["results"]] == ["olga"] and last["nextStart"] == -1
    after = await call(client, SEARCH, admin, method="GET", q="*", start="-1")
    assert (after["results"], after["nextStart"], after["total"]) == ([], -1, 7)


BAD_QUERIES = [
    ({}, "'q' must be specified."),
    ({"q": "title:x"}, "'q': unknown field 'title' at position 1."),
    ({"q": "bob AND owner:x"}, "'q': unknown field 'owner' at position 9."),
    ({"q": "(bob"}, "'q': expected ')' at position 5."),
    ({"q": '"bob'}, "'q': unclosed quotation mark at position 1."),
    ({"q": "username:[a b]"}, "'q': expected 'TO' at position 13."),
    ({"q": "bob", "filter": "nope:1"}, "'filter': unknown field 'nope' at position 1."),
    ({"q": "created:yesterday"}, "'q': 'created' takes a number"),
    ({"q": "fullname:[a TO b]"}, "'q': 'fullname' does not take a range"),
    ({"q": "disabled:maybe"}, "'q': 'disabled' takes true or false."),
    ({"q": "*", "sortField": "lastlogin"}, "'sortField' must be one of"),
    ({"q": "*", "userLicenseType": "nope"}, "'userLicenseType' must be one of"),
]


async def test_bad_queries(client, people, subtests):
    for params, detail in BAD_QUERIES:
        with subtests.test(**params):
            body = await call(client, SEARCH, people["tokens"]["admin"], method="GET", **params)
            assert body["error"]["code"] == 400 and body["error"]["details"][0].startswith(detail), body


async def test_python_client_parameters(client, people):
    """What arcgis 2.4.4 posts for users.search (clients.md §4.2)."""
    body = await call(client, SEARCH, people["tokens"]["admin"], q=f"river accountid:{DEFAULT_ORG}", start="1",
                      num="100", sortField="username", sortOrder="asc", excludeSystemUsers="false",
                      userLicenseType="creatorUT", applyFiltersIntersection="true")
    assert [u["username"] for u in body["results"]] == ["alice", "erin"]
    assert body["results"][0]["id"]  # the client then reads community/users/<id>
    for path, params in (("community/users", {"q": "*"}), ("portals/self/users", {}),
                         ("portals/self/users/search", {})):  # no password hash in any view
        text = json.dumps(await call(client, path, people["tokens"]["admin"], method="GET", num="100", **params))
        assert "argon2" not in text and "password" not in text.lower() and "securityAnswer" not in text


async def test_anonymous_callers_are_refused(client, people):
    assert (await call(client, SEARCH, None, method="GET", q="*"))["error"]["code"] == 499


async def test_members_search(client, people):
    admin, bob = people["tokens"]["admin"], people["tokens"]["bob"]
    path = "portals/self/users/search"
    body = await search(client, admin, path)  # no q: every member
    assert [u["username"] for u in body["results"]] == ["admin", "alice", "bob", "carol", "dave", "erin"]
    assert await found(client, bob, "river", path=path) == ["alice", "erin"]
    assert await found(client, bob, "*", path=path) == ["admin", "alice", "bob", "erin"]
    legacy = await call(client, f"portal/{DEFAULT_ORG}/users/search", admin, method="GET", q="bob")
    assert [u["username"] for u in legacy["results"]] == ["bob"]
    assert await call(client, f"portals/{people['other']}/users/search", admin, method="GET") == NOT_FOUND


async def test_the_result_window(client, svc, admin_token):
    now = svc.clock.now_ms()
    rows = [{"id": f"{i:032x}", "org_id": DEFAULT_ORG, "username": f"bulk{i:05}", "full_name": f"Bulk {i}",
             "role": "org_user", "user_license_type_id": "creatorUT", "access": "org", "provider": "arcgis",
             "disabled": False, "last_login": -1, "created": now, "modified": now} for i in range(10_005)]
    await svc.db.write(user_queries.insert_users, rows)
    full = await call(client, SEARCH, admin_token, method="GET", q="bulk", num="10")
    assert full["total"] == 10_000 and full["nextStart"] == 11
    edge = await call(client, SEARCH, admin_token, method="GET", q="bulk", num="10", start="9991")
    assert len(edge["results"]) == 10 and edge["nextStart"] == -1 and edge["total"] == 10_000
    beyond = await call(client, SEARCH, admin_token, method="GET", q="bulk", num="10", start="9992")
    assert beyond["results"] == [] and beyond["nextStart"] == -1
    listing = await call(client, "portals/self/users", admin_token, method="GET", num="1")
    assert listing["total"] == 10_006  # a listing is not a search: it counts everyone
