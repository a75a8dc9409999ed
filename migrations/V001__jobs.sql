-- Durable background work. Producers insert a row inside the same transaction as the change
-- that causes the work; workers claim due rows by moving them to 'running' with a lease, then
-- mark them 'done', or put them back 'queued' with a later run_at (backoff), or 'dead' after
-- too many attempts. Instants are unix seconds (UTC).
CREATE TABLE jobs (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL,
    payload     TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(payload)),
    state       TEXT    NOT NULL DEFAULT 'queued'
                        CHECK (state IN ('queued', 'running', 'done', 'dead')),
    run_at      INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    lease_until INTEGER,
    last_error  TEXT,
    -- Work that must happen once per event carries a key; a second enqueue is ignored.
    dedupe_key  TEXT,
    created_at  INTEGER NOT NULL,
    finished_at INTEGER,
    CHECK ((state = 'running') = (lease_until IS NOT NULL))
) STRICT;

CREATE UNIQUE INDEX jobs_dedupe_key ON jobs (dedupe_key) WHERE dedupe_key IS NOT NULL;
CREATE INDEX jobs_due ON jobs (run_at, id) WHERE state = 'queued';
CREATE INDEX jobs_by_state ON jobs (state, kind);
