"""community/groups (sharing-api.md §5.7, §7.3-7.6): the query forms the clients send, the group
fields, paging, ordering, searchUserAccess=groupMember, canSearchPublic and errors that name the
position.  Who sees which group, caller by caller, is in test_group_visibility.py."""

from __future__ import annotations

from typing import Any

import pytest

from geoshare.domain.services import new_id
from geoshare.storage import group_queries
from geoshare.storage import groups as group_store
from geoshare.storage import orgs as org_store
from geoshare.storage import users as user_store
from tests.api.org_support import call
from tests.conftest import DEFAULT_ORG, get_token, make_group, make_org, make_user

PASSWORD = "Member12345"
SEARCH = "community/groups"
HOME_ALL = ["Parks Team", "Secret River", "Street Art", "Street Maps"]


@pytest.fixture
async def world(client, svc, admin_token) -> dict[str, Any]:
    """Four groups of the default organization and three of another one, one step apart in time."""
    await make_user(svc, "alice", PASSWORD)
    await make_user(svc, "bob", PASSWORD, role="org_publisher")
    other = (await make_org(client, admin_token, "Away Org", "outsider"))["org"]["id"]
    await make_user(svc, "olga", PASSWORD, org_id=other)
    specs = [
        ("alice", "Street Maps", {"access": "public", "tags": ["roads", "city"], "description": "Streets of the city"}),
        ("bob", "Parks Team", {"access": "org", "snippet": "Green spaces", "phone": "555-0100"}),
        ("bob", "Secret River", {"access": "private", "is_invitation_only": True, "type_keywords": ["hydro"]}),
        ("alice", "Street Art", {"access": "private", "is_view_only": True}),
        ("outsider", "Away Public", {"access": "public"}),
        ("outsider", "Away Org", {"access": "org"}),
        ("olga", "Away Private", {"access": "private", "members": ("alice",)}),
    ]
    ids = {}
    for owner, title, fields in specs:
        svc.clock.advance(1000)
        ids[title] = (await make_group(svc, owner, title, **fields)).id
    tokens = {"admin": admin_token, "outsider": await get_token(client, "outsider", "Other12345")}
    for name in ("alice", "bob", "olga"):
        tokens[name] = await get_token(client, name, PASSWORD)
    return {"other": other, "ids": ids, "tokens": tokens}


async def search(client, token, **params) -> Any:
    body = await call(client, SEARCH, token, method="GET", **{"num": "100", **params})
    assert "error" not in body, body
    return body


async def titles(client, token, q, **params) -> list[str]:
    body = await search(client, token, q=q, **params)
    assert body["total"] == len(body["results"]), body
    return [g["title"] for g in body["results"]]


