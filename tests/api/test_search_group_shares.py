"""A group's shares carry their item's seq, access, organization and owner (migration 0020),
kept by the database through every change made over the REST API; a group's search
(`q=group:<id>`, newest first) reads its count and page from them alone and answers exactly
what the general search answers, for every kind of caller; a member's rule gathers only the
shares nothing else lets them see.  Both databases."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, text, true

from geoshare.domain import access, item_search
from geoshare.domain.principal import ANONYMOUS
from geoshare.storage import item_search as store
from tests.api.item_support import add, get, post
from tests.conftest import get_token, make_group, make_user

EVERYTHING = "created:[0 TO 9999999999999]"  # any item: the same search, through the general path


async def copies_disagree(svc: Any) -> list[Any]:
    """The shares whose copies differ from their item's columns."""
    sql = ("SELECT g.item_id, g.group_id, g.item_seq, i.seq, g.item_access, i.access, g.item_org, i.org_id, "
           "g.item_owner, i.owner_id FROM item_groups g JOIN items i ON i.id = g.item_id")
    rows = await svc.db.read(lambda conn: conn.execute(text(sql)).all())
    assert rows, "no shares to compare"
    return [r for r in rows if (r[2], r[4], r[6], r[8]) != (r[3], r[5], r[7], r[9])]


@pytest.fixture
async def crew(client, svc, admin_token) -> dict[str, Any]:
    await make_user(svc, "eve_crew")
    await make_user(svc, "bob_crew")
    await make_user(svc, "out_crew")
    group = await make_group(svc, "admin", "Crew", members=("eve_crew", "bob_crew"))
    other = await make_group(svc, "admin", "Other crew", members=("eve_crew", "bob_crew"))
    bob = await get_token(client, "bob_crew", "Member12345")
    made = {}
    for title, owner, token, sharing in [("Private lakes", "bob_crew", bob, {}),
                                         ("Org lakes", "bob_crew", bob, {"org": "true"}),
                                         ("Public lakes", "admin", admin_token, {"everyone": "true"}),
                                         ("Admin's own lakes", "admin", admin_token, {})]:
        body = await add(client, token, user=owner, title=title, tags="lakes")
        assert body.get("success") is True, body
        made[title] = body["id"]
        shared = await post(client, token, f"content/users/{owner}/items/{body['id']}/share",
                            groups=f"{group.id},{other.id}", **sharing)
        assert shared.get("notSharedWith") == [], shared
    return {"group": group.id, "other": other.id, "items": made, "admin": admin_token, "bob": bob,
            "eve": await get_token(client, "eve_crew", "Member12345"),
            "out": await get_token(client, "out_crew", "Member12345")}


async def test_every_share_keeps_its_items_columns_through_the_rest_api(client, svc, crew):
    assert await copies_disagree(svc) == []
    bob, admin = crew["bob"], crew["admin"]
    private = crew["items"]["Private lakes"]
    third = await make_group(svc, "admin", "Third crew", members=("bob_crew",))
    changed = await post(client, bob, f"content/users/bob_crew/items/{private}/share", groups=third.id)
    assert changed.get("notSharedWith") == [], changed
    assert await copies_disagree(svc) == []  # a new share of an item whose access stays `shared`
    changed = await post(client, bob, f"content/users/bob_crew/items/{private}/share", everyone="true")
    assert changed.get("notSharedWith") == [], changed
    assert await copies_disagree(svc) == []  # private -> public
    changed = await post(client, bob, f"content/users/bob_crew/items/{private}/share", everyone="false", org="true")
    assert "error" not in changed, changed
    assert await copies_disagree(svc) == []  # public -> org
    moved = await post(client, admin, f"content/users/bob_crew/items/{private}/reassign", targetUsername="eve_crew")
    assert moved.get("success") is True, moved
    assert await copies_disagree(svc) == []  # a new owner
    out = await post(client, admin, f"content/users/admin/items/{crew['items']['Public lakes']}/unshare",
                     groups=crew["other"])
    assert out.get("notUnsharedFrom") == [], out
    assert await copies_disagree(svc) == []
    own = crew["items"]["Admin's own lakes"]
    gone = await post(client, admin, f"content/users/admin/items/{own}/delete")
    assert gone.get("success") is True, gone
    shares = await svc.db.read(lambda conn: conn.execute(text("SELECT item_id FROM item_groups")).scalars().all())
    assert own not in shares
    assert await copies_disagree(svc) == []


