"""Migration 0014's derived index entries (SQLite): word pairs and the word list.

The triggers cut each written item in SQL, the upgrade and the benchmark's bulk load in Python
(storage/fts_words.py); both must give the same pairs and words, and a pair token must find exactly
the items FTS5's own phrase finds, through inserts, text changes and deletes (a contentless delete
that named other tokens than the insert would leave the index wrong)."""

from __future__ import annotations

import random
import secrets

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from geoshare.storage import fts_words, migrate
from geoshare.storage import item_search as store
from geoshare.storage.engine import Database

DEFAULT = "{title tags snippet description type typekeywords}"
WORDS = ["land", "use", "uses", "Land-use", "plan", "planning", "Café", "cafe", "naïve", "straße", "水道", "río",
         "hydrology", "hydrologic", "agreed", "agree", "x1", "2024", "a", "the", "USE", "l'eau", "e-mail", "über"]


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    path = tmp_path_factory.mktemp("words") / "w.db"
    found = Database(f"sqlite:///{path}").sync_engine
    migrate.upgrade(found)
    with found.begin() as conn:
        conn.execute(text("INSERT INTO orgs (id, name, is_default, access, settings, can_share_public, "
                          "can_search_public, created, modified) VALUES ('o', 'Org', true, 'public', '{}', true, "
                          "true, 1, 1)"))
        conn.execute(text("INSERT INTO users (id, org_id, username, username_key, role, user_license_type_id, "
                          "access, tags, provider, disabled, last_login, created, modified) VALUES ('u', 'o', 'u', "
                          "'u', 'org_user', 'creatorUT', 'org', '[]', 'arcgis', false, -1, 1, 1)"))
    yield found
    found.dispose()


TEXT_COLUMNS = ("title", "tags", "snippet", "description", "type", "type_keywords", "access_information",
                "license_info", "name")


def put(conn, item_id: str, texts: dict[str, str | None]) -> None:
    """An item written in SQL with the given text columns (the rest fixed)."""
    values = {c: texts.get(c) for c in TEXT_COLUMNS}
    for required in ("title", "tags", "type_keywords"):  # NOT NULL
        values[required] = values[required] or ""
    values["type"] = values["type"] or "Web Map"
    conn.execute(text(
        "INSERT INTO items (id, org_id, owner_id, title, title_key, type, type_keywords, tags, snippet, description, "
        "access_information, license_info, name, categories, data_kind, size, shared_public, shared_org, access, "
        "protected, comments_enabled, num_comments, num_ratings, avg_rating, num_views, status, listed, created, "
        "modified) VALUES (:id, 'o', 'u', :title, lower(:title), :type, :type_keywords, :tags, :snippet, "
        ":description, :access_information, :license_info, :name, '[]', 'none', 0, true, false, 'public', false, "
        "true, 0, 0, 0, 0, 'ok', false, 1, 1)"), {"id": item_id, **values})


def stored(conn, item_id: str) -> tuple[str | None, tuple[str | None, ...]]:
    row = conn.execute(text(f"SELECT p.pairs, {', '.join(TEXT_COLUMNS)} FROM items JOIN item_pairs p "
                            "ON p.item_id = items.id WHERE items.id = :i"), {"i": item_id}).one()
    return row[0], tuple(row[1:])


def matching(conn, fts: str) -> set[str]:
    sql = (f"SELECT items.id FROM item_text JOIN items ON items.seq = "
           f"{store.MAX_SEQ} - ((item_text.rowid >> {store.SEQ_SHIFT}) & {store.SEQ_MASK}) WHERE item_text MATCH :q")
    return {r[0] for r in conn.execute(text(sql), {"q": fts})}


