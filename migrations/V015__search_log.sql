-- Every search: what was typed, what was understood and how many instructors were found, so
-- admins can see the queries that find nobody.
CREATE TABLE search_log (
    id         INTEGER PRIMARY KEY,
    query      TEXT    NOT NULL,
    parsed     TEXT    NOT NULL CHECK (json_valid(parsed)),
    results    INTEGER NOT NULL CHECK (results >= 0),
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX search_log_zero_results ON search_log (created_at) WHERE results = 0;
