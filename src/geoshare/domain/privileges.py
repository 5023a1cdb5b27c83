"""Privileges, the built-in roles that grant them, and the requirements operations declare
(sharing-api.md §4.9, portal-admin-api.md §1.5).

Nothing in geoshare asks which role a caller holds: every check asks for privileges.  A "full
administrator" is whoever holds every administrative privilege, which the built-in
Administrator role grants; a custom role holding some of them is a partial administrator.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

VIEWER = (
    "portal:user:joinGroup", "portal:user:viewOrgGroups", "portal:user:viewOrgItems", "portal:user:viewOrgUsers",
)
DATA_EDITOR = (*VIEWER, "features:user:edit")
USER = (
    *DATA_EDITOR,
    "portal:user:createGroup", "portal:user:createItem", "portal:user:shareToGroup", "portal:user:shareToOrg",
    "portal:user:shareToPublic", "portal:user:shareGroupToOrg", "portal:user:shareGroupToPublic",
    "portal:user:joinNonOrgGroup", "premium:user:geocode", "premium:user:networkanalysis",
    "premium:user:spatialanalysis", "premium:user:elevation", "premium:user:demographics",
)
PUBLISHER = (
    *USER,
    "portal:publisher:publishFeatures", "portal:publisher:publishTiles", "portal:publisher:publishScenes",
    "portal:publisher:publishServerServices", "portal:publisher:publishServerGPServices",
    "portal:publisher:publishDynamicImagery", "portal:publisher:publishTiledImagery",
)
ADMIN_ONLY = (
    "portal:admin:viewUsers", "portal:admin:updateUsers", "portal:admin:deleteUsers", "portal:admin:inviteUsers",
    "portal:admin:disableUsers", "portal:admin:changeUserRoles", "portal:admin:manageLicenses",
    "portal:admin:updateMemberCategorySchema", "portal:admin:viewGroups", "portal:admin:updateGroups",
    "portal:admin:deleteGroups", "portal:admin:reassignGroups", "portal:admin:assignToGroups",
    "portal:admin:manageEnterpriseGroups", "portal:admin:createUpdateCapableGroup",
    "portal:admin:createLeavingDisallowedGroup", "portal:admin:viewItems", "portal:admin:updateItems",
    "portal:admin:deleteItems", "portal:admin:reassignItems", "portal:admin:shareToGroup",
    "portal:admin:shareToOrg", "portal:admin:shareToPublic", "portal:admin:categorizeItems",
    "portal:admin:updateItemCategorySchema", "portal:admin:manageSecurity", "portal:admin:manageWebsite",
    "portal:admin:manageRoles", "portal:admin:manageCredits", "portal:admin:manageCollaborations",
    "portal:admin:manageUtilityServices", "portal:admin:manageServers", "portal:user:categorizeItems",
    "portal:user:viewTracks", "portal:user:addExternalMembersToGroup",
    "portal:user:invitePartneredCollaborationMembers", "portal:publisher:registerDataStores",
    "portal:publisher:bulkPublishFromDataStores", "portal:publisher:createDataPipelines", "features:user:fullEdit", "features:user:manageVersions",
    "premium:user:geoenrichment", "premium:user:featurereport", "premium:publisher:geoanalytics",
    "premium:publisher:rasteranalysis", "marketplace:admin:purchase", "marketplace:admin:startTrial",
    "marketplace:admin:manage", "opendata:user:openDataAdmin", "opendata:user:designateGroup",
)
ADMIN = (*PUBLISHER, *ADMIN_ONLY)
# Every privilege geoshare knows by name: the Administrator holds them all (sharing-api.md §4.9);
# setPrivileges also stores unknown ones verbatim.
KNOWN = frozenset(ADMIN)
# The administrative privileges proper: holding all of them is what makes a full administrator.
ADMIN_PRIVILEGES = frozenset(p for p in ADMIN if ":admin:" in p)

BUILT_IN_ROLES = {"org_admin": ADMIN, "org_publisher": PUBLISHER, "org_user": USER}
VIEWER_ROLE_ID = "iAAAAAAAAAAAAAAA"
DATA_EDITOR_ROLE_ID = "iBBBBBBBBBBBBBBB"
BUILT_IN_ROLE_IDS = {VIEWER_ROLE_ID: VIEWER, DATA_EDITOR_ROLE_ID: DATA_EDITOR}


def privileges_for(role: str, role_id: str | None, custom: Iterable[str] | None = None) -> list[str]:
    """A user's privileges: a custom role's own list, a built-in role id's, else the role's."""
    if custom is not None:
        return list(custom)
    if is_custom_role_id(role_id):
        # A custom role whose row cannot be found grants nothing: failing closed, never falling
        # back to the `role` column (holders of administrative custom roles store org_admin).
        return []
    if role_id in BUILT_IN_ROLE_IDS:
        return list(BUILT_IN_ROLE_IDS[role_id])
    return list(BUILT_IN_ROLES.get(role, USER))


def is_custom_role_id(role_id: str | None) -> bool:
    return role_id is not None and role_id not in BUILT_IN_ROLE_IDS


def has_admin(privileges: Iterable[str]) -> bool:
    """Holds at least one administrative privilege (portal:admin:*, marketplace:admin:*)."""
    return any(":admin:" in p for p in privileges)


def base_role(privileges: Iterable[str]) -> str:
    """The built-in role a custom role reports as `role` (sharing-api.md §4.1): administrative
    privileges make it org_admin, publishing ones org_publisher, anything else org_user."""
    held = set(privileges)
    if has_admin(held):
        return "org_admin"
    if any(p.startswith("portal:publisher:") for p in held):
        return "org_publisher"
    return "org_user"


def is_full_admin(privileges: Iterable[str]) -> bool:
    return ADMIN_PRIVILEGES <= set(privileges)


# ------------------------------------------------------------------ declared requirements
SPECIAL = {
    "public": "anyone, signed in or not",
    "user": "any signed-in member",
    "any-admin": "any administrative privilege (portal:admin:*)",
    "full-admin": "every administrative privilege (a full administrator)",
    "site-admin": "a full administrator of the default organization",
    "server-publisher": "ADMINISTER or PUBLISH on the server site",
    "server-admin": "ADMINISTER on the server site",
}


@dataclass(frozen=True)
class Requirement:
    """What an operation demands of its caller, parsed from the table's `permission` text:
    one of SPECIAL, a privilege, `a & b` (all of them) or `a | b` (any of them)."""

    text: str
    all_of: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> Requirement:
        text = " ".join(text.split())
        if text in SPECIAL:
            return cls(text)
        if "&" in text and "|" in text:
            raise ValueError(f"mixed & and | in {text!r}")
        parts = tuple(p.strip() for p in text.replace("&", "|").split("|"))
        unknown = [p for p in parts if p not in KNOWN]
        if unknown:
            raise ValueError(f"unknown privileges {unknown}")
        return cls(text, all_of=parts) if "&" in text else cls(text, any_of=parts)

    @property
    def signed_in(self) -> bool:
        return self.text != "public"

    @property
    def privileges(self) -> tuple[str, ...]:
        return self.all_of or self.any_of

    def describe(self) -> str:
        if self.text in SPECIAL:
            return SPECIAL[self.text]
        joiner = " and " if self.all_of else " or "
        return joiner.join(self.privileges)

    def admits_privileges(self, held: frozenset[str]) -> bool:
        """For the privilege forms only; SPECIAL forms are decided by the caller's Principal."""
        if self.all_of:
            return all(p in held for p in self.all_of)
        return any(p in held for p in self.any_of)


