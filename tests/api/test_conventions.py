"""The conventions layer, once for every endpoint: formats, JSONP, errors, paths, parameters."""

from __future__ import annotations

import json

import pytest

from tests.conftest import SHARING

ROOT = f"{SHARING}?f=json"


async def test_json_and_pjson(client):
    compact = await client.get(ROOT)
    assert compact.status_code == 200
    assert compact.headers["content-type"].startswith("application/json")
    assert compact.json() == {"currentVersion": "2024.1"}
    pretty = await client.get(f"{SHARING}?f=pjson")
    assert pretty.headers["content-type"].startswith("text/plain")
    assert "\n" in pretty.text and json.loads(pretty.text) == compact.json()


async def test_html_is_the_default(client):
    page = await client.get(SHARING)
    assert page.headers["content-type"].startswith("text/html")
    assert "Portal Directory" in page.text and "currentVersion" in page.text


async def test_jsonp_wraps_json(client):
    reply = await client.get(f"{SHARING}?f=json&callback=dojo.io.script.jsonp_cb1")
    assert reply.headers["content-type"].startswith("application/javascript")
    assert reply.text.endswith(');') and "dojo.io.script.jsonp_cb1(" in reply.text
    assert '"currentVersion"' in reply.text


@pytest.mark.parametrize("callback", ["alert(1)//", "<script>x</script>", "a b", "x;alert(1)", "1abc"])
async def test_jsonp_rejects_script(client, callback):
    reply = await client.get(SHARING, params={"f": "json", "callback": callback})
    body = reply.json()
    assert reply.status_code == 200 and body["error"]["code"] == 400
    assert "<script" not in reply.text.lower()


async def test_callback_html(client):
    reply = await client.get(f"{SHARING}?f=json&callback.html=textarea")
    assert reply.headers["content-type"].startswith("text/html")
    assert reply.text.startswith("<html><body><textarea>") and "currentVersion" in reply.text
    bad = await client.get(SHARING, params={"f": "json", "callback.html": "script onload=x"})
    assert bad.json()["error"]["code"] == 400


async def test_unknown_format(client):
    reply = await client.get(f"{SHARING}?f=xml")
    assert reply.status_code == 200 and reply.json()["error"]["code"] == 400


async def test_unknown_url_is_json_error_at_200(client):
    reply = await client.get(f"{SHARING}/no/such/thing?f=json")
    assert reply.status_code == 200
    assert reply.json()["error"] == {"code": 400, "message": "Invalid URL", "details": reply.json()["error"]["details"]}
    assert "www-authenticate" not in reply.headers


async def test_paths_case_insensitive_double_slash_and_legacy(client, admin_token):
    auth = {"X-Esri-Authorization": f"Bearer {admin_token}"}
    for path in ("/portal/sharing/rest//community/self", "/PORTAL/Sharing/REST/Community/Self/",
                 "/portal/sharing/community/self", "/portal///sharing//rest/community///self"):
        reply = await client.get(path, params={"f": "json"}, headers=auth)
        assert reply.json().get("username") == "admin", path


async def test_parameter_names_are_case_insensitive(client):
    reply = await client.post(f"{SHARING}/generateToken", data={"USERNAME": "admin", "Password": "Admin12345",
                                                                "F": "json", "Expiration": "5"})
    assert "token" in reply.json()


async def test_query_and_body_merge_body_wins(client):
    reply = await client.post(f"{SHARING}/generateToken?f=html&expiration=never",  # credentials never in the query
                              data={"username": "admin", "password": "Admin12345", "f": "json", "expiration": "5"})
    assert "token" in reply.json()


async def test_multipart_without_file(client):
    files = {"username": (None, "admin"), "password": (None, "Admin12345"), "f": (None, "json")}
    reply = await client.post(f"{SHARING}/generateToken", files=files)
    assert "token" in reply.json()


async def test_get_on_post_only_operation(client):
    reply = await client.get(f"{SHARING}/generateToken?f=json&username=admin&password=Admin12345")
    assert reply.json()["error"]["code"] == 400
    assert "Method not supported" in reply.json()["error"]["message"]


