"""Edges of the item query language's translation (domain/item_search_terms.py) found by mutation
testing: the exact refusals of numbers and item types, the regular expressions of inner wildcards
on both databases, and the lower-cased, escaped patterns of categories and cultures (SQLite's LIKE
ignores case, so only PostgreSQL would tell a pattern's case apart: it is asserted here)."""

from __future__ import annotations

import pytest

from geoshare.domain.item_search_terms import Compiler, _number, _word_pattern, json_quote
from geoshare.domain.query_language import Range
from geoshare.errors import InvalidParameter


def refusal(call: object, *args: object) -> list[str]:
    with pytest.raises(InvalidParameter) as raised:
        call(*args)  # type: ignore[operator]
    return list(raised.value.details)


@pytest.mark.parametrize("text", ["abc", "nan", "NaN", "inf", "INF", "-inf", "-Infinity", "1e999"])
def test_a_number_that_is_not_finite_is_refused_with_its_text(text: str) -> None:
    assert refusal(_number, "numviews", text) == [f"'q': 'numviews' takes a number, not {text!r}."]


def test_whole_numbers_become_integers_except_ratings() -> None:
    assert _number("numviews", "3") == 3 and type(_number("numviews", "3.0")) is int
    assert _number("numviews", "2.5") == 2.5
    assert _number("avgrating", "4") == 4.0 and type(_number("avgrating", "4")) is float
    assert type(_number("created", "1e3")) is int


def test_a_range_names_its_own_field_when_refused() -> None:
    compiler = Compiler(True)
    assert refusal(compiler.range, Range("created", "x", None)) == ["'q': 'created' takes a number, not 'x'."]
    assert refusal(compiler.range, Range("numcomments", "1", "y")) == ["'q': 'numcomments' takes a number, not 'y'."]
    assert refusal(compiler.range, Range("tags", "a", "b")) == ["'q': 'tags' does not take a range."]


def test_an_unknown_item_type_is_refused() -> None:
    assert refusal(Compiler(True).keyword, "itemtype", "map") == ["'q': 'itemtype' is one of url, text, file."]


def test_inner_wildcards_as_regular_expressions() -> None:
    # SQLite: the stored text, case-insensitive, each letter as the class of its variants
    assert _word_pattern("Q.b*x?-", "sqlite") == "(?i)(^|[\\W_])q[\\W_]+[bḂḃḄḅḆḇ][^\\W_]*[xẊẋẌẍ][^\\W_]([\\W_]|$)"
    assert _word_pattern("моск*", "sqlite") == "(?i)(^|[\\W_])моск[^\\W_]*([\\W_]|$)"
    # PostgreSQL: the folded text whose words one space separates (storage/search_words.py)...
    assert _word_pattern("A.b*c?-", "folded") == "(^| )a b[^ ]*c[^ ]( |$)"
    assert _word_pattern("-Caf?..É*", "folded") == "(^| )caf[^ ] e[^ ]*( |$)"
    # ...or an ASCII text as stored, matched with ~* (the term's letters folded)
    assert _word_pattern("-Caf?..É*", "ascii") == \
        "(^|[^[:alnum:]])caf[[:alnum:]][^[:alnum:]]+e[[:alnum:]]*([^[:alnum:]]|$)"


def test_categories_are_matched_lower_cased_and_escaped() -> None:
    assert json_quote("Fire/Zone") == '"fire/zone"'
    condition = Compiler.category("/Cat/Fire_TAX/")
    params = condition.compile().params
    assert sorted(v for v in params.values() if v) == ['%"/cat/fire\\_tax"%', '%"/cat/fire\\_tax/%']
    assert str(condition.compile()).count("ESCAPE") == 2


def test_cultures_are_matched_lower_cased_and_escaped() -> None:
    condition = Compiler(True).keyword("culture", "En_US")
    assert sorted(v for v in condition.compile().params.values() if v) == ["en\\_us-%", "en_us"]
    assert "ESCAPE" in str(condition.compile())
