"""Custom roles: portals/{id}/roles, createRole, roles/{id}, update, delete, privileges,
setPrivileges (sharing-api.md §3.4, §4.9).  Every rejected call leaves the stored roles and
members exactly as they were."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from geoshare.domain import privileges as privs
from geoshare.domain import roles
from geoshare.errors import InvalidParameter
from geoshare.storage import roles as role_store
from geoshare.storage import users as user_store
from tests.conftest import DEFAULT_ORG, SHARING, get_token, make_org, make_user

SELF = f"{SHARING}/portals/self"
NOT_FOUND = {"error": {"code": 400, "message": "Role does not exist or is inaccessible.", "details": []}}
PASSWORD = "Member12345"


# ---------------------------------------------------------------- helpers (test_user_roles.py uses them too)
async def call(client: Any, path: str, token: str | None, method: str = "POST", **data: Any) -> Any:
    values = {"f": "json", **data, **({"token": token} if token else {})}
    if method == "GET":
        return (await client.get(f"{SELF}/{path}" if not path.startswith("/") else path, params=values)).json()
    return (await client.post(f"{SELF}/{path}" if not path.startswith("/") else path, data=values)).json()


async def stored_roles(svc: Any, org_id: str = DEFAULT_ORG) -> list[Any]:
    return await svc.db.read(role_store.roles_of_org, org_id)


async def stored_user(svc: Any, username: str) -> Any:
    return await svc.db.read(user_store.user_by_username, username)


async def add_role(svc: Any, role_id: str, privileges: list[str], *, org_id: str = DEFAULT_ORG,
                   name: str | None = None) -> None:
    now = svc.clock.now_ms()
    await svc.db.write(lambda conn: role_store.insert_role(conn, role_id=role_id, org_id=org_id, name=name or role_id,
                                                           description=None, privileges=privileges, now=now))


async def holder(svc: Any, username: str, role_id: str, *, user_type: str | None = None,
                 org_id: str = DEFAULT_ORG) -> Any:
    """A member holding the custom role `role_id` (stored as updateUserRole stores it)."""
    user = await make_user(svc, username, PASSWORD, org_id=org_id)
    role = await svc.db.read(role_store.role_by_id, org_id, role_id)
    changes = {"role_id": role_id, "role": privs.base_role(role.privileges),
               **({"user_license_type_id": user_type} if user_type else {})}
    await svc.db.write(lambda conn: user_store.update_user(conn, user.id, **changes))
    return await stored_user(svc, username)


async def create(client: Any, token: str, name: str, description: str | None = None) -> str:
    reply = await call(client, "createRole", token, name=name, **({"description": description} if description else {}))
    assert reply["success"] is True, reply
    return str(reply["id"])


# ---------------------------------------------------------------- listing and paging
async def test_listing_names_the_built_in_viewer_and_data_editor_first(client, admin_token):
    reply = await call(client, "roles", admin_token, "GET")
    assert reply["total"] == 2 and reply["start"] == 1 and reply["num"] == 10 and reply["nextStart"] == -1
    assert [(r["id"], r["name"]) for r in reply["roles"]] == [("iAAAAAAAAAAAAAAA", "Viewer"),
                                                              ("iBBBBBBBBBBBBBBB", "Data Editor")]
    assert set(reply["roles"][0]) == {"id", "name", "description", "created", "modified"}


async def test_paging(client, admin_token):
    ids = [await create(client, admin_token, name) for name in ("Zeta", "alpha", "Mid")]
    everything = await call(client, "roles", admin_token, "GET")
    assert everything["total"] == 5
    assert [r["name"] for r in everything["roles"]] == ["Viewer", "Data Editor", "alpha", "Mid", "Zeta"]
    assert [r["id"] for r in everything["roles"][2:]] == [ids[1], ids[2], ids[0]]
    first = await call(client, "roles", admin_token, "GET", start=0, num=2)
    assert (first["start"], first["num"], first["nextStart"]) == (1, 2, 3)
    assert [r["name"] for r in first["roles"]] == ["Viewer", "Data Editor"]
    across = await call(client, "roles", admin_token, "GET", start=2, num=2)
    assert [r["name"] for r in across["roles"]] == ["Data Editor", "alpha"] and across["nextStart"] == 4
    custom_only = await call(client, "roles", admin_token, "GET", start=4, num=2)
    assert [r["name"] for r in custom_only["roles"]] == ["Mid", "Zeta"] and custom_only["nextStart"] == -1
    last = await call(client, "roles", admin_token, "GET", start=5, num=1)
    assert [r["name"] for r in last["roles"]] == ["Zeta"] and last["nextStart"] == -1
    for start in (-1, -7, 6, 99):  # negative (after the last page, clients.md §7) and past the end
        page = await call(client, "roles", admin_token, "GET", start=start, num=3)
        assert page == {"total": 5, "start": start, "num": 3, "nextStart": -1, "roles": []}, (start, page)
    empty = await call(client, "roles", admin_token, "GET", num=0)
    assert empty["roles"] == [] and empty["nextStart"] == -1 and empty["num"] == 0


async def test_num_is_clamped_to_100_and_negative_num_is_refused(client, admin_token):
    clamped = await call(client, "roles", admin_token, "GET", num=101)
    assert clamped["num"] == 100 and len(clamped["roles"]) == 2
    assert (await call(client, "roles", admin_token, "GET", num=100))["num"] == 100
    refused = await call(client, "roles", admin_token, "GET", num=-1)
    assert refused["error"]["code"] == 400 and refused["error"]["details"] == ["'num' must be at least 0."]
    bad = await call(client, "roles", admin_token, "GET", start="one")
    assert bad["error"]["details"] == ["'start' must be an integer."]


async def test_a_page_of_more_than_ten_custom_roles(client, admin_token, svc):
    for n in range(12):
        await add_role(svc, f"r{n:015d}", [], name=f"role {n:02d}")
    page = await call(client, "roles", admin_token, "GET", start=11, num=10)
    assert [r["name"] for r in page["roles"]] == [f"role {n:02d}" for n in range(8, 12)]
    assert page["total"] == 14 and page["nextStart"] == -1
    second = await call(client, "roles", admin_token, "GET", start=1, num=10)
    assert second["nextStart"] == 11


# ---------------------------------------------------------------- createRole
async def test_create_role(client, admin_token, svc):
    svc.clock.pin(1_700_000_000_000)
    reply = await call(client, "createRole", admin_token, name="Analysts", description="Reads <b>everything</b>")
    assert set(reply) == {"success", "id"} and reply["success"] is True
    assert re.fullmatch(r"[A-Za-z0-9]{16}", reply["id"])
    role = await call(client, f"roles/{reply['id']}", admin_token, "GET")
    assert role == {"id": reply["id"], "name": "Analysts", "description": "Reads <b>everything</b>",
                    "created": 1_700_000_000_000, "modified": 1_700_000_000_000}
    assert await call(client, f"roles/{reply['id']}/privileges", admin_token, "GET") == \
        {"id": reply["id"], "privileges": []}
    assert len({await create(client, admin_token, f"Other {n}") for n in range(5)}) == 5


async def test_names_are_plain_text_and_descriptions_are_cleaned(client, admin_token):
    role_id = await create(client, admin_token, "<b>Field</b> crew", '<p onclick="x()">Hi<script>bad()</script></p>')
    role = await call(client, f"roles/{role_id}", admin_token, "GET")
    assert role["name"] == "Field crew" and role["description"] == "<p>Hi</p>"


PARAMS_REFUSED = "Unable to create role."  # the operation's own message for a bad parameter


@pytest.mark.parametrize(("data", "message", "detail"), [
    ({}, PARAMS_REFUSED, "'name' must be specified."),
    ({"name": "   "}, PARAMS_REFUSED, "'name' must be specified."),
    ({"name": "<script>alert(1)</script>"}, "Invalid role name.", "'name' must be specified."),
    ({"name": "n" * 129}, PARAMS_REFUSED, "'name' is longer than 128 characters."),
    ({"name": "ok", "description": "d" * 1001}, PARAMS_REFUSED, "'description' is longer than 1000 characters."),
    # 1000 characters as sent, 4000 once cleaned (each "<" is kept as "&lt;")
    ({"name": "ok", "description": "<" * 1000}, "Invalid description.", "'description' is longer than 1000 characters."),
])
async def test_bad_create_changes_nothing(client, admin_token, svc, data, message, detail):
    reply = await call(client, "createRole", admin_token, **data)
    assert reply == {"error": {"code": 400, "message": message, "details": [detail]}}
    assert await stored_roles(svc) == []


def test_names_are_checked_by_the_domain_too():
    with pytest.raises(InvalidParameter) as too_long:
        roles.clean_name("n" * 129)
    assert (too_long.value.message, too_long.value.details) == ("Invalid role name.",
                                                                ["'name' is longer than 128 characters."])
    assert roles.clean_name("<i>n</i>" + "n" * 127) == "n" * 128
    with pytest.raises(InvalidParameter):
        roles.clean_name(None)


async def test_longest_name_and_description_are_accepted(client, admin_token):
    role_id = await create(client, admin_token, "n" * 128, "d" * 1000)
    role = await call(client, f"roles/{role_id}", admin_token, "GET")
    assert role["name"] == "n" * 128 and role["description"] == "d" * 1000


@pytest.mark.parametrize("name", ["analysts", "ANALYSTS", " Analysts "])
async def test_names_are_unique_ignoring_case(client, admin_token, svc, name):
    await create(client, admin_token, "Analysts")
    before = await stored_roles(svc)
    reply = await call(client, "createRole", admin_token, name=name)
    assert reply == {"error": {"code": 409, "message": "A role with this name already exists.",
                               "details": [f"'{name.strip()}' is taken (names ignore letter case)."]}}
    assert await stored_roles(svc) == before


@pytest.mark.parametrize("name", ["Viewer", "data editor", "USER", "Publisher", "administrator"])
async def test_built_in_names_are_taken(client, admin_token, svc, name):
    reply = await call(client, "createRole", admin_token, name=name)
    assert reply == {"error": {"code": 409, "message": "A role with this name already exists.",
                               "details": [f"'{name}' is the name of a built-in role."]}}
    assert await stored_roles(svc) == []


async def test_same_name_in_another_organization(client, admin_token, svc):
    await create(client, admin_token, "Analysts")
    await make_org(client, admin_token, "Second", "second_admin")
    other = await get_token(client, "second_admin", "Other12345")
    other_id = await create(client, other, "Analysts")
    assert [r["name"] for r in (await call(client, "roles", other, "GET"))["roles"]] == ["Viewer", "Data Editor",
                                                                                         "Analysts"]
    assert (await call(client, f"roles/{other_id}", admin_token, "GET")) == NOT_FOUND


# ---------------------------------------------------------------- one role, update, delete
async def test_built_in_roles_read(client, admin_token):
    viewer = await call(client, "roles/iAAAAAAAAAAAAAAA", admin_token, "GET")
    assert viewer["name"] == "Viewer" and viewer["id"] == "iAAAAAAAAAAAAAAA"
    assert (await call(client, "roles/iAAAAAAAAAAAAAAA/privileges", admin_token, "GET"))["privileges"] == \
        ["portal:user:joinGroup", "portal:user:viewOrgGroups", "portal:user:viewOrgItems", "portal:user:viewOrgUsers"]
    editor = await call(client, "roles/iBBBBBBBBBBBBBBB/privileges", admin_token)  # the Python client POSTs
    assert editor == {"id": "iBBBBBBBBBBBBBBB", "privileges": [*privs.VIEWER, "features:user:edit"]}


@pytest.mark.parametrize("path", ["roles/nosuchrole0000001", "roles/nosuchrole0000001/privileges"])
async def test_unknown_role(client, admin_token, path):
    assert await call(client, path, admin_token, "GET") == NOT_FOUND


@pytest.mark.parametrize("op", ["update", "delete", "setPrivileges"])
async def test_built_in_roles_cannot_change(client, admin_token, op):
    data = {"name": "Renamed"} if op == "update" else {"privileges": '{"privileges": []}'}
    reply = await call(client, f"roles/iAAAAAAAAAAAAAAA/{op}", admin_token, **data)
    assert reply["error"] == {"code": 400, "message": "Built-in roles cannot be changed.",
                              "details": ["'Viewer' is a built-in role."]}
    assert (await call(client, "roles/iAAAAAAAAAAAAAAA", admin_token, "GET"))["name"] == "Viewer"


async def test_update_role(client, admin_token, svc):
    svc.clock.pin(1_700_000_000_000)
    role_id = await create(client, admin_token, "Analysts", "first")
    svc.clock.advance(5000)
    reply = await call(client, f"roles/{role_id}/update", admin_token, name="<i>Data</i> analysts",
                       description="second <script>x</script>")
    assert reply == {"success": True, "id": role_id}
    role = await call(client, f"roles/{role_id}", admin_token, "GET")
    assert role == {"id": role_id, "name": "Data analysts", "description": "second ", "created": 1_700_000_000_000,
                    "modified": 1_700_000_005_000}
    assert (await call(client, f"roles/{role_id}/update", admin_token, description="third"))["success"] is True
    assert (await call(client, f"roles/{role_id}", admin_token, "GET"))["name"] == "Data analysts"
    assert (await call(client, f"roles/{role_id}/update", admin_token, name="DATA ANALYSTS"))["success"] is True
    assert (await call(client, f"roles/{role_id}", admin_token, "GET"))["name"] == "DATA ANALYSTS"


async def test_update_without_changes_keeps_the_role(client, admin_token, svc):
    role_id = await create(client, admin_token, "Analysts")
    before = await stored_roles(svc)
    svc.clock.advance(5000)
    assert await call(client, f"roles/{role_id}/update", admin_token) == {"success": True, "id": role_id}
    assert await stored_roles(svc) == before


@pytest.mark.parametrize(("data", "code"), [
    ({"name": "taken"}, 409), ({"name": "Viewer"}, 409), ({"name": "<b></b>"}, 400), ({"name": "x" * 129}, 400),
    ({"name": "fine", "description": "d" * 1001}, 400),
])
async def test_bad_update_changes_nothing(client, admin_token, svc, data, code):
    await create(client, admin_token, "Taken")
    role_id = await create(client, admin_token, "Analysts", "kept")
    before = await stored_roles(svc)
    reply = await call(client, f"roles/{role_id}/update", admin_token, **data)
    assert reply["error"]["code"] == code, reply
    assert await stored_roles(svc) == before


async def test_delete_role(client, admin_token, svc):
    role_id = await create(client, admin_token, "Temporary")
    assert await call(client, f"roles/{role_id}/delete", admin_token) == {"success": True}
    assert await stored_roles(svc) == []
    assert await call(client, f"roles/{role_id}/delete", admin_token) == NOT_FOUND


async def test_a_held_role_is_not_deleted(client, admin_token, svc):
    role_id = await create(client, admin_token, "Held")
    await holder(svc, "m_holder", role_id)
    before = await stored_roles(svc)
    reply = await call(client, f"roles/{role_id}/delete", admin_token)
    assert reply["error"] == {"code": 400, "message": "Members hold this role: give them another role first.",
                              "details": ["1 member(s) hold this role."]}
    assert await stored_roles(svc) == before
    assert (await stored_user(svc, "m_holder")).role_id == role_id


# ---------------------------------------------------------------- organizations stay apart
async def test_another_organizations_roles_are_invisible(client, admin_token, svc):
    await make_org(client, admin_token, "Second", "second_admin")
    other = await get_token(client, "second_admin", "Other12345")
    role_id = await create(client, admin_token, "Mine")
    await call(client, f"roles/{role_id}/setPrivileges", admin_token, privileges='{"privileges": ["a:b:c"]}')
    before = await stored_roles(svc)
    assert (await call(client, "roles", other, "GET"))["total"] == 2
    for path, method in ((f"roles/{role_id}", "GET"), (f"roles/{role_id}/privileges", "GET"),
                         (f"roles/{role_id}/update", "POST"), (f"roles/{role_id}/delete", "POST"),
                         (f"roles/{role_id}/setPrivileges", "POST")):
        reply = await call(client, path, other, method, name="Stolen", privileges='{"privileges": []}')
        assert reply == NOT_FOUND, (path, reply)
    assert await stored_roles(svc) == before


async def test_portal_id_must_be_the_callers_own(client, admin_token, svc):
    org = await make_org(client, admin_token, "Second", "second_admin")
    own = await call(client, f"{SHARING}/portals/{DEFAULT_ORG}/roles", admin_token, "GET")
    assert own["total"] == 2
    other_id = org["org"]["id"]
    forbidden = await call(client, f"{SHARING}/portals/{other_id}/createRole", admin_token, name="Intruder")
    assert forbidden["error"]["code"] == 403
    assert await stored_roles(svc, other_id) == []
    for path in ("roles", "roles/iAAAAAAAAAAAAAAA", "roles/iAAAAAAAAAAAAAAA/privileges"):
        missing = await call(client, f"{SHARING}/portals/ZZZZZZZZZZZZZZZZ/{path}", admin_token, "GET")
        assert missing["error"] == {"code": 400, "message": "Portal does not exist or is inaccessible.", "details": []}


# ---------------------------------------------------------------- setPrivileges
PRIVS = ["portal:user:createItem", "portal:user:joinGroup"]


@pytest.mark.parametrize("value", [
    json.dumps({"privileges": PRIVS}),
    json.dumps(PRIVS),  # a bare list
    json.dumps(json.dumps({"privileges": PRIVS})),  # the Python client's retry encodes it once more
    json.dumps(json.dumps(PRIVS)),
    json.dumps({"privileges": ",".join(PRIVS)}),  # its setter's string form
    json.dumps({"privileges": [*PRIVS, PRIVS[0], " ", ""]}),  # duplicates and blanks go
])
async def test_set_privileges_forms(client, admin_token, value):
    role_id = await create(client, admin_token, "Creators")
    assert await call(client, f"roles/{role_id}/setPrivileges", admin_token, privileges=value) == {"success": True}
    assert (await call(client, f"roles/{role_id}/privileges", admin_token, "GET"))["privileges"] == PRIVS


async def test_unknown_privileges_are_stored_verbatim(client, admin_token, svc):
    svc.clock.pin(1_700_000_000_000)
    role_id = await create(client, admin_token, "Future")
    svc.clock.advance(7000)
    wanted = ["portal:user:createItem", "premium:publisher:createNotebooks", "Something Else"]
    await call(client, f"roles/{role_id}/setPrivileges", admin_token, privileges=json.dumps({"privileges": wanted}))
    assert (await call(client, f"roles/{role_id}/privileges", admin_token))["privileges"] == wanted
    assert (await call(client, f"roles/{role_id}", admin_token, "GET"))["modified"] == 1_700_000_007_000
    await call(client, f"roles/{role_id}/setPrivileges", admin_token, privileges='{"privileges": []}')
    assert (await call(client, f"roles/{role_id}/privileges", admin_token))["privileges"] == []


@pytest.mark.parametrize(("value", "detail"), [
    ("not json", "'privileges' is not valid JSON."),
    ('"{broken"', "'privileges' is not valid JSON."),
    ('{"privileges": [1, 2]}', "'privileges' must be a JSON object {\"privileges\": [\"...\"]} of strings."),
    ('{"privileges": {"a": 1}}', "'privileges' must be a JSON object {\"privileges\": [\"...\"]} of strings."),
    ("42", "'privileges' must be a JSON object {\"privileges\": [\"...\"]} of strings."),
    ("{}", "'privileges' must be a JSON object {\"privileges\": [\"...\"]} of strings."),
    ('{"other": ["a:b:c"]}', "'privileges' must be a JSON object {\"privileges\": [\"...\"]} of strings."),
    (json.dumps([f"p:q:{n}" for n in range(501)]), "'privileges' takes at most 500 names of at most 128 characters."),
    (json.dumps(["p:q:" + "r" * 125]), "'privileges' takes at most 500 names of at most 128 characters."),
])
async def test_bad_privileges_change_nothing(client, admin_token, svc, value, detail):
    role_id = await create(client, admin_token, "Creators")
    await call(client, f"roles/{role_id}/setPrivileges", admin_token, privileges=json.dumps(PRIVS))
    before = await stored_roles(svc)
    reply = await call(client, f"roles/{role_id}/setPrivileges", admin_token, privileges=value)
    assert reply == {"error": {"code": 400, "message": "Unable to set privileges.", "details": [detail]}}
    assert await stored_roles(svc) == before


async def test_most_privileges_and_longest_name_are_accepted(client, admin_token):
    role_id = await create(client, admin_token, "Big")
    wanted = [f"p:q:{n}" for n in range(499)] + ["p:q:" + "r" * 124]
    assert (await call(client, f"roles/{role_id}/setPrivileges", admin_token,
                       privileges=json.dumps(wanted)))["success"] is True
    assert (await call(client, f"roles/{role_id}/privileges", admin_token))["privileges"] == wanted


async def test_missing_privileges_parameter(client, admin_token):
    role_id = await create(client, admin_token, "Creators")
    reply = await call(client, f"roles/{role_id}/setPrivileges", admin_token)
    assert reply["error"]["details"] == ["'privileges' must be specified."]


async def test_holders_report_the_base_role_of_their_privileges(client, admin_token, svc):
    role_id = await create(client, admin_token, "Growing")
    await holder(svc, "m_holder", role_id)
    token = await get_token(client, "m_holder", PASSWORD)
    steps = [(["portal:user:createItem"], "org_user"), (["portal:publisher:publishFeatures"], "org_publisher"),
             (["portal:admin:viewUsers"], "org_admin"), ([], "org_user")]
    for wanted, base in steps:
        await call(client, f"roles/{role_id}/setPrivileges", admin_token, privileges=json.dumps(wanted))
        stored = await stored_user(svc, "m_holder")
        assert (stored.role, stored.role_id) == (base, role_id)
        shown = await call(client, f"{SHARING}/community/self", token, "GET")
        assert (shown["role"], shown["roleId"], shown["privileges"]) == (base, role_id, wanted)


async def test_holders_gain_and_lose_privileges_at_once(client, admin_token, svc):
    """The holder's existing token: the token cache drops on every write."""
    role_id = await create(client, admin_token, "Role managers")
    await holder(svc, "m_holder", role_id)
    token = await get_token(client, "m_holder", PASSWORD)
    assert (await call(client, "roles", token, "GET"))["error"]["code"] == 403
    await call(client, f"roles/{role_id}/setPrivileges", admin_token,
               privileges=json.dumps({"privileges": ["portal:admin:manageRoles"]}))
    assert (await call(client, "roles", token, "GET"))["total"] == 3
    assert (await call(client, f"{SHARING}/community/self", token, "GET"))["privileges"] == ["portal:admin:manageRoles"]
    await call(client, f"roles/{role_id}/setPrivileges", admin_token, privileges='{"privileges": []}')
    assert (await call(client, "roles", token, "GET"))["error"]["code"] == 403


