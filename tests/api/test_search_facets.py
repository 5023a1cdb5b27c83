"""Facet counts (domain/search_facets.py) over real rows on the test database: values lower-cased,
JSON-array fields counted once per item, most frequent first with ties by value, `size` honoured,
and only the rows the predicate selects — with the access rule in it, hidden items never count."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import ColumnElement, true

from geoshare.domain import access, accounts, search_facets
from geoshare.domain.principal import ANONYMOUS
from geoshare.storage import users as user_store
from geoshare.storage.tables import items
from tests.conftest import ADMIN, DEFAULT_ORG, make_group, make_item, make_user, set_org_access


def tags(*values: str) -> list[str]:
    return list(values)  # storage writes the JSON text


@pytest.fixture
async def corpus(svc: Any) -> None:
    await make_user(svc, "Ann")
    await make_user(svc, "bob")
    await make_group(svc, "bob", "Crew", group_id="g" * 32, members=("Ann",))
    await set_org_access(svc, DEFAULT_ORG, "public")
    await make_item(svc, "Ann", "one", item_type="Web Map", shared_public=True, culture="en-US",
                    tags=tags("Roads", "roads", "Rail"), type_keywords=tags("Map", "Online"),
                    categories=tags("/Categories/Water"), content_status="deprecated")
    await make_item(svc, "Ann", "two", item_type="web map", shared_org=True, culture="en-us",
                    tags=tags("rail"), type_keywords=tags("Map"))
    await make_item(svc, "bob", "three", item_type="PDF", groups=("g" * 32,), tags=tags("Secret"),
                    type_keywords=tags("Document"))
    await make_item(svc, "bob", "four", item_type="Feature Service", tags=tags("hidden", "roads"),
                    categories=tags("/Categories/Hidden"))  # private


async def facets(svc: Any, where: ColumnElement[bool], fields: tuple[str, ...], size: int = 10) -> dict[str, Any]:
    counts = await svc.db.read(lambda conn: search_facets.facet_counts(conn, where, fields, size))
    return {c["fieldName"]: [(v["value"], v["count"]) for v in c["fieldValues"]] for c in counts["counts"]}


async def principal(svc: Any, name: str) -> Any:
    return await accounts.principal_for_user(svc, await svc.db.read(user_store.user_by_username, name))


async def test_every_field_over_all_rows(svc, corpus):
    got = await facets(svc, true(), tuple(sorted(search_facets.FIELDS)))
    assert got == {
        "access": [("org", 1), ("private", 1), ("public", 1), ("shared", 1)],
        "categories": [("/categories/hidden", 1), ("/categories/water", 1)],
        "contentstatus": [("deprecated", 1)],
        "culture": [("en-us", 2)],
        "owner": [("ann", 2), ("bob", 2)],
        "tags": [("rail", 2), ("roads", 2), ("hidden", 1), ("secret", 1)],  # Roads+roads: once per item
        "type": [("web map", 2), ("feature service", 1), ("pdf", 1)],
        "typekeywords": [("map", 2), ("document", 1), ("online", 1)],
    }


async def test_size_keeps_the_most_frequent(svc, corpus):
    assert await facets(svc, true(), ("tags", "type"), size=1) == {"tags": [("rail", 2)], "type": [("web map", 2)]}


async def test_the_fields_keep_the_requested_order(svc, corpus):
    counts = await svc.db.read(lambda conn: search_facets.facet_counts(conn, true(), ("type", "access"), 10))
    assert [c["fieldName"] for c in counts["counts"]] == ["type", "access"]


async def test_anonymous_counts_only_public_items(svc, corpus):
    got = await facets(svc, access.item_visible(ANONYMOUS), ("tags", "owner", "categories", "access"))
    assert got == {"tags": [("rail", 1), ("roads", 1)], "owner": [("ann", 1)],
                   "categories": [("/categories/water", 1)], "access": [("public", 1)]}


async def test_a_group_member_counts_the_shared_item_but_never_the_private_one(svc, corpus):
    got = await facets(svc, access.item_visible(await principal(svc, "Ann")), ("tags", "access"))
    assert got == {"tags": [("rail", 2), ("roads", 1), ("secret", 1)],
                   "access": [("org", 1), ("public", 1), ("shared", 1)]}


async def test_the_predicate_narrows_the_counts(svc, corpus):
    visible = access.item_visible(await principal(svc, ADMIN))
    assert await facets(svc, visible & (items.c.title == "four"), ("tags", "culture")) == {
        "tags": [("hidden", 1), ("roads", 1)], "culture": []}


async def test_owners_are_named_in_batches_and_counted_by_username(svc, corpus, monkeypatch):
    from geoshare.storage import search_facets as facet_store
    monkeypatch.setattr(facet_store, "OWNER_BATCH", 1)  # one query per owner: every batch is read
    assert await facets(svc, true(), ("owner",)) == {"owner": [("ann", 2), ("bob", 2)]}
    assert await facets(svc, true(), ("owner",), size=1) == {"owner": [("ann", 2)]}  # tie: by name


async def test_odd_json_in_an_array_column_counts_what_sql_would_and_never_fails(svc, corpus):
    async def set_tags(title: str, raw: str) -> None:
        await svc.db.write(lambda conn: conn.execute(items.update().where(items.c.title == title).values(tags=raw)))

    await set_tags("one", '["Roads", 7, true, null, "", ["x"], "roads"]')  # one item: roads once
    await set_tags("two", "not json")  # skipped, not an error
    await set_tags("three", '{"a": "b"}')  # not an array: skipped
    await set_tags("four", "")
    got = await facets(svc, true(), ("tags",))
    assert got == {"tags": [("7", 1), ("[\"x\"]", 1), ("roads", 1), ("true", 1)]}


async def test_a_field_asked_twice_is_counted_once_and_answered_twice(svc, corpus):
    counts = await svc.db.read(lambda conn: search_facets.facet_counts(conn, true(), ("type", "type"), 1))
    assert counts == {"counts": [{"fieldName": "type", "fieldValues": [{"value": "web map", "count": 2}]}] * 2}
