"""A server killed in the middle of multipart uploads loses nothing it acknowledged.

Several uploads run at once (addItem multipart=true, addPart, commit) against a real server
process; one more addPart is left half sent.  The server is SIGKILLed while they run, started
again on the same data directory, and then: every committed item reads back byte for byte; no
item names a data blob that is missing or of another size; the half-sent part left no row.
"""

from __future__ import annotations

import http.client
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select

from geoshare.storage.tables import item_parts, items

from .support import LiveServer, fresh_database, start_server, stop_server

pytestmark = pytest.mark.e2e

UPLOADS = 6
PARTS = 3
PART_BYTES = 512 * 1024
REFERER = {"Referer": "http://localhost"}


def _api(server: LiveServer) -> str:
    return server.sharing_url("http") + "/content/users/admin"


def _new_item(http: httpx.Client, server: LiveServer, token: str, name: str) -> str:
    answer = http.post(f"{_api(server)}/addItem", headers=REFERER, files={"title": (None, name)}, data={
        "f": "json", "token": token, "title": name, "type": "CSV", "multipart": "true", "fileName": f"{name}.csv"})
    body = answer.json()
    assert body.get("success") is True, body
    return str(body["id"])


def _upload(server: LiveServer, token: str, index: int, acknowledged: dict[str, bytes], lock: threading.Lock) -> None:
    """One whole upload; the item counts as acknowledged only once commit answered success."""
    with httpx.Client(timeout=60) as http:
        item_id = _new_item(http, server, token, f"crash{index}")
        parts = [os.urandom(PART_BYTES) for _ in range(PARTS)]
        for num in reversed(range(1, PARTS + 1)):
            sent = http.post(f"{_api(server)}/items/{item_id}/addPart", headers=REFERER,
                             params={"f": "json", "token": token, "partNum": num},
                             files={"file": ("part", parts[num - 1])})
            assert sent.json() == {"success": True}, sent.text
        done = http.post(f"{_api(server)}/items/{item_id}/commit", headers=REFERER,
                         data={"f": "json", "token": token, "type": "CSV"})
        if done.json().get("success") is True:
            with lock:
                acknowledged[item_id] = b"".join(parts)


def _half_sent_part(server: LiveServer, token: str, item_id: str) -> http.client.HTTPConnection:
    """An addPart whose body stops half way: the connection stays open until the kill."""
    boundary = "crashboundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.putrequest("POST", f"/portal/sharing/rest/content/users/admin/items/{item_id}/addPart"
                            f"?f=json&partNum=7&token={token}")
    conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    conn.putheader("Content-Length", str(len(head) + 2 * PART_BYTES))
    conn.putheader("Referer", "http://localhost")
    conn.endheaders()
    conn.send(head + os.urandom(PART_BYTES))
    return conn


def _run_until_killed(server: LiveServer, token: str) -> tuple[dict[str, bytes], str]:
    acknowledged: dict[str, bytes] = {}
    lock = threading.Lock()
    with httpx.Client(timeout=60) as http:
        stalled_item = _new_item(http, server, token, "stalled")
    stalled = _half_sent_part(server, token, stalled_item)
    with ThreadPoolExecutor(max_workers=UPLOADS) as pool:
        futures = [pool.submit(_upload, server, token, i, acknowledged, lock) for i in range(UPLOADS)]
        while len(acknowledged) < 2:
            if all(f.done() for f in futures):
                break
            threading.Event().wait(0.01)
        server.process.kill()  # SIGKILL: no shutdown code runs
        server.process.wait(timeout=15)
        for future in futures:
            future.exception()  # the ones cut short fail: that is the point
    stalled.close()
    return acknowledged, stalled_item


def _check_rows(server: LiveServer, database_url: str | None, stalled_item: str) -> None:
    engine = create_engine(database_url or f"sqlite:///{server.data_dir / 'geoshare.db'}")
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(items.c.id, items.c.data_blob, items.c.size, items.c.status)).all()
            parts = conn.execute(select(item_parts.c.part_num).where(item_parts.c.item_id == stalled_item)).all()
    finally:
        engine.dispose()
    for row in rows:
        if row.data_blob is not None:
            blob = server.data_dir / "blobs" / row.data_blob
            assert blob.is_file() and blob.stat().st_size == row.size, row
    assert parts == []


def test_sigkill_mid_upload_keeps_every_acknowledged_item(tmp_path: Path) -> None:
    test_db = os.environ.get("GEOSHARE_TEST_DATABASE_URL", "").strip()
    database_url, drop = fresh_database(test_db) if test_db else (None, None)
    try:
        server = start_server(tmp_path, database_url=database_url)
        try:
            acknowledged, stalled_item = _run_until_killed(server, server.admin_token())
        finally:
            stop_server(server)
        assert acknowledged, "no upload was acknowledged before the kill"
        again = start_server(tmp_path, database_url=database_url)
        try:
            token = again.admin_token()
            for item_id, data in acknowledged.items():
                got = httpx.get(f"{again.sharing_url()}/content/items/{item_id}/data", headers=REFERER,
                                params={"token": token}, timeout=60)
                assert got.content == data, item_id
            _check_rows(again, database_url, stalled_item)
        finally:
            stop_server(again)
    finally:
        if drop is not None:
            drop()