async def test_holders_user_types_must_allow_the_privileges(client, admin_token, svc):
    role_id = await create(client, admin_token, "Readers")
    await call(client, f"roles/{role_id}/setPrivileges", admin_token, privileges=json.dumps(list(privs.VIEWER)))
    await holder(svc, "m_viewer_a", role_id, user_type="viewerUT")
    await holder(svc, "m_viewer_b", role_id, user_type="viewerUT")
    await holder(svc, "m_editor", role_id, user_type="editorUT")
    await holder(svc, "m_creator", role_id)
    before = await stored_roles(svc), [await stored_user(svc, u) for u in ("m_viewer_a", "m_editor")]
    reply = await call(client, f"roles/{role_id}/setPrivileges", admin_token,
                       privileges=json.dumps([*privs.VIEWER, "portal:user:createItem"]))
    assert reply["error"] == {"code": 400, "message": "These privileges are not allowed for the user type of some "
                              "holders.", "details": ["m_editor", "m_viewer_a", "m_viewer_b"]}
    assert (await stored_roles(svc), [await stored_user(svc, u) for u in ("m_viewer_a", "m_editor")]) == before
    editing = await call(client, f"roles/{role_id}/setPrivileges", admin_token,
                         privileges=json.dumps(list(privs.DATA_EDITOR)))
    assert editing["error"]["details"] == ["m_viewer_a", "m_viewer_b"]
    assert await call(client, f"roles/{role_id}/setPrivileges", admin_token,
                      privileges=json.dumps(list(privs.VIEWER)[:2])) == {"success": True}


