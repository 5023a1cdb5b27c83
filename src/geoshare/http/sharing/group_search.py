"""Group search and a group's content listing: community/groups and content/groups/{groupId}
(sharing-api.md §5.6, §5.7)."""

from __future__ import annotations

from typing import Any

from geoshare.domain import group_content, group_search
from geoshare.http.context import Ctx
from geoshare.http.operations import operation
from geoshare.http.params import Param

ORDER = Param("sortOrder", choices=("asc", "desc"), default="asc")
PAGING = (Param("start", "int", help="1-based; 0 is the first page too, a negative start an empty page."),
          Param("num", "int", help="Page size, 0 to 100 (default 10)."))
SEARCH = (
    Param("q", max_length=4096, help="The query (sharing-api.md §7.3); * matches every group you may see."),
    Param("filter", max_length=4096, help="A further query every result must match."),
    *PAGING,
    Param("sortField", max_length=32, help="title (default), owner, created, modified; avgRating and numViews "
                                           "order by title, as groups have neither."),
    ORDER,
    Param("searchUserAccess", choices=("groupMember",), help="groupMember: only groups searchUserName belongs to."),
    Param("searchUserName", max_length=128, help="Whose groups groupMember means (default: yours)."),
    Param("bbox", max_length=256, help="Accepted; groups have no extent."),
)
CONTENT = (*PAGING, Param("sortField", choices=("title", "created", "modified", "type", "owner", "avgRating",
                                                "numViews")), ORDER)


@operation("sharing", "community/groups", name="Groups", params=SEARCH, failure_message=group_search.FAILED,
           summary="Search the groups you may see.")
async def search_groups(ctx: Ctx) -> dict[str, Any]:
    p = ctx.params
    query = group_search.Query(q=p["q"], filter=p["filter"], start=p["start"], num=p["num"],
                               sort_field=p["sortField"], sort_order=p["sortOrder"],
                               user_access=p["searchUserAccess"], user_name=p["searchUserName"])
    return await group_search.search_groups(ctx.svc, ctx.principal, query)


@operation("sharing", "content/groups/{groupId}", name="Group Content", params=CONTENT,
           summary="The items shared with a group you may see.")
async def list_group_content(ctx: Ctx) -> dict[str, Any]:
    p = ctx.params
    return await group_content.group_content(ctx.svc, ctx.principal, ctx.path_params["groupId"], start=p["start"],
                                             num=p["num"], sort_field=p["sortField"], sort_order=p["sortOrder"])
