"""Body limits on every route (size, read deadline, form fields), a client gone mid-body, and
HSTS.  In-process: the app runs under httpx's ASGITransport, with bodies streamed from async
generators where the timing or the absence of a Content-Length matters, and driven straight
through the ASGI interface where a client has to vanish mid-body."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from geoshare.http.limits import MAX_FIELDS, PAGE_MAX_BODY
from tests.conftest import SHARING, portal

GEN = f"{SHARING}/generateToken"
GEN_JSON = f"{GEN}?f=json"
FORM = {"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin"}  # as a browser posts the sign-in form
SMALL = 4096


def padded(size: int, *fields: str) -> bytes:
    """An urlencoded form of exactly `size` bytes: the given fields, then padding fields of at most 8 KiB."""
    head = "&".join(fields)
    body = head
    while len(body) < size:
        room = size - len(body) - len("&pad=")
        body += "&pad=" + "a" * max(0, min(room, 8189))  # 8 KiB a field: what the sign-in page accepts
    assert len(body) == size, len(body)
    return body.encode()


async def chunks(body: bytes, size: int = 1000) -> AsyncIterator[bytes]:
    """The body as a stream: httpx sends it chunked, without a Content-Length."""
    for start in range(0, len(body), size):
        yield body[start: start + size]


# ----------------------------------------------------------------------------- size


@pytest.mark.parametrize("streamed", [False, True], ids=["content-length", "chunked"])
async def test_api_body_at_the_limit_is_read_and_one_byte_over_is_refused(settings, streamed):
    async with portal(settings, max_body_bytes=SMALL) as client:
        for size, refused in ((SMALL, False), (SMALL + 1, True)):
            body = padded(size, "f=json", "username=nobody")
            reply = await client.post(GEN, content=chunks(body) if streamed else body, headers=FORM)
            error = reply.json()["error"]
            if refused:
                assert error["code"] == 413 and error["message"] == "Request too large.", error
                assert reply.headers["connection"] == "close"  # the rest of the body is never read
            else:
                assert error["details"] == ["'password' must be specified."], error
                assert "connection" not in reply.headers


@pytest.mark.parametrize("streamed", [False, True], ids=["content-length", "chunked"])
async def test_pages_take_a_small_body_whatever_max_body_bytes_says(client, streamed):
    # The sign-in form reads at most 10 fields of 8 KiB each; the padding stays within that.
    for size, refused in ((PAGE_MAX_BODY, False), (PAGE_MAX_BODY + 1, True)):
        body = padded(size, "username=nobody", "password=wrong")
        reply = await client.post("/-/login", content=chunks(body, 8192) if streamed else body, headers=FORM)
        if refused:
            assert reply.status_code == 413, reply.text
            assert reply.text.startswith("Request too large.") and reply.headers["connection"] == "close"
        else:
            assert reply.status_code == 200 and "Invalid username or password." in reply.text, reply.text[:300]


async def test_a_declared_length_over_the_limit_is_refused_before_reading(settings):
    read = []

    async def body() -> AsyncIterator[bytes]:
        read.append(1)
        yield b"f=json"

    async with portal(settings, max_body_bytes=SMALL) as client:
        reply = await client.post(GEN, content=body(), headers={**FORM, "Content-Length": str(SMALL + 1)})
    assert reply.json()["error"]["code"] == 413
    assert read == []


# ----------------------------------------------------------------------------- form fields


def fields(count: int, separator: str = "&") -> bytes:
    return separator.join(f"k{i}=v" for i in range(count)).encode()


async def test_urlencoded_fields_are_counted_before_parsing(client):
    accepted = (await client.post(GEN_JSON, content=fields(MAX_FIELDS), headers=FORM)).json()
    assert "'username' must be specified." in accepted["error"]["details"], accepted
    for separator in ("&", ";"):
        refused = (await client.post(GEN_JSON, content=fields(MAX_FIELDS + 1, separator), headers=FORM)).json()
        assert refused["error"] == {"code": 400, "message": "Too many fields.",
                                    "details": [f"A form may have at most {MAX_FIELDS} fields."]}, refused
    page = await client.post("/-/login", content=fields(MAX_FIELDS + 1), headers=FORM)
    assert page.status_code == 400 and page.text.startswith("Too many fields.")


async def test_ten_mib_of_ampersands_is_refused_at_once(client, settings, capsys):
    body = b"&" * settings.max_body_bytes  # exactly the API's limit: only the field count refuses it
    started = time.perf_counter()
    api = (await client.post(GEN_JSON, content=body, headers=FORM)).json()
    api_seconds = time.perf_counter() - started
    started = time.perf_counter()
    page = await client.post("/-/login", content=body, headers=FORM)
    page_seconds = time.perf_counter() - started
    assert api["error"]["message"] == "Too many fields.", api
    assert page.status_code == 413, page.text
    with capsys.disabled():
        print(f"\n10 MiB of '&': API {api_seconds * 1000:.0f} ms, /-/login {page_seconds * 1000:.0f} ms")
    assert api_seconds < 3 and page_seconds < 3  # a sanity bound; the old code took seconds of loop time


# ----------------------------------------------------------------------------- read deadline


async def trickle(first: bytes, pause: float, rest: bytes) -> AsyncIterator[bytes]:
    yield first
    await asyncio.sleep(pause)
    yield rest


async def drip() -> AsyncIterator[bytes]:
    """Pauses shorter than body_timeout, but under 1 KiB/s on average."""
    for _ in range(40):
        yield b"a"
        await asyncio.sleep(0.1)


async def timed(request: Any) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    reply = await request
    return reply, time.monotonic() - started


async def test_read_deadline(settings):
    """A body that pauses longer than body_timeout gets 408 (the envelope on the API, a plain
    answer on the pages) and the connection is closed; a body that pauses less is read; a
    trickle that never pauses long but averages under 1 KiB/s is cut off once body_timeout
    seconds have passed.  The four run at once, so the test takes one deadline's time."""
    async with portal(settings, body_timeout=1) as client:
        (slow_api, _), (slow_page, _), (in_time, _), (trickled, took) = await asyncio.gather(
            timed(client.post(GEN, content=trickle(b"f=json&username=x", 1.5, b"&password=y"), headers=FORM)),
            timed(client.post("/-/login", content=trickle(b"username=x", 1.5, b"&password=y"), headers=FORM)),
            timed(client.post(GEN, content=trickle(b"f=json&username=x", 0.5, b"&password=y"), headers=FORM)),
            timed(client.post(GEN_JSON, content=drip(), headers=FORM)))
    assert slow_api.json()["error"]["code"] == 408 and slow_api.headers["connection"] == "close", slow_api.text
    assert slow_page.status_code == 408 and slow_page.text.startswith("Request timeout."), slow_page.text
    assert slow_page.headers["connection"] == "close"
    assert in_time.json()["error"]["details"] == ["Invalid username or password."], in_time.text
    assert trickled.json()["error"]["code"] == 408 and 0.9 < took < 2.5, (trickled.text, took)


