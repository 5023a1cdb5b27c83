"""Every addItem/update parameter on both sides of its limits (sharing-api.md §6.4, §9), and that
a refused call stores nothing: no row, no blob."""

from __future__ import annotations

import json

import pytest

from geoshare.domain import item_fields
from tests.api.item_support import add, blob_keys, error_of, get, item_count, stored

XSS = '<img src=x onerror=alert(1)><a href="javascript:alert(2)">x</a><script>alert(3)</script><b>kept</b>'


async def _ok(client, svc, token, **data):
    body = await add(client, token, text="{}", **data)
    assert body.get("success") is True, body
    return await stored(svc, body["id"])


async def _refused(client, svc, token, detail, **data):
    rows, blobs = await item_count(svc), blob_keys(svc)
    body = await add(client, token, text="{}", **data)
    code, _message, details = error_of(body)
    assert code == 400 and any(detail in d for d in details), body
    assert await item_count(svc) == rows and blob_keys(svc) == blobs


async def test_title_limits(client, svc, admin_token):
    assert (await _ok(client, svc, admin_token, title="t" * 250)).title == "t" * 250
    await _refused(client, svc, admin_token, "longer than 250", title="t" * 251)
    await _refused(client, svc, admin_token, "'title' must be specified", title="<b></b>")


async def test_snippet_limits(client, svc, admin_token):
    assert (await _ok(client, svc, admin_token, snippet="s" * 250)).snippet == "s" * 250
    await _refused(client, svc, admin_token, "'snippet' is longer than 250", snippet="s" * 251)


@pytest.mark.parametrize("field,column", [("description", "description"), ("snippet", "snippet"),
                                          ("licenseInfo", "license_info"), ("accessInformation", "access_information")])
async def test_descriptive_html_is_cleaned(client, svc, admin_token, field, column):
    value = getattr(await _ok(client, svc, admin_token, **{field: XSS}), column)
    assert "<b>kept</b>" in value and "onerror" not in value and "javascript" not in value and "<script" not in value


async def test_tags_are_plain_text_and_limited(client, svc, admin_token):
    item = await _ok(client, svc, admin_token, tags="<b>a</b>,b,B", categories="/Categories/One")
    assert item.tags == ("a", "b") and item.categories == ("/Categories/One",)
    assert len((await _ok(client, svc, admin_token, tags=",".join(f"t{i}" for i in range(128)))).tags) == 128
    await _refused(client, svc, admin_token, "more than 128", tags=",".join(f"t{i}" for i in range(129)))
    await _refused(client, svc, admin_token, "longer than 256", tags="x" * 257)


@pytest.mark.parametrize("extent", ["-180,-90,180,90", "[[-180,-90],[180,90]]",
                                    '{"xmin":-180,"ymin":-90,"xmax":180,"ymax":90}'])
async def test_extent_forms(client, svc, admin_token, extent):
    assert (await _ok(client, svc, admin_token, extent=extent)).extent == [[-180, -90], [180, 90]]


@pytest.mark.parametrize("extent,detail", [("-180.1,-90,180,90", "must lie within"), ("0,0,1", "four numbers"),
                                           ("a,b,c,d", "four numbers"), ("[[0,0],[1", "not valid JSON"),
                                           ("10,0,5,1", "must lie within"), ("0,0,1,nan", "four numbers"),
                                           ("0,-90.5,1,1", "must lie within")])
async def test_bad_extents(client, svc, admin_token, extent, detail):
    await _refused(client, svc, admin_token, detail, extent=extent)


@pytest.mark.parametrize("field", ["properties", "advancedSettings", "proxyFilter", "serviceProxyParams",
                                   "serviceProxyFilter"])
async def test_json_objects(client, svc, admin_token, field):
    await _ok(client, svc, admin_token, **{field: '{"a": 1}'})
    await _refused(client, svc, admin_token, "not valid JSON", **{field: "{a"})
    await _refused(client, svc, admin_token, "must be a JSON object", **{field: "[1]"})
    big = json.dumps({"a": "x" * item_fields.MAX_JSON_CHARS})
    await _refused(client, svc, admin_token, "longer than", **{field: big})


async def test_service_proxy_filter_is_an_alias(client, svc, admin_token):
    assert (await _ok(client, svc, admin_token, serviceProxyFilter='{"a": 1}')).service_proxy_params == {"a": 1}


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.com/x", "file:///etc/passwd", "http://",
                                 'https://a.example/"><script>'])
async def test_bad_urls(client, svc, admin_token, url):
    await _refused(client, svc, admin_token, "http or https URL", url=url)


async def test_url_limit(client, svc, admin_token):
    base = "https://example.com/"
    assert (await _ok(client, svc, admin_token, url=base + "a" * (2048 - len(base)))).url is not None
    body = await add(client, admin_token, text="{}", url=base + "a" * (2049 - len(base)))
    assert error_of(body)[0] == 400


async def test_credentials_type(client, svc, admin_token):
    assert (await _ok(client, svc, admin_token, serviceCredentialsType="Token")).service_credentials_type == "token"
    await _refused(client, svc, admin_token, "must be one of", serviceCredentialsType="magic")


async def test_ignored_parameters(client, svc, admin_token):
    item = await _ok(client, svc, admin_token, access="public", owner="someone", numViews="99", size="5",
                     id="0123456789abcdef0123456789abcdef")
    assert item.access == "private" and item.owner == "admin" and item.num_views == 0 and item.id != "0" * 32


async def test_data_url_needs_an_allowed_host(client, svc, admin_token):
    rows = await item_count(svc)
    body = await add(client, admin_token, dataUrl="http://127.0.0.1:1/secret")
    assert error_of(body)[0] == 400 and "does not fetch" in error_of(body)[2][0] and await item_count(svc) == rows
    body = await add(client, admin_token, text="{}", thumbnailurl="http://169.254.169.254/latest")
    assert "does not fetch" in error_of(body)[2][0]


async def test_secret_never_answered(client, svc, admin_token):
    body = await add(client, admin_token, text="{}", serviceUsername="u", servicePassword="hunter2-secret")
    for path in (f"content/items/{body['id']}", f"content/users/admin/items/{body['id']}",
                 f"content/items/{body['id']}/info/iteminfo.xml"):
        assert "hunter2-secret" not in (await get(client, admin_token, path)).text
    key = svc.settings.data_path / "item-secrets.key"
    assert key.stat().st_mode & 0o777 == 0o600
