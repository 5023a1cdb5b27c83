"""The user query parser (domain/user_search.py): input -> AST cases kept as data, error
positions, and a property: any text parses or is refused with InvalidParameter, never a crash."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geoshare.domain.page_window import window
from geoshare.domain.principal import ANONYMOUS
from geoshare.domain.user_listing import TRANSLATED, predicate
from geoshare.domain.user_search import (
    FIELDS,
    All,
    And,
    Not,
    Or,
    Range,
    Required,
    Term,
    parse,
    tokenize,
)
from geoshare.errors import InvalidParameter

CASES = [
    ("bob", Term(None, "bob")),
    ('"Bob Smith"', Term(None, "Bob Smith", phrase=True)),
    ("*", All()),
    ("username:bob", Term("username", "bob")),
    ("USERNAME:bob", Term("username", "bob")),
    ("fullname: bob", Term("fullname", "bob")),
    ('fullname:"Bob \\"B\\" Smith"', Term("fullname", 'Bob "B" Smith', phrase=True)),
    ("a b", Or((Term(None, "a"), Term(None, "b")))),
    ("a AND b", And((Term(None, "a"), Term(None, "b")))),
    ("a && b || c", Or((And((Term(None, "a"), Term(None, "b"))), Term(None, "c")))),
    ("a OR b AND c", Or((Term(None, "a"), And((Term(None, "b"), Term(None, "c")))))),
    ("a and b", Or((Term(None, "a"), Term(None, "and"), Term(None, "b")))),  # lower-case words are terms
    ("NOT a", Not(Term(None, "a"))),
    ("a -b", And((Not(Term(None, "b")), Term(None, "a")))),
    ("a !b", And((Not(Term(None, "b")), Term(None, "a")))),
    ("+a b", And((Term(None, "a"), Term(None, "b")))),
    ("a-b", Term(None, "a-b")),
    ("a accountid:X", And((Term("accountid", "X"), Term(None, "a")))),
    ("orgid:X", Required(Term("orgid", "X"))),
    ("tags:(a OR b)", Or((Term("tags", "a"), Term("tags", "b")))),
    ("(a OR b) c", Or((Or((Term(None, "a"), Term(None, "b"))), Term(None, "c")))),
    ("created:[1 TO 2]", Range("created", "1", "2")),
    ("created:{1 TO *]", Range("created", "1", None, include_low=False)),
    ("created:[* TO 2}", Range("created", None, "2", include_high=False)),
    ("a^2 b^0.5", Or((Term(None, "a"), Term(None, "b")))),
    ("bo*", Term(None, "bo*")),
    ("a\\:b", Term(None, "a:b")),
    ("(-b)", Not(Term(None, "b"))),
    ('"x"-y', Or((Term(None, "x", phrase=True), Term(None, "-y")))),  # a - inside a clause is no prefix
    ('username:["a b" TO "c d"]', Range("username", "a b", "c d")),
]


@pytest.mark.parametrize(("query", "ast"), CASES, ids=[c[0] for c in CASES])
def test_parse(query, ast):
    assert parse(query, FIELDS) == ast


ERRORS = [
    ("", "expected a search term at position 1"),
    ("   ", "expected a search term at position 4"),
    ("title:x", "unknown field 'title' at position 1"),
    ("a (b", "expected ')' at position 5"),
    ("a)", "unexpected ')' at position 2"),
    ('"abc', "unclosed quotation mark at position 1"),
    ("created:[1 2]", "expected 'TO' at position 12"),
    ("created:[1 TO 2", "expected ']' or '}' at position 16"),
    ("created:[1 TO 2)", "expected ']' or '}' at position 16"),
    ("created:[", "expected a range bound at position 10"),
    ("username:", "expected a value for 'username' at position 10"),
    ("a^", "expected a number after '^' at position 3"),
    ("a AND", "expected a search term at position 6"),
    ("()", "expected a search term at position 2"),
]


@pytest.mark.parametrize(("query", "message"), ERRORS, ids=[e[0] or "empty" for e in ERRORS])
def test_errors_name_the_position(query, message):
    with pytest.raises(InvalidParameter) as raised:
        parse(query, FIELDS)
    assert raised.value.message == "Invalid query." and raised.value.details == [f"'q': {message}."]


def test_every_field_is_translated():
    assert TRANSLATED == FIELDS


def test_tokens_carry_positions():
    assert [(t.kind, t.text, t.pos) for t in tokenize('ab:"c d" OR')] == [
        ("word", "ab", 1), ("sym", ":", 3), ("phrase", "c d", 4), ("op", "OR", 10), ("end", "", 12)]


def test_filter_errors_name_the_filter_parameter():
    with pytest.raises(InvalidParameter) as raised:
        predicate("nope:1", ANONYMOUS, "filter")
    assert raised.value.details == ["'filter': unknown field 'nope' at position 1."]


@given(st.text(alphabet=st.sampled_from(list('ab:*?"()[]{}^+-!& |\\TOANDRNusername0123 ')), max_size=40))
def test_any_text_parses_or_is_refused(text):
    try:
        node = parse(text, FIELDS)
    except InvalidParameter as exc:
        assert exc.details and "position" in exc.details[0]
        return
    try:
        predicate(text, ANONYMOUS)  # and what parses translates (or refuses a value) without crashing
    except InvalidParameter:
        pass
    assert node is not None


@pytest.mark.parametrize(("start", "num", "cap", "expected"), [
    (None, None, None, (1, 10, False, 0, 10)),
    (0, 5, None, (1, 5, False, 0, 5)),
    (3, 5, None, (3, 5, False, 2, 5)),
    (-1, 5, None, (-1, 5, True, 0, 0)),
    (1, 150, None, (1, 100, False, 0, 100)),
    (1, -4, None, (1, 0, False, 0, 0)),
    (9991, 10, 10_000, (9991, 10, False, 9990, 10)),
    (9992, 10, 10_000, (9992, 10, True, 0, 0)),
])
def test_window(start, num, cap, expected):
    w = window(start, num, cap=cap)
    assert (w.start, w.num, w.empty, w.offset, w.limit) == expected


@pytest.mark.parametrize(("start", "num", "total", "cap", "expected"), [
    (1, 10, 25, None, (25, 11)), (21, 10, 25, None, (25, -1)), (16, 10, 25, None, (25, -1)),
    (15, 10, 25, None, (25, 25)), (1, 0, 25, None, (25, -1)), (1, 10, 20_000, 10_000, (10_000, 11)),
    (9981, 10, 20_000, 10_000, (10_000, 9991)), (9991, 10, 20_000, 10_000, (10_000, -1)), (-1, 10, 5, None, (5, -1)),
])
def test_window_answer(start, num, total, cap, expected):
    body = window(start, num, cap=cap).answer(total)
    assert (body["total"], body["nextStart"]) == expected
