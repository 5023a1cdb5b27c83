"""What every domain function gets: the database, the settings, the clock and the password hasher."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from geoshare.domain.passwords import PasswordHasher
from geoshare.settings import Settings
from geoshare.storage.engine import Database


class Clock:
    """Epoch milliseconds.  Tests (and later fault injection) move it with `advance`."""

    def __init__(self) -> None:
        self.offset_ms = 0

    def now_ms(self) -> int:
        return int(time.time() * 1000) + self.offset_ms

    def advance(self, ms: int) -> None:
        self.offset_ms += ms


@dataclass
class Services:
    settings: Settings
    db: Database
    hasher: PasswordHasher
    clock: Clock = field(default_factory=Clock)
    sign_in_locks: dict[str, list[Any]] = field(default_factory=dict)  # username -> [Lock, users]


def new_id() -> str:
    """32 lowercase hex characters, the id format of users, items and groups."""
    return secrets.token_hex(16)


def new_org_id() -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(16))


def new_secret() -> str:
    """An opaque, URL-safe random string (tokens, codes, OAuth states): 256 bits."""
    return secrets.token_urlsafe(32)
