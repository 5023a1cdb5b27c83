"""Paging of listings and searches (sharing-api.md §1.7 with its errata).

`start` is 1-based and 0 means the first page too; a negative `start` (the Python client sends
-1 after its last page) is an empty page with nextStart -1, never an error and never page 1.
`num` is clamped to 0..max.  Searches reach only their first 10,000 matches: `total` says at most
10,000 and a page reaching past it is empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_NUM = 10
MAX_NUM = 100
SEARCH_WINDOW = 10_000


@dataclass(frozen=True)
class Window:
    start: int  # echoed back
    num: int  # echoed back: the page size after clamping
    empty: bool  # nothing to fetch (the total is still counted)
    cap: int | None = None  # searches: the result window

    @property
    def offset(self) -> int:
        return 0 if self.empty else self.start - 1

    @property
    def limit(self) -> int:
        return 0 if self.empty else self.num

    def answer(self, total: int) -> dict[str, Any]:
        """total / start / num / nextStart for a page of this window over `total` matches."""
        shown = min(total, self.cap) if self.cap is not None else total
        more = not self.empty and self.num > 0 and self.start + self.num <= shown
        return {"total": shown, "start": self.start, "num": self.num, "nextStart": self.start + self.num if more else -1}


def window(start: int | None, num: int | None, *, max_num: int = MAX_NUM, cap: int | None = None) -> Window:
    size = DEFAULT_NUM if num is None else max(0, min(num, max_num))
    first = 1 if not start else start
    empty = first < 0 or (cap is not None and first + size - 1 > cap)
    return Window(start=first, num=size, empty=empty, cap=cap)
