"""Who may see what, as SQL predicates: one module, used by single reads, listings and searches
alike (conventions.md), so a total never counts what a page would hide.

Users (sharing-api.md §8.4): a profile is visible to the user, to administrators of the
user's organization holding portal:admin:viewUsers, to members of that organization when its
access is `org` or `public` (members hold portal:user:viewOrgUsers), and to everyone when
`public`.  `domain/portal.user_view` applies the same rule to one loaded record; a test checks
the two agree.

Groups (§8.3): a public group is visible to everyone; an `org` group to members of its
organization holding portal:user:viewOrgGroups; every group to its own members, and to
administrators of its organization holding portal:admin:viewGroups.  `sees_group` applies the
same rule to one loaded group; a test checks the two agree.

Items (§8.2): a public item is visible to everyone (anonymous callers only when its organization
is public); an `org` item to members of its organization holding portal:user:viewOrgItems; an
item shared with a group to the group's members; every item to its owner and to administrators
of its organization holding portal:admin:viewItems.  `sees_item` is the one-item form.

Organizations (§8.5): `can_share_public` and `can_search_public` are columns so the item and
search predicates of later work read them in the same statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select, true

from geoshare.domain.principal import Principal
from geoshare.storage.records import Group, Item
from geoshare.storage.tables import group_members, groups, item_groups, items, orgs, users


def user_visible(viewer: Principal) -> ColumnElement[bool]:
    """Rows of `users` whose profile `viewer` may see."""
    public = users.c.access == "public"
    if viewer.user is None:
        return public
    me = viewer.user
    same_org = users.c.org_id == me.org_id
    clauses = [public, users.c.id == me.id]
    if viewer.has("portal:admin:viewUsers"):
        clauses.append(same_org)
    elif viewer.has("portal:user:viewOrgUsers"):
        # Public profiles are already in `public`: members add their organization's `org` ones.
        clauses.append(and_(same_org, users.c.access == "org"))
    return or_(*clauses)


def sees_disabled(viewer: Principal) -> ColumnElement[bool]:
    """Disabled members appear in searches only for administrators (sharing-api.md §7.5)."""
    if viewer.user is not None and viewer.has("portal:admin:viewUsers"):
        return or_(users.c.disabled.is_(False), users.c.org_id == viewer.user.org_id)
    return users.c.disabled.is_(False)


def may_share_public(org_id: str) -> ColumnElement[bool]:
    """The organization lets its members share with everyone (items, groups, profiles)."""
    return orgs.c.can_share_public.is_(True) & (orgs.c.id == org_id)


def search_public_scope(viewer: Principal) -> ColumnElement[bool]:
    """Which organizations' public content a caller's searches include: every organization,
    or only the caller's own when that organization set canSearchPublic=false (§8.5)."""
    if viewer.org is None or viewer.org.can_search_public:
        return true()
    return orgs.c.id == viewer.org.id


def member_of_groups(user_id: str) -> ColumnElement[bool]:
    """Rows of `groups` that `user_id` belongs to."""
    return groups.c.id.in_(select(group_members.c.group_id).where(group_members.c.user_id == user_id))


def group_visible(viewer: Principal) -> ColumnElement[bool]:
    """Rows of `groups` that `viewer` may see (read, search, list the content of)."""
    public = groups.c.access == "public"
    if viewer.user is None:
        return public
    me = viewer.user
    same_org = groups.c.org_id == me.org_id
    clauses = [public, member_of_groups(me.id)]
    if viewer.has("portal:admin:viewGroups"):
        clauses.append(same_org)
    elif viewer.has("portal:user:viewOrgGroups"):
        clauses.append(and_(same_org, groups.c.access == "org"))
    return or_(*clauses)


def sees_group(viewer: Principal, group: Group, member_type: str | None) -> bool:
    """`group_visible` for one loaded group; `member_type` is the viewer's membership (None: none)."""
    if group.access == "public" or member_type is not None:
        return True
    if viewer.user is None or viewer.user.org_id != group.org_id:
        return False
    if viewer.has("portal:admin:viewGroups"):
        return True
    return group.access == "org" and viewer.has("portal:user:viewOrgGroups")


@dataclass(frozen=True)
class ItemColumns:
    """The columns the item rule reads: an item's own row, or a group share's copy of them
    (migration 0020), so a group's search decides who sees each share from the share alone."""

    seq: ColumnElement[Any]
    access: ColumnElement[Any]
    org_id: ColumnElement[Any]
    owner_id: ColumnElement[Any]


