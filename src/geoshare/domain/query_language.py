"""The query language of the searches (sharing-api.md §7.3): `parse` turns a query into a small AST
of our own; each search (user_listing.py, group_search.py, item_search.py) translates the AST to
its own SQL predicate with the fields and visibility rules of its noun.

The grammar is luqum's (a PLY parser of the Lucene syntax); this module adapts our dialect to it
and its tree to ours:

* words and "phrases" (backslash escapes in both); `field:value` with or without a space after
  the colon, `field:"phrase"`, `field:(a OR b)`; field names are case-insensitive;
* ranges `field:[a TO b]` (inclusive) / `field:{a TO b}` (exclusive), the brackets may be mixed,
  `*` is an open bound;
* AND / `&&`, OR / `||`, NOT / `!x`, `+x`, `-x`, parentheses.  Lower-case and/or/not are words.
  `+`/`-` are prefixes only where a clause starts (after a space or `(`): `a-b` is one word;
* `x^N` boosts and `x~N` fuzziness / `"a b"~N` proximity are accepted and ignored (results are
  not ranked by score and matching is by stemmed words, not edit distance);
* `*` and `?` wildcards in words; `*` alone matches everything.  The spec says a term may not
  start with a wildcard nor mix `?` and `*`; the user and group searches have always matched
  such words with LIKE, so the parser accepts them and each search decides what a wildcard means
  for its fields.
* Adjacent clauses without an operator: optional ones are ORed, `+` ones and clauses on the
  search's filter fields (`orgid`/`accountid` by default) are required (the Python client
  appends ` accountid:<orgId>` and expects it to narrow), `-`/NOT ones are excluded.

Every problem is an InvalidParameter naming the 1-based position in the query: unknown fields,
syntax errors, an unclosed quotation mark, and queries beyond the bounds below (so that no query
can make the parse, or the recursive translations after it, slow or deep).  PLY's lexer and
parser keep state in module objects, so parses are serialised by a lock (a parse takes
microseconds; searches run in a thread pool).
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass
from decimal import InvalidOperation
from typing import Any

from luqum import parser as luqum_parser
from luqum import tree as lq
from luqum.exceptions import IllegalCharacterError, ParseSyntaxError

from geoshare.errors import InvalidParameter

FILTER_FIELDS: tuple[str, ...] = ("orgid", "accountid")
MESSAGE = "Invalid query."
MAX_LENGTH = 10_000  # characters: a page of 100 `id:... OR` clauses is about 4,000
MAX_TOKENS = 1_000
MAX_DEPTH = 64  # nested parentheses and prefixes (NOT, +, -) around one term

_LOCK = threading.Lock()
_LEXER = luqum_parser.lexer.clone()
_ESCAPED = frozenset("/<>'")  # luqum gives these a meaning our language does not have
_OPENERS = frozenset("()[]{}:^\"")


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


def _fail(pos: int, what: str) -> InvalidParameter:
    return InvalidParameter(MESSAGE, [f"'q': {what} at position {pos}."])


# ------------------------------------------------------------------ our dialect -> luqum's
@dataclass(frozen=True)
class _Source:
    """The query rewritten for luqum, and for each of its characters the 1-based position of the
    character of the original query it came from (one more entry: the end)."""

    text: str
    origin: tuple[int, ...]

    def pos(self, index: int) -> int:
        # callers pass 0..len(text): the upper clamp only guards against a position from luqum
        return self.origin[min(max(index, 0), len(self.origin) - 1)]  # pragma: no mutate


def _at_clause_start(query: str, i: int) -> bool:
    return i == 0 or query[i - 1].isspace() or query[i - 1] in _OPENERS


def _rewrite(query: str) -> _Source:
    out: list[str] = []
    origin: list[int] = []

    def emit(text: str, pos: int) -> None:
        out.append(text)
        origin.extend([pos] * len(text))

    i = 0
    while i < len(query):
        c, start = query[i], _at_clause_start(query, i)
        if c == '"':
            end = _phrase_end(query, i)
            for j in range(i, end + 1):
                emit(query[j], j + 1)
            i = end + 1
            continue
        if c == "\\" and i + 1 < len(query):
            emit(query[i:i + 2], i + 1)
            origin[-1] = i + 2
            i += 2
            continue
        if start and query.startswith(("&&", "||"), i):
            emit(" AND " if c == "&" else " OR ", i + 1)
            i += 2
            continue
        if start and c == "!" and i + 1 < len(query) and not query[i + 1].isspace():
            emit(" NOT ", i + 1)
        elif c in _ESCAPED or (c in "+-" and not _separates(query, i)):
            emit("\\" + c, i + 1)
        else:
            emit(c, i + 1)
        i += 1
    origin.append(len(query) + 1)
    return _Source("".join(out), tuple(origin))


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


# ------------------------------------------------------------------ tokens
@dataclass(frozen=True)
class Token:
    kind: str  # word, phrase, op (AND/OR/NOT), sym (one of ( ) [ ] { } : + - ^ ~), end
    text: str
    pos: int  # 1-based position in the query, for error messages


_OPS = {"AND_OP": "AND", "OR_OP": "OR", "NOT": "NOT"}
_PREFIXES = frozenset({"AND_OP", "OR_OP", "NOT", "PLUS", "MINUS", "LPAREN"})
_CLOSERS = frozenset({"AND_OP", "OR_OP", "RPAREN"})  # where a clause was due
_BARE = {"BOOST": "^", "APPROX": "~"}  # the two tokens that may come without a value: a bare ^ or ~


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text, flags=re.DOTALL)


def _raw(tok: Any) -> str:
    value = tok.value.value  # luqum wraps the text of every token (Word, Phrase, TokenValue)
    return _BARE[tok.type] if value is None else str(value)


def _lex(source: _Source) -> list[Any]:
    """luqum's tokens of the rewritten query (lexpos indexes source.text)."""
    _LEXER.input(source.text)
    tokens = []
    try:
        while (tok := _LEXER.token()) is not None:
            tokens.append(tok)
            if len(tokens) > MAX_TOKENS:
                raise _fail(source.pos(tok.lexpos), f"more than {MAX_TOKENS} terms and operators")
    except IllegalCharacterError as exc:
        found = re.search(r"at position (\d+)$", str(exc))
        index = int(found.group(1)) if found else 0
        raise _fail(source.pos(index), f"unexpected character {source.text[index:index + 1]!r}") from None
    return tokens


