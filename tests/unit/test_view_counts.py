"""domain/view_counts.py: views counted in memory and written in batches."""

from __future__ import annotations

import asyncio

from geoshare.domain import view_counts
from geoshare.domain.view_counts import ViewCounter


async def test_views_are_written_in_one_batch_after_the_delay(monkeypatch):
    monkeypatch.setattr(view_counts, "FLUSH_SECONDS", 0.01)
    written: list[dict[str, int]] = []

    async def flush(counts: dict[str, int]) -> None:
        written.append(counts)

    counter = ViewCounter()
    counter.start(flush)
    for item in ("a", "b", "a"):
        counter.note(item)
    assert counter.unwritten("a") == 2 and written == []
    await asyncio.sleep(0.05)
    assert written == [{"a": 2, "b": 1}] and counter.unwritten("a") == 0
    counter.note("c")
    await counter.stop()  # stopping writes what is left at once
    assert written == [{"a": 2, "b": 1}, {"c": 1}]


async def test_a_failed_write_keeps_the_views_for_the_next_one():
    calls: list[dict[str, int]] = []

    async def flaky(counts: dict[str, int]) -> None:
        calls.append(counts)
        if len(calls) == 1:
            raise RuntimeError("database away")

    counter = ViewCounter()
    counter.start(flaky)
    counter.pending.update({"x": 2})
    await counter.flush()
    assert counter.unwritten("x") == 2
    counter.pending.update({"x": 1})
    await counter.flush()
    assert calls == [{"x": 2}, {"x": 3}] and counter.unwritten("x") == 0


async def test_without_a_writer_views_wait_and_nothing_is_scheduled():
    counter = ViewCounter()
    counter.note("a")
    await counter.flush()
    assert counter.unwritten("a") == 1
