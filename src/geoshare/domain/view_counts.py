"""Item views (`numViews`, sharing-api.md §6.1), counted without a write per read.

Reading an item must not cost a write transaction: on SQLite every write goes through one writer
thread, so a read that writes queues behind uploads and shares, and on PostgreSQL it locks the
item row.  Views are therefore counted in memory and added to the rows in one transaction at most
once a second (and when the server stops).  A read shows the stored count plus the views not yet
written, so a client that reads twice sees its own views.  Views counted in the last second before
a crash are lost: a view count is a statistic, not a record.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Awaitable, Callable

log = logging.getLogger("geoshare.items")
FLUSH_SECONDS = 1.0

Flush = Callable[[dict[str, int]], Awaitable[None]]


class ViewCounter:
    def __init__(self) -> None:
        self.pending: Counter[str] = Counter()
        self._task: asyncio.Task[None] | None = None
        self._flush: Flush | None = None

    def start(self, flush: Flush) -> None:
        """`flush(counts)` writes {item id: views} to the database in one transaction."""
        self._flush = flush

    def note(self, item_id: str) -> None:
        self.pending[item_id] += 1
        if self._flush is not None and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._later(), name="geoshare-view-counts")

    def unwritten(self, item_id: str) -> int:
        return self.pending.get(item_id, 0)

    async def _later(self) -> None:
        try:
            await asyncio.sleep(FLUSH_SECONDS)
            await self.flush()
        finally:
            self._task = None

    async def flush(self) -> None:
        """Write the pending views now (the server's shutdown calls it too)."""
        if not self.pending or self._flush is None:
            return
        counts, self.pending = dict(self.pending), Counter()
        try:
            await self._flush(counts)
        except Exception:  # the views are put back and written with the next flush
            log.exception("writing %d item view counts failed", len(counts))
            self.pending.update(counts)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.flush()
