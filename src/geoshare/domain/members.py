"""Creating members (sharing-api.md §4.7, portal-admin-api.md §3.4).

The rules a new member obeys — username, e-mail, names, provider, password policy, role and
user type — and the two paths that apply them: portaladmin `createUser` (one account; a
refusal is an error) and `portals/{id}/invite` (a batch; refused entries are listed in
`notInvited`, the others are created, each in a transaction of its own).  `checkUsernames`
suggests free names.  The command line creates members through `add_member` too.

Every check runs before anything is written, and the account, its password-history row and the
final "is the name still free" check share one transaction: a refused call leaves no trace.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from sqlalchemy import Connection

from geoshare.domain import accounts, org_settings, password_policy, sanitize
from geoshare.domain import privileges as privs
from geoshare.domain.principal import Principal
from geoshare.domain.services import Services
from geoshare.errors import Conflict, Forbidden, InvalidParameter, NotFound
from geoshare.logsafe import printable
from geoshare.storage import members as member_store
from geoshare.storage import orgs as org_store
from geoshare.storage import users as user_store
from geoshare.storage.records import Org, User

log = logging.getLogger("geoshare.members")

USERNAME_RE = re.compile(r"^[A-Za-z0-9_@.\-]{6,24}\Z")
USERNAME_RULE = "A username has 6 to 24 characters: ASCII letters, digits and _ @ . -"
EMAIL_RE = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@"
                      r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+\Z")
MAX_EMAIL = 254
MAX_NAME = 128
MAX_FULL_NAME = 255
MAX_DESCRIPTION = 32_000
MAX_IDP_USERNAME = 255
# provider parameter -> stored provider; `webadaptor` is what Esri's add-users sample sends
# for enterprise logins (errata "Members").
PROVIDERS = {"arcgis": "arcgis", "enterprise": "enterprise", "webadaptor": "enterprise"}
LEVELS = ("1", "2")
# NewUser.password of a new member: insert_user stores the hash it is given and never reads it.
HASHED_APART = ""


@dataclass(frozen=True)
class MemberRequest:
    """What a caller asks for, as sent (createUser parameters, an invitation entry, CLI options)."""

    username: str | None
    email: str | None = None
    password: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    full_name: str | None = None
    role: str | None = None
    user_type: str | None = None
    provider: str | None = None
    idp_username: str | None = None
    description: str | None = None
    level: str | None = None


@dataclass(frozen=True)
class Checked:
    """A request after the checks that need no database."""

    new: accounts.NewUser
    password: str | None  # None for enterprise accounts: they sign in elsewhere
    role: str | None
    user_type: str | None


def invalid(detail: str, message: str = "Unable to create user.") -> InvalidParameter:
    return InvalidParameter(message, [detail])


# ------------------------------------------------------------------ checks without the database
def member_username(username: str | None, provider: str) -> str:
    """A new member's username.  An enterprise login `DOMAIN\\user` is stored as `user@DOMAIN`,
    the form arcgis reads back."""
    text = (username or "").strip()
    if not text:
        raise invalid("'username' must be specified.")
    if provider == "enterprise" and text.count("\\") == 1:
        # no mutate: with exactly one backslash, partition and rpartition split at the same place
        domain, _, name = text.partition("\\")  # pragma: no mutate
        text = f"{name}@{domain}"
    if not USERNAME_RE.match(text):
        raise InvalidParameter("Invalid username.", [USERNAME_RULE])
    return text


def check_email(email: str | None) -> str:
    text = (email or "").strip()
    if not text:
        raise invalid("'email' must be specified.")
    if len(text) > MAX_EMAIL or not EMAIL_RE.match(text):
        raise InvalidParameter("Invalid e-mail address.", [f"'{printable(text, 80)}' is not an e-mail address."])
    return text


def _name(value: str | None, field: str, limit: int) -> str | None:
    text = sanitize.plain_text(value)
    text = text.strip() if text else None
    if text and len(text) > limit:
        raise invalid(f"'{field}' has more than {limit} characters.")
    return text or None


def member_names(first: str | None, last: str | None, full: str | None) -> tuple[str, str | None, str]:
    """(first, last, full).  Older scripts send `fullname` alone: it is split on its last space."""
    first, last = _name(first, "firstname", MAX_NAME), _name(last, "lastname", MAX_NAME)
    full = _name(full, "fullname", MAX_FULL_NAME)
    if first and last:
        return first, last, full or f"{first} {last}"
    if full and not (first or last):
        head, _, tail = full.rpartition(" ")
        split_first, split_last = (head.strip(), tail) if head.strip() else (tail, None)
        return _name(split_first, "firstname", MAX_NAME) or tail, _name(split_last, "lastname", MAX_NAME), full
    raise invalid("'firstname' and 'lastname' (or 'fullname') must be specified.")


def provider_of(value: str | None) -> str:
    text = (value or "arcgis").strip().lower()  # pragma: no mutate (lower-cased: the default's case is moot)
    if text not in PROVIDERS:
        raise invalid("'provider' must be one of: arcgis, enterprise, webadaptor.")
    return PROVIDERS[text]


def _description(value: str | None) -> str | None:
    if value is not None and len(value) > MAX_DESCRIPTION:
        raise invalid(f"'description' has more than {MAX_DESCRIPTION} characters.")
    return sanitize.clean_html(value) or None


def _idp_username(value: str | None, provider: str, username: str) -> str | None:
    text = (value or "").strip()
    if provider != "enterprise":
        if text:
            raise invalid("'idpUsername' applies to enterprise accounts only.")
        return None
    if len(text) > MAX_IDP_USERNAME or not text.isprintable():
        raise invalid(f"'idpUsername' must be printable text of at most {MAX_IDP_USERNAME} characters.")
    return text or username


def check_request(req: MemberRequest) -> Checked:
    """Everything about a request that can be checked without the database, in a fixed order."""
    provider = provider_of(req.provider)
    username = member_username(req.username, provider)
    email = check_email(req.email)
    first, last, full = member_names(req.first_name, req.last_name, req.full_name)
    password = req.password if provider == "arcgis" else None  # enterprise: ignored (§3.4)
    if provider == "arcgis" and not password:
        raise invalid("'password' must be specified.")
    if req.level is not None and str(req.level) not in LEVELS:
        raise invalid("'level' must be 1 or 2.")
    viewer_level = str(req.level) == "1"  # legacy level 1 = a viewer
    new = accounts.NewUser(password=HASHED_APART,  # pragma: no mutate (never read: the hash is stored apart)
                           username=username, full_name=full, first_name=first, last_name=last, email=email,
                           provider=provider,
                           idp_username=_idp_username(req.idp_username, provider, username),
                           description=_description(req.description))
    role = req.role or (privs.VIEWER_ROLE_ID if viewer_level else None)
    user_type = req.user_type or ("viewerUT" if viewer_level else None)  # pragma: no mutate (any case is read)
    return Checked(new=new, password=password, role=role, user_type=user_type)


# ------------------------------------------------------------------ checks against the organization
@dataclass(frozen=True)
class Grant:
    role: str
    role_id: str | None
    privileges: tuple[str, ...]
    user_type: str

    @property
    def is_administrative(self) -> bool:
        return privs.has_admin(self.privileges)


def resolve_grant(conn: Connection, org: Org, checked: Checked) -> Grant:
    """The role and user type the new member gets: as asked, else the organization's defaults."""
    defaults = org_settings.user_defaults(org)
    role_text = checked.role or str(defaults["role"])
    found = org_settings.role_privileges(conn, org.id, role_text)
    if found is None:
        raise org_settings.unknown_role("role", role_text)
    type_id = org_settings.user_type("userLicenseTypeId", checked.user_type or str(defaults["userLicenseType"]))
    org_settings.check_fit(type_id, role_text, found[2])
    return Grant(role=found[0], role_id=found[1], privileges=found[2], user_type=type_id)


