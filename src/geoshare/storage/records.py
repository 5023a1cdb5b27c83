"""Frozen records that storage returns and the domain passes around (never ORM rows)."""

from __future__ import annotations

import json
from dataclasses import dataclass
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

    @classmethod
    def from_row(cls, row: RowMapping) -> Org:
        return cls(id=row["id"], name=row["name"], is_default=bool(row["is_default"]), access=row["access"],
                   url_key=row["url_key"], description=row["description"], settings=json.loads(row["settings"] or "{}"),
                   created=row["created"], modified=row["modified"])


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
            modified=row["modified"],
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
