"""Edges of the query language parser (domain/query_language.py) found by mutation testing: both
sides of each bound written as plain numbers (10,000 characters, 1,000 terms and operators, 64
nested levels), the exact message and 1-based position of each refusal, the rewriting of our
dialect (&&, ||, !, +/- prefixes, escapes) and the AST of each construct."""

from __future__ import annotations

import pytest

from geoshare.domain.query_language import (
    All,
    And,
    Not,
    Or,
    Range,
    Required,
    Term,
    Token,
    has_wildcard,
    like_pattern,
    parse,
    tokenize,
)
from geoshare.errors import InvalidParameter

FIELDS = frozenset({"title", "tags", "owner", "created", "orgid", "accountid"})


def refused(query: str, filter_fields: tuple[str, ...] = ("orgid", "accountid")) -> str:
    with pytest.raises(InvalidParameter) as raised:
        parse(query, FIELDS, filter_fields)
    assert raised.value.message == "Invalid query."
    assert len(raised.value.details) == 1
    detail: str = raised.value.details[0]
    assert detail.startswith("'q': ") and detail.endswith(".")
    return detail[len("'q': "):-1]


def a(text: str, field: str | None = None) -> Term:
    return Term(field, text)


# ------------------------------------------------------------------ the bounds, both sides
def test_ten_thousand_characters_pass_and_one_more_is_refused_at_its_position():
    assert parse("b" * 10_000, FIELDS) == a("b" * 10_000)
    assert refused("b" * 10_001) == "a query may have at most 10000 characters at position 10001"


def test_one_thousand_terms_pass_and_the_next_is_refused_where_it_stands():
    many = parse("w " * 1_000, FIELDS)
    assert isinstance(many, Or) and len(many.nodes) == 1_000
    assert refused("w " * 1_001) == "more than 1000 terms and operators at position 2001"
    # operators and parentheses count: 999 words, then ( b ) make 1,002 tokens; b is the 1,001st
    assert refused("w " * 999 + "(b)") == "more than 1000 terms and operators at position 2000"


@pytest.mark.parametrize(("opener", "closer", "width"), [("(", ")", 1), ("NOT ", "", 4)])
def test_sixty_four_levels_pass_and_sixty_five_are_refused(opener, closer, width):
    deep = parse(opener * 64 + "a" + closer * 64, FIELDS)
    depth = 0
    while isinstance(deep, Not):
        deep, depth = deep.node, depth + 1
    assert deep == a("a") and depth == (0 if opener == "(" else 64)
    assert refused(opener * 65 + "a" + closer * 65) == f"more than 64 nested levels at position {65 * width + 1}"


