"""What every domain function gets: the database, the settings, the clock and the password hasher."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from geoshare.domain.passwords import PasswordHasher
from geoshare.domain.view_counts import ViewCounter
from geoshare.settings import Settings
from geoshare.storage.blobs import LocalBlobStore
from geoshare.storage.engine import Database


class Clock:
    """Epoch milliseconds.  Tests (and later fault injection) move it with `advance`, or
    stop it at an exact instant with `pin` (then `advance` moves the pinned instant), so a
    boundary such as "expires at exactly now" can be tested on both sides."""

    def __init__(self) -> None:
        self.offset_ms = 0
        self.pinned_ms: int | None = None

    def now_ms(self) -> int:
        if self.pinned_ms is not None:
            return self.pinned_ms
        return int(time.time() * 1000) + self.offset_ms

    def advance(self, ms: int) -> None:
        if self.pinned_ms is not None:
            self.pinned_ms += ms
        else:
            self.offset_ms += ms

    def pin(self, at_ms: int | None = None) -> int:
        """Stop the clock at `at_ms` (default: now); returns the pinned instant."""
        self.pinned_ms = self.now_ms() if at_ms is None else at_ms
        return self.pinned_ms

    def unpin(self) -> None:
        """Run on from the pinned instant, keeping its offset from real time."""
        if self.pinned_ms is not None:
            self.offset_ms = self.pinned_ms - int(time.time() * 1000)
            self.pinned_ms = None


@dataclass
class Services:
    settings: Settings
    db: Database
    hasher: PasswordHasher
    blobs: LocalBlobStore
    clock: Clock = field(default_factory=Clock)
    sign_in_locks: dict[str, list[Any]] = field(default_factory=dict)  # username -> [Lock, users]
    views: ViewCounter = field(default_factory=ViewCounter)  # item views not yet written


def new_id() -> str:
    """32 lowercase hex characters, the id format of users, items and groups."""
    return secrets.token_hex(16)


def new_org_id() -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(16))


def new_secret() -> str:
    """An opaque, URL-safe random string (tokens, codes, OAuth states): 256 bits."""
    return secrets.token_urlsafe(32)
