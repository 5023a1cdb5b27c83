"""The one request path (http/dispatch.py) at its edges: unknown URLs and directories, the
method check, bodies that cannot be read, long and odd query strings, errors wrapped for JSONP
and callback.html, the HTML answers of refusals, unexpected failures and the access log line."""

from __future__ import annotations

import dataclasses
import gc
import io
import logging
import warnings

import pytest

from geoshare.http import dispatch
from geoshare.http.access_log import AccessLog
from tests.api.expected import TOKEN_REQUIRED
from tests.conftest import ADMIN, ADMIN_PASSWORD, SHARING

GEN = f"{SHARING}/generateToken"
CREDENTIALS = {"username": ADMIN, "password": ADMIN_PASSWORD, "f": "json"}


# ---------------------------------------------------------------- URLs that name no operation
async def test_a_path_outside_every_mount(client):
    for path in ("/nothing", "/portal/elsewhere", "/arcgis/other/x"):
        body = (await client.get(path, params={"f": "json"})).json()
        assert body == {"error": {"code": 400, "message": "Invalid URL",
                                  "details": ["The URL does not name a resource of this server."]}}, path


@pytest.mark.parametrize(("path", "code"), [(f"{SHARING}/community/nothing", 400),
                                            ("/portal/portaladmin/nothing", 400), ("/arcgis/rest/nothing", 404),
                                            ("/arcgis/tokens/x/y", 404)])
async def test_unknown_path_inside_a_mount(client, path, code):
    body = (await client.get(path, params={"f": "json"})).json()
    assert body["error"]["code"] == code and body["error"]["message"] == "Invalid URL"
    assert body["error"]["details"] == [f"'{path}' does not name a resource."]


async def test_a_directory_lists_its_children_in_every_format(client, admin_token):
    assert (await client.get(f"{SHARING}/community", params={"f": "json"})).json() == {"resources": ["checkUsernames", "createGroup", "groups", "self", "users"]}
    jsonp = await client.get(f"{SHARING}/community", params={"f": "json", "callback": "cb"})
    assert jsonp.text == '/**/cb({"resources":["checkUsernames","createGroup","groups","self","users"]});'
    wrapped = await client.get(f"{SHARING}/community", params={"f": "json", "callback.html": "pre"})
    assert wrapped.text == '<html><body><pre>{"resources":["checkUsernames","createGroup","groups","self","users"]}</pre></body></html>'
    page = await client.get(f"{SHARING}/community", params={"token": admin_token})
    assert "Signed in as <b>admin</b>" in page.text and f'href="{SHARING}/community/self"' in page.text


# ---------------------------------------------------------------- methods
async def test_get_on_a_post_only_operation_names_the_methods(client):
    body = (await client.get(GEN, params=CREDENTIALS)).json()
    assert body == {"error": {"code": 400, "message": "Method not supported.",
                              "details": ["generateToken accepts POST."]}}


async def test_an_unsupported_method_names_every_accepted_one(client):
    body = (await client.delete(f"{SHARING}/community/self", params={"f": "json"})).json()
    assert body == {"error": {"code": 400, "message": "Method not supported.",
                              "details": ["Self accepts GET, POST."]}}


async def test_get_in_html_on_a_post_only_operation_shows_its_form(client, admin_token):
    page = await client.get("/portal/portaladmin/orgs/createOrg", params={"token": admin_token})
    assert page.status_code == 200 and "<h1>createOrg</h1>" in page.text
    assert 'action="/portal/portaladmin/orgs/createOrg"' in page.text and 'name="adminPassword"' in page.text
    assert "Signed in as <b>admin</b>" in page.text
    form = await client.get(GEN, params={"token": admin_token})  # a sign-in operation shows who is signed in too
    assert "<h1>generateToken</h1>" in form.text and "Signed in as <b>admin</b>" in form.text


# ---------------------------------------------------------------- bodies
async def test_a_body_that_cannot_be_read_is_a_400(client):
    reply = await client.post(GEN, content=b"x", headers={"content-type": "multipart/form-data"})
    assert reply.json() == {"error": {"code": 400, "message": "Unable to read the request body.",
                                      "details": ["Missing boundary in multipart."]}}