texts = st.lists(st.sampled_from(WORDS) | st.text(alphabet="aé- ,.'Zß水1_\t", max_size=8), max_size=6).map(" ".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(columns=st.fixed_dictionaries({c: st.none() | texts for c in TEXT_COLUMNS}))
def test_the_triggers_cut_text_as_python_does(engine, columns):
    """The pairs and words a trigger stores equal fts_words.derived of the same text (ASCII or not)."""
    item_id = secrets.token_hex(16)
    with engine.begin() as conn:
        put(conn, item_id, columns)
        pairs, row = stored(conn, item_id)
        expected_pairs, expected_terms = fts_words.derived(row)
        assert pairs == expected_pairs
        held = {r[0] for r in conn.execute(text("SELECT term FROM item_terms"))}
        assert expected_terms <= held
        # and the scratch table is empty again
        assert conn.execute(text("SELECT count(*) FROM item_words_at")).scalar_one() == 0


def test_python_cuts_ascii_and_other_text_as_fts5_does():
    """The ASCII shortcut and FTS5's whole cut agree (stems, case, punctuation, digits)."""
    sample = ["Land-use PLANNING, uses: x1_2024 the agreed-upon l'eau", "", "  --  ", "e-mail hydrologic 42x"]
    for value in sample:
        assert fts_words.item_words([value]) == fts_words._TOKENIZER.runs([value])
    assert fts_words.item_words(["Café naïve straße 水道 río"]) == [["cafe", "naiv", "straß", "水道", "rio"]]
    assert fts_words.phrase_pair(["land", "uses"]) == fts_words.pair_token("land", "us")
    assert fts_words.phrase_pair(["land"]) is None
    assert fts_words.phrase_pair(["land", "use", "plan"]) is None
    pairs, terms = fts_words.derived(["Land use", None, None, None, None, None, "use land", None, None])
    assert pairs == fts_words.pair_token("land", "us")  # accessinformation gives words, never pairs
    assert terms == {"land", "us"}
    assert fts_words.derived(["Land", "", None, "use", None, None, "use land", None, None]) == (None, {"land", "us"})
    assert fts_words.stem("Studies") == "studi"
    assert fts_words.stem("land use") is None and fts_words.stem("--") is None  # two words, none


def test_an_item_without_neighbouring_words_stores_no_pairs(engine):
    """One word per field: the trigger stores no pairs (NULL), as Python's cut says (None)."""
    with engine.begin() as conn:
        put(conn, "n" * 32, {"title": "Harbour", "type": "Map", "tags": "roads"})
        pairs, row = stored(conn, "n" * 32)
        assert pairs is None and fts_words.derived(row)[0] is None


def test_a_pair_finds_what_the_phrase_finds_through_writes(engine):
    """Random items, then text changes and deletes: for every two neighbouring words, the pair
    token matches exactly the items FTS5's phrase in the default fields matches."""
    rng = random.Random(5)  # noqa: S311 - a reproducible corpus
    plain = [w for w in WORDS if w.isascii()]

    def sentence() -> str:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 5)))

    ids = [f"p{i:031d}" for i in range(60)]
    with engine.begin() as conn:
        for item_id in ids:
            put(conn, item_id, {"title": sentence(), "tags": sentence(), "description": sentence(),
                                "access_information": sentence()})
        for item_id in ids[:20]:  # text changes rewrite the entry (delete with the old pairs)
            conn.execute(text("UPDATE items SET title = :t, snippet = :s WHERE id = :i"),
                         {"t": sentence(), "s": sentence(), "i": item_id})
        for item_id in ids[20:30]:
            conn.execute(text("DELETE FROM items WHERE id = :i"), {"i": item_id})
        assert conn.execute(text("SELECT count(*) FROM item_pairs WHERE item_id IN (SELECT id FROM items)")).scalar_one() \
            == conn.execute(text("SELECT count(*) FROM item_pairs")).scalar_one()  # a deleted item's pairs go too
        checked = 0
        for first in plain:
            for second in plain:
                pair = fts_words.phrase_pair([first, second])
                if pair is None:
                    continue
                phrase = matching(conn, f'{DEFAULT} : "{first} {second}"')
                assert matching(conn, f"{{pairs}} : {pair}") == phrase, (first, second)
                checked += bool(phrase)
        assert checked > 10  # the corpus holds many of the pairs
        assert store.fts_query(store.DEFAULT_FIELDS, ["land", "use"], False) == \
            f"{{pairs}} : {fts_words.pair_token('land', 'us')}"
        assert store.fts_query(("title",), ["land", "use"], False) == '{title} : "land use"'
        assert store.fts_query(store.DEFAULT_FIELDS, ["land", "use"], True) == f'{DEFAULT} : "land use" *'


def test_a_prefix_becomes_the_words_it_stands_for(engine):
    """`hydro*` is asked as the words of the word list starting with its stem, and finds what
    FTS5's prefix finds; a prefix of many words, or of a word its stemmer would change, stays
    FTS5's prefix query."""
    with engine.begin() as conn:
        put(conn, "h" * 32, {"title": "Hydrology hydrologic Hydrography studies"})
        assert fts_words.MAX_EXPANSION == 64
        for n in range(64):  # as many words as may be expanded: still expanded
            put(conn, f"m{n:031d}", {"title": f"manyword{n:03d}"})
        expanded_many = store.expand_prefixes(conn, '{title} : "manyword" *')
        assert expanded_many.count(" OR ") == 63
        put(conn, f"m{64:031d}", {"title": "manyword064"})  # one more: FTS5's own prefix
        native = f'{DEFAULT} : "hydro" *'
        expanded = store.expand_prefixes(conn, native)
        assert expanded.startswith(f"{DEFAULT} : (") and '"hydrolog"' in expanded and '"hydrographi"' in expanded
        assert matching(conn, expanded) == matching(conn, native) != set()
        stemmed = store.expand_prefixes(conn, '{title} : "studies" *')  # the prefix is stemmed first, as FTS5 does
        assert stemmed == '{title} : ("studi")'
        many = '{title} : "manyword" *'
        assert store.expand_prefixes(conn, many) == many
        assert store.expand_prefixes(conn, '{title} : "zzzz" *') == '{title} : "zzzz" *'  # no word: FTS5's
        assert store.expand_prefixes(conn, '{title} : "land us" *') == '{title} : "land us" *'  # a phrase prefix
        # A word the stemmer shortens again when asked for (`agre`, from "agreed", becomes `agr`)
        put(conn, "g" * 32, {"title": "agreed"})
        assert not fts_words.is_own_stem("agre")
        assert store.expand_prefixes(conn, '{title} : "agre" *') == '{title} : "agre" *'
