"""What an organization keeps about new members and its security configuration
(portal-admin-api.md §3.2, sharing-api.md §3.7 userDefaultSettings).

The new-member defaults are ONE stored record, `settings["userDefaultSettings"]`: the
Portal Administrator API shows it as `security/config`'s `defaultRoleForUser` and
`defaultUserTypeIdForUser`, the sharing API as `portals/self/userDefaultSettings`, and
createUser and invite fall back to it.  The other members of the security configuration are
kept in `settings["securityConfig"]`.  Both are read fresh from the database inside the
transaction that uses them.
"""

from __future__ import annotations

import copy
import logging
import re
import uuid
from typing import Any

from sqlalchemy import Connection

from geoshare.domain import privileges as privs
from geoshare.domain.portal import own_org
from geoshare.domain.principal import Principal
from geoshare.domain.services import Services
from geoshare.errors import InvalidParameter
from geoshare.storage import org_settings as settings_store
from geoshare.storage import orgs as org_store
from geoshare.storage import roles as role_store
from geoshare.storage.records import Org

log = logging.getLogger("geoshare.members")

DEFAULTS_KEY = "userDefaultSettings"
CONFIG_KEY = "securityConfig"
SITE_KEY = "siteKey"
# Keys of the settings document that are this module's, never part of portals/self.
PRIVATE_KEYS = (DEFAULTS_KEY, CONFIG_KEY, SITE_KEY)

USER_DEFAULTS: dict[str, Any] = {"role": "org_user", "userLicenseType": "creatorUT", "groups": []}
CONFIG_DEFAULTS: dict[str, Any] = {
    "disableServicesDirectory": False, "enableAutomaticAccountCreation": False, "allowedProxyHosts": "",
    "defaultIDPUsernameSuffix": "", "contentSecurityPolicy": {"home": "", "apps": "", "sharing": ""},
}
BUILTIN_STORE = {"type": "BUILTIN", "properties": {}}
# Members a client may send back from GET security/config that are not changed through update.
IGNORED_MEMBERS = ("userStoreConfig", "groupStoreConfig", "webgisServerTrustKey")
PROXY_HOST_RE = re.compile(r"^[A-Za-z0-9().*+?\[\]\-:]+(?:\.[A-Za-z0-9().*+?\[\]\-:]+)*$")
CSP_AREAS = ("home", "apps", "sharing")
MAX_TEXT = 4096


# ------------------------------------------------------------------ reading
def user_defaults(org: Org) -> dict[str, Any]:
    """The new-member defaults: role, userLicenseType, groups (the stored record over the portal's)."""
    stored = org.settings.get(DEFAULTS_KEY) or {}
    return {**copy.deepcopy(USER_DEFAULTS), **stored}


def security_config(org: Org) -> dict[str, Any]:
    """GET security/config: the stored members over the defaults, the new-member defaults, and
    the built-in identity store."""
    stored = org.settings.get(CONFIG_KEY) or {}
    merged = {**copy.deepcopy(CONFIG_DEFAULTS), **stored}
    defaults = user_defaults(org)
    return {
        "disableServicesDirectory": merged["disableServicesDirectory"],
        "enableAutomaticAccountCreation": merged["enableAutomaticAccountCreation"],
        "allowedProxyHosts": merged["allowedProxyHosts"],
        "defaultRoleForUser": defaults["role"], "defaultUserTypeIdForUser": defaults["userLicenseType"],
        "defaultIDPUsernameSuffix": merged["defaultIDPUsernameSuffix"],
        "contentSecurityPolicy": merged["contentSecurityPolicy"], "webgisServerTrustKey": "",
        "userStoreConfig": dict(BUILTIN_STORE), "groupStoreConfig": dict(BUILTIN_STORE),
    }


def own_org_id(viewer: Principal, portal_id: str) -> str:
    return own_org(viewer, portal_id).id


async def load_org(svc: Services, org_id: str) -> Org:
    org = await svc.db.read(org_store.org_by_id, org_id)
    assert org is not None, org_id
    return org


