"""Changing the organization: portals/{id}/update (sharing-api.md §3.2).

Every parameter the operation takes is declared once in `FIELDS`, with the Param kind the
operation table gives it, where it is stored (an `orgs` column, a key of the settings JSON, or
an entry of `helperServices`), which privilege changing it needs (the security-related ones
portal:admin:manageSecurity, the rest portal:admin:manageWebsite) and how its value is checked.
Only supplied parameters change; with clearEmptyFields=true a parameter supplied empty is
cleared.  Everything is checked before anything is written, and the write is one transaction:
a rejected call changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from geoshare.domain import images, org_checks
from geoshare.domain.portal import own_org
from geoshare.domain.principal import Principal
from geoshare.domain.services import Services, new_id
from geoshare.errors import Forbidden, InvalidParameter
from geoshare.storage import org_resources as resource_store
from geoshare.storage import orgs as org_store
from geoshare.storage import user_queries
from geoshare.storage.records import Org, OrgResource

MESSAGE = "Unable to update portal."
SECURITY = "portal:admin:manageSecurity"
WEBSITE = "portal:admin:manageWebsite"
Check = Callable[[str, Any], Any]


@dataclass(frozen=True)
class Field:
    name: str
    kind: str = "string"  # the Param kind the operation table declares
    check: Check = org_checks.same
    security: bool = False
    column: str | None = None  # an `orgs` column; otherwise a settings key
    helper: str | None = None  # an entry of settings["helperServices"]
    max_length: int | None = None
    choices: tuple[str, ...] | None = None
    help: str = ""


GROUP_QUERIES = ("basemapGalleryGroupQuery vectorBasemapGalleryGroupQuery templatesGroupQuery "
                 "galleryTemplatesGroupQuery featuredItemsGroupQuery layerTemplatesGroupQuery symbolSetsGroupQuery "
                 "colorSetsGroupQuery stylesGroupQuery analysisLayersGroupQuery livingAtlasGroupQuery")
# The update parameters that set one helper service (sharing-api.md §3.2) -> its helperServices key.
HELPERS = {"geocodeService": "geocode", "geometryService": "geometry", "printServiceTask": "printTask",
           "routeServiceLayer": "route", "closestFacilityService": "closestFacility",
           "serviceAreaService": "serviceArea", "trafficService": "traffic", "elevationService": "elevation",
           "elevationSyncService": "elevationSync", "hydrologyService": "hydrology", "asyncRouteService": "asyncRoute"}

FIELDS: tuple[Field, ...] = (
    Field("name", check=org_checks.name, column="name", max_length=250, help="Organization name (plain text)."),
    Field("access", security=True, column="access", choices=("public", "private"),
          help="private: anonymous callers are refused (sign-in resources excepted)."),
    Field("description", check=org_checks.description, column="description", help="HTML, cleaned (§9)."),
    Field("canSharePublic", "bool", security=True, column="can_share_public"),
    Field("canSearchPublic", "bool", security=True, column="can_search_public"),
    Field("urlKey", check=org_checks.url_key, column="url_key", max_length=63,
          help="Letters, digits and hyphens; unique among organizations."),
    Field("urlHostname", check=org_checks.hostname, column="url_hostname", max_length=253,
          help="A host name; unique among organizations."),
    Field("culture", check=org_checks.culture, max_length=16, help="A culture of portals/languages."),
    Field("cultureFormat", check=org_checks.culture_format, max_length=16),
    Field("region", check=org_checks.region, max_length=16, help="A region of portals/regions."),
    Field("units", choices=("english", "metric")),
    Field("allSSL", "bool", security=True),
    Field("mfaEnabled", "bool", security=True),
    Field("maxTokenExpirationMinutes", "int", org_checks.token_minutes, security=True,
          help="-1 (the server's maximum) or a number of minutes."),
    Field("allowedOrigins", "list", org_checks.origins, security=True,
          help="Origins (scheme://host[:port]) allowed to call with CORS; at most 100."),
    Field("authorizedCrossOriginDomains", "list", org_checks.origins, security=True),
    Field("allowedRedirectUris", "list", org_checks.redirect_uris, security=True,
          help="Absolute URIs OAuth may redirect to; at most 100."),
    Field("mfaAdmins", "list", org_checks.usernames, security=True),
    Field("contacts", "list", org_checks.usernames, help="Usernames of members to contact."),
    *(Field(n, "json", org_checks.json_object) for n in ("defaultExtent", "defaultBasemap", "defaultVectorBasemap",
                                                          "portalProperties", "helperServices", "informationalBanner")),
    *(Field(n, "json", org_checks.json_array) for n in ("featuredGroups", "rotatorPanels")),
    *(Field(name, "json", org_checks.json_array if key == "geocode" else org_checks.json_object, helper=key)
      for name, key in HELPERS.items()),
    *(Field(n, max_length=1024) for n in (*GROUP_QUERIES.split(), "homePageFeaturedContent", "featuredGroupsId")),
    *(Field(n, max_length=2048) for n in ("backgroundImage", "bingKey")),
    Field("helpBase", check=org_checks.http_url, max_length=2048),
    Field("homePageFeaturedContentCount", "int", org_checks.featured_count),
    Field("defaultUserCreditAssignment", "int", org_checks.credits),
    Field("metadataFormats", "list", org_checks.metadata_formats),
    *(Field(n, "bool") for n in ("useVectorBasemaps", "useStandardizedQuery", "commentsEnabled", "metadataEditable",
                                 "showHomePageDescription")),
)
BY_NAME = {f.name: f for f in FIELDS}
# Settings portals/self shows to the organization's website and security administrators only
# (the others are listed in portal.PUBLIC_SETTINGS; a test checks the two cover FIELDS).
ADMIN_ONLY_SETTINGS = ("allowedOrigins", "mfaAdmins")


@dataclass(frozen=True)
class PortalUpdate:
    """The parameters of one update call: the non-empty ones coerced by the operation table,
    the names of those supplied empty, and the thumbnail's bytes."""

    values: dict[str, Any]
    emptied: frozenset[str] = frozenset()
    thumbnail: bytes | None = None
    thumbnail_name: str | None = None  # text instead of a file: must repeat the stored name
    clear_empty: bool = False


