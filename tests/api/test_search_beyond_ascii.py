"""Words outside ASCII are found like any other (migration 0017, storage/json_text.py): in the
title, the tags, the other text fields; lower and upper case alike; a Latin letter with or
without its diacritics alike (`cafe` finds `café`); whole words of other scripts (`東京`,
`Москва`); through full text, exact tag filters, wildcards, facets and the group and user
searches.  Items are added through the REST API, so the stored text is what geoshare writes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.item_support import add, get, stored
from tests.conftest import make_group


@pytest.fixture
async def world(client, svc, admin_token) -> dict[str, str]:
    ids = {}
    for title, fields in [
            ("Café culture", {"tags": "Naïve,Straße", "description": "Москва и 東京", "snippet": "Ünïcödé notes"}),
            ("Cafe plain", {"tags": "naive", "description": "plain ascii"}),
            ("Other", {"tags": "harbour", "description": "nothing to see"})]:
        body = await add(client, admin_token, title=title, **fields)
        assert body.get("success") is True, body
        ids[title] = body["id"]
        shared = await client.post(f"/portal/sharing/rest/content/users/admin/items/{body['id']}/share",
                                   data={"f": "json", "token": admin_token, "everyone": "true"})
        assert shared.json().get("notSharedWith") == [], shared.json()
    return ids


async def found(client: Any, q: str, token: str | None = None, **params: Any) -> list[str]:
    body = (await get(client, token, "search", q=q, num="100", **params)).json()
    assert "error" not in body, body
    assert body["total"] == len(body["results"])
    return sorted(i["title"] for i in body["results"])


async def test_tags_are_stored_as_their_characters(svc, world):
    item = await stored(svc, world["Café culture"])
    assert item.tags == ("Naïve", "Straße")
    from sqlalchemy import text

    raw = await svc.db.read(lambda conn: conn.execute(text("SELECT tags FROM items WHERE id = :i"),
                                                      {"i": world["Café culture"]}).scalar_one())
    assert raw == '["Naïve", "Straße"]'


@pytest.mark.parametrize(("q", "titles"), [
    ("café", ["Cafe plain", "Café culture"]),
    ("CAFÉ", ["Cafe plain", "Café culture"]),
    ("cafe", ["Cafe plain", "Café culture"]),
    ("naïve", ["Cafe plain", "Café culture"]),
    ("tags:NAÏVE", ["Cafe plain", "Café culture"]),
    ("tags:naive", ["Cafe plain", "Café culture"]),
    ("straße", ["Café culture"]),
    ("tags:Straße", ["Café culture"]),
    ("title:straße", []),
    ("москва", ["Café culture"]),
    ("МОСКВА", ["Café culture"]),
    ("description:東京", ["Café culture"]),
    ("description:МОСКВА", ["Café culture"]),  # a field sharing its index weight: checked on its own text
    ("snippet:unicode", ["Café culture"]),
    ("東京", ["Café culture"]),
    ("unicode", ["Café culture"]),
    ('"café culture"', ["Café culture"]),
    ('"cafe culture"', ["Café culture"]),
    ('"culture café"', []),
    ("caf*", ["Cafe plain", "Café culture"]),
    ("title:caf?", ["Cafe plain", "Café culture"]),
    ("title:caf?s", []),
    ("title:CAF?", ["Cafe plain", "Café culture"]),
    ("description:pl?in", ["Cafe plain"]),
    ("title:c?fé", ["Cafe plain", "Café culture"]),
    ("stra*e", ["Café culture"]),
    ("моск*", ["Café culture"]),
])
async def test_words_beyond_ascii_are_found(client, world, q, titles):
    assert await found(client, q) == titles


async def test_exact_filters_read_the_characters_in_any_case(client, world):
    assert await found(client, "*", filter='tags:"Naïve"') == ["Café culture"]
    assert await found(client, "*", filter='tags:"NAÏVE"') == ["Café culture"]  # geoshare_lower (0019)
    assert await found(client, "*", filter='tags:"naive"') == ["Cafe plain"]
    assert await found(client, "*", filter='tags:"STRASSE"') == []  # an exact filter does not fold
    assert await found(client, "*", filter='tags:"straße"') == ["Café culture"]
    assert await found(client, "*", filter='title:"CAFÉ CULTURE"') == ["Café culture"]
    assert await found(client, "*", filter='title:"CAFE CULTURE"') == []


async def test_facets_count_the_tags_as_written(client, world):
    body = (await get(client, None, "search", q="cafe", countFields="tags", countSize="10")).json()
    counts = {c["value"]: c["count"] for c in body["aggregations"]["counts"][0]["fieldValues"]}
    assert counts == {"naïve": 1, "naive": 1, "straße": 1}


async def test_group_and_user_searches_find_tags_beyond_ascii(client, svc, admin_token):
    await make_group(svc, "admin", "Quartier", tags=["café", "naïve"], access="public")
    await make_group(svc, "admin", "Harbour", tags=["harbour"], access="public")
    for q in ("tags:naïve", "café", "tags:café"):
        body = (await get(client, admin_token, "community/groups", q=q)).json()
        assert [g["title"] for g in body["results"]] == ["Quartier"], (q, body)
    updated = await client.post("/portal/sharing/rest/community/users/admin/update",
                                data={"f": "json", "token": admin_token, "tags": "Brücke,öl"})
    assert updated.json().get("success") is True, updated.json()
    for q in ("tags:brücke", "öl", "tags:BRÜCKE", "ÖL"):
        body = (await get(client, admin_token, "community/users", q=q)).json()
        assert [u["username"] for u in body["results"]] == ["admin"], (q, body)


async def test_group_and_user_searches_ignore_the_case_of_any_letter(client, svc, admin_token):
    await make_group(svc, "admin", "Paris", description="L'ÉCOLE du quartier", tags=["ÜBER"], access="public")
    await make_group(svc, "admin", "Lyon", description="la gare", access="public")
    for q in ("école", "description:école", "ÉCOLE", "tags:über", "écol*"):
        body = (await get(client, admin_token, "community/groups", q=q)).json()
        assert [g["title"] for g in body["results"]] == ["Paris"], (q, body)
    assert (await get(client, admin_token, "community/groups", q="ecole")).json()["results"] == []
    updated = await client.post("/portal/sharing/rest/community/users/admin/update",
                                data={"f": "json", "token": admin_token, "fullname": "ÈVE ÜNAL"})
    assert updated.json().get("success") is True, updated.json()
    for q in ("ève", "fullname:ève", "fullname:èv*", "Ünal"):
        body = (await get(client, admin_token, "community/users", q=q)).json()
        assert [u["username"] for u in body["results"]] == ["admin"], (q, body)
