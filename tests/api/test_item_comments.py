"""Comments on items (sharing-api.md §6.13): who lists, adds, edits and deletes; numComments
kept true; text sanitised and limited; comments disabled on the item or the organization."""

from __future__ import annotations

from geoshare.storage import org_settings as settings_store
from tests.api.sharing_support import call, count_comments, error_of, get, item_row, member
from tests.conftest import DEFAULT_ORG, make_item


async def test_readers_comment_list_newest_first_and_count(client, svc):
    await member(client, svc, "cm_owner")
    reader = await member(client, svc, "cm_reader")
    item = await make_item(svc, "cm_owner", "Map", shared_org=True)
    ids = []
    for n in range(3):
        body = await call(client, f"content/items/{item.id}/addComment", reader, comment=f"note {n}")
        assert body["success"] is True and len(body["commentId"]) == 32
        ids.append(body["commentId"])
        svc.clock.advance(1000)
    assert (await item_row(svc, item.id)).num_comments == 3
    page = await get(client, f"content/items/{item.id}/comments", reader, num=2)
    assert [c["id"] for c in page["comments"]] == [ids[2], ids[1]]
    assert (page["total"], page["start"], page["num"], page["nextStart"]) == (3, 1, 2, 3)
    assert page["comments"][0]["owner"] == "cm_reader" and page["comments"][0]["comment"] == "note 2"
    last = await get(client, f"content/items/{item.id}/comments", reader, start=3, num=2)
    assert [c["id"] for c in last["comments"]] == [ids[0]] and last["nextStart"] == -1
    one = await get(client, f"content/items/{item.id}/comments/{ids[1]}", reader)
    assert one == {"id": ids[1], "owner": "cm_reader", "created": one["created"], "comment": "note 1"}


async def test_comment_text_is_sanitised_and_limited(client, svc):
    token = await member(client, svc, "cs_a")
    item = await make_item(svc, "cs_a", "Map")
    body = await call(client, f"content/items/{item.id}/addComment", token,
                      comment='<b>bold</b><script>alert(1)</script><a href="javascript:x()">link</a>')
    text = (await get(client, f"content/items/{item.id}/comments/{body['commentId']}", token))["comment"]
    assert "<b>bold</b>" in text and "script" not in text and "javascript" not in text
    for bad in ("<script>only</script>", "x" * 8001):
        refused = await call(client, f"content/items/{item.id}/addComment", token, comment=bad)
        assert error_of(refused)["code"] == 400
    assert "error" not in await call(client, f"content/items/{item.id}/addComment", token, comment="y" * 8000)
    assert (await item_row(svc, item.id)).num_comments == 2
    assert await count_comments(svc, item.id) == 2


async def test_hidden_items_and_anonymous_callers_cannot_comment(client, svc):
    await member(client, svc, "ch_owner")
    other = await member(client, svc, "ch_other")
    hidden = await make_item(svc, "ch_owner", "Hidden")
    body = await call(client, f"content/items/{hidden.id}/addComment", other, comment="hi")
    assert error_of(body)["messageCode"] == "CONT_0001"
    listing = await get(client, f"content/items/{hidden.id}/comments", other)
    assert error_of(listing)["messageCode"] == "CONT_0001"
    public = await make_item(svc, "ch_owner", "Public", shared_public=True, shared_org=True)
    anonymous = await call(client, f"content/items/{public.id}/addComment", None, comment="hi")
    assert error_of(anonymous)["code"] == 499
    assert await count_comments(svc, hidden.id) == 0 and await count_comments(svc, public.id) == 0


async def test_comments_disabled_on_the_item_or_the_organization(client, svc):
    token = await member(client, svc, "cd_a")
    off = await make_item(svc, "cd_a", "Off", comments_enabled=False)
    on = await make_item(svc, "cd_a", "On")
    assert error_of(await call(client, f"content/items/{off.id}/addComment", token, comment="x"))["code"] == 403
    assert "error" not in await call(client, f"content/items/{on.id}/addComment", token, comment="x")
    await svc.db.write(lambda conn: settings_store.put_settings(conn, DEFAULT_ORG, {"commentsEnabled": False},
                                                                svc.clock.now_ms()))
    assert error_of(await call(client, f"content/items/{on.id}/addComment", token, comment="x"))["code"] == 403
    assert await count_comments(svc, off.id) == 0 and await count_comments(svc, on.id) == 1
    assert (await item_row(svc, on.id)).num_comments == 1


async def test_author_edits_author_owner_and_admin_delete_others_do_not(client, svc, admin_token):
    owner = await member(client, svc, "ce_owner")
    author = await member(client, svc, "ce_author")
    other = await member(client, svc, "ce_other")
    item = await make_item(svc, "ce_owner", "Map", shared_org=True)
    ids = [(await call(client, f"content/items/{item.id}/addComment", author, comment=f"c{n}"))["commentId"]
           for n in range(3)]
    base = f"content/items/{item.id}/comments"
    for who in (owner, other):
        assert error_of(await call(client, f"{base}/{ids[0]}/update", who, comment="changed"))["code"] == 403
    assert error_of(await call(client, f"{base}/{ids[0]}/delete", other))["code"] == 403
    assert (await get(client, f"{base}/{ids[0]}", other))["comment"] == "c0"
    assert await call(client, f"{base}/{ids[0]}/update", author, comment="<i>edited</i>") == {
        "success": True, "commentId": ids[0]}
    assert (await get(client, f"{base}/{ids[0]}", other))["comment"] == "<i>edited</i>"
    for who, cid in ((author, ids[0]), (owner, ids[1]), (admin_token, ids[2])):
        assert await call(client, f"{base}/{cid}/delete", who) == {"success": True, "commentId": cid}
    assert (await item_row(svc, item.id)).num_comments == 0
    gone = await get(client, f"{base}/{ids[0]}", owner)
    assert error_of(gone)["code"] == 404
    assert error_of(await call(client, f"{base}/{ids[0]}/delete", owner))["code"] == 404