def _require(viewer: Principal, org_id: str, names: set[str]) -> None:
    for name in sorted(names):
        needed = SECURITY if name in BY_NAME and BY_NAME[name].security else WEBSITE
        if not viewer.admin_of(org_id, needed):
            raise Forbidden(details=[f"Changing '{name}' needs the {needed} privilege."])


async def update_portal(svc: Services, viewer: Principal, portal_id: str, update: PortalUpdate) -> dict[str, Any]:
    """POST portals/{id}/update."""
    org = own_org(viewer, portal_id)
    if update.thumbnail_name is not None and update.thumbnail_name != org.thumbnail:
        raise InvalidParameter(MESSAGE, [
            "'thumbnail' must be a PNG, GIF or JPEG file; as text it can only repeat the current name."])
    supplied = {n: v for n, v in update.values.items() if n in BY_NAME and v is not None}
    cleared = {n for n in update.emptied if n in BY_NAME or n == "thumbnail"} - set(supplied) \
        if update.clear_empty else set()
    _require(viewer, org.id, set(supplied) | cleared | ({"thumbnail"} if update.thumbnail is not None else set()))
    changes = {name: BY_NAME[name].check(name, value) for name, value in supplied.items()}
    if "name" in cleared:
        raise InvalidParameter(MESSAGE, ["'name' must not be empty."])
    if not changes and not cleared and update.thumbnail is None:
        return {"success": True, "id": org.id}
    thumbnail = await _store_thumbnail(svc, org.id, update.thumbnail)
    try:
        stale = await svc.db.write(_apply, org.id, changes, cleared, thumbnail, svc.clock.now_ms())
    except BaseException:
        if thumbnail is not None:
            await svc.blobs.delete(thumbnail.blob)
        raise
    for blob in stale:  # only once no row refers to them any more
        await svc.blobs.delete(blob)
    return {"success": True, "id": org.id}


