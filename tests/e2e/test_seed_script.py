"""The plain scripts of the ArcGIS help, run against the real server process.

Everything here uses only the standard library (urllib, http.client, json, ssl), the way
the help's examples do: POST generateToken, then pass `token=` on later GETs.  Covers the
portal and the server site, over http and over https on the one port, the error envelope
at HTTP 200, referer and IP binding, JSONP and `f=pjson`.
"""

from __future__ import annotations

import http.client
import json
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest

from .support import LiveServer, insecure_context

pytestmark = [pytest.mark.e2e]

SCHEMES = ("http", "https")


# ------------------------------------------------------------------ the help's way of calling
def _context(url: str) -> ssl.SSLContext | None:
    return insecure_context() if url.startswith("https:") else None


def post(url: str, params: dict[str, Any], headers: dict[str, str] | None = None) -> tuple[int, str, bytes]:
    """urlencode the parameters into the body and POST them, as the help's scripts do."""
    data = urllib.parse.urlencode(params).encode("utf-8")
    req = urllib.request.Request(url, data=data, headers=headers or {})
    with urllib.request.urlopen(req, context=_context(url), timeout=30) as resp:
        return resp.status, resp.headers.get("Content-Type", ""), resp.read()


def get(url: str, params: dict[str, Any], headers: dict[str, str] | None = None) -> tuple[int, str, bytes]:
    req = urllib.request.Request(url + "?" + urllib.parse.urlencode(params), headers=headers or {})
    with urllib.request.urlopen(req, context=_context(url), timeout=30) as resp:
        return resp.status, resp.headers.get("Content-Type", ""), resp.read()


