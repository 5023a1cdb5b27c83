"""Groups: create, read and manage a group (sharing-api.md §5.2-5.4)."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile

from geoshare.domain import group_fields, groups
from geoshare.domain.images import MAX_THUMBNAIL_BYTES
from geoshare.http.context import Ctx
from geoshare.http.operations import operation
from geoshare.http.params import Param

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


async def upload_of(value: UploadFile | str | None) -> group_fields.Upload | None:
    if value is None or isinstance(value, str) or (not value.filename and not value.size):
        return None  # an empty file field of a form is no file
    return group_fields.Upload(value.filename, await value.read(MAX_THUMBNAIL_BYTES + 1))


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