# ------------------------------------------------------------------ roles and user types
def role_privileges(conn: Connection, org_id: str, role: str) -> tuple[str, str | None, tuple[str, ...]] | None:
    """(role column, role id, privileges) that the `role` text names in the organization, or None.

    Accepts the built-in names and their aliases (any case), the Viewer and Data Editor ids and
    the ids of the organization's custom roles; a custom role reports its base role."""
    text = role.strip()
    named = privs.ROLE_ALIASES.get(text.lower())
    if named is not None:
        text = named
    if text in privs.BUILT_IN_ROLES:
        return text, None, tuple(privs.BUILT_IN_ROLES[text])
    if text in privs.BUILT_IN_ROLE_IDS:
        return "org_user", text, tuple(privs.BUILT_IN_ROLE_IDS[text])
    custom = role_store.role_by_id(conn, org_id, text) if len(text) <= 16 else None
    if custom is None:
        return None
    return privs.base_role(custom.privileges), custom.id, custom.privileges


def unknown_role(name: str, role: str) -> InvalidParameter:
    return InvalidParameter("Invalid role.", [f"'{name}': the role '{role}' does not exist in this organization."])


def user_type(name: str, value: str) -> str:
    found = privs.canonical_user_type(value)
    if found is None:
        raise InvalidParameter("Invalid user type.", [f"'{name}' must be one of {', '.join(privs.USER_TYPES)}."])
    return found


def check_fit(user_type_id: str, role: str, privileges: tuple[str, ...]) -> None:
    """Role/user-type compatibility (sharing-api.md §4.7)."""
    if not privs.user_type_allows(user_type_id, privileges):
        raise InvalidParameter("The user type does not allow this role.",
                               [f"User type '{user_type_id}' cannot hold the role '{role}'."])


def stored_role(role_column: str, role_id: str | None) -> str:
    """How a default role is written down: the id of a role that has one, else its org_* name."""
    return role_id or role_column


# ------------------------------------------------------------------ the new-member defaults
def _defaults_record(conn: Connection, org_id: str, role: str, type_text: str,
                     names: tuple[str, str]) -> dict[str, str]:
    """A checked role and user type pair, as the record stores them; `names`: the parameters
    that carried them, for the error."""
    found = role_privileges(conn, org_id, role)
    if found is None:
        raise unknown_role(names[0], role)
    type_id = user_type(names[1], type_text)
    check_fit(type_id, role, found[2])
    return {"role": stored_role(found[0], found[1]), "userLicenseType": type_id}


def _check_empty_list(name: str, value: Any, message: str) -> list[Any]:
    """Members naming things geoshare does not have (groups to join, app licences): only an
    empty list can be honoured."""
    if value is None or value == "":
        return []
    if not isinstance(value, list):
        raise InvalidParameter(message, [f"'{name}' must be a JSON array."])
    if value:
        raise InvalidParameter(message, [f"'{name}': {', '.join(str(v) for v in value)[:200]}"])
    return []


async def set_user_defaults(svc: Services, viewer: Principal, portal_id: str, values: dict[str, Any],
                            clear: bool) -> dict[str, Any]:
    """POST portals/{portal}/setUserDefaultSettings: only the given members change; with
    `clear`, the members not given return to the portal's defaults."""
    org_id = own_org_id(viewer, portal_id)
    _check_empty_list("groups", values.get("groups"), "Group does not exist or is inaccessible.")
    for name in ("apps", "appBundles"):
        _check_empty_list(name, values.get(name), "App licenses are not available on this portal.")
    now = svc.clock.now_ms()

    def change(conn: Connection) -> dict[str, Any]:
        current = settings_store.settings_for_update(conn, org_id) or {}
        record = {} if clear else dict(current.get(DEFAULTS_KEY) or {})
        merged = {**USER_DEFAULTS, **record}
        role = values.get("role") or merged["role"]
        type_text = values.get("userLicenseType") or merged["userLicenseType"]
        record.update(_defaults_record(conn, org_id, role, type_text, ("role", "userLicenseType")))
        if values.get("userType"):
            record["userType"] = values["userType"]
        settings_store.put_settings(conn, org_id, {DEFAULTS_KEY: record}, now)
        return record

    record = await svc.db.write(change)
    log.info("new-member defaults of %s set by %s: %s", org_id, viewer.username, record)
    return {"success": True}


async def delete_user_defaults(svc: Services, viewer: Principal, portal_id: str) -> dict[str, Any]:
    """POST portals/{portal}/userDefaultSettings/delete: back to the portal's defaults."""
    org_id = own_org_id(viewer, portal_id)
    now = svc.clock.now_ms()
    await svc.db.write(settings_store.put_settings, org_id, {DEFAULTS_KEY: None}, now)
    log.info("new-member defaults of %s cleared by %s", org_id, viewer.username)
    return {"success": True}


