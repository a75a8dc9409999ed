-- In-app notifications and per-category delivery preferences. Missing preference rows mean
-- the category's defaults (everything on except promotions).
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    user_id    TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    category   TEXT    NOT NULL,
    title      TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    link       TEXT,
    -- Same event, same notification: a retried producer cannot add a second one.
    event_key  TEXT    NOT NULL UNIQUE,
    read_at    INTEGER,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX notifications_by_user ON notifications (user_id, id DESC);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

CREATE TABLE notification_preferences (
    user_id  TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    category TEXT    NOT NULL CHECK (category IN ('lesson_updates', 'messages', 'reviews', 'promotions')),
    email    INTEGER NOT NULL CHECK (email IN (0, 1)),
    in_app   INTEGER NOT NULL CHECK (in_app IN (0, 1)),
    PRIMARY KEY (user_id, category)
) STRICT;

-- Server-side secrets generated on first run (e.g. the key that signs unsubscribe links).
CREATE TABLE app_secrets (
    name       TEXT    PRIMARY KEY,
    value      BLOB    NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
