"""Search (issue 11): words outside ASCII are found on both databases.

1. JSON columns without `\\u` escapes.  Tags, type keywords and categories were stored as
   `json.dumps` writes them by default, `["na\\u00efve"]`, so both full-text indexes (which read
   the stored text) cut `naïve` into `na` and `u00efve`, and the LIKE filters (`tags:naïve`, the
   group and user searches) compared against the escapes.  Geoshare now writes the characters
   themselves (storage/json_text.py); this migration rewrites the rows stored before: every
   `items.tags`, `items.type_keywords`, `items.categories`, `groups.tags`, `groups.type_keywords`
   and `users.tags` holding a `\\u` escape.  SQLite's text triggers re-index each rewritten item.

2. PostgreSQL: letters outside ASCII kept, case and Latin diacritics folded.  The index text was
   cut with `regexp_replace(text, '[^[:alnum:]]+', ' ')`, and under the C locale that geoshare's
   databases may use `[:alnum:]` is ASCII only: `café` was indexed as `caf`, `naïve` as `na ve`,
   `東京` not at all, while the query side (Python) kept the words whole, so none of them was
   ever found.  `geoshare_search_words(text)` now prepares each field: lower-cased under the ICU
   root collation (`und-x-icu`, when the server has ICU; otherwise the database's own, which
   lowers ASCII only), Latin letters with diacritics folded to their base letter (FOLD_FROM →
   FOLD_TO: exactly the 490 letters SQLite's `unicode61 remove_diacritics 2` tokenizer folds, so
   `cafe` finds `café` on both databases), then cut at every character that is neither a letter
   nor a digit (ICU's classes, so `東京` and `Москва` stay words); an ASCII text only lower-cased
   and cut.  storage/search_words.py folds the query's words with the same table.
   `items.search_text` is re-created from it and the posting lists refilled (several minutes at
   a million items: the column's rewrite, its GIN index and `geoshare_fill_item_postings()`).

Downgrade: the 0007 column and its postings come back; the JSON rows keep their characters
(geoshare reads both forms).

Revision ID: 0017
Revises: 0016
"""

import importlib
import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# The JSON columns whose text a search reads.
JSON_COLUMNS = (("items", ("tags", "type_keywords", "categories")), ("groups", ("tags", "type_keywords")),
                ("users", ("tags",)))
ICU = "und-x-icu"

# Each letter SQLite's unicode61 tokenizer (remove_diacritics 2) folds to an ASCII letter, and that
# letter: found by indexing every code point from U+0080 to U+2FFFF with SQLite 3.40.
FOLD_FROM = (
    "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜ"
    "ĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽ"
    "žſƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǦǧǨǩǪǫǬǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰ"
    "ȱȲȳḀḁḂḃḄḅḆḇḈḉḊḋḌḍḎḏḐḑḒḓḔḕḖḗḘḙḚḛḜḝḞḟḠḡḢḣḤḥḦḧḨḩḪḫḬḭḮḯḰḱḲḳḴḵḶḷḸḹḺḻḼḽḾḿṀṁṂṃṄṅṆṇṈṉṊṋṌ"
    "ṍṎṏṐṑṒṓṔṕṖṗṘṙṚṛṜṝṞṟṠṡṢṣṤṥṦṧṨṩṪṫṬṭṮṯṰṱṲṳṴṵṶṷṸṹṺṻṼṽṾṿẀẁẂẃẄẅẆẇẈẉẊẋẌẍẎẏẐẑẒẓẔẕẖẗẘẙẛẠạ"
    "ẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰự"
    "ỲỳỴỵỶỷỸỹKÅ"
)
FOLD_TO = (
    "aaaaaaceeeeiiiinooooouuuuyaaaaaaceeeeiiiinooooouuuuyyaaaaaaccccccccddeeeeeeeeeeg"
    "ggggggghhiiiiiiiiijjkkllllllnnnnnnoooooorrrrrrssssssssttttuuuuuuuuuuuuwwyyyzzzzz"
    "zsoouuaaiioouuuuuuuuuuaaggkkoooojggnnaaaaaaeeeeiiiioooorrrruuuusstthhaaeeooooooo"
    "oyyaabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkllllllllmmmmmmnnnnnnnno"
    "ooooooopppprrrrrrrrssssssssssttttttttuuuuuuuuuuvvvvwwwwwwwwwwxxxxyyzzzzzzhtwysaa"
    "aaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuu"
    "yyyyyyyyka"
)
assert len(FOLD_FROM) == len(FOLD_TO) == 490


