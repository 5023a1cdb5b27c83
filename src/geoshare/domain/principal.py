"""Who is calling: anonymous, or a user of an organization signed in with a token."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from geoshare.domain import privileges as privs
from geoshare.storage.records import Org, Token, User


@dataclass(frozen=True)
class Principal:
    user: User | None = None
    org: Org | None = None
    token: Token | None = None
    # The privileges of the user's custom role, when the user holds one (loaded with the token).
    role_privileges: tuple[str, ...] | None = None

    @property
    def is_anonymous(self) -> bool:
        return self.user is None

    @property
    def username(self) -> str | None:
        return self.user.username if self.user else None

    @cached_property
    def privileges(self) -> frozenset[str]:
        if self.user is None:
            return frozenset()
        return frozenset(privs.privileges_for(self.user.role, self.user.role_id, self.role_privileges))

    def has(self, privilege: str) -> bool:
        return privilege in self.privileges

    @property
    def is_full_admin(self) -> bool:
        """Holds every administrative privilege (the built-in Administrator role, or a custom
        role granted all of them)."""
        return privs.is_full_admin(self.privileges)

    @property
    def is_any_admin(self) -> bool:
        return privs.has_admin(self.privileges)

    @property
    def is_site_admin(self) -> bool:
        """A full administrator of the default organization: administers the deployment."""
        return self.is_full_admin and self.org is not None and self.org.is_default

    def admin_of(self, org_id: str, privilege: str) -> bool:
        """Holds `privilege` as a member of organization `org_id` (admin powers stop at the org)."""
        return self.user is not None and self.user.org_id == org_id and self.has(privilege)

    @property
    def server_privilege(self) -> str | None:
        """ADMINISTER / PUBLISH / ACCESS on the server site (server-admin-api.md §1.10)."""
        if self.user is None or self.org is None:
            return None
        if self.is_site_admin:
            return "ADMINISTER"
        if self.org.is_default and self.has("portal:publisher:publishServerServices"):
            return "PUBLISH"
        return "ACCESS"

    def admits(self, requirement: privs.Requirement) -> bool:
        """Does this caller meet an operation's declared requirement?"""
        special = {
            "public": True, "user": not self.is_anonymous, "any-admin": self.is_any_admin,
            "full-admin": self.is_full_admin, "site-admin": self.is_site_admin,
            "server-publisher": self.server_privilege in ("ADMINISTER", "PUBLISH"),
            "server-admin": self.server_privilege == "ADMINISTER",
        }
        if requirement.text in special:
            return special[requirement.text]
        return requirement.admits_privileges(self.privileges)


ANONYMOUS = Principal()