def _token(tok: Any, source: _Source) -> Token:
    pos, raw = source.pos(tok.lexpos), _raw(tok)
    if tok.type == "TERM":
        return Token("word", _unescape(raw), pos)
    if tok.type == "TO":
        return Token("word", "TO", pos)
    if tok.type == "PHRASE":
        return Token("phrase", _unescape(raw[1:-1]), pos)
    if tok.type in _OPS:
        return Token("op", _OPS[tok.type], pos)
    return Token("sym", {"BOOST": "^", "APPROX": "~"}.get(tok.type, raw), pos)


def tokenize(query: str) -> list[Token]:
    source = _rewrite(query)
    with _LOCK:
        tokens = _lex(source)
    return [*(_token(t, source) for t in tokens), Token("end", "", len(query) + 1)]


# ------------------------------------------------------------------ syntax errors, explained
def _range_expectation(before: list[Any]) -> str | None:
    """What an unfinished range at the end of `before` lacks; None outside a range."""
    state: list[str] | None = None
    for tok in before:
        if tok.type == "LBRACKET":
            state = []
        elif tok.type == "RBRACKET":
            state = None
        elif state is not None and tok.type in ("TERM", "PHRASE", "TO"):
            state.append(tok.type)
    if state is None:
        return None
    if not state or state[-1] == "TO":
        return "expected a range bound"
    return "expected ']' or '}'" if "TO" in state else "expected 'TO'"