async def test_query_forms(client, world, subtests):
    """One world for every query form (making it costs more than the queries)."""
    ids, other = world["ids"], world["other"]
    cases = [
        ("*", ["Away Public", *HOME_ALL]),
        ("street", ["Street Art", "Street Maps"]),
        ("STREET", ["Street Art", "Street Maps"]),
        ('title:"street maps"', ["Street Maps"]),
        ('"maps street"', []),  # a phrase keeps its word order
        ("title:street maps", ["Street Art", "Street Maps"]),  # the prefix binds the first word only
        ("title:street AND title:maps", ["Street Maps"]),
        ("title: parks", ["Parks Team"]),  # REST JS writes a space after the colon
        ("title:str?et AND title:ma*", ["Street Maps"]),
        ("street -art", ["Street Maps"]),
        ("street AND NOT art", ["Street Maps"]),
        ("river OR parks", ["Parks Team", "Secret River"]),
        ("+street maps", ["Street Maps"]),  # with a required clause, the others must hold too
        ("owner:alice", ["Street Art", "Street Maps"]),
        ("owner:ALI*", ["Street Art", "Street Maps"]),
        ("owner:ali", []),  # keywords match whole values
        ("alice", ["Street Art", "Street Maps"]),  # owner is a default field
        ("owner:alice owner:bob", []),  # owner clauses are required filters (§7.3)
        ("owner:alice OR owner:bob", ["Parks Team", "Secret River", "Street Art", "Street Maps"]),
        ("owner:{alice TO carol}", ["Parks Team", "Secret River"]),
        ("tags:roads", ["Street Maps"]),
        ("tags:(roads OR nothing)", ["Street Maps"]),
        ("description:city", ["Street Maps"]),
        ("snippet:green", ["Parks Team"]),
        ("green", ["Parks Team"]),  # snippet is a default field
        ("phone:555*", ["Parks Team"]),
        ("typekeywords:hydro", ["Secret River"]),
        ("access:private", ["Secret River", "Street Art"]),
        ("access:org parks", ["Parks Team"]),
        ("isinvitationonly:true", ["Secret River"]),
        ("isviewonly:TRUE", ["Street Art"]),
        ("isviewonly:false AND access:private", ["Secret River"]),
        (f"id:{ids['Street Art']}", ["Street Art"]),
        (f"id: {ids['Street Art'].upper()}", ["Street Art"]),
        (ids["Parks Team"], ["Parks Team"]),  # id is a default field
        (f"accountid:{DEFAULT_ORG}", HOME_ALL),
        (f"orgid:{DEFAULT_ORG}", HOME_ALL),
        (f"street accountid:{DEFAULT_ORG}", ["Street Art", "Street Maps"]),  # what the Python client sends
        (f"* accountid:{other}", ["Away Public"]),
        (f"street accountid:{other}", []),
        ('title:[parks TO "secret river"]', ["Parks Team", "Secret River"]),
        ("street^3 OR river", ["Secret River", "Street Art", "Street Maps"]),
    ]
    for q, expected in cases:
        with subtests.test(q=q):
            assert await titles(client, world["tokens"]["admin"], q) == expected


async def test_filter_is_anded_with_q(client, world):
    admin = world["tokens"]["admin"]
    assert await titles(client, admin, "*", filter="owner:bob") == ["Parks Team", "Secret River"]
    assert await titles(client, admin, "street", filter="access:public") == ["Street Maps"]
    assert await titles(client, admin, "street", filter="access:org") == []


async def test_date_ranges(client, svc, world):
    admin = world["tokens"]["admin"]
    first = await svc.db.read(group_store.group_by_id, world["ids"]["Parks Team"])
    padded = f"{first.created:019d}"
    assert await titles(client, admin, f"created:[{padded} TO {padded}]") == ["Parks Team"]
    assert await titles(client, admin, f"created:{first.created}") == ["Parks Team"]
    assert await titles(client, admin, f"created:{{{first.created} TO *] AND owner:bob") == ["Secret River"]
    assert await titles(client, admin, f"modified:[* TO {first.created}]") == ["Parks Team", "Street Maps"]
    assert await titles(client, admin, f"modified:[* TO {first.created}}}") == ["Street Maps"]


@pytest.mark.parametrize(("q", "detail"), [
    ("nosuch:x", "'q': unknown field 'nosuch' at position 1."),
    ("street username:bob", "'q': unknown field 'username' at position 8."),
    ("title:(street", "'q': expected ')' at position 14."),
    ('"street', "'q': unclosed quotation mark at position 1."),
    ("created:soon", "'q': 'created' takes a number (epoch milliseconds), not 'soon'."),
    ("tags:[a TO b]", "'q': 'tags' does not take a range (created, modified, title and owner do)."),
    ("isviewonly:maybe", "'q': 'isviewonly' takes true or false."),
    ("AND", "'q': expected a search term at position 1."),
])
async def test_bad_queries_name_the_problem(client, world, q, detail):
    body = await call(client, SEARCH, world["tokens"]["admin"], method="GET", q=q)
    assert body["error"]["code"] == 400 and body["error"]["details"] == [detail], body


