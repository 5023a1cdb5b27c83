"""Text cut into the words the full-text indexes hold: at every character that is neither a
letter nor a digit, lower-cased, and each Latin letter with diacritics folded to its base letter
as SQLite's `unicode61 remove_diacritics 2` tokenizer folds it (migration 0017's table, which
PostgreSQL's `geoshare_search_words` applies too): `Café` is `cafe` on both databases.

On PostgreSQL `geoshare_search_words(text)` (SQL_FUNCTION) gives a stored text as its index
reads it; on SQLite a regular expression takes the variants of each letter instead (`variants`).
"""

from __future__ import annotations

import importlib
import re

_WORDS = re.compile(r"[^\W_]+")
_v17 = importlib.import_module("geoshare.storage.migrations.versions.0017_search_words_beyond_ascii")
_FOLD = str.maketrans(_v17.FOLD_FROM, _v17.FOLD_TO)
SQL_FUNCTION = "geoshare_search_words"
_VARIANTS: dict[str, str] = {}  # folded letter -> the letters folded to it
for _from, _to in zip(_v17.FOLD_FROM, _v17.FOLD_TO, strict=True):
    _VARIANTS[_to] = _VARIANTS.get(_to, "") + _from


def words(text: str) -> list[str]:
    """`text` cut into index words, lower-cased, Latin diacritics folded."""
    return [w.lower().translate(_FOLD) for w in _WORDS.findall(text)]


def variants(letter: str) -> str:
    """The letters the index takes for the folded letter `letter` (`e`: `e`, `é`, `É`, `ė`, ...),
    for a regular expression on text that is not folded (case aside)."""
    return letter + _VARIANTS.get(letter, "")