# ---------------------------------------------------------------- administrative privileges
async def partial_admin(client: Any, svc: Any, *extra: str) -> str:
    """A token of a member whose custom role manages roles (and `extra`) but is no full admin."""
    await add_role(svc, "roleManagers0001", ["portal:admin:manageRoles", *extra, *privs.USER])
    await holder(svc, "m_manager", "roleManagers0001")
    return await get_token(client, "m_manager", PASSWORD)


async def test_a_partial_admin_manages_ordinary_roles(client, svc):
    token = await partial_admin(client, svc)
    role_id = await create(client, token, "Creators")
    assert (await call(client, f"roles/{role_id}/setPrivileges", token, privileges=json.dumps(PRIVS)))["success"]
    assert (await call(client, f"roles/{role_id}/update", token, name="Makers"))["success"]
    assert (await call(client, f"roles/{role_id}/delete", token)) == {"success": True}


@pytest.mark.parametrize("wanted", [["portal:admin:viewUsers"], ["portal:user:createItem", "future:admin:thing"]])
async def test_only_a_full_admin_grants_admin_privileges(client, admin_token, svc, wanted):
    token = await partial_admin(client, svc)
    role_id = await create(client, admin_token, "Helpers")
    before = await stored_roles(svc)
    reply = await call(client, f"roles/{role_id}/setPrivileges", token, privileges=json.dumps(wanted))
    assert reply["error"] == {"code": 403, "message": "Only a full administrator may grant or remove administrative "
                              "privileges.", "details": [], "messageCode": "GWM_0003"}
    assert await stored_roles(svc) == before
    assert (await call(client, f"roles/{role_id}/setPrivileges", admin_token, privileges=json.dumps(wanted)))["success"]


