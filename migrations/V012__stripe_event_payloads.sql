-- Keep each event's body, so events recorded before their handler existed (payments, refunds,
-- disputes, payouts) can be reconciled later.
ALTER TABLE stripe_events ADD COLUMN payload TEXT CHECK (payload IS NULL OR json_valid(payload));
ALTER TABLE stripe_events ADD COLUMN handled INTEGER NOT NULL DEFAULT 0 CHECK (handled IN (0, 1));