def post_json(url: str, params: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    status, _, body = post(url, params, headers)
    assert status == 200
    return json.loads(body)


def get_json(url: str, params: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    status, _, body = get(url, params, headers)
    assert status == 200
    return json.loads(body)


def portal_token(live_server: LiveServer, scheme: str, username: str | None = None, password: str | None = None,
                 referer: str = "http://localhost", expiration: int = 60) -> dict[str, Any]:
    return post_json(f"{live_server.sharing_url(scheme)}/generateToken",
                     {"username": username or live_server.admin_username,
                      "password": password or live_server.admin_password,
                      "client": "referer", "referer": referer, "expiration": expiration, "f": "json"})


def _now_ms() -> int:
    return int(time.time() * 1000)


# ------------------------------------------------------------------ portal
@pytest.mark.parametrize("scheme", SCHEMES)
def test_portal_generate_token_then_portals_self(live_server: LiveServer, scheme: str) -> None:
    before = _now_ms()
    answer = portal_token(live_server, scheme)
    assert isinstance(answer.get("token"), str) and len(answer["token"]) >= 20, answer
    assert isinstance(answer.get("expires"), int), answer  # epoch milliseconds, a number (clients.md §1.2)
    # expiration=60 minutes, honoured (a minute of slack either way)
    assert before + 59 * 60_000 <= answer["expires"] <= _now_ms() + 61 * 60_000, answer
    token = answer["token"]

    portal = get_json(f"{live_server.sharing_url(scheme)}/portals/self", {"f": "json", "token": token})
    assert "error" not in portal, portal
    assert portal["user"]["username"] == live_server.admin_username
    assert portal["portalName"] and portal["id"]
    assert portal["isPortal"] is True

    me = get_json(f"{live_server.sharing_url(scheme)}/community/self", {"f": "json", "token": token})
    assert me["username"] == live_server.admin_username
    assert me["orgId"] == portal["id"]
    assert any(":admin:" in p for p in me["privileges"]), me["privileges"]

    user = get_json(f"{live_server.sharing_url(scheme)}/community/users/{live_server.admin_username}",
                    {"f": "json", "token": token})
    assert user["username"] == live_server.admin_username
    # the same user by id (clients.md §0.2)
    by_id = get_json(f"{live_server.sharing_url(scheme)}/community/users/{me['id']}", {"f": "json", "token": token})
    assert by_id["username"] == live_server.admin_username


def test_portal_info_points_at_generate_token(live_server: LiveServer) -> None:
    for scheme in SCHEMES:
        info = get_json(f"{live_server.sharing_url(scheme)}/info", {"f": "json"})
        url = info["authInfo"]["tokenServicesUrl"]
        assert info["authInfo"]["isTokenBasedSecurity"] is True
        assert url.lower().endswith("/portal/sharing/rest/generatetoken"), url
        # the advertised URL works as it is
        answer = post_json(url, {"username": live_server.admin_username, "password": live_server.admin_password,
                                 "client": "referer", "referer": "http://localhost", "f": "json"})
        assert "token" in answer, answer


def test_anonymous_portals_self_has_no_user_and_community_self_needs_a_token(live_server: LiveServer) -> None:
    portal = get_json(f"{live_server.sharing_url()}/portals/self", {"f": "json"})
    assert "error" not in portal and "user" not in portal, portal
    assert portal["portalName"]
    me = get_json(f"{live_server.sharing_url()}/community/self", {"f": "json"})
    assert me["error"]["code"] == 499, me


def test_token_in_headers_is_accepted(live_server: LiveServer) -> None:
    token = portal_token(live_server, "https")["token"]
    for header in ("X-Esri-Authorization", "Authorization"):
        me = get_json(f"{live_server.sharing_url('https')}/community/self", {"f": "json"},
                      headers={header: f"Bearer {token}"})
        assert me.get("username") == live_server.admin_username, (header, me)


# ------------------------------------------------------------------ errors
def test_bad_password_is_an_error_envelope_at_http_200(live_server: LiveServer) -> None:
    username, password = live_server.new_org_admin("badpw")
    for url in (f"{live_server.sharing_url('http')}/generateToken", f"{live_server.sharing_url('https')}/generateToken"):
        status, ctype, body = post(url, {"username": username, "password": password + "-wrong", "client": "referer",
                                         "referer": "http://localhost", "f": "json"})
        assert status == 200
        assert ctype.startswith("application/json")
        answer = json.loads(body)
        assert set(answer) == {"error"}, answer
        assert answer["error"]["code"] == 400
        assert answer["error"]["message"] == "Unable to generate token."
        assert "Invalid username or password." in answer["error"]["details"]

    # The server site's admin tree answers in its own envelope, also at HTTP 200.
    status, _, body = post(f"{live_server.server_url('https')}/admin/generateToken",
                           {"username": username, "password": "wrong", "client": "requestip", "f": "json"})
    assert status == 200
    answer = json.loads(body)
    assert answer["status"] == "error" and answer["code"] == 400, answer
    assert "Invalid username or password." in answer["messages"], answer

    # Three failures are below the lockout threshold: the right password still works.
    assert "token" in portal_token(live_server, "http", username, password)


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(live_server: LiveServer) -> None:
    answer = post_json(f"{live_server.sharing_url()}/generateToken",
                       {"username": "nobody_at_all", "password": "whatever-1", "client": "referer",
                        "referer": "http://localhost", "f": "json"})
    assert answer["error"]["code"] == 400
    assert answer["error"]["details"] == ["Invalid username or password."], answer


def test_invalid_token_is_498_at_http_200(live_server: LiveServer) -> None:
    status, _, body = get(f"{live_server.sharing_url()}/portals/self", {"f": "json", "token": "not-a-token"})
    assert status == 200
    answer = json.loads(body)
    assert answer["error"]["code"] == 498, answer
    assert answer["error"]["message"] == "Invalid token."


def test_revoked_token_is_refused(live_server: LiveServer) -> None:
    token = portal_token(live_server, "http")["token"]
    assert get_json(f"{live_server.sharing_url()}/community/self", {"f": "json", "token": token})["username"]
    assert post_json(f"{live_server.sharing_url()}/oauth2/revokeToken", {"auth_token": token, "f": "json"}) == \
        {"success": True}
    again = get_json(f"{live_server.sharing_url()}/community/self", {"f": "json", "token": token})
    assert again["error"]["code"] == 498, again


# ------------------------------------------------------------------ binding
def test_referer_bound_token(live_server: LiveServer) -> None:
    referer = "https://app.example.org"
    token = portal_token(live_server, "https", referer=referer)["token"]
    url = f"{live_server.sharing_url('https')}/community/self"

    same = get_json(url, {"f": "json", "token": token}, headers={"Referer": referer})
    assert same["username"] == live_server.admin_username, same
    deeper = get_json(url, {"f": "json", "token": token}, headers={"Referer": referer + "/maps/viewer.html"})
    assert deeper["username"] == live_server.admin_username, deeper
    # No Referer at all: the help's own scripts send none after asking for a referer token.
    bare = get_json(url, {"f": "json", "token": token})
    assert bare["username"] == live_server.admin_username, bare

    status, _, body = get(url, {"f": "json", "token": token}, headers={"Referer": "https://elsewhere.example.com"})
    assert status == 200
    other = json.loads(body)
    assert other["error"]["code"] == 498, other
    assert other["error"]["message"] == "Invalid token."


def test_ip_bound_token(live_server: LiveServer) -> None:
    params = {"username": live_server.admin_username, "password": live_server.admin_password, "f": "json"}
    mine = post_json(f"{live_server.sharing_url()}/generateToken", {**params, "client": "ip", "ip": "127.0.0.1"})
    assert get_json(f"{live_server.sharing_url()}/community/self",
                    {"f": "json", "token": mine["token"]})["username"] == live_server.admin_username
    # Bound to some other address: refused from here.  (No traffic leaves loopback.)
    theirs = post_json(f"{live_server.sharing_url()}/generateToken", {**params, "client": "ip", "ip": "192.0.2.7"})
    refused = get_json(f"{live_server.sharing_url()}/community/self", {"f": "json", "token": theirs["token"]})
    assert refused["error"]["code"] == 498, refused


# ------------------------------------------------------------------ server site
@pytest.mark.parametrize("scheme", SCHEMES)
def test_server_admin_generate_token_requestip(live_server: LiveServer, scheme: str) -> None:
    """The help's server-admin script: http.client, POST /arcgis/admin/generateToken, client=requestip."""
    conn_cls = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
    kwargs: dict[str, Any] = {"context": insecure_context()} if scheme == "https" else {}
    conn = conn_cls("127.0.0.1", live_server.port, timeout=30, **kwargs)
    try:
        params = urllib.parse.urlencode({"username": live_server.admin_username,
                                         "password": live_server.admin_password,
                                         "client": "requestip", "f": "json"})
        headers = {"Content-type": "application/x-www-form-urlencoded", "Accept": "text/plain"}
        conn.request("POST", "/arcgis/admin/generateToken", params, headers)
        resp = conn.getresponse()
        assert resp.status == 200
        answer = json.loads(resp.read())
        assert "token" in answer, answer
        assert isinstance(answer["expires"], int)
        token = answer["token"]

        conn.request("GET", "/arcgis/admin?" + urllib.parse.urlencode({"f": "json", "token": token}))
        resp = conn.getresponse()
        assert resp.status == 200
        root = json.loads(resp.read())
        assert "status" not in root, root
        assert "info" in root["resources"], root
        assert isinstance(root["currentVersion"], int | float), root

        conn.request("POST", "/arcgis/admin/info", urllib.parse.urlencode({"f": "json", "token": token}), headers)
        resp = conn.getresponse()
        info = json.loads(resp.read())
        assert info["loggedInUser"] == live_server.admin_username, info
        assert info["loggedInUserPrivilege"] == "ADMINISTER", info
    finally:
        conn.close()


def test_server_admin_without_token(live_server: LiveServer) -> None:
    status, _, body = get(f"{live_server.server_url()}/admin", {"f": "json"})
    assert status == 200
    answer = json.loads(body)
    assert answer["status"] == "error" and answer["code"] == 499, answer


def test_server_admin_refuses_credentials_in_the_query_string(live_server: LiveServer) -> None:
    url = f"{live_server.server_url()}/admin/generateToken?" + urllib.parse.urlencode(
        {"username": live_server.admin_username, "password": live_server.admin_password})
    status, _, body = post(url, {"f": "json", "client": "requestip"})
    assert status == 200
    answer = json.loads(body)
    assert answer["status"] == "error", answer


@pytest.mark.parametrize("path", ["/arcgis/tokens/generateToken", "/arcgis/tokens"])
def test_server_tokens_generate_token(live_server: LiveServer, path: str) -> None:
    info = get_json(f"{live_server.server_url('https')}/rest/info", {"f": "json"})
    assert info["authInfo"]["tokenServicesUrl"].endswith("/arcgis/tokens/generateToken"), info

    answer = post_json(f"{live_server.base('https')}{path}",
                       {"username": live_server.admin_username, "password": live_server.admin_password,
                        "client": "referer", "referer": "http", "expiration": 60, "f": "json"})
    assert "token" in answer and isinstance(answer["expires"], int), answer
    root = get_json(f"{live_server.server_url('https')}/admin", {"f": "json", "token": answer["token"]},
                    headers={"Referer": "http"})
    assert "resources" in root, root
    # The portal accepts the server token as well (one token store).
    me = get_json(f"{live_server.sharing_url('https')}/community/self", {"f": "json", "token": answer["token"]},
                  headers={"Referer": "http"})
    assert me["username"] == live_server.admin_username, me


def test_server_token_with_wrong_referer_is_refused_in_the_admin_envelope(live_server: LiveServer) -> None:
    answer = post_json(f"{live_server.server_url()}/tokens/generateToken",
                       {"username": live_server.admin_username, "password": live_server.admin_password,
                        "client": "referer", "referer": "http://localhost", "f": "json"})
    refused = get_json(f"{live_server.server_url()}/admin", {"f": "json", "token": answer["token"]},
                       headers={"Referer": "http://intruder.example"})
    assert refused["status"] == "error" and refused["code"] == 498, refused
    assert "Invalid Token" in refused["messages"], refused


def test_rest_info_and_health_check(live_server: LiveServer) -> None:
    info = get_json(f"{live_server.server_url()}/rest/info", {"f": "json"})
    assert info["authInfo"]["isTokenBasedSecurity"] is True
    health = get_json(f"{live_server.server_url()}/rest/info/healthCheck", {"f": "json"})
    assert health == {"success": True}


# ------------------------------------------------------------------ response formats
def test_jsonp_callback(live_server: LiveServer) -> None:
    token = portal_token(live_server, "http")["token"]
    status, ctype, body = get(f"{live_server.sharing_url()}/community/self",
                              {"f": "json", "token": token, "callback": "dojo_request_script_callbacks.cb0"})
    assert status == 200
    assert ctype.startswith("application/javascript"), ctype
    text = body.decode("utf-8")
    prefix = "dojo_request_script_callbacks.cb0("
    start = text.index(prefix)
    assert text[:start] in ("", "/**/"), text[:40]
    assert text.endswith(");"), text[-20:]
    payload = json.loads(text[start + len(prefix):-2])
    assert payload["username"] == live_server.admin_username

    # errors come wrapped too, so a JSONP caller sees them
    status, _, body = get(f"{live_server.sharing_url()}/community/self", {"f": "json", "callback": "cb"})
    text = body.decode("utf-8")
    assert json.loads(text[text.index("cb(") + 3:-2])["error"]["code"] == 499


def test_jsonp_refuses_a_callback_that_is_not_an_identifier(live_server: LiveServer) -> None:
    status, ctype, body = get(f"{live_server.sharing_url()}", {"f": "json", "callback": "alert(document.cookie)//"})
    assert status == 200
    assert ctype.startswith("application/json"), ctype
    assert b"alert(" not in body
    assert json.loads(body)["error"]["code"] == 400


def test_pjson_is_indented_json(live_server: LiveServer) -> None:
    token = portal_token(live_server, "https")["token"]
    url = f"{live_server.sharing_url('https')}/portals/self"
    _, _, compact = get(url, {"f": "json", "token": token})
    status, _, pretty = get(url, {"f": "pjson", "token": token})
    assert status == 200
    text = pretty.decode("utf-8")
    assert text.startswith("{\n") and "\n  \"" in text, text[:80]
    assert json.loads(text) == json.loads(compact)
    assert b"\n" not in compact.strip()


def test_root_over_both_schemes_on_one_port(live_server: LiveServer) -> None:
    for scheme in SCHEMES:
        assert get_json(live_server.sharing_url(scheme), {"f": "json"}) == {"currentVersion": "2024.1"}
    # The certificate the server made for itself is where the help says it is.
    assert live_server.cert_path.is_file()
    strict = ssl.create_default_context(cafile=str(live_server.cert_path))
    strict.check_hostname = False  # issued for the host name; we dial the IP
    with urllib.request.urlopen(live_server.sharing_url("https") + "?f=json", context=strict, timeout=30) as resp:
        assert json.loads(resp.read())["currentVersion"]


def test_http_errors_never_use_4xx_for_application_errors(live_server: LiveServer) -> None:
    """Unknown resources and missing parameters are still HTTP 200 with an error body (clients.md §0.5)."""
    for url in (f"{live_server.sharing_url()}/no/such/thing", f"{live_server.server_url()}/rest/info/nothing"):
        try:
            status, _, body = get(url, {"f": "json"})
        except urllib.error.HTTPError as exc:  # pragma: no cover - the failure we look for
            pytest.fail(f"{url} answered HTTP {exc.code}")
        assert status == 200
        assert "error" in json.loads(body)


# ------------------------------------------------------------------ accounts
def test_lockout_after_five_failures(live_server: LiveServer) -> None:
    """Five failed sign-ins lock the account; then even the right password is refused (own account)."""
    username, password = live_server.new_org_admin("locked")
    url = f"{live_server.sharing_url()}/generateToken"
    params = {"username": username, "client": "referer", "referer": "http://localhost", "f": "json"}
    for _ in range(5):
        answer = post_json(url, {**params, "password": "not-the-password"})
        assert answer["error"]["code"] == 400, answer
    refused = post_json(url, {**params, "password": password})
    assert "token" not in refused, refused
    assert refused["error"]["details"] == ["Too many invalid attempts. Please try again later."], refused
    # every sign-in path shares the lock: the server site refuses too
    server = post_json(f"{live_server.server_url()}/tokens/generateToken", {**params, "password": password})
    assert "token" not in server and "error" in server, server
    # ... and the shared administrator is untouched
    assert "token" in portal_token(live_server, "http")


def test_create_org_needs_the_default_org_admin(live_server: LiveServer) -> None:
    username, password = live_server.new_org_admin("orgadmin")
    token = portal_token(live_server, "http", username, password)["token"]
    me = get_json(f"{live_server.sharing_url()}/community/self", {"f": "json", "token": token})
    default_org = get_json(f"{live_server.sharing_url()}/portals/self", {"f": "json"})
    assert me["orgId"] != default_org["id"], (me["orgId"], default_org["id"])
    # an administrator of another organization may not create organizations
    answer = post_json(f"{live_server.base()}/portal/portaladmin/orgs/createOrg",
                       {"name": "not allowed", "adminUsername": "nope_user", "adminPassword": "Whatever-123",
                        "f": "json", "token": token})
    assert answer["error"]["code"] == 403, answer
    orgs = get_json(f"{live_server.base()}/portal/portaladmin/orgs", {"f": "json", "token": live_server.admin_token()},
                    headers={"Referer": "http://localhost"})
    names = [o["name"] for o in orgs["orgs"]]
    assert "not allowed" not in names
    assert any(o["isDefault"] for o in orgs["orgs"])


def test_openapi_document(live_server: LiveServer) -> None:
    doc = get_json(f"{live_server.base()}/-/openapi.json", {})
    assert str(doc["openapi"]).startswith("3.")
    paths = {p.lower() for p in doc["paths"]}
    assert "/portal/sharing/rest/generatetoken" in paths, sorted(paths)[:20]
    assert "/arcgis/admin/generatetoken" in paths
