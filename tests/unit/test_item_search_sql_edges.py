"""Edges of storage/item_search.py's PostgreSQL expressions found by mutation testing: the
tsquery text of a term (weights, phrase, prefix), the re-check of a field that shares its weight,
the title tier and the access tokens, as the SQL PostgreSQL receives.  The API tests run these on
PostgreSQL in CI; the mutation run uses SQLite only, so the SQL text is asserted here as well."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.dialects import postgresql

from geoshare.storage import item_search as store


def pg(expression: Any) -> str:
    return str(expression.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


def test_tsquery_is_a_phrase_with_the_last_word_as_the_prefix() -> None:
    assert store._tsquery(["lakes", "of", "the"], True, "AC") == "'lakes':AC <-> 'of':AC <-> 'the':*AC"
    assert store._tsquery(["lakes", "of", "the"], False, "B") == "'lakes':B <-> 'of':B <-> 'the':B"
    assert store._tsquery(["lakes"], False, "") == "'lakes':"


def test_a_term_on_the_title_reads_its_weight_alone() -> None:
    assert pg(store.text_match(False, ["title"], "Lakes of-the", prefix=True)) == (
        "items.search_text @@ to_tsquery('geoshare_text'::regconfig, '''lakes'':A <-> ''of'':A <-> ''the'':*A')")
    assert pg(store.text_match(False, ["tags"], "Lakes", prefix=False)) == (
        "items.search_text @@ to_tsquery('geoshare_text'::regconfig, '''lakes'':B')")


def test_several_fields_read_their_weights_without_a_recheck() -> None:
    assert pg(store.text_match(False, list(store.DEFAULT_FIELDS), "Lakes", prefix=False)) == (
        "items.search_text @@ to_tsquery('geoshare_text'::regconfig, '''lakes'':ABC')")
    assert pg(store.text_match(False, ["name", "tags", "snippet"], "Lakes", prefix=False)) == (
        "items.search_text @@ to_tsquery('geoshare_text'::regconfig, '''lakes'':BCD')")


def test_a_field_sharing_its_weight_is_checked_on_its_own_text() -> None:
    assert pg(store.text_match(False, ["description"], "Lakes", prefix=False)) == (
        "(items.search_text @@ to_tsquery('geoshare_text'::regconfig, '''lakes'':C')) AND "
        "(to_tsvector('geoshare_text'::regconfig, geoshare_search_words(coalesce(items.description, ''))) "
        "@@ to_tsquery('geoshare_text'::regconfig, '''lakes'':'))")
    assert pg(store.text_match(False, ["typekeywords"], "hydro-Map", prefix=True)) == (
        "(items.search_text @@ to_tsquery('geoshare_text'::regconfig, '''hydro'':C <-> ''map'':*C')) AND "
        "(to_tsvector('geoshare_text'::regconfig, geoshare_search_words(coalesce(items.type_keywords, ''))) "
        "@@ to_tsquery('geoshare_text'::regconfig, '''hydro'': <-> ''map'':*'))")


@pytest.mark.parametrize("field", sorted(store.TEXT_FIELDS))
def test_only_the_fields_of_a_weight_of_their_own_skip_the_recheck(field: str) -> None:
    sql = pg(store.text_match(False, [field], "lakes", prefix=False))
    column = store.TEXT_FIELDS[field].name
    rechecked = f"geoshare_search_words(coalesce(items.{column}, ''))"
    assert (rechecked in sql) == (field not in ("title", "tags")), sql


def test_a_term_without_words_matches_nothing_on_both_databases() -> None:
    assert pg(store.text_match(False, ["title"], "--", prefix=True)) == "false"
    assert pg(store.text_match(True, ["title"], " * ", prefix=False)) == "false"


def test_the_title_tier_is_any_free_text_term_in_the_title() -> None:
    """A one-word term as that word, a term of several words as that phrase, each once."""
    assert pg(store.title_tier(False, ["Rivers lakes", "LAKES", "lakes"])) == (
        "items.search_text @@ to_tsquery('geoshare_text'::regconfig, "
        "'(''lakes'':A) | (''rivers'':A <-> ''lakes'':A)')")
    assert pg(store.title_tier(False, ["land-use", "-", "a b c"])) == (
        "items.search_text @@ to_tsquery('geoshare_text'::regconfig, "
        "'(''a'':A <-> ''b'':A <-> ''c'':A) | (''land'':A <-> ''use'':A)')")
    assert store.free_words(["Rivers lakes", "LAKES", "--", "lakes"]) == ["lakes", "rivers lakes"]
    assert store.title_fts(["lakes", "rivers lakes"]) == '{title} : ("lakes" OR "rivers lakes")'
    assert store.title_tier(False, ["--", "*"]) is None
    assert store.title_tier(True, []) is None


def test_access_tokens_are_any_of_them_in_the_simple_configuration() -> None:
    assert pg(store.acl_match(["za0", "ub0", "gc0"])) == (
        "items.search_text @@ to_tsquery('simple'::regconfig, 'za0 | ub0 | gc0')")
