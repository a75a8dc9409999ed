-- Reviews, instructor responses, tips and the rating aggregates (SPEC 7). Money is integer
-- cents; instants are unix seconds (UTC). V013 is another change's number.

-- One review per booking, by its student. A hidden review (an admin's decision, with the
-- reason and who) stays for the record but counts nowhere and is listed nowhere public.
CREATE TABLE reviews (
    id            TEXT    PRIMARY KEY,
    booking_id    TEXT    NOT NULL UNIQUE REFERENCES bookings (id),
    student_id    TEXT    NOT NULL REFERENCES users (id),
    instructor_id TEXT    NOT NULL REFERENCES users (id),
    -- The catalog service of the lesson, for the per-service counts.
    service_id    INTEGER NOT NULL,
    rating        INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    text          TEXT    CHECK (text IS NULL OR length(text) BETWEEN 1 AND 500),
    created_at    INTEGER NOT NULL,
    hidden_at     INTEGER,
    hidden_reason TEXT    CHECK (hidden_reason IS NULL OR length(hidden_reason) BETWEEN 1 AND 500),
    hidden_by     TEXT    REFERENCES users (id),
    CHECK ((hidden_at IS NULL) = (hidden_reason IS NULL))
) STRICT;
-- The instructor's list, newest first (public lists add `hidden_at IS NULL`).
CREATE INDEX reviews_by_instructor ON reviews (instructor_id, created_at DESC, id DESC);

-- The instructor's one public answer to a review.
CREATE TABLE review_responses (
    review_id  TEXT    PRIMARY KEY REFERENCES reviews (id),
    text       TEXT    NOT NULL CHECK (length(text) BETWEEN 1 AND 500),
    created_at INTEGER NOT NULL
) STRICT;

-- Visible reviews per instructor and service: count and sum of stars, kept in the same write as
-- every review created or hidden, so profiles and search read a rating without scanning
-- reviews. The platform mean is the sum over all rows.
CREATE TABLE review_stats (
    instructor_id TEXT    NOT NULL REFERENCES users (id),
    service_id    INTEGER NOT NULL,
    review_count  INTEGER NOT NULL CHECK (review_count >= 0),
    rating_sum    INTEGER NOT NULL CHECK (rating_sum BETWEEN review_count AND 5 * review_count),
    PRIMARY KEY (instructor_id, service_id)
) STRICT;

-- A tip: charged at once (no platform fee) to the instructor's connected account. `pending`
-- while the provider is asked (a job finishes it if the request dies), then `captured`,
-- `failed` (refused) or `requires_action` (the bank wants the student to authenticate).
CREATE TABLE tips (
    id                 TEXT    PRIMARY KEY,
    booking_id         TEXT    NOT NULL REFERENCES bookings (id),
    student_id         TEXT    NOT NULL REFERENCES users (id),
    instructor_id      TEXT    NOT NULL REFERENCES users (id),
    amount_cents       INTEGER NOT NULL CHECK (amount_cents > 0),
    -- The card (payment_methods.provider_ref) and the connected account it goes to.
    payment_method_ref TEXT    NOT NULL,
    destination        TEXT    NOT NULL,
    payment_intent     TEXT,
    status             TEXT    NOT NULL DEFAULT 'pending'
                           CHECK (status IN ('pending', 'captured', 'failed', 'requires_action')),
    decline_code       TEXT,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
) STRICT;
CREATE INDEX tips_by_booking ON tips (booking_id);
-- One tip per lesson in flight or paid; a refused one may be tried again.
CREATE UNIQUE INDEX tips_one_live ON tips (booking_id) WHERE status IN ('pending', 'captured');

-- The ledger gains `tip_capture` (a tip taken from the student's card). SQLite cannot change a
-- CHECK in place, so the table is rebuilt with the same rows; nothing refers to it.
CREATE TABLE ledger_entries_new (
    id           INTEGER PRIMARY KEY,
    booking_id   TEXT    REFERENCES bookings (id),
    user_id      TEXT    REFERENCES users (id),
    kind         TEXT    NOT NULL CHECK (kind IN ('card_capture', 'card_refund', 'platform_fee',
                        'commission', 'instructor_payout', 'credit_grant', 'credit_use',
                        'credit_forfeit', 'credit_expire', 'credit_revoke', 'tip_capture')),
    amount_cents INTEGER NOT NULL,
    reference    TEXT,
    created_at   INTEGER NOT NULL
) STRICT;
INSERT INTO ledger_entries_new (id, booking_id, user_id, kind, amount_cents, reference, created_at)
    SELECT id, booking_id, user_id, kind, amount_cents, reference, created_at FROM ledger_entries;
DROP TABLE ledger_entries;
ALTER TABLE ledger_entries_new RENAME TO ledger_entries;
CREATE INDEX ledger_entries_by_booking ON ledger_entries (booking_id);
