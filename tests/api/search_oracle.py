"""A brute-force evaluation of the item query language (sharing-api.md §7.3–§7.5), for the property
test of the item search (test_search_properties.py): the same AST (domain/query_language.py) is
evaluated item by item in Python, with the item access rules of domain/access.py, so the SQL
search can be compared with it on a generated corpus.

Matching, as the spec states it: text fields are split into lower-case tokens at every
non-alphanumeric character (the test's vocabulary is chosen so that stemming changes nothing);
a word matches a token, `w*` a token starting with `w`, a phrase its tokens consecutively in one
field (a field's tags or type keywords are one run of tokens); keyword fields (id, owner, orgid,
access, group, `type` quoted) match whole values without regard to case; `type` unquoted matches
a word of the type; ranges compare numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from geoshare.domain.query_language import All, And, Node, Not, Or, Range, Required, Term

DEFAULT_FIELDS = ("title", "tags", "snippet", "description", "type", "typekeywords")
TEXT_FIELDS = frozenset({"title", "tags", "snippet", "description", "typekeywords"})
NUMBER_FIELDS = {"created": "created", "modified": "created", "uploaded": "created", "numviews": "num_views"}


def tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[^0-9a-z]+", text.lower()) if t]


@dataclass(frozen=True)
class OItem:
    id: str
    org_id: str
    owner_id: str
    owner: str  # username
    title: str
    type: str
    description: str = ""
    snippet: str = ""
    tags: tuple[str, ...] = ()
    type_keywords: tuple[str, ...] = ()
    shared_public: bool = False
    shared_org: bool = False
    groups: frozenset[str] = frozenset()
    created: int = 0
    num_views: int = 0

    @property
    def access(self) -> str:
        if self.shared_public:
            return "public"
        if self.shared_org:
            return "org"
        return "shared" if self.groups else "private"

    def text(self, name: str) -> list[str]:
        if name == "tags":
            return [t for tag in self.tags for t in tokens(tag)]
        if name == "typekeywords":
            return [t for kw in self.type_keywords for t in tokens(kw)]
        return tokens(str(getattr(self, name) or ""))


@dataclass(frozen=True)
class Viewer:
    """Who searches: None user_id is anonymous."""

    user_id: str | None = None
    org_id: str | None = None
    admin: bool = False
    groups: frozenset[str] = frozenset()
    can_search_public: bool = True


@dataclass
class World:
    items: list[OItem] = field(default_factory=list)
    public_orgs: set[str] = field(default_factory=set)  # organizations whose access is public


def visible(world: World, viewer: Viewer, item: OItem) -> bool:
    """domain/access.item_visible, narrowed by canSearchPublic=false (§7.5)."""
    if viewer.user_id is None:
        return item.access == "public" and item.org_id in world.public_orgs
    own = item.owner_id == viewer.user_id
    in_group = bool(item.groups & viewer.groups)
    same_org = item.org_id == viewer.org_id
    seen = item.access == "public" or own or in_group or (same_org and (viewer.admin or item.access == "org"))
    return seen and (viewer.can_search_public or same_org or own or in_group)


def _word(text: str, run: list[str]) -> bool:
    word = text.lower()
    if word.endswith("*"):
        return any(t.startswith(word[:-1]) for t in run)
    return word in run


def _phrase(text: str, run: list[str]) -> bool:
    want = tokens(text)
    if not want:
        return False
    return any(run[i:i + len(want)] == want for i in range(len(run) - len(want) + 1))


def _text(name: str, term: Term, item: OItem) -> bool:
    run = item.text(name)
    if term.phrase:
        return _phrase(term.text, run)
    words = tokens(term.text.rstrip("*"))
    if len(words) != 1:  # `a-b` unquoted: the engine treats it as the phrase of its words
        return _phrase(term.text, run)
    return _word(words[0] + ("*" if term.text.endswith("*") else ""), run)


def _keyword(name: str, text: str, item: OItem) -> bool:
    value = text.lower()
    if name == "group":
        return value in {g.lower() for g in item.groups}
    found = {"id": item.id, "owner": item.owner, "orgid": item.org_id, "accountid": item.org_id,
             "access": item.access}[name]
    return found.lower() == value


def _term(term: Term, item: OItem) -> bool:
    name = term.field
    if name is None:
        return any(_text(f, term, item) for f in DEFAULT_FIELDS)
    if name == "type":
        return item.type.lower() == term.text.lower() if term.phrase else _text("type", term, item)
    if name in TEXT_FIELDS:
        return _text(name, term, item)
    return _keyword(name, term.text, item)


def _range(node: Range, item: OItem) -> bool:
    value = float(getattr(item, NUMBER_FIELDS[node.field]))
    low = None if node.low is None else float(node.low)
    high = None if node.high is None else float(node.high)
    above = low is None or (value >= low if node.include_low else value > low)
    below = high is None or (value <= high if node.include_high else value < high)
    return above and below


def matches(node: Node, item: OItem) -> bool:
    if isinstance(node, All):
        return True
    if isinstance(node, Term):
        return _term(node, item)
    if isinstance(node, Range):
        return _range(node, item)
    if isinstance(node, Not):
        return not matches(node.node, item)
    if isinstance(node, Required):
        return matches(node.node, item)
    if isinstance(node, And):
        return all(matches(n, item) for n in node.nodes)
    assert isinstance(node, Or)
    return any(matches(n, item) for n in node.nodes)


def expected(world: World, viewer: Viewer, node: Node) -> set[str]:
    """The ids `viewer` finds with the query `node`."""
    return {i.id for i in world.items if visible(world, viewer, i) and matches(node, i)}
