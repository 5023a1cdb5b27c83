"""content/groups/{groupId}/search (domain/group_item_search.py) at its edges: a public group's
search answers anonymous callers with only the items they may read (an item shared with the
group alone stays the members'), members see the group's items and nothing outside it, and a
missing or hidden group gives the one missing-group envelope, whatever the query says."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.item_support import error_of, get
from tests.conftest import get_token, make_group, make_item, make_user

PASSWORD = "Member12345"


@pytest.fixture
async def world(client: Any, svc: Any) -> dict[str, Any]:
    await make_user(svc, "gwen", PASSWORD)
    await make_user(svc, "hugo", PASSWORD)
    await make_user(svc, "ines", PASSWORD)
    open_group = await make_group(svc, "gwen", "Open", access="public", members=("hugo",))
    closed = await make_group(svc, "gwen", "Closed", access="private", members=("hugo",))
    await make_item(svc, "gwen", "lake public", groups=(open_group.id,), shared_public=True)
    await make_item(svc, "gwen", "lake members", groups=(open_group.id,))
    await make_item(svc, "gwen", "lake closed", groups=(closed.id,))
    await make_item(svc, "gwen", "lake elsewhere", shared_public=True)  # in no group
    await make_item(svc, "ines", "lake ines", groups=(open_group.id,), shared_public=True)
    tokens = {name: await get_token(client, name, PASSWORD) for name in ("gwen", "hugo", "ines")}
    return {"open": open_group.id, "closed": closed.id, "tokens": tokens}


async def found(client: Any, token: str | None, group_id: str, **params: Any) -> list[str]:
    body = (await get(client, token, f"content/groups/{group_id}/search", **params)).json()
    assert "error" not in body, body
    assert body["total"] == len(body["results"])
    return sorted(r["title"] for r in body["results"])


async def test_members_find_the_groups_items_only(client, world):
    assert await found(client, world["tokens"]["hugo"], world["open"], q="lake") == \
        ["lake ines", "lake members", "lake public"]
    assert await found(client, world["tokens"]["hugo"], world["closed"], q="lake") == ["lake closed"]


async def test_anonymous_callers_find_only_the_public_items_of_a_public_group(client, world):
    assert await found(client, None, world["open"], q="lake") == ["lake ines", "lake public"]
    assert await found(client, world["tokens"]["ines"], world["open"], q="lake") == ["lake ines", "lake public"]


async def test_the_query_narrows_inside_the_group(client, world):
    assert await found(client, world["tokens"]["hugo"], world["open"], q="owner:ines") == ["lake ines"]
    assert await found(client, world["tokens"]["hugo"], world["open"], q="elsewhere") == []


@pytest.mark.parametrize("who", [None, "ines"])
async def test_a_hidden_group_answers_as_a_missing_one(client, world, who):
    token = None if who is None else world["tokens"][who]
    hidden = (await get(client, token, f"content/groups/{world['closed']}/search", q="*")).json()
    missing = (await get(client, token, f"content/groups/{'0' * 32}/search", q="*")).json()
    assert hidden == missing
    code, _, _ = error_of(hidden)
    assert code == 400 and hidden["error"]["messageCode"] == "CONT_0006"


async def test_the_missing_group_answer_wins_over_a_bad_query(client, world):
    """The group is checked first: a hidden group's search never says whether its query was valid."""
    hidden = (await get(client, None, f"content/groups/{world['closed']}/search", q="title:(")).json()
    assert hidden["error"]["messageCode"] == "CONT_0006"