def _module(name: str) -> Any:
    return importlib.import_module(f"geoshare.storage.migrations.versions.{name}")


def _unescape(bind: Any) -> None:
    find = sa.func.instr if bind.dialect.name == "sqlite" else sa.func.strpos
    for name, columns in JSON_COLUMNS:
        table = sa.table(name, sa.column("id"), *(sa.column(c) for c in columns))
        for column in columns:
            rows = bind.execute(sa.select(table.c.id, table.c[column]).where(find(table.c[column], "\\u") > 0)).all()
            changed = [{"key": key, "value": json.dumps(json.loads(value), ensure_ascii=False)} for key, value in rows]
            changed = [c for c, (_, value) in zip(changed, rows, strict=True) if c["value"] != value]
            if changed:
                bind.execute(table.update().where(table.c.id == sa.bindparam("key"))
                             .values({column: sa.bindparam("value")}), changed)


def has_icu(bind: Any) -> bool:
    """PostgreSQL: the server offers the ICU root collation (0019 asks too)."""
    return bind.execute(sa.text("SELECT 1 FROM pg_collation WHERE collname = :c"), {"c": ICU}).first() is not None


def words_function(icu: bool) -> str:
    collate = f' COLLATE "{ICU}"' if icu else ""
    folded = f"translate(lower(t{collate}), '{FOLD_FROM}', '{FOLD_TO}')"
    # ASCII text (octet_length = char_length) skips the ICU collation and the fold: translate()
    # compares each character with the whole table, 80 µs for a 60-character text.
    return ("CREATE OR REPLACE FUNCTION geoshare_search_words(t text) RETURNS text LANGUAGE sql IMMUTABLE "
            "PARALLEL SAFE RETURN CASE WHEN octet_length(t) = char_length(t) "
            "THEN regexp_replace(lower(t), '[^[:alnum:]]+', ' ', 'g') "
            f"ELSE regexp_replace({folded}{collate}, '[^[:alnum:]]+', ' ', 'g') END")


def text_vector() -> str:
    """The new `items.search_text`: 0006's weighted fields, each through geoshare_search_words,
    and 0007's access tokens."""
    v6, v7 = _module("0006_search"), _module("0007_search_access")
    parts = [f"setweight(to_tsvector('geoshare_text'::regconfig, geoshare_search_words(coalesce({column}, ''))), "
             f"'{weight}')" for weight, columns in v6.PG_WEIGHTS for column in columns]
    return f"ts_delete({v6.PG_FIELD_GAP.join(parts)}, '-'::text) || {v7.PG_ACL_VECTOR}"


def upgrade():
    bind = op.get_bind()
    _unescape(bind)
    if bind.dialect.name == "sqlite":
        return
    op.execute(words_function(has_icu(bind)))
    _module("0007_search_access")._pg_text_column(text_vector())
    op.execute("SELECT geoshare_fill_item_postings()")
    op.execute("ANALYZE items")
    op.execute("ANALYZE item_postings")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        return
    v6, v7 = _module("0006_search"), _module("0007_search_access")
    v7._pg_text_column(f"{v6.pg_text_vector()} || {v7.PG_ACL_VECTOR}")
    op.execute("DROP FUNCTION geoshare_search_words(text)")
    op.execute("SELECT geoshare_fill_item_postings()")
