-- Bookings and the money that moves with them: the booking row (its price fixed when booked),
-- an event log per booking, no-show reports, the credits ledger (grants and per-booking
-- reservations), the money ledger (one row per movement), stored responses for
-- Idempotency-Key, and each user's private calendar feed token. Money is integer cents;
-- instants are unix seconds (UTC).
CREATE TABLE bookings (
    id                      TEXT    PRIMARY KEY,
    student_id              TEXT    NOT NULL REFERENCES users (id),
    instructor_id           TEXT    NOT NULL REFERENCES users (id),
    instructor_service_id   TEXT    NOT NULL,
    service_id              INTEGER NOT NULL,
    service_name            TEXT    NOT NULL,
    format                  TEXT    NOT NULL CHECK (format IN ('travel', 'studio', 'online')),
    start_at                INTEGER NOT NULL,
    end_at                  INTEGER NOT NULL CHECK (end_at > start_at),
    duration_min            INTEGER NOT NULL CHECK (duration_min BETWEEN 15 AND 240),
    timezone                TEXT    NOT NULL,
    address                 TEXT,
    area_slug               TEXT,
    note                    TEXT    CHECK (length(note) <= 1000),
    status                  TEXT    NOT NULL CHECK (status IN
                                ('pending_payment', 'confirmed', 'completed', 'cancelled', 'no_show', 'payment_failed')),
    lesson_price_cents      INTEGER NOT NULL CHECK (lesson_price_cents > 0),
    service_fee_cents       INTEGER NOT NULL CHECK (service_fee_cents >= 0),
    credits_applied_cents   INTEGER NOT NULL CHECK (credits_applied_cents BETWEEN 0 AND lesson_price_cents),
    total_charge_cents      INTEGER NOT NULL
                                CHECK (total_charge_cents = lesson_price_cents + service_fee_cents - credits_applied_cents),
    commission_bps          INTEGER NOT NULL CHECK (commission_bps BETWEEN 0 AND 10000),
    commission_cents        INTEGER NOT NULL CHECK (commission_cents >= 0),
    instructor_payout_cents INTEGER NOT NULL
                                CHECK (instructor_payout_cents = lesson_price_cents - commission_cents),
    payment_status          TEXT    NOT NULL CHECK (payment_status IN
                                ('scheduled', 'authorized', 'captured', 'locked', 'released', 'refunded', 'failed')),
    -- The saved card (payment_methods.provider_ref) and the provider's intent once authorised.
    payment_method_ref      TEXT    NOT NULL,
    payment_intent          TEXT,
    -- Failed authorisations so far; each attempt has its own idempotency key.
    authorize_attempts      INTEGER NOT NULL DEFAULT 0,
    -- What cancellation and reschedule rules measure notice from: the start, or the original
    -- start when a late reschedule must not reset the clock (anti-gaming).
    policy_start_at         INTEGER NOT NULL,
    -- Reschedules made 12-24 h before, along the lineage (allowed once).
    late_reschedules        INTEGER NOT NULL DEFAULT 0,
    rescheduled_from        TEXT    REFERENCES bookings (id),
    rescheduled_to          TEXT    REFERENCES bookings (id),
    cancelled_by            TEXT    CHECK (cancelled_by IN ('student', 'instructor', 'system', 'admin')),
    cancel_reason           TEXT,
    cancelled_at            INTEGER,
    cancel_policy           TEXT,
    cancel_refund_cents     INTEGER,
    cancel_credit_cents     INTEGER,
    cancel_payout_cents     INTEGER,
    completed_at            INTEGER,
    -- Money settled: captured and paid out, refunded or released. No job touches it again.
    settled_at              INTEGER,
    created_at              INTEGER NOT NULL,
    updated_at              INTEGER NOT NULL
) STRICT;
-- The overlap checks read only the lessons that hold time.
CREATE INDEX bookings_instructor_busy ON bookings (instructor_id, start_at)
    WHERE status IN ('pending_payment', 'confirmed');
CREATE INDEX bookings_student_busy ON bookings (student_id, start_at)
    WHERE status IN ('pending_payment', 'confirmed');
