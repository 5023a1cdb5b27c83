"""Items: add, read, update, delete and protect an item (sharing-api.md §6.4, §6.5, §6.7-6.9, §6.15)."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile
from starlette.responses import Response, StreamingResponse

from geoshare.domain import item_add, item_add_links, item_fields, item_reading
from geoshare.http.context import Ctx
from geoshare.http.conventions import SECURITY_HEADERS
from geoshare.http.operations import operation
from geoshare.http.params import Param

USER = "content/users/{user}"
ITEM = "content/items/{itemId}"
USER_ITEM = f"{USER}/items/{{itemId}}"
FOLDER_ITEM = f"{USER}/{{folderId}}/items/{{itemId}}"
MAX_TEXT = 10 * 1024 * 1024
FIELD_PARAMS = (
    Param("title", max_length=item_fields.MAX_TITLE * 4, help=f"At most {item_fields.MAX_TITLE} characters, plain text."),
    Param("type", max_length=128, help="One of the known item types (sharing-api.md §6.14)."),
    Param("typeKeywords", "list", help="Comma-separated or a JSON array; the type's defaults are added."),
    Param("description", max_length=MAX_TEXT, help="Limited HTML."),
    Param("snippet", max_length=item_fields.MAX_SNIPPET * 8, help=f"At most {item_fields.MAX_SNIPPET} characters."),
    Param("accessInformation", help="Credits, limited HTML."),
    Param("licenseInfo", help="Terms of use, limited HTML."),
    Param("tags", "list", help="Comma-separated or a JSON array."),
    Param("categories", "list", help="Comma-separated or a JSON array."),
    Param("extent", help="xmin,ymin,xmax,ymax in degrees, or JSON [[xmin,ymin],[xmax,ymax]] or {\"xmin\":...}."),
    Param("spatialReference", max_length=1024, help="Text, e.g. a WKID."),
    Param("culture", max_length=128, help="e.g. en-us."),
    Param("properties", help="JSON object."),
    Param("advancedSettings", help="JSON object."),
    Param("proxyFilter", help="JSON object."),
    Param("url", max_length=item_fields.MAX_URL, help="http or https URL of the service or page."),
    Param("commentsEnabled", "bool", help="Whether comments are taken."),
    Param("documentation", help="Limited HTML."),
    Param("serviceUsername", max_length=1024, help="User name for a secured service URL."),
    Param("servicePassword", "password", max_length=1024, help="Stored encrypted; never returned."),
    Param("serviceCredentialsType", max_length=64, help="basic, token, oauth2, windows or apikey."),
    Param("serviceProxyParams", help="JSON object (serviceProxyFilter is accepted as its alias)."),
    Param("serviceProxyFilter", help="Alias of serviceProxyParams."),
    *(Param(name, max_length=1024, help="Accepted and ignored.") for name in item_fields.IGNORED),
)
SOURCE_PARAMS = (
    Param("file", "file", help="The data file."),
    Param("text", max_length=MAX_TEXT, help="The data as text (JSON mostly)."),
    Param("dataUrl", max_length=item_fields.MAX_URL, help="Fetched as the data; allowed hosts only."),
    Param("filename", max_length=1024, help="File name of the data (multipart uploads)."),
    Param("fileName", max_length=1024, help="Same as filename."),
    Param("thumbnail", "file_or_name", max_length=255, help="PNG, GIF or JPEG image of at most 1 MB."),
    Param("thumbnailurl", max_length=item_fields.MAX_URL, help="Fetched as the thumbnail; allowed hosts only."),
    Param("metadata", "file", help="Metadata XML file."),
    Param("overwrite", "bool", help="Accepted and ignored."),
)
FIELD_NAMES = (*item_fields.FIELDS, *item_fields.ALIASES)


def given_fields(ctx: Ctx) -> dict[str, Any]:
    """The supplied item properties by their canonical names (None: supplied empty)."""
    return {name: ctx.params[name] for name in FIELD_NAMES if name.lower() in ctx.supplied}


def upload_of(value: Any) -> item_add.FileUpload | None:
    if not isinstance(value, UploadFile) or (not value.filename and not value.size):
        return None  # an empty file field of a form is no file
    return item_add.FileUpload(value.filename, value.content_type, value.file)


def sources_of(ctx: Ctx) -> item_add.Sources:
    p = ctx.params
    return item_add.Sources(
        file=upload_of(p["file"]), text=p["text"], data_url=p.get("dataUrl"), multipart=bool(p.get("multipart")),
        file_name=p["filename"] or p["fileName"], thumbnail=upload_of(p["thumbnail"]),
        thumbnail_url=p["thumbnailurl"], metadata=upload_of(p["metadata"]))


@operation("sharing", f"{USER}/addItem", kind="operation", methods=("POST",), permission="portal:user:createItem",
           large_upload=True,
           failure_message=item_fields.ADD_FAILED, aliases=(f"{USER}/{{folderId}}/addItem",),
           params=(*FIELD_PARAMS, *SOURCE_PARAMS,
                   Param("multipart", "bool", help="true: the data follows in parts (addPart, commit)."),
                   Param("async", "bool", help="Accepted; the item is always added at once."),
                   Param("originItemId", max_length=64,
                         help="An item of yours the new item becomes the destination of (it takes its sharing)."),
                   Param("destinationItemId", max_length=64,
                         help="An item you can read the new item becomes the origin of."),
                   Param("relationshipType", max_length=64,
                         help="The relationship's type (§6.12), with originItemId or destinationItemId.")),
           summary="Add an item to one of the caller's folders.")
async def add_item(ctx: Ctx) -> dict[str, Any]:
    p = ctx.params
    link = item_add_links.link_of(p["originItemId"], p["destinationItemId"], p["relationshipType"],
                                  item_fields.ADD_FAILED)
    return await item_add.add_item(ctx.svc, ctx.principal, ctx.path_params["user"], ctx.path_params.get("folderId"),
                                   given_fields(ctx), sources_of(ctx), link)


@operation("sharing", ITEM, name="Item", summary="The item object, for whoever may read the item.")
async def get_item(ctx: Ctx) -> dict[str, Any]:
    return await item_reading.get_item(ctx.svc, ctx.principal, ctx.path_params["itemId"])


@operation("sharing", USER_ITEM, name="User Item", permission="user", aliases=(FOLDER_ITEM,),
           summary="The item and its sharing: its owner and administrators.")
async def get_user_item(ctx: Ctx) -> dict[str, Any]:
    return await item_reading.get_user_item(ctx.svc, ctx.principal, ctx.path_params["user"],
                                            ctx.path_params["itemId"])


def _disposition(name: str) -> str:
    """attachment with an ASCII fallback and the UTF-8 name (RFC 6266); quotes and controls dropped."""
    from urllib.parse import quote

    ascii_name = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in name)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


@operation("sharing", f"{ITEM}/data", name="Item Data", summary="The item's data file or text.")
async def get_data(ctx: Ctx) -> Response:
    found = await item_reading.get_data(ctx.svc, ctx.principal, ctx.path_params["itemId"])
    if found.chunks is None:
        return Response(b"", media_type=found.media_type, headers=SECURITY_HEADERS)  # the domain names it
    headers = dict(SECURITY_HEADERS)
    if found.file_name:
        headers["Content-Disposition"] = _disposition(found.file_name)
    if found.size is not None:
        headers["Content-Length"] = str(found.size)
    return StreamingResponse(found.chunks, media_type=found.media_type, headers=headers)


@operation("sharing", f"{ITEM}/info/thumbnail/{{file}}", name="Item thumbnail",
           params=(Param("w", "int", minimum=1, maximum=8192, help="Width asked for; the stored image is returned."),),
           summary="The item's thumbnail image.")
async def thumbnail(ctx: Ctx) -> Response:
    data, media = await item_reading.thumbnail(ctx.svc, ctx.principal, ctx.path_params["itemId"],
                                               ctx.path_params["file"])
    return Response(data, media_type=media, headers=SECURITY_HEADERS)


@operation("sharing", f"{ITEM}/info/metadata/metadata.xml", name="Item metadata", summary="The item's metadata XML.")
async def metadata(ctx: Ctx) -> Response:
    data = await item_reading.metadata(ctx.svc, ctx.principal, ctx.path_params["itemId"])
    return Response(data, media_type="text/xml", headers=SECURITY_HEADERS)


@operation("sharing", f"{ITEM}/info/iteminfo.xml", name="Item info", summary="The item's main properties as XML.")
async def iteminfo(ctx: Ctx) -> Response:
    text = await item_reading.item_info_xml(ctx.svc, ctx.principal, ctx.path_params["itemId"])
    return Response(text, media_type="text/xml", headers=SECURITY_HEADERS)

