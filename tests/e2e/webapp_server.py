"""A web app's own origin for the browser tests: a threaded static server on a free loopback
port (another origin than geoshare's) serving `webapp/` and the installed `node_modules`.

The ArcGIS Maps SDK for JavaScript is published as ES modules with bare imports (`tslib`,
`lit`, ...) that a bundler would resolve.  Here the browser resolves them through an import
map built from the installed packages: the imports reachable from the SDK modules the page
uses are followed, and each bare one is resolved with its package's `exports` (browser
conditions) or `module`/`main` field, as a bundler would.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from .support import NODE_DIR

WEBAPP_DIR = Path(__file__).parent / "webapp"
NODE_MODULES = NODE_DIR / "node_modules"
SDK_ENTRIES = ("@arcgis/core/config.js", "@arcgis/core/identity/IdentityManager.js",
               "@arcgis/core/portal/Portal.js", "@arcgis/core/portal/PortalQueryParams.js", "@arcgis/core/request.js")
CONDITIONS = ("browser", "import", "module", "default")
IMPORT_RE = re.compile(r"""\b(?:import|export)\s*(?:[\w$*{}\s,]*?\bfrom\s*)?["']([^"'\s]+)["']"""
                       r"""|\bimport\s*\(\s*["']([^"'\s]+)["']\s*\)""")
BARE_RE = re.compile(r"^(@[a-z0-9][\w.-]*/)?[a-z0-9][\w.-]*(/[\w./@-]*)?$", re.IGNORECASE)
# A bundler turns `import "x.css"` (calcite-components does it) into a stylesheet on the page; a
# browser refuses CSS as a module script, so the server answers such a request with this module.
CSS_AS_MODULE = (b'const link = document.createElement("link");\n'
                 b'link.rel = "stylesheet";\nlink.href = import.meta.url;\ndocument.head.append(link);\n')
MIME_TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".json": "application/json",
              ".wasm": "application/wasm", ".css": "text/css", ".html": "text/html", ".svg": "image/svg+xml"}


def require_sdk_module(relative: str) -> None:
    """Skip the calling test module when `@arcgis/core/<relative>` is not installed."""
    if not (NODE_MODULES / "@arcgis" / "core" / relative).is_file():  # pragma: no cover
        pytest.skip(f"{NODE_MODULES} lacks @arcgis/core: run scripts/install-test-deps", allow_module_level=True)


# ---------------------------------------------------------------- import map
def _split(specifier: str) -> tuple[str, str]:
    parts = specifier.split("/")
    size = 2 if specifier.startswith("@") else 1
    return "/".join(parts[:size]), "/".join(parts[size:])


def _pick(target: Any, star: str | None = None) -> str | None:
    """The first target of an `exports` entry whose condition a browser module loader meets."""
    if isinstance(target, str):
        return target.replace("*", star) if star is not None else target
    options = target if isinstance(target, list) else [v for k, v in (target or {}).items() if k in CONDITIONS]
    for option in options:
        found = _pick(option, star)
        if found:
            return found
    return None


def _match_exports(exports: Any, subpath: str) -> str | None:
    if not isinstance(exports, dict) or not any(key.startswith(".") for key in exports):
        exports = {".": exports}
    if subpath in exports:
        return _pick(exports[subpath])
    patterns = [key for key in exports if "*" in key]
    for key in sorted(patterns, key=lambda k: -len(k.split("*")[0])):
        before, after = key.split("*", 1)
        if subpath.startswith(before) and subpath.endswith(after) and len(subpath) >= len(before) + len(after):
            return _pick(exports[key], subpath[len(before):len(subpath) - len(after)])
    return None


def resolve_bare(root: Path, specifier: str) -> Path | None:
    """The file a bundler would take for `specifier`, or None."""
    name, sub = _split(specifier)
    manifest = root / name / "package.json"
    if not manifest.is_file():
        return None
    meta = json.loads(manifest.read_text("utf-8"))
    if "exports" in meta:
        target = _match_exports(meta["exports"], f"./{sub}" if sub else ".")
    else:
        target = sub or meta.get("module") or meta.get("main") or "index.js"
    path = (root / name / target).resolve() if target else None
    return path if path is not None and path.is_file() else None


@functools.cache
def import_map(root: Path = NODE_MODULES, entries: tuple[str, ...] = SDK_ENTRIES) -> dict[str, Any]:
    """An import map for the modules reachable from `entries` (static and literal dynamic imports)."""
    root = root.resolve()
    imports: dict[str, str] = {"@arcgis/core/": "/node_modules/@arcgis/core/"}
    todo, seen = [root / entry for entry in entries], set()
    while todo:
        path = todo.pop()
        if path in seen or not path.is_file():
            continue
        seen.add(path)
        for match in IMPORT_RE.finditer(path.read_text("utf-8", errors="replace")):
            specifier = match.group(1) or match.group(2)
            if specifier.startswith("."):
                todo.append((path.parent / specifier).resolve())
            elif BARE_RE.match(specifier) and specifier not in imports and not specifier.startswith("@arcgis/core/"):
                target = resolve_bare(root, specifier)
                if target is not None:
                    imports[specifier] = "/node_modules/" + target.relative_to(root).as_posix()
                    todo.append(target)
    return {"imports": imports}


# ---------------------------------------------------------------- the server
class _Handler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, **MIME_TYPES}
    page = b""

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        if path in ("/", "/index.html"):
            self._send(self.page, "text/html; charset=utf-8")
        elif path.endswith(".css") and self.headers.get("Sec-Fetch-Dest") == "script":
            self._send(CSS_AS_MODULE, "text/javascript")
        else:
            super().do_GET()

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def translate_path(self, path: str) -> str:
        translated = super().translate_path(path)  # under WEBAPP_DIR, with ".." and the like dropped
        if path.startswith("/node_modules/"):
            return str(NODE_DIR) + translated[len(str(WEBAPP_DIR)):]
        return translated

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        pass  # every module is one request: hundreds of lines of noise


@contextmanager
def serve_webapp() -> Iterator[str]:
    """Serve the web app on a free loopback port; yields its origin (`http://127.0.0.1:<port>`)."""
    page = (WEBAPP_DIR / "index.html").read_text("utf-8").replace("__IMPORT_MAP__", json.dumps(import_map()))
    handler = type("Handler", (_Handler,), {"page": page.encode("utf-8")})
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(WEBAPP_DIR)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="webapp-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