ITEM_ROW = ItemColumns(items.c.seq, items.c.access, items.c.org_id, items.c.owner_id)
SHARE_ROW = ItemColumns(item_groups.c.item_seq, item_groups.c.item_access, item_groups.c.item_org,
                        item_groups.c.item_owner)
# The shares a rule's group clause reads (an alias: the rule may be asked of item_groups itself).
_shares = item_groups.alias("shares")


def shared_with_groups_of(user_id: str, row: ItemColumns = ITEM_ROW) -> ColumnElement[bool]:
    """Rows shared with a group `user_id` belongs to."""
    mine = select(_shares.c.item_seq).join(group_members, group_members.c.group_id == _shares.c.group_id)
    return row.seq.in_(mine.where(group_members.c.user_id == user_id))


def _shared_with(group_ids: Sequence[str], row: ItemColumns, *unless: ColumnElement[bool]) -> ColumnElement[bool]:
    """Rows shared with one of `group_ids`; `unless` narrows the shares read to those the rule's
    other clauses do not admit (fewer to gather: a member of 50 groups, 1M items, 4,490 ids
    before, 1,350 seqs after; SQLite's range search 3.2 to 2.2 ms a statement)."""
    if not group_ids:
        return false()
    shares = select(_shares.c.item_seq).where(_shares.c.group_id.in_(list(group_ids)), *unless)
    return row.seq.in_(shares)


def item_visible(viewer: Principal, group_ids: Sequence[str] | None = None,
                 row: ItemColumns = ITEM_ROW) -> ColumnElement[bool]:
    """Rows of `items` that `viewer` may read (the item, its data, files, comments, relationships),
    or rows of `item_groups` whose item it may read (`row=SHARE_ROW`).  `group_ids`, when given,
    are the viewer's groups read beforehand (searches: the planner then sees constants, which
    keeps the rule cheap for members of many groups)."""
    public = row.access == "public"
    if viewer.user is None:
        return and_(public, row.org_id.in_(select(orgs.c.id).where(orgs.c.access == "public")))
    me = viewer.user
    same_org = row.org_id == me.org_id
    clauses = [public, row.owner_id == me.id]
    unless = [_shares.c.item_access != "public", _shares.c.item_owner != me.id]
    if viewer.has("portal:admin:viewItems"):
        clauses.append(same_org)
        unless.append(_shares.c.item_org != me.org_id)
    elif viewer.has("portal:user:viewOrgItems"):
        clauses.append(and_(same_org, row.access == "org"))
        unless.append(or_(_shares.c.item_org != me.org_id, _shares.c.item_access != "org"))
    # Last: the row's own columns decide most rows before the group lookup is made (SQLite
    # stops at the first true clause; 1M items, a member's date range: 2.9 to 2.3 ms a statement).
    clauses.append(shared_with_groups_of(me.id, row) if group_ids is None else _shared_with(group_ids, row, *unless))
    return or_(*clauses)


def _token(kind: str, key: str = "") -> str:
    # Migration 0007 writes the same words: the key hex-encoded, a `0` after it.
    return f"z{kind}{key.encode().hex()}0"


def org_token(org_id: str) -> str:
    """The token every item of the organization `org_id` carries (its administrators' `zx`)."""
    return _token("x", org_id)


def item_tokens(viewer: Principal, group_ids: Sequence[str]) -> list[str]:
    """`item_visible` (narrowed by canSearchPublic, as `search_public_scope`) as the access
    tokens an item's full-text entry must hold one of (migration 0007 writes them per item):
    the caller sees exactly the items carrying any of these words.  A test compares the two."""
    if viewer.user is None:
        return [_token("a")]
    me = viewer.user
    searches_public = viewer.org is None or viewer.org.can_search_public
    found = [_token("p") if searches_public else _token("q", me.org_id), _token("u", me.id)]
    found.extend(_token("g", g) for g in group_ids)
    if viewer.has("portal:admin:viewItems"):
        found.append(_token("x", me.org_id))
    elif viewer.has("portal:user:viewOrgItems"):
        found.append(_token("o", me.org_id))
    return found


