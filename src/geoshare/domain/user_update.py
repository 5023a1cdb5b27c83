"""POST community/users/{u}/update (sharing-api.md §4.4): every profile parameter, validated
before anything is stored, then written in one transaction.

Rules kept here:
* Only supplied parameters change.  A parameter supplied empty clears its property when
  `clearEmptyFields=true` and is ignored otherwise (§6.8); an absent one never changes anything.
* A value equal to the stored one is no change: REST JS's `updateUser` posts the whole user
  object it was given, so fields the caller may not change (categories, idpUsername, the
  security question) are refused only when they would really change.
* Passwords follow the organization's policy, including its history; the new hash replaces the
  old one, which joins the history.  A user changing their own password keeps the session they
  did it with and loses every other; an administrator's reset signs the user out everywhere.
  Either lifts a sign-in lockout, as the command line's set-password does.
* The security answer is stored only as an argon2 hash of its normalized text and is never
  returned.
* A thumbnail is written to the blob store under a fresh name before the row changes, removed
  again when the row cannot be written, and the old one is removed only after the row changed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from geoshare.domain import password_policy, portal, sanitize
from geoshare.domain.images import Upload, check_thumbnail, thumbnail_name
from geoshare.domain.principal import Principal
from geoshare.domain.services import Services
from geoshare.domain.users import Target, acting_on, thumbnail_key
from geoshare.errors import Forbidden, InvalidParameter
from geoshare.storage import tokens as token_store
from geoshare.storage import users as user_store

log = logging.getLogger("geoshare.users")
FAIL = "Unable to update user."
UPDATE_USERS = "portal:admin:updateUsers"
EMAIL_RE = re.compile(r"[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;.]+\Z")
CULTURE_FORMAT_RE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})?\Z")
MAX_TAGS = 128
MAX_TAG_CHARS = 256
MAX_CATEGORIES = 100
MAX_CATEGORY_CHARS = 255
CULTURES = {entry["culture"].lower(): entry["culture"] for entry in portal.LANGUAGES}
REGIONS = {entry["region"].lower(): entry["region"] for entry in portal.REGIONS}


def _bad(detail: str) -> InvalidParameter:
    return InvalidParameter(FAIL, [detail])


# ------------------------------------------------------------------ one validator per parameter
# Each takes the parameter's name, its value and the user, and returns what to store.
PLAIN_LIMITS = {"fullname": 255, "firstname": 128, "lastname": 128, "idpUsername": 255}
LOOKUPS = {"culture": CULTURES, "region": REGIONS}


_plain_text = sanitize.plain_line


def _plain(name: str, value: Any, target: Target) -> Any:
    cleaned, limit = _plain_text(str(value)), PLAIN_LIMITS[name]
    if len(cleaned) > limit:
        raise _bad(f"'{name}' is longer than {limit} characters.")
    return cleaned or None


def _access(name: str, value: Any, target: Target) -> Any:
    if value == "public" and target.user.access != "public" and not target.org.can_share_public:
        raise _bad("'access' cannot be public: the organization does not allow public sharing.")
    return value


def _description(name: str, value: Any, target: Target) -> Any:
    return sanitize.clean_html(str(value)) or None


def _listed(name: str, values: list[str], target: Target) -> list[str]:
    most, longest = LIST_LIMITS[name]
    return sanitize.plain_list(name, values, most=most, longest=longest, message=FAIL)


LIST_LIMITS = {"tags": (MAX_TAGS, MAX_TAG_CHARS), "categories": (MAX_CATEGORIES, MAX_CATEGORY_CHARS)}


def _email(name: str, value: Any, target: Target) -> Any:
    if not EMAIL_RE.match(value):
        raise _bad("'email' is not a valid e-mail address.")
    return value


def _lookup(name: str, value: Any, target: Target) -> Any:
    known = LOOKUPS[name]
    found = known.get(str(value).lower())
    if found is None:
        raise _bad(f"'{name}' must be one of: {', '.join(known.values())}.")
    return found


def _culture_format(name: str, value: Any, target: Target) -> Any:
    if not CULTURE_FORMAT_RE.match(str(value).lower()):
        raise _bad("'cultureFormat' must be a culture code such as us, uk or de.")
    return str(value).lower()


def _as_is(name: str, value: Any, target: Target) -> Any:
    return value


@dataclass(frozen=True)
class Field:
    column: str
    check: Callable[[str, Any, Target], Any]
    cleared: Any = None  # what an empty value stores under clearEmptyFields
    clearable: bool = True
    admin_only: bool = False
    provider: str | None = None  # the only account provider the field applies to


FIELDS: dict[str, Field] = {
    "access": Field("access", _access, clearable=False),
    "preferredView": Field("preferred_view", _as_is),
    "description": Field("description", _description),
    "tags": Field("tags", _listed, cleared=[]),
    "fullname": Field("full_name", _plain, provider="arcgis"),
    "firstname": Field("first_name", _plain, provider="arcgis"),
    "lastname": Field("last_name", _plain, provider="arcgis"),
    "email": Field("email", _email),
    "culture": Field("culture", _lookup),
    "cultureFormat": Field("culture_format", _culture_format),
    "region": Field("region", _lookup),
    "units": Field("units", _as_is),
    "categories": Field("categories", _listed, cleared=[], admin_only=True),
    "idpUsername": Field("idp_username", _plain, admin_only=True, provider="enterprise"),
}


def _stored(target: Target, column: str) -> Any:
    value = getattr(target.user, column)
    return list(value) if isinstance(value, tuple) else value


def profile_changes(target: Target, given: dict[str, Any], clear: bool, admin: bool) -> dict[str, Any]:
    """The column values the supplied profile parameters set; raises on the first bad one."""
    changes: dict[str, Any] = {}
    for name, value in given.items():
        field = FIELDS[name]
        new = None if value is None or value == [] else field.check(name, value, target)
        if new is None or new == []:  # supplied empty, or nothing left once cleaned
            if not (clear and field.clearable):
                continue
            new = field.cleared
        elif field.provider is not None and field.provider != target.user.provider:
            raise _bad(f"'{name}' applies to {field.provider} accounts only.")
        if field.admin_only and not admin and new != _stored(target, field.column):
            raise Forbidden(f"Only an administrator can change '{name}'.")
        changes[field.column] = new
    _full_name_from_parts(target, changes)
    return changes


def _full_name_from_parts(target: Target, changes: dict[str, Any]) -> None:
    """fullName follows first and last name when those change and fullname is not given (§4.1)."""
    if "full_name" in changes or not {"first_name", "last_name"} & set(changes):
        return
    first = changes.get("first_name", target.user.first_name)
    last = changes.get("last_name", target.user.last_name)
    changes["full_name"] = " ".join(part for part in (first, last) if part) or None


# ------------------------------------------------------------------ secrets: password and security answer
def normalized_answer(answer: str) -> str:
    """Answers compare ignoring case and runs of spaces."""
    return " ".join(answer.split()).lower()


async def _security_changes(svc: Services, target: Target, index: int | None, answer: str | None) -> dict[str, Any]:
    if answer is None and (index is None or index == target.user.security_question_idx):
        return {}  # nothing, or the stored question echoed back without an answer
    if index is None or answer is None or not normalized_answer(answer):
        raise _bad("'securityQuestionIdx' and 'securityAnswer' must be given together.")
    return {"security_question_idx": index,
            "security_answer_hash": await svc.hasher.hash(normalized_answer(answer))}


async def _password_hash(svc: Services, target: Target, password: str) -> str:
    """The new password's hash, after the organization's policy and history allow it."""
    if target.user.provider != "arcgis":
        raise _bad("'password' applies to arcgis accounts only.")
    await password_policy.check_new_password(svc, target.user, target.org, password)
    return await svc.hasher.hash(password)


# ------------------------------------------------------------------ the thumbnail
async def _store_thumbnail(svc: Services, target: Target, upload: Upload) -> str:
    extension = check_thumbnail(upload.data, message=FAIL)
    name = thumbnail_name(upload.filename, extension)
    await svc.blobs.put(thumbnail_key(target.user.id, name), upload.data)
    return name


# ------------------------------------------------------------------ the operation
@dataclass(frozen=True)
class UpdateRequest:
    """The update's parameters: `given` holds the supplied profile parameters (None = supplied
    empty); the rest are the other parameters as coerced."""

    given: dict[str, Any]
    clear: bool = False
    password: str | None = None
    question: int | None = None
    answer: str | None = None
    thumbnail: Upload | None = None
    thumbnail_cleared: bool = False
    thumbnail_name: str | None = None  # text instead of a file: must repeat the stored name
    username: str | None = None
    user_id: str | None = None


async def update_user(svc: Services, viewer: Principal, name_or_id: str, request: UpdateRequest) -> dict[str, Any]:
    """POST community/users/{u}/update: the user themselves, or an administrator of their
    organization holding portal:admin:updateUsers."""
    target = await acting_on(svc, viewer, name_or_id, UPDATE_USERS)
    _same_user(target, request)
    changes = profile_changes(target, request.given, request.clear, viewer.admin_of(target.user.org_id, UPDATE_USERS))
    changes.update(await _security_changes(svc, target, request.question, request.answer))
    if request.password:
        changes["password_hash"] = await _password_hash(svc, target, request.password)
    if request.thumbnail is not None:
        changes["thumbnail"] = await _store_thumbnail(svc, target, request.thumbnail)
    elif request.thumbnail_cleared and request.clear:
        changes["thumbnail"] = None
    if changes:
        await _write(svc, viewer, target, changes)
    return {"success": True, "username": target.user.username}


def _same_user(target: Target, request: UpdateRequest) -> None:
    """`username`, `id` and the thumbnail's name may be sent (REST JS sends back the user object
    it read) but never change."""
    if request.thumbnail_name is not None and request.thumbnail_name != target.user.thumbnail:
        raise _bad("'thumbnail' must be a PNG, GIF or JPEG file; as text it can only repeat the current name.")
    if request.username is not None and request.username.lower() != target.user.username.lower():
        raise _bad("'username' cannot be changed.")
    if request.user_id is not None and request.user_id.lower() != target.user.id:
        raise _bad("'id' does not name this user.")


async def _write(svc: Services, viewer: Principal, target: Target, changes: dict[str, Any]) -> None:
    now = svc.clock.now_ms()
    # The caller's own session survives a password change.  After an administrator's reset that
    # token is the administrator's, not the user's, so every token of the user goes.
    keep = viewer.token.token_hash if viewer.token is not None else None

    def store(conn: Connection) -> None:
        user_store.update_user(conn, target.user.id, **changes, modified=now)
        if "password_hash" in changes:
            _after_password_change(conn, target, keep, now)

    try:
        await svc.db.write(store)
    except BaseException:
        if changes.get("thumbnail"):
            await svc.blobs.delete(thumbnail_key(target.user.id, changes["thumbnail"]))
        raise
    old = target.user.thumbnail
    if "thumbnail" in changes and old and old != changes["thumbnail"]:
        await svc.blobs.delete(thumbnail_key(target.user.id, old))
    if "password_hash" in changes:
        log.info("password of %s changed by %s", target.user.username, viewer.username)


def _after_password_change(conn: Connection, target: Target, keep: str | None, now: int) -> None:
    user_store.update_user(conn, target.user.id, password_changed=now)
    if target.user.password_hash:
        user_store.add_password_history(conn, target.user.id, target.user.password_hash, now)
    user_store.revoke_other_tokens(conn, target.user.id, keep)
    token_store.set_locked_until(conn, target.user.username.lower(), now)
