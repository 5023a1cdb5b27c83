"""SQLite: item text cut into index words exactly as the full-text index cuts it, for the two
entries migration 0014 derives from it.

* Word pairs: every two neighbouring words of one default search field (title, tags, snippet,
  description, type, typekeywords) as one token of the `pairs` column of `item_text`, so a phrase
  of two words is one token lookup instead of a check of the positions of every item holding both
  words (FTS5's own phrase match, which stays the answer to every other phrase).
* The word list `item_terms`: every word the index holds in a text field, so a prefix (`hydro*`)
  becomes the words it stands for, looked up in the index as words.  FTS5's own prefix query
  merges the lists of all of them in memory before it returns a row, once per lookup, and a
  member's search makes up to five lookups.

The cutting is FTS5's own: an in-memory FTS5 table with the same tokenizer gives the words, so
stemming, case folding and diacritics are the index's.  Text that is all ASCII is cut here
(letters and digits make words; every other ASCII character separates them, as in FTS5's
unicode61) and only each distinct word is stemmed by FTS5 (cached); any other text goes through
FTS5 whole.  The triggers of 0014 compute the same in SQL for each write; a test checks both ways
agree.
"""

from __future__ import annotations

import functools
import re
import sqlite3
import threading
from collections.abc import Sequence

TOKENIZE = "porter unicode61 remove_diacritics 2"
# item_text's text columns (0007) and the items columns they are read from
TEXT_COLUMNS = ("title", "tags", "snippet", "description", "type", "typekeywords", "accessinformation",
                "licenseinfo", "name")
ITEM_COLUMNS = ("title", "tags", "snippet", "description", "type", "type_keywords", "access_information",
                "license_info", "name")
PAIR_COLUMNS = TEXT_COLUMNS[:6]  # the default search fields: a phrase without a field is looked for in these
PAIR_PREFIX = "zw"  # pair tokens: `zw` + hex of "first second" + `0` (the access tokens' form, 0007)
MAX_EXPANSION = 64  # a prefix standing for more words than this stays FTS5's prefix query
_ASCII_WORD = re.compile(r"[A-Za-z0-9]+")


class _Tokenizer:
    """An in-memory FTS5 table with the index's tokenizer, read back through fts5vocab."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        columns = ", ".join(f"c{i}" for i in range(len(TEXT_COLUMNS)))
        self._db.execute(f"CREATE VIRTUAL TABLE words USING fts5({columns}, content='', tokenize='{TOKENIZE}')")
        self._db.execute("CREATE VIRTUAL TABLE words_at USING fts5vocab(words, instance)")
        self._insert = (f"INSERT INTO words(rowid, {columns}) "  # noqa: S608 - the module's own names
                        f"VALUES (1, {', '.join('?' for _ in TEXT_COLUMNS)})")

    def runs(self, texts: Sequence[str | None]) -> list[list[str]]:
        """The words of each of up to nine texts, in order."""
        padded = list(texts) + [None] * (len(TEXT_COLUMNS) - len(texts))
        with self._lock:
            try:
                self._db.execute(self._insert, padded)
                rows = self._db.execute("SELECT col, offset, term FROM words_at").fetchall()
            finally:
                self._db.execute("INSERT INTO words(words) VALUES ('delete-all')")
        runs: list[list[tuple[int, str]]] = [[] for _ in TEXT_COLUMNS]
        for col, offset, term in rows:
            runs[int(col[1:])].append((int(offset), str(term)))
        return [[term for _, term in sorted(run)] for run in runs[:len(texts)]]


_TOKENIZER = _Tokenizer()


@functools.lru_cache(maxsize=65536)
def words(text: str) -> tuple[str, ...]:
    """`text` as the index words FTS5 makes of it."""
    return tuple(_TOKENIZER.runs([text])[0])


def stem(word: str) -> str | None:
    """The one index word `word` becomes (None if it becomes none or several)."""
    found = words(word)
    return found[0] if len(found) == 1 else None


def pair_token(first: str, second: str) -> str:
    """The pairs-column token of two neighbouring index words."""
    return f"{PAIR_PREFIX}{f'{first} {second}'.encode().hex()}0"


def _ascii_run(text: str) -> list[str]:
    out = []
    for word in _ASCII_WORD.findall(text):
        found = stem(word.lower())
        if found is not None:
            out.append(found)
    return out


def item_words(texts: Sequence[str | None]) -> list[list[str]]:
    """The index words of an item's text columns (ITEM_COLUMNS order), each in order."""
    if all(t is None or t.isascii() for t in texts):
        return [_ascii_run(t) if t else [] for t in texts]
    return _TOKENIZER.runs(texts)


def derived(texts: Sequence[str | None]) -> tuple[str | None, set[str]]:
    """An item's pairs text (its distinct pair tokens, sorted, space-separated; None without any)
    and its distinct index words, from its text columns in ITEM_COLUMNS order."""
    runs = item_words(texts)
    pairs = {pair_token(a, b) for run in runs[:len(PAIR_COLUMNS)] for a, b in zip(run, run[1:], strict=False)}
    terms = {term for run in runs for term in run}
    return (" ".join(sorted(pairs)) if pairs else None), terms


def phrase_pair(tokens: Sequence[str]) -> str | None:
    """The pair token of a phrase of the query words `tokens`, if the index makes two words of it."""
    found = words(" ".join(tokens))
    return pair_token(*found) if len(found) == 2 else None


def is_own_stem(term: str) -> bool:
    """Whether the index word `term`, asked for in a query, is looked up as itself (the stemmer
    leaves it as it is)."""
    return words(term) == (term,)


# --------------------------------------------------------------------- the same in SQL (0014's triggers)
# `item_words` is a contentless FTS5 table with the text columns, `item_words_at` its fts5vocab
# instance table; a trigger writes one row (rowid 1), reads these, and empties it.
PAIRS_SQL = ("(SELECT group_concat(tok, ' ') FROM (SELECT DISTINCT "  # noqa: S608 - constants
             f"'{PAIR_PREFIX}' || lower(hex(term || ' ' || after_term)) || '0' AS tok FROM "
             "(SELECT col, term, lead(term) OVER w AS after_term "
             "FROM item_words_at WINDOW w AS (PARTITION BY col ORDER BY offset)) "
             f"WHERE after_term IS NOT NULL AND col IN ({', '.join(repr(c) for c in PAIR_COLUMNS)}) "
             "ORDER BY tok))")
TERMS_SQL = "SELECT DISTINCT term FROM item_words_at"
