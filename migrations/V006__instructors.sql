-- Instructors: the profile beside their user row, the services they offer with prices per
-- format, their service areas, and their availability document. Money is integer cents.
CREATE TABLE instructor_profiles (
    user_id               TEXT    PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    bio                   TEXT    NOT NULL DEFAULT '',
    years_experience      INTEGER NOT NULL DEFAULT 0 CHECK (years_experience BETWEEN 0 AND 80),
    languages             TEXT    NOT NULL DEFAULT '["English"]' CHECK (json_valid(languages)),
    timezone              TEXT    NOT NULL DEFAULT 'America/New_York',
    meeting_url           TEXT,
    -- The studio address is private; only coarse coordinates are ever shown.
    studio_address        TEXT,
    studio_lat            REAL,
    studio_lng            REAL,
    -- Photo files are <photo_key>-400.jpg and <photo_key>-96.jpg under <data>/media/photos.
    photo_key             TEXT,
    payouts_status        TEXT    NOT NULL DEFAULT 'none' CHECK (payouts_status IN ('none', 'pending', 'complete')),
    payouts_account       TEXT,
    background_status     TEXT    NOT NULL DEFAULT 'none'
                                  CHECK (background_status IN ('none', 'pending', 'passed', 'failed')),
    background_document   TEXT,
    background_note       TEXT,
    background_checked_at INTEGER,
    background_expires_at INTEGER,
    live                  INTEGER NOT NULL DEFAULT 0 CHECK (live IN (0, 1)),
    live_at               INTEGER,
    founding              INTEGER NOT NULL DEFAULT 0 CHECK (founding IN (0, 1)),
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL
) STRICT;
CREATE INDEX instructor_profiles_live ON instructor_profiles (live);

CREATE TABLE instructor_areas (
    user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    area_slug TEXT NOT NULL,
    PRIMARY KEY (user_id, area_slug)
) STRICT;
CREATE INDEX instructor_areas_by_area ON instructor_areas (area_slug);

CREATE TABLE instructor_services (
    id                   TEXT    PRIMARY KEY,
    user_id              TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    service_id           INTEGER NOT NULL REFERENCES services (id),
    description          TEXT    NOT NULL DEFAULT '' CHECK (length(description) <= 500),
    durations            TEXT    NOT NULL CHECK (json_valid(durations)),
    age_groups           TEXT    NOT NULL CHECK (json_valid(age_groups)),
    skill_levels         TEXT    NOT NULL CHECK (json_valid(skill_levels)),
    travel_cents_per_hour INTEGER CHECK (travel_cents_per_hour > 0),
    studio_cents_per_hour INTEGER CHECK (studio_cents_per_hour > 0),
    online_cents_per_hour INTEGER CHECK (online_cents_per_hour > 0),
    active               INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    position             INTEGER NOT NULL,
    created_at           INTEGER NOT NULL,
    UNIQUE (user_id, service_id),
    CHECK (COALESCE(travel_cents_per_hour, studio_cents_per_hour, online_cents_per_hour) IS NOT NULL)
) STRICT;
CREATE INDEX instructor_services_by_service ON instructor_services (service_id) WHERE active = 1;

-- The weekly rules, overrides, blackouts and settings as one JSON document, versioned for
-- ETag / If-Match.
CREATE TABLE availability (
    user_id    TEXT    PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    document   TEXT    NOT NULL CHECK (json_valid(document)),
    version    INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
