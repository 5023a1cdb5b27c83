"""Authorization matrix: every declared operation, called for real by every kind of caller.

EXPECTED is written by hand and is the source of truth: it never reads an operation's declared
permission.  An admitted caller must get a real success (the body each operation answers on
success, checked by CALLS; no error envelope), a refused one the exact envelope of its mount:
499 without a token, 403 with a token that lacks the right, 498 with an expired token or the
token of a disabled user.  A new operation without a row in EXPECTED and CALLS fails
`test_every_operation_has_a_row`.

The same table is checked in HTML (the operation's page, or the sign-in redirect), with the
default organization private (anonymous callers refused where the portal requires a
sign-in), and on every alias path (legacy `/sharing/` without `/rest`, mixed case, doubled
slashes and a trailing slash).
"""

from __future__ import annotations

import httpx
import pytest

from geoshare.http.operations import ROUTER, Operation
from tests.api import (
    matrix_folders,
    matrix_group_members,
    matrix_group_search,
    matrix_groups,
    matrix_item_files,
    matrix_item_sharing,
    matrix_items,
    matrix_members,
    matrix_org,
    matrix_roles,
    matrix_search,
    matrix_users,
)
from tests.api.expected import FORBIDDEN, INVALID_TOKEN, TOKEN_REQUIRED
from tests.api.matrix_support import (  # noqa: F401 - world is a fixture
    ADMINISTRATOR,
    ANONYMOUS,
    ANY_ADMINS,
    AUTHORIZE,
    CALLERS,
    DEFAULT_ORG_ADMIN,
    DISABLED,
    EVERYONE,
    EXPIRED,
    MEMBERS,
    OTHER_ADMIN,
    PASSWORD,
    PORTAL_MOUNTS,
    PREFIXES,
    SITE_PUBLISHERS,
    USER,
    VIEWER,
    Call,
    World,
    _admin_credentials,
    _approval_page,
    _authorize_page,
    _create_org_params,
    _fixed,
    _json,
    _new_token,
    _none,
    _org_created,
    _revoke_params,
    _revoked,
    _signed_in,
    _signin_params,
    _site_user,
    _user_credentials,
    body_has,
    body_is,
)
from tests.conftest import DEFAULT_ORG, set_org_access

AREAS = (matrix_users, matrix_members, matrix_org, matrix_roles, matrix_groups, matrix_group_members,
         matrix_group_search, matrix_items, matrix_item_files, matrix_folders, matrix_item_sharing,
         matrix_search)

# ---------------------------------------------------------------- the expected table
EXPECTED: dict[tuple[str, str], frozenset[str]] = {
    ("sharing", ""): EVERYONE,
    ("sharing", "info"): EVERYONE,
    ("sharing", "generateToken"): EVERYONE,
    ("sharing", "oauth2/authorize"): EVERYONE,
    ("sharing", "oauth2/signin"): EVERYONE,
    ("sharing", "oauth2/token"): EVERYONE,
    ("sharing", "oauth2/revokeToken"): EVERYONE,
    ("sharing", "oauth2/approval"): EVERYONE,
    ("sharing", "portals/{portal}"): EVERYONE,
    ("sharing", "portals/languages"): EVERYONE,
    ("sharing", "portals/regions"): EVERYONE,
    ("sharing", "community/self"): MEMBERS,
    ("sharing", "community/users/{user}"): EVERYONE,
    ("portaladmin", ""): ANY_ADMINS,
    ("portaladmin", "orgs"): DEFAULT_ORG_ADMIN,
    ("portaladmin", "orgs/createOrg"): DEFAULT_ORG_ADMIN,
    ("admin", ""): SITE_PUBLISHERS,
    ("admin", "info"): SITE_PUBLISHERS,
    ("admin", "generateToken"): EVERYONE,
    ("tokens", "generateToken"): EVERYONE,
    ("tokens", ""): EVERYONE,
    ("rest", "info"): EVERYONE,
    ("rest", "info/healthCheck"): EVERYONE,
}
# Sign-in operations never read the token they are sent: an expired or disabled caller's token
# is ignored there, so the caller is simply anonymous.
IGNORES_TOKEN = frozenset({
    ("sharing", "generateToken"), ("sharing", "oauth2/authorize"), ("sharing", "oauth2/signin"),
    ("sharing", "oauth2/token"), ("sharing", "oauth2/revokeToken"), ("sharing", "oauth2/approval"),
    ("admin", "generateToken"), ("tokens", "generateToken"), ("tokens", ""),
})
# What an anonymous caller still reaches on the portal when the organization is private
# (sharing-api.md §8: root, info, generateToken, oauth2/*, portals/self, languages, regions).
PRIVATE_ANONYMOUS = frozenset({
    ("sharing", ""), ("sharing", "info"), ("sharing", "generateToken"), ("sharing", "oauth2/authorize"),
    ("sharing", "oauth2/signin"), ("sharing", "oauth2/token"), ("sharing", "oauth2/revokeToken"),
    ("sharing", "oauth2/approval"), ("sharing", "portals/{portal}"), ("sharing", "portals/languages"),
    ("sharing", "portals/regions"),
})
def expected(key: tuple[str, str], who: str, *, private: bool = False) -> str | int:
    """"ok" or the error code `who` must get from operation `key`."""
    if who in (EXPIRED, DISABLED):
        if key not in IGNORES_TOKEN:
            return 498
        who = ANONYMOUS
    if who == ANONYMOUS and private and key[0] in PORTAL_MOUNTS and key not in PRIVATE_ANONYMOUS:
        return 499
    if who in EXPECTED[key]:
        return "ok"
    return 499 if who == ANONYMOUS else 403