# ------------------------------------------------------------------ user types (licences)
USER_TYPES = ("creatorUT", "editorUT", "viewerUT", "fieldWorkerUT", "GISProfessionalBasicUT",
              "GISProfessionalStdUT", "GISProfessionalAdvUT")
USER_TYPE_ALIASES = {"contributorut": "editorUT", "mobileworkerut": "fieldWorkerUT",
                     **{t.lower(): t for t in USER_TYPES}}
# Legacy and short role names the help's scripts and older clients send (sharing-api.md §4.7).
ROLE_ALIASES = {"account_user": "org_user", "account_publisher": "org_publisher", "account_admin": "org_admin",
                "user": "org_user", "publisher": "org_publisher", "admin": "org_admin",
                "administrator": "org_admin", "viewer": VIEWER_ROLE_ID, "data editor": DATA_EDITOR_ROLE_ID,
                "org_user": "org_user", "org_publisher": "org_publisher", "org_admin": "org_admin"}


def canonical_user_type(name: str | None) -> str | None:
    """The canonical spelling of a user type or one of its aliases, in any letter case; None when
    `name` names none."""
    if not name:
        return None
    return USER_TYPE_ALIASES.get(name.strip().lower())


def user_type_allows(user_type: str, privileges: Iterable[str]) -> bool:
    """Role/user-type compatibility (sharing-api.md §4.7): a Viewer user type may hold only
    viewing privileges, an Editor also editing ones; creator-class types may hold any role."""
    held = set(privileges)
    if user_type == "viewerUT":
        return held <= set(VIEWER)
    if user_type == "editorUT":
        return held <= set(DATA_EDITOR)
    return True