def _explain(source: _Source, tokens: list[Any], at: int | None) -> InvalidParameter:
    """The syntax error luqum found at token index `at` (None: the end), in our words."""
    before, pos = tokens[:at], source.pos(len(source.text) if at is None else tokens[at].lexpos)
    prev = before[-1].type if before else None
    if (expected := _range_expectation(before)) is not None:
        return _fail(pos, expected)
    # a query cannot start with a colon followed by an error: luqum stops at the colon itself
    if prev == "COLUMN" and len(before) > 1:  # pragma: no mutate
        return _fail(pos, f"expected a value for '{_raw(before[-2]).lower()}'")
    if at is None or (tokens[at].type in _CLOSERS and (prev is None or prev in _PREFIXES)):
        # an error at the end right after a term only happens inside an unclosed parenthesis, so
        # any count that is zero for an empty query and positive after a term answers alike
        depth = sum((t.type == "LPAREN") - (t.type == "RPAREN") for t in before)  # pragma: no mutate
        unclosed = at is None and depth > 0 and prev not in _PREFIXES
        return _fail(pos, "expected ')'" if unclosed else "expected a search term")
    return _fail(pos, f"unexpected '{_raw(tokens[at])}'")


def _luqum_tree(source: _Source) -> Any:
    tokens = _lex(source)
    try:
        tree = luqum_parser.parser.parse(source.text, lexer=_LEXER)
    except ParseSyntaxError as exc:
        found = re.search(r"at position (\d+)!$", str(exc))
        at = None if found is None else next(i for i, t in enumerate(tokens) if t.lexpos == int(found.group(1)))
        raise _explain(source, tokens, at) from None
    except (InvalidOperation, ValueError):  # a boost (^1.2.3), fuzziness (~.) or proximity ("a b"~1.5)
        raise _bad_number(source, tokens) from None
    if tree is None:
        raise _explain(source, tokens, None)
    return tree


def _bad_number(source: _Source, tokens: list[Any]) -> InvalidParameter:
    """The first ^ or ~ whose number luqum could not read: a boost or a word's fuzziness takes
    a decimal, a phrase's proximity a whole number."""
    # strict: the first list is one longer; the loop returns before exhausting it on every input seen
    for before, tok in zip([None, *tokens], tokens, strict=False):  # pragma: no mutate
        if tok.type == "BOOST" and not _is_number(_raw(tok)):
            return _fail(source.pos(tok.lexpos + 1), "expected a number after '^'")
        if tok.type == "APPROX" and tok.value.value is not None:
            whole = before is not None and before.type == "PHRASE"
            if not (_raw(tok).isdigit() if whole else _is_number(_raw(tok))):
                kind = "a whole number" if whole else "a number"
                return _fail(source.pos(tok.lexpos + 1), f"expected {kind} after '~'")
    # Unreachable as far as known: luqum's ^ and ~ numbers are [0-9.] text, which it reads exactly
    # when _is_number / isdigit accept it.  Kept so that a change in luqum is still an envelope.
    return _fail(1, "the query cannot be read")  # pragma: no mutate


def _is_number(text: str) -> bool:
    return re.fullmatch(r"\d+(\.\d+)?|\d*\.\d+", text) is not None