CALLS: dict[tuple[str, str], Call] = {
    ("sharing", ""): Call("GET", {}, _none, body_is({"currentVersion": "2024.1"})),
    ("sharing", "info"): Call("GET", {}, _none, body_has(
        lambda b, w, who: b["authInfo"]["tokenServicesUrl"] == "http://testserver/portal/sharing/rest/generateToken")),
    ("sharing", "generateToken"): Call("POST", {}, _user_credentials, body_has(_new_token)),
    ("sharing", "oauth2/authorize"): Call("GET", {}, _fixed(**AUTHORIZE), _authorize_page, html=False),
    ("sharing", "oauth2/signin"): Call("POST", {}, _signin_params, _signed_in, html=False),
    ("sharing", "oauth2/token"): Call("POST", {}, _fixed(grant_type="password", client_id="pythonapi",
                                                         username="m_user", password=PASSWORD),
                                      body_has(lambda b, w, who: len(b["access_token"]) > 20 and
                                               b["username"] == "m_user" and b["refresh_token"])),
    ("sharing", "oauth2/revokeToken"): Call("POST", {}, _revoke_params, _revoked),
    ("sharing", "oauth2/approval"): Call("GET", {}, _fixed(code="matrix-code-1"), _approval_page, html=False),
    ("sharing", "portals/{portal}"): Call("GET", {"portal": "self"}, _none, body_has(
        lambda b, w, who: b["id"] != "" and b["isPortal"] is True and
        (b["id"] == DEFAULT_ORG) == (who != OTHER_ADMIN) and
        (b.get("user", {}).get("username") == w.username(who)))),
    ("sharing", "portals/languages"): Call("GET", {}, _none, body_has(
        lambda b, w, who: isinstance(b, list) and {"language", "culture"} <= set(b[0]))),
    ("sharing", "portals/regions"): Call("GET", {}, _none, body_has(
        lambda b, w, who: isinstance(b, list) and "region" in b[0])),
    ("sharing", "community/self"): Call("GET", {}, _none, body_has(
        lambda b, w, who: b["username"] == w.username(who))),
    ("sharing", "community/users/{user}"): Call("GET", {"user": "m_user"}, _none, body_has(
        lambda b, w, who: b["username"] == "m_user")),
    ("portaladmin", ""): Call("GET", {}, _none, body_has(
        lambda b, w, who: b["resources"] == (["security", "orgs"] if who == ADMINISTRATOR else ["security"]) and
        b["isPortal"] is True)),
    ("portaladmin", "orgs"): Call("GET", {}, _none, body_has(
        lambda b, w, who: {"Test Org", "Matrix Other"} <= {o["name"] for o in b["orgs"]})),
    ("portaladmin", "orgs/createOrg"): Call("POST", {}, _create_org_params, body_has(_org_created)),
    ("admin", ""): Call("GET", {}, _none, body_has(
        lambda b, w, who: "info" in b["resources"] and b["isServerLicensed"] is True)),
    ("admin", "info"): Call("GET", {}, _none, body_has(_site_user)),
    ("admin", "generateToken"): Call("POST", {}, _admin_credentials, body_has(_new_token)),
    ("tokens", "generateToken"): Call("POST", {}, _user_credentials, body_has(_new_token)),
    ("tokens", ""): Call("POST", {}, _user_credentials, body_has(_new_token)),
    ("rest", "info"): Call("GET", {}, _none, body_has(
        lambda b, w, who: b["authInfo"]["tokenServicesUrl"] == "http://testserver/arcgis/tokens/generateToken")),
    ("rest", "info/healthCheck"): Call("GET", {}, _none, body_is({"success": True})),
}

for _area in AREAS:
    assert not set(_area.EXPECTED) & set(EXPECTED), _area.__name__
    EXPECTED.update(_area.EXPECTED)
    CALLS.update(_area.CALLS)
    IGNORES_TOKEN |= getattr(_area, "IGNORES_TOKEN", frozenset())
    PRIVATE_ANONYMOUS |= getattr(_area, "PRIVATE_ANONYMOUS", frozenset())

KEYS = sorted(EXPECTED)
OPERATIONS: dict[tuple[str, str], Operation] = {(op.mount, op.path): op for op in ROUTER.operations}


def test_every_operation_has_a_row():
    declared = set(OPERATIONS)
    assert declared == set(EXPECTED), "add the operation to EXPECTED (who is admitted) and CALLS (a real call)"
    assert declared == set(CALLS)
    assert IGNORES_TOKEN <= declared and PRIVATE_ANONYMOUS <= declared


