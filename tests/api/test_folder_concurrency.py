"""Two createFolder calls with one title at the same moment: one folder, one clear refusal, never a
500 (on PostgreSQL the calls really run at once; on SQLite writes are serial anyway)."""

from __future__ import annotations

import asyncio

from geoshare.storage import items as item_store
from geoshare.storage import users as user_store
from tests.conftest import ADMIN, SHARING


async def test_one_title_created_twice_at_once_makes_one_folder(client, svc, admin_token):
    url = f"{SHARING}/content/users/{ADMIN}/createFolder"
    replies = await asyncio.gather(*(client.post(url, data={"f": "json", "token": admin_token, "title": title})
                                     for title in ("Race", "RACE", "race", "Race")))
    bodies = [r.json() for r in replies]
    assert sum(1 for b in bodies if b.get("success") is True) == 1, bodies
    refused = [b["error"] for b in bodies if "error" in b]
    assert len(refused) == 3 and {e["code"] for e in refused} == {400}, refused
    admin = await svc.db.read(user_store.user_by_username, ADMIN)
    assert [f.title.lower() for f in await svc.db.read(item_store.folders_of, admin.id)] == ["race"]
