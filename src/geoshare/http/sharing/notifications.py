"""A user's inbox: notifications and invitations (sharing-api.md §4.10), and the organization's
createNotification (§3.7)."""

from __future__ import annotations

from typing import Any

from geoshare.domain import group_invitations, notifications
from geoshare.http.context import Ctx
from geoshare.http.operations import operation
from geoshare.http.params import Param

USER = "community/users/{user}"


@operation("sharing", f"{USER}/notifications", name="Notifications", permission="user",
           summary="The user's own notifications, newest first.")
async def list_notifications(ctx: Ctx) -> dict[str, Any]:
    return await notifications.list_notifications(ctx.svc, ctx.principal, ctx.path_params["user"])


@operation("sharing", f"{USER}/notifications/{{notification}}/delete", kind="operation", methods=("POST",),
           permission="user", failure_message="Unable to delete notification.",
           summary="Delete one of the user's own notifications.")
async def delete_notification(ctx: Ctx) -> dict[str, Any]:
    return await notifications.delete_notification(ctx.svc, ctx.principal, ctx.path_params["user"],
                                                   ctx.path_params["notification"])


@operation("sharing", f"{USER}/invitations", name="Invitations", permission="user",
           summary="The user's own unexpired group invitations.")
async def list_invitations(ctx: Ctx) -> dict[str, Any]:
    return await notifications.list_invitations(ctx.svc, ctx.principal, ctx.path_params["user"])


@operation("sharing", f"{USER}/invitations/{{invitation}}", name="Invitation", permission="user",
           summary="One of the user's invitations, with its group.")
async def invitation(ctx: Ctx) -> dict[str, Any]:
    return await notifications.get_invitation(ctx.svc, ctx.principal, ctx.path_params["user"],
                                              ctx.path_params["invitation"])


@operation("sharing", f"{USER}/invitations/{{invitation}}/accept", kind="operation", methods=("POST",),
           permission="user", failure_message="Unable to accept the invitation.",
           summary="Accept one of the user's own invitations: join the group with the invited role.")
async def accept_invitation(ctx: Ctx) -> dict[str, Any]:
    return await group_invitations.accept_invitation(ctx.svc, ctx.principal, ctx.path_params["user"],
                                                     ctx.path_params["invitation"])


@operation("sharing", f"{USER}/invitations/{{invitation}}/decline", kind="operation", methods=("POST",),
           permission="user", failure_message="Unable to decline the invitation.",
           summary="Decline one of the user's own invitations; the inviter is told.")
async def decline_invitation(ctx: Ctx) -> dict[str, Any]:
    return await group_invitations.decline_invitation(ctx.svc, ctx.principal, ctx.path_params["user"],
                                                      ctx.path_params["invitation"])


@operation("sharing", "portals/{portal}/createNotification", kind="operation", methods=("POST",),
           permission=" & ".join(notifications.CREATE_NOTIFICATION), failure_message="Unable to create notification.",
           params=(Param("subject", required=True, max_length=1024),
                   Param("message", required=True, max_length=65536),
                   Param("users", "list", required=True, help="Usernames of members of the organization."),
                   Param("notificationChannelType", choices=("email", "builtin", "push"), default="builtin",
                         help="Every channel is delivered to the built-in inbox.")),
           summary="Send a message to members of the organization.")
async def create_notification(ctx: Ctx) -> dict[str, Any]:
    p = ctx.params
    return await notifications.create_notification(ctx.svc, ctx.principal, ctx.path_params["portal"],
                                                   subject=p["subject"], message=p["message"], usernames=p["users"])