async def test_multipart_takes_up_to_2000_fields(client):
    fields = {f"x{i}": (None, "1") for i in range(1995)}
    ok = await client.post(GEN, files={**fields, "username": (None, ADMIN), "password": (None, ADMIN_PASSWORD),
                                       "f": (None, "json")})
    assert "token" in ok.json()
    too_many = await client.post(GEN, files={**{f"x{i}": (None, "1") for i in range(2001)}, "f": (None, "json")})
    assert too_many.json()["error"] == {"code": 400, "message": "Unable to read the request body.",
                                        "details": ["Too many fields. Maximum number of fields is 2000."]}


async def test_a_multipart_part_may_be_as_large_as_a_body(client):
    big = "y" * (2 * 1024 * 1024)  # over Starlette's own 1 MiB default for one part
    reply = await client.post(GEN, files={"username": (None, ADMIN), "password": (None, ADMIN_PASSWORD),
                                          "f": (None, "json"), "ignored": (None, big)})
    assert "token" in reply.json()


async def test_a_declared_length_over_the_limit_is_refused_before_reading(client, svc):
    reply = await client.post(GEN, content=b"f=json", headers={
        "content-type": "application/x-www-form-urlencoded", "content-length": str(svc.settings.max_body_bytes + 1)})
    assert reply.json() == {"error": {"code": 413, "message": "Request too large.",
                                      "details": [f"The request body is over {svc.settings.max_body_bytes} bytes."]}}


async def test_a_streamed_body_over_the_limit_names_the_limit(client, svc):
    limit = svc.settings.max_body_bytes

    async def chunks():
        yield b"f=json&pad="
        yield b"x" * limit

    reply = await client.post(GEN, content=chunks(), headers={"content-type": "application/x-www-form-urlencoded"})
    assert reply.json()["error"]["details"] == [f"The request body is over {limit} bytes."]


async def _post_with_a_file_named(client, name):
    """A multipart POST where `name` is a file; returns the answer and any ResourceWarning of a
    temporary file left to the garbage collector."""
    files = {"username": (None, ADMIN), "password": (None, ADMIN_PASSWORD), name: ("x.txt", b"cb", "text/plain")}
    if name != "f":
        files["f"] = (None, "json")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        reply = await client.post(GEN, files=files)
        gc.collect()
    return reply, [w for w in caught if issubclass(w.category, ResourceWarning)]


@pytest.mark.parametrize("name", ["f", "callback", "callback.html"])
async def test_a_file_where_text_is_expected_is_ignored_by_the_conventions(client, name):
    reply, _ = await _post_with_a_file_named(client, name)
    if name == "f":  # no usable f: the default format, the HTML page
        assert reply.headers["content-type"].startswith("text/html") and "<h1>generateToken</h1>" in reply.text
    else:
        assert reply.headers["content-type"].startswith("application/json") and "token" in reply.json()


async def test_uploaded_files_are_closed(client):
    _, leaked = await _post_with_a_file_named(client, "callback")
    assert leaked == []


# ---------------------------------------------------------------- query strings
async def test_a_long_query_string_is_read_in_full(client, admin_token):
    reply = await client.get(f"{SHARING}/community/self", params={"pad": "p" * 2000, "f": "json",
                                                                  "token": admin_token})
    assert reply.json()["username"] == ADMIN


@pytest.mark.parametrize(("raw", "pairs"), [
    (b"a=b=c&d", [("a", "b=c"), ("d", "")]), (b"q=a+b", [("q", "a b")]), (b"q=%ff", [("q", "\ufffd")]),
    (b"q=caf%C3%A9", [("q", "café")]), (b"", []), (b"a;b=c", [("a;b", "c")]),
])
def test_query_parsing(raw, pairs):
    assert dispatch._parse_query_uncached(raw) == pairs

    class Fake:
        scope = {"query_string": raw}

    assert dispatch.query_items(Fake()) == pairs  # type: ignore[arg-type]


def test_context_paths_lose_their_slashes_only():
    mounts = dispatch.Mounts("/Xportal/", "/serverX/")
    assert mounts.find(["xportal", "sharing", "rest", "info"]) == ("sharing", 3)
    assert mounts.find(["SERVERX", "admin"]) == ("admin", 2)
    assert mounts.find(["portal", "sharing"]) is None


