-- What real Stripe needs beyond the simulated provider, and what its webhooks tell us.

-- The provider's customer for a user (Stripe `cus_...`), made once: saved cards belong to it and
-- every charge names it.
CREATE TABLE payment_customers (
    user_id    TEXT    PRIMARY KEY REFERENCES users (id),
    customer   TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
) STRICT;

-- When the current authorisation was made: a card hold lasts about a week (less for some
-- off-session Visa holds), so a capture later than that re-authorises first.
ALTER TABLE bookings ADD COLUMN authorized_at INTEGER;

-- Chargebacks as Stripe reports them (charge.dispute.*). While one is open the student's
-- credits are frozen.
CREATE TABLE payment_disputes (
    id                 TEXT    PRIMARY KEY,
    intent             TEXT,
    booking_id         TEXT    REFERENCES bookings (id),
    user_id            TEXT    REFERENCES users (id),
    amount_cents       INTEGER NOT NULL CHECK (amount_cents >= 0),
    reason             TEXT    NOT NULL,
    status             TEXT    NOT NULL,
    last_event_created INTEGER NOT NULL,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
) STRICT;

-- Students whose credits may not be spent (an open chargeback), and why.
CREATE TABLE credit_freezes (
    user_id    TEXT    PRIMARY KEY REFERENCES users (id),
    reason     TEXT    NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

-- Payouts from instructors' Stripe balances to their banks (payout.* on connected accounts),
-- newest event per payout wins.
CREATE TABLE instructor_payouts (
    id                 TEXT    PRIMARY KEY,
    account            TEXT    NOT NULL,
    amount_cents       INTEGER NOT NULL,
    status             TEXT    NOT NULL,
    arrival_at         INTEGER,
    last_event_created INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
) STRICT;
CREATE INDEX instructor_payouts_by_account ON instructor_payouts (account, arrival_at DESC);