async def titles(client: Any, token: str | None, q: str) -> tuple[int, list[str]]:
    body = (await get(client, token, "search", q=q, num="100")).json()
    assert "error" not in body, body
    assert body["total"] == len(body["results"]) and body["nextStart"] == -1, body
    return body["total"], [r["title"] for r in body["results"]]


@pytest.mark.parametrize(("who", "expected"), [
    (None, ["Public lakes"]),
    ("eve", ["Admin's own lakes", "Public lakes", "Org lakes", "Private lakes"]),
    ("out", ["Public lakes", "Org lakes"]),
    ("bob", ["Admin's own lakes", "Public lakes", "Org lakes", "Private lakes"]),
    ("admin", ["Admin's own lakes", "Public lakes", "Org lakes", "Private lakes"]),
])
async def test_a_groups_search_from_its_shares_answers_as_the_general_search(client, svc, crew, who, expected):
    token = crew[who] if who else None
    group = crew["group"]
    db = svc.db
    engine = db.sync_engine if db.is_sqlite else db._async_engine.sync_engine
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", note)
    try:
        shares = await titles(client, token, f"group:{group.upper()}")
    finally:
        event.remove(engine, "before_cursor_execute", note)
    counted = [s for s in seen if "count(*)" in s]
    assert len(counted) == 1 and "FROM item_groups" in counted[0] and "items." not in counted[0], seen
    assert shares == (len(expected), expected)  # the newest added first
    assert await titles(client, token, f"group:{group} AND {EVERYTHING}") == shares


async def test_a_groups_search_past_the_total_limit_reads_its_page_from_the_shares(svc, crew):
    rule = access.item_visible(ANONYMOUS, [], access.SHARE_ROW)
    every = store.shared_in_group(crew["group"], true())

    def page(conn: Any, start: int, where: Any = every) -> tuple[int, list[str], bool]:
        total, found, more = item_search._newest_first(conn, where, start, 2, 2, store.SHARE_SEQ)
        return total, [i.title for i in found], more

    assert await svc.db.read(page, 1) == (2, ["Admin's own lakes", "Public lakes"], True)
    assert await svc.db.read(page, 3) == (2, ["Org lakes", "Private lakes"], False)
    assert await svc.db.read(page, 4) == (2, ["Private lakes"], False)
    assert await svc.db.read(page, 1, store.shared_in_group(crew["group"], rule)) == (1, ["Public lakes"], False)


@pytest.mark.parametrize(("username", "expected"), [
    ("eve_crew", ["Admin's own lakes", "Admin's own lakes", "Private lakes", "Private lakes"]),
    ("bob_crew", ["Admin's own lakes", "Admin's own lakes"]),  # not his own items
    ("admin", []),  # every item is of the administrator's organization
])
async def test_a_members_rule_reads_only_the_shares_nothing_else_admits(svc, crew, username, expected):
    """The group clause of a member's rule skips the shares of public items, of the member's own
    and of the items of their organization the rule admits anyway (all of them for an
    administrator, its `org` items for a member): a shorter list to gather, the same rows."""
    from geoshare.domain.principal import Principal
    from geoshare.storage import orgs as org_store
    from geoshare.storage import users as user_store

    user = await svc.db.read(user_store.user_by_username, username)
    viewer = Principal(user=user, org=await svc.db.read(org_store.org_by_id, user.org_id))
    clause = access.item_visible(viewer, [crew["group"], crew["other"]]).clauses[-1]

    def listed(conn: Any) -> list[str]:
        seqs = conn.execute(clause.right.element).scalars().all()  # the subquery of `seq IN (...)`
        return sorted(conn.execute(text("SELECT title FROM items WHERE seq = :s"), {"s": s}).scalar_one()
                      for s in seqs)

    assert await svc.db.read(listed) == expected


async def test_a_share_moved_to_another_item_takes_that_items_columns(svc, crew):
    """Geoshare never rewrites a share's item, but the database keeps the copies true if anything does."""
    moved = {"to": crew["items"]["Public lakes"], "from": crew["items"]["Private lakes"], "g": crew["group"]}

    def move(conn: Any) -> None:
        conn.execute(text("DELETE FROM item_groups WHERE item_id = :to AND group_id <> :g"), moved)
        conn.execute(text("UPDATE item_groups SET item_id = :to WHERE item_id = :from AND group_id <> :g"), moved)

    await svc.db.write(move)
    assert await copies_disagree(svc) == []
