"""The item search query language (sharing-api.md §7.3-7.4) translated to a predicate on `items`.

Text fields (title, tags, snippet, description, typekeywords, accessinformation, licenseinfo,
name, and `type` unquoted) go through the full-text index: words are stemmed, a quoted phrase
matches its words in order, and a trailing `*` is a prefix.  A wildcard elsewhere in a word
(`ro?ds`, `r*ds`) narrows through the index by the part before it and is then checked against
the stored text's whole words with a regular expression (a wildcard spans letters and digits only).  Keyword fields match whole values without regard to case.  In `filter`
(`exact`), every field matches its whole value exactly.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, not_, or_, true

from geoshare.domain.query_language import (
    All,
    And,
    Node,
    Not,
    Or,
    Range,
    Required,
    Term,
    has_wildcard,
    like_pattern,
)
from geoshare.errors import InvalidParameter
from geoshare.storage import item_search as store
from geoshare.storage import search_words, text_case
from geoshare.storage.tables import items, users

FIELDS = frozenset({"id", "owner", "orgid", "accountid", "title", "type", "typekeywords", "itemtype", "description",
                    "snippet", "tags", "accessinformation", "licenseinfo", "name", "url", "spatialreference",
                    "access", "group", "culture", "created", "modified", "uploaded", "numratings", "numcomments",
                    "numviews", "avgrating", "categories", "contentstatus"})
FILTER_FIELDS = ("orgid", "accountid", "owner", "id", "type", "access", "group")
TEXT = ("title", "tags", "snippet", "description", "typekeywords", "accessinformation", "licenseinfo", "name")
NUMBERS: dict[str, Any] = {"created": items.c.created, "modified": items.c.modified, "uploaded": items.c.created,
                           "numratings": items.c.num_ratings, "numcomments": items.c.num_comments,
                           "numviews": items.c.num_views, "avgrating": items.c.avg_rating}
KEYWORDS: dict[str, Any] = {"url": items.c.url, "spatialreference": items.c.spatial_reference,
                            "contentstatus": items.c.content_status, "access": items.c.access}
ITEM_TYPES = {"file": items.c.data_kind == "file", "text": items.c.data_kind == "text",
              "url": and_(items.c.data_kind == "none", items.c.url.is_not(None))}


def _fail(detail: str) -> InvalidParameter:
    return InvalidParameter(details=[f"'q': {detail}"])


def _lower(column: Any) -> Any:
    """The column lower-cased, NULL as '' (a column that is never NULL as it is, so an index on
    its lower-cased value, such as migration 0018's on `type`, serves the comparison)."""
    return func.lower(func.coalesce(column, "") if getattr(column, "nullable", True) else column)


def _whole(column: Any, text: str) -> ColumnElement[bool]:
    """A keyword equal to `text` without regard to case (wildcards as LIKE)."""
    if has_wildcard(text):
        return _lower(column).like(like_pattern(text, contains=False), escape="\\")  # type: ignore[no-any-return]
    return _lower(column) == text.lower()  # type: ignore[no-any-return]


def _json_element(column: Any, text: str) -> ColumnElement[bool]:
    """A JSON array column holding `text` as a whole element (case-insensitive)."""
    needle = like_pattern(json_quote(text), contains=True)
    return text_case.case_folded(func.coalesce(column, ""), text).like(needle, escape="\\")  # type: ignore[no-any-return]


def json_quote(text: str) -> str:
    """`text` lower-cased as a JSON string, as storage/json_text.py writes it."""
    return json.dumps(text.lower(), ensure_ascii=False)


def _word_pattern(term: str, dialect: str) -> str:
    """A regular expression finding `term` (`*`/`?` wildcards) as one whole word, matching as
    the index does: letter case and Latin diacritics aside, a run of other characters in the
    term standing for any such run, a wildcard for letters and digits only, never a word's end.
    Against, by `dialect`:
    * `sqlite`: the stored text (Python's `re`, case-insensitive, each letter as the class of
      its variants), so no second function runs per candidate row;
    * `folded`: PostgreSQL's text as the index reads it (store.index_words: folded, the words
      separated by single spaces);
    * `ascii`: a PostgreSQL text that is all ASCII, as stored (with `~*`): the term's folded
      letters are its only possible matches, and the text needs no preparing."""
    parts = " ".join("".join(c if c in "*?" else "".join(store.words(c)) or " " for c in term).split())
    word, other = {"sqlite": (r"[^\W_]", r"[\W_]+"), "folded": ("[^ ]", " "),
                   "ascii": ("[[:alnum:]]", "[^[:alnum:]]+")}[dialect]
    out = []
    for c in parts:
        if c in "*?":
            out.append(word + ("*" if c == "*" else ""))
        elif c == " ":
            out.append(other)
        elif dialect == "sqlite" and len(found := search_words.variants(c)) > 1:
            out.append(f"[{found}]")
        else:
            out.append(re.escape(c))
    body = "".join(out)
    if dialect == "folded":
        return f"(^| ){body}( |$)"
    return ("(?i)(^|[\\W_])" + body + "([\\W_]|$)") if dialect == "sqlite" else \
        f"(^|[^[:alnum:]]){body}([^[:alnum:]]|$)"


def _wildcard_check(field: str, term: str, sqlite: bool) -> ColumnElement[bool]:
    """The stored text of `field` holds `term` (inner wildcards) as a whole word (_word_pattern).
    PostgreSQL: an ASCII text is matched as it is, any other through geoshare_search_words."""
    column = store.TEXT_FIELDS[field]
    if sqlite:
        return column.regexp_match(_word_pattern(term, "sqlite"))
    ascii_only = func.octet_length(column) == func.char_length(column)
    return case((ascii_only, column.op("~*")(_word_pattern(term, "ascii"))),
                else_=store.index_words(column).regexp_match(_word_pattern(term, "folded")))


def _number(name: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise _fail(f"'{name}' takes a number, not {text!r}.") from None
    if not math.isfinite(value):
        raise _fail(f"'{name}' takes a number, not {text!r}.")
    return int(value) if name != "avgrating" and value == int(value) else value


class Compiler:
    """One query's translation; `free_text` collects its positive default-field words (relevance)."""

    def __init__(self, sqlite: bool, *, exact: bool = False) -> None:
        self.sqlite = sqlite
        self.exact = exact
        self.free_text: list[str] = []
        self.full_text = False  # a condition reads the full-text index (the access tokens can ride on it)

    @staticmethod
    def category(path: str) -> ColumnElement[bool]:
        """Items filed under the category `path` or one below it (case-insensitive)."""
        trimmed = path.rstrip("/")  # json_quote and like_pattern lower-case it
        exact = _json_element(items.c.categories, trimmed)
        below = _lower(items.c.categories).like(like_pattern(f'"{trimmed}/', contains=True), escape="\\")
        return or_(exact, below)

    def to_sql(self, node: Node, negated: bool = False) -> ColumnElement[bool]:
        if isinstance(node, All):
            return true()
        if isinstance(node, Required):
            return self.to_sql(node.node, negated)
        if isinstance(node, Not):
            return not_(self.to_sql(node.node, not negated))
        if isinstance(node, And):
            return and_(*(self.to_sql(n, negated) for n in node.nodes))
        if isinstance(node, Or):
            return or_(*(self.to_sql(n, negated) for n in node.nodes))
        if isinstance(node, Range):
            return self.range(node)
        if node.field is None and not negated:
            self.free_text.append(node.text)
        return self.term(node)

    def _text_match(self, fields: Any, text: str, *, prefix: bool = False) -> ColumnElement[bool]:
        self.full_text = True
        return store.text_match(self.sqlite, fields, text, prefix=prefix)

    # ---------------------------------------------------------------- terms
    def text(self, fields: tuple[str, ...], term: Term) -> ColumnElement[bool]:
        if self.exact:
            return or_(*(self.exact_text(f, term.text) for f in fields))
        body = term.text
        if term.phrase or not has_wildcard(body):
            return self._text_match(fields, body)
        head = body.split("*")[0].split("?")[0]
        if body.endswith("*") and not has_wildcard(body[:-1]) and store.words(head):
            return self._text_match(fields, body[:-1], prefix=True)
        if not store.words(head):
            raise _fail(f"a term may not start with a wildcard ({body!r}).")
        narrowed = self._text_match(fields, head, prefix=True)
        checked = or_(*(_wildcard_check(f, body, self.sqlite) for f in fields))
        return and_(narrowed, checked)

    def exact_text(self, field: str, text: str) -> ColumnElement[bool]:
        column = store.TEXT_FIELDS[field]
        if field in ("tags", "typekeywords"):
            return _json_element(column, text)
        return text_case.case_folded(func.coalesce(column, ""), text) == text.lower()  # type: ignore[no-any-return]

    def term(self, term: Term) -> ColumnElement[bool]:
        name, text = term.field, term.text
        if name is None:
            return self.text(store.DEFAULT_FIELDS, term)
        if name in TEXT:
            return self.text((name,), term)
        if name == "type":
            if term.phrase or self.exact or has_wildcard(text):
                return _whole(items.c.type, text)
            return self._text_match(("type",), text)
        if name in NUMBERS:
            return NUMBERS[name] == _number(name, text)  # type: ignore[no-any-return]
        return self.keyword(name, text)

    def keyword(self, name: str, text: str) -> ColumnElement[bool]:
        if name == "id":
            return items.c.id == text.lower()
        if name in ("orgid", "accountid"):
            return items.c.org_id.in_(store.org_ids(text))
        if name == "owner":
            return items.c.owner_id.in_(store.owner_ids(_whole(users.c.username_key, text)))
        if name == "group":
            return items.c.id.in_(store.items_in_group(text.lower()))
        if name == "itemtype":
            if text.lower() not in ITEM_TYPES:
                raise _fail("'itemtype' is one of url, text, file.")
            return ITEM_TYPES[text.lower()]
        if name == "culture":
            lowered = text.lower()
            return or_(_lower(items.c.culture) == lowered, _lower(items.c.culture).like(
                like_pattern(lowered, contains=False) + "-%", escape="\\"))
        if name == "categories":
            return self.category(text)
        return _whole(KEYWORDS[name], text)

    # ---------------------------------------------------------------- ranges
    def range(self, node: Range) -> ColumnElement[bool]:
        name = node.field
        if name in NUMBERS:
            low = None if node.low is None else _number(name, node.low)
            high = None if node.high is None else _number(name, node.high)
            return _bounds(NUMBERS[name], low, high, node)
        low_text = None if node.low is None else node.low.lower()
        high_text = None if node.high is None else node.high.lower()
        if name == "title":
            return _bounds(items.c.title_key, low_text, high_text, node)
        if name == "owner":
            return items.c.owner_id.in_(store.owner_ids(_bounds(users.c.username_key, low_text, high_text, node)))
        if name in ("type", "id"):
            return _bounds(_lower(items.c.type) if name == "type" else items.c.id, low_text, high_text, node)
        raise _fail(f"'{name}' does not take a range.")


# ---------------------------------------------------------------- one full-text lookup (SQLite)
def _fts_term(term: Term) -> str | None:
    """A text term as an FTS5 expression, or None when it needs SQL (keyword fields, inner wildcards)."""
    if term.field is not None and term.field not in TEXT and term.field != "type":
        return None
    if term.field == "type" and (term.phrase or has_wildcard(term.text)):
        return None
    fields = store.DEFAULT_FIELDS if term.field is None else (term.field,)
    body = term.text
    prefix = not term.phrase and body.endswith("*")
    if prefix:
        body = body[:-1]
    if not term.phrase and has_wildcard(body):
        return None
    tokens = store.words(body)
    return store.fts_query(fields, tokens, prefix) if tokens else None


def fts_expression(node: Node) -> str | None:
    """`node` as ONE FTS5 expression when it is made of text terms only, else None.  FTS5's
    AND / OR / NOT over rowids are the SQL ones over `seq IN (...)`, so the meaning is the same."""
    if isinstance(node, Required):
        return fts_expression(node.node)
    if isinstance(node, Term):
        return _fts_term(node)
    if isinstance(node, Or):
        parts = [None if isinstance(n, Not) else fts_expression(n) for n in node.nodes]
        return None if any(p is None for p in parts) else "(" + " OR ".join(p for p in parts if p) + ")"
    if isinstance(node, And):
        found, rest = split_text(node)
        return found if not rest else None
    return None


def split_text(node: Node) -> tuple[str | None, list[Node]]:
    """A query's full-text part as one FTS5 expression, and the clauses left for SQL (ANDed)."""
    whole = None if isinstance(node, And) else fts_expression(node)
    if whole is not None:
        return whole, []
    inner = node.node if isinstance(node, Required) else node
    if not isinstance(inner, And):
        return None, [node]
    positive: list[str] = []
    negative: list[str] = []
    rest: list[Node] = []
    for child in inner.nodes:
        text = fts_expression(child.node if isinstance(child, Not) else child)
        if text is None:
            rest.append(child)
        else:
            (negative if isinstance(child, Not) else positive).append(text)
    if not positive:
        return None, [node]
    expression = "(" + " AND ".join(positive) + ")"
    for text in negative:  # FTS5's NOT is binary: what the left side matches, less the right's
        expression = f"({expression} NOT {text})"
    return expression, rest


def _bounds(column: Any, low: Any, high: Any, node: Range) -> ColumnElement[bool]:
    parts: list[ColumnElement[bool]] = [true()]
    if low is not None:
        parts.append(column >= low if node.include_low else column > low)
    if high is not None:
        parts.append(column <= high if node.include_high else column < high)
    return and_(*parts)
