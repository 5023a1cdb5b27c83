"""Organization resources (sharing-api.md §3.5): files an organization keeps (logos, custom
pages, configuration), and the small §3.7 resources clients read.

A resource is a row (key, access, size, created) and its bytes in the blob store under a key
geoshare makes up, never the caller's.  Adding writes the bytes first under a fresh blob key,
then the row (replacing a row of the same key); if the row cannot be written the new blob is
deleted, and a replaced blob is deleted only after the row no longer refers to it.  Public
resources are readable by whoever may read the organization; private ones by its holders of
portal:admin:manageWebsite, who alone add and remove them.
"""

from __future__ import annotations

import mimetypes
from typing import Any

from sqlalchemy import Connection

from geoshare.domain.organization import WEBSITE
from geoshare.domain.page_window import Window
from geoshare.domain.portal import own_org, portal_defaults, portal_for
from geoshare.domain.principal import Principal
from geoshare.domain.services import Services, new_id
from geoshare.errors import InvalidParameter, NotFound
from geoshare.storage import org_resources as resource_store
from geoshare.storage import orgs as org_store
from geoshare.storage.records import Org, OrgResource

ADD_MESSAGE = "Unable to add resource."
MAX_KEY = 512
MAX_SEGMENTS = 16  # resources/{key} routes keys of up to this many path segments
SERVICE_TYPES = ("Feature Service", "Map Service", "Image Service", "Scene Service", "Vector Tile Service")


def check_key(key: str, message: str = ADD_MESSAGE) -> str:
    """A relative path of plain segments: it is also the URL path resources/{key} serves."""
    segments = key.split("/")
    bad = (len(key) > MAX_KEY or len(segments) > MAX_SEGMENTS or key.startswith("/")
           or any(s in ("", ".", "..") for s in segments)
           or any(c in "\\?#" or ord(c) < 32 or ord(c) == 127 for c in key))
    if bad:
        raise InvalidParameter(message, [f"'key' is a file name or a relative path of at most {MAX_KEY} characters "
                                         f"and {MAX_SEGMENTS} segments, without '..', empty segments, '\\', '?' or '#'."])
    return key


def _sees_private(viewer: Principal, org: Org) -> bool:
    return viewer.admin_of(org.id, WEBSITE)


async def list_resources(svc: Services, viewer: Principal, portal_id: str, page: Window) -> dict[str, Any]:
    """GET portals/{id}/resources."""
    org = await portal_for(svc, viewer, portal_id)
    total, found = await svc.db.read(resource_store.resources_page, org.id, _sees_private(viewer, org),
                                     page.offset, page.limit)
    return {**page.answer(total),
            "resources": [{"key": r.key, "created": r.created, "size": r.size, "access": r.access} for r in found]}


async def get_resource(svc: Services, viewer: Principal, portal_id: str, key: str) -> tuple[bytes, str]:
    """GET portals/{id}/resources/{key}: the bytes and their media type (from the key's extension)."""
    org = await portal_for(svc, viewer, portal_id)
    resource = await svc.db.read(resource_store.resource_by_key, org.id, key)
    data = None
    if resource is not None and (resource.access == "public" or _sees_private(viewer, org)):
        data = await svc.blobs.get(resource.blob)
    if data is None:
        raise NotFound("Resource does not exist or is inaccessible.", code=404)
    return data, media_type(key)


def media_type(key: str) -> str:
    guessed = mimetypes.guess_type(key, strict=False)[0] or "application/octet-stream"
    return f"{guessed}; charset=utf-8" if guessed.startswith("text/") else guessed


async def add_resource(svc: Services, viewer: Principal, portal_id: str, key: str, data: bytes | None,
                       text: str | None, access: str) -> dict[str, Any]:
    """POST portals/{id}/addResource: a file or a text; replaces the resource of the same key.  Its
    size is bounded by the request body limit (max_body_bytes), which the server enforces first."""
    org = own_org(viewer, portal_id)
    check_key(key)
    if data is not None and text is not None:
        raise InvalidParameter(ADD_MESSAGE, ["Send either 'file' or 'text', not both."])
    body = data if data is not None else (text.encode("utf-8") if text is not None else None)
    if body is None:
        raise InvalidParameter(ADD_MESSAGE, ["'file' or 'text' must be specified."])
    resource = OrgResource(org_id=org.id, key=key, access=access, size=len(body),
                           blob=f"orgs/{org.id}/resources/{new_id()}", created=svc.clock.now_ms())
    await svc.blobs.put(resource.blob, body)
    try:
        replaced = await svc.db.write(resource_store.put_resource, resource)
    except BaseException:
        await svc.blobs.delete(resource.blob)
        raise
    if replaced is not None:
        await svc.blobs.delete(replaced.blob)
    return {"success": True}


async def remove_resource(svc: Services, viewer: Principal, portal_id: str, key: str) -> dict[str, Any]:
    """POST portals/{id}/removeResource (removing the organization's thumbnail also unsets it)."""
    org = own_org(viewer, portal_id)
    removed = await svc.db.write(_remove, org.id, key, svc.clock.now_ms())
    if removed is None:
        raise NotFound("Resource does not exist or is inaccessible.")
    await svc.blobs.delete(removed.blob)
    return {"success": True}


def _remove(conn: Connection, org_id: str, key: str, now: int) -> OrgResource | None:
    removed = resource_store.delete_resource(conn, org_id, key)
    org = org_store.org_by_id(conn, org_id)
    if removed is not None and org is not None and org.thumbnail == key:
        org_store.update_org(conn, org_id, thumbnail=None, modified=now)
    return removed


# ------------------------------------------------------------------ §3.7: small resources
def subscription_info(viewer: Principal, portal_id: str) -> dict[str, Any]:
    """A Portal has no subscription: no expiry, no user or credit limits."""
    org = own_org(viewer, portal_id)
    return {"id": org.id, "type": "Enterprise", "state": "active", "expDate": -1, "maxUsers": -1,
            "maxUsersPerLevel": {}, "userLicenseTypes": {}, "availableCredits": -1, "orgCapabilities": []}


async def portal_settings(svc: Services, viewer: Principal, portal_id: str) -> dict[str, Any]:
    """GET portals/{id}/settings: these four settings as portals/{id} reports them."""
    org = await portal_for(svc, viewer, portal_id)
    defaults = portal_defaults("")
    names = ("allowedRedirectUris", "defaultExtent", "helperServices", "informationalBanner")
    return {name: org.settings.get(name, defaults[name]) for name in names}


def service_name_available(viewer: Principal, portal_id: str, name: str) -> dict[str, Any]:
    """No services are hosted yet, so every well-formed name is free (the type, checked by the
    operation table, does not matter yet)."""
    own_org(viewer, portal_id)
    if not name.replace("_", "").isalnum() or not name.isascii():
        raise InvalidParameter("Unable to check the service name.",
                               ["'name' has letters, digits and underscores only."])
    return {"available": True}


def purchases(viewer: Principal, portal_id: str) -> dict[str, Any]:
    """Licences bought through the marketplace: none (both lists present, as user.delete() reads them)."""
    own_org(viewer, portal_id)
    return {"purchases": [], "trials": []}


def app_bundles(viewer: Principal, portal_id: str) -> dict[str, Any]:
    own_org(viewer, portal_id)
    return {"appBundles": [], "nextStart": -1}


def servers(viewer: Principal, portal_id: str) -> dict[str, Any]:
    """No server is federated with the portal yet (errata: the federation record decides)."""
    own_org(viewer, portal_id)
    return {"servers": []}
