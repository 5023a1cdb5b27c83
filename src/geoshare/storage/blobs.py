"""The blob store: files kept outside the database (thumbnails, organization resources, and
later item data).  This is the local-directory store, the embedded default.

Writes go to a temporary file in the same directory and are renamed into place, so a reader
never sees half a file and a crash leaves at most an orphaned temporary file, never a torn
blob.  Keys are relative paths built by geoshare (never from user text as such); anything
that would leave the root is refused.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import BinaryIO

CHUNK = 1024 * 1024  # bytes per read or write when streaming


def _copy_all(source: BinaryIO, out: BinaryIO) -> int:
    """Append all of `source` to `out`: in the kernel (copy_file_range; no trip through Python's
    buffers, a reflink on filesystems that share extents) when it can, else by chunks."""
    out.flush()
    total = 0
    try:
        while copied := os.copy_file_range(source.fileno(), out.fileno(), 64 * CHUNK):
            total += copied
        return total
    except OSError:  # not offered between these files (another filesystem, an old kernel)
        if total:
            raise
        shutil.copyfileobj(source, out, CHUNK)
        out.flush()
        return source.tell()


class LocalBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        parts = key.split("/")
        if not key or any(p in ("", ".", "..") or "\\" in p for p in parts):
            raise ValueError(f"invalid blob key {key!r}")
        return self.root.joinpath(*parts)

    def _put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _open_temp(self, key: str) -> tuple[Path, BinaryIO, str]:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        return path, os.fdopen(fd, "wb"), tmp

    @staticmethod
    def _finish(path: Path, out: BinaryIO, tmp: str) -> None:
        out.flush()
        os.fsync(out.fileno())
        out.close()
        os.replace(tmp, path)

    @staticmethod
    def _abandon(out: BinaryIO, tmp: str) -> None:
        out.close()
        Path(tmp).unlink(missing_ok=True)

    def _put_file(self, key: str, source: BinaryIO) -> int:
        path, out, tmp = self._open_temp(key)
        try:
            shutil.copyfileobj(source, out, CHUNK)
            size = out.tell()
            self._finish(path, out, tmp)
            return size
        except BaseException:
            self._abandon(out, tmp)
            raise

    def _concat(self, key: str, parts: Iterable[str]) -> int:
        path, out, tmp = self._open_temp(key)
        try:
            size = 0
            for part in parts:
                with self._path(part).open("rb") as source:
                    size += _copy_all(source, out)
            self._finish(path, out, tmp)
            return size
        except BaseException:
            self._abandon(out, tmp)
            raise

    def _size(self, key: str) -> int | None:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            return None

    def _get(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None

    def _delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    async def put(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(self._put, key, data)

    async def get(self, key: str) -> bytes | None:
        return await asyncio.to_thread(self._get, key)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._delete, key)

    # ------------------------------------------------------------------ streaming (item data)
    async def put_file(self, key: str, source: BinaryIO) -> int:
        """Copy an open file (an upload spooled by the form parser) into `key`, chunk by chunk:
        memory does not grow with the file.  Returns the size written."""
        return await asyncio.to_thread(self._put_file, key, source)

    async def put_stream(self, key: str, chunks: AsyncIterator[bytes]) -> int:
        """Write an async stream of chunks into `key` (all of it, or nothing on failure)."""
        path, out, tmp = await asyncio.to_thread(self._open_temp, key)
        try:
            async for chunk in chunks:
                await asyncio.to_thread(out.write, chunk)
            size = out.tell()
            await asyncio.to_thread(self._finish, path, out, tmp)
            return size
        except BaseException:
            await asyncio.to_thread(self._abandon, out, tmp)
            raise

    async def concat(self, key: str, parts: list[str]) -> int:
        """Join the blobs `parts`, in order, into `key` (multipart commit); the parts stay."""
        return await asyncio.to_thread(self._concat, key, parts)

    async def size(self, key: str) -> int | None:
        return await asyncio.to_thread(self._size, key)

    async def chunks(self, key: str, chunk: int = CHUNK) -> AsyncIterator[bytes]:
        """The blob's bytes, chunk by chunk (downloads stream; FileNotFoundError when missing)."""
        source = await asyncio.to_thread(self._path(key).open, "rb")
        try:
            while data := await asyncio.to_thread(source.read, chunk):
                yield data
        finally:
            await asyncio.to_thread(source.close)
