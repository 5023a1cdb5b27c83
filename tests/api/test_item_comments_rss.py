"""`content/items/{id}/comments?f=rss` (sharing-api.md §11): RSS 2.0 with the JSON answer's paging
and visibility; every other operation still refuses `f=rss`."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from tests.api.sharing_support import SHARING, call, error_of, get, member
from tests.conftest import make_item


async def _feed(client, path, token, **params):
    query = {"f": "rss", **params}
    if token:
        query["token"] = token
    return await client.get(f"{SHARING}/{path}", params=query)


async def test_comments_feed_pages_like_json(client, svc):
    await member(client, svc, "rs_owner")
    reader = await member(client, svc, "rs_reader")
    item = await make_item(svc, "rs_owner", "Parks & <Rivers>", shared_org=True)
    for n in range(3):
        await call(client, f"content/items/{item.id}/addComment", reader, comment=f"note {n} & more")
        svc.clock.advance(1000)
    page = await get(client, f"content/items/{item.id}/comments", reader, start=2, num=2)
    reply = await _feed(client, f"content/items/{item.id}/comments", reader, start=2, num=2)
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/rss+xml; charset=utf-8"
    channel = ET.fromstring(reply.content).find("channel")  # noqa: S314 - the feed this server just wrote
    assert channel is not None and channel.findtext("title") == "Comments for Parks & <Rivers>"
    assert channel.findtext("link", "").endswith(f"/home/item.html?id={item.id}")
    entries = channel.findall("item")
    assert [e.findtext("guid") for e in entries] == [c["id"] for c in page["comments"]]
    assert [e.findtext("description") for e in entries] == ["note 1 &amp; more", "note 0 &amp; more"]
    assert entries[0].findtext("title") == "Comment by rs_reader"
    assert entries[0].findtext("pubDate", "").endswith(" GMT")


async def test_hidden_item_feed_answers_like_a_missing_one(client, svc):
    await member(client, svc, "rh_owner")
    other = await member(client, svc, "rh_other")
    hidden = await make_item(svc, "rh_owner", "Hidden")
    reply = await _feed(client, f"content/items/{hidden.id}/comments", other)
    missing = await _feed(client, f"content/items/{'0' * 32}/comments", other)
    assert error_of(reply.json())["messageCode"] == "CONT_0001"
    assert reply.content == missing.content and "json" in reply.headers["content-type"]
    anonymous = await _feed(client, f"content/items/{hidden.id}/comments", None)
    assert error_of(anonymous.json())["messageCode"] == "CONT_0001"


async def test_empty_feed_and_bad_paging(client, svc):
    token = await member(client, svc, "re_owner")
    item = await make_item(svc, "re_owner", "Quiet")
    reply = await _feed(client, f"content/items/{item.id}/comments", token)
    channel = ET.fromstring(reply.content).find("channel")  # noqa: S314 - the feed this server just wrote
    assert channel is not None and channel.findall("item") == []
    bad = await _feed(client, f"content/items/{item.id}/comments", token, num="lots")
    assert error_of(bad.json())["code"] == 400


async def test_other_operations_still_refuse_rss(client, svc):
    token = await member(client, svc, "ro_owner")
    item = await make_item(svc, "ro_owner", "Map")
    for path in (f"content/items/{item.id}", f"content/items/{item.id}/comments/{'0' * 32}", "community/self", "",
                 "content"):
        body = (await _feed(client, path, token)).json()
        assert error_of(body)["message"] == "Output format not supported.", path
        assert "rss" not in error_of(body)["details"][0]
    body = (await client.post(f"{SHARING}/content/items/{item.id}/addComment",
                              data={"f": "rss", "token": token, "comment": "x"})).json()
    assert error_of(body)["message"] == "Output format not supported."
    assert (await get(client, f"content/items/{item.id}/comments", token))["total"] == 0