async def _store_thumbnail(svc: Services, org_id: str, data: bytes | None) -> OrgResource | None:
    """The thumbnail as the organization resource `thumbnail.<ext>`, its bytes already in the
    blob store under a fresh key (portals/self names it; resources/{key} serves it)."""
    if data is None:
        return None
    ext = images.check_thumbnail(data, message=MESSAGE)
    blob = f"orgs/{org_id}/resources/{new_id()}"
    await svc.blobs.put(blob, data)
    return OrgResource(org_id=org_id, key=f"thumbnail.{ext}", access="public", size=len(data), blob=blob,
                       created=svc.clock.now_ms())


def _apply(conn: Connection, org_id: str, changes: dict[str, Any], cleared: set[str],
           thumbnail: OrgResource | None, now: int) -> list[str]:
    """The update as one transaction; returns the blobs that no row refers to any more."""
    org = org_store.org_for_update(conn, org_id)
    assert org is not None  # the caller's own organization
    columns: dict[str, Any] = {}
    settings = dict(org.settings)
    for name, value in changes.items():
        _store(BY_NAME[name], _checked_in_db(conn, org, name, value), columns, settings)
    for name in sorted(cleared - {"thumbnail"}):
        _clear(BY_NAME[name], columns, settings)
    stale: list[str] = []
    if thumbnail is not None or "thumbnail" in cleared:
        stale = _replace_thumbnail(conn, org, thumbnail)
        columns["thumbnail"] = thumbnail.key if thumbnail is not None else None
    org_store.update_org(conn, org_id, settings=settings, modified=now, **columns)
    return stale


def _replace_thumbnail(conn: Connection, org: Org, thumbnail: OrgResource | None) -> list[str]:
    """Remove the current thumbnail's resource and put the new one (replacing a resource of its
    key, if there was one); returns the blobs those rows held."""
    stale: list[str] = []
    if org.thumbnail is not None:
        removed = resource_store.delete_resource(conn, org.id, org.thumbnail)
        stale += [removed.blob] if removed is not None else []
    if thumbnail is not None:
        replaced = resource_store.put_resource(conn, thumbnail)
        stale += [replaced.blob] if replaced is not None else []
    return stale


def _checked_in_db(conn: Connection, org: Org, name: str, value: Any) -> Any:
    """The checks that need the database: unique names, keys and host names; member usernames."""
    unique = {"name": "name", "urlKey": "url_key", "urlHostname": "url_hostname"}
    if name in unique and org_store.other_org_with(conn, org.id, unique[name], value):
        raise InvalidParameter(MESSAGE, [f"'{name}' is already used by another organization."])
    if name in ("contacts", "mfaAdmins"):
        found = user_queries.usernames_in_org(conn, org.id, value)
        missing = [u for u in value if u.lower() not in found]
        if missing:
            raise InvalidParameter(MESSAGE, [f"'{name}': not members of the organization: {', '.join(missing)}."])
        return [found[u.lower()] for u in value]
    return value


def _store(field: Field, value: Any, columns: dict[str, Any], settings: dict[str, Any]) -> None:
    if field.column is not None:
        columns[field.column] = value
    elif field.helper is not None:
        settings["helperServices"] = {**(settings.get("helperServices") or {}), field.helper: value}
    else:
        settings[field.name] = value


def _clear(field: Field, columns: dict[str, Any], settings: dict[str, Any]) -> None:
    """Back to the default: nullable columns become null, settings are dropped (portals/self then
    shows its default); booleans and choices have no empty value and stay as they are."""
    if field.column in ("description", "url_key", "url_hostname"):
        columns[field.column] = None
    elif field.helper is not None:
        settings["helperServices"] = {k: v for k, v in (settings.get("helperServices") or {}).items()
                                      if k != field.helper}
    elif field.column is None:
        settings.pop(field.name, None)
