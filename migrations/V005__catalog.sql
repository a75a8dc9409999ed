-- The catalog: category -> subcategory -> service. Seeded from the catalog embedded in the
-- binary (src/catalog/catalog.toml) by slug, so an upgrade adds new services while an admin's
-- renames, hidden flags and search terms survive.
CREATE TABLE categories (
    id       INTEGER PRIMARY KEY,
    slug     TEXT    NOT NULL UNIQUE,
    name     TEXT    NOT NULL,
    -- JSON array of words that mean "anything in this category" in a search.
    terms    TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(terms)),
    position INTEGER NOT NULL
) STRICT;

CREATE TABLE subcategories (
    id          INTEGER PRIMARY KEY,
    category_id INTEGER NOT NULL REFERENCES categories (id),
    slug        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    position    INTEGER NOT NULL
) STRICT;

CREATE TABLE services (
    id             INTEGER PRIMARY KEY,
    subcategory_id INTEGER NOT NULL REFERENCES subcategories (id),
    slug           TEXT    NOT NULL UNIQUE,
    name           TEXT    NOT NULL,
    terms          TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(terms)),
    -- JSON array, a subset of ["toddler", "kids", "teens", "adults"].
    age_groups     TEXT    NOT NULL CHECK (json_valid(age_groups)),
    online_capable INTEGER NOT NULL CHECK (online_capable IN (0, 1)),
    hidden         INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
    position       INTEGER NOT NULL
) STRICT;
CREATE INDEX services_by_subcategory ON services (subcategory_id, position);
