"""Built-in roles and the privileges they grant (sharing-api.md §4.9)."""

from __future__ import annotations

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
    "portal:user:viewTracks", "portal:user:addExternalMembersToGroup", "portal:publisher:registerDataStores",
    "portal:publisher:bulkPublishFromDataStores", "features:user:fullEdit", "features:user:manageVersions",
    "premium:user:geoenrichment", "premium:user:featurereport", "premium:publisher:geoanalytics",
    "premium:publisher:rasteranalysis", "marketplace:admin:purchase", "marketplace:admin:startTrial",
    "marketplace:admin:manage", "opendata:user:openDataAdmin", "opendata:user:designateGroup",
)
ADMIN = (*PUBLISHER, *ADMIN_ONLY)

BUILT_IN_ROLES = {"org_admin": ADMIN, "org_publisher": PUBLISHER, "org_user": USER}
VIEWER_ROLE_ID = "iAAAAAAAAAAAAAAA"
DATA_EDITOR_ROLE_ID = "iBBBBBBBBBBBBBBB"


def privileges_for(role: str, role_id: str | None) -> list[str]:
    if role_id == VIEWER_ROLE_ID:
        return list(VIEWER)
    if role_id == DATA_EDITOR_ROLE_ID:
        return list(DATA_EDITOR)
    return list(BUILT_IN_ROLES.get(role, USER))