# ------------------------------------------------------------------ security/config/update
def _boolean(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise InvalidParameter("Invalid security configuration.", [f"'{name}' must be true or false."])


def _text(name: str, value: Any, limit: int = MAX_TEXT) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise InvalidParameter("Invalid security configuration.", [f"'{name}' must be text of at most {limit} characters."])
    return value.strip()


def _proxy_hosts(value: Any) -> str:
    text = _text("allowedProxyHosts", value)
    bad = [h for h in (part.strip() for part in text.split(",")) if h and not PROXY_HOST_RE.match(h)]
    if bad:
        raise InvalidParameter("Invalid security configuration.",
                               [f"'allowedProxyHosts': not a host name or pattern: {', '.join(bad)[:200]}"])
    return ",".join(h.strip() for h in text.split(",") if h.strip())


def _csp(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or set(value) - set(CSP_AREAS):
        raise InvalidParameter("Invalid security configuration.",
                               [f"'contentSecurityPolicy' must be an object with {', '.join(CSP_AREAS)}."])
    return {area: _text(f"contentSecurityPolicy.{area}", value.get(area)) for area in CSP_AREAS}


STORED_MEMBERS = {
    "disableServicesDirectory": lambda v: _boolean("disableServicesDirectory", v),
    "enableAutomaticAccountCreation": lambda v: _boolean("enableAutomaticAccountCreation", v),
    "allowedProxyHosts": _proxy_hosts,
    "defaultIDPUsernameSuffix": lambda v: _text("defaultIDPUsernameSuffix", v, 255),
    "contentSecurityPolicy": _csp,
}
DEFAULT_MEMBERS = ("defaultRoleForUser", "defaultUserTypeIdForUser")


def check_config_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """The stored members of `changes`, checked (the defaults are checked against the database)."""
    unknown = sorted(set(changes) - set(STORED_MEMBERS) - set(DEFAULT_MEMBERS) - set(IGNORED_MEMBERS))
    if unknown:
        raise InvalidParameter("Invalid security configuration.",
                               [f"Unknown member '{name}'." for name in unknown][:20])
    return {name: STORED_MEMBERS[name](value) for name, value in changes.items() if name in STORED_MEMBERS}


async def update_security_config(svc: Services, viewer: Principal, changes: dict[str, Any]) -> dict[str, Any]:
    """POST security/config/update: members present replace, absent ones keep (§3.2)."""
    assert viewer.user is not None
    org_id = viewer.user.org_id
    stored_changes = check_config_changes(changes)
    for name in DEFAULT_MEMBERS:
        if name in changes and not isinstance(changes[name], str | None):
            raise InvalidParameter("Invalid security configuration.", [f"'{name}' must be text."])
    now = svc.clock.now_ms()

    def change(conn: Connection) -> None:
        current = settings_store.settings_for_update(conn, org_id) or {}
        written: dict[str, Any] = {CONFIG_KEY: {**(current.get(CONFIG_KEY) or {}), **stored_changes}}
        if any(changes.get(name) for name in DEFAULT_MEMBERS):
            record = dict(current.get(DEFAULTS_KEY) or {})
            merged = {**USER_DEFAULTS, **record}
            role = changes.get("defaultRoleForUser") or merged["role"]
            type_text = changes.get("defaultUserTypeIdForUser") or merged["userLicenseType"]
            written[DEFAULTS_KEY] = {**record, **_defaults_record(conn, org_id, role, type_text, DEFAULT_MEMBERS)}
        settings_store.put_settings(conn, org_id, written, now)

    await svc.db.write(change)
    log.info("security configuration of %s updated by %s: %s", org_id, viewer.username, sorted(changes))
    return {"status": "success"}


# ------------------------------------------------------------------ the deployment's siteKey
async def site_key(svc: Services) -> str:
    """A UUID made once per deployment and kept in the default organization's settings."""
    org = await svc.db.read(org_store.default_org)
    assert org is not None
    if isinstance(org.settings.get(SITE_KEY), str):
        return str(org.settings[SITE_KEY])

    def make(conn: Connection) -> str:
        current = settings_store.settings_for_update(conn, org.id) or {}
        if isinstance(current.get(SITE_KEY), str):  # another request made it meanwhile
            return str(current[SITE_KEY])
        key = str(uuid.uuid4())
        settings_store.put_settings(conn, org.id, {SITE_KEY: key}, None)
        return key

    return await svc.db.write(make)