# ------------------------------------------------------------------ refusals: message and position
@pytest.mark.parametrize(("query", "message"), [
    ("a\\", "unexpected character '\\\\' at position 2"),
    ("", "expected a search term at position 1"),
    ("  ", "expected a search term at position 3"),
    ("^", "unexpected '^' at position 1"),
    ("~", "unexpected '~' at position 1"),
    (":a", "unexpected ':' at position 1"),
    ("title:[a TO b] c]", "unexpected ']' at position 17"),
    ('title:["a"', "expected 'TO' at position 11"),
    ('title:["a" TO "b"', "expected ']' or '}' at position 18"),
    ('a~1.5 "b"~2.5', "expected a whole number after '~' at position 11"),
    ("a^2 b^1.2.3", "expected a number after '^' at position 7"),
    ("a^ b^1.2.3", "expected a number after '^' at position 3"),
    ("&&a", "expected a search term at position 1"),
    ("(&&a)", "expected a search term at position 2"),
    ("a || || b", "expected a search term at position 6"),
    ("NOT", "expected a search term at position 4"),
    ("a AND", "expected a search term at position 6"),
    ("(a AND)", "expected a search term at position 7"),
    ("(a) (", "expected a search term at position 6"),
    ("(a OR", "expected a search term at position 6"),
    ("(NOT", "expected a search term at position 5"),
    ("title:(", "expected a search term at position 8"),
    ("(a", "expected ')' at position 3"),
    ("((a)", "expected ')' at position 5"),
    ("a (b", "expected ')' at position 5"),
    ("a AND (b", "expected ')' at position 9"),
    ("a)", "unexpected ')' at position 2"),
    ("(a))", "unexpected ')' at position 4"),
    ("title:", "expected a value for 'title' at position 7"),
    ("TITLE: ", "expected a value for 'title' at position 8"),
    ("a:", "expected a value for 'a' at position 3"),
    ("title:[", "expected a range bound at position 8"),
    ("title:[ TO", "expected a range bound at position 9"),
    ("title:[a TO", "expected a range bound at position 12"),
    ("title:[a TO TO", "expected a range bound at position 13"),
    ("title:[a", "expected 'TO' at position 9"),
    ("title:[a b]", "expected 'TO' at position 10"),
    ("[a]", "expected 'TO' at position 3"),
    ("title:[a TO b", "expected ']' or '}' at position 14"),
    ("title:[a TO b c]", "expected ']' or '}' at position 15"),
    ("[a TO b]", "a range needs a field (field:[a TO b]) at position 1"),
    ("a b [c TO d]", "a range needs a field (field:[a TO b]) at position 5"),
    ("a^", "expected a number after '^' at position 3"),
    ("a^x", "expected a number after '^' at position 3"),
    ("b a^1.2.3", "expected a number after '^' at position 5"),
    ("b a~1.2.3", "expected a number after '~' at position 5"),
    ('"a"~1.', "expected a whole number after '~' at position 5"),
    ('b "a"~1.5', "expected a whole number after '~' at position 7"),
    ("Nope:x", "unknown field 'Nope' at position 1"),
    ("no\\:pe:x", "unknown field 'no:pe' at position 1"),
    ("a:b:c", "unknown field 'a' at position 1"),
    ("title:a:b", "unknown field 'a' at position 7"),
    ("title:(a:b)", "unknown field 'a' at position 8"),
    ('"a\\', "unclosed quotation mark at position 1"),
    ('"\\"', "unclosed quotation mark at position 1"),
    ('a "b\\"', "unclosed quotation mark at position 3"),
])
def test_refusals_name_the_problem_and_its_position(query, message):
    assert refused(query) == message


# ------------------------------------------------------------------ the dialect
@pytest.mark.parametrize(("query", "ast"), [
    ("\\a", a("a")),
    ("a\\ b", a("a b")),
    ("a\\ ", a("a ")),
    ("a\\\\", a("a\\")),
    ('"a\\" b"', Term(None, 'a" b', phrase=True)),
    ('title:"a\\"b"', Term("title", 'a"b', phrase=True)),
    ("a\x00b", a("a\x00b")),
    ("-a", Not(a("a"))),
    ("(-a)", Not(a("a"))),
    ("x(-a)", And((Not(a("a")), a("x")))),
    ("a\t-b", And((Not(a("b")), a("a")))),
    ("a - b", And((Not(a("b")), a("a")))),
    ("a-b", a("a-b")),
    ("a+b", a("a+b")),
    ("+a", Required(a("a"))),
    ("!a", Not(a("a"))),
    ("(!a)", Not(a("a"))),
    ("title:!a", Not(a("a", "title"))),
    ("a\t!b", And((Not(a("b")), a("a")))),
    ("a!b", a("a!b")),
    ("x!", a("x!")),
    ("!", a("!")),
    ("! a", Or((a("!"), a("a")))),
    ("a&&b", a("a&&b")),
    ("a &&b", And((a("a"), a("b")))),
    ("a\t&& b", And((a("a"), a("b")))),
    ("a ||b", Or((a("a"), a("b")))),
    ("a/b", a("a/b")),
    ("*", All()),
    ("title:*", Term("title", "*")),
    ("title:(a OR b)", Or((a("a", "title"), a("b", "title")))),
    ("title:(a b)", Or((a("a", "title"), a("b", "title")))),
    ('title:"a b"^2', Term("title", "a b", phrase=True)),
    ("title:a^2", a("a", "title")),
    ("a ^2", a("a")),
    ("a^.5", a("a")),
    ("a^2^3", a("a")),
    ("a~", a("a")),
    ("a~2", a("a")),
    ("a~0.5", a("a")),
    ("title:a~1", a("a", "title")),
    ('title:"a b"~2', Term("title", "a b", phrase=True)),
    ('"a"~', Term(None, "a", phrase=True)),
    ('"a b"~2', Term(None, "a b", phrase=True)),
    ('"a"~x', Or((Term(None, "a", phrase=True), a("x")))),
    ("a~x", Or((a("a"), a("x")))),
    ("title:[a TO b] c", Or((Range("title", "a", "b"), a("c")))),
    ("title:[a TO b}", Range("title", "a", "b", include_high=False)),
    ("title:{a TO b]", Range("title", "a", "b", include_low=False)),
    ('title:["a b" TO "c"]', Range("title", "a b", "c")),
    ('title:["a" TO *]', Range("title", "a", None)),
    ("title:[* TO *]", Range("title", None, None)),
    ("title:[-5 TO -3]", Range("title", "-5", "-3")),
    ("created:[ -5 TO 5]", Range("created", "-5", "5")),  # luqum reads a separate - as a prefix
    ("created:[ -* TO 5]", Range("created", None, "5")),
    ("created:[1 TO -*]", Range("created", "1", None)),
    ("title:(a AND b)", And((a("a", "title"), a("b", "title")))),
    ("title:(+a b)", And((a("a", "title"), a("b", "title")))),
    ("title:[a\\]b TO c]", Range("title", "a]b", "c")),
    ("a AND NOT b", And((a("a"), Not(a("b"))))),
    ("-a -b", And((Not(a("a")), Not(a("b"))))),
    ("+a +b", And((a("a"), a("b")))),
    ("+a -b c d", And((a("a"), Not(a("b")), Or((a("c"), a("d")))))),
    ("a b", Or((a("a"), a("b")))),
    ("orgid:x", Required(a("x", "orgid"))),
    ("ACCOUNTID:x a", And((a("x", "accountid"), a("a")))),
])
def test_dialect_edges(query, ast):
    assert parse(query, FIELDS) == ast


