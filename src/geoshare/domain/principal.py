"""Who is calling: anonymous, or a user of an organization signed in with a token."""

from __future__ import annotations

from dataclasses import dataclass

from geoshare.domain.privileges import privileges_for
from geoshare.storage.records import Org, Token, User


@dataclass(frozen=True)
class Principal:
    user: User | None = None
    org: Org | None = None
    token: Token | None = None

    @property
    def is_anonymous(self) -> bool:
        return self.user is None

    @property
    def username(self) -> str | None:
        return self.user.username if self.user else None

    @property
    def is_full_admin(self) -> bool:
        return self.user is not None and self.user.role == "org_admin" and self.user.role_id is None

    @property
    def privileges(self) -> frozenset[str]:
        if self.user is None:
            return frozenset()
        return frozenset(privileges_for(self.user.role, self.user.role_id))

    def has(self, privilege: str) -> bool:
        return privilege in self.privileges

    @property
    def server_privilege(self) -> str | None:
        """ADMINISTER / PUBLISH / ACCESS on the server site (server-admin-api.md §1.10)."""
        if self.user is None or self.org is None:
            return None
        if self.org.is_default and self.is_full_admin:
            return "ADMINISTER"
        if self.org.is_default and self.has("portal:publisher:publishServerServices"):
            return "PUBLISH"
        return "ACCESS"


ANONYMOUS = Principal()
