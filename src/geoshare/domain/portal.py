"""The organization and user documents the portal API returns (sharing-api.md §3.1, §4.1).

Which members a caller sees is decided here, not in HTTP code: anonymous and outsiders get the
public profile, members of the same organization the member view, the user and the
organization's administrators everything.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

from geoshare.domain import accounts
from geoshare.domain import privileges as privs
from geoshare.domain.principal import Principal
from geoshare.domain.services import Services
from geoshare.errors import NotFound
from geoshare.storage import orgs as org_store
from geoshare.storage.records import Org, User

PORTAL_NOT_FOUND = "Portal does not exist or is inaccessible."
CURRENT_VERSION = "2024.1"  # what an 11.x-era Portal reports; clients pick code paths by it
SERVER_VERSION = 11.3
SERVER_FULL_VERSION = "11.3.0"

LANGUAGES = [
    {"language": "English", "culture": "en", "localizedName": "English"},
    {"language": "French", "culture": "fr", "localizedName": "Français"},
    {"language": "German", "culture": "de", "localizedName": "Deutsch"},
    {"language": "Spanish", "culture": "es", "localizedName": "Español"},
    {"language": "Italian", "culture": "it", "localizedName": "Italiano"},
    {"language": "Portuguese (Brazil)", "culture": "pt-br", "localizedName": "Português (Brasil)"},
    {"language": "Japanese", "culture": "ja", "localizedName": "日本語"},
    {"language": "Chinese (Simplified)", "culture": "zh-cn", "localizedName": "简体中文"},
]
REGIONS = [
    {"region": "WO", "name": "World", "localizedName": "World"},
    {"region": "US", "name": "United States", "localizedName": "United States"},
    {"region": "CA", "name": "Canada", "localizedName": "Canada"},
    {"region": "GB", "name": "United Kingdom", "localizedName": "United Kingdom"},
    {"region": "FR", "name": "France", "localizedName": "France"},
    {"region": "DE", "name": "Germany", "localizedName": "Germany"},
    {"region": "ES", "name": "Spain", "localizedName": "Spain"},
    {"region": "AU", "name": "Australia", "localizedName": "Australia"},
    {"region": "JP", "name": "Japan", "localizedName": "Japan"},
]

PUBLIC_PROFILE = ("username", "fullName", "firstName", "lastName", "description", "tags", "culture", "region",
                  "units", "thumbnail", "created", "modified", "provider")
MEMBER_PROFILE = (*PUBLIC_PROFILE, "orgId", "access", "role", "level", "disabled")


def user_document(user: User, org: Org, role_privileges: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The full (self / administrator) view of a user.  `role_privileges`: the user's custom
    role's privileges, when the user holds one (it then reports its base role, §4.1)."""
    privileges = privs.privileges_for(user.role, user.role_id, role_privileges)
    doc: dict[str, Any] = {
        "username": user.username, "id": user.id, "fullName": user.full_name, "firstName": user.first_name,
        "lastName": user.last_name, "email": user.email, "description": user.description, "tags": list(user.tags),
        "culture": user.culture, "cultureFormat": user.culture_format, "region": user.region, "units": user.units,
        "thumbnail": user.thumbnail, "created": user.created, "modified": user.modified, "provider": user.provider,
        "access": user.access, "orgId": org.id,
        "role": privs.base_role(privileges) if role_privileges is not None else user.role,
        "privileges": privileges,
        "level": "1" if user.role_id == privs.VIEWER_ROLE_ID else "2",
        "userLicenseTypeId": user.user_license_type_id, "userType": "both", "disabled": user.disabled,
        "idpUsername": user.idp_username, "preferredView": user.preferred_view, "lastLogin": user.last_login,
        "mfaEnabled": False, "securityQuestionIdx": user.security_question_idx,
        "storageUsage": 0, "storageQuota": 2199023255552, "availableCredits": -1, "assignedCredits": -1,
        "groups": [], "categories": list(user.categories),
    }
    if user.role_id is not None:  # built-in roles carry no roleId (clients.md §4.1)
        doc["roleId"] = user.role_id
    return doc


