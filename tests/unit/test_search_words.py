"""The words of a text as both indexes hold them (storage/search_words.py, migration 0017)."""

from __future__ import annotations

import importlib
import sqlite3

from geoshare.storage import search_words

V17 = importlib.import_module("geoshare.storage.migrations.versions.0017_search_words_beyond_ascii")


def _sqlite_folds() -> dict[str, str]:
    """Every character from U+0080 to U+2FFFF that SQLite's tokenizer (as geoshare configures
    it) turns into an ASCII letter, and that letter."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='porter unicode61 remove_diacritics 2')")
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
    chars = [chr(cp) for cp in range(0x80, 0x30000) if not 0xD800 <= cp < 0xE000]
    db.executemany("INSERT INTO t(rowid, x) VALUES (?, ?)", [(ord(c), f"q{c}q") for c in chars])
    return {chr(doc): term[1] for doc, term in db.execute("SELECT doc, term FROM v")
            if len(term) == 3 and term.isascii() and term[0] == term[2] == "q"}


def test_the_fold_table_is_exactly_what_sqlite_folds() -> None:
    assert dict(zip(V17.FOLD_FROM, V17.FOLD_TO, strict=True)) == _sqlite_folds()


def test_words_are_cut_lower_cased_and_folded() -> None:
    assert search_words.words("Café-CULTURE, naïve_Straße 東京 Москва ÅNGSTRÖM") == \
        ["cafe", "culture", "naive", "straße", "東京", "москва", "angstrom"]
    assert search_words.words(" -- ") == []
    assert search_words.variants("e")[:1] == "e" and {"é", "É", "ė"} <= set(search_words.variants("e"))
    assert search_words.variants("q") == "q" and search_words.variants("москва") == "москва"


def test_the_postgresql_function_uses_icu_only_where_the_server_has_it() -> None:
    with_icu, without = V17.words_function(True), V17.words_function(False)
    assert with_icu.count('COLLATE "und-x-icu"') == 2 and "COLLATE" not in without
    for sql in (with_icu, without):  # ASCII text: lower-cased and cut, no fold
        assert "WHEN octet_length(t) = char_length(t) THEN regexp_replace(lower(t), '[^[:alnum:]]+', ' ', 'g')" in sql
        assert f"'{V17.FOLD_FROM}', '{V17.FOLD_TO}'" in sql


def test_the_postgresql_lower_function_uses_icu_only_where_the_server_has_it() -> None:
    v19 = importlib.import_module("geoshare.storage.migrations.versions.0019_lower_beyond_ascii")
    assert v19.function_sql(True).endswith('RETURN lower(t COLLATE "und-x-icu")')
    assert v19.function_sql(False).endswith("RETURN lower(t)")


def test_the_lower_function_is_asked_only_for_text_beyond_ascii() -> None:
    from sqlalchemy import column

    from geoshare.storage import text_case

    assert str(text_case.case_folded(column("c"), "Harbour")) == "lower(c)"
    assert str(text_case.case_folded(column("c"), "École")) == "geoshare_lower(c)"
    assert text_case.sqlite_lower("ÉCOLE Ü") == "école ü" and text_case.sqlite_lower(None) is None