# ----------------------------------------------------------------------------- client gone


async def call_asgi(app: Any, path: str, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drive the app as the server does, with a client that sends part of a body and vanishes."""
    queue = list(messages)
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return queue.pop(0) if queue else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"testserver"), (b"content-type", b"application/x-www-form-urlencoded"),
                         (b"content-length", b"5000"), (b"sec-fetch-site", b"same-origin")],
             "client": ("127.0.0.1", 50000), "server": ("testserver", 80), "state": {}}
    await app(scope, receive, send)
    return sent


@pytest.mark.parametrize("path", ["/-/login", GEN])
async def test_a_client_gone_mid_body_is_one_quiet_line(app, path, caplog):
    caplog.set_level(logging.DEBUG)
    partial = [{"type": "http.request", "body": b"username=admin&pass", "more_body": True},
               {"type": "http.disconnect"}]
    await call_asgi(app, path, partial)  # raises nothing: nothing for the server to log
    lines = [r for r in caplog.records if r.levelno >= logging.INFO]
    assert [r.getMessage() for r in lines] == [
        f"client closed the connection after 19 bytes of the request body: POST {path}"]
    assert all(r.exc_info is None for r in caplog.records)


# ----------------------------------------------------------------------------- HSTS


HSTS_PATHS = ["/-/ping", "/", "/-/login", f"{SHARING}?f=json", "/arcgis/rest/info?f=json"]


async def test_hsts_on_https_with_a_configured_certificate(settings):
    async with portal(settings, "https", cert="/etc/geoshare/cert.pem", key="/etc/geoshare/key.pem",
                       hsts_seconds=600) as client:
        for path in HSTS_PATHS:
            reply = await client.get(path)
            assert reply.headers.get("strict-transport-security") == "max-age=600", (path, reply.headers)
        refused = await client.post("/-/login", content=b"a" * (PAGE_MAX_BODY + 1), headers=FORM)
        assert refused.status_code == 413 and refused.headers["strict-transport-security"] == "max-age=600"


@pytest.mark.parametrize(("scheme", "overrides"), [
    ("http", {"cert": "/etc/geoshare/cert.pem", "key": "/etc/geoshare/key.pem"}),  # plain HTTP
    ("https", {}),  # the self-signed certificate
    ("https", {"cert": "/etc/geoshare/cert.pem", "key": "/etc/geoshare/key.pem", "hsts_seconds": 0}),
], ids=["http", "self-signed", "hsts-off"])
async def test_no_hsts_otherwise(settings, scheme, overrides):
    async with portal(settings, scheme, **overrides) as client:
        for path in HSTS_PATHS:
            assert "strict-transport-security" not in (await client.get(path)).headers, path