# ---------------------------------------------------------------- errors in every format
async def test_errors_wrapped_for_jsonp_and_callback_html(client):
    jsonp = await client.get(f"{SHARING}/community/self", params={"f": "pjson", "callback": "cb"})
    assert jsonp.headers["content-type"].startswith("application/javascript")
    assert jsonp.text.startswith("/**/cb({\n  \"error\": {") and '"code": 499' in jsonp.text
    wrapped = await client.get(f"{SHARING}/community/self", params={"f": "json", "callback.html": "textarea"})
    assert wrapped.text.startswith('<html><body><textarea>{"error":{"code":499,')
    refused = await client.get(f"{SHARING}/community/self", params={"f": "pjson", "callback": "a(b"})
    assert refused.headers["content-type"].startswith("text/plain") and refused.json()["error"]["code"] == 400


async def test_refusals_in_html(client):
    page = await client.post(f"{SHARING}/community/self", data={"f": "html"})  # a POST is never redirected
    assert page.status_code == 200 and "<h2>Error 499</h2>" in page.text and "Token Required" in page.text
    jump = await client.get("/arcgis/admin/info", params={"x": "1"})
    assert jump.status_code == 303 and jump.headers["location"] == "/-/login?next=%2Farcgis%2Fadmin%2Finfo%3Fx%3D1"
    bare = await client.get("/arcgis/admin/info")
    assert bare.headers["location"] == "/-/login?next=%2Farcgis%2Fadmin%2Finfo"


async def test_an_error_page_names_the_signed_in_user_and_keeps_the_form(client, admin_token):
    page = await client.post("/portal/portaladmin/orgs/createOrg", data={"f": "html", "token": admin_token})
    assert "<h2>Error 400</h2>" in page.text and "Signed in as <b>admin</b>" in page.text
    assert 'name="adminUsername"' in page.text  # the operation's form, to try again


async def test_a_bad_format_is_a_json_error(client):
    assert (await client.get(SHARING, params={"f": "xml"})).json()["error"]["message"] == "Output format not supported."
    pretty = await client.get(f"{SHARING}/community/self", params={"f": "pjson"})
    assert pretty.headers["content-type"].startswith("text/plain") and pretty.text.startswith('{\n  "error": {')


async def test_an_unexpected_failure_is_logged_and_answered_with_500(client, monkeypatch, caplog, admin_token):
    from geoshare.domain import users

    async def boom(*args, **kwargs):
        raise RuntimeError("internal detail")

    monkeypatch.setattr(users, "self_document", boom)
    with caplog.at_level(logging.ERROR, logger="geoshare.http"):
        body = (await client.get(f"{SHARING}/community/self", params={"f": "json", "token": admin_token})).json()
    assert body == {"error": {"code": 500, "message": "Unable to complete operation.",
                              "details": ["An unexpected error occurred on the server."]}}
    assert [r.getMessage() for r in caplog.records] == [f"unexpected failure in GET {SHARING}/community/self"]


# ---------------------------------------------------------------- the access log
@pytest.fixture
def access_lines(monkeypatch, svc):
    import dataclasses

    out = io.StringIO()
    monkeypatch.setattr(dispatch, "ACCESS_LOG", AccessLog(out))
    svc.settings = dataclasses.replace(svc.settings, access_log=True)

    def lines():
        dispatch.ACCESS_LOG.flush()
        return [line.split("geoshare.access: ", 1)[1] for line in out.getvalue().splitlines()]

    return lines


async def test_access_log_line(client, access_lines):
    await client.get(f"{SHARING}/community/self", params={"f": "json", "token": "secret-token"})
    await client.post(f"{SHARING}/info?f=json")
    await client.get("/portal/sharing/rest/community/self")
    first, second, third = access_lines()
    method_path, outcome, millis = first.rsplit(" ", 2)[0], first.rsplit(" ", 2)[1], first.rsplit(" ", 1)[1]
    assert method_path == f"GET {SHARING}/community/self?f=json&token=%2A%2A%2A error"
    assert outcome == "498" and "secret-token" not in first
    assert millis.endswith("ms") and 0.0 < float(millis[:-2]) < 10_000
    assert second.startswith(f"POST {SHARING}/info?f=json ok ")
    assert third.startswith(f"GET {SHARING}/community/self error 499 ") or \
        third.startswith(f"GET {SHARING}/community/self error 303 ")