# ---------------------------------------------------------------- URLs, plain and aliased
def _segments(key: tuple[str, str], call: Call) -> list[tuple[str, bool]]:
    """(segment, is_literal) of the operation's path with its placeholders filled in."""
    out = []
    for part in key[1].split("/") if key[1] else []:
        if part.startswith("{"):
            out.append((call.values[part[1:-1]], False))
        else:
            out.append((part, True))
    return out


def _mixed(text: str) -> str:
    return "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(text))


def url(key: tuple[str, str], call: Call, variant: str = "canonical") -> str:
    prefix = PREFIXES[key[0]].strip("/").split("/")
    rest = _segments(key, call)
    if variant == "legacy":  # /portal/sharing/... without /rest
        prefix = prefix[:2]
    if variant == "mixed case":
        prefix = [_mixed(p) for p in prefix]
        rest = [(_mixed(s) if literal else s, literal) for s, literal in rest]
    parts = prefix + [s for s, _ in rest]
    if variant == "doubled slashes":
        return "/" + "//".join(parts) + "//"
    return "/" + "/".join(parts)


VARIANTS = {key: ("canonical", "mixed case", "doubled slashes", *(("legacy",) if key[0] == "sharing" else ()))
            for key in EXPECTED}


async def call(world: World, key: tuple[str, str], who: str, *, variant: str = "canonical",
               fmt: str = "json") -> httpx.Response:
    spec = CALLS[key]
    params = {"f": fmt, **(await spec.params(world))}
    token = world.tokens[who]
    if token:
        params["token"] = token
    target = url(key, spec, variant)
    if spec.method == "GET":
        return await world.client.get(target, params=params)
    return await world.client.post(target, data=params)


def check(response: httpx.Response, world: World, key: tuple[str, str], who: str, outcome: str | int) -> None:
    if outcome == "ok":
        CALLS[key].ok(response, world, who)
        return
    body = _json(response)
    expected_body = {499: TOKEN_REQUIRED, 403: FORBIDDEN, 498: INVALID_TOKEN}[int(outcome)][key[0]]
    assert body == expected_body


# ---------------------------------------------------------------- the matrix
async def _rows(world: World, key: tuple[str, str], callers: tuple[str, ...], *, private: bool = False,
                variant: str = "canonical") -> None:
    for who in callers:
        outcome = expected(key, who, private=private)
        response = await call(world, key, who, variant=variant)
        try:
            check(response, world, key, who, outcome)
        except AssertionError as exc:
            raise AssertionError(f"{url(key, CALLS[key], variant)} as {who}: expected {outcome}, got "
                                 f"{response.status_code} {response.text[:400]}") from exc


async def _html_rows(world: World, key: tuple[str, str]) -> None:
    op = OPERATIONS[key]
    for who in (ANONYMOUS, VIEWER, ADMINISTRATOR, EXPIRED):
        outcome = expected(key, who)
        response = await call(world, key, who, fmt="html")
        where = f"{who} expected {outcome}: {response.status_code} {response.text[:300]}"
        if outcome == 499 and CALLS[key].method == "GET":  # a browser is sent to the sign-in page
            assert response.status_code == 303, where
            assert response.headers["location"].startswith("/-/login?next="), where
            continue
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/html"), where
        if outcome == "ok":
            assert f"<h1>{op.name}</h1>" in response.text and 'class="error"' not in response.text, where
            signed_in = world.username(who) if who in (VIEWER, ADMINISTRATOR) and key not in IGNORES_TOKEN else None
            assert (f"Signed in as <b>{signed_in}</b>" in response.text) == (signed_in is not None), where
        else:
            assert f"<h2>Error {outcome}</h2>" in response.text, where


@pytest.mark.parametrize("key", KEYS, ids=lambda k: f"{k[0]}:{k[1] or '/'}")
async def test_matrix(world, key, subtests):
    """One operation: every caller in JSON, then HTML, then each alias path, then a private org."""
    with subtests.test("every caller, JSON"):
        await _rows(world, key, CALLERS)
    if CALLS[key].html:
        with subtests.test("HTML"):
            await _html_rows(world, key)
    for variant in VARIANTS[key][1:]:
        with subtests.test(variant):
            await _rows(world, key, (ANONYMOUS, VIEWER, ADMINISTRATOR), variant=variant)
    with subtests.test("private organization"):
        await set_org_access(world.svc, DEFAULT_ORG, "private")
        await _rows(world, key, (ANONYMOUS, USER, EXPIRED), private=True)


async def test_revoked_token_is_refused_afterwards(world):
    key = ("sharing", "oauth2/revokeToken")
    check(await call(world, key, ANONYMOUS), world, key, ANONYMOUS, "ok")
    revoked = world.tokens["_revoked"]
    reply = await world.client.get(f"{PREFIXES['sharing']}/community/self", params={"f": "json", "token": revoked})
    assert reply.json() == INVALID_TOKEN["sharing"]
