"""Search (issue 11): PostgreSQL posting lists that count and page without reading item rows.

GIN over `items.search_text` answers "which rows match", but neither in an order nor without
visiting every matching row, so a count of 25,000 common-word matches or a page in relevance
order costs tens of milliseconds at a million items.  `item_postings` holds, for every item, one
row per (word with its field weight, access scope): a B-tree over `(term, scope, seq)` then
yields one word's matches in one scope newest first, by index-only scans that stop after the page
or the count's limit.  storage/item_postings.py asks the questions; domain/item_search.py decides
when (docs/search/items.md).

* `term`: a lexeme of `search_text` (the stemmed word) with one of its weights, `water:A` (title),
  `water:B` (tags), `water:C` (snippet, description, type, typeKeywords), `water:D` (the others).
* `scope`: who sees the item through this row, as the number `search_scopes` gives an access token
  of migration 0007: a public item has one scope, its organization's `zq<org>0` (callers read the
  public scopes of the organizations they may search, so `accountid:` narrows by scope); an `org`
  item `zo<org>0`; a private or shared item its owner's `zu<owner>0` and its
  organization's administrators' `zx<org>0`; an item that is not public also one `zg<group>0` per
  group it is shared with.  A caller reads the scopes of
  its own tokens (domain/access.posting_tokens), so the rows it reads are exactly the ones it may
  see.
* The scopes come from `items.acl` and `items.access`, both on the row, so the old row's scopes
  are known when it changes: triggers on `items` rewrite only the rows that differ, in the same
  transaction as the write (share, unshare, an organization's access all rewrite `acl`); emptying
  `items` (TRUNCATE) empties the postings too.

SQLite needs none of this (its FTS5 index holds the tokens, 0007): nothing changes there.

Revision ID: 0008
Revises: 0007
"""

