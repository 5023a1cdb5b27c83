"""The declarative operation table: every endpoint declared once.

Each `Operation` names its mount, path template, methods, parameters, permission and
handler.  The table drives routing (`Router.match`), validation (`params.coerce_all`), the
HTML directory (children and forms) and the OpenAPI document.  Handlers register themselves
with the `operation` decorator in the modules under `http/sharing/` and `http/admin/`.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from geoshare.domain.privileges import Requirement
from geoshare.http.params import Param

# Mount name -> how errors are shaped (see conventions.error_body).
MOUNTS = ("sharing", "portaladmin", "admin", "rest", "tokens")

Handler = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class Operation:
    mount: str
    path: str
    handler: Handler
    name: str
    kind: str = "resource"  # resource (read) | operation (changes state)
    methods: tuple[str, ...] = ("GET", "POST")
    params: tuple[Param, ...] = ()
    # Who may call it: "public", "user", "any-admin", "full-admin", "site-admin",
    # "server-publisher", "server-admin", a privilege, or privileges joined by & (all) or | (any).
    permission: str = "public"
    summary: str = ""
    resolve_token: bool = True  # sign-in operations ignore tokens they are sent
    private_ok: bool = False  # reachable anonymously when the organization's access is private
    json_by_default: bool = False  # OAuth endpoints answer JSON when f is absent
    failure_message: str = "Unable to complete operation."
    aliases: tuple[str, ...] = ()
    # Item data and files: bodies up to max_upload_bytes instead of max_body_bytes.
    large_upload: bool = False
    # `f=rss` (sharing-api.md §11): the handler answering it with an http/rss feed; None refuses rss.
    rss: Handler | None = None
    segments: tuple[str, ...] = field(default=(), compare=False)
    requirement: Requirement = field(init=False, compare=False)

    def __post_init__(self) -> None:
        assert self.mount in MOUNTS, self.mount
        object.__setattr__(self, "requirement", Requirement.parse(self.permission))
        assert self.kind in ("resource", "operation")

    @property
    def all_paths(self) -> tuple[str, ...]:
        return (self.path, *self.aliases)


def split(path: str) -> tuple[str, ...]:
    return tuple(part for part in path.split("/") if part)


class Router:
    """Matches normalized request segments against the declared templates of one mount."""

    def __init__(self) -> None:
        self.operations: list[Operation] = []
        self._by_len: dict[tuple[str, int], list[tuple[tuple[str, ...], Operation]]] = {}

    def add(self, op: Operation) -> None:
        self._match_cached.cache_clear()
        self.operations.append(op)
        for path in op.all_paths:
            segs = tuple(s if s.startswith("{") else s.lower() for s in split(path))
            self._by_len.setdefault((op.mount, len(segs)), []).append((segs, op))

    def match(self, mount: str, segments: list[str]) -> tuple[Operation, dict[str, str]] | None:
        key = tuple(segments)
        if sum(len(s) for s in key) > 1024:  # long (often hostile) paths are not kept in the cache
            found = self._match_cached.__wrapped__(self, mount, key)
        else:
            found = self._match_cached(mount, key)
        return (found[0], dict(found[1])) if found else None

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - one router for the process; cleared on add
    def _match_cached(self, mount: str, segments: tuple[str, ...]) -> tuple[Operation, dict[str, str]] | None:
        lowered = [s.lower() for s in segments]
        best: tuple[int, Operation, dict[str, str]] | None = None
        for template, op in self._by_len.get((mount, len(segments)), []):
            captured: dict[str, str] = {}
            literals = 0
            for tpl, seg, low in zip(template, segments, lowered, strict=True):
                if tpl.startswith("{"):
                    captured[tpl[1:-1]] = seg
                elif tpl == low:
                    literals += 1
                else:
                    break
            else:
                if best is None or literals > best[0]:
                    best = (literals, op, captured)
        return (best[1], best[2]) if best else None

    def children(self, mount: str, segments: list[str]) -> list[tuple[str, Operation | None]]:
        """Literal next segments under a concrete path, for the HTML directory."""
        found: dict[str, Operation | None] = {}
        depth = len(segments)
        lowered = [s.lower() for s in segments]
        for op in self.operations:
            if op.mount != mount:
                continue
            for path in op.all_paths[:1]:
                template = split(path)
                if len(template) <= depth:
                    continue
                prefix_ok = all(t.startswith("{") or t.lower() == s for t, s in zip(template, lowered, strict=False))
                nxt = template[depth]
                if not prefix_ok or nxt.startswith("{"):
                    continue
                is_leaf = len(template) == depth + 1
                if not is_leaf and all(t.startswith("{") for t in template[depth + 1:]):
                    continue  # e.g. `info` of `info/{file}`: nothing to list there without the name
                if is_leaf or nxt not in found:
                    found[nxt] = op if is_leaf else found.get(nxt)
        return sorted(found.items(), key=lambda kv: kv[0].lower())


ROUTER = Router()


def operation(mount: str, path: str, **kwargs: Any) -> Callable[[Handler], Handler]:
    """Declare the decorated coroutine as the handler of one operation."""

    def register(fn: Handler) -> Handler:
        opts = dict(kwargs)
        name = opts.pop("name", None) or (split(path)[-1] if split(path) else "Root")
        ROUTER.add(Operation(mount=mount, path=path, handler=fn, name=name, **opts))
        return fn

    return register
