"""The HTTP side of item search (sharing-api.md §7.1, §7.2, §11): GET and POST, declared
parameters refused as error envelopes, repeated `categories`, f=json/pjson/html/rss and the
group search's missing-group answer.  The query language, ordering and access rules are the
engine's (test_item_search*.py); here each case checks what the HTTP layer adds."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.api.item_support import error_of, get, post
from tests.conftest import get_token, make_group, make_item, make_user

PASSWORD = "Member12345"


@pytest.fixture
async def world(client, svc, admin_token) -> dict[str, Any]:
    await make_user(svc, "alice", PASSWORD)
    await make_user(svc, "carol", PASSWORD)
    team = await make_group(svc, "alice", "Team", access="private")
    ids = {}
    for n, (title, columns) in enumerate([
            ("Harbour map", {"shared_public": True, "snippet": "Boats <b>&</b> docks <script>x</script>",
                             "categories": ["/Categories/Water"]}),
            ("Harbour plan", {"shared_public": True, "categories": ["/Categories/Water", "/Categories/Plans"]}),
            ("Harbour secret", {})]):
        svc.clock.advance(1000)
        ids[title] = (await make_item(svc, "alice", title, item_type="Web Map" if n else "CSV", **columns)).id
    svc.clock.advance(1000)
    ids["Harbour team"] = (await make_item(svc, "alice", "Harbour team", groups=(team.id,))).id
    tokens = {"admin": admin_token, "alice": await get_token(client, "alice", PASSWORD),
              "carol": await get_token(client, "carol", PASSWORD)}
    return {"ids": ids, "team": team.id, "tokens": tokens}


def titles(body: dict[str, Any]) -> list[str]:
    assert "error" not in body, body
    return sorted(i["title"] for i in body["results"])


async def test_get_and_post_answer_alike(client, world):
    token = world["tokens"]["alice"]
    by_get = (await get(client, token, "search", q="harbour", num="100")).json()
    by_post = await post(client, token, "search", q="harbour", num="100")
    assert by_get == by_post
    assert titles(by_get) == ["Harbour map", "Harbour plan", "Harbour secret", "Harbour team"]
    assert (by_get["query"], by_get["total"], by_get["start"], by_get["num"], by_get["nextStart"]) == \
        ("harbour", 4, 1, 100, -1)
    for hidden in ("protected", "ownerFolder", "itemControl"):
        assert all(hidden not in item for item in by_get["results"])


async def test_anonymous_and_outsider_see_public_only(client, world):
    assert titles((await get(client, None, "search", q="harbour")).json()) == ["Harbour map", "Harbour plan"]
    assert titles((await get(client, world["tokens"]["carol"], "search", q="harbour")).json()) == \
        ["Harbour map", "Harbour plan"]


@pytest.mark.parametrize(("params", "detail"), [
    ({"q": "x", "countSize": "ten"}, "'countSize' must be an integer."),
    ({"q": "x", "start": "1.5"}, "'start' must be an integer."),
    ({"q": "x", "num": "many"}, "'num' must be an integer."),
    ({"q": "x", "enriched": "maybe"}, "'enriched' must be true or false."),
    ({"q": "x", "displaySublayers": "2"}, "'displaySublayers' must be true or false."),
    ({"q": "x", "searchUserAccess": "everyone"}, "'searchUserAccess' must be one of: groupMember."),
    ({"q": "x" * 16385}, "'q' is longer than 16384 characters."),
    ({"q": "x", "bbox": "1," * 200}, "'bbox' is longer than 256 characters."),
])
async def test_declared_parameters_refused_in_the_envelope(client, world, params, detail):
    reply = await get(client, None, "search", **params) if len(params.get("q", "")) < 4000 else \
        await client.post("/portal/sharing/rest/search", data={"f": "json", **params})
    assert reply.status_code == 200
    assert error_of(reply.json()) == (400, "Unable to search items.", [detail])


async def test_accepted_parameters_change_nothing(client, world):
    plain = (await get(client, None, "search", q="harbour")).json()
    flagged = (await get(client, None, "search", q="harbour", enriched="true", displaySublayers="True")).json()
    assert plain == flagged


async def test_a_bad_query_is_an_envelope_never_a_500(client, world):
    body = (await get(client, None, "search", q="title:(harbour")).json()
    code, _, details = error_of(body)
    assert code == 400 and details, body
    assert error_of((await get(client, None, "search", q="nosuchfield:x")).json())[0] == 400


async def test_repeated_categories_reach_the_domain_as_sets(client, svc, world):
    """Each repetition is one set (OR inside it); the repetitions combine with AND."""
    base = "/portal/sharing/rest/search"
    one = (await client.get(f"{base}?f=json&categories=/Categories/Water")).json()
    assert titles(one) == ["Harbour map", "Harbour plan"]
    both = (await client.get(f"{base}?f=json&categories=/Categories/Water&categories=/Categories/Plans")).json()
    assert titles(both) == ["Harbour plan"]
    either = (await client.get(f"{base}?f=json&categories=" + json.dumps(["/Categories/Plans", "/Categories/X"])))
    assert titles(either.json()) == ["Harbour plan"]
    body = urlencode([("f", "json"), ("categories", "/Categories/Water"), ("categories", "/Categories/Plans")])
    posted = (await client.post(base, content=body,
                                headers={"content-type": "application/x-www-form-urlencoded"})).json()
    assert titles(posted) == ["Harbour plan"]


async def test_more_than_eight_category_sets_refused(client, world):
    base = "/portal/sharing/rest/search?f=json"
    eight = base + "&categories=/Categories/Water" * 8
    assert titles((await client.get(eight)).json()) == ["Harbour map", "Harbour plan"]
    body = (await client.get(eight + "&categories=/Categories/Water")).json()
    assert error_of(body) == (400, "Unable to search items.", ["'categories' may be given at most 8 times."])


async def test_pjson_and_callback(client, world):
    reply = await client.get("/portal/sharing/rest/search", params={"f": "pjson", "q": "harbour"})
    assert reply.text.startswith("{\n") and json.loads(reply.text)["total"] == 2
    jsonp = await client.get("/portal/sharing/rest/search", params={"f": "json", "q": "harbour", "callback": "cb"})
    assert jsonp.text.startswith("/**/cb({") and jsonp.text.endswith("});")
    assert jsonp.headers["content-type"].startswith("application/javascript")


async def test_html_page_shows_results_and_the_form(client, world):
    reply = await client.get("/portal/sharing/rest/search", params={"q": "harbour"})
    assert reply.headers["content-type"].startswith("text/html")
    page = reply.text
    assert "Harbour map" in page and "Harbour secret" not in page
    assert '<form method="get" action="/portal/sharing/rest/search" class="op">' in page  # a read: GET
    for name in ("q", "bbox", "categories", "sortField", "countFields", "searchUserAccess"):
        assert f'name="{name}"' in page, name


def _feed(reply: Any) -> ET.Element:
    assert reply.headers["content-type"] == "application/rss+xml; charset=utf-8", reply.text[:300]
    root = ET.fromstring(reply.content)  # noqa: S314 - our own server's feed, in a test
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel is not None
    return channel


async def test_rss_is_the_same_page_as_json(client, world):
    params = {"q": "harbour", "sortField": "title", "num": "1", "start": "2"}
    as_json = (await get(client, None, "search", **params)).json()
    channel = _feed(await client.get("/portal/sharing/rest/search", params={"f": "rss", **params}))
    entries = channel.findall("item")
    assert [e.findtext("guid") for e in entries] == [i["id"] for i in as_json["results"]] == \
        [world["ids"]["Harbour plan"]]
    assert channel.findtext("title") == "Search results"
    entry = entries[0]
    assert entry.findtext("title") == "Harbour plan" and entry.findtext("category") == "Web Map"
    assert entry.findtext("author") == "alice" and entry.find("guid").get("isPermaLink") == "false"
    assert entry.findtext("link").endswith(f"/portal/home/item.html?id={world['ids']['Harbour plan']}")
    assert entry.findtext("pubDate").endswith("GMT")


async def test_rss_escapes_text_and_hides_private_items(client, world):
    channel = _feed(await client.get("/portal/sharing/rest/search", params={"f": "rss", "q": "harbour"}))
    by_title = {e.findtext("title"): e for e in channel.findall("item")}
    assert sorted(by_title) == ["Harbour map", "Harbour plan"]  # anonymous: never the private ones
    snippet = by_title["Harbour map"].findtext("description")
    assert "docks" in snippet  # whatever sanitizing kept, it is text inside the element, not markup
    reply = await client.get("/portal/sharing/rest/search", params={"f": "rss", "q": "harbour"})
    assert b"<script>" not in reply.content


async def test_rss_errors_stay_envelopes(client, world):
    reply = await client.get("/portal/sharing/rest/search", params={"f": "rss", "q": "title:(oops"})
    assert error_of(reply.json())[0] == 400


async def test_group_search_for_members_and_the_hidden_answer(client, world):
    path = f"content/groups/{world['team']}/search"
    alice = (await get(client, world["tokens"]["alice"], path, q="harbour")).json()
    assert titles(alice) == ["Harbour team"]
    for token in (None, world["tokens"]["carol"]):  # a private group: the same answer as a missing one
        hidden = (await get(client, token, path, q="*")).json()
        missing = (await get(client, token, f"content/groups/{'0' * 32}/search", q="*")).json()
        listing = (await get(client, token, f"content/groups/{world['team']}")).json()
        assert hidden == missing == listing and hidden["error"]["messageCode"] == "CONT_0006", hidden
    feed = _feed(await client.get(f"/portal/sharing/rest/{path}",
                                  params={"f": "rss", "q": "*", "token": world["tokens"]["alice"]}))
    assert [e.findtext("title") for e in feed.findall("item")] == ["Harbour team"]
    assert feed.findtext("title") == "Group search results"


async def test_rss_channel_link_never_carries_the_token(client, world):
    """A feed is saved and passed around: its channel link names the search, never the token
    (the first version echoed the request URL, token included)."""
    token = world["tokens"]["alice"]
    reply = await client.get("/portal/sharing/rest/search",
                             params={"f": "rss", "q": "harbour", "sortField": "title", "token": token})
    assert token.encode() not in reply.content
    link = _feed(reply).findtext("link")
    assert link == "http://testserver/portal/sharing/rest/search?f=rss&q=harbour&sortField=title"
    group = await client.get(f"/portal/sharing/rest/content/groups/{world['team']}/search",
                             params={"f": "rss", "q": "*", "Token": token})
    assert token.encode() not in group.content
    assert _feed(group).findtext("link") == \
        f"http://testserver/portal/sharing/rest/content/groups/{world['team']}/search?f=rss&q=%2A"


async def test_count_fields_give_aggregations_of_what_the_caller_sees(client, world):
    """countFields through the operation: facets over the caller's matches only, none without it."""
    def counts(body: dict[str, Any]) -> dict[str, dict[str, int]]:
        assert "error" not in body, body
        return {c["fieldName"]: {v["value"]: v["count"] for v in c["fieldValues"]}
                for c in body["aggregations"]["counts"]}

    anonymous = (await get(client, None, "search", q="harbour", countFields="type,access")).json()
    assert counts(anonymous) == {"type": {"csv": 1, "web map": 1}, "access": {"public": 2}}
    alice = (await get(client, world["tokens"]["alice"], "search", q="harbour", countFields="access",
                       countSize="2")).json()
    assert counts(alice) == {"access": {"public": 2, "private": 1}}  # the two most frequent of three
    assert "aggregations" not in (await get(client, None, "search", q="harbour")).json()
    for bad in ({"countFields": "type,access,tags,owner"}, {"countFields": "title"},
                {"countFields": "type", "countSize": "0"}, {"countFields": "type", "countSize": "201"}):
        body = (await get(client, None, "search", q="harbour", **bad)).json()
        assert error_of(body)[0] == 400, bad


@pytest.mark.parametrize(("query", "detail"), [
    ("q=*&sortField=color", "'sortField' must be one of"),
    ("q=*&bbox=1,2,3", "'bbox' must be four numbers: xmin,ymin,xmax,ymax."),
    ("q=*&countFields=type,access,tags,owner", "'countFields' takes one to three of"),
])
async def test_every_refusal_of_search_carries_the_operations_message(client, world, query, detail):
    """The domain's refusals and the parameter table's share one message."""
    body = (await client.get(f"/portal/sharing/rest/search?f=json&{query}")).json()
    assert body["error"]["code"] == 400 and body["error"]["message"] == "Unable to search items."
    assert body["error"]["details"][0].startswith(detail)
