"""The small query language of the user and group searches (sharing-api.md §7.3): a parser to a
tiny AST.  Each search translates the AST to its own SQL predicate (user_listing.py,
group_search.py), with the fields and visibility rules of its noun.

Supported: words and "phrases"; `field:value`, `field:"phrase"`, `field:(a OR b)`; ranges
`field:[a TO b]` / `{a TO b}` with `*` as an open bound; AND / && , OR / ||, NOT / ! , +term,
-term, parentheses; `^N` boosts (ignored: there is no ranking); `*` and `?` wildcards in words;
`*` alone matches everything.  Adjacent clauses without an operator: optional ones are ORed,
`+` ones and clauses on the search's filter fields (`orgid`/`accountid` by default) are
required (the Python client appends ` accountid:<orgId>` and expects it to narrow), `-`/NOT
ones are excluded.  Unknown fields and syntax errors are InvalidParameter naming the position.
The full language arrives with the item search work (issue 11).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from geoshare.errors import InvalidParameter

FILTER_FIELDS: tuple[str, ...] = ("orgid", "accountid")
MESSAGE = "Invalid query."
_WORD = re.compile(r'(?:\\.|[^()\[\]{}":^\s\\])+')


# ------------------------------------------------------------------ the AST
@dataclass(frozen=True)
class Term:
    field: str | None  # None: the default fields
    text: str
    phrase: bool = False


@dataclass(frozen=True)
class Range:
    field: str
    low: str | None  # None: open
    high: str | None
    include_low: bool = True
    include_high: bool = True


@dataclass(frozen=True)
class All:
    pass


@dataclass(frozen=True)
class Not:
    node: Node


@dataclass(frozen=True)
class Required:
    node: Node


@dataclass(frozen=True)
class And:
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    nodes: tuple[Node, ...]


Node = Term | Range | All | Not | Required | And | Or


# ------------------------------------------------------------------ tokens
@dataclass(frozen=True)
class Token:
    kind: str  # word, phrase, op (AND/OR/NOT), sym (one of ( ) [ ] { } : + - ^), end
    text: str
    pos: int  # 1-based position in the query, for error messages


def _fail(pos: int, what: str) -> InvalidParameter:
    return InvalidParameter(MESSAGE, [f"'q': {what} at position {pos}."])


def tokenize(query: str) -> list[Token]:
    tokens: list[Token] = []
    i = 0
    while i < len(query):
        c = query[i]
        if c.isspace():
            i += 1
        elif query.startswith(("&&", "||"), i):
            tokens.append(Token("op", "AND" if c == "&" else "OR", i + 1))
            i += 2
        elif c == "!" and (i + 1 < len(query) and not query[i + 1].isspace()):
            tokens.append(Token("op", "NOT", i + 1))
            i += 1
        elif c in "+-" and _separates(query, i):
            tokens.append(Token("sym", c, i + 1))
            i += 1
        elif c == '"':
            end = _phrase_end(query, i)
            tokens.append(Token("phrase", re.sub(r"\\(.)", r"\1", query[i + 1:end]), i + 1))
            i = end + 1
        elif c in "()[]{}:^":
            tokens.append(Token("sym", c, i + 1))
            i += 1
        else:
            found = _WORD.match(query, i)
            if found is None:
                raise _fail(i + 1, f"unexpected character {c!r}")
            word = found.group(0)
            kind = "op" if word in ("AND", "OR", "NOT") else "word"
            tokens.append(Token(kind, word if kind == "op" else re.sub(r"\\(.)", r"\1", word), i + 1))
            i = found.end()
    tokens.append(Token("end", "", len(query) + 1))
    return tokens


def _separates(query: str, i: int) -> bool:
    """A + or - is a prefix only where a clause starts (after a space or an opening parenthesis)."""
    return i == 0 or query[i - 1].isspace() or query[i - 1] == "("


def _phrase_end(query: str, start: int) -> int:
    i = start + 1
    while i < len(query):
        if query[i] == "\\":
            i += 2
            continue
        if query[i] == '"':
            return i
        i += 1
    raise _fail(start + 1, "unclosed quotation mark")


# ------------------------------------------------------------------ the parser
class _Parser:
    def __init__(self, query: str, fields: frozenset[str], filter_fields: tuple[str, ...]) -> None:
        self.tokens = tokenize(query)
        self.i = 0
        self.fields = fields
        self.filter_fields = filter_fields

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def expect(self, text: str) -> Token:
        if not self.at("sym", text):
            raise _fail(self.tok.pos, f"expected '{text}'")
        return self.take()

    def at(self, kind: str, text: str | None = None) -> bool:
        return self.tok.kind == kind and (text is None or self.tok.text == text)

    def sequence(self, field: str | None) -> Node:
        """Clauses side by side, up to a closing parenthesis or the end."""
        items: list[Node] = []
        while not self.at("end") and not self.at("sym", ")"):
            items.append(self.disjunction(field))
        if not items:
            raise _fail(self.tok.pos, "expected a search term")
        return _combine(items)

    def disjunction(self, field: str | None) -> Node:
        nodes = [self.conjunction(field)]
        while self.at("op", "OR"):
            self.take()
            nodes.append(self.conjunction(field))
        return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))

    def conjunction(self, field: str | None) -> Node:
        nodes = [self.unary(field)]
        while self.at("op", "AND"):
            self.take()
            nodes.append(self.unary(field))
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def unary(self, field: str | None) -> Node:
        if self.at("op", "NOT") or self.at("sym", "-"):
            self.take()
            return Not(self.unary(field))
        if self.at("sym", "+"):
            self.take()
            return Required(self.unary(field))
        node = self.primary(field)
        if self.at("sym", "^"):  # a boost ranks, and nothing is ranked here
            self.take()
            if not self.at("word"):
                raise _fail(self.tok.pos, "expected a number after '^'")
            self.take()
        return node

    def primary(self, field: str | None) -> Node:
        tok = self.tok
        if self.at("sym", "("):
            self.take()
            inner = self.sequence(field)
            self.expect(")")
            return inner
        if tok.kind == "word" and self.tokens[self.i + 1].kind == "sym" and self.tokens[self.i + 1].text == ":":
            name = tok.text.lower()
            if name not in self.fields:
                raise _fail(tok.pos, f"unknown field '{tok.text}'")
            self.i += 2
            node = self.field_value(name)
            return Required(node) if name in self.filter_fields else node
        if tok.kind in ("word", "phrase"):
            self.take()
            if tok.kind == "word" and tok.text == "*":
                return All()
            return Term(field, tok.text, tok.kind == "phrase")
        raise _fail(tok.pos, "expected a search term")

    def field_value(self, name: str) -> Node:
        if self.at("sym", "[") or self.at("sym", "{"):
            return self.range(name)
        if self.at("sym", "("):
            self.take()
            inner = self.sequence(name)
            self.expect(")")
            return inner
        tok = self.tok
        if tok.kind not in ("word", "phrase"):
            raise _fail(tok.pos, f"expected a value for '{name}'")
        self.take()
        return Term(name, tok.text, tok.kind == "phrase")

    def range(self, name: str) -> Node:
        include_low = self.take().text == "["
        low = self.bound()
        if not self.at("word", "TO"):
            raise _fail(self.tok.pos, "expected 'TO'")
        self.take()
        high = self.bound()
        if not (self.at("sym", "]") or self.at("sym", "}")):
            raise _fail(self.tok.pos, "expected ']' or '}'")
        include_high = self.take().text == "]"
        return Range(name, low, high, include_low, include_high)

    def bound(self) -> str | None:
        tok = self.tok
        if tok.kind not in ("word", "phrase"):
            raise _fail(tok.pos, "expected a range bound")
        self.take()
        return None if tok.kind == "word" and tok.text == "*" else tok.text


def _combine(items: list[Node]) -> Node:
    """Side-by-side clauses: required and excluded ones must hold, the optional ones are ORed."""
    if len(items) == 1:
        return items[0]
    required = [i.node for i in items if isinstance(i, Required)]
    excluded = [i for i in items if isinstance(i, Not)]
    optional = [i for i in items if not isinstance(i, Required | Not)]
    parts: list[Node] = [*required, *excluded]
    if optional:
        parts.append(optional[0] if len(optional) == 1 else Or(tuple(optional)))
    return parts[0] if len(parts) == 1 else And(tuple(parts))


def parse(query: str, fields: frozenset[str], filter_fields: tuple[str, ...] = FILTER_FIELDS) -> Node:
    """The AST of `query` over `fields`; clauses on `filter_fields` written without an operator
    are required.  InvalidParameter naming the position of the first problem."""
    parser = _Parser(query, fields, filter_fields)
    node = parser.sequence(None)
    if not parser.at("end"):
        raise _fail(parser.tok.pos, f"unexpected '{parser.tok.text}'")
    return node


# ------------------------------------------------------------------ wildcards, for the SQL translations
def has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def like_pattern(text: str, *, contains: bool) -> str:
    """`text` as a lower-cased SQL LIKE pattern (escape character `\\`): `*` and `?` become `%`
    and `_`, literal `%`, `_` and `\\` are escaped; `contains` matches it anywhere."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = escaped.replace("*", "%").replace("?", "_")
    return f"%{pattern}%" if contains else pattern
