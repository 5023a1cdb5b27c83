"""The group's own properties (sharing-api.md §5.1, §5.2): one validator per create/update
parameter, the privileges some values need, the thumbnail, and `createGroup`.

Parameters arrive already typed (the operation table coerces booleans, lists and JSON); here they
are cleaned (descriptions through the §9 allow-list, titles, tags and phone numbers as plain text)
and checked against the limits of the spec.  `changes` turns supplied parameters into column
values and raises on the first bad one, before anything is stored, so a refused call changes
nothing.  Update (group management) uses the same `changes` with `creating=False`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import Connection

from geoshare.domain import sanitize
from geoshare.domain.groups import full_members, group_document, limit_error, thumbnail_key
from geoshare.domain.images import Upload, check_thumbnail, thumbnail_name
from geoshare.domain.principal import Principal
from geoshare.domain.services import Services, new_id
from geoshare.errors import Forbidden, InvalidParameter
from geoshare.storage import groups as group_store
from geoshare.storage.records import Group, Org

log = logging.getLogger("geoshare.groups")
CREATE_FAILED = "Unable to create group."
UPDATE_FAILED = "Unable to update group."
MAX_TITLE = 250
MAX_SNIPPET = 250
MAX_PHONE = 250
MAX_TAGS = 128
MAX_TAG_CHARS = 256
MAX_TYPE_KEYWORDS = 128
MAX_DISPLAY_SETTINGS = 16 * 1024  # characters of JSON
ACCESS = ("private", "org", "public")
SORT_FIELDS = ("title", "owner", "avgrating", "numviews", "created", "modified")
SORT_ORDERS = ("asc", "desc")
MEMBERSHIP_ACCESS = ("org", "collaboration", "none")
UPDATE_CAPABLE = "portal:admin:createUpdateCapableGroup"
LEAVING_DISALLOWED = "portal:admin:createLeavingDisallowedGroup"


@dataclass(frozen=True)
class Checking:
    """What a validator may need: who asks, in which organization, and the group when updating."""

    viewer: Principal
    org: Org
    message: str
    group: Group | None = None


def _bad(checking: Checking, detail: str) -> InvalidParameter:
    return InvalidParameter(checking.message, [detail])


_plain = sanitize.plain_line


# ------------------------------------------------------------------ one validator per parameter
def _title(name: str, value: Any, checking: Checking) -> Any:
    text = _plain(str(value))
    if not text:
        raise _bad(checking, "'title' must be specified.")
    if len(text) > MAX_TITLE:
        raise _bad(checking, f"'title' is longer than {MAX_TITLE} characters.")
    return text


# The parametrised validators below are module functions bound with `partial` (not closures made
# when FIELDS is built), so each call runs the current function: mutation testing sees them.
def _limited_text(limit: int, html: bool, name: str, value: Any, checking: Checking) -> Any:
    text = (sanitize.clean_html(str(value)) or "").strip() if html else _plain(str(value))  # pragma: no mutate (see _plain)
    if len(text) > limit:
        raise _bad(checking, f"'{name}' is longer than {limit} characters.")
    return text or None


def _description(name: str, value: Any, checking: Checking) -> Any:
    # clean_html gives a string for a string: only the empty result becomes None.
    return (sanitize.clean_html(str(value)) or "").strip() or None  # pragma: no mutate


def _listed(limit: int, name: str, value: Any, checking: Checking) -> Any:
    return sanitize.plain_list(name, value, most=limit, longest=MAX_TAG_CHARS, message=checking.message)


def _choice(choices: tuple[str, ...], name: str, value: Any, checking: Checking,
            aliases: dict[str, str] | None = None) -> Any:
    text = str(value).lower()
    text = (aliases or {}).get(text, text)
    if text not in choices:
        raise _bad(checking, f"'{name}' must be one of: {', '.join(choices)}.")
    return text


def _access(name: str, value: Any, checking: Checking) -> Any:
    wanted = _choice(ACCESS, name, value, checking, {"account": "org"})
    current = checking.group.access if checking.group is not None else "private"
    if wanted == current or wanted == "private":
        return wanted
    if wanted == "org" and not checking.viewer.has("portal:user:shareGroupToOrg"):
        raise Forbidden("You do not have permission to share groups with the organization.")
    if wanted == "public":
        if not checking.viewer.has("portal:user:shareGroupToPublic"):
            raise Forbidden("You do not have permission to share groups with everyone.")
        if not checking.org.can_share_public:
            raise _bad(checking, "'access' cannot be public: the organization does not allow public sharing.")
    return wanted


def _flag(name: str, value: Any, checking: Checking) -> Any:
    return bool(value)


def _leaving_disallowed(name: str, value: Any, checking: Checking) -> Any:
    current = checking.group.leaving_disallowed if checking.group is not None else False
    if bool(value) and not current and not checking.viewer.has(LEAVING_DISALLOWED):
        raise Forbidden("You do not have permission to create groups members cannot leave.")
    return bool(value)


def _capabilities(name: str, value: Any, checking: Checking) -> Any:
    wanted = {str(v).strip().lower() for v in value}  # the operation table drops empty entries
    unknown = wanted - {"updateitemcontrol"}
    if unknown:
        raise _bad(checking, "'capabilities' may only be updateitemcontrol.")
    on = bool(wanted)
    current = checking.group.shared_update if checking.group is not None else False
    if on and not current:
        if checking.group is not None:
            raise _bad(checking, "A group becomes a shared update group only when it is created.")
        if not checking.viewer.has(UPDATE_CAPABLE):
            raise Forbidden("You do not have permission to create shared update groups.")
    return on


def _membership_access(name: str, value: Any, checking: Checking) -> Any:
    found = _choice(MEMBERSHIP_ACCESS, name, value, checking)
    return None if found == "none" else found


def _display_settings(name: str, value: Any, checking: Checking) -> Any:
    if not isinstance(value, dict):
        raise _bad(checking, "'displaySettings' must be a JSON object.")
    if len(json.dumps(value)) > MAX_DISPLAY_SETTINGS:
        raise _bad(checking, f"'displaySettings' is longer than {MAX_DISPLAY_SETTINGS} characters.")
    return value


@dataclass(frozen=True)
class Field:
    column: str
    check: Callable[[str, Any, Checking], Any]
    cleared: Any = None  # what an empty value stores under clearEmptyFields
    clearable: bool = True


FIELDS: dict[str, Field] = {
    "title": Field("title", _title, clearable=False),
    "description": Field("description", _description),
    "snippet": Field("snippet", partial(_limited_text, MAX_SNIPPET, True)),
    "phone": Field("phone", partial(_limited_text, MAX_PHONE, False)),
    "tags": Field("tags", partial(_listed, MAX_TAGS), cleared=[]),
    "typeKeywords": Field("type_keywords", partial(_listed, MAX_TYPE_KEYWORDS), cleared=[]),
    "access": Field("access", _access, clearable=False),
    "sortField": Field("sort_field", partial(_choice, SORT_FIELDS), cleared="title"),
    "sortOrder": Field("sort_order", partial(_choice, SORT_ORDERS), cleared="asc"),
    "isViewOnly": Field("is_view_only", _flag, clearable=False),
    "isInvitationOnly": Field("is_invitation_only", _flag, clearable=False),
    "autoJoin": Field("auto_join", _flag, clearable=False),
    "hiddenMembers": Field("hidden_members", _flag, clearable=False),
    "leavingDisallowed": Field("leaving_disallowed", _leaving_disallowed, clearable=False),
    "capabilities": Field("shared_update", _capabilities, clearable=False),
    "membershipAccess": Field("membership_access", _membership_access),
    "displaySettings": Field("display_settings", _display_settings, cleared={}),
}

DEFAULTS: dict[str, Any] = {
    "description": None, "snippet": None, "phone": None, "tags": [], "type_keywords": [], "access": "private",
    "sort_field": "title", "sort_order": "asc", "is_view_only": False, "is_invitation_only": False,
    "auto_join": False, "hidden_members": False, "leaving_disallowed": False, "shared_update": False,
    "membership_access": None, "display_settings": {}, "thumbnail": None, "protected": False,
    "notifications_enabled": False,
}


def changes(given: dict[str, Any], checking: Checking, clear: bool) -> dict[str, Any]:
    """Column values for the supplied parameters (`given`: name -> coerced value, None when
    supplied empty).  Empty values clear their property only under clearEmptyFields."""
    out: dict[str, Any] = {}
    for name, value in given.items():
        field = FIELDS[name]
        new = None if value is None or value == [] else field.check(name, value, checking)
        if new is None or new == []:
            if not (clear and field.clearable):
                continue
            new = field.cleared
        out[field.column] = new
    return out


# ------------------------------------------------------------------ the thumbnail
async def store_thumbnail(svc: Services, group_id: str, upload: Upload, message: str) -> str:
    """Check the image and write it to the blob store; the caller writes the row after."""
    extension = check_thumbnail(upload.data, message=message)
    name = thumbnail_name(upload.filename, extension)
    await svc.blobs.put(thumbnail_key(group_id, name), upload.data)
    return name


# ------------------------------------------------------------------ createGroup
def title_clash(title: str) -> InvalidParameter:
    return InvalidParameter(f"You already have a group named '{title}'.", [
        "A group's title must be unique among the groups of its owner."])


async def create_group(svc: Services, viewer: Principal, given: dict[str, Any],
                       upload: Upload | None) -> dict[str, Any]:
    """POST community/createGroup (§5.2): the caller owns the new group and is its first member."""
    assert viewer.user is not None and viewer.org is not None  # pragma: no mutate (the table admits users only)
    owner, org = viewer.user, viewer.org
    if given.get("title") is None:
        raise InvalidParameter(CREATE_FAILED, ["'title' must be specified."])
    values = {**DEFAULTS, **changes(given, Checking(viewer, org, CREATE_FAILED), clear=False)}
    group_id, now = new_id(), svc.clock.now_ms()
    if upload is not None:
        values["thumbnail"] = await store_thumbnail(svc, group_id, upload, CREATE_FAILED)
    values.update(id=group_id, org_id=org.id, owner_id=owner.id, created=now, modified=now)

    def insert(conn: Connection) -> Group:
        group_store.lock_users(conn, [owner.id])  # one owner's creations queue: titles stay unique
        if group_store.title_taken(conn, owner.id, values["title"]):
            raise title_clash(values["title"])
        if full_members(conn, [owner.id]):
            raise limit_error(owner.username)
        group_store.insert_group(conn, values)
        group_store.add_member(conn, group_id, owner.id, "owner", now)
        created = group_store.group_by_id(conn, group_id)
        assert created is not None  # pragma: no mutate (just inserted)
        return created

    try:
        group = await svc.db.write(insert)
    except BaseException:
        if values["thumbnail"]:
            await svc.blobs.delete(thumbnail_key(group_id, values["thumbnail"]))
        raise
    log.info("group %s created by %s", group.id, owner.username)
    return {"success": True, "group": group_document(group)}