import importlib

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# An item's terms (0010 redefines it to add word pairs; its downgrade restores this one).
TERMS = r"""
CREATE OR REPLACE FUNCTION geoshare_item_terms(v tsvector) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(array_agg(DISTINCT u.lexeme || ':' || w ORDER BY u.lexeme || ':' || w), '{}')
  FROM unnest(v) u, unnest(u.weights) w WHERE u.positions IS NOT NULL $$;
"""

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION geoshare_item_scope_tokens(p_access text, p_acl text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN p_access = 'public' THEN ARRAY(SELECT x FROM unnest(t) x WHERE x LIKE 'zq%' ORDER BY x)
         WHEN p_access = 'org' THEN ARRAY(SELECT x FROM unnest(t) x WHERE x LIKE 'zo%' OR x LIKE 'zg%' ORDER BY x)
         ELSE ARRAY(SELECT x FROM unnest(t) x WHERE x LIKE 'zu%' OR x LIKE 'zx%' OR x LIKE 'zg%' ORDER BY x)
         END
  FROM (SELECT string_to_array(coalesce(p_acl, ''), ' ') AS t) s $$;

CREATE OR REPLACE FUNCTION geoshare_scope_nums(tokens text[]) RETURNS bigint[] LANGUAGE plpgsql AS $$ BEGIN
  INSERT INTO search_scopes (token)
    SELECT DISTINCT x FROM unnest(tokens) x WHERE NOT EXISTS (SELECT 1 FROM search_scopes s WHERE s.token = x)
    ON CONFLICT DO NOTHING;
  RETURN ARRAY(SELECT num FROM search_scopes WHERE token = ANY (tokens) ORDER BY num); END $$;

CREATE OR REPLACE FUNCTION geoshare_item_postings() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  old_terms text[] := '{}'; new_terms text[] := '{}'; old_scopes bigint[] := '{}'; new_scopes bigint[] := '{}';
BEGIN
  IF TG_OP <> 'INSERT' AND OLD.seq IS NOT NULL THEN
    old_terms := geoshare_item_terms(OLD.search_text);
    old_scopes := geoshare_scope_nums(geoshare_item_scope_tokens(OLD.access, OLD.acl));
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.seq IS NOT NULL THEN
    new_terms := geoshare_item_terms(NEW.search_text);
    new_scopes := geoshare_scope_nums(geoshare_item_scope_tokens(NEW.access, NEW.acl));
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.seq IS DISTINCT FROM NEW.seq THEN
    DELETE FROM item_postings p USING unnest(old_terms) t(term), unnest(old_scopes) s(scope)
     WHERE p.term = t.term AND p.scope = s.scope AND p.seq = OLD.seq;
    old_terms := '{}'; old_scopes := '{}';
  END IF;
  DELETE FROM item_postings p USING (
      SELECT t, s FROM unnest(old_terms) t, unnest(old_scopes) s
      EXCEPT SELECT t, s FROM unnest(new_terms) t, unnest(new_scopes) s) gone
   WHERE p.term = gone.t AND p.scope = gone.s AND p.seq = OLD.seq;
  INSERT INTO item_postings (term, scope, seq)
    SELECT t, s, NEW.seq FROM (
      SELECT t, s FROM unnest(new_terms) t, unnest(new_scopes) s
      EXCEPT SELECT t, s FROM unnest(old_terms) t, unnest(old_scopes) s) added;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION geoshare_item_postings_truncate() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
  TRUNCATE item_postings; RETURN NULL; END $$;

CREATE OR REPLACE FUNCTION geoshare_fill_item_postings() RETURNS void LANGUAGE plpgsql AS $$ BEGIN
  -- Every item's rows from scratch, the index built after them (migration, benchmark loads).
  TRUNCATE item_postings;
  ALTER TABLE item_postings DROP CONSTRAINT item_postings_pkey;
  INSERT INTO search_scopes (token)
    SELECT DISTINCT x FROM items, unnest(geoshare_item_scope_tokens(access, acl)) x WHERE seq IS NOT NULL
    ON CONFLICT DO NOTHING;
  INSERT INTO item_postings (term, scope, seq)
    SELECT t, s.num, i.seq
    FROM items i, unnest(geoshare_item_terms(i.search_text)) t, unnest(geoshare_item_scope_tokens(i.access, i.acl)) x
    JOIN search_scopes s ON s.token = x
    WHERE i.seq IS NOT NULL;
  ALTER TABLE item_postings ADD CONSTRAINT item_postings_pkey PRIMARY KEY (term, scope, seq);
END $$;
"""

TRIGGERS = """
CREATE TRIGGER items_postings_insert AFTER INSERT ON items
  FOR EACH ROW EXECUTE FUNCTION geoshare_item_postings();
CREATE TRIGGER items_postings_update AFTER UPDATE ON items FOR EACH ROW
  WHEN (ROW({old_text}) IS DISTINCT FROM ROW({new_text}) OR OLD.seq IS DISTINCT FROM NEW.seq
        OR geoshare_item_scope_tokens(OLD.access, OLD.acl) IS DISTINCT FROM geoshare_item_scope_tokens(NEW.access, NEW.acl))
  EXECUTE FUNCTION geoshare_item_postings();
CREATE TRIGGER items_postings_delete AFTER DELETE ON items
  FOR EACH ROW EXECUTE FUNCTION geoshare_item_postings();
CREATE TRIGGER items_postings_truncate AFTER TRUNCATE ON items
  FOR EACH STATEMENT EXECUTE FUNCTION geoshare_item_postings_truncate();
"""
# The columns search_text is made of (besides `acl`): an update that changes none of them and
# leaves the item's scopes as they were (a view count; an organization made public or private,
# whose public items keep their zq scope) rewrites nothing and skips the trigger.
def _triggers() -> str:
    columns = [c for _, c in importlib.import_module("geoshare.storage.migrations.versions.0006_search").TEXT_COLUMNS]
    return TRIGGERS.format(old_text=", ".join(f"OLD.{c}" for c in columns),
                           new_text=", ".join(f"NEW.{c}" for c in columns))


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        return
    op.execute('CREATE TABLE search_scopes (token text COLLATE "C" PRIMARY KEY, '
               "num bigint GENERATED ALWAYS AS IDENTITY UNIQUE)")
    op.execute('CREATE TABLE item_postings (term text COLLATE "C" NOT NULL, scope bigint NOT NULL, '
               "seq bigint NOT NULL, CONSTRAINT item_postings_pkey PRIMARY KEY (term, scope, seq))")
    op.execute(TERMS)
    op.execute(FUNCTIONS)
    op.execute("SELECT geoshare_fill_item_postings()")
    op.execute(_triggers())


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        return
    for trigger in ("items_postings_insert", "items_postings_update", "items_postings_delete",
                    "items_postings_truncate"):
        op.execute(f"DROP TRIGGER {trigger} ON items")
    op.execute("DROP FUNCTION geoshare_fill_item_postings(), geoshare_item_postings_truncate(), geoshare_item_postings(), geoshare_scope_nums(text[]), "
               "geoshare_item_scope_tokens(text, text), geoshare_item_terms(tsvector)")
    op.execute("DROP TABLE item_postings")
    op.execute("DROP TABLE search_scopes")
