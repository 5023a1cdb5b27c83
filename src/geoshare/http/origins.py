"""The portal's own origins, decided from configuration and never from a request header.

An origin is `scheme://host[:port]` as a browser writes it in `Origin` (lower case, IPv6 in
brackets, default ports left out).  The own origins are:

* `--public-url`'s origin, when it is set (a reverse proxy in front);
* otherwise http and https on the listening port for the listening host: for a loopback
  address every loopback name (localhost, 127.0.0.1, [::1]); for a wildcard address (0.0.0.0,
  ::) also the machine's host name, fully qualified name and their addresses;
* plus every `--allowed-hosts` entry, on http and https.

They decide three things: which `Host` a URL geoshare writes may name (anything else gets
the canonical host), which OAuth redirect URIs need no registration, and which `Origin`
makes a request same-origin for the session cookie.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from geoshare.settings import Settings

LOOPBACK = ("localhost", "127.0.0.1", "::1")
WILDCARD = ("0.0.0.0", "::", "")  # noqa: S104 - names of the wildcard address, not a bind
SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}


def host_literal(host: str) -> str:
    """A host as it appears in a URL: lower case, IPv6 addresses in brackets."""
    host = host.strip().lower().strip("[]")  # pragma: no mutate - a bracketed IPv6 address comes back as it was
    try:
        if ipaddress.ip_address(host).version == 6:
            return f"[{host}]"
    except ValueError:
        pass
    return host


def origin(scheme: str, host: str, port: int | None) -> str:
    scheme = scheme.lower()
    shown = "" if port is None or DEFAULT_PORTS.get(scheme) == port else f":{port}"
    return f"{scheme}://{host_literal(host)}{shown}"


def origin_of(url: str) -> str | None:
    """The origin of an absolute http(s) URL; None for anything else, or one with a user part."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in SCHEMES or not parts.hostname or "@" in parts.netloc:
        return None
    return origin(parts.scheme, parts.hostname, port)


@dataclass(frozen=True)
class Origins:
    own: frozenset[str]
    canonical_host: str  # host[:port] used when the request's Host is not one of ours
    public_base: str  # --public-url without its trailing slash, or ""

    def is_own(self, value: str | None) -> bool:
        """Is `value` (an Origin header or any URL) one of the portal's own origins?"""
        found = origin_of(value) if value else None
        return found is not None and found in self.own

    def host(self, scheme: str, host_header: str | None) -> str:
        """host[:port] for URLs written in an answer: the request's, if it names one of ours."""
        if self.public_base:
            return urlsplit(self.public_base).netloc
        if host_header and self.is_own(f"{scheme}://{host_header}"):
            return host_header.lower()
        return self.canonical_host

    def base_url(self, scheme: str, host_header: str | None) -> str:
        if self.public_base:
            return self.public_base
        return f"{scheme}://{self.host(scheme, host_header)}"


def _names_for(listen_host: str) -> list[str]:
    """Host names and addresses by which the listening socket is reached."""
    host = listen_host.strip().lower().strip("[]")  # pragma: no mutate - lowered first: no X to strip
    if host in LOOPBACK:
        return [host, *(name for name in LOOPBACK if name != host)]
    if host not in WILDCARD:
        return [host]
    return [*_machine_names(), *LOOPBACK]


@functools.lru_cache(maxsize=1)
def _machine_names() -> tuple[str, ...]:
    """The machine's host name, FQDN and their addresses; looked up once per process."""
    names = [socket.gethostname(), socket.getfqdn()]
    found: list[str] = []
    for name in names:
        found.append(name)
        try:
            found.extend(str(info[4][0]) for info in socket.getaddrinfo(name, None))
        except OSError:  # a host name that does not resolve adds only itself
            continue
    return tuple(dict.fromkeys(n.lower().split("%")[0] for n in found if n))


def _allowed_hosts(raw: str, port: int) -> list[tuple[str, int | None]]:
    """--allowed-hosts entries: `host:port` is that port only; a bare `host` is reached
    either through a proxy on the default ports or directly on the listening port."""
    entries: list[tuple[str, int | None]] = []
    for entry in (e.strip() for e in raw.split(",")):
        if not entry:
            continue
        parts = urlsplit(f"//{entry}")
        try:
            given = parts.port
        except ValueError:
            given = None  # pragma: no mutate - read as "no port", as any false value would be
        if parts.hostname:
            entries += [(parts.hostname, given)] if given else [(parts.hostname, None), (parts.hostname, port)]
    return entries


def _every_scheme(hosts: Iterable[tuple[str, int | None]]) -> frozenset[str]:
    return frozenset(origin(scheme, host, port) for host, port in hosts for scheme in SCHEMES)


@functools.lru_cache(maxsize=16)
def origins_for(settings: Settings) -> Origins:
    """The own origins of a configuration (settings are immutable, so computed once)."""
    extra = _every_scheme(_allowed_hosts(settings.allowed_hosts, settings.port))
    public = settings.public_url.strip().rstrip("/")
    public_origin = origin_of(public) if public else None
    if public_origin:
        return Origins(own=frozenset({public_origin}) | extra, canonical_host=urlsplit(public).netloc.lower(),
                       public_base=public)
    names = _names_for(settings.host)
    listening = _every_scheme((name, settings.port) for name in names)
    canonical = urlsplit(origin("http", names[0], settings.port)).netloc
    return Origins(own=listening | extra, canonical_host=canonical, public_base="")
