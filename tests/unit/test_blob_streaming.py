"""The blob store's streaming calls (item data): whole blobs or nothing, memory independent of
size, no temporary file left behind on failure."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from geoshare.storage.blobs import LocalBlobStore


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.rglob(".tmp-*"))


async def test_put_file_copies_and_reports_the_size(tmp_path):
    store = LocalBlobStore(tmp_path)
    data = bytes(range(256)) * 9000  # more than one chunk
    assert await store.put_file("items/a/data", io.BytesIO(data)) == len(data)
    assert await store.get("items/a/data") == data
    assert await store.size("items/a/data") == len(data)
    assert await store.size("items/a/none") is None


async def test_put_stream_writes_everything_or_nothing(tmp_path):
    store = LocalBlobStore(tmp_path)

    async def good() -> AsyncIterator[bytes]:
        for part in (b"abc", b"", b"def"):
            yield part

    assert await store.put_stream("k/one", good()) == 6
    assert await store.get("k/one") == b"abcdef"

    async def broken() -> AsyncIterator[bytes]:
        yield b"half"
        raise ConnectionError("client left")

    with pytest.raises(ConnectionError):
        await store.put_stream("k/two", broken())
    assert await store.get("k/two") is None and leftovers(tmp_path) == []
    with pytest.raises(ConnectionError):
        await store.put_stream("k/one", broken())
    assert await store.get("k/one") == b"abcdef"  # the old blob stays whole


async def test_concat_joins_parts_in_the_order_given(tmp_path):
    store = LocalBlobStore(tmp_path)
    for name, data in (("p/2", b"world"), ("p/1", b"hello ")):
        await store.put(name, data)
    assert await store.concat("joined", ["p/1", "p/2"]) == 11
    assert await store.get("joined") == b"hello world"
    with pytest.raises(FileNotFoundError):
        await store.concat("broken", ["p/1", "p/3"])
    assert await store.get("broken") is None and leftovers(tmp_path) == []


async def test_chunks_stream_the_blob(tmp_path):
    store = LocalBlobStore(tmp_path)
    await store.put("c", b"x" * 10)
    assert [c async for c in store.chunks("c", chunk=4)] == [b"xxxx", b"xxxx", b"xx"]
    with pytest.raises(FileNotFoundError):
        [c async for c in store.chunks("missing")]
    with pytest.raises(ValueError):
        await store.put_file("../escape", io.BytesIO(b"no"))


async def test_concat_falls_back_to_chunked_copy_when_the_kernel_copy_is_refused(tmp_path, monkeypatch):
    import errno
    import os

    def refused(*_args):
        raise OSError(errno.EXDEV, "cross-device")

    store = LocalBlobStore(tmp_path)
    for name, data in (("p/1", b"hello "), ("p/2", b"big " * 300_000)):
        await store.put(name, data)
    monkeypatch.setattr(os, "copy_file_range", refused)
    assert await store.concat("joined", ["p/1", "p/2"]) == 6 + 1_200_000
    assert await store.get("joined") == b"hello " + b"big " * 300_000 and leftovers(tmp_path) == []