async def test_oversized_parameter_refused(client, svc):
    from tests.conftest import count_rows

    before = await count_rows(svc, "sign_ins")
    reply = await client.post(f"{SHARING}/generateToken", data={"username": "a" * 5000, "password": "x", "f": "json"})
    err = reply.json()["error"]
    assert err["code"] == 400 and any("longer than" in d for d in err["details"])
    assert await count_rows(svc, "sign_ins") == before


async def test_oversized_body_refused(client, svc):
    big = "x" * (svc.settings.max_body_bytes + 10)
    reply = await client.post(f"{SHARING}/generateToken", content=f"f=json&username={big}",
                              headers={"content-type": "application/x-www-form-urlencoded"})
    assert reply.status_code == 200 and reply.json()["error"]["code"] == 413


async def test_anonymous_responses_set_no_cookie_and_no_challenge(client):
    for path in (SHARING, f"{SHARING}/info", f"{SHARING}/portals/self", "/portal/info", "/portal/rest/info",
                 "/portal/rest/services", "/arcgis/admin"):
        reply = await client.get(path, params={"f": "json"})
        assert "set-cookie" not in reply.headers, path
        assert "www-authenticate" not in reply.headers, path


async def test_portal_probes_do_not_look_like_a_server(client):
    for path in ("/portal/info", "/portal/rest/info", "/portal/rest/services", f"{SHARING}/info"):
        body = (await client.get(path, params={"f": "json"})).json()
        assert "currentVersion" not in body and "folders" not in body, path


async def test_cors_preflight(client):
    reply = await client.options(f"{SHARING}/generateToken", headers={
        "Origin": "https://app.example.org", "Access-Control-Request-Method": "POST"})
    assert reply.status_code == 204
    assert reply.headers["access-control-allow-origin"] == "https://app.example.org"
    assert "X-Esri-Authorization" in reply.headers["access-control-allow-headers"]


async def test_openapi_lists_every_operation(client):
    from geoshare.http.openapi import mount_prefix
    from geoshare.http.operations import ROUTER
    from geoshare.settings import Settings

    doc = (await client.get("/-/openapi.json")).json()
    assert doc["openapi"].startswith("3.")
    for op in ROUTER.operations:
        url = mount_prefix(Settings(), op.mount) + (f"/{op.path}" if op.path else "")
        assert url in doc["paths"], url
        for method in op.methods:
            assert method.lower() in doc["paths"][url]


async def test_unexpected_failure_is_an_envelope_not_a_traceback(client, monkeypatch):
    from geoshare.domain import portal

    def boom(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(portal, "portal_document", boom)
    reply = await client.get(f"{SHARING}/portals/self?f=json")
    assert reply.status_code == 200
    assert reply.json()["error"]["code"] == 500
    assert "secret internal detail" not in reply.text and "Traceback" not in reply.text


async def test_portal_url_opens_the_directory(client):
    for path in ("/portal", "/portal/", "/portal/home"):
        reply = await client.get(path)
        assert reply.status_code == 302 and reply.headers["location"] == SHARING, path
    probe = (await client.get("/portal?f=json")).json()
    assert "currentVersion" not in probe and probe["error"]["code"] == 400


async def test_expired_tokens_are_purged(client, svc):
    from geoshare.storage.tokens import purge_expired_tokens
    from tests.conftest import count_rows, get_token

    await get_token(client, expiration="1")
    await get_token(client)
    svc.clock.advance(2 * 60_000)
    assert await svc.db.write(purge_expired_tokens, svc.clock.now_ms()) == 1
    assert await count_rows(svc, "tokens") == 1


async def test_chunked_body_is_limited_too(client, svc):
    limit = svc.settings.max_body_bytes

    async def chunks():
        yield b"f=json"
        for i in range(limit // 65536 + 2):  # many small fields: only the total is over the limit
            yield b"&a%d=" % i + b"x" * 65530

    reply = await client.post(f"{SHARING}/generateToken", content=chunks(),
                              headers={"content-type": "application/x-www-form-urlencoded"})
    assert reply.status_code == 200 and reply.json()["error"]["code"] == 413
