"""Text cut into the words the full-text indexes hold: at every character that is neither a
letter nor a digit, lower-cased, and each Latin letter with diacritics folded to its base letter
as SQLite's `unicode61 remove_diacritics 2` tokenizer folds it (migration 0017's table, which
PostgreSQL's `geoshare_search_words` applies too): `Café` is `cafe` on both databases.

`geoshare_search_words(text)` is also a function of every SQLite connection (storage/engine.py),
so the wildcard check of domain/item_search_terms.py reads the same text on both databases.
"""

from __future__ import annotations

import importlib
import re

_WORDS = re.compile(r"[^\W_]+")
_v17 = importlib.import_module("geoshare.storage.migrations.versions.0017_search_words_beyond_ascii")
_FOLD = str.maketrans(_v17.FOLD_FROM, _v17.FOLD_TO)
SQL_FUNCTION = "geoshare_search_words"


def words(text: str) -> list[str]:
    """`text` cut into index words, lower-cased, Latin diacritics folded."""
    return [w.lower().translate(_FOLD) for w in _WORDS.findall(text)]


def joined(text: str | None) -> str:
    """SQLite's geoshare_search_words: the words of `text` separated by single spaces."""
    return " ".join(words(text or ""))