# ------------------------------------------------------------------ luqum's tree -> ours
class _Converter:
    def __init__(self, source: _Source, fields: frozenset[str], filter_fields: tuple[str, ...]) -> None:
        self.source = source
        self.fields = fields
        self.filter_fields = filter_fields

    def node(self, item: Any, field: str | None, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise _fail(self.source.pos(item.pos or 0), f"more than {MAX_DEPTH} nested levels")
        method = getattr(self, f"_{type(item).__name__}", None)
        if method is None:
            raise _fail(self.source.pos(item.pos or 0), f"unexpected '{item}'")
        result: Node = method(item, field, depth + 1)
        return result

    def _SearchField(self, item: lq.SearchField, field: str | None, depth: int) -> Node:
        name = item.name.lower()
        if name not in self.fields:
            raise _fail(self.source.pos(item.pos), f"unknown field '{_unescape(item.name)}'")
        node = self.node(item.expr, name, depth)
        return Required(node) if name in self.filter_fields else node

    def _Group(self, item: lq.Group, field: str | None, depth: int) -> Node:
        return self.node(item.expr, field, depth)

    _FieldGroup = _Group

    def _Word(self, item: lq.Word, field: str | None, depth: int) -> Node:
        return All() if field is None and item.value == "*" else Term(field, _unescape(item.value))

    def _Phrase(self, item: lq.Phrase, field: str | None, depth: int) -> Node:
        return Term(field, _unescape(item.value[1:-1]), phrase=True)

    def _Range(self, item: lq.Range, field: str | None, depth: int) -> Node:
        if field is None:
            raise _fail(self.source.pos(item.pos), "a range needs a field (field:[a TO b])")
        return Range(field, self.bound(item.low), self.bound(item.high), item.include_low, item.include_high)

    def bound(self, item: Any) -> str | None:
        if isinstance(item, lq.Prohibit):  # [-5 TO 5]: luqum reads the sign as a prefix
            inner = self.bound(item.a)
            return None if inner is None else "-" + inner
        if isinstance(item, lq.Phrase):
            return _unescape(item.value[1:-1])
        text: str = item.value
        return None if text == "*" else _unescape(text)

    def _AndOperation(self, item: lq.AndOperation, field: str | None, depth: int) -> Node:
        return And(tuple(self.node(o, field, depth) for o in item.operands))

    def _OrOperation(self, item: lq.OrOperation, field: str | None, depth: int) -> Node:
        return Or(tuple(self.node(o, field, depth) for o in item.operands))

    def _UnknownOperation(self, item: lq.UnknownOperation, field: str | None, depth: int) -> Node:
        return _combine([self.node(o, field, depth) for o in item.operands])

    def _Not(self, item: lq.Not, field: str | None, depth: int) -> Node:
        return Not(self.node(item.a, field, depth))

    _Prohibit = _Not

    def _Plus(self, item: lq.Plus, field: str | None, depth: int) -> Node:
        return Required(self.node(item.a, field, depth))

    def _Boost(self, item: lq.Boost, field: str | None, depth: int) -> Node:
        """A boost ranks, and nothing is ranked by score here."""
        if item.implicit_force:
            raise _fail(self.source.pos(item.pos + item.size), "expected a number after '^'")
        return self.node(item.expr, field, depth)

    def _Fuzzy(self, item: lq.Fuzzy, field: str | None, depth: int) -> Node:
        """Fuzziness and proximity: matching is by (stemmed) words, so they are ignored."""
        return self.node(item.term, field, depth)

    _Proximity = _Fuzzy


def _combine(items: list[Node]) -> Node:
    """Side-by-side clauses (luqum gives two at least): required and excluded ones must hold, the
    optional ones are ORed."""
    required = [i.node for i in items if isinstance(i, Required)]
    excluded = [i for i in items if isinstance(i, Not)]
    optional = [i for i in items if not isinstance(i, Required | Not)]
    parts: list[Node] = [*required, *excluded]
    if optional:
        parts.append(optional[0] if len(optional) == 1 else Or(tuple(optional)))
    return parts[0] if len(parts) == 1 else And(tuple(parts))


PARSED_QUERIES = 2048  # the trees of the last queries parsed (a tree is immutable), per process


@functools.lru_cache(maxsize=PARSED_QUERIES)
def parse(query: str, fields: frozenset[str], filter_fields: tuple[str, ...] = FILTER_FIELDS) -> Node:
    """The AST of `query` over `fields`; clauses on `filter_fields` written without an operator
    are required.  InvalidParameter naming the position of the first problem.  Remembered: a
    portal's clients repeat their queries (a paging loop, a gallery), and luqum's parser costs a
    quarter of a millisecond; a refused query is parsed again each time."""
    if len(query) > MAX_LENGTH:
        raise _fail(MAX_LENGTH + 1, f"a query may have at most {MAX_LENGTH} characters")
    source = _rewrite(query)
    with _LOCK:
        tree = _luqum_tree(source)
    return _Converter(source, fields, filter_fields).node(tree, None, 0)


# ------------------------------------------------------------------ wildcards, for the SQL translations
def has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def like_pattern(text: str, *, contains: bool) -> str:
    """`text` as a lower-cased SQL LIKE pattern (escape character `\\`): `*` and `?` become `%`
    and `_`, literal `%`, `_` and `\\` are escaped; `contains` matches it anywhere."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = escaped.replace("*", "%").replace("?", "_")
    return f"%{pattern}%" if contains else pattern