def taken(username: str) -> Conflict:
    return Conflict(f"User '{username}' already exists.", code=400)


def _prepare(conn: Connection, org_id: str, checked: Checked) -> tuple[Org, Grant]:
    org = org_store.org_by_id(conn, org_id)
    assert org is not None, org_id
    if user_store.user_by_username(conn, checked.new.username) is not None:
        raise taken(checked.new.username)
    return org, resolve_grant(conn, org, checked)


def _insert(conn: Connection, org_id: str, checked: Checked, password_hash: str | None, now: int) -> User:
    org, grant = _prepare(conn, org_id, checked)  # again: the role or the name may have changed meanwhile
    new = accounts.NewUser(**{**checked.new.__dict__, "role": grant.role, "role_id": grant.role_id,
                              "user_license_type_id": grant.user_type})
    user = accounts.insert_user(conn, org.id, new, password_hash, now, password_changed=now if password_hash else 0)
    if password_hash is not None:
        member_store.insert_password_history(conn, user.id, password_hash, now)
    return user


async def add_member(svc: Services, org_id: str, req: MemberRequest, *, grantor_is_full_admin: bool,
                     by: str | None) -> User:
    """Create one member of `org_id` or raise; nothing is stored unless everything holds.

    `grantor_is_full_admin`: only a full administrator may grant a role holding administrative
    privileges."""
    checked = check_request(req)
    org, grant = await svc.db.read(_prepare, org_id, checked)
    if grant.is_administrative and not grantor_is_full_admin:
        raise Forbidden("Only a full administrator may grant a role with administrative privileges.")
    password_hash = None
    if checked.password is not None:
        password_policy.check_password(checked.password, checked.new.username, password_policy.password_policy(org))
        password_hash = await svc.hasher.hash(checked.password)
    user = await svc.db.write(_insert, org_id, checked, password_hash, svc.clock.now_ms())
    log.info("member %s created in %s by %s (role %s, user type %s, provider %s)", user.username, org_id,
             printable(by or "the command line"), user.role_id or user.role, user.user_license_type_id, user.provider)
    return user