async def test_only_a_full_admin_removes_admin_privileges(client, admin_token, svc):
    token = await partial_admin(client, svc)
    role_id = await create(client, admin_token, "Helpers")
    await call(client, f"roles/{role_id}/setPrivileges", admin_token, privileges='["portal:admin:viewUsers"]')
    before = await stored_roles(svc)
    reply = await call(client, f"roles/{role_id}/setPrivileges", token, privileges='["portal:user:createItem"]')
    assert reply["error"]["code"] == 403
    assert await stored_roles(svc) == before
    # renaming it is no grant: a partial admin may
    assert (await call(client, f"roles/{role_id}/update", token, name="Renamed"))["success"] is True


async def test_a_custom_role_with_every_admin_privilege_makes_full_admins(client, admin_token, svc):
    role_id = await create(client, admin_token, "Deputies")
    await call(client, f"roles/{role_id}/setPrivileges", admin_token, privileges=json.dumps(sorted(privs.ADMIN_PRIVILEGES)))
    await holder(svc, "m_deputy", role_id)
    token = await get_token(client, "m_deputy", PASSWORD)
    other = await create(client, admin_token, "Other")
    # a full admin through a custom role may grant admin privileges
    assert (await call(client, f"roles/{other}/setPrivileges", token, privileges='["portal:admin:viewUsers"]'))["success"]


