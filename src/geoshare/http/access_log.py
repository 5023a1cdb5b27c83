"""The access log: one line per request, secrets redacted by the caller.

A `logging` record costs a small request a visible share of its time, so request threads
only put a tuple on a queue; a background thread formats the lines and writes them in
batches to standard error.  `flush()` (called at exit) writes what is still queued.
"""

from __future__ import annotations

import atexit
import queue
import sys
import threading
import time
from typing import TextIO

Entry = tuple[float, str, str, str, float]
INTERVAL = 0.25


class AccessLog:
    def __init__(self, stream: TextIO | None = None) -> None:
        self._queue: queue.SimpleQueue[Entry | None] = queue.SimpleQueue()
        self._stream = stream
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._second, self._stamp = -1, ""

    def write(self, method: str, path: str, outcome: str, millis: float) -> None:
        if self._thread is None:
            self._start()
        self._queue.put((time.time(), method, path, outcome, millis))

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="geoshare-access-log", daemon=True)
                self._thread.start()
                atexit.register(self.flush)

    def _format(self, entry: Entry) -> str:
        at, method, path, outcome, millis = entry
        second = int(at)
        if second != self._second:
            self._second, self._stamp = second, time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(at))
        stamp = self._stamp
        return f"{stamp},{int(at * 1000) % 1000:03d} INFO geoshare.access: {method} {path} {outcome} {millis:.1f}ms\n"

    def _run(self) -> None:
        # Wake up a few times a second and drain everything: waking per line would make the
        # request thread hand over the interpreter lock for every request.
        while True:
            time.sleep(INTERVAL)
            if not self._drain():
                return

    def _drain(self) -> bool:
        lines = []
        keep_going = True
        while True:
            try:
                entry = self._queue.get_nowait()
            except queue.Empty:
                break
            if entry is None:
                keep_going = False
                break
            lines.append(self._format(entry))
        if lines:
            self._emit(lines)
        return keep_going

    def _emit(self, lines: list[str]) -> None:
        stream = self._stream or sys.stderr
        try:
            stream.write("".join(lines))
            stream.flush()
        except (OSError, ValueError):  # a closed stream must not take the server down
            pass

    def flush(self, timeout: float = 2.0) -> None:
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout)
            self._thread = None


ACCESS_LOG = AccessLog()