# ------------------------------------------------------------------ invite
MAX_INVITATIONS = 100
INVITE_MESSAGE = "Unable to invite users."


def invitation_entries(invitation_list: object) -> list[dict[str, object]]:
    """The entries of `invitationList` ({"invitations": [...]}); a malformed list fails the call."""
    entries = invitation_list.get("invitations") if isinstance(invitation_list, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise InvalidParameter(INVITE_MESSAGE, ["'invitationList' must be {\"invitations\": [{...}, ...]}."])
    if len(entries) > MAX_INVITATIONS:
        raise InvalidParameter(INVITE_MESSAGE, [f"'invitationList' holds more than {MAX_INVITATIONS} invitations."])
    return entries


def _entry_text(entry: dict[str, object], *names: str) -> str | None:
    for name in names:
        value = entry.get(name)
        if value is None or value == "":
            continue
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise invalid(f"'{name}' must be text.")
        return str(value)
    return None


def entry_request(entry: dict[str, object]) -> MemberRequest:
    """An invitation entry (sharing-api.md §4.7) as a creation request."""
    groups = _entry_text(entry, "groups")
    if groups and groups.strip(", "):  # geoshare has no groups yet: none can be joined
        raise InvalidParameter("Group does not exist or is inaccessible.", [printable(groups, 200)])
    credits = entry.get("userCreditAssignment")
    if credits is not None and (isinstance(credits, bool) or not isinstance(credits, int | float) or credits < -1):
        raise invalid("'userCreditAssignment' must be -1 (unlimited) or a number of credits.")
    return MemberRequest(
        username=_entry_text(entry, "username"), email=_entry_text(entry, "email"),
        password=_entry_text(entry, "password"), first_name=_entry_text(entry, "firstname"),
        last_name=_entry_text(entry, "lastname"), full_name=_entry_text(entry, "fullname"),
        role=_entry_text(entry, "role"), user_type=_entry_text(entry, "userLicenseType", "userType"),
        provider=_entry_text(entry, "targetUserProvider"), idp_username=_entry_text(entry, "idpUsername"),
        description=_entry_text(entry, "description"), level=_entry_text(entry, "level"))


def _entry_label(entry: dict[str, object]) -> str:
    for name in ("username", "email"):
        value = entry.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


async def invite(svc: Services, org_id: str, entries: list[dict[str, object]], *, grantor_is_full_admin: bool,
                 by: str | None) -> dict[str, object]:
    """POST portals/{id}/invite.  An entry with a password (built-in account) is created at
    once.  geoshare sends no e-mail, so an entry without one could never be activated: it is
    refused, like every entry that breaks a rule, and the call still succeeds."""
    not_invited: list[str] = []
    for entry in entries:
        try:
            req = entry_request(entry)
            if provider_of(req.provider) == "arcgis" and not req.password:
                raise invalid("An invitation without a password needs e-mail, which this portal does not send.")
            await add_member(svc, org_id, req, grantor_is_full_admin=grantor_is_full_admin, by=by)
        except (InvalidParameter, Conflict, Forbidden) as exc:
            label = _entry_label(entry)
            not_invited.append(label)
            log.info("invitation of %s not made: %s %s", printable(label, 120), exc.message,
                     printable(" ".join(exc.details), 300))
    return {"success": True, "notInvited": not_invited}


# ------------------------------------------------------------------ checkUsernames
MAX_CHECKED = 100
_NOT_USERNAME = re.compile(r"[^A-Za-z0-9_@.\-]")


def name_base(requested: str) -> str:
    """What a suggestion is built from: the requested name without the characters a username
    cannot hold (`user` when nothing is left); `suggest` cuts it to length."""
    return _NOT_USERNAME.sub("", requested) or "user"


def suggest(base: str, taken_keys: set[str]) -> str:
    """The first free and valid name built from `base`: itself, then with growing numbers
    (padded with zeros to the 6-character minimum), cut to 24 characters."""
    width = max(0, 6 - len(base))
    n = 0
    while True:
        suffix = str(n).zfill(width) if width else ("" if n == 0 else str(n))
        candidate = base[: 24 - len(suffix)] + suffix
        if candidate.lower() not in taken_keys:
            return candidate
        n += 1


async def check_usernames(svc: Services, usernames: list[str]) -> dict[str, object]:
    """POST community/checkUsernames: each requested name with a free one (itself when free)."""
    if len(usernames) > MAX_CHECKED:
        raise InvalidParameter("Unable to check usernames.", [f"'usernames' holds more than {MAX_CHECKED} names."])

    def check(conn: Connection) -> list[dict[str, str]]:
        answers = []
        for requested in usernames:
            base = name_base(requested)
            # Every candidate starts with base[:17] until a million names are taken (7-digit numbers).
            taken_keys = member_store.usernames_starting_with(conn, base[:17])  # pragma: no mutate
            answers.append({"requested": requested, "suggested": suggest(base, taken_keys)})
        return answers

    return {"usernames": await svc.db.read(check)}


async def create_user(svc: Services, caller: Principal, req: MemberRequest) -> User:
    """POST portaladmin/security/users/createUser: a member of the caller's organization."""
    assert caller.user is not None
    return await add_member(svc, caller.user.org_id, req, grantor_is_full_admin=caller.is_full_admin,
                            by=caller.username)


async def invite_users(svc: Services, caller: Principal, portal_id: str, invitation_list: object) -> dict[str, object]:
    """POST portals/{portal}/invite for the caller's own organization."""
    org_id = org_settings.own_org_id(caller, portal_id)
    return await invite(svc, org_id, invitation_entries(invitation_list), grantor_is_full_admin=caller.is_full_admin,
                        by=caller.username)


# ------------------------------------------------------------------ the command line
async def org_named(svc: Services, ref: str | None) -> Org:
    """An organization by id or by name (any case); None: the default organization."""
    if ref is None:
        return await accounts.default_org(svc)
    found = await svc.db.read(org_store.org_by_id, ref)
    if found is None:
        found = next((o for o in await accounts.list_orgs(svc) if o.name.lower() == ref.strip().lower()), None)
    if found is None:
        raise NotFound("Organization does not exist.", [f"No organization has the id or name '{printable(ref, 80)}'."])
    return found


async def create_from_command_line(svc: Services, org_ref: str | None, req: MemberRequest) -> User:
    """`geoshare users create`: whoever runs it holds the database, so any role may be granted."""
    org = await org_named(svc, org_ref)
    return await add_member(svc, org.id, req, grantor_is_full_admin=True, by=None)


async def members_of(svc: Services, org_ref: str | None) -> tuple[Org, list[User]]:
    """`geoshare users list`: every member of one organization, by username."""
    org = await org_named(svc, org_ref)
    return org, await svc.db.read(user_store.users_of_org, org.id)
