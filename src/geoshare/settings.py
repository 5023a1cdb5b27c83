"""Every setting of geoshare, declared once: name, type, default and help.

The same table feeds the command line (`geoshare serve --data-dir ...`), the environment
(`GEOSHARE_DATA_DIR=...`) and the documentation (`docs/configuration.md` is checked against
it by a test).  An unknown `GEOSHARE_*` variable stops start-up, so a typo never goes unseen.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ENV_PREFIX = "GEOSHARE_"
# Read by single CLI commands (never settings of the server), so start-up does not refuse them.
COMMAND_ENV = frozenset({"GEOSHARE_NEW_PASSWORD", "GEOSHARE_NEW_ORG_ADMIN_PASSWORD"})


@dataclass(frozen=True)
class SettingSpec:
    name: str
    type: type
    default: Any
    help: str
    secret: bool = False


SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec("data_dir", str, "./geoshare-data", "Directory for the database, blobs and TLS certificate; created if missing."),
    SettingSpec("host", str, "127.0.0.1", "Interface to listen on (0.0.0.0 for every interface)."),
    SettingSpec("port", int, 7443, "Port that serves both HTTP and HTTPS."),
    SettingSpec("admin_username", str, "admin", "Username of the first administrator, created at first start."),
    SettingSpec("admin_password", str, "", "Password of the first administrator; generated and printed once when empty.", secret=True),
    SettingSpec("org_name", str, "geoshare", "Name of the default organization created at first start."),
    SettingSpec("database_url", str, "", "SQLAlchemy URL; empty means SQLite at DATA_DIR/geoshare.db. PostgreSQL: postgresql+psycopg://user:pw@host/db."),
    SettingSpec("cert", str, "", "PEM certificate file for HTTPS; empty means a self-signed one generated into DATA_DIR/tls."),
    SettingSpec("key", str, "", "PEM private key file that goes with --cert."),
    SettingSpec("portal_context", str, "portal", "First path segment of the portal (the web adaptor name)."),
    SettingSpec("server_context", str, "arcgis", "First path segment of the server site."),
    SettingSpec("public_url", str, "", "Base URL clients use (https://gis.example.org); it is the portal's own origin in every URL geoshare writes. Empty: the listening address and --allowed-hosts."),
    SettingSpec("allowed_hosts", str, "", "Comma-separated extra host names (host or host:port) by which clients reach this server; their http and https origins count as the portal's own."),
    SettingSpec("log_level", str, "info", "Log level: debug, info, warning, error."),
    SettingSpec("access_log", bool, True, "Write one line per request (secrets redacted) to the log."),
    SettingSpec("argon2_time_cost", int, 5, "argon2id iterations for new password hashes (OWASP pairs 5 with 7168 KiB)."),
    SettingSpec("argon2_memory_kib", int, 7168, "argon2id memory in KiB for new password hashes (OWASP minimum set: 7168 KiB x 5)."),
    SettingSpec("lockout_attempts", int, 5, "Failed sign-ins within lockout_minutes that lock an account."),
    SettingSpec("lockout_minutes", int, 15, "Window for counting failures and length of the lock, in minutes."),
    SettingSpec("trusted_proxies", str, "", "Comma-separated addresses of reverse proxies whose X-Forwarded-For names the real client."),
    SettingSpec("strict_referer", bool, False, "Refuse referer-bound tokens on requests that carry no Referer header."),
    SettingSpec("max_body_bytes", int, 10 * 1024 * 1024, "Largest request body accepted by operations that take no file."),
    SettingSpec("max_upload_bytes", int, 2 * 1024 * 1024 * 1024,
                "Largest request body of the operations that take item data or files (addItem, item update, addPart, resources, info files)."),
    SettingSpec("max_param_chars", int, 65536, "Default longest value of a parameter that declares no limit of its own."),
    SettingSpec("max_header_bytes", int, 32 * 1024, "Largest request line plus headers, in bytes; a larger request gets 431."),
    SettingSpec("body_timeout", int, 30, "Seconds a request body may pause; after that many seconds it must also average 1 KiB/s, or the request gets 408."),
    SettingSpec("sign_in_per_address", int, 8, "Password checks one client address may have in progress at once; more are answered busy."),
    SettingSpec("hsts_seconds", int, 31536000, "max-age of Strict-Transport-Security on HTTPS answers when --cert is given; 0 sends none."),
    SettingSpec("oauth_allow_plain_pkce", bool, False, "Accept code_challenge_method=plain in OAuth (S256 only by default)."),
    SettingSpec("oauth_rotate_refresh_tokens", bool, False, "Issue a new refresh token on every refresh_token grant and revoke the old one (the clients of the portal keep reusing the first one; see the user guide)."),
    SettingSpec("search_total_limit", int, 25000, "Item search counts matches exactly up to this many; above it the reported total is this number (at least 10000)."),
    SettingSpec("item_fetch_hosts", str, "", "Comma-separated host names whose http(s) URLs addItem and update may fetch (dataUrl, thumbnailurl); empty: none, and such parameters are refused."),
)

_SPECS = {spec.name: spec for spec in SETTINGS}


class SettingsError(ValueError):
    """A setting has a wrong name or a value of the wrong type."""


@dataclass(frozen=True)
class Settings:
    data_dir: str = "./geoshare-data"
    host: str = "127.0.0.1"
    port: int = 7443
    admin_username: str = "admin"
    admin_password: str = field(default="", repr=False)
    org_name: str = "geoshare"
    database_url: str = ""
    cert: str = ""
    key: str = ""
    portal_context: str = "portal"
    server_context: str = "arcgis"
    public_url: str = ""
    allowed_hosts: str = ""
    log_level: str = "info"
    access_log: bool = True
    argon2_time_cost: int = 5
    argon2_memory_kib: int = 7168
    lockout_attempts: int = 5
    lockout_minutes: int = 15
    trusted_proxies: str = ""
    strict_referer: bool = False
    max_body_bytes: int = 10 * 1024 * 1024
    max_upload_bytes: int = 2 * 1024 * 1024 * 1024
    max_param_chars: int = 65536
    max_header_bytes: int = 32 * 1024
    body_timeout: int = 30
    sign_in_per_address: int = 8
    hsts_seconds: int = 31536000
    oauth_allow_plain_pkce: bool = False
    oauth_rotate_refresh_tokens: bool = False
    item_fetch_hosts: str = ""
    search_total_limit: int = 25_000

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir).expanduser().resolve()

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_path / 'geoshare.db'}"

    @property
    def trusted_proxy_set(self) -> frozenset[str]:
        return frozenset(p.strip() for p in self.trusted_proxies.split(",") if p.strip())

    @property
    def item_fetch_host_set(self) -> frozenset[str]:
        return frozenset(h.strip().lower() for h in self.item_fetch_hosts.split(",") if h.strip())

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")


def _coerce(spec: SettingSpec, raw: Any) -> Any:
    if spec.type is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off", ""):
            return False
        raise SettingsError(f"{spec.name}: expected true or false, got {raw!r}")
    if spec.type is int:
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise SettingsError(f"{spec.name}: expected an integer, got {raw!r}") from None
    return str(raw)


def load_settings(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Build settings: defaults, then GEOSHARE_* environment, then explicit overrides (CLI flags)."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for key, raw in env.items():
        if not key.startswith(ENV_PREFIX) or key.startswith(ENV_PREFIX + "TEST_") or key in COMMAND_ENV:
            continue
        name = key[len(ENV_PREFIX) :].lower()
        if name not in _SPECS:
            raise SettingsError(f"unknown setting in environment: {key}")
        values[name] = _coerce(_SPECS[name], raw)
    for name, raw in (overrides or {}).items():
        if raw is None:
            continue
        if name not in _SPECS:
            raise SettingsError(f"unknown setting: {name}")
        values[name] = _coerce(_SPECS[name], raw)
    settings = Settings(**values)
    _validate(settings)
    return settings


def _validate(settings: Settings) -> None:
    if not 0 < settings.port < 65536:
        raise SettingsError("port: must be between 1 and 65535")
    if settings.log_level.lower() not in ("debug", "info", "warning", "error"):
        raise SettingsError("log_level: one of debug, info, warning, error")
    for name in ("portal_context", "server_context"):
        value = getattr(settings, name)
        if "/" in value.strip("/"):
            raise SettingsError(f"{name}: a single path segment")
    if settings.portal_context.strip("/").lower() == settings.server_context.strip("/").lower():
        raise SettingsError("portal_context and server_context must differ")
    for name in ("max_header_bytes", "body_timeout", "sign_in_per_address"):
        if getattr(settings, name) < 1:
            raise SettingsError(f"{name}: must be at least 1")
    if settings.search_total_limit < 10_000:
        raise SettingsError("search_total_limit: must be at least 10000")
    if settings.hsts_seconds < 0:
        raise SettingsError("hsts_seconds: must not be negative")
    if settings.public_url:
        parts = urlsplit(settings.public_url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise SettingsError("public_url: an absolute http:// or https:// URL such as https://gis.example.org")
    if bool(settings.cert) != bool(settings.key):
        raise SettingsError("cert and key go together")


def settings_field_names() -> list[str]:
    return [f.name for f in fields(Settings)]
