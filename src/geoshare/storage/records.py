"""Frozen records that storage returns and the domain passes around (never ORM rows)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import RowMapping


@dataclass(frozen=True)
class Org:
    id: str
    name: str
    is_default: bool
    access: str
    url_key: str | None
    description: str | None
    settings: dict[str, Any]
    created: int
    modified: int
    can_share_public: bool = True
    can_search_public: bool = True
    url_hostname: str | None = None
    thumbnail: str | None = None

    @classmethod
    def from_row(cls, row: RowMapping) -> Org:
        return cls(id=row["id"], name=row["name"], is_default=bool(row["is_default"]), access=row["access"],
                   url_key=row["url_key"], description=row["description"], settings=json.loads(row["settings"] or "{}"),
                   created=row["created"], modified=row["modified"],
                   can_share_public=bool(row["can_share_public"]), can_search_public=bool(row["can_search_public"]),
                   url_hostname=row["url_hostname"], thumbnail=row["thumbnail"])


@dataclass(frozen=True)
class User:
    id: str
    org_id: str
    username: str
    password_hash: str | None
    full_name: str | None
    first_name: str | None
    last_name: str | None
    email: str | None
    description: str | None
    role: str
    role_id: str | None
    user_license_type_id: str
    access: str
    culture: str | None
    region: str | None
    units: str | None
    thumbnail: str | None
    tags: tuple[str, ...]
    provider: str
    disabled: bool
    last_login: int
    created: int
    modified: int
    culture_format: str | None = None
    preferred_view: str | None = None
    security_question_idx: int | None = None
    security_answer_hash: str | None = None
    idp_username: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    categories: tuple[str, ...] = ()
    password_changed: int = 0

    @classmethod
    def from_row(cls, row: RowMapping) -> User:
        return cls(
            id=row["id"], org_id=row["org_id"], username=row["username"], password_hash=row["password_hash"],
            full_name=row["full_name"], first_name=row["first_name"], last_name=row["last_name"],
            email=row["email"], description=row["description"], role=row["role"], role_id=row["role_id"],
            user_license_type_id=row["user_license_type_id"], access=row["access"], culture=row["culture"],
            region=row["region"], units=row["units"], thumbnail=row["thumbnail"],
            tags=tuple(json.loads(row["tags"] or "[]")), provider=row["provider"], disabled=bool(row["disabled"]),
            last_login=row["last_login"], created=row["created"],
            modified=row["modified"], culture_format=row["culture_format"], preferred_view=row["preferred_view"],
            security_question_idx=row["security_question_idx"], security_answer_hash=row["security_answer_hash"],
            idp_username=row["idp_username"], properties=json.loads(row["properties"] or "{}"),
            categories=tuple(json.loads(row["categories"] or "[]")), password_changed=row["password_changed"] or 0,
        )


@dataclass(frozen=True)
class Token:
    token_hash: str
    kind: str
    user_id: str
    client_id: str | None
    bind_type: str | None
    bind_value: str | None
    created: int
    expires: int
    revoked: bool
    family: str | None = None

    @classmethod
    def from_row(cls, row: RowMapping) -> Token:
        return cls(token_hash=row["token_hash"], kind=row["kind"], user_id=row["user_id"], client_id=row["client_id"],
                   bind_type=row["bind_type"], bind_value=row["bind_value"], created=row["created"],
                   expires=row["expires"], revoked=bool(row["revoked"]), family=row["family"])


@dataclass(frozen=True)
class OAuthSession:
    state_hash: str
    client_id: str
    response_type: str
    redirect_uri: str
    state: str | None
    expiration: int | None
    code_challenge: str | None
    code_challenge_method: str | None
    created: int
    expires: int

    @classmethod
    def from_row(cls, row: RowMapping) -> OAuthSession:
        return cls(**{k: row[k] for k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class OAuthCode:
    code_hash: str
    user_id: str
    client_id: str
    redirect_uri: str
    refresh_minutes: int
    code_challenge: str | None
    code_challenge_method: str | None
    created: int
    expires: int
    used: bool

    @classmethod
    def from_row(cls, row: RowMapping) -> OAuthCode:
        values = {k: row[k] for k in cls.__dataclass_fields__}
        values["used"] = bool(values["used"])
        return cls(**values)


@dataclass(frozen=True)
class Role:
    """A custom role of an organization (the built-in roles are not stored)."""

    id: str
    org_id: str
    name: str
    description: str | None
    privileges: tuple[str, ...]
    created: int
    modified: int

    @classmethod
    def from_row(cls, row: RowMapping) -> Role:
        return cls(id=row["id"], org_id=row["org_id"], name=row["name"], description=row["description"],
                   privileges=tuple(json.loads(row["privileges"] or "[]")), created=row["created"],
                   modified=row["modified"])


@dataclass(frozen=True)
class Notification:
    id: str
    user_id: str
    type: str
    target: str | None
    target_type: str
    received: int
    data: dict[str, Any]

    @classmethod
    def from_row(cls, row: RowMapping) -> Notification:
        return cls(id=row["id"], user_id=row["user_id"], type=row["type"], target=row["target"],
                   target_type=row["target_type"], received=row["received"], data=json.loads(row["data"] or "{}"))


@dataclass(frozen=True)
class Invitation:
    id: str
    user_id: str
    target_type: str
    target_id: str
    from_user_id: str | None
    role: str
    must_approve: bool
    email: str | None
    created: int
    expiration: int

    @classmethod
    def from_row(cls, row: RowMapping) -> Invitation:
        values = {k: row[k] for k in cls.__dataclass_fields__}
        values["must_approve"] = bool(values["must_approve"])
        return cls(**values)


@dataclass(frozen=True)
class OrgResource:
    org_id: str
    key: str
    access: str
    size: int
    blob: str
    created: int

    @classmethod
    def from_row(cls, row: RowMapping) -> OrgResource:
        return cls(**{k: row[k] for k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Group:
    id: str
    org_id: str
    owner_id: str
    title: str
    description: str | None
    snippet: str | None
    phone: str | None
    tags: tuple[str, ...]
    type_keywords: tuple[str, ...]
    access: str
    sort_field: str
    sort_order: str
    is_invitation_only: bool
    is_view_only: bool
    auto_join: bool
    protected: bool
    leaving_disallowed: bool
    hidden_members: bool
    shared_update: bool
    membership_access: str | None
    display_settings: dict[str, Any]
    thumbnail: str | None
    notifications_enabled: bool
    created: int
    modified: int
    owner: str = ""  # the owner's username, joined in by every read

    @classmethod
    def from_row(cls, row: RowMapping) -> Group:
        # A user's `groups` list builds hundreds of these per request: one dict copy of the row
        # (membership tests on a RowMapping are slow) and no JSON parsing of empty values.
        data = dict(row)
        values = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        values["tags"] = _json_tuple(data["tags"])
        values["type_keywords"] = _json_tuple(data["type_keywords"])
        display = data["display_settings"]
        values["display_settings"] = json.loads(display) if display and display != "{}" else {}
        for flag in _GROUP_FLAGS:
            values[flag] = bool(values[flag])
        return cls(**values)


_GROUP_FLAGS = ("is_invitation_only", "is_view_only", "auto_join", "protected", "leaving_disallowed",
                "hidden_members", "shared_update", "notifications_enabled")


def _json_tuple(text: str | None) -> tuple[str, ...]:
    return tuple(json.loads(text)) if text and text != "[]" else ()


@dataclass(frozen=True)
class GroupMember:
    """One member of a group as listings show them."""

    user_id: str
    username: str
    full_name: str | None
    thumbnail: str | None
    member_type: str  # owner | admin | member
    joined: int


@dataclass(frozen=True)
class Folder:
    id: str
    owner_id: str
    title: str
    created: int

    @classmethod
    def from_row(cls, row: RowMapping) -> Folder:
        return cls(id=row["id"], owner_id=row["owner_id"], title=row["title"], created=row["created"])


_ITEM_JSON_LISTS = ("type_keywords", "tags", "categories")
_ITEM_JSON_OBJECTS = ("properties", "advanced_settings", "proxy_filter", "service_proxy_params")
_ITEM_FLAGS = ("shared_public", "shared_org", "protected", "comments_enabled", "listed")


@dataclass(frozen=True)
class Item:
    """An item row (sharing-api.md §6.1), with its owner's username joined in by every read.
    The encrypted service password is never part of the record."""

    id: str
    org_id: str
    owner_id: str
    folder_id: str | None
    title: str
    type: str
    type_keywords: tuple[str, ...]
    description: str | None
    snippet: str | None
    tags: tuple[str, ...]
    categories: tuple[str, ...]
    thumbnail: str | None
    documentation: str | None
    extent_xmin: float | None
    extent_ymin: float | None
    extent_xmax: float | None
    extent_ymax: float | None
    spatial_reference: str | None
    access_information: str | None
    license_info: str | None
    culture: str | None
    properties: dict[str, Any] | None
    advanced_settings: dict[str, Any] | None
    url: str | None
    proxy_filter: dict[str, Any] | None
    name: str | None
    data_kind: str
    data_blob: str | None
    data_type: str | None
    metadata_blob: str | None
    size: int
    shared_public: bool
    shared_org: bool
    access: str
    protected: bool
    comments_enabled: bool
    num_comments: int
    num_ratings: int
    avg_rating: float
    num_views: int
    status: str
    listed: bool
    content_status: str | None
    service_username: str | None
    service_credentials_type: str | None
    service_proxy_params: dict[str, Any] | None
    created: int
    modified: int
    owner: str = ""

    @property
    def extent(self) -> list[list[float]]:
        """`[[xmin, ymin], [xmax, ymax]]`, or `[]` when the item has none."""
        if self.extent_xmin is None or self.extent_ymin is None or self.extent_xmax is None or self.extent_ymax is None:
            return []
        return [[self.extent_xmin, self.extent_ymin], [self.extent_xmax, self.extent_ymax]]

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Item:
        """The item of a row read with every field (storage.items; a plain dict reads fastest)."""
        values = {name: row[name] for name in _ITEM_FIELDS}
        for name in _ITEM_JSON_LISTS:
            values[name] = _json_tuple(values[name])
        for name in _ITEM_JSON_OBJECTS:
            text = values[name]
            values[name] = json.loads(text) if text else None
        for flag in _ITEM_FLAGS:
            values[flag] = bool(values[flag])
        values["avg_rating"] = float(values["avg_rating"])
        return cls(**values)


_ITEM_FIELDS = tuple(Item.__dataclass_fields__)
