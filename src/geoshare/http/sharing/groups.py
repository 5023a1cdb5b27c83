"""Groups: create, read and manage a group (sharing-api.md §5.2-5.4)."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile
from starlette.responses import Response

from geoshare.domain import group_admin, group_fields, groups
from geoshare.domain.images import MAX_THUMBNAIL_BYTES, Upload
from geoshare.http.context import Ctx
from geoshare.http.conventions import SECURITY_HEADERS
from geoshare.http.operations import operation
from geoshare.http.params import Param, small_file

GROUP = "community/groups/{groupId}"
FIELD_PARAMS = (
    Param("title", max_length=group_fields.MAX_TITLE * 4,
          help=f"At most {group_fields.MAX_TITLE} characters once cleaned; unique among the owner's groups."),
    Param("description", help="Limited HTML; anything outside the allowed list is removed."),
    Param("snippet", max_length=group_fields.MAX_SNIPPET * 4,
          help=f"A summary of at most {group_fields.MAX_SNIPPET} characters once cleaned."),
    Param("tags", "list", help="Comma-separated or a JSON array."),
    Param("typeKeywords", "list", help="Comma-separated or a JSON array."),
    Param("phone", max_length=group_fields.MAX_PHONE * 4, help="Contact, plain text."),
    Param("access", choices=("private", "org", "public", "account"),
          help="private (members only), org (the organization) or public; account means org."),
    Param("sortField", choices=("title", "owner", "avgRating", "numViews", "created", "modified"),
          help="Preferred order of the group's content."),
    Param("sortOrder", choices=("asc", "desc"), help="asc or desc."),
    Param("isViewOnly", "bool", help="Only the owner and group managers share content into it."),
    Param("isInvitationOnly", "bool", help="Nobody joins by asking; members are invited or added."),
    Param("autoJoin", "bool", help="Members of the organization who ask to join are added at once."),
    Param("hiddenMembers", "bool", help="Only managers and administrators see the member list."),
    Param("leavingDisallowed", "bool", help="Members cannot leave (needs portal:admin:createLeavingDisallowedGroup)."),
    Param("capabilities", "list",
          help="updateitemcontrol for a shared update group, on creation only (needs "
               "portal:admin:createUpdateCapableGroup); empty for none."),
    Param("membershipAccess", choices=group_fields.MEMBERSHIP_ACCESS, help="org, collaboration or none."),
    Param("displaySettings", "json", help='JSON object, e.g. {"itemTypes": ""}.'),
    Param("thumbnail", "file_or_name", max_length=255, help="PNG, GIF or JPEG image of at most 1 MB."),
    Param("isOpenData", "bool", help="Accepted and ignored."),
    Param("MAX_FILE_SIZE", max_length=32, help="Sent by some clients; ignored."),
)
FIELD_NAMES = tuple(group_fields.FIELDS)


def given_fields(ctx: Ctx) -> dict[str, Any]:
    """The supplied group properties, by their canonical names (None: supplied empty)."""
    return {name: ctx.params[name] for name in FIELD_NAMES if name.lower() in ctx.supplied}


async def upload_of(value: UploadFile | str | None) -> Upload | None:
    return await small_file(value, MAX_THUMBNAIL_BYTES)


@operation("sharing", "community/createGroup", kind="operation", methods=("POST",),
           permission="portal:user:createGroup", failure_message=group_fields.CREATE_FAILED,
           params=(Param("title", required=True, max_length=FIELD_PARAMS[0].max_length, help=FIELD_PARAMS[0].help),
                   *FIELD_PARAMS[1:]),
           summary="Create a group; the caller owns it and is its first member.")
async def create_group(ctx: Ctx) -> dict[str, Any]:
    return await group_fields.create_group(ctx.svc, ctx.principal, given_fields(ctx), await upload_of(ctx.param("thumbnail")))


@operation("sharing", GROUP, name="Group",
           summary="A group the caller may see, with the caller's membership.")
async def get_group(ctx: Ctx) -> dict[str, Any]:
    return await groups.get_group(ctx.svc, ctx.principal, ctx.path_params["groupId"])


@operation("sharing", f"{GROUP}/update", kind="operation", methods=("POST",), permission="user",
           failure_message=group_fields.UPDATE_FAILED,
           params=(*FIELD_PARAMS,
                   Param("clearEmptyFields", "bool", default=False, help="Supplied empty values clear their property."),
                   Param("id", max_length=64, help="Sent back by REST JS; must name this group.")),
           summary="Change the group: the owner, a group manager, or an administrator with portal:admin:updateGroups.")
async def update_group(ctx: Ctx) -> dict[str, Any]:
    thumbnail = ctx.param("thumbnail")
    request = group_admin.GroupUpdate(
        given=given_fields(ctx), clear=ctx.params["clearEmptyFields"], thumbnail=await upload_of(thumbnail),
        thumbnail_cleared=thumbnail is None and "thumbnail" in ctx.supplied,
        thumbnail_name=thumbnail if isinstance(thumbnail, str) else None, group_id=ctx.params["id"])
    return await group_admin.update_group(ctx.svc, ctx.principal, ctx.path_params["groupId"], request)


@operation("sharing", f"{GROUP}/deleteThumbnail", kind="operation", methods=("POST",), permission="user",
           failure_message=group_fields.UPDATE_FAILED,
           summary="Remove the group's thumbnail: whoever may update the group.")
async def delete_thumbnail(ctx: Ctx) -> dict[str, Any]:
    return await group_admin.delete_thumbnail(ctx.svc, ctx.principal, ctx.path_params["groupId"])


@operation("sharing", f"{GROUP}/delete", kind="operation", methods=("POST",), permission="user",
           failure_message=group_admin.DELETE_FAILED,
           summary="Delete the group (not a protected one): the owner or an administrator with "
                   "portal:admin:deleteGroups.")
async def delete_group(ctx: Ctx) -> dict[str, Any]:
    return await group_admin.delete_group(ctx.svc, ctx.principal, ctx.path_params["groupId"])


@operation("sharing", f"{GROUP}/protect", kind="operation", methods=("POST",), permission="user",
           summary="Protect the group from deletion: the owner or an administrator with portal:admin:deleteGroups.")
async def protect_group(ctx: Ctx) -> dict[str, Any]:
    return await group_admin.set_protected(ctx.svc, ctx.principal, ctx.path_params["groupId"], True)


@operation("sharing", f"{GROUP}/unprotect", kind="operation", methods=("POST",), permission="user",
           summary="Allow the group to be deleted again: the owner or an administrator with "
                   "portal:admin:deleteGroups.")
async def unprotect_group(ctx: Ctx) -> dict[str, Any]:
    return await group_admin.set_protected(ctx.svc, ctx.principal, ctx.path_params["groupId"], False)


@operation("sharing", f"{GROUP}/reassign", kind="operation", methods=("POST",),
           permission=group_admin.REASSIGN_GROUPS, failure_message=group_admin.REASSIGN_FAILED,
           params=(Param("targetUsername", required=True, max_length=128,
                         help="An enabled member of the group's organization."),),
           summary="Give the group to another member; the previous owner stays as a group manager.")
async def reassign_group(ctx: Ctx) -> dict[str, Any]:
    return await group_admin.reassign_group(ctx.svc, ctx.principal, ctx.path_params["groupId"],
                                            ctx.params["targetUsername"])


@operation("sharing", f"{GROUP}/createNotification", kind="operation", methods=("POST",), permission="user",
           failure_message=group_admin.NOTIFY_FAILED,
           params=(Param("subject", required=True, max_length=group_admin.MAX_SUBJECT * 4),
                   Param("message", required=True, max_length=group_admin.MAX_MESSAGE * 4),
                   Param("users", "list", default=[], help="Usernames of members of the group."),
                   Param("notifyAll", "bool", default=False, help="true: every member of the group."),
                   Param("notificationChannelType", choices=("email", "builtin", "push"), default="email",
                         help="Every channel is delivered to the built-in inbox."),
                   Param("clientId", max_length=256, help="Accepted and ignored (push messages)."),
                   Param("silentNotification", "bool", help="Accepted and ignored.")),
           summary="Send a message to members of the group: its managers or an administrator with "
                   "portal:admin:updateGroups.")
async def create_notification(ctx: Ctx) -> dict[str, Any]:
    p = ctx.params
    request = group_admin.GroupMessage(p["subject"], p["message"], list(p["users"] or []), bool(p["notifyAll"]),
                                       p["notificationChannelType"])
    return await group_admin.notify_group(ctx.svc, ctx.principal, ctx.path_params["groupId"], request)


@operation("sharing", f"{GROUP}/info/{{file}}", name="Group file",
           summary="The group's thumbnail, for whoever may see the group.")
async def info_file(ctx: Ctx) -> Response:
    data, media_type = await group_admin.group_info_file(ctx.svc, ctx.principal, ctx.path_params["groupId"],
                                                         ctx.path_params["file"])
    return Response(data, media_type=media_type, headers=SECURITY_HEADERS)