async def test_bad_filter_names_the_filter(client, world):
    body = await call(client, SEARCH, None, method="GET", q="*", filter="nosuch:x")
    assert body["error"]["details"] == ["'filter': unknown field 'nosuch' at position 1."]


@pytest.mark.parametrize("q", [None, "", "   "])
async def test_q_is_required(client, world, q):
    params = {} if q is None else {"q": q}
    body = await call(client, SEARCH, world["tokens"]["admin"], method="GET", **params)
    assert body["error"]["code"] == 400
    assert body["error"]["message"] == "Unable to search groups."
    assert body["error"]["details"] == ["'q' must be specified; * matches every group you may see."]


async def test_sorting(client, world):
    admin = world["tokens"]["admin"]
    assert await titles(client, admin, "*", sortField="title", sortOrder="desc") == \
        [*reversed(HOME_ALL), "Away Public"]
    assert await titles(client, admin, "*", sortField="CREATED") == ["Street Maps", "Parks Team", "Secret River",
                                                                      "Street Art", "Away Public"]
    assert await titles(client, admin, "*", sortField="modified", sortOrder="DESC") == \
        ["Away Public", "Street Art", "Secret River", "Parks Team", "Street Maps"]
    # owner, then title to break ties: admin < alice < bob < outsider
    assert await titles(client, admin, "*", sortField="owner") == ["Street Art", "Street Maps", "Parks Team",
                                                                    "Secret River", "Away Public"]
    # groups have no ratings or views: these order by title
    assert await titles(client, admin, "*", sortField="avgRating", sortOrder="desc") == \
        await titles(client, admin, "*", sortField="title", sortOrder="desc")
    assert await titles(client, admin, "*", sortField="numviews") == ["Away Public", *HOME_ALL]
    body = await call(client, SEARCH, admin, method="GET", q="*", sortField="size")
    assert body["error"]["details"] == ["'sortField' must be one of title, owner, avgrating, numviews, created, "
                                        "modified."]
    body = await call(client, SEARCH, admin, method="GET", q="*", sortOrder="up")
    assert body["error"]["code"] == 400


async def test_reply_shape(client, world):
    body = await search(client, None, q="street", num="10")
    assert set(body) == {"query", "total", "start", "num", "nextStart", "results"}
    assert (body["query"], body["total"], body["start"], body["num"], body["nextStart"]) == ("street", 1, 1, 10, -1)
    group = body["results"][0]
    assert group["title"] == "Street Maps" and group["owner"] == "alice" and group["tags"] == ["roads", "city"]
    assert group["orgId"] == DEFAULT_ORG and group["access"] == "public"


# ------------------------------------------------------------------ paging
@pytest.fixture
async def many(svc, world) -> int:
    """120 public groups of the admin, written in bulk."""
    admin = await svc.db.read(user_store.user_by_username, "admin")
    now = svc.clock.now_ms()
    rows = [{"id": new_id(), "org_id": DEFAULT_ORG, "owner_id": admin.id, "title": f"Bulk {i:03d}",
             "access": "public", "created": now + i, "modified": now + i} for i in range(120)]
    members = [{"group_id": r["id"], "user_id": admin.id, "member_type": "owner", "joined": now} for r in rows]
    await svc.db.write(lambda conn: group_queries.insert_groups(conn, rows, members))
    return 120


async def test_num_boundaries(client, world, many):
    for asked, applied in (("100", 100), ("101", 100), ("99", 99), ("0", 0), ("-5", 0)):
        body = await search(client, None, q="bulk", num=asked)
        assert (body["total"], body["num"], len(body["results"])) == (120, applied, applied), asked
    body = await call(client, SEARCH, None, method="GET", q="bulk")
    assert (body["num"], len(body["results"]), body["nextStart"]) == (10, 10, 11)