# Migration 0009's rowid classes of the SQLite index (storage/item_search.py names them) and the
# kinds of token an item of each class carries (0007 writes them).
FTS_CLASS_KINDS = ((2, "xupqag"), (1, "xuog"), (0, "xug"))


def fts_parts(viewer: Principal, group_ids: Sequence[str], orgs: Sequence[tuple[str, str]],
              ) -> list[tuple[int, list[str] | None]]:
    """`item_tokens` per rowid class of the SQLite index (migration 0009): (class, None) when
    every item of the class carries one of the caller's tokens, so the class's range alone
    answers; (class, tokens) with the tokens an item of that class can carry otherwise; classes
    none of whose items can carry one are left out.  `orgs` are every organization's (id, access):
    every public item carries `zp0`, and `za0` when its organization is public; with one
    organization, every item carries its `zx`, every organization item its `zo`, every public
    item its `zq`.  A test compares the parts with item_visible."""
    tokens = item_tokens(viewer, group_ids)
    one = orgs[0][0] if len(orgs) == 1 else None
    # the tokens every item of a class carries
    everywhere: dict[int, set[str]] = {2: {_token("p")}, 1: set(), 0: set()}
    if all(access == "public" for _, access in orgs):
        everywhere[2].add(_token("a"))
    if one is not None:
        everywhere[2] |= {_token("x", one), _token("q", one)}
        everywhere[1] |= {_token("x", one), _token("o", one)}
        everywhere[0].add(_token("x", one))
    parts: list[tuple[int, list[str] | None]] = []
    for cls, kinds in FTS_CLASS_KINDS:
        if everywhere[cls] & set(tokens):
            parts.append((cls, None))
            continue
        carried = [t for t in tokens if t[1] in kinds]
        if carried:
            parts.append((cls, carried))
    return parts


def sees_item(viewer: Principal, item: Item, *, org_is_public: bool, shared_with_viewer: bool) -> bool:
    """`item_visible` for one loaded item: `org_is_public` is its organization's access, and
    `shared_with_viewer` whether it is shared with a group the viewer belongs to."""
    if viewer.user is None:
        return item.access == "public" and org_is_public
    if item.access == "public" or item.owner_id == viewer.user.id or shared_with_viewer:
        return True
    if viewer.user.org_id != item.org_id:
        return False
    if viewer.has("portal:admin:viewItems"):
        return True
    return item.access == "org" and viewer.has("portal:user:viewOrgItems")


def derived_access(shared_public: bool, shared_org: bool, group_shares: int) -> str:
    """An item's `access` from its sharing (§8.2): public > org > shared > private."""
    if shared_public:
        return "public"
    if shared_org:
        return "org"
    return "shared" if group_shares else "private"


def posting_tokens(viewer: Principal, group_ids: Sequence[str], orgs: Sequence[tuple[str, str]],
                   only_org: str | None = None) -> tuple[list[str], list[str]] | None:
    """`item_visible` (narrowed by canSearchPublic) as the scopes of migration 0008's posting
    lists, (broad, narrow): an item is posted under its organization's `zq<org>0` when public,
    `zo<org>0` when shared with its organization, else under its owner's `zu<owner>0` and its
    organization's `zx<org>0`, and, when not public, under each of its groups' `zg<group>0`; the
    caller sees exactly the items posted under one of these.  `orgs` are every organization's
    (id, access); `only_org` keeps the broad scopes of that organization alone (`accountid:`;
    the caller narrows the narrow ones by the item's organization).  None for the callers the
    scopes cannot describe, who take the general path: members of an organization with
    canSearchPublic false (other organizations' public items reach them only through groups, which
    public items are not posted under), members without portal:user:viewOrgItems (their own `org`
    items only).  A test compares the rule with item_visible."""
    searched = [o for o, org_access in orgs if viewer.user is not None or org_access == "public"]
    broad = [_token("q", o) for o in searched if only_org is None or o == only_org]
    if viewer.user is None:
        return broad, []
    me = viewer.user
    if viewer.org is not None and not viewer.org.can_search_public:
        return None
    own = only_org is None or only_org == me.org_id
    if viewer.has("portal:admin:viewItems"):
        broad += [_token("o", me.org_id), _token("x", me.org_id)] if own else []
    elif viewer.has("portal:user:viewOrgItems"):
        broad += [_token("o", me.org_id)] if own else []
    else:
        return None
    return broad, [_token("u", me.id), *(_token("g", g) for g in group_ids)]
