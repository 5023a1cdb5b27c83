"""Group membership (sharing-api.md §5.5): join, leave, invite, add, remove, promote, list the
members, and answer join requests."""

from __future__ import annotations

from typing import Any

from geoshare.domain import group_invitations, group_member_listing, group_membership
from geoshare.http.context import Ctx
from geoshare.http.operations import operation
from geoshare.http.params import Param

GROUP = "community/groups/{groupId}"
APPLICATION = f"{GROUP}/applications/{{username}}"
NAMES_CHARS = group_membership.MAX_NAMES * 130  # a thousand of the longest usernames, comma-separated


def names(name: str, help_text: str) -> Param:
    return Param(name, "list", max_length=NAMES_CHARS, help=help_text)


def _group(ctx: Ctx) -> str:
    return ctx.path_params["groupId"]


@operation("sharing", f"{GROUP}/join", kind="operation", methods=("POST",), permission="portal:user:joinGroup",
           failure_message=group_membership.JOIN_FAILED,
           summary="Join the group (autoJoin) or ask to join it; invitation-only groups refuse.")
async def join(ctx: Ctx) -> dict[str, Any]:
    return await group_membership.join_group(ctx.svc, ctx.principal, _group(ctx))


@operation("sharing", f"{GROUP}/leave", kind="operation", methods=("POST",), permission="user",
           failure_message=group_membership.LEAVE_FAILED, summary="Leave the group (never its owner).")
async def leave(ctx: Ctx) -> dict[str, Any]:
    return await group_membership.leave_group(ctx.svc, ctx.principal, _group(ctx))


@operation("sharing", f"{GROUP}/invite", kind="operation", methods=("POST",), permission="user",
           failure_message=group_invitations.INVITE_FAILED,
           params=(names("users", "Usernames to invite."),
                   Param("role", choices=tuple(group_invitations.ROLES), default="group_member",
                         help="group_member or group_admin."),
                   Param("expiration", "int", default=20160, help="Minutes: 1440, 4320, 10080 or 20160.")),
           summary="Invite users; each accepts or declines the invitation.")
async def invite(ctx: Ctx) -> dict[str, Any]:
    p = ctx.params
    return await group_invitations.invite(ctx.svc, ctx.principal, _group(ctx), p["users"] or [], p["role"],
                                          p["expiration"])


@operation("sharing", f"{GROUP}/addUsers", kind="operation", methods=("POST",), permission="user",
           failure_message="Unable to add users to the group.",
           params=(names("users", "Usernames to add as members."),
                   names("admins", "Usernames to add as group administrators.")),
           summary="Add members of the group's organization at once; answers those not added.")
async def add_users(ctx: Ctx) -> dict[str, Any]:
    return await group_membership.add_users(ctx.svc, ctx.principal, _group(ctx), ctx.params["users"] or [],
                                            ctx.params["admins"] or [])


@operation("sharing", f"{GROUP}/removeUsers", kind="operation", methods=("POST",), permission="user",
           failure_message="Unable to remove users from the group.",
           params=(names("users", "Usernames to remove."),),
           summary="Remove members; answers those not removed (the owner never is).")
async def remove_users(ctx: Ctx) -> dict[str, Any]:
    return await group_membership.remove_users(ctx.svc, ctx.principal, _group(ctx), ctx.params["users"] or [])


@operation("sharing", f"{GROUP}/updateUsers", kind="operation", methods=("POST",), permission="user",
           failure_message="Unable to update group membership.",
           params=(names("admins", "Members to make group administrators."),
                   names("users", "Group administrators to make ordinary members.")),
           summary="Promote and demote members.")
async def update_users(ctx: Ctx) -> dict[str, Any]:
    return await group_membership.update_users(ctx.svc, ctx.principal, _group(ctx), ctx.params["admins"] or [],
                                               ctx.params["users"] or [])


@operation("sharing", f"{GROUP}/users", name="Group users",
           summary="The owner, the administrators (owner included) and the other members.")
async def users(ctx: Ctx) -> dict[str, Any]:
    return await group_member_listing.group_users(ctx.svc, ctx.principal, _group(ctx))


@operation("sharing", f"{GROUP}/userlist", name="Group user list", failure_message=group_member_listing.LIST_FAILED,
           params=(Param("name", max_length=256, help="Part of a username or full name."),
                   Param("memberType", choices=("owner", "admin", "member")),
                   Param("joined", max_length=64, help="'<from>,<to>' in epoch milliseconds."),
                   Param("sortField", choices=("username", "fullname", "joined", "memberType"), default="username"),
                   Param("sortOrder", choices=("asc", "desc"), default="asc"),
                   Param("start", "int", minimum=-(2**31), help="1-based."),
                   Param("num", "int", minimum=0, help="Page size, 25 by default, at most 100.")),
           summary="One page of the group's members, filtered and sorted.")
async def user_list(ctx: Ctx) -> dict[str, Any]:
    p = ctx.params
    return await group_member_listing.user_list(
        ctx.svc, ctx.principal, _group(ctx), name=p["name"], member_type=p["memberType"], joined=p["joined"],
        sort_field=p["sortField"], sort_order=p["sortOrder"], start=p["start"], num=p["num"])


@operation("sharing", f"{GROUP}/applications", name="Applications", permission="user",
           summary="Pending requests to join the group.")
async def applications(ctx: Ctx) -> dict[str, Any]:
    return await group_invitations.list_applications(ctx.svc, ctx.principal, _group(ctx))


@operation("sharing", APPLICATION, name="Application", permission="user", summary="One pending request to join.")
async def application(ctx: Ctx) -> dict[str, Any]:
    return await group_invitations.get_application(ctx.svc, ctx.principal, _group(ctx), ctx.path_params["username"])


@operation("sharing", f"{APPLICATION}/accept", kind="operation", methods=("POST",), permission="user",
           failure_message="Unable to accept the application.", summary="Accept a request: the user becomes a member.")
async def accept_application(ctx: Ctx) -> dict[str, Any]:
    return await group_invitations.answer_application(ctx.svc, ctx.principal, _group(ctx),
                                                      ctx.path_params["username"], True)


@operation("sharing", f"{APPLICATION}/decline", kind="operation", methods=("POST",), permission="user",
           failure_message="Unable to decline the application.", summary="Decline a request to join.")
async def decline_application(ctx: Ctx) -> dict[str, Any]:
    return await group_invitations.answer_application(ctx.svc, ctx.principal, _group(ctx),
                                                      ctx.path_params["username"], False)