async def test_start_boundaries(client, world, many):
    first = await search(client, None, q="bulk", start="1", num="5")
    zero = await search(client, None, q="bulk", start="0", num="5")
    assert [g["id"] for g in zero["results"]] == [g["id"] for g in first["results"]]
    assert (first["start"], first["nextStart"]) == (1, 6)
    assert [g["title"] for g in first["results"]] == [f"Bulk {i:03d}" for i in range(5)]
    past = await search(client, None, q="bulk", start="-1", num="100")
    assert (past["total"], past["start"], past["nextStart"], past["results"]) == (120, -1, -1, [])
    last = await search(client, None, q="bulk", start="101", num="100")
    assert (len(last["results"]), last["nextStart"]) == (20, -1)
    edge = await search(client, None, q="bulk", start="21", num="100")
    assert (len(edge["results"]), edge["nextStart"]) == (100, -1)  # 21..120: the last one
    before = await search(client, None, q="bulk", start="20", num="100")
    assert (len(before["results"]), before["nextStart"]) == (100, 120)


async def test_paging_loop_sees_every_group_once(client, world, many):
    seen, start = [], 1
    while start > 0:
        body = await search(client, None, q="bulk", start=str(start), num="7", sortField="created", sortOrder="desc")
        seen += [g["title"] for g in body["results"]]
        start = body["nextStart"]
    assert seen == [f"Bulk {i:03d}" for i in reversed(range(120))]


# ------------------------------------------------------------------ searchUserAccess
async def test_group_member_means_the_callers_groups(client, world):
    alice = world["tokens"]["alice"]
    assert await titles(client, alice, "*", searchUserAccess="groupMember") == ["Away Private", "Street Art",
                                                                               "Street Maps"]
    assert await titles(client, alice, "*", searchUserAccess="groupmember", searchUserName="ALICE") == \
        ["Away Private", "Street Art", "Street Maps"]
    assert await titles(client, alice, "street", searchUserAccess="groupMember") == ["Street Art", "Street Maps"]
    assert await titles(client, world["tokens"]["bob"], "*", searchUserAccess="groupMember") == \
        ["Parks Team", "Secret River"]


async def test_an_administrator_may_name_a_member_of_their_organization(client, world):
    """Still only what the administrator may see: alice's group in another organization is absent."""
    assert await titles(client, world["tokens"]["admin"], "*", searchUserAccess="groupMember",
                        searchUserName="alice") == ["Street Art", "Street Maps"]


@pytest.mark.parametrize(("who", "name"), [("bob", "alice"), ("admin", "olga"), ("admin", "nobody"),
                                           ("outsider", "alice"), (None, "alice"), (None, None)])
async def test_naming_someone_else_is_forbidden(client, world, who, name):
    token = world["tokens"][who] if who else None
    params = {"searchUserName": name} if name else {}
    body = await call(client, SEARCH, token, method="GET", q="*", searchUserAccess="groupMember", **params)
    assert body["error"]["code"] == 403, body


async def test_search_user_name_alone_changes_nothing(client, world):
    bob = world["tokens"]["bob"]
    assert await titles(client, bob, "*", searchUserName="alice") == await titles(client, bob, "*")
    body = await call(client, SEARCH, bob, method="GET", q="*", searchUserAccess="groupAdmin")
    assert body["error"]["code"] == 400


# ------------------------------------------------------------------ canSearchPublic
async def test_can_search_public_false_keeps_other_organizations_out(client, svc, world):
    alice = world["tokens"]["alice"]
    assert await titles(client, alice, "away") == ["Away Private", "Away Public"]
    await svc.db.write(lambda conn: org_store.update_org(conn, DEFAULT_ORG, can_search_public=False))
    # the other organization's public group goes; the one alice belongs to stays
    assert await titles(client, alice, "away") == ["Away Private"]
    assert await titles(client, alice, "street") == ["Street Art", "Street Maps"]
    assert await titles(client, None, "away") == ["Away Public"]  # anonymous callers are not members
    assert await titles(client, world["tokens"]["olga"], "street") == ["Street Maps"]  # the other org is unchanged