async def test_access_log_line_gives_the_time_taken_in_milliseconds(client, access_lines, monkeypatch):
    import types

    readings = iter([10.0, 10.25])  # when the request came in, when its answer was ready
    monkeypatch.setattr(dispatch, "time", types.SimpleNamespace(perf_counter=lambda: next(readings)))
    await client.get(f"{SHARING}/info", params={"f": "json"})
    assert access_lines() == [f"GET {SHARING}/info?f=json ok 250.0ms"]


async def test_token_required_body_on_the_portal(client):
    assert (await client.get(f"{SHARING}/community/self", params={"f": "json"})).json() == TOKEN_REQUIRED["sharing"]


# ---------------------------------------------------------------- more edges the mutation run found
async def test_a_directory_in_pjson_is_indented(client):
    reply = await client.get(f"{SHARING}/community", params={"f": "pjson"})
    assert reply.headers["content-type"].startswith("text/plain")
    assert reply.text == '{\n  "resources": [\n    "checkUsernames",\n    "createGroup",\n    "groups",\n    "self",\n    "users"\n  ]\n}'


async def test_a_very_long_path_is_an_invalid_url_not_a_crash(client):
    for path in (f"{SHARING}/community/" + "x" * 1100, "/" + "y" * 1100):
        body = (await client.get(path, params={"f": "json"})).json()
        assert body["error"]["code"] == 400 and body["error"]["message"] == "Invalid URL", path


async def test_error_pages_before_an_operation_is_found(client):
    missing = await client.get(f"{SHARING}/community/nothing")  # HTML by default
    assert missing.status_code == 200 and "<h2>Error 400</h2>" in missing.text
    assert "geoshare · Portal Directory" in missing.text
    unreadable = await client.post(f"{GEN}?f=html", content=b"x", headers={"content-type": "multipart/form-data"})
    assert unreadable.json()["error"]["code"] == 400  # f is not known before the body is read: JSON
    admin = await client.post("/arcgis/admin/info", data={"f": "html"})
    assert "<h2>Error 499</h2>" in admin.text and "geoshare · Server Administrator Directory" in admin.text


@pytest.fixture
def failing_sign_in(monkeypatch):
    from geoshare.domain import tokens

    async def boom(*args, **kwargs):
        raise RuntimeError("internal detail")

    monkeypatch.setattr(tokens, "sign_in", boom)


async def test_an_unexpected_failure_in_every_envelope_and_format(client, failing_sign_in):
    credentials = {"username": ADMIN, "password": ADMIN_PASSWORD}
    admin = (await client.post("/arcgis/admin/generateToken", data={**credentials, "f": "json"})).json()
    assert admin == {"status": "error", "code": 500,
                     "messages": ["Unable to complete operation.", "An unexpected error occurred on the server."]}
    jsonp = await client.post(GEN, data={**credentials, "f": "json", "callback": "cb"})
    assert jsonp.text == '/**/cb({"error":{"code":500,"message":"Unable to complete operation.",' \
                         '"details":["An unexpected error occurred on the server."]}});'
    wrapped = await client.post(GEN, data={**credentials, "f": "json", "callback.html": "pre"})
    assert wrapped.text.startswith('<html><body><pre>{"error":{"code":500,')
    page = await client.post(GEN, data={**credentials, "f": "html"})
    assert "<h2>Error 500</h2>" in page.text and 'name="password"' in page.text  # the form, to try again
    assert "internal detail" not in jsonp.text + wrapped.text + page.text


async def test_access_log_line_of_an_unexpected_failure(client, failing_sign_in, access_lines):
    await client.post(GEN, data={"username": ADMIN, "password": ADMIN_PASSWORD, "f": "json"})
    (line,) = access_lines()
    assert line.startswith(f"POST {GEN} error 500 ")


