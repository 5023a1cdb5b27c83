"""What a handler receives: the coerced parameters, the caller, and the request's URLs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from geoshare.domain.principal import Principal
from geoshare.domain.services import Services
from geoshare.http.auth import client_ip
from geoshare.http.operations import Operation
from geoshare.http.origins import Origins, origins_for


@dataclass
class Ctx:
    request: Request
    svc: Services
    op: Operation
    params: dict[str, Any]
    path_params: dict[str, str]
    principal: Principal
    mount_prefix: str  # e.g. /portal/sharing/rest, as the request spelled it
    # Lower-cased names of every parameter the request carried, empty ones included: `params`
    # hands absent and empty alike over as None, and clearEmptyFields must tell them apart.
    supplied: frozenset[str] = frozenset()

    @property
    def client_ip(self) -> str | None:
        return client_ip(self.request, self.svc.settings.trusted_proxy_set)

    @property
    def referer(self) -> str | None:
        return self.request.headers.get("referer")

    @property
    def is_https(self) -> bool:
        return self.request.url.scheme == "https"

    @property
    def origins(self) -> Origins:
        return origins_for(self.svc.settings)

    @property
    def host(self) -> str:
        """host[:port] for URLs in answers: the request's Host only when it names one of the
        portal's own origins (else a forged Host would rewrite owningSystemUrl and the like)."""
        return self.origins.host(self.request.url.scheme, self.request.headers.get("host"))

    def base_url(self, scheme: str | None = None) -> str:
        return self.origins.base_url(scheme or self.request.url.scheme, self.request.headers.get("host"))

    @property
    def portal_url(self) -> str:
        """The portal's web context URL, e.g. https://host:7443/portal."""
        return f"{self.base_url()}/{self.svc.settings.portal_context.strip('/')}"

    @property
    def sharing_url(self) -> str:
        return f"{self.portal_url}/sharing/rest"

    @property
    def server_url(self) -> str:
        return f"{self.base_url()}/{self.svc.settings.server_context.strip('/')}"

    def param(self, name: str) -> Any:
        return self.params.get(name)
