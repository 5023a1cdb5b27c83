"""Roles of an organization and the members' role and user-type changes (sharing-api.md §3.4,
§4.8, §4.9; the ArcGIS API for Python's RoleManager, Role, User.update_role and
User.update_license_type).

Every operation here works on the caller's own organization only: `portals/self` or the
caller's organization id.  Another organization's id is refused (403) and an unknown one is
"Portal does not exist or is inaccessible."; a role id of another organization is the same
"Role does not exist or is inaccessible." as a missing one.

The roles listing names the built-in Viewer and Data Editor roles first, then the custom roles
by name: the Python client's `roles.all()` documents exactly that list, and resolves a member's
`roleId` into a role name through it.  Built-in roles are read-only.

Administrative privileges are guarded twice: only a full administrator may grant or take them
away (through a role's privileges or a member's role), and no change may leave an organization
without an enabled full administrator.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from geoshare.domain import portal
from geoshare.domain import privileges as privs
from geoshare.domain.org_settings import user_defaults
from geoshare.domain.page_window import window
from geoshare.domain.principal import Principal
from geoshare.domain.sanitize import clean_html, plain_text
from geoshare.domain.services import Services
from geoshare.errors import Conflict, Forbidden, InvalidParameter, NotFound
from geoshare.storage import orgs as org_store
from geoshare.storage import roles as role_store
from geoshare.storage import users as user_store
from geoshare.storage.records import Org, Role, User

ROLE_NOT_FOUND = "Role does not exist or is inaccessible."
USER_NOT_FOUND = "User does not exist or is inaccessible."
MAX_NAME = 128
MAX_DESCRIPTION = 1000
MAX_PRIVILEGES = 500  # more than every privilege the product knows, several times over
MAX_PRIVILEGE_CHARS = 128
MAX_USERS = 100  # members per updateUserLicenseType call
ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
ONLY_FULL_ADMINS = "Only a full administrator may grant or remove administrative privileges."


@dataclass(frozen=True)
class BuiltInRole:
    id: str
    name: str
    description: str
    privileges: tuple[str, ...]


BUILT_IN = (
    BuiltInRole(privs.VIEWER_ROLE_ID, "Viewer", "Views content, maps and groups; creates and shares nothing.",
                privs.VIEWER),
    BuiltInRole(privs.DATA_EDITOR_ROLE_ID, "Data Editor", "A Viewer who may also edit features.",
                privs.DATA_EDITOR),
)
# Names a custom role may not take: the built-in roles', in any letter case.
RESERVED_NAMES = frozenset({"viewer", "data editor", "user", "publisher", "administrator"})


# ------------------------------------------------------------------ the caller's organization
async def own_org(svc: Services, principal: Principal, portal_id: str) -> Org:
    """`self` or the caller's organization id; another organization's id is refused."""
    # no mutate: the assert only narrows the types for mypy; the operation table admits members only
    assert principal.user is not None and principal.org is not None  # pragma: no mutate
    if portal_id.lower() in ("self", principal.org.id.lower()):
        return principal.org
    await portal.portal_for(svc, principal, portal_id)  # NotFound when unknown or hidden
    raise Forbidden()


def _require_full_admin(principal: Principal) -> None:
    if not principal.is_full_admin:
        raise Forbidden(ONLY_FULL_ADMINS)


# ------------------------------------------------------------------ reading roles
def role_document(role: Role | BuiltInRole, org: Org) -> dict[str, Any]:
    if isinstance(role, BuiltInRole):
        return {"id": role.id, "name": role.name, "description": role.description, "created": org.created,
                "modified": org.created}
    return {"id": role.id, "name": role.name, "description": role.description, "created": role.created,
            "modified": role.modified}


def _built_in(role_id: str) -> BuiltInRole | None:
    return next((b for b in BUILT_IN if b.id == role_id), None)


def _find(conn: Connection, org: Org, role_id: str) -> Role | BuiltInRole:
    found = _built_in(role_id) or role_store.role_by_id(conn, org.id, role_id)
    if found is None:
        raise NotFound(ROLE_NOT_FOUND)
    return found


def _custom(conn: Connection, org: Org, role_id: str) -> Role:
    found = _find(conn, org, role_id)
    if isinstance(found, BuiltInRole):
        raise InvalidParameter("Built-in roles cannot be changed.", [f"'{found.name}' is a built-in role."])
    return found


async def list_roles(svc: Services, principal: Principal, portal_id: str, start: int | None,
                     num: int | None) -> dict[str, Any]:
    """GET portals/{id}/roles: Viewer, Data Editor, then the custom roles by name."""
    org = await own_org(svc, principal, portal_id)
    page = window(start, num)  # sharing-api.md §1.7

    def load(conn: Connection) -> dict[str, Any]:
        total = len(BUILT_IN) + role_store.count_roles(conn, org.id)
        if page.offset >= total:  # after the last page, or a negative start: no query
            return {**page.answer(total), "roles": []}
        rows: list[Role | BuiltInRole] = list(BUILT_IN[page.offset:page.offset + page.limit])
        rows += role_store.roles_of_org(conn, org.id, max(0, page.offset - len(BUILT_IN)), page.limit - len(rows))
        return {**page.answer(total), "roles": [role_document(r, org) for r in rows]}

    return await svc.db.read(load)


async def get_role(svc: Services, principal: Principal, portal_id: str, role_id: str) -> dict[str, Any]:
    org = await own_org(svc, principal, portal_id)
    return role_document(await svc.db.read(_find, org, role_id), org)


async def role_privileges(svc: Services, principal: Principal, portal_id: str, role_id: str) -> dict[str, Any]:
    """GET roles/{id}/privileges: the stored list, unknown strings included."""
    org = await own_org(svc, principal, portal_id)
    role = await svc.db.read(_find, org, role_id)
    return {"id": role.id, "privileges": list(role.privileges)}


# ------------------------------------------------------------------ creating and changing roles
def clean_name(name: str | None) -> str:
    text = (plain_text(name) or "").strip()
    if not text:
        raise InvalidParameter("Invalid role name.", ["'name' must be specified."])
    if len(text) > MAX_NAME:
        raise InvalidParameter("Invalid role name.", [f"'name' is longer than {MAX_NAME} characters."])
    if text.lower() in RESERVED_NAMES:
        raise Conflict("A role with this name already exists.", [f"'{text}' is the name of a built-in role."])
    return text


def clean_description(description: str | None) -> str | None:
    text = clean_html(description)
    if text is not None and len(text) > MAX_DESCRIPTION:
        raise InvalidParameter("Invalid description.", [f"'description' is longer than {MAX_DESCRIPTION} characters."])
    return text or None


def _check_unique(conn: Connection, org_id: str, name: str, role_id: str | None = None) -> None:
    taken = role_store.role_by_name(conn, org_id, name)
    if taken is not None and taken.id != role_id:
        raise Conflict("A role with this name already exists.", [f"'{name}' is taken (names ignore letter case)."])


def new_role_id() -> str:
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(16))


async def create_role(svc: Services, principal: Principal, portal_id: str, name: str | None,
                      description: str | None) -> dict[str, Any]:
    """POST portals/{id}/createRole: a custom role with no privileges (setPrivileges adds them)."""
    org = await own_org(svc, principal, portal_id)
    name, description = clean_name(name), clean_description(description)
    role_id, now = new_role_id(), svc.clock.now_ms()

    def create(conn: Connection) -> None:
        _check_unique(conn, org.id, name)
        role_store.insert_role(conn, role_id=role_id, org_id=org.id, name=name, description=description,
                               privileges=[], now=now)

    await svc.db.write(create)
    return {"success": True, "id": role_id}


async def update_role(svc: Services, principal: Principal, portal_id: str, role_id: str, name: str | None,
                      description: str | None) -> dict[str, Any]:
    """POST roles/{id}/update: the supplied name and description change."""
    org = await own_org(svc, principal, portal_id)
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = clean_name(name)
    if description is not None:
        changes["description"] = clean_description(description)
    now = svc.clock.now_ms()

    def change(conn: Connection) -> None:
        role = _custom(conn, org, role_id)
        if "name" in changes:
            _check_unique(conn, org.id, changes["name"], role.id)
        if changes:
            role_store.update_role(conn, role.id, **changes, modified=now)

    await svc.db.write(change)
    return {"success": True, "id": role_id}


async def delete_role(svc: Services, principal: Principal, portal_id: str, role_id: str) -> dict[str, Any]:
    """POST roles/{id}/delete: refused while members hold the role."""
    org = await own_org(svc, principal, portal_id)

    def remove(conn: Connection) -> None:
        role = _custom(conn, org, role_id)
        held = role_store.count_holders(conn, role.id)
        if held:
            raise InvalidParameter("Members hold this role: give them another role first.",
                                   [f"{held} member(s) hold this role."])
        current = org_store.org_by_id(conn, org.id)  # read in this transaction, not the cached copy
        if current is not None and user_defaults(current)["role"] == role.id:
            raise InvalidParameter("This role is the default role of new members: choose another default first.",
                                   ["security/config's defaultRoleForUser names this role."])
        role_store.delete_role(conn, role.id)

    await svc.db.write(remove)
    return {"success": True}


def parse_privileges(value: Any) -> list[str]:
    """The `privileges` parameter: JSON `{"privileges": [...]}`, a bare JSON list, either one
    JSON-encoded once more (the Python client's retry), or a comma-separated string inside the
    object (its setter's string form).  Duplicates go; the order is kept; unknown names stay."""
    if isinstance(value, str) and value.strip()[:1] in ("{", "["):
        value = _json_or_fail(value)
    if isinstance(value, dict):
        value = value.get("privileges")
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        raise _bad_privileges("'privileges' must be a JSON object {\"privileges\": [\"...\"]} of strings.")
    kept = list(dict.fromkeys(p.strip() for p in value if p.strip()))
    if len(kept) > MAX_PRIVILEGES or any(len(p) > MAX_PRIVILEGE_CHARS for p in kept):
        raise _bad_privileges(f"'privileges' takes at most {MAX_PRIVILEGES} names of at most "
                              f"{MAX_PRIVILEGE_CHARS} characters.")
    return kept


def _json_or_fail(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise _bad_privileges("'privileges' is not valid JSON.") from None


def _bad_privileges(detail: str) -> InvalidParameter:
    return InvalidParameter("Unable to set privileges.", [detail])


def _admin_role_ids(conn: Connection, org_id: str, override: dict[str, tuple[str, ...]]) -> list[str]:
    """Custom roles of the organization that make their holders full administrators."""
    by_role = {**role_store.privileges_by_role(conn, org_id), **override}
    return [role_id for role_id, held in by_role.items() if privs.is_full_admin(held)]


def _keeps_an_admin(conn: Connection, org_id: str, override: dict[str, tuple[str, ...]],
                    excluding: str | None = None) -> None:
    if role_store.count_full_admins(conn, org_id, _admin_role_ids(conn, org_id, override), excluding=excluding) == 0:
        raise InvalidParameter("The organization must keep a full administrator.",
                               ["This change would leave no enabled member with every administrative privilege."])


async def set_privileges(svc: Services, principal: Principal, portal_id: str, role_id: str,
                         value: Any) -> dict[str, Any]:
    """POST roles/{id}/setPrivileges: replaces the role's privileges; its holders have the new
    ones from their next request (the token cache drops on every write)."""
    org = await own_org(svc, principal, portal_id)
    new = tuple(parse_privileges(value))
    now = svc.clock.now_ms()

    def change(conn: Connection) -> None:
        role = _custom(conn, org, role_id)
        if privs.has_admin(role.privileges) or privs.has_admin(new):
            _require_full_admin(principal)
        members = role_store.holders(conn, role.id)
        refused = [u.username for u in members if not privs.user_type_allows(u.user_license_type_id, new)]
        if refused:
            raise InvalidParameter("These privileges are not allowed for the user type of some holders.", refused)
        if privs.is_full_admin(role.privileges) and not privs.is_full_admin(new):
            _keeps_an_admin(conn, org.id, {role.id: new})
        role_store.update_role(conn, role.id, privileges=list(new), modified=now)
        role_store.set_holders_role(conn, role.id, privs.base_role(new), now)

    await svc.db.write(change)
    return {"success": True}


# ------------------------------------------------------------------ members' roles and user types
@dataclass(frozen=True)
class Assignment:
    role: str  # what users.role stores: a built-in role, or the base role of a custom one
    role_id: str | None
    privileges: tuple[str, ...]


def resolve_role(conn: Connection, org_id: str, text: str) -> Assignment:
    """org_admin / org_publisher / org_user, their aliases, the Viewer and Data Editor ids, or a
    custom role id of the organization."""
    key = privs.ROLE_ALIASES.get(text.strip().lower(), text.strip())
    if key in privs.BUILT_IN_ROLES:
        return Assignment(key, None, privs.BUILT_IN_ROLES[key])
    built_in = next((b for b in BUILT_IN if b.id.lower() == key.lower()), None)
    if built_in is not None:
        return Assignment("org_user", built_in.id, built_in.privileges)
    custom = role_store.role_by_id(conn, org_id, key)
    if custom is None:
        raise InvalidParameter("Invalid role.", [
            "'role' must be org_admin, org_publisher, org_user, a built-in role id or a role id of this organization."])
    return Assignment(privs.base_role(custom.privileges), custom.id, custom.privileges)


def current_privileges(conn: Connection, user: User) -> tuple[str, ...]:
    # no mutate: without a role id the lookup would find nothing either; the test only spares a query
    custom = role_store.role_by_id(conn, user.org_id, user.role_id) if user.role_id else None  # pragma: no mutate
    return tuple(privs.privileges_for(user.role, user.role_id, custom.privileges if custom else None))


def _member(conn: Connection, org: Org, username: str) -> User:
    user = user_store.user_by_username(conn, username)
    if user is None or user.org_id != org.id:
        raise NotFound(USER_NOT_FOUND)
    return user


async def update_user_role(svc: Services, principal: Principal, portal_id: str, username: str,
                           role: str) -> dict[str, Any]:
    """POST portals/{id}/updateUserRole."""
    org = await own_org(svc, principal, portal_id)
    now = svc.clock.now_ms()

    def change(conn: Connection) -> str:
        user = _member(conn, org, username)
        new = resolve_role(conn, org.id, role)
        old = current_privileges(conn, user)
        if privs.has_admin(old) or privs.has_admin(new.privileges):
            _require_full_admin(principal)
        if privs.is_full_admin(old) and not privs.is_full_admin(new.privileges):
            _keeps_an_admin(conn, org.id, {}, excluding=user.id)
        if not privs.user_type_allows(user.user_license_type_id, new.privileges):
            raise InvalidParameter("The user type does not allow this role.",
                                   [f"'{user.username}' has the user type {user.user_license_type_id}."])
        user_store.update_user(conn, user.id, role=new.role, role_id=new.role_id, modified=now)
        return user.username

    return {"success": True, "username": await svc.db.write(change)}


def check_user_type(name: str | None) -> str:
    found = privs.canonical_user_type(name)
    if found is None:
        raise InvalidParameter("Invalid user type.", [f"'userLicenseType' must be one of {', '.join(privs.USER_TYPES)}."])
    return found


def _license_result(username: str, error: str | None = None) -> dict[str, Any]:
    # The product answers `status`, which the Python client reads; `success` is what the spec names.
    if error is None:
        return {"username": username, "status": True, "success": True}
    return {"username": username, "status": False, "success": False,
            "error": {"code": 400, "message": error, "details": []}}


async def update_license_types(svc: Services, principal: Principal, portal_id: str, usernames: list[str] | None,
                               user_type: str | None) -> dict[str, Any]:
    """POST portals/{id}/updateUserLicenseType: one result per member, failures included."""
    org = await own_org(svc, principal, portal_id)
    wanted = check_user_type(user_type)
    names = _unique(usernames or [])
    if not names or len(names) > MAX_USERS:
        raise InvalidParameter("Invalid users.", [f"'users' must name 1 to {MAX_USERS} members."])
    now = svc.clock.now_ms()

    def change(conn: Connection) -> list[dict[str, Any]]:
        return [_set_user_type(conn, org, name, wanted, now) for name in names]

    return {"results": await svc.db.write(change)}


def _unique(names: list[str]) -> list[str]:
    """Each member once, in the order and spelling first given (usernames ignore letter case)."""
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(name.lower(), name)
    return list(seen.values())


def _set_user_type(conn: Connection, org: Org, username: str, user_type: str, now: int) -> dict[str, Any]:
    user = user_store.user_by_username(conn, username)
    if user is None or user.org_id != org.id:
        return _license_result(username, USER_NOT_FOUND)
    if not privs.user_type_allows(user_type, current_privileges(conn, user)):
        return _license_result(user.username, f"The role of '{user.username}' is not allowed for {user_type}.")
    user_store.update_user(conn, user.id, user_license_type_id=user_type, modified=now)
    return _license_result(user.username)
