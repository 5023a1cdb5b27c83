"""No password, security answer, hash or token in any answer, page or log line of the user
operations; descriptions cleaned of scripts and event handlers (sharing-api.md §9)."""

from __future__ import annotations

import io
import logging
from typing import Any

from geoshare.http.access_log import ACCESS_LOG
from geoshare.storage import users as user_store
from tests.conftest import ADMIN, SHARING, get_token, make_user, portal

PASSWORD = "Member12345"
NEW_PASSWORD = "Sekret-Pass-4471"
ANSWER = "Answer-Kept-Secret-9"


def _server_log(caplog: Any) -> str:
    """What geoshare logged (the test client's own httpx lines name its URLs, tokens included)."""
    return "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("geoshare"))


def _secrets_absent(text: str, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in text, secret
    assert "$argon2" not in text


async def _both_formats(client: Any, method: str, path: str, data: dict[str, Any]) -> list[str]:
    """The same call answered as JSON and as the HTML page."""
    texts = []
    for fmt in ("json", "html"):
        sent = {**data, "f": fmt}
        reply = await (client.post(f"{SHARING}/{path}", data=sent) if method == "POST" else
                       client.get(f"{SHARING}/{path}", params=sent))
        assert reply.status_code == 200
        texts.append(reply.text)
    return texts


async def test_no_secret_in_answers_pages_or_logs(client, svc, admin_token, caplog):
    caplog.set_level(logging.DEBUG)
    await make_user(svc, "secretive", PASSWORD)
    token = await get_token(client, "secretive", PASSWORD)
    texts = []
    texts += await _both_formats(client, "POST", "community/users/secretive/update", {
        "token": token, "password": NEW_PASSWORD, "securityQuestionIdx": "4", "securityAnswer": ANSWER})
    texts += await _both_formats(client, "POST", "community/users/secretive/update", {
        "token": admin_token, "password": NEW_PASSWORD + "x"})  # an administrator's reset
    for who in (token, admin_token):
        texts += await _both_formats(client, "GET", "community/users/secretive", {"token": admin_token})
        texts += await _both_formats(client, "GET", "community/self", {"token": who})
    texts += await _both_formats(client, "GET", "portals/self", {"token": admin_token})
    assert "securityQuestionIdx" in texts[-3]  # the question's index is shown; the answer never is
    for text in texts:
        _secrets_absent(text, NEW_PASSWORD, ANSWER, token, admin_token)
    logged = _server_log(caplog)
    _secrets_absent(logged, NEW_PASSWORD, ANSWER, token, admin_token)
    changes = [r.getMessage() for r in caplog.records if r.name == "geoshare.users"]
    # each change was made twice, once answered as JSON and once as a page
    assert changes == ["password of secretive changed by secretive"] * 2 + [f"password of secretive changed by {ADMIN}"] * 2


async def test_refused_passwords_are_not_echoed(client, svc, admin_token, caplog):
    caplog.set_level(logging.DEBUG)
    await make_user(svc, "weakling", PASSWORD)
    for weak in ("qwertyuiop", "short1", "nodigitsatall"):
        texts = await _both_formats(client, "POST", "community/users/weakling/update",
                                    {"token": admin_token, "password": weak})
        assert "Invalid password." in texts[0]
        for text in texts:
            assert f'"{weak}"' not in text and f">{weak}<" not in text
    assert "nodigitsatall" not in _server_log(caplog) and "short1" not in _server_log(caplog)


async def test_the_access_log_keeps_no_secret(settings, monkeypatch):
    out = io.StringIO()
    monkeypatch.setattr(ACCESS_LOG, "_stream", out)
    async with portal(settings, access_log=True) as http:
        await make_user(http.svc, "logged", PASSWORD)
        token = await get_token(http, "logged", PASSWORD)
        reply = await http.post(f"{SHARING}/community/users/logged/update?f=json&token={token}",
                                data={"password": NEW_PASSWORD, "securityQuestionIdx": "2", "securityAnswer": ANSWER})
        assert reply.json() == {"success": True, "username": "logged"}
        ACCESS_LOG.flush()
    text = out.getvalue()
    assert "/community/users/logged/update" in text
    _secrets_absent(text, NEW_PASSWORD, ANSWER, token, PASSWORD)


async def test_descriptions_lose_scripts_and_handlers(client, svc, admin_token):
    await make_user(svc, "artist", PASSWORD, access="public")
    hostile = ('<img src=x onerror="alert(1)"><a href="javascript:alert(2)" onclick="alert(3)">me</a>'
               '<script>alert(4)</script><svg onload=alert(5)></svg><p style="background:url(javascript:alert(6))">'
               "text</p><iframe src=//evil></iframe>")
    reply = await client.post(f"{SHARING}/community/users/artist/update",
                              data={"f": "json", "token": admin_token, "description": hostile})
    assert reply.json()["success"] is True
    stored = (await svc.db.read(user_store.user_by_username, "artist")).description
    for bad in ("alert", "onerror", "onclick", "javascript", "<script", "<svg", "<iframe", "onload"):
        assert bad not in stored.lower(), (bad, stored)
    assert "me" in stored and "text" in stored and "<img" in stored
    for fmt in ("json", "html"):
        page = (await client.get(f"{SHARING}/community/users/artist", params={"f": fmt})).text
        assert "alert(" not in page and "<script>alert" not in page


async def test_names_and_tags_lose_every_tag(client, svc, admin_token):
    await make_user(svc, "plainer", PASSWORD)
    await client.post(f"{SHARING}/community/users/plainer/update", data={
        "f": "json", "token": admin_token, "fullname": '<img src=x onerror=alert(1)>Pat <b>Doe</b>',
        "tags": "<script>alert(1)</script>safe,&lt;b&gt;bold&lt;/b&gt;"})
    user = await svc.db.read(user_store.user_by_username, "plainer")
    assert user.full_name == "Pat Doe"
    assert user.tags == ("safe", "bold")
