"""Organizations and their members: first-start bootstrap, new organizations, new users.

Implements the geoshare extension "create organization" (sharing-api.md §3.1a) and the account
records every later feature hangs off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Connection

from geoshare.domain import password_policy
from geoshare.domain.principal import Principal
from geoshare.domain.services import Services, new_id, new_org_id
from geoshare.errors import Conflict, Forbidden, InvalidParameter
from geoshare.storage import orgs as org_store
from geoshare.storage import users as user_store
from geoshare.storage.records import Org, User

USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$")
ROLES = ("org_admin", "org_publisher", "org_user")


@dataclass(frozen=True)
class NewUser:
    username: str
    password: str
    role: str = "org_user"
    full_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    # What createUser and invite set beyond the basics (domain/members.py).
    role_id: str | None = None
    user_license_type_id: str = "creatorUT"
    provider: str = "arcgis"
    idp_username: str | None = None
    description: str | None = None


def check_username(username: str) -> str:
    if not USERNAME_RE.match(username or ""):
        raise InvalidParameter("Invalid username.", [
            "A username has 1 to 128 characters: letters, digits and _ . @ -, starting with a letter or digit."])
    return username


def check_password(password: str, username: str) -> str:
    """The portal's default password rules (organizations may set stricter ones: password_policy)."""
    return password_policy.check_password(password, username)


def insert_user(conn: Connection, org_id: str, new: NewUser, password_hash: str | None, now: int,
                password_changed: int = 0) -> User:
    """Store a new member (no rule checks here beyond a free username)."""
    if user_store.user_by_username(conn, new.username) is not None:
        raise Conflict("A user with this username already exists.", [new.username])
    user_id = new_id()
    first, last = new.first_name, new.last_name
    full = new.full_name or " ".join(p for p in (first, last) if p) or new.username
    # Every other column takes the table's default: no region, thumbnail or tags, profile access "org".
    user_store.insert_user(conn, id=user_id, org_id=org_id, username=new.username, password_hash=password_hash,
                           full_name=full, first_name=first, last_name=last, email=new.email, role=new.role,
                           role_id=new.role_id, user_license_type_id=new.user_license_type_id,
                           provider=new.provider, idp_username=new.idp_username, description=new.description,
                           password_changed=password_changed, culture="en", units="english", created=now,
                           modified=now)
    user = user_store.user_by_id(conn, user_id)
    assert user is not None
    return user


async def bootstrap(svc: Services, admin_username: str, admin_password: str, org_name: str) -> tuple[Org, User] | None:
    """Create the default organization and its first administrator when the database is empty.

    Returns them when created, None when the portal already existed."""
    existing = await svc.db.read(org_store.default_org)
    if existing is not None:
        return None
    new = NewUser(username=admin_username, password=admin_password, role="org_admin", full_name="Administrator")
    check_username(new.username)
    check_password(new.password, new.username)
    password_hash = await svc.hasher.hash(new.password)
    now = svc.clock.now_ms()

    def create(conn: Connection) -> tuple[Org, User]:
        org_id = "0123456789ABCDEF"  # Portal's default organization id (sharing-api.md §1.6)
        org_store.insert_org(conn, org_id=org_id, name=org_name, is_default=True, access="public", now=now)
        user = insert_user(conn, org_id, new, password_hash, now)
        org = org_store.org_by_id(conn, org_id)
        assert org is not None
        return org, user

    return await svc.db.write(create)


async def create_org(svc: Services, name: str, admin: NewUser, access: str = "public") -> tuple[Org, User]:
    """geoshare extension: a new organization with its first full administrator."""
    name = (name or "").strip()
    if not name or len(name) > 250:
        raise InvalidParameter("Invalid organization name.", ["'name' must have 1 to 250 characters."])
    if access not in ("public", "private"):
        raise InvalidParameter("Invalid access.", ["'access' must be public or private."])
    check_username(admin.username)
    check_password(admin.password, admin.username)
    password_hash = await svc.hasher.hash(admin.password)
    now = svc.clock.now_ms()

    def create(conn: Connection) -> tuple[Org, User]:
        if org_store.org_name_taken(conn, name):
            raise Conflict("An organization with this name already exists.", [name])
        org_id = new_org_id()
        org_store.insert_org(conn, org_id=org_id, name=name, is_default=False, access=access, now=now)
        user = insert_user(conn, org_id, NewUser(**{**admin.__dict__, "role": "org_admin"}), password_hash, now)
        org = org_store.org_by_id(conn, org_id)
        assert org is not None
        return org, user

    return await svc.db.write(create)


async def create_user(svc: Services, org_id: str, new: NewUser) -> User:
    check_username(new.username)
    check_password(new.password, new.username)
    if new.role not in ROLES:
        raise InvalidParameter("Invalid role.", [f"'role' must be one of {', '.join(ROLES)}."])
    password_hash = await svc.hasher.hash(new.password)
    now = svc.clock.now_ms()
    return await svc.db.write(insert_user, org_id, new, password_hash, now)


async def list_orgs(svc: Services) -> list[Org]:
    return await svc.db.read(org_store.all_orgs)


async def get_org(svc: Services, org_id: str) -> Org | None:
    return await svc.db.read(org_store.org_by_id, org_id)


async def default_org(svc: Services) -> Org:
    """The organization anonymous callers see (read on many requests, so cached)."""
    # no mutate: the cache key only has to be unique to this read; the assert's text is no behaviour
    org = await svc.db.read_cached(("default_org",), org_store.default_org)  # pragma: no mutate
    assert org is not None, "the portal has not been bootstrapped"  # pragma: no mutate
    return org


async def set_password(svc: Services, username: str, password: str) -> None:
    """Reset a password (the command line): the organization's password policy applies; every
    token of the user is revoked and a lockout is lifted."""
    from geoshare.errors import NotFound
    from geoshare.storage import tokens as token_store

    user = await svc.db.read(user_store.user_by_username, username)
    if user is None:
        raise NotFound("User does not exist or is inaccessible.")
    await password_policy.check_new_password(svc, user, await get_org(svc, user.org_id), password)
    password_hash = await svc.hasher.hash(password)
    now = svc.clock.now_ms()

    def change(conn: Connection) -> None:
        user_store.update_user(conn, user.id, password_hash=password_hash, password_changed=now, modified=now)
        if user.password_hash:
            user_store.add_password_history(conn, user.id, user.password_hash, now)
        token_store.revoke_user_tokens(conn, user.id)
        token_store.set_locked_until(conn, user.username.lower(), now)  # lifted now: earlier failures are forgotten

    await svc.db.write(change)


async def principal_for_user(svc: Services, user: User) -> Principal:
    """The principal `user` would be with a token: their organization and role privileges."""
    from geoshare.storage import roles as role_store

    def load(conn: Connection) -> Principal:
        role = role_store.role_by_id(conn, user.org_id, user.role_id) if user.role_id else None
        return Principal(user=user, org=org_store.org_by_id(conn, user.org_id),
                         role_privileges=role.privileges if role else None)

    return await svc.db.read(load)


async def require_site_privilege(svc: Services, user: User, levels: tuple[str, ...]) -> None:
    """The admin generateToken is only for users with one of `levels` on the server site."""
    if (await principal_for_user(svc, user)).server_privilege not in levels:
        raise Forbidden("User does not have administrative privileges on this site.")
