"""Password hashing with argon2id, off the event loop.

argon2 at OWASP cost takes ~20 ms of CPU.  It runs in its own single-thread executor (the
C code releases the GIL), so a storm of sign-ins keeps one core busy at most and reads on the
event loop go on (issue #3 asks that sign-ins never block reads).

The hasher also keeps the books of that queue: how many checks wait or run in all, and how many
sign-ins each client address has in progress, so that one address flooding the queue is turned
away before it can crowd out everyone else (issue #6).
"""

from __future__ import annotations

import asyncio
import concurrent.futures

import argon2
from argon2.exceptions import InvalidHashError, VerificationError


class PasswordHasher:
    def __init__(self, time_cost: int, memory_kib: int) -> None:
        self._hasher = argon2.PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1,
                                             type=argon2.Type.ID)
        self._pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="geoshare-kdf")
        self.pending = 0  # checks queued or running, so callers can refuse instead of queueing for ever
        self.checks = 0  # checks run since start: every sign-in answer costs exactly one
        self._by_source: dict[str, int] = {}  # client address -> sign-ins in progress
        # Checked against when the username is unknown, so both cases take the same time.
        self._dummy = self._hasher.hash("geoshare-no-such-user")

    def hash_sync(self, password: str) -> str:
        return self._hasher.hash(password)

    async def hash(self, password: str) -> str:
        return await asyncio.get_running_loop().run_in_executor(self._pool, self._hasher.hash, password)

    def _verify(self, stored: str | None, password: str) -> bool:
        try:
            return bool(self._hasher.verify(stored or self._dummy, password)) and stored is not None
        except (VerificationError, InvalidHashError):
            return False

    async def verify(self, stored: str | None, password: str) -> bool:
        """Check a password against a stored hash, or against a dummy one when `stored` is None
        (an unknown username), so both take the same time; the latter is always False."""
        self.checks += 1
        self.pending += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, self._verify, stored, password)
        finally:
            self.pending -= 1

    def admit(self, source: str, limit: int) -> bool:
        """Count a sign-in from `source` as in progress, unless `limit` of its own already are."""
        held = self._by_source.get(source, 0)
        if held >= limit:
            return False
        self._by_source[source] = held + 1
        return True

    def release(self, source: str) -> None:
        held = self._by_source.pop(source) - 1
        if held:
            self._by_source[source] = held

    def in_progress(self, source: str) -> int:
        return self._by_source.get(source, 0)

    def close(self) -> None:
        self._pool.shutdown(wait=False)
