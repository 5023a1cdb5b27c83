"""Item search: GET|POST search and content/groups/{groupId}/search (sharing-api.md §7.1, §7.2).

The handlers only gather the parameters into a domain ItemQuery; the query language, access,
paging, facets and sorting live in domain/item_search.py.  `categories` is the one parameter
that may be repeated (each repetition a set of paths combined with OR, the repetitions with
AND), so its values are read from the request itself rather than from the coerced table, which
keeps one value per name.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response

from geoshare.domain import group_item_search, item_search
from geoshare.http import rss
from geoshare.http.context import Ctx
from geoshare.http.operations import operation
from geoshare.http.params import Param

FAILED = item_search.FAILED
CATEGORIES = "categories"
PARAMS = (
    Param("q", max_length=16384, help="The query (sharing-api.md §7.3), e.g. title:parks AND type:\"Web Map\"; "
                                      "* matches every item you may see."),
    Param("bbox", max_length=256, help="xmin,ymin,xmax,ymax in WGS84: items whose extent intersects it."),
    Param("filter", max_length=16384, help="A further query every result must match exactly (ANDed with q)."),
    Param(CATEGORIES, max_length=4096, help="Up to 8 category paths (comma list or JSON array) matched with OR; "
                                            "repeat the parameter up to 8 times to AND the sets."),
    Param("categoryFilters", max_length=1024, help="Up to 3 words matched against category names."),
    Param("start", "int", help="1-based; 0 is the first page too, a negative start an empty page."),
    Param("num", "int", help="Page size, 0 to 100 (default 10)."),
    Param("sortField", max_length=256, help="title, uploaded, created, modified, type, owner, avgRating, "
                                            "numRatings, numComments, numViews or size; a comma list for "
                                            "several. Default: relevance."),
    Param("sortOrder", max_length=256, help="asc (default) or desc; a comma list matching sortField."),
    Param("countFields", max_length=256, help="Up to 3 facets among type, access, tags, typekeywords, owner, "
                                              "categories, culture, contentstatus."),
    Param("countSize", "int", help="Values per facet, 1 to 200 (default 10)."),
    Param("searchUserAccess", choices=("groupMember",), help="groupMember: only items shared with groups "
                                                             "searchUserName belongs to."),
    Param("searchUserName", max_length=128, help="Whose groups groupMember means (default: yours)."),
    Param("enriched", "bool", help="Accepted and ignored."),
    Param("displaySublayers", "bool", help="Accepted and ignored."),
)


async def _category_sets(ctx: Ctx) -> tuple[str, ...]:
    """Every non-empty repetition of `categories`, from the body when it carries any (the body
    wins, as for every parameter), else from the query string."""
    request = ctx.request
    found: list[str] = []
    if request.method == "POST" and CATEGORIES in ctx.supplied:
        form = await request.form()  # already read by dispatch; Starlette keeps it
        found = [v for k, v in form.multi_items() if k.lower() == CATEGORIES and isinstance(v, str)]
    if not found:
        found = [v for k, v in request.query_params.multi_items() if k.lower() == CATEGORIES]
    return tuple(v.strip() for v in found if v.strip())  # how many may be given: the domain's rule


async def _query(ctx: Ctx, group_id: str | None = None) -> item_search.ItemQuery:
    p = ctx.params
    return item_search.ItemQuery(
        q=p["q"], filter=p["filter"], bbox=p["bbox"], categories=await _category_sets(ctx),
        category_filters=p["categoryFilters"], start=p["start"], num=p["num"], sort_field=p["sortField"],
        sort_order=p["sortOrder"], count_fields=p["countFields"], count_size=p["countSize"],
        user_access=p["searchUserAccess"], user_name=p["searchUserName"], group_id=group_id)


# ------------------------------------------------------------------ f=rss (sharing-api.md §11)
def _entry(ctx: Ctx, item: dict[str, Any]) -> rss.Entry:
    link = f"{ctx.portal_url}/home/item.html?id={item['id']}"
    return rss.Entry(title=item.get("title") or item["id"], link=link, description=item.get("snippet") or "",
                     guid=item["id"], published=item.get("modified"), category=item.get("type"),
                     author=item.get("owner"))


def _channel_link(ctx: Ctx) -> str:
    """The feed's own address for its readers: the portal's URL of this search with the query
    string's parameters, never the token (a feed is saved, shared and shown by readers)."""
    kept = [(k, v) for k, v in ctx.request.query_params.multi_items() if k.lower() != "token"]
    path = ctx.request.url.path.split("/sharing/rest/", 1)[-1]
    return f"{ctx.sharing_url}/{path}" + (f"?{urlencode(kept)}" if kept else "")


def _feed(ctx: Ctx, answer: dict[str, Any], title: str) -> Response:
    """The page `answer` as a feed: the same results, in the same order, as the JSON answer."""
    query = answer.get("query") or ""
    channel = rss.Channel(title, _channel_link(ctx), f"Items matching {query!r}" if query else "Items found")
    return rss.feed(channel, [_entry(ctx, item) for item in answer["results"]])


async def search_feed(ctx: Ctx) -> Response:
    return _feed(ctx, await search(ctx), "Search results")


async def group_search_feed(ctx: Ctx) -> Response:
    return _feed(ctx, await search_group_content(ctx), "Group search results")


# ------------------------------------------------------------------ the operations
@operation("sharing", "search", name="Search", params=PARAMS, failure_message=FAILED, rss=search_feed,
           summary="Search the items you may see; f=rss gives the page as a feed.")
async def search(ctx: Ctx) -> dict[str, Any]:
    return await item_search.search_items(ctx.svc, ctx.principal, await _query(ctx))


@operation("sharing", "content/groups/{groupId}/search", name="Search", params=PARAMS, failure_message=FAILED,
           rss=group_search_feed, summary="Search the items shared with a group you may see; f=rss gives a feed.")
async def search_group_content(ctx: Ctx) -> dict[str, Any]:
    group_id = ctx.path_params["groupId"]
    return await group_item_search.search_group_items(ctx.svc, ctx.principal, group_id,
                                                      await _query(ctx, group_id))