def test_the_filter_fields_are_the_callers():
    assert parse("orgid:x a", FIELDS, ()) == Or((a("x", "orgid"), a("a")))
    assert parse("title:x a", FIELDS, ("title",)) == And((a("x", "title"), a("a")))
    assert parse("title:x", FIELDS, ("title",)) == Required(a("x", "title"))


def test_tokens_carry_their_kind_text_and_position():
    assert tokenize('a AND (b:[1 TO 2]) "p \\"q"^2 c~1 NOT d && !e || f') == [
        Token("word", "a", 1), Token("op", "AND", 3), Token("sym", "(", 7), Token("word", "b", 8),
        Token("sym", ":", 9), Token("sym", "[", 10), Token("word", "1", 11), Token("word", "TO", 13),
        Token("word", "2", 16), Token("sym", "]", 17), Token("sym", ")", 18), Token("phrase", 'p "q', 20),
        Token("sym", "^", 27), Token("word", "c", 30), Token("sym", "~", 31), Token("op", "NOT", 34),
        Token("word", "d", 38), Token("op", "AND", 40), Token("op", "NOT", 43), Token("word", "e", 44),
        Token("op", "OR", 46), Token("word", "f", 49), Token("end", "", 50)]


def test_wildcards_and_like_patterns():
    assert has_wildcard("a*") and has_wildcard("a?") and not has_wildcard("a")
    assert like_pattern("A_b%c\\d*e?", contains=True) == "%a\\_b\\%c\\\\d%e_%"
    assert like_pattern("A*", contains=False) == "a%"


def test_a_parsed_query_is_remembered_and_a_refused_one_refused_each_time() -> None:
    from geoshare.domain import query_language

    parse.cache_clear()
    first = parse("title:harbour AND owner:ann", FIELDS)
    assert parse("title:harbour AND owner:ann", FIELDS) is first  # the same immutable tree
    assert parse("title:harbour AND owner:ann", FIELDS, ("owner",)) is not first  # its own entry
    assert parse("title:harbour owner:ann", FIELDS, ("owner",)) != parse("title:harbour owner:ann", FIELDS, ())
    for _ in range(2):
        assert "unknown field 'nope'" in refused("nope:x")
    assert parse.cache_info().currsize == 4 and query_language.PARSED_QUERIES == 2048