def user_view(user: User, org: Org, viewer: Principal,
              role_privileges: tuple[str, ...] | None = None) -> dict[str, Any] | None:
    """What `viewer` may see of `user`; None when the profile is hidden from them.  The same rule,
    as SQL, is access.user_visible (searches and listings)."""
    full = user_document(user, org, role_privileges)
    same_org = viewer.user is not None and viewer.user.org_id == user.org_id
    if viewer.user is not None and (viewer.user.id == user.id or (same_org and viewer.has("portal:admin:viewUsers"))):
        return full
    if same_org and user.access in ("org", "public") and viewer.has("portal:user:viewOrgUsers"):
        return {k: full[k] for k in MEMBER_PROFILE}
    if user.access == "public":
        return {k: full[k] for k in PUBLIC_PROFILE}
    return None


def self_user(viewer: Principal) -> dict[str, Any]:
    """The caller's own user object without its `groups` (portals/self embeds this one)."""
    assert viewer.user is not None and viewer.org is not None
    doc = user_document(viewer.user, viewer.org, viewer.role_privileges)
    del doc["groups"]
    return doc


# The groups work supplies a user's `groups` list (the groups they belong to, each with the
# user's membership); until it is registered, nobody belongs to any group.
GroupsSource = Callable[[Connection, User], list[dict[str, Any]]]
_groups_source: list[GroupsSource] = [lambda conn, user: []]


def set_groups_source(source: GroupsSource) -> None:
    _groups_source[0] = source


def groups_of(conn: Connection, user: User) -> list[dict[str, Any]]:
    return _groups_source[0](conn, user)


# Stored organisation settings portals/{id} shows to whoever may read the organisation (the
# update parameters of organization.FIELDS kept in the settings JSON), and those only its website
# and security administrators see (sharing-api.md §3.1).  Anything else in the settings (the
# security policy, other features' records) is never shown here.
PUBLIC_SETTINGS = (
    "culture", "cultureFormat", "region", "units", "allSSL", "mfaEnabled", "maxTokenExpirationMinutes",
    "authorizedCrossOriginDomains", "allowedRedirectUris", "contacts", "defaultExtent", "defaultBasemap",
    "defaultVectorBasemap", "portalProperties", "helperServices", "informationalBanner", "featuredGroups",
    "rotatorPanels", "basemapGalleryGroupQuery", "vectorBasemapGalleryGroupQuery", "templatesGroupQuery",
    "galleryTemplatesGroupQuery", "featuredItemsGroupQuery", "layerTemplatesGroupQuery", "symbolSetsGroupQuery",
    "colorSetsGroupQuery", "stylesGroupQuery", "analysisLayersGroupQuery", "livingAtlasGroupQuery",
    "homePageFeaturedContent", "featuredGroupsId", "backgroundImage", "bingKey", "helpBase",
    "homePageFeaturedContentCount", "defaultUserCreditAssignment", "metadataFormats", "useVectorBasemaps",
    "useStandardizedQuery", "commentsEnabled", "metadataEditable", "showHomePageDescription",
)
# What an anonymous caller still learns of a private organization (enough for a sign-in page).
PRIVATE_ANONYMOUS_SETTINGS = ("culture", "cultureFormat", "region", "units", "allSSL")
ADMIN_SETTINGS = ("portal:admin:manageWebsite", "portal:admin:manageSecurity")