async def test_the_organization_keeps_a_full_admin(client, admin_token, svc):
    role_id = await create(client, admin_token, "Deputies")
    every = json.dumps(sorted(privs.ADMIN_PRIVILEGES))
    await call(client, f"roles/{role_id}/setPrivileges", admin_token, privileges=every)
    deputy = await holder(svc, "m_deputy", role_id)
    token = await get_token(client, "m_deputy", PASSWORD)
    admin = await stored_user(svc, "admin")
    await svc.db.write(lambda conn: user_store.update_user(conn, admin.id, role="org_user"))
    before = await stored_roles(svc), await stored_user(svc, "m_deputy")
    fewer = json.dumps(sorted(privs.ADMIN_PRIVILEGES)[1:])
    reply = await call(client, f"roles/{role_id}/setPrivileges", token, privileges=fewer)
    assert reply["error"] == {"code": 400, "message": "The organization must keep a full administrator.",
                              "details": ["This change would leave no enabled member with every administrative "
                                          "privilege."]}
    assert (await stored_roles(svc), await stored_user(svc, "m_deputy")) == before
    # a second enabled full admin (built-in) lets it through; a disabled one would not count
    await svc.db.write(lambda conn: user_store.update_user(conn, admin.id, role="org_admin", disabled=True))
    assert (await call(client, f"roles/{role_id}/setPrivileges", token, privileges=fewer))["error"]["code"] == 400
    await svc.db.write(lambda conn: user_store.update_user(conn, admin.id, disabled=False))
    assert (await call(client, f"roles/{role_id}/setPrivileges", token, privileges=fewer))["success"] is True
    assert deputy.role_id == role_id