CREATE INDEX bookings_student ON bookings (student_id, start_at);
CREATE INDEX bookings_instructor ON bookings (instructor_id, start_at);

-- Who changed what, when and why: the booking's timeline.
CREATE TABLE booking_events (
    id         INTEGER PRIMARY KEY,
    booking_id TEXT    NOT NULL REFERENCES bookings (id),
    at         INTEGER NOT NULL,
    actor      TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    detail     TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX booking_events_by_booking ON booking_events (booking_id, id);

CREATE TABLE no_show_reports (
    booking_id     TEXT    PRIMARY KEY REFERENCES bookings (id),
    absent         TEXT    NOT NULL CHECK (absent IN ('student', 'instructor')),
    reported_by    TEXT    NOT NULL REFERENCES users (id),
    reason         TEXT    NOT NULL,
    reported_at    INTEGER NOT NULL,
    disputed_at    INTEGER,
    dispute_reason TEXT,
    state          TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'disputed', 'upheld', 'rejected')),
    resolved_at    INTEGER
) STRICT;

-- Credits: each grant has an expiry; `remaining_cents` is what can still be reserved.
CREATE TABLE credit_grants (
    id                TEXT    PRIMARY KEY,
    user_id           TEXT    NOT NULL REFERENCES users (id),
    amount_cents      INTEGER NOT NULL CHECK (amount_cents > 0),
    remaining_cents   INTEGER NOT NULL CHECK (remaining_cents BETWEEN 0 AND amount_cents),
    reason            TEXT    NOT NULL,
    source_booking_id TEXT    REFERENCES bookings (id),
    status            TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'expired', 'revoked')),
    expires_at        INTEGER NOT NULL,
    created_at        INTEGER NOT NULL
) STRICT;
CREATE INDEX credit_grants_by_user ON credit_grants (user_id, expires_at) WHERE status = 'active';
-- A grant pays for a lesson once, whatever the reason is.
CREATE UNIQUE INDEX credit_grants_once ON credit_grants (user_id, reason, source_booking_id)
    WHERE source_booking_id IS NOT NULL;

-- Credits held for a booking, per grant: reserved at booking, then consumed (spent on the
-- lesson), released (given back) or forfeited (lost by a student no-show).
CREATE TABLE credit_reservations (
    booking_id   TEXT    NOT NULL REFERENCES bookings (id),
    grant_id     TEXT    NOT NULL REFERENCES credit_grants (id),
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    state        TEXT    NOT NULL DEFAULT 'reserved' CHECK (state IN ('reserved', 'consumed', 'released', 'forfeited')),
    PRIMARY KEY (booking_id, grant_id)
) STRICT;

-- Every movement of money, one row each. Signs: money in from a card and credit spent are
-- positive `card_capture` / `credit_use`; what leaves is positive in its own kind.
CREATE TABLE ledger_entries (
    id           INTEGER PRIMARY KEY,
    booking_id   TEXT    REFERENCES bookings (id),
    user_id      TEXT    REFERENCES users (id),
    kind         TEXT    NOT NULL CHECK (kind IN ('card_capture', 'card_refund', 'platform_fee',
                        'commission', 'instructor_payout', 'credit_grant', 'credit_use',
                        'credit_forfeit', 'credit_expire', 'credit_revoke')),
    amount_cents INTEGER NOT NULL,
    reference    TEXT,
    created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX ledger_entries_by_booking ON ledger_entries (booking_id);

-- Idempotency-Key: the stored answer to a money-moving POST, replayed for 24 h.
CREATE TABLE idempotency_keys (
    user_id      TEXT    NOT NULL REFERENCES users (id),
    key          TEXT    NOT NULL,
    request_hash TEXT    NOT NULL,
    status       INTEGER,
    response     TEXT,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
) STRICT;

-- The secret in a user's private iCal feed URL (shown again whenever they ask, like any feed
-- link; it reveals only lesson times); rotating it kills the old link.
CREATE TABLE calendar_feeds (
    user_id    TEXT    PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    token      TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
) STRICT;