async def test_server_admin_permission(svc):
    """No operation asks for server_admin yet; the rule is checked on its own."""
    import dataclasses

    from geoshare.domain.principal import ANONYMOUS, Principal
    from geoshare.errors import Forbidden, TokenRequired
    from geoshare.http.operations import Operation
    from geoshare.storage import orgs as org_store
    from geoshare.storage import users as user_store

    async def handler(ctx):
        return {}

    op = Operation(mount="admin", path="security", handler=handler, name="security", permission="server-admin")
    admin = await svc.db.read(user_store.user_by_username, ADMIN)
    org = await svc.db.read(org_store.org_by_id, admin.org_id)
    dispatch._permission(op, Principal(user=admin, org=org))
    publisher = Principal(user=dataclasses.replace(admin, role="org_publisher"), org=org)
    assert publisher.server_privilege == "PUBLISH"
    with pytest.raises(Forbidden):
        dispatch._permission(op, publisher)
    with pytest.raises(TokenRequired):
        dispatch._permission(op, ANONYMOUS)


@pytest.mark.parametrize(("mount", "refused"), [("sharing", True), ("portaladmin", True), ("admin", False),
                                                 ("rest", False), ("tokens", False)])
async def test_a_private_portal_refuses_anonymous_callers_on_the_portal_mounts_only(svc, mount, refused):
    """Every portaladmin operation asks for an administrator today, so the private-portal rule of
    that mount is checked on its own, with a public operation."""
    from geoshare.domain.principal import ANONYMOUS
    from geoshare.errors import TokenRequired
    from geoshare.http.operations import Operation
    from tests.conftest import DEFAULT_ORG, set_org_access

    async def handler(ctx):
        return {}

    op = Operation(mount=mount, path="x", handler=handler, name="x", permission="public")
    await dispatch._private_portal_check(svc, op, ANONYMOUS)  # the organization is public
    await set_org_access(svc, DEFAULT_ORG, "private")
    if refused:
        with pytest.raises(TokenRequired):
            await dispatch._private_portal_check(svc, op, ANONYMOUS)
    else:
        await dispatch._private_portal_check(svc, op, ANONYMOUS)
    await dispatch._private_portal_check(svc, dataclasses.replace(op, private_ok=True), ANONYMOUS)


async def test_a_declared_length_over_the_limit_is_refused_whatever_the_body_type(client, svc):
    """A body that is no form is never read, so only the declared length can refuse it."""
    reply = await client.post(f"{SHARING}/info?f=json", content=b"{}", headers={
        "content-type": "application/json", "content-length": str(svc.settings.max_body_bytes + 1)})
    assert reply.json() == {"error": {"code": 413, "message": "Request too large.",
                                      "details": [f"The request body is over {svc.settings.max_body_bytes} bytes."]}}
    within = await client.post(f"{SHARING}/info?f=json", content=b"{}", headers={
        "content-type": "application/json", "content-length": "2"})
    assert "error" not in within.json()


@pytest.fixture
def declare():
    """Registers operations for one test (the table has none of these shapes today)."""
    from geoshare.http.operations import ROUTER, Operation

    async def handler(ctx):
        return {"by": ctx.principal.username, "anonymous": ctx.principal.is_anonymous}

    saved = (list(ROUTER.operations), {key: list(entries) for key, entries in ROUTER._by_len.items()})

    def add(path, **kwargs):
        ROUTER.add(Operation(mount="sharing", path=path, handler=handler, name=path, **kwargs))
        return f"{SHARING}/{path}"

    yield add
    ROUTER.operations, ROUTER._by_len = saved
    ROUTER._match_cached.cache_clear()


async def test_the_session_cookie_never_runs_an_operation_on_get(client, admin_token, declare):
    """Dispatch hands the operation to the token lookup: a link must not run it with the cookie."""
    touch = declare("community/touch", kind="operation", permission="user")
    client.cookies.set("agstoken", admin_token)
    try:
        assert (await client.get(SHARING + "/community/self", params={"f": "json"})).json()["username"] == ADMIN
        assert (await client.get(touch, params={"f": "json"})).json() == TOKEN_REQUIRED["sharing"]
        ran = (await client.get(touch, params={"f": "json", "token": admin_token})).json()
        assert ran == {"by": ADMIN, "anonymous": False}
    finally:
        client.cookies.clear()


async def test_an_operation_that_ignores_tokens_sees_an_anonymous_caller(client, admin_token, declare):
    sign_in = declare("community/signin", kind="operation", resolve_token=False)
    assert (await client.post(sign_in, data={"f": "json", "token": admin_token})).json() == \
        {"by": None, "anonymous": True}