async def test_another_full_admin_role_also_keeps_the_organization_administered(client, admin_token, svc):
    every = json.dumps(sorted(privs.ADMIN_PRIVILEGES))
    first, second = await create(client, admin_token, "First"), await create(client, admin_token, "Second")
    for role_id in (first, second):
        await call(client, f"roles/{role_id}/setPrivileges", admin_token, privileges=every)
    await holder(svc, "m_first", first)
    await holder(svc, "m_second", second)
    admin = await stored_user(svc, "admin")
    await svc.db.write(lambda conn: user_store.update_user(conn, admin.id, role="org_user"))
    token = await get_token(client, "m_first", PASSWORD)
    assert (await call(client, f"roles/{first}/setPrivileges", token, privileges="[]"))["success"] is True
    second_token = await get_token(client, "m_second", PASSWORD)
    assert (await call(client, f"roles/{second}/setPrivileges", second_token, privileges="[]"))["error"]["code"] == 400


async def test_huge_starts(client, admin_token):
    """Regression: a start past what the database's integers hold was a 500 (OverflowError), and past
    64 bits it could not even be echoed."""
    for start in (2**31 - 1, 2**31 - 2, 3, -(2**31)):
        page = await call(client, "roles", admin_token, "GET", start=start)
        assert page["roles"] == [] and page["nextStart"] == -1 and page["total"] == 2 and page["start"] == start
    for start, detail in ((2**31, "'start' must be at most 2147483647."),
                          (10**20, "'start' must be at most 2147483647."),
                          (-(2**31) - 1, "'start' must be at least -2147483648.")):
        reply = await call(client, "roles", admin_token, "GET", start=start)
        assert reply["error"]["details"] == [detail]


async def test_partial_admins_work_on_ordinary_roles_while_no_full_admin_is_enabled(client, admin_token, svc):
    token = await partial_admin(client, svc)
    role_id = await create(client, token, "Creators")
    admin = await stored_user(svc, "admin")
    await svc.db.write(lambda conn: user_store.update_user(conn, admin.id, disabled=True))
    assert await call(client, f"roles/{role_id}/setPrivileges", token, privileges=json.dumps(PRIVS)) == \
        {"success": True}
