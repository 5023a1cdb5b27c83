"""community/self and community/users/{u} with its operations and child resources
(sharing-api.md §4.2-4.5, §4.10)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from geoshare.domain import user_update, users
from geoshare.domain.images import MAX_THUMBNAIL_BYTES
from geoshare.http.context import Ctx
from geoshare.http.conventions import SECURITY_HEADERS
from geoshare.http.operations import operation
from geoshare.http.params import Param, small_file

USER = "community/users/{user}"
# Raw lengths are generous: the domain checks the limits again on the cleaned text.
UPDATE_PARAMS = (
    Param("access", choices=("private", "org", "public"), help="Who sees the profile."),
    Param("preferredView", choices=("Web", "GIS")),
    Param("description", help="Limited HTML; anything outside the allowed list is removed."),
    Param("tags", "list", help="Comma-separated or a JSON array."),
    Param("thumbnail", "file_or_name", max_length=255,
          help="PNG, GIF or JPEG of at most 1 MB (or the current thumbnail's name: no change)."),
    Param("password", "password", max_length=1024),
    Param("fullname", max_length=1024), Param("firstname", max_length=1024), Param("lastname", max_length=1024),
    Param("email", max_length=320),
    Param("securityQuestionIdx", "int", minimum=1, maximum=14, help="1 to 14; needs securityAnswer."),
    Param("securityAnswer", "password", max_length=1024),
    Param("culture", max_length=16), Param("cultureFormat", max_length=16), Param("region", max_length=16),
    Param("units", choices=("english", "metric")),
    Param("categories", "list", help="Member categories (administrators)."),
    Param("idpUsername", max_length=1024, help="Enterprise accounts; administrators only."),
    Param("clearEmptyFields", "bool", default=False, help="Supplied empty values clear their property."),
    Param("username", max_length=128, help="Cannot change; accepted when it names this user."),
    Param("id", max_length=32, help="Accepted when it names this user."),
)
PROFILE_NAMES = tuple(user_update.FIELDS)


@operation("sharing", "community/self", name="Self", permission="user",
           summary="The signed-in user (an error without a token).")
async def community_self(ctx: Ctx) -> dict[str, Any]:
    return await users.self_document(ctx.svc, ctx.principal)


@operation("sharing", USER, name="User",
           summary="A user by username or id, as much as the caller may see.")
async def community_user(ctx: Ctx) -> dict[str, Any]:
    return await users.get_user(ctx.svc, ctx.principal, ctx.path_params["user"])


@operation("sharing", f"{USER}/update", kind="operation", methods=("POST",), permission="user",
           params=UPDATE_PARAMS, failure_message=user_update.FAIL,
           summary="Change the profile: the user, or an administrator with portal:admin:updateUsers.")
async def update(ctx: Ctx) -> dict[str, Any]:
    p, supplied = ctx.params, ctx.supplied
    thumbnail = await small_file(p["thumbnail"], MAX_THUMBNAIL_BYTES)
    request = user_update.UpdateRequest(
        given={name: p[name] for name in PROFILE_NAMES if name.lower() in supplied}, clear=p["clearEmptyFields"],
        password=p["password"], question=p["securityQuestionIdx"], answer=p["securityAnswer"], thumbnail=thumbnail,
        thumbnail_cleared=p["thumbnail"] is None and "thumbnail" in supplied,
        thumbnail_name=p["thumbnail"] if isinstance(p["thumbnail"], str) else None,
        username=p["username"], user_id=p["id"])
    return await user_update.update_user(ctx.svc, ctx.principal, ctx.path_params["user"], request)


@operation("sharing", f"{USER}/delete", kind="operation", methods=("POST",), permission="portal:admin:deleteUsers",
           failure_message="Unable to delete user.",
           summary="Delete a member who owns nothing (never yourself or the last administrator).")
async def delete(ctx: Ctx) -> dict[str, Any]:
    return await users.delete_user(ctx.svc, ctx.principal, ctx.path_params["user"])


@operation("sharing", f"{USER}/reassign", kind="operation", methods=("POST",),
           permission="portal:admin:reassignItems & portal:admin:reassignGroups",
           params=(Param("targetUsername", required=True, max_length=128, help="The new owner."),),
           failure_message="Unable to reassign user content.",
           summary="Move everything the user owns to another member of the organization.")
async def reassign(ctx: Ctx) -> dict[str, Any]:
    return await users.reassign_user(ctx.svc, ctx.principal, ctx.path_params["user"], ctx.params["targetUsername"])


@operation("sharing", f"{USER}/disable", kind="operation", methods=("POST",), permission="portal:admin:disableUsers",
           failure_message="Unable to disable user.",
           summary="Disable a member: no sign-in, and every token of theirs stops working.")
async def disable(ctx: Ctx) -> dict[str, Any]:
    return await users.set_disabled(ctx.svc, ctx.principal, ctx.path_params["user"], True)


@operation("sharing", f"{USER}/enable", kind="operation", methods=("POST",), permission="portal:admin:disableUsers",
           failure_message="Unable to enable user.", summary="Enable a disabled member.")
async def enable(ctx: Ctx) -> dict[str, Any]:
    return await users.set_disabled(ctx.svc, ctx.principal, ctx.path_params["user"], False)


@operation("sharing", f"{USER}/unlock", kind="operation", methods=("POST",), permission="portal:admin:updateUsers",
           failure_message="Unable to unlock user.", summary="Lift a sign-in lockout now (geoshare extension).")
async def unlock(ctx: Ctx) -> dict[str, Any]:
    return await users.unlock_user(ctx.svc, ctx.principal, ctx.path_params["user"])


@operation("sharing", f"{USER}/tags", name="Tags", permission="user",
           summary="Tags of the user's items with their counts (the user, or portal:admin:viewUsers).")
async def tags(ctx: Ctx) -> dict[str, Any]:
    return await users.user_tags(ctx.svc, ctx.principal, ctx.path_params["user"])


@operation("sharing", f"{USER}/properties", name="Properties", permission="user",
           summary="The user's application settings (the user, or portal:admin:updateUsers).")
async def properties(ctx: Ctx) -> dict[str, Any]:
    return await users.user_properties(ctx.svc, ctx.principal, ctx.path_params["user"])


@operation("sharing", f"{USER}/setProperties", kind="operation", methods=("POST",), permission="user",
           params=(Param("properties", "json", required=True, max_length=users.MAX_PROPERTIES_CHARS,
                         help="A JSON object; replaces the stored one."),),
           failure_message="Unable to set user properties.", summary="Replace the user's application settings.")
async def set_properties(ctx: Ctx) -> dict[str, Any]:
    return await users.set_properties(ctx.svc, ctx.principal, ctx.path_params["user"], ctx.params["properties"])


@operation("sharing", f"{USER}/info/{{file}}", name="User file",
           summary="The user's thumbnail, for whoever may see the profile.")
async def info_file(ctx: Ctx) -> Response:
    data, media_type = await users.user_info_file(ctx.svc, ctx.principal, ctx.path_params["user"],
                                                  ctx.path_params["file"])
    return Response(data, media_type=media_type, headers=SECURITY_HEADERS)