def portal_defaults(public_base: str) -> dict[str, Any]:
    extent = {"type": "extent", "xmin": -20037507.0671618, "ymin": -11137346.4093162, "xmax": 20037507.0671618,
              "ymax": 18418386.3090785, "spatialReference": {"wkid": 102100}}
    return {
        "isPortal": True, "portalName": "geoshare Portal", "portalMode": "singletenant",
        "portalDeploymentType": "ArcGISEnterprise", "currentVersion": CURRENT_VERSION, "customBaseUrl": None,
        "allSSL": False, "canShareBingPublic": False, "supportsOAuth": True, "supportsHostedServices": False,
        "canSignInArcGIS": True, "canSignInIDP": False, "canSignInSocial": False, "canSignInOIDC": False,
        "culture": "en", "cultureFormat": "us", "region": "WO", "units": "english", "portalThumbnail": None,
        "defaultExtent": extent, "defaultBasemap": {}, "defaultVectorBasemap": {}, "useVectorBasemaps": False,
        "useStandardizedQuery": True, "helperServices": {}, "informationalBanner": {"enabled": False},
        "basemapGalleryGroupQuery": 'title:"Basemaps" AND owner:esri', "templatesGroupQuery": "",
        "featuredItemsGroupQuery": "", "featuredGroups": [], "rotatorPanels": [], "portalProperties": {},
        "maxTokenExpirationMinutes": -1, "commentsEnabled": True, "notificationsEnabled": False,
        "metadataEditable": False, "metadataFormats": [], "authorizedCrossOriginDomains": [],
        "allowedRedirectUris": [], "mfaEnabled": False, "contacts": [], "hasCategorySchema": False,
        "hasClassificationSchema": False, "eueiEnabled": False, "isHubEnabled": False, "canListApps": False,
        "canListData": False, "canListPreProvisionedItems": False, "canProvisionDirectPurchase": False,
        "subscriptionInfo": {}, "staticImagesUrl": f"{public_base}/home/images",
        "helpBase": f"{public_base}/portalhelp/en/portal/", "ipCntryCode": "",
    }


def portal_document(org: Org, viewer: Principal, *, host_path: str, public_base: str, port: int) -> dict[str, Any]:
    """portals/self and portals/{id}: the organization as `viewer` sees it.  Anonymous callers of a
    private organization get the reduced document a sign-in page needs."""
    is_member = viewer.user is not None and viewer.user.org_id == org.id
    shown = PRIVATE_ANONYMOUS_SETTINGS if org.access == "private" and not is_member else PUBLIC_SETTINGS
    doc: dict[str, Any] = {
        **portal_defaults(public_base),
        "id": org.id, "name": org.name, "description": org.description if shown is PUBLIC_SETTINGS else None,
        "portalHostname": host_path, "urlKey": org.url_key, "urlHostname": org.url_hostname,
        "access": org.access, "httpPort": port, "httpsPort": port, "canSharePublic": org.can_share_public,
        "canSearchPublic": org.can_search_public, "thumbnail": org.thumbnail, "created": org.created,
        "modified": org.modified,
        **{k: org.settings[k] for k in shown if k in org.settings},
    }
    if is_member and any(viewer.admin_of(org.id, p) for p in ADMIN_SETTINGS):
        doc.update({"allowedOrigins": list(org.settings.get("allowedOrigins") or []),
                    "mfaAdmins": list(org.settings.get("mfaAdmins") or []), "storageQuota": -1, "storageUsage": 0,
                    "databaseQuota": -1, "databaseUsage": 0, "availableCredits": -1,
                    "defaultUserCreditAssignment": org.settings.get("defaultUserCreditAssignment", -1)})
    if is_member:
        doc["user"] = self_user(viewer)
    return doc


def own_org(viewer: Principal, portal_id: str) -> Org:
    """`portals/{portal}` of an administrative operation: `self` or the caller's own organization
    id; any other id is as unknown as a missing one (admin powers stop at the organization)."""
    if viewer.org is not None and portal_id.lower() in ("self", viewer.org.id.lower()):
        return viewer.org
    raise NotFound(PORTAL_NOT_FOUND, [])


async def portal_for(svc: Services, viewer: Principal, portal_id: str) -> Org:
    """Resolve `self` or an organization id to the organization the caller may read."""
    if portal_id.lower() == "self":
        if viewer.org is not None:
            return viewer.org
        return await accounts.default_org(svc)
    org = await svc.db.read(org_store.org_by_id, portal_id)
    if org is None:
        raise NotFound(PORTAL_NOT_FOUND, [])
    member = viewer.org is not None and viewer.org.id == org.id
    if not member and org.access != "public" and not org.is_default:  # the default one is `self` to anyone
        raise NotFound(PORTAL_NOT_FOUND, [])
    return org
